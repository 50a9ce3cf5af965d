//! The kit's one error type, and the one place it becomes a response.
//!
//! A refused back-channel logout is answered as the protocol says (400 and an OAuth error in
//! JSON). Anything else is answered with its status and a short plain-text body, and the error
//! itself rides along in the response's extensions: a service that wants its own pages reads it
//! there in one middleware (see the demo departments) and draws them with its own layout.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Everything that can go wrong while signing a citizen in or out.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A configuration value is missing or wrong; `key` is written as in the TOML file.
    #[error("configuration error at `{key}`: {reason}")]
    Config { key: String, reason: String },

    /// The provider could not be reached, or did not answer in time.
    #[error("GOV.UK One Login cannot be reached: {0}")]
    ProviderUnreachable(String),

    /// The provider answered, but not as the protocol says (bad token, bad signature, bad
    /// document).
    #[error("GOV.UK One Login's answer was not valid: {0}")]
    ProviderAnswer(String),

    /// The provider sent the citizen back with an error (`access_denied`, `login_required`...);
    /// `identity` tells whether the request asked for a proven identity.
    #[error("GOV.UK One Login refused the request: {error} ({description})")]
    Refused {
        error: String,
        description: String,
        identity: bool,
    },

    /// The identity could not be proven to the level asked: the provider's return codes.
    #[error("the identity could not be proven (return codes {0:?})")]
    IdentityNotProven(Vec<String>),

    /// The core identity JWT failed a check.
    #[error("core identity JWT rejected: {0}")]
    IdentityRejected(String),

    /// A wallet's presentation of the identity credential failed a check (issue 17 §3).
    #[error("presentation rejected: {0}")]
    PresentationRejected(String),

    /// A back-channel logout token failed a check.
    #[error("logout token rejected: {0}")]
    LogoutTokenRejected(String),

    /// A callback or form without the session that started it: expired, another browser, or
    /// forged.
    #[error("no matching session: {0}")]
    SessionMismatch(&'static str),

    /// A page for signed-in citizens, asked for without a sign-in: answered with a redirect to
    /// sign in.
    #[error("not signed in")]
    NotSignedIn,

    /// A form's CSRF token did not match its session's.
    #[error("CSRF token missing or wrong")]
    CsrfRejected,

    /// A step the configuration does not have (an identity check the service never asks).
    #[error("not found")]
    NotFound,

    /// The session store failed (Redis down).
    #[error("session store: {0}")]
    Sessions(String),

    /// Reading or writing the key file.
    #[error("{0}")]
    Io(String),

    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn config(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Config {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status the error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::LogoutTokenRejected(_)
            | Error::SessionMismatch(_)
            | Error::CsrfRejected
            | Error::PresentationRejected(_) => StatusCode::BAD_REQUEST,
            Error::ProviderUnreachable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Refused { .. } | Error::IdentityNotProven(_) => StatusCode::FORBIDDEN,
            Error::ProviderAnswer(_) | Error::IdentityRejected(_) => StatusCode::BAD_GATEWAY,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::NotSignedIn => StatusCode::SEE_OTHER,
            Error::Config { .. } | Error::Sessions(_) | Error::Io(_) | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Error::LogoutTokenRejected(why) => {
                // Back-Channel Logout §2.8: 400, with an OAuth error body, no page.
                tracing::warn!(reason = %why, "back-channel logout refused");
                let body =
                    serde_json::json!({"error": "invalid_request", "error_description": why});
                return (status, Json(body)).into_response();
            }
            Error::ProviderUnreachable(why) => {
                tracing::warn!(reason = %why, "provider unreachable")
            }
            Error::Refused {
                error, description, ..
            } => tracing::info!(%error, %description, "provider refused the request"),
            Error::SessionMismatch(_) | Error::CsrfRejected => {
                tracing::info!(error = %self, "request without its session");
            }
            Error::ProviderAnswer(_) | Error::IdentityRejected(_) => {
                tracing::error!(error = %self, "provider's answer rejected");
            }
            Error::Config { .. } | Error::Sessions(_) | Error::Io(_) | Error::Internal(_) => {
                tracing::error!(error = %self, "internal error");
            }
            Error::NotSignedIn => {
                return axum::response::Redirect::to(crate::routes::SIGN_IN).into_response();
            }
            Error::PresentationRejected(why) => {
                tracing::info!(reason = %why, "wallet presentation refused");
            }
            Error::IdentityNotProven(codes) => {
                tracing::info!(?codes, "identity not proven");
            }
            Error::NotFound => {}
        }
        // The reason stays in the log: the body says only what kind of failure it was.
        let body = status.canonical_reason().unwrap_or("Error");
        let mut response = (status, body).into_response();
        response.extensions_mut().insert(self);
        response
    }
}
