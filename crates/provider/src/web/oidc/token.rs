//! `/token` (RFC 6749 §3.2) and `/revoke` (RFC 7009).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{for_client, no_store_json, stores};
use crate::app::AppState;
use crate::web::error::Result;
use one_login_core::error::OAuthError;
use one_login_core::oidc::authorization_request::Params;
use one_login_core::oidc::client_auth::{self, Audiences};
use one_login_core::oidc::clients::Client;
use one_login_core::oidc::token_endpoint;
use one_login_core::wallet;

/// Reads a form body: the only encoding these endpoints take (RFC 6749 §3.2), each parameter
/// once (§3.1).
fn form(headers: &HeaderMap, body: &Bytes) -> Result<Params> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )
        .into());
    }
    Params::collect(url::form_urlencoded::parse(body))
        .map_err(|name| OAuthError::invalid_request(format!("{name} is repeated")).into())
}

async fn authenticated_client(
    app: &AppState,
    headers: &HeaderMap,
    form: &Params,
) -> Result<Arc<Client>> {
    let token_endpoint = app.oidc.url("token");
    let audiences = Audiences {
        issuer: &app.oidc.issuer,
        token_endpoint: &token_endpoint,
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    Ok(client_auth::authenticate(
        form,
        authorization,
        &app.oidc.clients,
        &app.oidc.client_keys,
        app.ephemeral.as_ref(),
        &audiences,
        app.clock.unix(),
    )
    .await?)
}

pub async fn token(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    exchange(&app, &headers, &body).await.map_err(for_client)
}

/// OID4VCI §6.1: the pre-authorized code grant is anonymous (the wallet is no registered
/// client): the code alone is the credential, so it is answered before client authentication.
async fn pre_authorized(app: &AppState, form: &Params) -> Result<Response> {
    let response = wallet::redeem(app.ephemeral.as_ref(), form.get("pre-authorized_code")).await?;
    ::metrics::counter!(one_login_core::metrics::TOKENS_ISSUED, "grant_type" => "pre-authorized_code")
        .increment(1);
    Ok(no_store_json(&response))
}

/// The client that sent `form`: authenticated, and within its rate limit.
async fn admitted(
    app: &AppState,
    headers: &HeaderMap,
    form: &Params,
) -> Result<(Arc<Client>, i64)> {
    let client = authenticated_client(app, headers, form).await?;
    let now = app.clock.unix();
    // Checklist 80: per client as well as per client address (the latter in `web::rate_limit`).
    app.rate_limiter
        .admit_client(&client.client_id, now)
        .await?;
    Ok((client, now))
}

async fn exchange(app: &AppState, headers: &HeaderMap, body: &Bytes) -> Result<Response> {
    let form = form(headers, body)?;
    if form.get("grant_type") == Some(wallet::PRE_AUTHORIZED_GRANT) {
        return pre_authorized(app, &form).await;
    }
    let (client, now) = admitted(app, headers, &form).await?;
    let stores = stores(app);
    let (response, grant_type) = match form.get("grant_type") {
        Some("authorization_code") => (
            token_endpoint::exchange_code(&app.oidc, &stores, &client, &form, now).await?,
            "authorization_code",
        ),
        Some("refresh_token") => (
            token_endpoint::refresh(&app.oidc, &stores, &client, &form, now).await?,
            "refresh_token",
        ),
        Some(_) => {
            return Err(
                OAuthError::new(400, "unsupported_grant_type", "grant_type not supported").into(),
            );
        }
        None => return Err(OAuthError::invalid_request("grant_type is required").into()),
    };
    ::metrics::counter!(one_login_core::metrics::TOKENS_ISSUED, "grant_type" => grant_type)
        .increment(1);
    Ok(no_store_json(&response))
}

/// RFC 7009 §2.2: 200 whether or not the token was known; only the owning client may revoke.
pub async fn revoke(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    revoke_token(&app, &headers, &body)
        .await
        .map_err(for_client)
}

async fn revoke_token(app: &AppState, headers: &HeaderMap, body: &Bytes) -> Result<Response> {
    let form = form(headers, body)?;
    let (client, now) = admitted(app, headers, &form).await?;
    token_endpoint::revoke(&app.oidc, &stores(app), &client, &form, now).await?;
    let mut response = StatusCode::OK.into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
