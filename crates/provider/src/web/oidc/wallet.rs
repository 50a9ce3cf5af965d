//! The credential issuer's endpoints (issue 17 §3, OpenID for Verifiable Credential Issuance
//! 1.0): metadata, nonce, credential, and the status list. The pre-authorized code grant is in
//! `token`; the offer is made from the account page. Each parses and calls
//! `one_login_core::wallet`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{for_client, no_store_json};
use crate::app::AppState;
use crate::web::error::Result;
use one_login_core::error::OAuthError;
use one_login_core::wallet;

/// `GET /.well-known/openid-credential-issuer` (OID4VCI §12.2.2).
pub async fn metadata(State(app): State<AppState>) -> Response {
    let mut response = Json(wallet::issuer_metadata(&app.oidc.issuer)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

/// `POST /nonce` (OID4VCI §7.2): never cached.
pub async fn nonce(State(app): State<AppState>) -> Result<Response> {
    let answer = wallet::nonce(app.ephemeral.as_ref()).await;
    Ok(no_store_json(&answer.map_err(|e| for_client(e.into()))?))
}

/// `POST /credential` (OID4VCI §8): a bearer access token from the pre-authorized code grant
/// and a JSON request.
pub async fn credential(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    issue(&app, &headers, &body).await.map_err(for_client)
}

async fn issue(app: &AppState, headers: &HeaderMap, body: &Bytes) -> Result<Response> {
    let token = super::userinfo::bearer_header(headers).ok_or_else(|| {
        let mut error = OAuthError::new(401, "invalid_token", "a bearer token is required");
        error.www_authenticate = Some("Bearer realm=\"One Login\"".to_owned());
        error
    })?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let request: serde_json::Value = serde_json::from_slice(body)
        .ok()
        .filter(|_| is_json)
        .ok_or_else(|| {
            OAuthError::new(
                400,
                "invalid_credential_request",
                "the body must be a JSON object (application/json)",
            )
        })?;
    let keys = app.oidc.keys.set();
    let issuance = wallet::Issuance {
        issuer: &app.oidc.issuer,
        identity: &app.identity,
        keys: &keys,
        db: &app.db,
        store: app.ephemeral.as_ref(),
    };
    let answer = wallet::issue(&issuance, token, &request, app.clock.unix()).await?;
    Ok(no_store_json(&answer))
}

/// `GET /status/identity`: the status list token (draft-ietf-oauth-status-list §8.1), which
/// verifiers may cache for its `ttl`.
pub async fn status_list(State(app): State<AppState>) -> Result<Response> {
    let keys = app.oidc.keys.set();
    let token = wallet::status_list_token(
        &app.identity,
        &keys,
        &app.db,
        &app.oidc.issuer,
        app.clock.unix(),
    )
    .await
    .map_err(|e| for_client(e.into()))?;
    let mut response = token.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/statuslist+jwt"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}
