//! Discovery (OpenID Connect Discovery 1.0 §4), the JWKS, and the trustmark.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::AppState;

fn cacheable_json(value: serde_json::Value, max_age: &'static str) -> Response {
    let mut response = axum::Json(value).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(max_age));
    response
}

pub async fn openid_configuration(State(app): State<AppState>) -> Response {
    cacheable_json(app.oidc.metadata(), "public, max-age=86400")
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
