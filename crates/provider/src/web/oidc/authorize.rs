//! `/authorize` (OpenID Connect Core §3.1.2): check the request, then sign the citizen in,
//! step them up, ask their consent, or send them straight back with a code (single sign-on).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::stores;
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::extract::PageForm;
use crate::web::language::{self, FluentValue, Language, text_with};
use crate::web::templates::{ConsentItem, ConsentPage, MessagePage, render};
use crate::web::visit::Visit;
use one_login_core::oidc::authorization_flow::{
    Ends, Flow, IdentityPage, NextStep, Outcome, SessionFacts,
};
use one_login_core::oidc::authorization_request::{AuthorizationRequest, Decision, Params};
use one_login_core::oidc::clients::{self, Client};
use one_login_core::sessions::{Authentication, CredentialLevel, Session};

/// What the refusal page says of a request it could not read: the detail goes to the log.
const UNREADABLE_REQUEST: &str = "The service sent a request that GOV.UK One Login could not read.";

/// The page for a request that cannot be answered by redirect (RFC 6749 §4.1.2.1).
fn refusal_page(message: &str) -> Result<Response> {
    render(
        &MessagePage::new("Sorry, there is a problem with the service you came from")
            .paragraph(message)
            .paragraph("Go back to the service and try again. If it keeps happening, contact that service.")
            .link("/", "Go to GOV.UK One Login"),
        StatusCode::BAD_REQUEST,
    )
}

/// A 302 to the client: errors and codes alike.
fn to_client(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

pub async fn authorize_get(
    State(app): State<AppState>,
    visit: Visit,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    match Params::from_query(query.as_deref().unwrap_or_default()) {
        Ok(params) => start(app, visit, params).await,
        Err(name) => {
            // The name is for the service's developers, in the log; the citizen cannot act on it.
            tracing::info!(parameter = %name, "authorization request repeats a parameter");
            refusal_page(UNREADABLE_REQUEST)
        }
    }
}

/// Core §3.1.2.1: the authorization endpoint also accepts a form POST.
pub async fn authorize_post(
    State(app): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        tracing::info!("authorization request posted without a form body");
        return refusal_page(UNREADABLE_REQUEST);
    }
    match Params::collect(url::form_urlencoded::parse(&body)) {
        Ok(params) => start(app, visit, params).await,
        Err(name) => {
            // The name is for the service's developers, in the log; the citizen cannot act on it.
            tracing::info!(parameter = %name, "authorization request repeats a parameter");
            refusal_page(UNREADABLE_REQUEST)
        }
    }
}

/// The flow of this visit's request, over the app's stores.
fn flow<'a>(app: &'a AppState, visit: &Visit) -> Flow<'a> {
    Flow {
        provider: &app.oidc,
        identity: &app.identity,
        stores: stores(app),
        clock: app.clock.as_ref(),
        now_ms: visit.now_ms,
    }
}

async fn start(app: AppState, visit: Visit, params: Params) -> Result<Response> {
    let facts = SessionFacts::of(visit.session());
    let outcome = flow(&app, &visit).authorize(&params, facts).await?;
    // Issue 15: the service's `ui_locales` (from the query or a signed request object) is the
    // journey's language, kept in the toggle's cookie; only here, so a later toggle stands.
    let chosen = match &outcome {
        Outcome::Waiting { request, .. } => {
            request.ui_locale.as_deref().and_then(Language::from_tag)
        }
        _ => None,
    };
    let mut response = respond(visit, outcome)?;
    if let Some(language) = chosen {
        language::remember(&mut response, language, app.config.issuer_is_https());
    }
    Ok(response)
}

/// Renders what the flow decided, and records in the session what it says.
fn respond(mut visit: Visit, outcome: Outcome) -> Result<Response> {
    match outcome {
        Outcome::Unanswerable(message) => refusal_page(message),
        Outcome::Refused { location, ends } => {
            end(&mut visit, ends);
            Ok(to_client(&location))
        }
        Outcome::Waiting { request, step } => {
            let session = visit.session_mut();
            session.pending = Some(*request);
            let path = waiting_page(session, step);
            Ok(Redirect::to(path).into_response())
        }
        Outcome::Issued {
            location,
            client_id,
        } => {
            if visit
                .session()
                .is_none_or(|s| s.changed_by_code_for(&client_id))
            {
                visit.session_mut().code_given_to(client_id);
            }
            Ok(to_client(&location).into_response())
        }
    }
}

/// Ends in the session what a refusal ends.
fn end(visit: &mut Visit, ends: Ends) {
    match ends {
        // Only a session that holds a request is written to.
        Ends::Request if visit.session().is_some_and(|s| s.pending.is_some()) => {
            visit.session_mut().pending = None;
        }
        Ends::Nothing | Ends::Request => {}
        Ends::RequestAndJourney => {
            let session = visit.session_mut();
            session.pending = None;
            session.proving = None;
        }
    }
}

/// The page of `step`, keeping the proving journey in `session` when it is one of its pages.
fn waiting_page(session: &mut Session, step: NextStep) -> &'static str {
    match step {
        // A citizen this browser has not signed in meets "Create your GOV.UK One Login or sign
        // in" first (issue 15): they may have no account yet. One known here (a fresh sign-in
        // asked for, `prompt=login` or `max_age`) goes straight to the sign-in form.
        NextStep::SignIn if session.signed_in().is_none() => "/",
        NextStep::SignIn => "/sign-in",
        NextStep::StepUp => "/sign-in/authenticator-code",
        NextStep::Consent => "/authorize/consent",
        NextStep::Identity { journey, page } => {
            session.proving = Some(journey);
            match page {
                IdentityPage::Reuse => "/identity/reuse",
                IdentityPage::Next => "/identity/next",
            }
        }
    }
}

/// `GET /authorize/continue`: the pending request, after sign-in or step-up.
pub async fn resume(State(app): State<AppState>, visit: Visit) -> Result<Response> {
    let Some(request) = visit.session().and_then(|s| s.pending.clone()) else {
        return Ok(Redirect::to("/account").into_response());
    };
    let facts = SessionFacts::of(visit.session());
    let outcome = flow(&app, &visit).resume(request, facts).await?;
    respond(visit, outcome)
}

/// What the consent page lists, in words a citizen understands.
fn consent_items(request: &AuthorizationRequest) -> Vec<ConsentItem> {
    let mut items = vec![ConsentItem {
        text: "A unique reference for you that only this service gets".into(),
    }];
    for scope in &request.scopes {
        let text = match scope.as_str() {
            "email" => "Your email address",
            "phone" => "Your phone number",
            "offline_access" => {
                "Access to these details while you are not signed in, until you withdraw it"
            }
            _ => continue,
        };
        items.push(ConsentItem { text: text.into() });
    }
    // A `verified_claims` request that selects claims is named by what it selects (below).
    let selects_verified = request
        .claims
        .userinfo
        .iter()
        .any(|c| c.starts_with(clients::VERIFIED_CLAIM_PREFIX));
    for claim in request.claims.userinfo.union(&request.claims.id_token) {
        let selected = claim.strip_prefix(clients::VERIFIED_CLAIM_PREFIX);
        let text = match selected.unwrap_or(claim) {
            clients::VERIFIED_CLAIMS if selects_verified => continue,
            // Issue 17 §2: only whether the age is reached, never the birth date.
            clients::AGE_OVER_16_CLAIM => "Whether you are over 16",
            clients::AGE_OVER_18_CLAIM => "Whether you are over 18",
            clients::AGE_OVER_21_CLAIM => "Whether you are over 21",
            "given_name" | "family_name" | "birthdate" if selected.is_some() => {
                "Your verified name and date of birth"
            }
            clients::CORE_IDENTITY_CLAIM | clients::VERIFIED_CLAIMS => {
                "Your verified name and date of birth"
            }
            clients::ADDRESS_CLAIM => "Your address",
            clients::PASSPORT_CLAIM => "Your passport details",
            clients::DRIVING_PERMIT_CLAIM => "Your driving licence details",
            clients::RETURN_CODE_CLAIM => {
                "A code saying why your identity could not be confirmed, if it could not"
            }
            "email" | "email_verified" if request.scopes.contains("email") => continue,
            "email" | "email_verified" => "Your email address",
            "phone_number" | "phone_number_verified" => "Your phone number",
            _ => continue,
        };
        if !items.iter().any(|i| i.text == text) {
            items.push(ConsentItem { text: text.into() });
        }
    }
    items
}

/// The request waiting for consent, when the session is signed in well enough to give it.
fn awaiting_consent(visit: &Visit) -> Option<(AuthorizationRequest, Authentication)> {
    let session = visit.session()?;
    let request = session.pending.clone()?;
    let auth = session.authenticated_at(CredentialLevel::Cl)?.clone();
    (auth.level >= request.credential_required()).then_some((request, auth))
}

/// What the pending authorization needs now, or `None` without one. Pages of steps that can be
/// done already (the back button, an old tab) ask it, to send the citizen on to the step they
/// are really at rather than show a step again.
pub async fn pending_decision(app: &AppState, visit: &Visit) -> Result<Option<Decision>> {
    let Some(session) = visit.session() else {
        return Ok(None);
    };
    let Some(request) = &session.pending else {
        return Ok(None);
    };
    let flow = flow(app, visit);
    Ok(Some(flow.decision(request, session.signed_in()).await?))
}

fn consent_page(visit: &mut Visit, client: &Client, request: &AuthorizationRequest) -> ConsentPage {
    ConsentPage {
        csrf_token: visit.csrf_token(),
        client_name: client.name_in(language::current()).to_owned(),
        items: consent_items(request),
    }
}

pub async fn consent_form(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let Some((request, _)) = awaiting_consent(&visit) else {
        return Ok(Redirect::to("/authorize/continue").into_response());
    };
    // Agreed already (and come back to this page): on to the next step.
    if pending_decision(&app, &visit).await? != Some(Decision::Consent) {
        return Ok(Redirect::to("/authorize/continue").into_response());
    }
    let Some(client) = app.oidc.clients.get(&request.client_id) else {
        return refusal_page("The service you came from is no longer registered.");
    };
    let page = consent_page(&mut visit, &client, &request);
    let response = render(&page, StatusCode::OK)?;
    Ok(response.into_response())
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    decision: String,
}

pub async fn submit_consent(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<ConsentForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some((request, auth)) = awaiting_consent(&visit) else {
        return Ok(Redirect::to("/authorize/continue").into_response());
    };
    let Some(client) = app.oidc.clients.get(&request.client_id) else {
        return refusal_page("The service you came from is no longer registered.");
    };
    let flow = flow(&app, &visit);
    let outcome = match form.decision.as_str() {
        "agree" => {
            let facts = SessionFacts::of(visit.session());
            flow.agree(request, &client, &auth, facts).await?
        }
        "decline" => return declined(visit, &client, flow.decline(&request)),
        _ => {
            let page = consent_page(&mut visit, &client, &request);
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    respond(visit, outcome)
}

/// The page after "Do not share": in the citizen's words and language, saying nothing was
/// shared, with the way back to the service carrying `access_denied` (Core §3.1.2.6). The
/// service learns only that error; its own page need not explain why.
fn declined(mut visit: Visit, client: &Client, outcome: Outcome) -> Result<Response> {
    let Outcome::Refused { location, ends } = outcome else {
        return respond(visit, outcome);
    };
    end(&mut visit, ends);
    let name = client.name_in(language::current());
    let service = || [("service", FluentValue::from(name))];
    render(
        &MessagePage::new("You’ve chosen not to share your details")
            .paragraph(text_with(
                "we-have-not-shared-your-details-with",
                &service(),
            ))
            .paragraph(text_with("to-use-service-you-need-to-share", &service()))
            .link(location, text_with("go-back-to-named-service", &service())),
        StatusCode::OK,
    )
}
