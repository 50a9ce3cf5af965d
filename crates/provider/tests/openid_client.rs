//! End to end with the `openidconnect` crate as the relying party, unchanged: discovery, the
//! code flow with PKCE and `private_key_jwt`, ID token validation (signature from the JWKS,
//! nonce, at_hash), userinfo, refresh, and RP-initiated logout. Its HTTP goes into the
//! provider's router in process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, CsrfToken, EmptyAdditionalClaims, HttpRequest,
    HttpResponse, IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse,
};
use support::rp::RelyingParty;
use support::{Backend, TestApp};
use tower::ServiceExt;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const PASSWORD: &str = "correct horse battery staple";

/// An HTTP client for openidconnect that answers from `router`.
fn in_process(
    router: Router,
) -> impl Fn(
    HttpRequest,
) -> std::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, std::io::Error>> + Send>> {
    move |request: HttpRequest| {
        let router = router.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let mut request = axum::http::Request::from_parts(parts, Body::from(body));
            request.extensions_mut().insert(ConnectInfo(
                "198.51.100.9:443".parse::<SocketAddr>().unwrap(),
            ));
            let response = router
                .oneshot(request)
                .await
                .map_err(std::io::Error::other)?;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20)
                .await
                .map_err(std::io::Error::other)?;
            Ok(axum::http::Response::from_parts(parts, bytes.to_vec()))
        })
    }
}

/// The path and query of an absolute URL, for the in-process browser.
fn path_of(url: &url::Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

async fn relying_party_flow(backend: Backend) {
    let rp = RelyingParty::new("driving", "www.driving.example.gov.uk");
    // Registered for an ID token on refresh too (Core §12.2 leaves it to the provider), which
    // the crate then checks like the first.
    let app = TestApp::start_with_clients(
        backend,
        "",
        &[rp.registration("id_token_on_refresh = true\n")],
    )
    .await;
    let secret = app.create_account("ada@example.com", PASSWORD).await;
    let http = in_process(app.router.clone());
    let issuer = app.state.config.issuer.clone();

    let metadata =
        ProviderMetadataWithLogout::discover_async(IssuerUrl::new(issuer.clone()).unwrap(), &http)
            .await
            .unwrap();
    let end_session = metadata
        .additional_metadata()
        .end_session_endpoint
        .clone()
        .expect("end_session_endpoint");
    let client =
        CoreClient::from_provider_metadata(metadata, ClientId::new("driving".into()), None)
            .set_redirect_uri(RedirectUrl::new(rp.redirect_uri.clone()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (authorize_url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();

    // The citizen's part, in the browser.
    let mut browser = app.browser();
    browser
        .get(&path_of(&authorize_url))
        .await
        .assert_redirect("/");
    browser
        .fill(
            "/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    app.next_totp_step();
    browser
        .fill(
            "/sign-in/authenticator-code",
            &[("code", &app.totp_now(&secret))],
        )
        .await
        .assert_redirect("/authorize/continue");
    browser
        .get("/authorize/continue")
        .await
        .assert_redirect("/authorize/consent");
    let back = browser
        .fill("/authorize/consent", &[("decision", "agree")])
        .await;
    let back = url::Url::parse(back.location()).unwrap();
    let params: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(&params["state"], csrf.secret());

    let token_url = format!("{issuer}token");
    let now = app.state.clock.unix();
    let tokens = client
        .exchange_code(AuthorizationCode::new(params["code"].clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .add_extra_param("client_assertion_type", JWT_BEARER)
        .add_extra_param("client_assertion", rp.assertion(&token_url, now))
        .request_async(&http)
        .await
        .unwrap();
    let id_token = tokens.id_token().expect("an ID token");
    let id_verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&id_verifier, &nonce)
        .expect("a valid ID token");
    assert!(
        claims
            .subject()
            .as_str()
            .starts_with("urn:fdc:gov.uk:2022:")
    );
    let expected_hash = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&id_verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected_hash));

    let info: openidconnect::UserInfoClaims<EmptyAdditionalClaims, CoreGenderClaim> = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(info.subject(), claims.subject());
    assert_eq!(info.email().map(|e| e.as_str()), Some("ada@example.com"));

    let refreshed = client
        .exchange_refresh_token(tokens.refresh_token().expect("a refresh token"))
        .unwrap()
        .add_extra_param("client_assertion_type", JWT_BEARER)
        .add_extra_param("client_assertion", rp.assertion(&token_url, now))
        .request_async(&http)
        .await
        .unwrap();
    let refreshed_id = refreshed.id_token().expect("a new ID token");
    let refreshed_claims = refreshed_id
        // Core §12.2: no nonce in a refreshed ID token.
        .claims(&id_verifier, |nonce: Option<&Nonce>| match nonce {
            None => Ok(()),
            Some(_) => Err("a nonce on refresh".to_owned()),
        })
        .unwrap();
    assert_eq!(refreshed_claims.subject(), claims.subject());
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        tokens.refresh_token().unwrap().secret()
    );

    let logout = LogoutRequest::from(end_session)
        .set_id_token_hint(id_token)
        .set_post_logout_redirect_uri(
            PostLogoutRedirectUrl::new("https://www.driving.example.gov.uk/signed-out".into())
                .unwrap(),
        )
        .set_state(CsrfToken::new("bye".into()))
        .http_get_url();
    let page = browser.get(&path_of(&logout)).await;
    assert_eq!(
        page.location(),
        "https://www.driving.example.gov.uk/signed-out?state=bye"
    );
    assert_eq!(browser.get("/account").await.location(), "/sign-in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openidconnect_relying_party_embedded() {
    relying_party_flow(Backend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openidconnect_relying_party_postgres_redis() {
    if support::real_servers_available("openidconnect_relying_party_postgres_redis").await {
        relying_party_flow(Backend::PostgresRedis).await;
    }
}
