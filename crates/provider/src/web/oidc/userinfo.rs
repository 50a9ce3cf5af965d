//! `/userinfo` (OpenID Connect Core §5.3): the claims the grant allows, for a live access token.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;

use super::{for_client, no_store_json, stores};
use crate::app::AppState;
use crate::web::error::Result;
use one_login_core::error::OAuthError;
use one_login_core::oidc::authorization_request::Params;
use one_login_core::oidc::userinfo_claims;

/// The token of an `Authorization: Bearer` header (RFC 6750 §2.1; the scheme is
/// case-insensitive, RFC 7235 §2.1).
pub(super) fn bearer_header(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let scheme = value.get(..7)?;
    scheme
        .eq_ignore_ascii_case("bearer ")
        .then(|| value[7..].trim())
}

/// The bearer token: from the header, or (POST only) the form body (RFC 6750 §2.1-2.2).
fn bearer(headers: &HeaderMap, body: Option<&Bytes>) -> Result<String> {
    let from_header = bearer_header(headers).map(str::to_owned);
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let from_body = match body {
        Some(body) if is_form => Params::collect(url::form_urlencoded::parse(body))
            .map_err(|_| OAuthError::invalid_request("a parameter is repeated"))?
            .get("access_token")
            .map(str::to_owned),
        _ => None,
    };
    match (from_header, from_body) {
        (Some(_), Some(_)) => {
            Err(OAuthError::invalid_request("send the token one way only").into())
        }
        (Some(token), None) | (None, Some(token)) => Ok(token),
        (None, None) => {
            let mut error = OAuthError::new(401, "invalid_request", "a bearer token is required");
            error.www_authenticate = Some("Bearer realm=\"One Login\"".to_owned());
            Err(error.into())
        }
    }
}

pub async fn userinfo_get(State(app): State<AppState>, headers: HeaderMap) -> Result<Response> {
    answer(&app, &headers, None).await.map_err(for_client)
}

pub async fn userinfo_post(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    answer(&app, &headers, Some(&body))
        .await
        .map_err(for_client)
}

async fn answer(app: &AppState, headers: &HeaderMap, body: Option<&Bytes>) -> Result<Response> {
    let token = bearer(headers, body)?;
    let now = app.clock.unix();
    let claims = userinfo_claims::release(&app.oidc, &app.identity, stores(app), &token, now);
    Ok(no_store_json(&claims.await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value.parse().unwrap());
            bearer_header(&headers).map(str::to_owned)
        };
        for value in ["Bearer abc", "bearer abc", "BEARER  abc "] {
            assert_eq!(with(value).as_deref(), Some("abc"), "{value}");
        }
        for value in ["Basic abc", "Bear", "Bearerabc", "Beärer abc"] {
            assert_eq!(with(value), None, "{value}");
        }
        assert_eq!(bearer_header(&HeaderMap::new()), None);
    }
}
