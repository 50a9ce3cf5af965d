//! The feedback form every page's phase banner links to (issue 15): anyone, signed in or not,
//! tells the team what worked and what did not; `one-login feedback list` reads it. What is
//! accepted and kept is `one_login_core::feedback`'s.

use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::identity::templates::RadioOption;
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::extract::PageForm;
use crate::web::language::{self, filters};
use crate::web::templates::{FormErrors, MessagePage, render};
use crate::web::visit::Visit;
use one_login_core::authentication::CredentialLevel;
use one_login_core::feedback::{self, MAX_FEEDBACK_CHARS, Sent, Topic, local_path};

/// The form's largest body: 1,200 characters of four bytes each, percent-encoded (12 bytes a
/// character), with room for the other fields. The provider's other forms stop at 16 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How much of a refused text the form shows back: all a citizen could mean to cut down,
/// never a whole request body.
const SHOWN_BACK_CHARS: usize = 2 * MAX_FEEDBACK_CHARS;

tokio::task_local! {
    /// The address of the page being answered, for its phase banner's feedback link. The
    /// request's `Uri` (its clone shares the bytes), not a copied path: every browser request
    /// passes here, and most render no banner.
    static PAGE: Uri;
}

/// The layer that notes each page's path, so that the phase banner's feedback link on it can
/// say where the citizen was. The path only: a query may carry an authorization request's
/// `state` or a relying party's parameters, which feedback has no business keeping.
pub async fn note_page(request: Request, next: Next) -> Response {
    let page = request.uri().clone();
    PAGE.scope(page, next.run(request)).await
}

/// The phase banner's feedback link on the page being answered (the layout calls it).
pub fn link_from_here() -> String {
    PAGE.try_with(|page| feedback_link(page.path()))
        .unwrap_or_else(|_| feedback_link(""))
}

/// `/feedback`, with `?from=` the page the link is on when that is a page to return to.
fn feedback_link(page: &str) -> String {
    match local_path(page) {
        Some(path) if path != "/" && !path.starts_with("/feedback") => format!(
            "/feedback?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("from", path)
                .finish()
        ),
        _ => "/feedback".to_owned(),
    }
}

/// `?from=`: the page the citizen came from, kept only if it is a path on this site.
#[derive(Debug, Deserialize)]
pub struct FromQuery {
    #[serde(default)]
    pub from: String,
}

#[derive(Debug, Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub feedback: String,
    #[serde(default)]
    pub reply: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub from: String,
}

#[derive(Template)]
#[template(path = "feedback/form.html")]
pub struct FeedbackPage {
    pub csrf_token: String,
    pub topics: Vec<RadioOption>,
    pub topic: String,
    pub feedback: String,
    pub reply: String,
    pub email: String,
    /// The local page the citizen came from, carried to the thank-you page ("" for none).
    pub from: String,
    pub max_chars: usize,
    pub errors: FormErrors,
}

impl FeedbackPage {
    fn new(csrf_token: String, from: Option<&str>) -> Self {
        FeedbackPage {
            csrf_token,
            topics: Topic::ALL
                .into_iter()
                .map(|t| RadioOption::new(t.as_str(), language::text(t.label_key())))
                .collect(),
            topic: String::new(),
            feedback: String::new(),
            reply: String::new(),
            email: String::new(),
            from: from.unwrap_or_default().to_owned(),
            max_chars: MAX_FEEDBACK_CHARS,
            errors: FormErrors::none(),
        }
    }
}

/// The thank-you page's address, carrying where the citizen came from.
fn sent_page(came_from: Option<&str>) -> String {
    match came_from {
        Some(path) => format!(
            "/feedback/sent?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("from", path)
                .finish()
        ),
        None => "/feedback/sent".to_owned(),
    }
}

pub async fn form(Query(query): Query<FromQuery>, mut visit: Visit) -> Result<Response> {
    let mut page = FeedbackPage::new(visit.csrf_token(), local_path(&query.from));
    // Only a suggestion for the reply address: nothing links the account unless they ask.
    if let Some(signed_in) = visit.signed_in_at(CredentialLevel::ClCm) {
        page.email = signed_in.email.clone();
    }
    render(&page, StatusCode::OK)
}

pub async fn send(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<FeedbackForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let came_from = local_path(&form.from);
    let sent = Sent {
        topic: &form.topic,
        feedback: &form.feedback,
        reply: &form.reply,
        email: &form.email,
    };
    let feedback = match feedback::check(&sent) {
        Ok(feedback) => feedback,
        Err(problems) => {
            let page = FeedbackPage {
                topic: form.topic.clone(),
                feedback: form.feedback.chars().take(SHOWN_BACK_CHARS).collect(),
                reply: form.reply.clone(),
                email: super::shown(&form.email),
                errors: problems.into(),
                ..FeedbackPage::new(visit.csrf_token(), came_from)
            };
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let account = visit.signed_in_at(CredentialLevel::ClCm);
    let account = account.map(|signed_in| signed_in.account_id.as_str());
    let language = language::current();
    feedback::record(&app.db, feedback, came_from, language, account, visit.now).await?;
    Ok(Redirect::to(&sent_page(came_from)).into_response())
}

pub async fn sent(Query(query): Query<FromQuery>) -> Result<Response> {
    let page = MessagePage::new("Thank you for your feedback")
        .paragraph("We will use it to improve GOV.UK One Login.")
        .paragraph("If you asked for a reply, we will email you.");
    let page = match local_path(&query.from) {
        Some(path) => page.link(path, "Return to where you were"),
        None => page.link("/", "Go to the start of the service"),
    };
    render(&page, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_banner_link_names_the_page_it_is_on() {
        assert_eq!(link_from_here(), "/feedback");
        let on =
            |page: &'static str| PAGE.scope(Uri::from_static(page), async { link_from_here() });
        assert_eq!(on("/account").await, "/feedback?from=%2Faccount");
        assert_eq!(on("/").await, "/feedback");
        assert_eq!(on("/feedback").await, "/feedback");
        assert_eq!(on("/feedback/sent").await, "/feedback");
        assert_eq!(on("//evil.example").await, "/feedback");
        // The query is never part of the link.
        assert_eq!(on("/account?state=xyz").await, "/feedback?from=%2Faccount");
    }

    #[test]
    fn the_thank_you_page_carries_the_page_encoded() {
        assert_eq!(sent_page(None), "/feedback/sent");
        assert_eq!(
            sent_page(Some("/identity/passport?x=1&y=2")),
            "/feedback/sent?from=%2Fidentity%2Fpassport%3Fx%3D1%26y%3D2"
        );
    }
}
