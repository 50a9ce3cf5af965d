//! The one place errors become responses. A handler's error turns into an [`ErrorPage`]
//! carried in the response; `render_error_pages` then draws it with the department's layout
//! (the error itself does not know the service's name).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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
        let start_again = ("/", "Start again");
        let (status, page) = match &self {
            Error::LogoutTokenRejected(why) => {
                // Back-Channel Logout §2.8: 400, with an OAuth error body, no page.
                tracing::warn!(reason = %why, "back-channel logout refused");
                let body = serde_json::json!({"error": "invalid_request", "error_description": why});
                return (StatusCode::BAD_REQUEST, Json(body)).into_response();
            }
            Error::ProviderUnreachable(why) => {
                tracing::warn!(reason = %why, "provider unreachable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorPage {
                        title: PROBLEM,
                        paragraphs: vec![
                            "GOV.UK One Login cannot be reached at the moment, so you cannot sign in.".into(),
                            "Try again later. Nothing you entered has been lost.".into(),
                        ],
                        link: ("/", "Try again"),
                    },
                )
            }
            Error::Refused { error, description, identity } => {
                tracing::info!(%error, %description, "provider refused the request");
                let page = match (error.as_str(), identity) {
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
                };
                (StatusCode::FORBIDDEN, page)
            }
            Error::IdentityNotProven(codes) => (
                StatusCode::FORBIDDEN,
                ErrorPage {
                    title: "We could not confirm your identity",
                    paragraphs: vec![
                        "GOV.UK One Login could not confirm your identity to the level this service needs.".into(),
                        format!("Reference for our helpdesk: {}.", codes.join(", ")),
                    ],
                    link: start_again,
                },
            ),
            Error::SessionMismatch(_) | Error::CsrfRejected => {
                tracing::info!(error = %self, "request without its session");
                (
                    StatusCode::BAD_REQUEST,
                    ErrorPage {
                        title: "Sorry, you need to start again",
                        paragraphs: vec![
                            "Your session may have ended, or the link you used is no longer valid.".into(),
                        ],
                        link: start_again,
                    },
                )
            }
            Error::NotFound => (
                StatusCode::NOT_FOUND,
                ErrorPage {
                    title: "Page not found",
                    paragraphs: vec!["If you typed the web address, check it is correct.".into()],
                    link: ("/", "Go to the start page"),
                },
            ),
            Error::ProviderAnswer(_) | Error::IdentityRejected(_) => {
                tracing::error!(error = %self, "provider's answer rejected");
                (
                    StatusCode::BAD_GATEWAY,
                    ErrorPage {
                        title: PROBLEM,
                        paragraphs: vec![
                            "We could not check the answer from GOV.UK One Login.".into(),
                            "Try again later.".into(),
                        ],
                        link: start_again,
                    },
                )
            }
            Error::Config { .. } | Error::Template(_) | Error::Io(_) | Error::Internal(_) => {
                tracing::error!(error = %self, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorPage {
                        title: PROBLEM,
                        paragraphs: vec!["Try again later.".into()],
                        link: start_again,
                    },
                )
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}

/// Draws the page an error left in its response.
pub async fn render_error_pages(State(app): State<AppState>, response: Response) -> Response {
    let Some(page) = response.extensions().get::<ErrorPage>().cloned() else {
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
