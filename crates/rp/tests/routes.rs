//! The kit's routes and extractors through a router in process (`oneshot`), with a provider
//! address where nothing listens: what a service gets before the provider is ever reached.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use one_login_rp::{Config, Error, KeyRing, OneLogin, SignedIn};
use tower::ServiceExt;

#[derive(Clone, FromRef)]
struct App {
    one_login: OneLogin,
}

async fn account(citizen: SignedIn) -> String {
    citizen.sub
}

/// A service with its keys in `dir`, its provider at a port nobody listens on.
fn service(dir: &std::path::Path) -> Router {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let issuer = format!("http://127.0.0.1:{port}/");
    let config = Config::new(&issuer, "kit-routes", "http://127.0.0.1:3000/", "Cl.Cm");
    let one_login = OneLogin::new(config, KeyRing::load_or_create(dir).unwrap()).unwrap();
    Router::new()
        .route("/account", get(account))
        .merge(OneLogin::routes())
        .with_state(App { one_login })
}

async fn send(router: &Router, request: Request<Body>) -> (Response, String) {
    let response = router.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    (
        Response::from_parts(parts, Body::empty()),
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn get_request(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn both_keys_are_published_during_a_rotation() {
    let dir = tempfile::tempdir().unwrap();
    KeyRing::load_or_create(dir.path()).unwrap();
    KeyRing::prepare_next(dir.path()).unwrap();
    let (response, body) = send(&service(dir.path()), get_request("/.well-known/jwks.json")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "public, max-age=300"
    );
    let jwks: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn errors_carry_the_kit_error_for_the_service_to_draw() {
    let dir = tempfile::tempdir().unwrap();
    let router = service(dir.path());
    // Not signed in: the extractor sends the citizen to sign in.
    let (response, _) = send(&router, get_request("/account")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/sign-in");
    // A callback without the session that started it.
    let (response, body) = send(&router, get_request("/callback?code=c&state=s")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body, "Bad Request", "no reason in the body");
    assert!(matches!(
        response.extensions().get::<Error>(),
        Some(Error::SessionMismatch(_))
    ));
    // The provider cannot be reached.
    let (response, _) = send(&router, get_request("/sign-in")).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(matches!(
        response.extensions().get::<Error>(),
        Some(Error::ProviderUnreachable(_))
    ));
}

#[tokio::test]
async fn a_logout_token_that_is_not_one_gets_an_oauth_error() {
    let dir = tempfile::tempdir().unwrap();
    let request = Request::post("/backchannel-logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("logout_token=not-a-jwt"))
        .unwrap();
    let (response, body) = send(&service(dir.path()), request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], "invalid_request");
}
