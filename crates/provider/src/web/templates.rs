//! The pages' template types, one per template file, and what they share.

use askama::Template;

use crate::web::language::filters;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::web::error::Result;
use crate::web::language;
pub use crate::web::message_page::{Link, MessagePage};
use one_login_core::i18n::Message;

/// Pages write times as the emails do, in the request's language: "2 January 2026 at 3:04pm".
pub fn format_time(unix: i64) -> String {
    language::current().date_time(unix)
}

/// One field's error, as the error summary and the field show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input's id, linked from the error summary.
    pub field: &'static str,
    pub message: String,
}

/// The errors of one form, in the order of its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    pub fn none() -> Self {
        FormErrors(Vec::new())
    }

    pub fn one(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = FormErrors::none();
        errors.add(field, message);
        errors
    }

    /// `message` is the rules' English; the page shows it in the citizen's language.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: language::from_english(&message.into()),
        });
    }

    /// A sentence the rules composed, in the request's language.
    pub fn add_message(&mut self, field: &'static str, message: &Message) {
        self.0.push(FieldError {
            field,
            message: message.in_language(language::current()),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, or "" (the macros' "no error").
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
            .unwrap_or("")
    }
}

/// The problems the rules found, each beside its field, in the request's language.
impl From<Vec<(&'static str, Message)>> for FormErrors {
    fn from(problems: Vec<(&'static str, Message)>) -> Self {
        let mut errors = FormErrors::none();
        for (field, message) in problems {
            errors.add_message(field, &message);
        }
        errors
    }
}

/// The problems the rules found, each beside its field.
impl From<Vec<(&'static str, String)>> for FormErrors {
    fn from(problems: Vec<(&'static str, String)>) -> Self {
        let mut errors = FormErrors::none();
        for (field, message) in problems {
            errors.add(field, message);
        }
        errors
    }
}

impl<'a> IntoIterator for &'a FormErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Renders a page; a form with errors is answered 400 (the page, re-shown with its values).
pub fn render(template: &impl Template, status: StatusCode) -> Result<Response> {
    Ok(html(status, template.render()?))
}

/// `(status, html)` as a response.
pub fn html(status: StatusCode, body: String) -> Response {
    (status, axum::response::Html(body)).into_response()
}

/// Issue 10 item 6: once 2 or fewer tries remain before a wait, the page says how many.
pub fn tries_left_warning(tries_left: u32) -> Option<String> {
    matches!(tries_left, 1 | 2)
        .then(|| language::text_with("tries-left", &[("count", tries_left.into())]))
}

pub fn form_status(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    }
}

#[derive(Template)]
#[template(path = "start.html")]
pub struct StartPage;

/// Where a citizen whose account cannot sign in is told to turn: GOV.UK One Login's own
/// contact form, where the service this one is modelled on sends them.
pub const SUPPORT_CONTACT: &str = "https://home.account.gov.uk/contact-gov-uk-one-login";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tries_left_shown_from_two() {
        assert_eq!(tries_left_warning(3), None);
        assert_eq!(
            tries_left_warning(2).as_deref(),
            Some("You have 2 tries left before you have to wait to try again.")
        );
        assert_eq!(
            tries_left_warning(1).as_deref(),
            Some("You have 1 try left before you have to wait to try again.")
        );
        assert_eq!(tries_left_warning(0), None);
    }

    #[test]
    fn form_errors_lookup() {
        let mut errors = FormErrors::one("email", "Enter your email address");
        errors.add("password", "Enter your password");
        assert_eq!(errors.get("password"), "Enter your password");
        assert_eq!(errors.get("code"), "");
        assert_eq!(form_status(&errors), StatusCode::BAD_REQUEST);
        assert_eq!(form_status(&FormErrors::none()), StatusCode::OK);
    }
}

pub struct ConsentItem {
    pub text: String,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub csrf_token: String,
    pub client_name: String,
    pub items: Vec<ConsentItem>,
}

/// "Do you want to sign out?", for a logout request without a valid ID token hint, or with one
/// for another session or citizen. A valid hint's request is carried in hidden fields.
#[derive(Template)]
#[template(path = "sign_out.html")]
pub struct SignOutPage {
    pub csrf_token: String,
    pub id_token_hint: Option<String>,
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}
