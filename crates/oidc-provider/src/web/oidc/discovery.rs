//! Discovery (OpenID Connect Discovery 1.0 §4), the JWKS, and the trustmark.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::AppState;
use crate::oidc::authorization_request::CLIENT_ALGORITHMS;
use crate::oidc::clients::{SUPPORTED_CLAIMS, SUPPORTED_SCOPES};

fn cacheable_json(value: serde_json::Value, max_age: &'static str) -> Response {
    let mut response = axum::Json(value).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(max_age));
    response
}

pub async fn openid_configuration(State(app): State<AppState>) -> Response {
    let p = &app.oidc;
    let client_algs: Vec<&str> = CLIENT_ALGORITHMS
        .iter()
        .map(|a| algorithm_name(*a))
        .collect();
    let mut claims = vec!["sub"];
    claims.extend(SUPPORTED_CLAIMS);
    cacheable_json(
        json!({
            "issuer": p.issuer,
            "authorization_endpoint": p.url("authorize"),
            "token_endpoint": p.url("token"),
            "userinfo_endpoint": p.url("userinfo"),
            "jwks_uri": p.url(".well-known/jwks.json"),
            "end_session_endpoint": p.url("logout"),
            "revocation_endpoint": p.url("revoke"),
            "scopes_supported": SUPPORTED_SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post", "client_secret_basic", "none"],
            "token_endpoint_auth_signing_alg_values_supported": client_algs,
            "revocation_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post", "client_secret_basic", "none"],
            "revocation_endpoint_auth_signing_alg_values_supported": client_algs,
            "request_object_signing_alg_values_supported": client_algs,
            "code_challenge_methods_supported": ["S256"],
            "request_parameter_supported": true,
            "request_uri_parameter_supported": false,
            "require_request_uri_registration": false,
            "claims_parameter_supported": true,
            "claims_supported": claims,
            "claim_types_supported": ["normal"],
            "ui_locales_supported": ["en", "cy"],
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
            "frontchannel_logout_supported": false,
            "authorization_response_iss_parameter_supported": true,
            "trustmarks": p.trustmark(),
            "vtr_values_supported": ["Cl", "Cl.Cm", "Cl.Cm.P1", "Cl.Cm.P2", "Cl.Cm.P3"],
            "verified_claims_supported": true,
            "trust_frameworks_supported": ["uk_tfida"],
            "evidence_supported": ["document"],
            "documents_supported": ["passport", "driving_permit"],
            "claims_in_verified_claims_supported": ["given_name", "family_name", "birthdate"],
            "service_documentation": p.url(""),
        }),
        "public, max-age=86400",
    )
}

fn algorithm_name(alg: jsonwebtoken::Algorithm) -> &'static str {
    use jsonwebtoken::Algorithm::*;
    match alg {
        RS256 => "RS256",
        RS384 => "RS384",
        RS512 => "RS512",
        PS256 => "PS256",
        PS384 => "PS384",
        PS512 => "PS512",
        ES256 => "ES256",
        _ => "unsupported",
    }
}

/// The published keys; relying parties may cache them for 5 minutes, less than the time a
/// rotated-in key is published before it signs.
pub async fn jwks(State(app): State<AppState>) -> Response {
    let set = app.oidc.keys.set().jwks(app.clock.unix());
    cacheable_json(
        serde_json::to_value(set).unwrap_or_default(),
        "public, max-age=300",
    )
}

/// Which vectors of trust this provider offers (the `vtm` of every ID token).
pub async fn trustmark(State(app): State<AppState>) -> Response {
    cacheable_json(
        json!({
            "idp": app.oidc.issuer,
            "trustmark_provider": app.oidc.issuer,
            "C": ["Cl", "Cl.Cm"],
            "P": ["P0", "P1", "P2", "P3"],
        }),
        "public, max-age=86400",
    )
}

/// The DID document naming the keys that sign core identity JWTs (`kid` =
/// `did:web:<host>#<key id>`), as GOV.UK serves it for its identity issuer.
pub async fn did_document(State(app): State<AppState>) -> Response {
    let keys = app.oidc.keys.set();
    cacheable_json(
        app.identity.did_document(&keys, app.clock.unix()),
        "public, max-age=300",
    )
}
