//! The one place errors become pages. A handler's error becomes the kit's response, which
//! carries the error; `render_error_pages` then draws the page for it with the department's
//! layout (the error itself does not know the service's name).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use one_login_rp::Error as KitError;

use super::AppState;
use super::templates::MessagePage;
use crate::error::Error;

/// What the citizen is told.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub title: &'static str,
    pub paragraphs: Vec<String>,
    pub link: (&'static str, &'static str),
}

const PROBLEM: &str = "Sorry, there is a problem with the service";

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::Kit(e) => e.into_response(),
            Error::Template(e) => {
                one_login_rp::Error::Internal(format!("rendering a page: {e}")).into_response()
            }
        }
    }
}

/// What the citizen is told about a kit error (logged, with its reason, by the kit).
fn page_for(error: &one_login_rp::Error) -> ErrorPage {
    let start_again = ("/", "Start again");
    match error {
        KitError::ProviderUnreachable(_) => ErrorPage {
            title: PROBLEM,
            paragraphs: vec![
                "GOV.UK One Login cannot be reached at the moment, so you cannot sign in.".into(),
                "Try again later. Nothing you entered has been lost.".into(),
            ],
            link: ("/", "Try again"),
        },
        KitError::Refused {
            error,
            description,
            identity,
        } => match (error.as_str(), identity) {
            ("access_denied", true) => ErrorPage {
                title: "We could not confirm your identity",
                paragraphs: vec![
                    "GOV.UK One Login could not confirm your identity, or you chose not to continue.".into(),
                    format!("GOV.UK One Login said: {description}."),
                    "You can still apply by post. You have not been charged.".into(),
                ],
                link: start_again,
            },
            ("access_denied", false) => ErrorPage {
                title: "You have not signed in",
                paragraphs: vec![
                    "You chose not to share your details with this service, or stopped signing in.".into(),
                    "You need to sign in with GOV.UK One Login to use this service.".into(),
                ],
                link: start_again,
            },
            _ => ErrorPage {
                title: PROBLEM,
                paragraphs: vec![format!(
                    "GOV.UK One Login could not sign you in ({error}: {description})."
                )],
                link: start_again,
            },
        },
        KitError::IdentityNotProven(codes) => ErrorPage {
            title: "We could not confirm your identity",
            paragraphs: vec![
                "GOV.UK One Login could not confirm your identity to the level this service needs.".into(),
                format!("Reference for our helpdesk: {}.", codes.join(", ")),
            ],
            link: start_again,
        },
        KitError::SessionMismatch(_) | KitError::CsrfRejected | KitError::NotSignedIn => {
            ErrorPage {
                title: "Sorry, you need to start again",
                paragraphs: vec![
                    "Your session may have ended, or the link you used is no longer valid.".into(),
                ],
                link: start_again,
            }
        }
        KitError::NotFound => ErrorPage {
            title: "Page not found",
            paragraphs: vec!["If you typed the web address, check it is correct.".into()],
            link: ("/", "Go to the start page"),
        },
        KitError::ProviderAnswer(_)
        | KitError::IdentityRejected(_)
        | KitError::LogoutTokenRejected(_)
        | KitError::PresentationRejected(_) => ErrorPage {
            title: PROBLEM,
            paragraphs: vec![
                "We could not check the answer from GOV.UK One Login.".into(),
                "Try again later.".into(),
            ],
            link: start_again,
        },
        KitError::Config { .. }
        | KitError::Sessions(_)
        | KitError::Io(_)
        | KitError::Internal(_) => ErrorPage {
            title: PROBLEM,
            paragraphs: vec!["Try again later.".into()],
            link: start_again,
        },
    }
}

/// Draws the page for the error a response carries (the kit leaves it in the extensions).
pub async fn render_error_pages(State(app): State<AppState>, response: Response) -> Response {
    let Some(page) = response.extensions().get::<KitError>().map(page_for) else {
        return response;
    };
    let status = response.status();
    let template = MessagePage {
        service_name: app.config.service_name.clone(),
        title: page.title.to_owned(),
        paragraphs: page.paragraphs,
        link: Some(page.link),
    };
    match askama::Template::render(&template) {
        Ok(html) => super::templates::html(status, html),
        Err(e) => {
            tracing::error!(error = %e, "rendering an error page");
            (status, PROBLEM).into_response()
        }
    }
}
