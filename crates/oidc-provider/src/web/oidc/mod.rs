//! The OpenID Connect endpoints. Each parses, calls `crate::oidc`, and renders: JSON for
//! clients, pages for people.

pub mod authorize;
pub mod discovery;
pub mod logout;
pub mod token;
pub mod userinfo;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::error::{Error, OAuthError};
use crate::oidc::Stores;

/// Errors at a client-facing endpoint are JSON too: a store outage becomes
/// `temporarily_unavailable`, anything else `server_error` (RFC 6749 §4.1.2.1 names).
pub fn for_client(error: Error) -> Error {
    match error {
        Error::OAuth(_) | Error::ClientRateLimited { .. } => error,
        Error::RateLimited {
            retry_after_seconds,
        } => Error::ClientRateLimited {
            retry_after_seconds,
        },
        e if e.is_unavailable() => {
            tracing::warn!(error = %e, "dependency unavailable");
            Error::OAuth(OAuthError::new(
                503,
                "temporarily_unavailable",
                "try again shortly",
            ))
        }
        e => {
            tracing::error!(error = %e, "request failed");
            Error::OAuth(OAuthError::new(
                500,
                "server_error",
                "the server could not complete the request",
            ))
        }
    }
}

/// JSON that must not be cached: tokens and personal data (RFC 6749 §5.1, Core §3.1.3.3).
pub fn no_store_json(value: &impl serde::Serialize) -> Response {
    let mut response = axum::Json(value).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// The stores the protocol reads and writes, from the app's.
pub fn stores(app: &AppState) -> Stores<'_> {
    Stores {
        ephemeral: app.ephemeral.as_ref(),
        db: &app.db,
    }
}
