//! `/userinfo` (OpenID Connect Core §5.3): the claims the grant allows, for a live access token.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use jsonwebtoken::Validation;
use serde_json::{Map, Value};

use super::{for_client, no_store_json};
use crate::app::AppState;
use crate::error::OAuthError;
use crate::identity::claims::{GrantedIdentity, identity_claims, return_code_claim};
use crate::oidc::authorization_request::Params;
use crate::oidc::clients::{CORE_IDENTITY_CLAIM, RETURN_CODE_CLAIM};
use crate::oidc::grants::{ActiveGrants, Grant};
use crate::oidc::signed_tokens::{ACCESS_TOKEN_TYPE, AccessTokenClaims};
use crate::store::{AuditEvent, AuditKind};
use crate::web::error::Result;

/// The bearer token: from the header, or (POST only) the form body (RFC 6750 §2.1-2.2).
fn bearer(headers: &HeaderMap, body: Option<&Bytes>) -> Result<String> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned());
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

/// The claims for `grant`: `sub` always, others as the scopes and `claims` request allow.
pub fn claims_for(grant: &Grant) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::String(grant.sub.clone()));
    let asked = |name: &str| grant.claims.userinfo.contains(name);
    if grant.scopes.contains("email") || asked("email") {
        claims.insert("email".into(), Value::String(grant.email.clone()));
        claims.insert("email_verified".into(), Value::Bool(true));
    }
    claims
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
    let mut validation = Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_issuer(&[&app.oidc.issuer]);
    validation.validate_aud = false;
    validation.leeway = 0;
    let claims: AccessTokenClaims = app
        .oidc
        .keys
        .verify(&token, ACCESS_TOKEN_TYPE, &validation, now)
        .ok_or_else(|| OAuthError::invalid_token("the access token is not valid or has expired"))?;
    if claims.exp <= now {
        return Err(OAuthError::invalid_token("the access token has expired").into());
    }
    let grant = ActiveGrants::new(app.ephemeral.as_ref())
        .find(&claims.gid, &claims.client_id, &claims.sub)
        .await?
        .ok_or_else(|| OAuthError::invalid_token("the access token has been revoked"))?;
    let mut claims = claims_for(&grant);
    let identity = identity_claims_for(app, &grant, now).await?;
    if !identity.is_empty() {
        // Checklist 72: each release of identity claims is audited by claim name, never value.
        // Identity grants read the database here anyway; plain userinfo writes nothing.
        let names: Vec<&str> = identity.keys().map(String::as_str).collect();
        app.db
            .audit()
            .record(
                &AuditEvent::new(AuditKind::IdentityReleased, Some(&grant.account_id), now)
                    .with_detail(release_detail(&grant.client_id, &names)),
            )
            .await?;
        tracing::info!(account = %grant.account_id, client = %grant.client_id, claims = ?names, "identity claims released");
    }
    claims.extend(identity);
    Ok(no_store_json(&claims))
}

/// The audit detail of a release: the client, then the claim names.
fn release_detail(client_id: &str, claim_names: &[&str]) -> String {
    let mut detail = client_id.to_owned();
    for name in claim_names {
        detail.push(' ');
        detail.push_str(name);
    }
    detail
}

/// The identity claims of an identity grant. The evidence is read and re-checked now
/// (signatures, expiry, contra-indicators, the level), so a credential that expired or was
/// withdrawn since the sign-in is never released.
async fn identity_claims_for(
    app: &AppState,
    grant: &Grant,
    now: i64,
) -> Result<Map<String, Value>> {
    let asked = |name: &str| grant.claims.userinfo.contains(name);
    match &grant.identity {
        None => Ok(Map::new()),
        Some(GrantedIdentity::NotProven { return_codes }) => {
            let mut claims = Map::new();
            if asked(RETURN_CODE_CLAIM) {
                claims.insert(RETURN_CODE_CLAIM.into(), return_code_claim(return_codes));
            }
            Ok(claims)
        }
        Some(GrantedIdentity::Proven(level)) => {
            let keys = app.oidc.keys.set();
            let held = app
                .identity
                .evidence(&app.db, &keys, &grant.account_id, now)
                .await?;
            let identity = match identity_proofing::prove(&held, *level) {
                Ok(identity) => identity,
                Err(e) => {
                    tracing::warn!(account = %grant.account_id, client = %grant.client_id, error = %e, "identity no longer proven at the granted level: not released");
                    return Ok(Map::new());
                }
            };
            let core_identity = if asked(CORE_IDENTITY_CLAIM) {
                Some(app.identity.core_identity_jwt(
                    &keys,
                    &identity,
                    &grant.sub,
                    &grant.client_id,
                    now,
                )?)
            } else {
                None
            };
            Ok(identity_claims(&asked, &identity, core_identity))
        }
    }
}
