//! `/token` (RFC 6749 §3.2) and `/revoke` (RFC 7009).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::Validation;

use super::{for_client, no_store_json};
use crate::app::AppState;
use crate::error::OAuthError;
use crate::oidc::Stores;
use crate::oidc::authorization_request::Params;
use crate::oidc::client_auth::{self, Audiences};
use crate::oidc::clients::Client;
use crate::oidc::grants::{self, ActiveGrants};
use crate::oidc::signed_tokens::{ACCESS_TOKEN_TYPE, AccessTokenClaims};
use crate::oidc::token_endpoint;
use crate::web::error::Result;

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
) -> Result<std::sync::Arc<Client>> {
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

async fn exchange(app: &AppState, headers: &HeaderMap, body: &Bytes) -> Result<Response> {
    let form = form(headers, body)?;
    let client = authenticated_client(app, headers, &form).await?;
    let now = app.clock.unix();
    // Checklist 80: per client as well as per client address (the latter in `web::rate_limit`).
    app.rate_limiter
        .admit_client(&client.client_id, now)
        .await?;
    let stores = Stores {
        ephemeral: app.ephemeral.as_ref(),
        db: &app.db,
    };
    let response = match form.get("grant_type") {
        Some("authorization_code") => {
            token_endpoint::exchange_code(&app.oidc, &stores, &client, &form, now).await?
        }
        Some("refresh_token") => {
            token_endpoint::refresh(&app.oidc, &stores, &client, &form, now).await?
        }
        Some(_) => {
            return Err(
                OAuthError::new(400, "unsupported_grant_type", "grant_type not supported").into(),
            );
        }
        None => return Err(OAuthError::invalid_request("grant_type is required").into()),
    };
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
    let client = authenticated_client(app, headers, &form).await?;
    let now = app.clock.unix();
    app.rate_limiter
        .admit_client(&client.client_id, now)
        .await?;
    let token = form
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    if let Some(stored) = app
        .db
        .refresh_tokens()
        .find(&grants::hash_token(token))
        .await?
    {
        if stored.client_id == client.client_id {
            grants::revoke_grant(app.ephemeral.as_ref(), &app.db, &stored.grant_id, now).await?;
        }
    } else {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.set_issuer(&[&app.oidc.issuer]);
        validation.validate_aud = false;
        validation.validate_exp = false;
        if let Some(claims) =
            app.oidc
                .keys
                .verify::<AccessTokenClaims>(token, ACCESS_TOKEN_TYPE, &validation, now)
            && claims.client_id == client.client_id
        {
            // The access tokens of the grant stop at once; its refresh token stays (RFC 7009 §2.1).
            ActiveGrants::new(app.ephemeral.as_ref())
                .end(&claims.gid)
                .await?;
        }
    }
    let mut response = StatusCode::OK.into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
