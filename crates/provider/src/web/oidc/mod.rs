//! The OpenID Connect endpoints. Each parses, calls `one_login_core::oidc`, and renders: JSON for
//! clients, pages for people.

pub mod authorize;
pub mod discovery;
pub mod logout;
pub mod token;
pub mod userinfo;
pub mod wallet;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::web::error::Error;
use one_login_core::error::{Error as CoreError, OAuthError};
use one_login_core::oidc::Stores;

/// The endpoints a browser visits: they read and change the citizen's session.
pub fn browser_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/authorize",
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route("/authorize/continue", get(authorize::resume))
        .route(
            "/authorize/consent",
            get(authorize::consent_form).post(authorize::submit_consent),
        )
        .route("/logout", get(logout::logout).post(logout::sign_out))
        .route("/sign-out", post(logout::sign_out))
}

/// The published documents (discovery, keys, trust mark, DID document): answered from
/// memory, never waiting on a store, so they need no deadline (issue 13: the timer was a
/// seventh of a discovery request's instructions).
pub fn documents() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/.well-known/jwks.json", get(discovery::jwks))
        .route("/trustmark", get(discovery::trustmark))
        .route("/.well-known/did.json", get(discovery::did_document))
}

/// The endpoints relying parties (and wallets) call from their servers.
pub fn client_routes() -> Router<AppState> {
    Router::new()
        .route("/token", post(token::token))
        .route("/revoke", post(token::revoke))
        .route(
            "/userinfo",
            get(userinfo::userinfo_get).post(userinfo::userinfo_post),
        )
        .route(
            "/.well-known/openid-credential-issuer",
            get(wallet::metadata),
        )
        .route("/nonce", post(wallet::nonce))
        .route("/credential", post(wallet::credential))
        .route(
            &format!("/{}", one_login_core::wallet::STATUS_LIST_PATH),
            get(wallet::status_list),
        )
}

/// Errors at a client-facing endpoint are JSON too: a store outage becomes
/// `temporarily_unavailable`, anything else `server_error` (RFC 6749 §4.1.2.1 names).
pub fn for_client(error: Error) -> Error {
    error.count_store_failure();
    match error {
        Error::Core(CoreError::OAuth(_)) | Error::ClientRateLimited { .. } => error,
        Error::Core(CoreError::RateLimited {
            retry_after_seconds,
        }) => Error::ClientRateLimited {
            retry_after_seconds,
        },
        e if e.is_unavailable() => {
            tracing::warn!(error = %e, "dependency unavailable");
            OAuthError::new(503, "temporarily_unavailable", "try again shortly").into()
        }
        e => {
            tracing::error!(error = %e, "request failed");
            OAuthError::new(
                500,
                "server_error",
                "the server could not complete the request",
            )
            .into()
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
