//! The one place errors become pages. A handler's error becomes the kit's response, which
//! carries the error; `render_error_pages` then draws the page for it with the department's
//! layout (the error itself does not know the service's name).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use one_login_rp::Error as KitError;

use super::AppState;
use super::language::text;
use super::templates::MessagePage;
use crate::error::Error;

/// What the citizen is told, in the request's language: the title's key, the paragraphs, and
/// a link (where, and its words' key).
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub title: &'static str,
    pub paragraphs: Vec<String>,
    pub link: (&'static str, &'static str),
}

const PROBLEM: &str = "problem-with-the-service";

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::Kit(e) => e.into_response(),
            Error::IdentityNeeded => {
                // 403: the citizen may not do this yet; the page says what to do first.
                let mut response = StatusCode::FORBIDDEN.into_response();
                response.extensions_mut().insert(Refusal::IdentityNeeded);
                response
            }
            Error::Template(e) => {
                one_login_rp::Error::Internal(format!("rendering a page: {e}")).into_response()
            }
        }
    }
}

/// A request the department itself refuses (the kit's refusals carry the kit's error).
#[derive(Debug, Clone, Copy)]
enum Refusal {
    IdentityNeeded,
}

fn page_for_refusal(refusal: Refusal) -> ErrorPage {
    match refusal {
        Refusal::IdentityNeeded => ErrorPage {
            title: "confirm-before-sending-title",
            paragraphs: vec![text("application-not-sent")],
            link: ("/application", "go-back-to-your-application"),
        },
    }
}

/// What the citizen is told about a kit error (logged, with its reason, by the kit).
fn page_for(error: &one_login_rp::Error) -> ErrorPage {
    let start_again = ("/", "start-again");
    match error {
        KitError::ProviderUnreachable(_) => ErrorPage {
            title: PROBLEM,
            paragraphs: vec![text("one-login-unreachable"), text("nothing-lost")],
            link: ("/", "try-again"),
        },
        // The provider's reasons are logged by the kit, not shown: they are its words, in
        // English, about the protocol.
        KitError::Refused {
            error, identity, ..
        } => match (error.as_str(), identity) {
            ("access_denied", true) => ErrorPage {
                title: "could-not-confirm-identity",
                paragraphs: vec![text("identity-declined"), text("apply-by-post")],
                link: start_again,
            },
            ("access_denied", false) => ErrorPage {
                title: "you-have-not-signed-in",
                paragraphs: vec![text("chose-not-to-share"), text("need-to-sign-in")],
                link: start_again,
            },
            _ => ErrorPage {
                title: PROBLEM,
                paragraphs: vec![text("could-not-sign-you-in"), text("try-again-later")],
                link: start_again,
            },
        },
        // The return codes are the kit's to log: a letter means nothing to the citizen.
        KitError::IdentityNotProven(_) => ErrorPage {
            title: "could-not-confirm-identity",
            paragraphs: vec![text("identity-not-to-level"), text("apply-by-post")],
            link: start_again,
        },
        // Most often the session ended while the citizen was away (at GOV.UK One Login, or
        // with the page left open): said as GOV.UK One Login says it.
        KitError::SessionMismatch(_) | KitError::CsrfRejected | KitError::NotSignedIn => {
            ErrorPage {
                title: "session-timed-out",
                paragraphs: vec![text("session-away"), text("session-start-again")],
                link: start_again,
            }
        }
        KitError::NotFound => ErrorPage {
            title: "page-not-found",
            paragraphs: vec![text("check-the-address")],
            link: ("/", "go-to-the-start-page"),
        },
        KitError::ProviderAnswer(_)
        | KitError::IdentityRejected(_)
        | KitError::LogoutTokenRejected(_)
        | KitError::PresentationRejected(_) => ErrorPage {
            title: PROBLEM,
            paragraphs: vec![text("could-not-check-the-answer"), text("try-again-later")],
            link: start_again,
        },
        KitError::Config { .. }
        | KitError::Sessions(_)
        | KitError::Io(_)
        | KitError::Internal(_) => ErrorPage {
            title: PROBLEM,
            paragraphs: vec![text("try-again-later")],
            link: start_again,
        },
    }
}

/// Draws the page for the error a response carries (the kit leaves it in the extensions).
pub async fn render_error_pages(State(app): State<AppState>, response: Response) -> Response {
    let extensions = response.extensions();
    let Some(page) = extensions.get::<KitError>().map(page_for).or_else(|| {
        extensions
            .get::<Refusal>()
            .map(|refusal| page_for_refusal(*refusal))
    }) else {
        return response;
    };
    let status = response.status();
    let template = MessagePage {
        service_name: app.service_name(),
        title: text(page.title),
        paragraphs: page.paragraphs,
        link: Some(page.link),
    };
    match askama::Template::render(&template) {
        Ok(html) => super::templates::html(status, html),
        Err(e) => {
            tracing::error!(error = %e, "rendering an error page");
            (status, text(PROBLEM)).into_response()
        }
    }
}
