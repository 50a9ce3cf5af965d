//! Discovery (OpenID Connect Discovery 1.0 §4), the JWKS, and the trustmark.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::for_client;
use crate::app::AppState;
use crate::web::error::{Error, Result};
use one_login_core::oidc::metadata::StaticDocument;

fn cacheable_json(value: serde_json::Value, max_age: &'static str) -> Response {
    let mut response = axum::Json(value).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(max_age));
    response
}

/// A document serialised beforehand, with its `ETag`; `304 Not Modified`, with the same
/// validators and freshness, when `If-None-Match` names it (RFC 9110 §13.1.2, §15.4.5).
fn published(document: &StaticDocument, request: &HeaderMap, max_age: &'static str) -> Response {
    let unchanged = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| document.matches(tags));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = Body::from(Bytes::from_owner(document.body())).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(max_age));
    if let Ok(etag) = HeaderValue::from_str(document.etag()) {
        headers.insert(header::ETAG, etag);
    }
    response
}

pub async fn openid_configuration(State(app): State<AppState>, request: HeaderMap) -> Response {
    published(
        app.oidc.discovery_document(),
        &request,
        "public, max-age=86400",
    )
}

/// The published keys; relying parties may cache them for 5 minutes, less than the time a
/// rotated-in key is published before it signs.
pub async fn jwks(State(app): State<AppState>, request: HeaderMap) -> Result<Response> {
    let document = app
        .oidc
        .keys
        .set()
        .jwks_document(app.clock.unix())
        .map_err(|e| for_client(Error::from(e)))?;
    Ok(published(&document, &request, "public, max-age=300"))
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
