//! The OpenID Connect provider through the router, on both storage pairs. Each test names the
//! rule it checks: OpenID Connect Core 1.0 (Core), RFC 6749, RFC 7636 (PKCE), RFC 7009, RFC 9207,
//! RFC 9700 (OAuth security BCP), RP-Initiated Logout (RPL), Back-Channel Logout (BCL).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use one_login_core::accounts::access::AccountAccess;
use one_login_core::accounts::interventions::{Intervention, end_pending_access, intervene};
use one_login_core::sessions::SessionId;
use one_login_store::AuditKind;
use one_login_test_support::pkce;
use serde_json::{Value, json};
use support::rp::{RelyingParty, client_params};
use support::{Backend, Browser, Page, TestApp};

const PASSWORD: &str = "correct horse battery staple";
const EMAIL: &str = "ada@example.com";
/// Another citizen, for the rules about who is signed in.
const OTHER_EMAIL: &str = "bob@example.com";
const CLIENT_SECRET: &str = "a-long-random-client-secret-0123456789";

struct Env {
    app: TestApp,
    /// Department A: private_key_jwt, ES256 ID tokens.
    rp: RelyingParty,
    /// Department B, another sector: RS256 ID tokens.
    other: RelyingParty,
    totp: String,
}

impl Env {
    async fn start(backend: Backend) -> Env {
        Self::start_with(backend, "").await
    }

    /// Starts with `extra` TOML over the default configuration.
    async fn start_with(backend: Backend, extra: &str) -> Env {
        let rp = RelyingParty::new("driving", "www.driving.example.gov.uk");
        let other = RelyingParty::new("benefits", "benefits.example.gov.uk");
        let clients = vec![
            rp.registration(""),
            other.registration("id_token_signed_response_alg = \"RS256\""),
            format!(
                "client_id = \"portal\"\nname = \"Portal\"\nredirect_uris = [\"https://portal.example.gov.uk/cb\"]\n\
                 token_endpoint_auth_method = \"client_secret_post\"\nclient_secret = \"{CLIENT_SECRET}\"\n\
                 scopes = [\"openid\", \"email\"]\nrequire_pkce = false\nrequire_nonce = false\n"
            ),
            format!(
                "client_id = \"basic\"\nname = \"Basic\"\nredirect_uris = [\"https://basic.example.gov.uk/cb\"]\n\
                 token_endpoint_auth_method = \"client_secret_basic\"\nclient_secret = \"{CLIENT_SECRET}\"\n\
                 scopes = [\"openid\"]\nrequire_nonce = false\n"
            ),
            "client_id = \"mobile\"\nname = \"Mobile app\"\nredirect_uris = [\"http://127.0.0.1:7777/cb\"]\n\
             token_endpoint_auth_method = \"none\"\nscopes = [\"openid\"]\n"
                .to_owned(),
        ];
        Env::with_clients(backend, rp, other, extra, &clients).await
    }

    /// An app with only `registrations` (with `extra` configuration), for `rp` and `other`,
    /// and the citizen's account.
    async fn with_clients(
        backend: Backend,
        rp: RelyingParty,
        other: RelyingParty,
        extra: &str,
        registrations: &[String],
    ) -> Env {
        let app = TestApp::start_with_clients(backend, extra, registrations).await;
        let totp = app.create_account(EMAIL, PASSWORD).await;
        Env {
            app,
            rp,
            other,
            totp,
        }
    }

    fn now(&self) -> i64 {
        self.app.state.clock.unix()
    }

    fn issuer(&self) -> String {
        self.app.state.config.issuer.clone()
    }

    /// An authorization URL for `rp` with the usual parameters, `extra` replacing or adding.
    fn authorize_url(&self, rp: &RelyingParty, extra: &[(&str, &str)]) -> (String, String) {
        let (verifier, challenge) = pkce();
        let mut params: Vec<(String, String)> = vec![
            ("response_type".into(), "code".into()),
            ("scope".into(), "openid email".into()),
            ("client_id".into(), rp.client_id.clone()),
            ("redirect_uri".into(), rp.redirect_uri.clone()),
            ("state".into(), "state-123".into()),
            ("nonce".into(), "nonce-456".into()),
            ("code_challenge".into(), challenge),
            ("code_challenge_method".into(), "S256".into()),
        ];
        for (name, value) in extra {
            params.retain(|(n, _)| n != name);
            if !value.is_empty() {
                params.push(((*name).into(), (*value).into()));
            }
        }
        let query = serde_urlencoded::to_string(&params).unwrap();
        (format!("/authorize?{query}"), verifier)
    }

    /// Signs in with password and code from wherever the provider sent the browser, and follows
    /// the provider's redirects until it answers the client (or shows consent).
    async fn sign_in(&self, browser: &mut Browser) -> Page {
        self.sign_in_as(browser, EMAIL, &self.totp).await
    }

    /// [`Env::sign_in`] as the citizen with `email` and authenticator `totp`.
    async fn sign_in_as(&self, browser: &mut Browser, email: &str, totp: &str) -> Page {
        browser
            .fill("/sign-in", &[("email", email), ("password", PASSWORD)])
            .await
            .assert_redirect("/sign-in/authenticator-code");
        self.app.next_totp_step();
        let code = self.app.totp_now(totp);
        let done = browser
            .fill("/sign-in/authenticator-code", &[("code", &code)])
            .await;
        done.assert_redirect("/authorize/continue");
        browser.get("/authorize/continue").await
    }

    /// A full first visit: authorize, sign in, agree; returns the code and the PKCE verifier.
    async fn first_code(
        &self,
        browser: &mut Browser,
        rp: &RelyingParty,
        extra: &[(&str, &str)],
    ) -> (String, String) {
        self.first_code_as(browser, rp, extra, EMAIL, &self.totp)
            .await
    }

    /// [`Env::first_code`] as the citizen with `email` and authenticator `totp`.
    async fn first_code_as(
        &self,
        browser: &mut Browser,
        rp: &RelyingParty,
        extra: &[(&str, &str)],
        email: &str,
        totp: &str,
    ) -> (String, String) {
        let (url, verifier) = self.authorize_url(rp, extra);
        browser.get(&url).await.assert_redirect("/");
        self.sign_in_as(browser, email, totp)
            .await
            .assert_redirect("/authorize/consent");
        let answer = browser
            .fill("/authorize/consent", &[("decision", "agree")])
            .await;
        let params = client_params(&answer, rp);
        (params["code"].clone(), verifier)
    }

    async fn token(&self, browser: &mut Browser, form: &[(&str, &str)]) -> Page {
        browser.post("/token", form).await
    }

    async fn redeem(
        &self,
        browser: &mut Browser,
        rp: &RelyingParty,
        code: &str,
        verifier: &str,
    ) -> Page {
        let assertion = rp.assertion(&format!("{}token", self.issuer()), self.now());
        self.token(
            browser,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &rp.redirect_uri),
                ("code_verifier", verifier),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", &assertion),
            ],
        )
        .await
    }

    async fn tokens(
        &self,
        browser: &mut Browser,
        rp: &RelyingParty,
        code: &str,
        verifier: &str,
    ) -> Value {
        let page = self.redeem(browser, rp, code, verifier).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.headers["cache-control"], "no-store");
        serde_json::from_str(&page.body).unwrap()
    }

    async fn jwks(&self) -> JwkSet {
        let mut browser = self.app.browser();
        serde_json::from_str(&browser.get("/.well-known/jwks.json").await.body).unwrap()
    }

    /// Verifies a token the provider signed, as a relying party would, with the published keys.
    async fn verify(&self, token: &str, aud: Option<&str>) -> (jsonwebtoken::Header, Value) {
        let header = jsonwebtoken::decode_header(token).unwrap();
        let jwks = self.jwks().await;
        let jwk = jwks
            .find(header.kid.as_deref().unwrap())
            .expect("kid published");
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[self.issuer()]);
        match aud {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        validation.required_spec_claims.clear();
        let data =
            jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
                .unwrap();
        (header, data.claims)
    }

    async fn userinfo(&self, browser: &mut Browser, access_token: &str) -> Page {
        let request = Request::get("/userinfo")
            .header(header::AUTHORIZATION, format!("Bearer {access_token}"))
            .body(Body::empty())
            .unwrap();
        browser.send(request).await
    }
}

fn json(page: &Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|_| panic!("not JSON: {}", page.body))
}

#[track_caller]
fn assert_oauth_error(page: &Page, status: StatusCode, error: &str) {
    assert_eq!(page.status, status, "{}", page.body);
    assert_eq!(json(page)["error"], error, "{}", page.body);
}

macro_rules! oidc_tests {
    ($(async fn $name:ident($env:ident: Env) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn run($env: Env) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() { run(Env::start(Backend::Embedded).await).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_redis() {
                if support::real_servers_available(concat!("oidc::", stringify!($name))).await {
                    run(Env::start(Backend::PostgresRedis).await).await
                }
            }
        }
    )*};
}

oidc_tests! {
    // Discovery §3-§4 and Core §10.1.1: metadata and keys, cacheable.
    async fn discovery_and_keys(env: Env) {
        let mut browser = env.app.browser();
        let page = browser.get("/.well-known/openid-configuration").await;
        assert_eq!(page.headers["cache-control"], "public, max-age=86400");
        let meta = json(&page);
        assert_eq!(meta["issuer"], env.issuer());
        assert_eq!(meta["authorization_endpoint"], format!("{}authorize", env.issuer()));
        assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(meta["response_types_supported"], json!(["code"]));
        assert_eq!(meta["request_uri_parameter_supported"], false);
        assert_eq!(meta["backchannel_logout_supported"], true);
        assert!(meta["token_endpoint_auth_methods_supported"].as_array().unwrap().contains(&json!("private_key_jwt")));
        let jwks = env.jwks().await;
        let algs: Vec<String> = jwks.keys.iter().map(|k| format!("{:?}", k.common.key_algorithm.unwrap())).collect();
        assert!(algs.contains(&"ES256".to_owned()) && algs.contains(&"RS256".to_owned()), "{algs:?}");
        assert!(jwks.keys.iter().all(|k| k.common.key_id.is_some()));
        assert_eq!(browser.get("/.well-known/jwks.json").await.headers["cache-control"], "public, max-age=300");
        assert_eq!(json(&browser.get("/trustmark").await)["idp"], env.issuer());
        // Both documents carry an ETag; sent back, it is answered 304 with no body and the same
        // validators and freshness (RFC 9110 §13.1.2, §15.4.5); another tag gets the document.
        for (path, max_age) in [("/.well-known/openid-configuration", "public, max-age=86400"), ("/.well-known/jwks.json", "public, max-age=300")] {
            let full = browser.get(path).await;
            assert_eq!(full.headers["content-type"], "application/json");
            let etag = full.headers["etag"].to_str().unwrap().to_owned();
            assert!(etag.starts_with('"') && etag.len() > 20, "{etag}");
            let ask = |tag: String| Request::get(path).header(header::IF_NONE_MATCH, tag).body(Body::empty()).unwrap();
            let unchanged = browser.send(ask(format!("\"other\", W/{etag}"))).await;
            assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
            assert_eq!(unchanged.body, "");
            assert_eq!(unchanged.headers["etag"], etag.as_str());
            assert_eq!(unchanged.headers["cache-control"], max_age);
            let changed = browser.send(ask("\"other\"".into())).await;
            assert_eq!((changed.status, changed.body), (StatusCode::OK, full.body));
        }
    }

    // Core §3.1.2-§3.1.3: the whole code flow with PKCE and private_key_jwt; Core §2: the ID
    // token's claims; Core §5.3: userinfo.
    async fn code_flow_end_to_end(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(tokens["expires_in"], 180);
        assert!(tokens.get("refresh_token").is_none(), "no offline_access, no refresh token");
        let (header, id) = env.verify(tokens["id_token"].as_str().unwrap(), Some("driving")).await;
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
        assert_eq!(id["nonce"], "nonce-456");
        assert_eq!(id["vot"], "Cl.Cm");
        assert_eq!(id["vtm"], format!("{}trustmark", env.issuer()));
        assert_eq!(id["amr"], json!(["pwd", "otp"]));
        assert!(id["sub"].as_str().unwrap().starts_with("urn:fdc:gov.uk:2022:"));
        assert!(id["sid"].as_str().unwrap().len() > 20);
        assert_eq!(id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(), 120);
        assert!(id["auth_time"].as_i64().unwrap() <= id["iat"].as_i64().unwrap());
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(id["at_hash"], one_login_core::oidc::signed_tokens::at_hash(access));
        // Opaque to the relying party (sealed, not a JWT): nothing in it to read or verify.
        assert!(jsonwebtoken::decode_header(access).is_err(), "{access}");
        let info = env.userinfo(&mut browser, access).await;
        assert_eq!(info.status, StatusCode::OK);
        assert_eq!(info.headers["cache-control"], "no-store");
        let info = json(&info);
        assert_eq!(info["sub"], id["sub"]);
        assert_eq!(info["email"], EMAIL);
        assert_eq!(info["email_verified"], true);
    }

    // Single sign-on: a session at the level asked for, with consent, gets a code and no page.
    async fn single_sign_on_returns_at_once(env: Env) {
        let mut browser = env.app.browser();
        let (first, _) = env.first_code(&mut browser, &env.rp, &[]).await;
        let (url, _) = env.authorize_url(&env.rp, &[("state", "second")]);
        let params = client_params(&browser.get(&url).await, &env.rp);
        assert_eq!(params["state"], "second");
        assert_eq!(params["iss"], env.issuer());
        assert_ne!(params["code"], first);
        // A second service: consent once, then straight back.
        let (url, _) = env.authorize_url(&env.other, &[]);
        browser.get(&url).await.assert_redirect("/authorize/consent");
        let consent = browser.get("/authorize/consent").await;
        consent.assert(StatusCode::OK, "Service benefits").assert(StatusCode::OK, "Your email address");
        client_params(&browser.fill("/authorize/consent", &[("decision", "agree")]).await, &env.other);
        client_params(&browser.get(&url).await, &env.other);
    }

    // Core §8.1: pairwise subjects differ between sectors and stay stable within one.
    async fn pairwise_subjects(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
        let a = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let (url, verifier_b) = env.authorize_url(&env.other, &[]);
        browser.get(&url).await;
        let code_b = client_params(&browser.fill("/authorize/consent", &[("decision", "agree")]).await, &env.other)["code"].clone();
        let b = env.tokens(&mut browser, &env.other, &code_b, &verifier_b).await;
        let (_, id_a) = env.verify(a["id_token"].as_str().unwrap(), Some("driving")).await;
        let (header_b, id_b) = env.verify(b["id_token"].as_str().unwrap(), Some("benefits")).await;
        assert_eq!(header_b.alg, jsonwebtoken::Algorithm::RS256, "the client's registered algorithm");
        assert_ne!(id_a["sub"], id_b["sub"]);
        assert_eq!(id_a["sid"], id_b["sid"], "one login session");
        let (url, verifier) = env.authorize_url(&env.rp, &[]);
        let code = client_params(&browser.get(&url).await, &env.rp)["code"].clone();
        let again = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        assert_eq!(env.verify(again["id_token"].as_str().unwrap(), Some("driving")).await.1["sub"], id_a["sub"]);
    }

    // RFC 6749 §4.1.2.1, RFC 9700 §4.11.2: without a trusted client and redirect URI, a page
    // and never a redirect; redirect URIs match exactly (RFC 9700 §4.1.3).
    async fn untrusted_requests_get_a_page(env: Env) {
        let mut browser = env.app.browser();
        let cases = [
            env.authorize_url(&env.rp, &[("client_id", "")]).0,
            env.authorize_url(&env.rp, &[("client_id", "unknown")]).0,
            env.authorize_url(&env.rp, &[("redirect_uri", "")]).0,
            env.authorize_url(&env.rp, &[("redirect_uri", "https://evil.example/callback")]).0,
            env.authorize_url(&env.rp, &[("redirect_uri", "https://www.driving.example.gov.uk/callback/")]).0,
            env.authorize_url(&env.rp, &[("redirect_uri", "https://www.driving.example.gov.uk/callback?x=1")]).0,
            env.authorize_url(&env.rp, &[("redirect_uri", "https://WWW.driving.example.gov.uk/callback")]).0,
            env.authorize_url(&env.rp, &[("redirect_uri", "javascript:alert(1)")]).0,
            format!("{}&client_id=driving", env.authorize_url(&env.rp, &[]).0),
        ];
        for url in cases {
            let page = browser.get(&url).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{url}");
            assert!(page.headers.get(header::LOCATION).is_none(), "{url}");
            assert!(page.body.contains("Sorry, there is a problem with the service you came from"), "{url}");
        }
    }

    // RFC 6749 §4.1.2.1 error codes, sent to the client with state and iss (RFC 9207).
    async fn bad_requests_go_back_to_the_client_with_an_error(env: Env) {
        let mut browser = env.app.browser();
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("response_type", "token")], "unsupported_response_type"),
            (&[("response_type", "")], "invalid_request"),
            (&[("scope", "email")], "invalid_scope"),
            (&[("scope", "openid profile")], "invalid_scope"),
            (&[("nonce", "")], "invalid_request"),
            (&[("code_challenge_method", "plain")], "invalid_request"),
            (&[("code_challenge", ""), ("code_challenge_method", "")], "invalid_request"),
            (&[("code_challenge", "too-short")], "invalid_request"),
            (&[("vtr", "[\"Cl.P2\"]")], "invalid_request"),
            (&[("vtr", "Cl.Cm")], "invalid_request"),
            (&[("prompt", "none login")], "invalid_request"),
            (&[("max_age", "-1")], "invalid_request"),
            (&[("response_mode", "fragment")], "invalid_request"),
            (&[("request_uri", "https://rp.example/r")], "request_uri_not_supported"),
            (&[("claims", "{not json")], "invalid_request"),
            (&[("prompt", "none")], "login_required"),
        ];
        for (extra, error) in cases {
            let (url, _) = env.authorize_url(&env.rp, extra);
            let params = client_params(&browser.get(&url).await, &env.rp);
            assert_eq!(params["error"], *error, "{extra:?}: {params:?}");
            assert_eq!(params["state"], "state-123");
            assert_eq!(params["iss"], env.issuer());
        }
        let (url, _) = env.authorize_url(&env.rp, &[("vtr", "[\"Cl.P2\"]")]);
        assert_eq!(client_params(&browser.get(&url).await, &env.rp)["error_description"], "Request vtr not valid");
        // Unknown parameters are ignored (Core §3.1.2.1).
        let (url, _) = env.authorize_url(&env.rp, &[("colour", "blue")]);
        browser.get(&url).await.assert_redirect("/");
    }

    // Core §3.1.2.1 prompt=none: no page, an answer at once.
    async fn prompt_none(env: Env) {
        let mut browser = env.app.browser();
        env.first_code(&mut browser, &env.rp, &[]).await;
        let (url, _) = env.authorize_url(&env.rp, &[("prompt", "none")]);
        assert!(client_params(&browser.get(&url).await, &env.rp).contains_key("code"));
        let (url, _) = env.authorize_url(&env.other, &[("prompt", "none")]);
        assert_eq!(client_params(&browser.get(&url).await, &env.other)["error"], "consent_required");
    }

    // Vectors of trust: "Cl" is met by the password alone; "Cl.Cm" then steps up with the code
    // only (no password again).
    async fn password_only_then_step_up(env: Env) {
        let mut browser = env.app.browser();
        let (url, verifier) = env.authorize_url(&env.rp, &[("vtr", "[\"Cl\"]")]);
        browser.get(&url).await.assert_redirect("/");
        browser.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await.assert_redirect("/authorize/continue");
        browser.get("/authorize/continue").await.assert_redirect("/authorize/consent");
        let code = client_params(&browser.fill("/authorize/consent", &[("decision", "agree")]).await, &env.rp)["code"].clone();
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let (_, id) = env.verify(tokens["id_token"].as_str().unwrap(), Some("driving")).await;
        assert_eq!(id["vot"], "Cl");
        let (url, _) = env.authorize_url(&env.rp, &[("vtr", "[\"Cl.Cm\"]")]);
        browser.get(&url).await.assert_redirect("/sign-in/authenticator-code");
        env.app.next_totp_step();
        let code = env.app.totp_now(&env.totp);
        browser.fill("/sign-in/authenticator-code", &[("code", &code)]).await.assert_redirect("/authorize/continue");
        assert!(client_params(&browser.get("/authorize/continue").await, &env.rp).contains_key("code"));
    }

    // Core §3.1.2.1: prompt=login and max_age demand fresh credentials; auth_time moves on.
    async fn prompt_login_and_max_age_force_a_fresh_sign_in(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
        let first = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let (_, first_id) = env.verify(first["id_token"].as_str().unwrap(), Some("driving")).await;
        for extra in [[("prompt", "login")], [("max_age", "60")]] {
            env.app.clock.advance(Duration::from_secs(120));
            let (url, verifier) = env.authorize_url(&env.rp, &extra);
            browser.get(&url).await.assert_redirect("/sign-in");
            let page = env.sign_in(&mut browser).await;
            let code = client_params(&page, &env.rp)["code"].clone();
            let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
            let (_, id) = env.verify(tokens["id_token"].as_str().unwrap(), Some("driving")).await;
            assert!(id["auth_time"].as_i64() > first_id["auth_time"].as_i64(), "{extra:?}");
            assert_eq!(id["sid"], first_id["sid"], "same citizen, same login session");
        }
    }

    // Core §3.1.2.1 (issue 11.2, checklist 8): prompt=login and max_age=0 arriving in the very
    // second (here the very instant) of the last sign-in still ask for a new one, which then
    // meets them; max_age compares milliseconds, not whole seconds.
    async fn prompt_login_and_max_age_compare_exact_times(env: Env) {
        use one_login_core::clock::Clock;
        let mut browser = env.app.browser();
        // Sign in at 100 ms past a second, to know where whole seconds fall.
        let past = i64::from(env.app.clock.now().millisecond());
        env.app.clock.advance(Duration::from_millis((1_100 - past) as u64 % 1_000));
        env.first_code(&mut browser, &env.rp, &[]).await;
        for extra in [("prompt", "login"), ("max_age", "0")] {
            let (url, _) = env.authorize_url(&env.rp, &[extra]);
            browser.get(&url).await.assert_redirect("/sign-in");
            let answer = env.sign_in(&mut browser).await;
            assert!(client_params(&answer, &env.rp).contains_key("code"), "{extra:?}");
        }
        let (url, _) = env.authorize_url(&env.rp, &[("max_age", "60")]);
        env.app.clock.advance(Duration::from_millis(59_800));
        assert!(client_params(&browser.get(&url).await, &env.rp).contains_key("code"));
        // 60.8 s after the sign-in: too old for max_age=60, though whole seconds say 60.
        env.app.clock.advance(Duration::from_millis(1_000));
        browser.get(&url).await.assert_redirect("/sign-in");
    }

    // Core §3.1.2.2 and the GOV.UK re-authentication contract (issue 11.1): prompt=login with an
    // id_token_hint, then a sign-in as someone else, answers login_required (with state and iss),
    // never a code for the other account; so does any request whose hint names someone other
    // than the citizen signed in. The hint must verify for this client (checklist 60), and may
    // have expired.
    async fn reauthentication_keeps_the_person(env: Env) {
        let bob_totp = env.app.create_account(OTHER_EMAIL, PASSWORD).await;
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let hint = tokens["id_token"].as_str().unwrap().to_owned();
        env.app.clock.advance(Duration::from_secs(600));
        let reauthenticate = [("prompt", "login"), ("id_token_hint", hint.as_str())];
        let (url, _) = env.authorize_url(&env.rp, &reauthenticate);
        browser.get(&url).await.assert_redirect("/sign-in");
        let answer = env.sign_in(&mut browser).await;
        assert!(client_params(&answer, &env.rp).contains_key("code"), "the same citizen, an expired hint");

        env.app.clock.advance(Duration::from_secs(5));
        let (url, _) = env.authorize_url(&env.rp, &reauthenticate);
        browser.get(&url).await.assert_redirect("/sign-in");
        let answer = env.sign_in_as(&mut browser, OTHER_EMAIL, &bob_totp).await;
        let params = client_params(&answer, &env.rp);
        assert_eq!(params["error"], "login_required", "{params:?}");
        assert!(!params.contains_key("code"));
        assert_eq!(params["state"], "state-123");
        assert_eq!(params["iss"], env.issuer());
        // The other citizen stays signed in to One Login, as GOV.UK does; the service was told no.
        browser.get("/account").await.assert(StatusCode::OK, OTHER_EMAIL);
        for extra in [vec![("id_token_hint", hint.as_str())], vec![("prompt", "none"), ("id_token_hint", hint.as_str())]] {
            let (url, _) = env.authorize_url(&env.rp, &extra);
            let params = client_params(&browser.get(&url).await, &env.rp);
            assert_eq!(params["error"], "login_required", "{extra:?}");
        }

        // A hint issued to another client, or not ours, is refused.
        let (url, _) = env.authorize_url(&env.other, &[("id_token_hint", &hint)]);
        assert_eq!(client_params(&browser.get(&url).await, &env.other)["error"], "invalid_request");
        let (unsigned, _) = hint.rsplit_once('.').unwrap();
        let forged = format!("{unsigned}.{}", "A".repeat(86));
        let (url, _) = env.authorize_url(&env.rp, &[("id_token_hint", &forged)]);
        assert_eq!(client_params(&browser.get(&url).await, &env.rp)["error"], "invalid_request");
    }

    // Core §5.5.1.1 (checklist 35): an essential acr that no sign-in allowed by the vtr can meet
    // fails the request (unmet_authentication_requirements), never a downgrade; one above the
    // vtr raises the sign-in; the ID token's acr is one of the values asked for.
    async fn essential_acr_is_met_or_the_request_fails(env: Env) {
        let mut browser = env.app.browser();
        let acr = |member: &str| format!(r#"{{"id_token":{{"acr":{{"essential":true,{member}}}}}}}"#);
        for (vtr, member) in [(r#"["Cl.Cm"]"#, r#""values":["Cl"]"#), (r#"["Cl"]"#, r#""value":"Cl.Cm.P2""#)] {
            let (url, _) = env.authorize_url(&env.rp, &[("vtr", vtr), ("claims", &acr(member))]);
            let params = client_params(&browser.get(&url).await, &env.rp);
            assert_eq!(params["error"], "unmet_authentication_requirements", "{vtr} {member}");
            assert_eq!(params["state"], "state-123");
            assert_eq!(params["iss"], env.issuer());
        }
        let (url, verifier) = env.authorize_url(&env.rp, &[("vtr", r#"["Cl"]"#), ("claims", &acr(r#""values":["Cl.Cm"]"#))]);
        browser.get(&url).await.assert_redirect("/");
        browser.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await.assert_redirect("/sign-in/authenticator-code");
        env.app.next_totp_step();
        let totp = env.app.totp_now(&env.totp);
        browser.fill("/sign-in/authenticator-code", &[("code", &totp)]).await.assert_redirect("/authorize/continue");
        browser.get("/authorize/continue").await.assert_redirect("/authorize/consent");
        let code = client_params(&browser.fill("/authorize/consent", &[("decision", "agree")]).await, &env.rp)["code"].clone();
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let (_, id) = env.verify(tokens["id_token"].as_str().unwrap(), Some("driving")).await;
        assert_eq!((id["acr"].as_str(), id["vot"].as_str()), (Some("Cl.Cm"), Some("Cl.Cm")));
        // Signed in with both factors, asked for "Cl" as essential: the class asked for is met.
        let (url, verifier) = env.authorize_url(&env.rp, &[("vtr", r#"["Cl"]"#), ("claims", &acr(r#""value":"Cl""#))]);
        let code = client_params(&browser.get(&url).await, &env.rp)["code"].clone();
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let (_, id) = env.verify(tokens["id_token"].as_str().unwrap(), Some("driving")).await;
        assert_eq!((id["acr"].as_str(), id["vot"].as_str()), (Some("Cl"), Some("Cl.Cm")));
    }

    // Core §3.1.2.6: declining consent tells the client access_denied, once the citizen has
    // read, in GOV.UK's words, that nothing was shared (issue 15): no reason of ours on it.
    async fn declining_consent(env: Env) {
        let mut browser = env.app.browser();
        let (url, _) = env.authorize_url(&env.rp, &[]);
        browser.get(&url).await;
        env.sign_in(&mut browser).await.assert_redirect("/authorize/consent");
        let page = browser.fill("/authorize/consent", &[("decision", "decline")]).await;
        page.assert(StatusCode::OK, "<h1 class=\"govuk-heading-l\">You’ve chosen not to share your details</h1>");
        let params = link_params(&page, &env.rp);
        assert_eq!(params["error"], "access_denied");
        assert_eq!(params["error_description"], "the citizen chose not to share their details");
        assert_eq!(params["state"], "state-123");
        // Nothing was stored: the next request asks again.
        browser.get(&url).await.assert_redirect("/authorize/consent");
    }

    // Issue 15: a browser that has not signed in meets "Create your GOV.UK One Login or sign
    // in", with both ways on, before any form; one that has, asked to sign in again, does not.
    async fn a_first_visit_starts_with_create_or_sign_in(env: Env) {
        let mut browser = env.app.browser();
        let (url, _) = env.authorize_url(&env.rp, &[]);
        browser.get(&url).await.assert_redirect("/");
        browser
            .get("/")
            .await
            .assert(StatusCode::OK, "Create your GOV.UK One Login or sign in")
            .assert(StatusCode::OK, "href=\"/create-account\"")
            .assert(StatusCode::OK, "href=\"/sign-in\"");
        env.sign_in(&mut browser).await;
        let (again, _) = env.authorize_url(&env.rp, &[("prompt", "login")]);
        browser.get(&again).await.assert_redirect("/sign-in");
    }

    // RFC 6749 §4.1.2 and §10.5: a code works once; a second use revokes what the first gave.
    async fn codes_are_single_use(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(env.userinfo(&mut browser, access).await.status, StatusCode::OK);
        assert_oauth_error(&env.redeem(&mut browser, &env.rp, &code, &verifier).await, StatusCode::BAD_REQUEST, "invalid_grant");
        let revoked = env.userinfo(&mut browser, access).await;
        assert_oauth_error(&revoked, StatusCode::UNAUTHORIZED, "invalid_token");
        assert!(revoked.headers["www-authenticate"].to_str().unwrap().starts_with("Bearer error=\"invalid_token\""));
    }

    // RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 9700 §4.8.2: a code is bound to its client, redirect
    // URI and PKCE verifier.
    async fn codes_are_bound(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
        let (wrong_verifier, _) = pkce();
        assert_oauth_error(&env.redeem(&mut browser, &env.rp, &code, &wrong_verifier).await, StatusCode::BAD_REQUEST, "invalid_grant");
        // The failed attempt consumed it.
        assert_oauth_error(&env.redeem(&mut browser, &env.rp, &code, &verifier).await, StatusCode::BAD_REQUEST, "invalid_grant");

        let (url, verifier) = env.authorize_url(&env.rp, &[]);
        let code = client_params(&browser.get(&url).await, &env.rp)["code"].clone();
        assert_oauth_error(&env.redeem(&mut browser, &env.other, &code, &verifier).await, StatusCode::BAD_REQUEST, "invalid_grant");

        let (url, verifier) = env.authorize_url(&env.rp, &[]);
        let code = client_params(&browser.get(&url).await, &env.rp)["code"].clone();
        let assertion = env.rp.assertion(&env.issuer(), env.now());
        let page = env.token(&mut browser, &[
            ("grant_type", "authorization_code"), ("code", &code), ("code_verifier", &verifier),
            ("redirect_uri", "https://www.driving.example.gov.uk/other"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", &assertion),
        ]).await;
        assert_oauth_error(&page, StatusCode::BAD_REQUEST, "invalid_grant");
        assert_oauth_error(&env.redeem(&mut browser, &env.rp, "made-up-code", &verifier).await, StatusCode::BAD_REQUEST, "invalid_grant");
    }

    // Core §9, RFC 7523 §3: private_key_jwt rules, one uniform invalid_client (RFC 6749 §5.2).
    async fn client_assertions(env: Env) {
        let mut browser = env.app.browser();
        let token_url = format!("{}token", env.issuer());
        let now = env.now();
        let base = json!({"iss": "driving", "sub": "driving", "aud": token_url, "exp": now + 60, "iat": now});
        let with = |changes: Value| {
            let mut claims = base.clone();
            for (k, v) in changes.as_object().unwrap() {
                if v.is_null() { claims.as_object_mut().unwrap().remove(k); } else { claims[k] = v.clone(); }
            }
            if claims.get("jti").is_none() && !changes.as_object().unwrap().contains_key("jti") {
                claims["jti"] = json!(uuid::Uuid::new_v4().to_string());
            }
            env.rp.assertion_with(claims)
        };
        let (impostor_key, _) = support::rp::es256_key("driving-key-1");
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some("driving-key-1".into());
        let forged = jsonwebtoken::encode(&header, &json!({"iss": "driving", "sub": "driving", "aud": token_url, "exp": now + 60, "jti": "x"}), &impostor_key).unwrap();
        let unsigned = format!(
            "{}.{}.",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json!({"iss": "driving", "sub": "driving", "aud": token_url, "exp": now + 60, "jti": "y"}).to_string())
        );
        let replayed = with(json!({"jti": "once"}));
        let cases = [
            ("wrong audience", with(json!({"aud": "https://evil.example/token"}))),
            ("expired", with(json!({"exp": now - 120}))),
            ("lives too long", with(json!({"exp": now + 86_400}))),
            // Checklist 18: minutes, not hours; ten at most.
            ("lives eleven minutes", with(json!({"exp": now + 660}))),
            ("sub differs", with(json!({"sub": "benefits"}))),
            ("no jti", with(json!({"jti": null}))),
            ("wrong key", forged),
            ("alg none", unsigned),
            ("not a JWT", "garbage".to_owned()),
        ];
        for (what, assertion) in cases {
            let page = env.token(&mut browser, &[
                ("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", &env.rp.redirect_uri),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", &assertion),
            ]).await;
            assert_oauth_error(&page, StatusCode::UNAUTHORIZED, "invalid_client");
            assert!(page.headers.contains_key("www-authenticate"), "{what}");
        }
        // A good assertion gets past authentication (the made-up code then fails)...
        let form = |assertion: &str| vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()), ("code".into(), "x".into()), ("redirect_uri".into(), env.rp.redirect_uri.clone()),
            ("client_assertion_type".into(), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()), ("client_assertion".into(), assertion.to_owned()),
        ];
        let send = |browser: &mut Browser, fields: Vec<(String, String)>| {
            let body = serde_urlencoded::to_string(&fields).unwrap();
            let mut browser = std::mem::replace(browser, env.app.browser());
            async move { let page = browser.post_raw("/token", body).await; (browser, page) }
        };
        let (b, page) = send(&mut browser, form(&replayed)).await;
        browser = b;
        assert_oauth_error(&page, StatusCode::BAD_REQUEST, "invalid_grant");
        // ...once: the same jti again is a replay.
        let (_, page) = send(&mut browser, form(&replayed)).await;
        assert_oauth_error(&page, StatusCode::UNAUTHORIZED, "invalid_client");
    }

    // RFC 6749 §2.3.1: the secret methods, each only for its own clients.
    async fn client_secrets(env: Env) {
        let mut browser = env.app.browser();
        let ok = env.token(&mut browser, &[("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", "https://portal.example.gov.uk/cb"), ("client_id", "portal"), ("client_secret", CLIENT_SECRET)]).await;
        assert_oauth_error(&ok, StatusCode::BAD_REQUEST, "invalid_grant");
        let wrong = env.token(&mut browser, &[("grant_type", "authorization_code"), ("code", "x"), ("client_id", "portal"), ("client_secret", "a-long-random-client-secret-0123456780")]).await;
        assert_oauth_error(&wrong, StatusCode::UNAUTHORIZED, "invalid_client");
        // The basic client cannot use the post method, nor a public client's bare client_id.
        let post_for_basic = env.token(&mut browser, &[("grant_type", "authorization_code"), ("code", "x"), ("client_id", "basic"), ("client_secret", CLIENT_SECRET)]).await;
        assert_oauth_error(&post_for_basic, StatusCode::UNAUTHORIZED, "invalid_client");
        let bare = env.token(&mut browser, &[("grant_type", "authorization_code"), ("code", "x"), ("client_id", "driving")]).await;
        assert_oauth_error(&bare, StatusCode::UNAUTHORIZED, "invalid_client");
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!("basic:{CLIENT_SECRET}"));
        let request = Request::post("/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::AUTHORIZATION, format!("Basic {credentials}"))
            .body(Body::from("grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fbasic.example.gov.uk%2Fcb"))
            .unwrap();
        assert_oauth_error(&browser.send(request).await, StatusCode::BAD_REQUEST, "invalid_grant");
        // Issue 11.15, RFC 6749 §5.2: a failed Basic authentication is a 401 whose challenge
        // names the error, for libraries that read it only there.
        let wrong = base64::engine::general_purpose::STANDARD.encode("basic:not-the-secret");
        let request = Request::post("/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::AUTHORIZATION, format!("Basic {wrong}"))
            .body(Body::from("grant_type=authorization_code&code=x"))
            .unwrap();
        let refused = browser.send(request).await;
        assert_oauth_error(&refused, StatusCode::UNAUTHORIZED, "invalid_client");
        assert_eq!(refused.headers["www-authenticate"], "Basic realm=\"One Login\", error=\"invalid_client\"");
        // A public client authenticates with its client_id alone, and must use PKCE.
        let public = env.token(&mut browser, &[("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", "http://127.0.0.1:7777/cb"), ("client_id", "mobile")]).await;
        assert_oauth_error(&public, StatusCode::BAD_REQUEST, "invalid_grant");
    }

    // RFC 6749 §6, RFC 9700 §4.14.2: refresh tokens rotate; a replayed one revokes the grant.
    async fn refresh_tokens_rotate(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[("scope", "openid email offline_access")]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let first = tokens["refresh_token"].as_str().unwrap().to_owned();
        let refresh = |token: String, scope: Option<&'static str>| {
            let assertion = env.rp.assertion(&env.issuer(), env.now());
            let mut fields = vec![
                ("grant_type".to_owned(), "refresh_token".to_owned()), ("refresh_token".into(), token),
                ("client_assertion_type".into(), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()), ("client_assertion".into(), assertion),
            ];
            if let Some(scope) = scope { fields.push(("scope".into(), scope.into())); }
            serde_urlencoded::to_string(&fields).unwrap()
        };
        let widened = browser.post_raw("/token", refresh(first.clone(), Some("openid email phone offline_access"))).await;
        assert_oauth_error(&widened, StatusCode::BAD_REQUEST, "invalid_scope");
        let page = browser.post_raw("/token", refresh(first.clone(), None)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let second = json(&page);
        let next = second["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(next, first);
        // Core §12.2: a refresh response may go without an ID token, and does unless the
        // client registered `id_token_on_refresh` (openid_client.rs has one that did).
        assert!(second.get("id_token").is_none(), "{second}");
        assert_eq!(second["token_type"], "Bearer");
        assert_eq!(env.userinfo(&mut browser, second["access_token"].as_str().unwrap()).await.status, StatusCode::OK);
        // The old token again: refused, and the whole grant with it.
        assert_oauth_error(&browser.post_raw("/token", refresh(first, None)).await, StatusCode::BAD_REQUEST, "invalid_grant");
        assert_oauth_error(&browser.post_raw("/token", refresh(next, None)).await, StatusCode::BAD_REQUEST, "invalid_grant");
        assert_oauth_error(&env.userinfo(&mut browser, second["access_token"].as_str().unwrap()).await, StatusCode::UNAUTHORIZED, "invalid_token");
    }

    // RFC 7009: revocation of refresh and access tokens; unknown tokens answer 200.
    async fn revocation(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[("scope", "openid offline_access")]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let revoke = |token: &str| {
            let assertion = env.rp.assertion(&env.issuer(), env.now());
            serde_urlencoded::to_string([("token", token), ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", &assertion)]).unwrap()
        };
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(browser.post_raw("/revoke", revoke(access)).await.status, StatusCode::OK);
        assert_oauth_error(&env.userinfo(&mut browser, access).await, StatusCode::UNAUTHORIZED, "invalid_token");
        assert_eq!(browser.post_raw("/revoke", revoke(tokens["refresh_token"].as_str().unwrap())).await.status, StatusCode::OK);
        let assertion = env.rp.assertion(&env.issuer(), env.now());
        let again = browser.post("/token", &[("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", &assertion)]).await;
        assert_oauth_error(&again, StatusCode::BAD_REQUEST, "invalid_grant");
        assert_eq!(browser.post_raw("/revoke", revoke("never-issued")).await.status, StatusCode::OK);
    }

    // RFC 6750 §2-§3 at userinfo: the token in the header or the POST body, errors with
    // WWW-Authenticate; an expired token is refused.
    async fn userinfo_rules(env: Env) {
        let mut browser = env.app.browser();
        let none = browser.get("/userinfo").await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED);
        assert!(none.headers["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
        assert_oauth_error(&env.userinfo(&mut browser, "not.a.token").await, StatusCode::UNAUTHORIZED, "invalid_token");
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let access = tokens["access_token"].as_str().unwrap();
        // An ID token is not an access token (RFC 8725 §3.11).
        assert_oauth_error(&env.userinfo(&mut browser, tokens["id_token"].as_str().unwrap()).await, StatusCode::UNAUTHORIZED, "invalid_token");
        let posted = browser.post("/userinfo", &[("access_token", access)]).await;
        assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
        env.app.clock.advance(Duration::from_secs(181));
        assert_oauth_error(&env.userinfo(&mut browser, access).await, StatusCode::UNAUTHORIZED, "invalid_token");
    }

    // The token endpoint never answers a malformed request with a 500.
    async fn token_endpoint_bad_input(env: Env) {
        let mut browser = env.app.browser();
        assert_eq!(browser.get("/token").await.status, StatusCode::METHOD_NOT_ALLOWED);
        let json_body = Request::post("/token").header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap();
        assert_oauth_error(&browser.send(json_body).await, StatusCode::BAD_REQUEST, "invalid_request");
        assert_oauth_error(&browser.post_raw("/token", "grant_type=a&grant_type=b".into()).await, StatusCode::BAD_REQUEST, "invalid_request");
        let secret = [("client_id", "portal"), ("client_secret", CLIENT_SECRET)];
        assert_oauth_error(&browser.post("/token", &secret).await, StatusCode::BAD_REQUEST, "invalid_request");
        let mut password = secret.to_vec();
        password.push(("grant_type", "password"));
        assert_oauth_error(&browser.post("/token", &password).await, StatusCode::BAD_REQUEST, "unsupported_grant_type");
        let mut no_code = secret.to_vec();
        no_code.push(("grant_type", "authorization_code"));
        assert_oauth_error(&browser.post("/token", &no_code).await, StatusCode::BAD_REQUEST, "invalid_request");
    }

    // RP-Initiated Logout §2-§4 and Back-Channel Logout: with a hint, sign out and return to a
    // registered address with state; elsewhere, no redirect.
    async fn rp_initiated_logout(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let hint = tokens["id_token"].as_str().unwrap();
        let query = serde_urlencoded::to_string([("id_token_hint", hint), ("post_logout_redirect_uri", "https://www.driving.example.gov.uk/signed-out"), ("state", "bye")]).unwrap();
        let page = browser.get(&format!("/logout?{query}")).await;
        assert_eq!(page.status, StatusCode::FOUND);
        assert_eq!(page.location(), "https://www.driving.example.gov.uk/signed-out?state=bye");
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
        // An unregistered address: signed out, but not sent there.
        let query = serde_urlencoded::to_string([("id_token_hint", hint), ("post_logout_redirect_uri", "https://evil.example/")]).unwrap();
        browser.get(&format!("/logout?{query}")).await.assert(StatusCode::OK, "You have signed out");
    }

    // RPL §6: without a valid hint, the citizen confirms with a form (no logout by a forged link).
    async fn logout_without_a_hint_asks_first(env: Env) {
        let mut browser = env.app.browser();
        env.first_code(&mut browser, &env.rp, &[]).await;
        let page = browser.get("/logout?id_token_hint=forged").await;
        page.assert(StatusCode::OK, "Do you want to sign out?");
        assert_eq!(browser.get("/account").await.status, StatusCode::OK, "still signed in");
        let token = browser.get("/logout").await.csrf();
        browser.post("/logout", &[("csrf_token", &token)]).await.assert_redirect("/signed-out");
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
    }

    // RP-Initiated Logout §2-§3 and §6 (issue 11.4, checklists 60-62): a valid hint for another
    // login session, or for another citizen, does not sign the browser's citizen out: they
    // confirm with a CSRF-protected form, then go back to the service's registered address
    // with its state. A hint for this session signs out at once, whichever algorithm signed it.
    async fn logout_with_a_hint_for_another_session_asks_first(env: Env) {
        let bob_totp = env.app.create_account(OTHER_EMAIL, PASSWORD).await;
        let mut ada = env.app.browser();
        let (code, verifier) = env.first_code(&mut ada, &env.rp, &[]).await;
        let old_hint = env.tokens(&mut ada, &env.rp, &code, &verifier).await["id_token"].as_str().unwrap().to_owned();
        let token = ada.get("/account").await.csrf();
        ada.post("/sign-out", &[("csrf_token", &token)]).await.assert_redirect("/signed-out");
        let (url, verifier) = env.authorize_url(&env.rp, &[]);
        ada.get(&url).await.assert_redirect("/");
        let code = client_params(&env.sign_in(&mut ada).await, &env.rp)["code"].clone();
        let ada_hint = env.tokens(&mut ada, &env.rp, &code, &verifier).await["id_token"].as_str().unwrap().to_owned();
        let logout = |hint: &str, back: &str, state: &str| {
            format!("/logout?{}", serde_urlencoded::to_string([("id_token_hint", hint), ("post_logout_redirect_uri", back), ("state", state)]).unwrap())
        };
        let driving_back = "https://www.driving.example.gov.uk/signed-out";
        let benefits_back = "https://benefits.example.gov.uk/signed-out";

        // Ada's previous login session.
        let confirm = ada.get(&logout(&old_hint, driving_back, "bye")).await;
        confirm.assert(StatusCode::OK, "Do you want to sign out?");
        assert_eq!(ada.get("/account").await.status, StatusCode::OK, "still signed in");

        // Bob's browser, with a hint naming Ada.
        let mut bob = env.app.browser();
        let (code, verifier) = env.first_code_as(&mut bob, &env.other, &[], OTHER_EMAIL, &bob_totp).await;
        let bob_hint = env.tokens(&mut bob, &env.other, &code, &verifier).await["id_token"].as_str().unwrap().to_owned();
        bob.get(&logout(&ada_hint, driving_back, "x")).await.assert(StatusCode::OK, "Do you want to sign out?");
        assert_eq!(bob.get("/account").await.status, StatusCode::OK, "still signed in");
        // His own hint (RS256, the benefits service's algorithm) signs him out at once.
        let page = bob.get(&logout(&bob_hint, benefits_back, "see-you")).await;
        assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
        assert_eq!(page.location(), format!("{benefits_back}?state=see-you"));
        assert_eq!(bob.get("/account").await.location(), "/sign-in");

        // Ada confirms; a form without her session's token does nothing.
        let fields: Vec<(&str, String)> = ["id_token_hint", "post_logout_redirect_uri", "state"]
            .into_iter()
            .map(|name| (name, confirm.field(name).unwrap_or_else(|| panic!("{name} carried"))))
            .collect();
        let form = |csrf: &str| {
            let mut all = vec![("csrf_token", csrf.to_owned())];
            all.extend(fields.iter().cloned());
            serde_urlencoded::to_string(all).unwrap()
        };
        assert_eq!(ada.post_raw("/logout", form("forged")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(ada.get("/account").await.status, StatusCode::OK, "still signed in");
        ada.post_raw("/logout", form(&confirm.csrf())).await.assert_redirect(&format!("{driving_back}?state=bye"));
        assert_eq!(ada.get("/account").await.location(), "/sign-in");
    }

    // Consent can be withdrawn from the account page: the service asks again, its refresh
    // tokens stop. Issue 11.16: the live grant ends at once too: its access token fails at
    // userinfo, and a code made before the withdrawal is refused.
    async fn withdrawing_consent(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[("scope", "openid offline_access")]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(env.userinfo(&mut browser, access).await.status, StatusCode::OK);
        // A second code, by single sign-on, not yet exchanged.
        let (url, pending_verifier) = env.authorize_url(&env.rp, &[("scope", "openid offline_access")]);
        let pending_code = client_params(&browser.get(&url).await, &env.rp)["code"].clone();
        // The other service's grant is untouched.
        let (code, verifier) = env.first_code(&mut env.app.browser(), &env.other, &[]).await;
        let other_tokens = env.tokens(&mut browser, &env.other, &code, &verifier).await;

        let account = browser.get("/account").await;
        account.assert(StatusCode::OK, "Service driving");
        browser.post("/account/withdraw-consent", &[("csrf_token", &account.csrf()), ("client_id", "driving")]).await.assert_redirect("/account");
        assert!(!browser.get("/account").await.body.contains("Service driving"));
        assert_oauth_error(&env.userinfo(&mut browser, access).await, StatusCode::UNAUTHORIZED, "invalid_token");
        assert_oauth_error(&env.redeem(&mut browser, &env.rp, &pending_code, &pending_verifier).await, StatusCode::BAD_REQUEST, "invalid_grant");
        assert_eq!(env.userinfo(&mut browser, other_tokens["access_token"].as_str().unwrap()).await.status, StatusCode::OK);
        let assertion = env.rp.assertion(&env.issuer(), env.now());
        let page = browser.post("/token", &[("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", &assertion)]).await;
        assert_oauth_error(&page, StatusCode::BAD_REQUEST, "invalid_grant");
        // Agreeing again makes a new grant that works.
        env.app.clock.advance(Duration::from_millis(5));
        let (url, verifier) = env.authorize_url(&env.rp, &[]);
        browser.get(&url).await.assert_redirect("/authorize/consent");
        let answer = browser.fill("/authorize/consent", &[("decision", "agree")]).await;
        let code = client_params(&answer, &env.rp)["code"].clone();
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        assert_eq!(env.userinfo(&mut browser, tokens["access_token"].as_str().unwrap()).await.status, StatusCode::OK);
    }

    // Checklist 32 (RFC 9700 §4.14.2): ending an account's access (as a password reset does)
    // signs out every session but the one kept, and revokes every token and unexchanged code.
    async fn ending_an_accounts_access_ends_every_session_and_token(env: Env) {
        let mut first = env.app.browser();
        let (code, verifier) = env.first_code(&mut first, &env.rp, &[("scope", "openid offline_access")]).await;
        let tokens = env.tokens(&mut first, &env.rp, &code, &verifier).await;
        let mut second = env.app.browser();
        let (url, pending_verifier) = env.authorize_url(&env.other, &[]);
        second.get(&url).await.assert_redirect("/");
        env.sign_in(&mut second).await.assert_redirect("/authorize/consent");
        let answer = second.fill("/authorize/consent", &[("decision", "agree")]).await;
        let pending_code = client_params(&answer, &env.other)["code"].clone();
        let mut kept = env.app.browser();
        env.app.next_totp_step();
        kept.sign_in(&env.app, EMAIL, PASSWORD, &env.totp).await;
        let kept_id = SessionId::parse(kept.cookies.get("one-login-session").unwrap()).unwrap();

        let state = &env.app.state;
        let account = env.app.account(EMAIL).await;
        let access = AccountAccess { sessions: &state.sessions, provider: &state.oidc, store: state.ephemeral.as_ref(), db: &state.db };
        let ended = access.end_all(&account.id, Some(&kept_id), state.clock.unix_millis()).await.unwrap();
        assert_eq!(ended.sessions, 2);
        assert_eq!(first.get("/account").await.location(), "/sign-in");
        assert_eq!(second.get("/account").await.location(), "/sign-in");
        assert_eq!(kept.get("/account").await.status, StatusCode::OK, "the session kept");
        assert_oauth_error(&env.userinfo(&mut first, tokens["access_token"].as_str().unwrap()).await, StatusCode::UNAUTHORIZED, "invalid_token");
        assert_oauth_error(&env.redeem(&mut second, &env.other, &pending_code, &pending_verifier).await, StatusCode::BAD_REQUEST, "invalid_grant");
        let assertion = env.rp.assertion(&env.issuer(), env.now());
        let page = first.post("/token", &[("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", &assertion)]).await;
        assert_oauth_error(&page, StatusCode::BAD_REQUEST, "invalid_grant");
    }

    // RFC 9101 / Core §6.1: a signed request object; its values win; a tampered one is refused.
    async fn request_objects(env: Env) {
        let mut browser = env.app.browser();
        let (verifier, challenge) = pkce();
        let object = env.rp.assertion_with(json!({
            "iss": "driving", "aud": format!("{}authorize", env.issuer()), "exp": env.now() + 300,
            "jti": "object-1",
            "client_id": "driving", "response_type": "code", "scope": "openid email",
            "redirect_uri": env.rp.redirect_uri, "state": "from-object", "nonce": "object-nonce",
            "code_challenge": challenge, "code_challenge_method": "S256", "vtr": ["Cl.Cm"],
        }));
        let query = |object: &str| serde_urlencoded::to_string([("client_id", "driving"), ("response_type", "code"), ("scope", "openid"), ("request", object)]).unwrap();
        browser.get(&format!("/authorize?{}", query(&object))).await.assert_redirect("/");
        env.sign_in(&mut browser).await;
        let params = client_params(&browser.fill("/authorize/consent", &[("decision", "agree")]).await, &env.rp);
        assert_eq!(params["state"], "from-object");
        let tokens = env.tokens(&mut browser, &env.rp, &params["code"], &verifier).await;
        assert_eq!(env.verify(tokens["id_token"].as_str().unwrap(), Some("driving")).await.1["nonce"], "object-nonce");
        let mut parts: Vec<String> = object.split('.').map(str::to_owned).collect();
        parts[2] = parts[2].chars().rev().collect();
        let tampered = parts.join(".");
        let refused = browser.get(&format!("/authorize?{}&redirect_uri={}", query(&tampered), urlencode(&env.rp.redirect_uri))).await;
        assert_eq!(client_params(&refused, &env.rp)["error"], "invalid_request_object");
    }

    // Issue 11.14: a request object carries an exp at most an hour ahead and a jti, and works
    // once: a captured one cannot be replayed.
    async fn request_objects_expire_within_the_hour_and_work_once(env: Env) {
        let mut browser = env.app.browser();
        let (_, challenge) = pkce();
        let object = |changes: Value| {
            let mut claims = json!({
                "iss": "driving", "aud": format!("{}authorize", env.issuer()), "exp": env.now() + 300,
                "jti": uuid::Uuid::new_v4().to_string(),
                "client_id": "driving", "response_type": "code", "scope": "openid email",
                "redirect_uri": env.rp.redirect_uri, "state": "from-object", "nonce": "object-nonce",
                "code_challenge": challenge, "code_challenge_method": "S256",
            });
            for (k, v) in changes.as_object().unwrap() {
                if v.is_null() { claims.as_object_mut().unwrap().remove(k); } else { claims[k] = v.clone(); }
            }
            env.rp.assertion_with(claims)
        };
        // The query repeats redirect_uri, so a refused object can still be answered by redirect.
        let url = |object: &str| format!("/authorize?{}", serde_urlencoded::to_string([("client_id", "driving"), ("response_type", "code"), ("scope", "openid"), ("redirect_uri", &env.rp.redirect_uri), ("request", object)]).unwrap());
        let once = object(json!({}));
        browser.get(&url(&once)).await.assert_redirect("/");
        let replayed = client_params(&browser.get(&url(&once)).await, &env.rp);
        assert_eq!(replayed["error"], "invalid_request_object");
        assert_eq!(replayed["error_description"], "the request object has been used before");
        assert_eq!(replayed["state"], "from-object");
        for (what, changes) in [
            ("no exp", json!({"exp": null})),
            ("exp over an hour ahead", json!({"exp": env.now() + 3_660})),
            ("no jti", json!({"jti": null})),
        ] {
            let refused = client_params(&browser.get(&url(&object(changes))).await, &env.rp);
            assert_eq!(refused["error"], "invalid_request_object", "{what}");
        }
        // An hour exactly is accepted.
        browser.get(&url(&object(json!({"exp": env.now() + 3_600})))).await.assert_redirect("/");
    }

    // Checklist 31 (RFC 9700 §4.14.2): a refresh token expires when idle as well as at its
    // absolute end; each use starts its successor's idle time afresh.
    async fn refresh_tokens_expire_when_idle(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[("scope", "openid offline_access")]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let refresh = |env: &Env, token: &str| {
            let assertion = env.rp.assertion(&env.issuer(), env.now());
            serde_urlencoded::to_string([("grant_type", "refresh_token"), ("refresh_token", token),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", &assertion)]).unwrap()
        };
        let idle = env.app.state.config.tokens.refresh_token_idle_ttl;
        assert!(idle * 3 < env.app.state.config.tokens.refresh_token_ttl, "the absolute end is not what this test meets");
        env.app.clock.advance(idle - Duration::from_secs(60));
        let page = browser.post_raw("/token", refresh(&env, tokens["refresh_token"].as_str().unwrap())).await;
        assert_eq!(page.status, StatusCode::OK, "used within its idle time: {}", page.body);
        let next = json(&page)["refresh_token"].as_str().unwrap().to_owned();
        env.app.clock.advance(idle - Duration::from_secs(60));
        let page = browser.post_raw("/token", refresh(&env, &next)).await;
        assert_eq!(page.status, StatusCode::OK, "the successor's idle time starts at its issue: {}", page.body);
        let last = json(&page)["refresh_token"].as_str().unwrap().to_owned();
        env.app.clock.advance(idle + Duration::from_secs(1));
        assert_oauth_error(&browser.post_raw("/token", refresh(&env, &last)).await, StatusCode::BAD_REQUEST, "invalid_grant");
    }
}

/// The client's parameters in the page's link back to `rp` (a page that cannot redirect at once,
/// such as "your account is suspended").
fn link_params(page: &Page, rp: &RelyingParty) -> HashMap<String, String> {
    let start = page
        .body
        .find(&format!("href=\"{}?", rp.redirect_uri))
        .unwrap_or_else(|| panic!("no link back to {}:\n{}", rp.redirect_uri, page.body));
    let href = &page.body[start + 6..];
    let href = href[..href.find('"').unwrap()].replace("&#38;", "&");
    let query = href.split_once('?').unwrap().1;
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

impl Env {
    /// What an operator's `one-login accounts ACTION EMAIL` does, then what the running
    /// provider's watch does after it; returns how many pending interventions it acted on.
    async fn intervene(&self, intervention: Intervention) -> usize {
        let state = &self.app.state;
        intervene(&state.db, EMAIL, intervention, self.now())
            .await
            .unwrap();
        end_pending_access(&state.account_access(), state.clock.unix_millis())
            .await
            .unwrap()
    }

    async fn refresh(&self, browser: &mut Browser, refresh_token: &str) -> Page {
        let assertion = self.rp.assertion(&self.issuer(), self.now());
        browser
            .post(
                "/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ],
            )
            .await
    }

    async fn audit_kinds(&self) -> Vec<AuditKind> {
        let state = &self.app.state;
        let account = self.app.account(EMAIL).await;
        let events = state.db.audit().recent(&account.id, 50).await.unwrap();
        events.into_iter().map(|e| e.kind).collect()
    }
}

oidc_tests! {
    // Issue 10 (account interventions): a suspended account's single sign-on session is gone,
    // its tokens fail, and signing in again shows why only after the right password; the
    // service waiting for that sign-in gets access_denied (RFC 6749 §4.1.2.1). Lifting the
    // suspension lets it sign in again.
    async fn a_suspended_account_loses_its_access_and_cannot_sign_in(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[("scope", "openid offline_access")]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let refresh_token = tokens["refresh_token"].as_str().unwrap();
        let access_token = tokens["access_token"].as_str().unwrap();

        assert_eq!(env.intervene(Intervention::Suspend).await, 1);
        assert_eq!(end_pending_access(&env.app.state.account_access(), env.app.state.clock.unix_millis()).await.unwrap(), 0, "acted on once");
        assert!(env.audit_kinds().await.contains(&AuditKind::Suspended));
        assert_eq!(browser.get("/account").await.location(), "/sign-in", "the session ended");
        assert_oauth_error(&env.refresh(&mut browser, refresh_token).await, StatusCode::BAD_REQUEST, "invalid_grant");
        assert_oauth_error(&env.userinfo(&mut browser, access_token).await, StatusCode::UNAUTHORIZED, "invalid_token");
        let (url, _) = env.authorize_url(&env.rp, &[("prompt", "none")]);
        assert_eq!(client_params(&browser.get(&url).await, &env.rp)["error"], "login_required", "no code by single sign-on");

        let (url, _) = env.authorize_url(&env.rp, &[]);
        browser.get(&url).await.assert_redirect("/");
        // A wrong password is told as for any address: the status shows only to whoever knows
        // the password (ASVS 6.3.8).
        let wrong = browser.fill("/sign-in", &[("email", EMAIL), ("password", "not the password at all")]).await;
        wrong.assert(StatusCode::BAD_REQUEST, "Incorrect email address or password");
        assert!(!wrong.body.contains("suspended"));
        let refused = browser.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await;
        refused.assert(StatusCode::FORBIDDEN, "Your GOV.UK One Login is suspended");
        assert!(refused.body.contains("Contact the GOV.UK One Login team"));
        let back = link_params(&refused, &env.rp);
        assert_eq!(back["error"], "access_denied");
        assert_eq!(back["state"], "state-123");
        assert_eq!(back["iss"], env.issuer());
        assert_eq!(browser.get("/account").await.location(), "/sign-in", "nothing of the sign-in kept");
        assert_eq!(browser.get("/authorize/continue").await.location(), "/account", "the request was answered");

        assert_eq!(env.intervene(Intervention::Unsuspend).await, 0, "lifting ends nothing");
        let (url, _) = env.authorize_url(&env.rp, &[("scope", "openid offline_access")]);
        browser.get(&url).await.assert_redirect("/");
        let answer = env.sign_in(&mut browser).await;
        assert!(client_params(&answer, &env.rp).contains_key("code"), "signs in again");
        assert!(env.audit_kinds().await.contains(&AuditKind::Unsuspended));
    }

    // A blocked account is refused as a suspended one is, for good: it cannot be unsuspended.
    async fn a_blocked_account_cannot_sign_in_or_be_unblocked(env: Env) {
        assert_eq!(env.intervene(Intervention::Block).await, 1);
        let mut browser = env.app.browser();
        let refused = browser.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await;
        refused.assert(StatusCode::FORBIDDEN, "Your GOV.UK One Login is blocked");
        assert!(!refused.body.contains("Go back to"), "no service was waiting");
        let state = &env.app.state;
        let again = intervene(&state.db, EMAIL, Intervention::Unsuspend, env.now()).await;
        assert_eq!(again.unwrap_err().to_string(), "nothing done: the account is blocked, which is permanent");
        let unknown = intervene(&state.db, "nobody@example.com", Intervention::Suspend, env.now()).await;
        assert_eq!(unknown.unwrap_err().to_string(), "no account has the email address nobody@example.com");
    }

    // A sign-in that raced with a suspension (password checked before it, session saved after
    // the sessions were ended) is caught by the standing read after the session is saved.
    async fn a_sign_in_racing_a_suspension_keeps_no_session(env: Env) {
        let mut browser = env.app.browser();
        browser.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await.assert_redirect("/sign-in/authenticator-code");
        assert_eq!(env.intervene(Intervention::Suspend).await, 1);
        // Its password-step session was ended with the others; a code from a session saved
        // after that is refused by the read after the save.
        assert_eq!(browser.get("/sign-in/authenticator-code").await.location(), "/sign-in");
        let state = &env.app.state;
        let account = env.app.account(EMAIL).await;
        sqlx::query("UPDATE accounts SET status = 'active' WHERE id = $1").bind(&account.id).execute(state.db.pool()).await.unwrap();
        browser.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await.assert_redirect("/sign-in/authenticator-code");
        sqlx::query("UPDATE accounts SET status = 'suspended' WHERE id = $1").bind(&account.id).execute(state.db.pool()).await.unwrap();
        env.app.next_totp_step();
        let code = env.app.totp_now(&env.totp);
        let refused = browser.fill("/sign-in/authenticator-code", &[("code", &code)]).await;
        refused.assert(StatusCode::FORBIDDEN, "Your GOV.UK One Login is suspended");
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
    }

    // An operator's required password reset: sessions end at once; at the next sign-in, after
    // password and code, the new password comes before anything else, by the rules of a new
    // one and not the current one; then the sign-in goes on to the service.
    async fn a_required_password_reset_comes_first_at_the_next_sign_in(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[("scope", "openid offline_access")]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        assert_eq!(env.intervene(Intervention::RequirePasswordReset).await, 1);
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
        assert_oauth_error(&env.refresh(&mut browser, tokens["refresh_token"].as_str().unwrap()).await, StatusCode::BAD_REQUEST, "invalid_grant");

        let (url, _) = env.authorize_url(&env.rp, &[]);
        browser.get(&url).await.assert_redirect("/");
        browser.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await.assert_redirect("/sign-in/authenticator-code");
        env.app.next_totp_step();
        let code = env.app.totp_now(&env.totp);
        browser.fill("/sign-in/authenticator-code", &[("code", &code)]).await.assert_redirect("/sign-in/create-new-password");
        // Nothing else until it is done: no page, no code by single sign-on.
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
        let (url, _) = env.authorize_url(&env.rp, &[("prompt", "none")]);
        assert_eq!(client_params(&browser.get(&url).await, &env.rp)["error"], "login_required");
        let form = "/sign-in/create-new-password";
        browser.fill(form, &[("password", ""), ("confirm-password", "")]).await.assert(StatusCode::BAD_REQUEST, "govuk-error-summary");
        browser.fill(form, &[("password", PASSWORD), ("confirm-password", PASSWORD)]).await
            .assert(StatusCode::BAD_REQUEST, "must be different from your current password");
        let long = "x".repeat(300);
        browser.fill(form, &[("password", &long), ("confirm-password", &long)]).await.assert(StatusCode::BAD_REQUEST, "govuk-error-message");
        let new_password = "a brand new passphrase for ada";
        let (url, _) = env.authorize_url(&env.rp, &[("scope", "openid offline_access")]);
        browser.get(&url).await.assert_redirect("/");
        browser.fill(form, &[("password", new_password), ("confirm-password", new_password)]).await.assert_redirect("/authorize/continue");
        let answer = browser.get("/authorize/continue").await;
        assert!(client_params(&answer, &env.rp).contains_key("code"), "on to the service");
        assert!(env.audit_kinds().await.contains(&AuditKind::PasswordRenewed));

        // The old password no longer works; the new one does, with no new password asked.
        let mut other = env.app.browser();
        other.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await.assert(StatusCode::BAD_REQUEST, "Incorrect email address or password");
        env.app.next_totp_step();
        other.sign_in(&env.app, EMAIL, new_password, &env.totp).await;
    }

    // An operator's deletion removes the account as a citizen's closure would: its session
    // ends, its tokens fail, the audit log keeps its events by id without client addresses,
    // and the address can make a new account (with a new id).
    async fn a_deleted_account_is_gone_but_its_audit_stays(env: Env) {
        let mut browser = env.app.browser();
        let (code, verifier) = env.first_code(&mut browser, &env.rp, &[("scope", "openid offline_access")]).await;
        let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
        let state = &env.app.state;
        let account = env.app.account(EMAIL).await;
        assert_eq!(env.intervene(Intervention::Delete).await, 1);
        assert!(state.db.accounts().find(&account.id).await.unwrap().is_none());
        assert!(state.db.consents().find(&account.id, "driving").await.unwrap().is_none());
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
        assert_oauth_error(&env.refresh(&mut browser, tokens["refresh_token"].as_str().unwrap()).await, StatusCode::BAD_REQUEST, "invalid_grant");
        let events = state.db.audit().recent(&account.id, 50).await.unwrap();
        assert_eq!(events.first().map(|e| e.kind), Some(AuditKind::AccountDeleted));
        assert!(events.iter().all(|e| e.client_ip.is_none()), "{events:?}");
        assert!(events.iter().any(|e| e.kind == AuditKind::SignedIn));
        let refused = browser.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await;
        refused.assert(StatusCode::BAD_REQUEST, "Incorrect email address or password");
        env.app.create_account(EMAIL, PASSWORD).await;
        let again = env.app.account(EMAIL).await;
        assert_ne!(again.id, account.id);
    }
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

// Core §10.1.1: a rotated key is published at once, signs after the delay, and the old key
// stays published.
#[tokio::test]
async fn key_rotation() {
    let env = Env::start(Backend::Embedded).await;
    let before = env.jwks().await;
    let config = &env.app.state.config.keys;
    let now = env.now();
    one_login_core::oidc::keys::Keys::rotate(&env.app.state.db, config, now)
        .await
        .unwrap();
    env.app
        .state
        .oidc
        .keys
        .reload(&env.app.state.db)
        .await
        .unwrap();
    let after = env.jwks().await;
    assert_eq!(
        after.keys.len(),
        before.keys.len() * 2,
        "new keys published beside the old"
    );
    let mut browser = env.app.browser();
    let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
    let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
    let kid = jsonwebtoken::decode_header(tokens["id_token"].as_str().unwrap())
        .unwrap()
        .kid
        .unwrap();
    assert!(
        before.find(&kid).is_some(),
        "the old key signs until publish_before_use has passed"
    );
    env.app
        .clock
        .advance(config.publish_before_use + Duration::from_secs(1));
    let (url, verifier) = env.authorize_url(&env.rp, &[]);
    let code = client_params(&browser.get(&url).await, &env.rp)["code"].clone();
    let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
    let kid = jsonwebtoken::decode_header(tokens["id_token"].as_str().unwrap())
        .unwrap()
        .kid
        .unwrap();
    assert!(before.find(&kid).is_none(), "the new key signs now");
    assert_eq!(
        env.jwks().await.keys.len(),
        before.keys.len() * 2,
        "the old key is still published"
    );
}

/// Logout tokens a service received at its back-channel logout URI.
type Received = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// An environment whose service "listening" takes back-channel logout requests on this
/// machine, and what it received.
async fn listening_env(backend: Backend) -> (Env, Received) {
    let (port, received) = support::backchannel_listener().await;
    let rp = RelyingParty::new("listening", "127.0.0.1");
    let registration = rp
        .registration(&format!(
            "backchannel_logout_uri = \"http://127.0.0.1:{port}/backchannel-logout\""
        ))
        .replace("https://127.0.0.1/callback", "http://127.0.0.1/callback")
        .replace(
            "https://127.0.0.1/signed-out",
            "http://127.0.0.1/signed-out",
        );
    let rp = RelyingParty {
        redirect_uri: "http://127.0.0.1/callback".into(),
        ..rp
    };
    let unused = RelyingParty::new("unused", "unused.example");
    let env = Env::with_clients(backend, rp, unused, "", &[registration]).await;
    (env, received)
}

/// Waits for the first logout token to arrive.
async fn first_logout_token(received: &Received) -> String {
    for _ in 0..50 {
        if let Some(token) = received.lock().unwrap().first() {
            return token.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no logout token arrived")
}

// Back-Channel Logout §2.4-§2.5: a signed logout token reaches every service of the session.
#[tokio::test]
async fn back_channel_logout_reaches_the_services() {
    let (env, received) = listening_env(Backend::Embedded).await;
    let mut browser = env.app.browser();
    let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
    let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
    let (_, id) = env
        .verify(tokens["id_token"].as_str().unwrap(), Some("listening"))
        .await;
    let token = browser.get("/account").await.csrf();
    browser
        .post("/sign-out", &[("csrf_token", &token)])
        .await
        .assert_redirect("/signed-out");
    let logout_token = first_logout_token(&received).await;
    let (header, claims) = env.verify(&logout_token, Some("listening")).await;
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    assert_eq!(claims["sid"], id["sid"]);
    assert_eq!(claims["sub"], id["sub"]);
    assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(claims.get("nonce").is_none());
    assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() <= 120);
}

// Issue 10: suspending an account (as `one-login accounts suspend` and the provider's watch
// do) tells each service its session signed in to (Back-Channel Logout §2.7).
#[tokio::test]
async fn a_suspension_tells_each_service_by_back_channel_logout() {
    let (env, received) = listening_env(Backend::Embedded).await;
    let mut browser = env.app.browser();
    let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
    let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
    let (_, id) = env
        .verify(tokens["id_token"].as_str().unwrap(), Some("listening"))
        .await;
    assert_eq!(env.intervene(Intervention::Suspend).await, 1);
    let logout_token = first_logout_token(&received).await;
    let (header, claims) = env.verify(&logout_token, Some("listening")).await;
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    assert_eq!((&claims["sid"], &claims["sub"]), (&id["sid"], &id["sub"]));
}

/// The two ways back into an account (issue 10 items 1-2).
#[derive(Clone, Copy)]
enum Recovery {
    ForgottenPassword,
    LostApp,
}

const NEW_PASSWORD: &str = "a brand new passphrase for ada";

/// Runs a recovery journey in `browser` from its start to the signed-in answer, which sends the
/// browser to `then`; returns the account's authenticator secret afterwards.
async fn recover(env: &Env, browser: &mut Browser, journey: Recovery, then: &str) -> String {
    let start = match journey {
        Recovery::ForgottenPassword => "/reset-password",
        Recovery::LostApp => "/lost-authenticator-app",
    };
    browser
        .fill(start, &[("email", EMAIL)])
        .await
        .assert_redirect(&format!("{start}/check-email"));
    let code = env.app.mail.last_code(EMAIL);
    let after_code = browser
        .fill(&format!("{start}/check-email"), &[("code", &code)])
        .await;
    env.app.next_totp_step();
    match journey {
        Recovery::ForgottenPassword => {
            after_code.assert_redirect("/reset-password/new-password");
            // Not the password the account has now.
            let same = browser
                .fill(
                    "/reset-password/new-password",
                    &[("password", PASSWORD), ("confirm-password", PASSWORD)],
                )
                .await;
            same.assert(StatusCode::BAD_REQUEST, "different from your current one");
            browser
                .fill(
                    "/reset-password/new-password",
                    &[
                        ("password", NEW_PASSWORD),
                        ("confirm-password", NEW_PASSWORD),
                    ],
                )
                .await
                .assert_redirect("/reset-password/authenticator-code");
            // Nothing changed before the app's code.
            let stored = env.app.account(EMAIL).await;
            assert!(
                env.app
                    .state
                    .passwords
                    .verify(PASSWORD, Some(&stored.password_hash))
                    .await
                    .unwrap()
                    .matches
            );
            let code = env.app.totp_now(&env.totp);
            browser
                .fill("/reset-password/authenticator-code", &[("code", &code)])
                .await
                .assert_redirect(then);
            env.totp.clone()
        }
        Recovery::LostApp => {
            after_code.assert_redirect("/lost-authenticator-app/password");
            browser
                .fill(
                    "/lost-authenticator-app/password",
                    &[("password", PASSWORD)],
                )
                .await
                .assert_redirect("/lost-authenticator-app/authenticator-app");
            let secret = browser
                .get("/lost-authenticator-app/authenticator-app")
                .await
                .shown_secret();
            assert_ne!(secret, env.totp);
            browser
                .fill(
                    "/lost-authenticator-app/authenticator-app",
                    &[("code", &env.app.totp_now(&secret))],
                )
                .await
                .assert_redirect(then);
            secret
        }
    }
}

/// Issue 10 "done when": after a reset or a new app, an old refresh token is `invalid_grant`,
/// an old session cookie is signed out, and each service with a session received a valid
/// logout token (checklist 32, Back-Channel Logout §2.4-§2.5); the citizen's own session goes
/// on, signed in.
async fn recovery_ends_every_other_session_and_token(backend: Backend, journey: Recovery) {
    let (env, received) = listening_env(backend).await;
    let mut old = env.app.browser();
    let (code, verifier) = env
        .first_code(&mut old, &env.rp, &[("scope", "openid offline_access")])
        .await;
    let tokens = env.tokens(&mut old, &env.rp, &code, &verifier).await;
    let (_, id) = env
        .verify(tokens["id_token"].as_str().unwrap(), Some("listening"))
        .await;
    assert!(received.lock().unwrap().is_empty());

    let mut citizen = env.app.browser();
    let secret = recover(&env, &mut citizen, journey, "/account").await;

    assert_eq!(
        citizen.get("/account").await.status,
        StatusCode::OK,
        "signed in where recovered"
    );
    assert_eq!(
        old.get("/account").await.location(),
        "/sign-in",
        "the old session ended"
    );
    let assertion = env.rp.assertion(&env.issuer(), env.now());
    let refresh = old
        .post(
            "/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", &assertion),
            ],
        )
        .await;
    assert_oauth_error(&refresh, StatusCode::BAD_REQUEST, "invalid_grant");
    assert_oauth_error(
        &env.userinfo(&mut old, tokens["access_token"].as_str().unwrap())
            .await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    let logout = first_logout_token(&received).await;
    let (header, claims) = env.verify(&logout, Some("listening")).await;
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    assert_eq!(claims["sid"], id["sid"]);
    assert_eq!(claims["sub"], id["sub"]);

    // The citizen was told, and the audit log has it.
    let told = env.app.mail.to(EMAIL).pop().unwrap();
    assert!(told.subject.ends_with("was changed"), "{}", told.subject);
    let account = env.app.account(EMAIL).await;
    let kinds: Vec<_> = env
        .app
        .state
        .db
        .audit()
        .recent(&account.id, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    let expected = match journey {
        Recovery::ForgottenPassword => {
            vec![AuditKind::PasswordResetRequested, AuditKind::PasswordReset]
        }
        Recovery::LostApp => vec![AuditKind::AuthenticatorAppReplaced],
    };
    for kind in expected {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }

    // Signing in again takes the new credentials, not the old.
    let (password, old_secret) = match journey {
        Recovery::ForgottenPassword => (NEW_PASSWORD, None),
        Recovery::LostApp => (PASSWORD, Some(env.totp.clone())),
    };
    let mut later = env.app.browser();
    if journey_changed_password(journey) {
        later
            .fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)])
            .await
            .assert(
                StatusCode::BAD_REQUEST,
                "Incorrect email address or password",
            );
    }
    later
        .fill("/sign-in", &[("email", EMAIL), ("password", password)])
        .await
        .assert_redirect("/sign-in/authenticator-code");
    env.app.next_totp_step();
    if let Some(old_secret) = old_secret {
        later
            .fill(
                "/sign-in/authenticator-code",
                &[("code", &env.app.totp_now(&old_secret))],
            )
            .await
            .assert(StatusCode::BAD_REQUEST, "not correct");
    }
    later
        .fill(
            "/sign-in/authenticator-code",
            &[("code", &env.app.totp_now(&secret))],
        )
        .await
        .assert_redirect("/account");
}

fn journey_changed_password(journey: Recovery) -> bool {
    matches!(journey, Recovery::ForgottenPassword)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_ends_every_other_session_and_token() {
    recovery_ends_every_other_session_and_token(Backend::Embedded, Recovery::ForgottenPassword)
        .await;
    if support::real_servers_available("oidc::a_password_reset_ends_every_other_session_and_token")
        .await
    {
        recovery_ends_every_other_session_and_token(
            Backend::PostgresRedis,
            Recovery::ForgottenPassword,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_authenticator_app_ends_every_other_session_and_token() {
    recovery_ends_every_other_session_and_token(Backend::Embedded, Recovery::LostApp).await;
    if support::real_servers_available(
        "oidc::a_new_authenticator_app_ends_every_other_session_and_token",
    )
    .await
    {
        recovery_ends_every_other_session_and_token(Backend::PostgresRedis, Recovery::LostApp)
            .await;
    }
}

// A reset started from a service's sign-in goes back to that service afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_reset_the_citizen_goes_on_to_the_service() {
    let env = Env::start(Backend::Embedded).await;
    let mut browser = env.app.browser();
    let (url, _) = env.authorize_url(&env.rp, &[]);
    browser.get(&url).await.assert_redirect("/");
    browser
        .get("/sign-in")
        .await
        .assert(StatusCode::OK, "href=\"/reset-password\"");
    recover(
        &env,
        &mut browser,
        Recovery::ForgottenPassword,
        "/authorize/continue",
    )
    .await;
    browser
        .get("/authorize/continue")
        .await
        .assert_redirect("/authorize/consent");
}

/// A relying party's JWKS served on this machine, counting its fetches.
struct JwksServer {
    url: String,
    published: std::sync::Arc<std::sync::Mutex<Value>>,
    fetches: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl JwksServer {
    async fn start(rp: &RelyingParty) -> JwksServer {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::{Arc, Mutex};
        let published = Arc::new(Mutex::new(json!({ "keys": [rp.public_jwk] })));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (serve_keys, count) = (published.clone(), fetches.clone());
        let service = axum::Router::new().route(
            "/jwks",
            axum::routing::get(move || {
                let (keys, count) = (serve_keys.clone(), count.clone());
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    axum::Json(keys.lock().unwrap().clone())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        JwksServer {
            url: format!("http://127.0.0.1:{port}/jwks"),
            published,
            fetches,
        }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// `rp`'s registration with its keys at `jwks_uri` instead of inline.
fn remote_keys_registration(rp: &RelyingParty, jwks_uri: &str) -> String {
    rp.registration("")
        .lines()
        .map(|line| {
            if line.starts_with("jwks = ") {
                format!("jwks_uri = {jwks_uri:?}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A token request from `rp` with a fresh assertion signed by `key` under `kid`.
async fn assert_with(
    env: &Env,
    browser: &mut Browser,
    key: &jsonwebtoken::EncodingKey,
    kid: &str,
) -> Page {
    let now = env.now();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(kid.to_owned());
    let claims = json!({"iss": env.rp.client_id, "sub": env.rp.client_id, "aud": env.issuer(), "exp": now + 60, "iat": now, "jti": uuid::Uuid::new_v4().to_string()});
    let assertion = jsonwebtoken::encode(&header, &claims, key).unwrap();
    env.token(
        browser,
        &[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", &env.rp.redirect_uri),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &assertion),
        ],
    )
    .await
}

// Core §10.1 / RFC 7523: a client's keys from its jwks_uri are fetched, cached, and fetched
// again for a key id not seen before (the client rotated its key), but (issue 11.13) at most
// once a minute per client, however many unknown key ids arrive.
#[tokio::test]
async fn client_keys_from_a_jwks_uri_are_cached_and_refreshed_on_rotation() {
    let rp = RelyingParty::new("remote", "remote.example.gov.uk");
    let server = JwksServer::start(&rp).await;
    let registration = remote_keys_registration(&rp, &server.url);
    let unused = RelyingParty::new("unused", "unused.example");
    let env = Env::with_clients(Backend::Embedded, rp, unused, "", &[registration]).await;
    let mut browser = env.app.browser();
    let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
    env.tokens(&mut browser, &env.rp, &code, &verifier).await;
    let (url, verifier) = env.authorize_url(&env.rp, &[]);
    let code = client_params(&browser.get(&url).await, &env.rp)["code"].clone();
    env.tokens(&mut browser, &env.rp, &code, &verifier).await;
    assert_eq!(server.fetches(), 1, "fetched once, then cached");
    // Made-up key ids within the minute: refused, and the client's server is left alone.
    let (stranger, _) = support::rp::es256_key("made-up");
    for i in 0..3 {
        let page = assert_with(&env, &mut browser, &stranger, &format!("made-up-{i}")).await;
        assert_oauth_error(&page, StatusCode::UNAUTHORIZED, "invalid_client");
    }
    assert_eq!(server.fetches(), 1, "no fetch within a minute of the last");
    // A minute on, the client rotates to a new key and publishes it.
    env.app.clock.advance(Duration::from_secs(61));
    let (new_key, mut new_jwk) = support::rp::es256_key("remote-key-2");
    new_jwk.common.key_id = Some("remote-key-2".into());
    *server.published.lock().unwrap() = json!({ "keys": [new_jwk] });
    let rotated = RelyingParty {
        key: new_key,
        kid: "remote-key-2".into(),
        public_jwk: new_jwk,
        ..env.rp
    };
    let env = Env { rp: rotated, ..env };
    let (url, verifier) = env.authorize_url(&env.rp, &[]);
    let code = client_params(&browser.get(&url).await, &env.rp)["code"].clone();
    env.tokens(&mut browser, &env.rp, &code, &verifier).await;
    assert_eq!(server.fetches(), 2, "an unknown kid fetched the keys again");
    let page = assert_with(&env, &mut browser, &stranger, "made-up-again").await;
    assert_oauth_error(&page, StatusCode::UNAUTHORIZED, "invalid_client");
    assert_eq!(server.fetches(), 2);
}

// Issue 11.13, checklist 40: without `outbound.allow_loopback` (off unless configured) a
// jwks_uri on this machine is never fetched; issue 11.15: the client then fails to
// authenticate (invalid_client, 401), it is not a server error.
#[tokio::test]
async fn client_keys_are_never_fetched_from_internal_addresses() {
    let rp = RelyingParty::new("remote", "remote.example.gov.uk");
    let server = JwksServer::start(&rp).await;
    // Its name resolves to this machine: refused at resolution.
    let named = RelyingParty::new("named", "named.example.gov.uk");
    let registrations = [
        remote_keys_registration(&rp, &server.url),
        remote_keys_registration(&named, &server.url.replace("127.0.0.1", "localhost")),
    ];
    let env = Env::with_clients(
        Backend::Embedded,
        rp,
        named,
        "[outbound]\nallow_loopback = false",
        &registrations,
    )
    .await;
    let mut browser = env.app.browser();
    let page = assert_with(&env, &mut browser, &env.rp.key, &env.rp.kid).await;
    assert_oauth_error(&page, StatusCode::UNAUTHORIZED, "invalid_client");
    let env = Env {
        rp: env.other,
        other: RelyingParty::new("unused", "unused.example"),
        ..env
    };
    let page = assert_with(&env, &mut browser, &env.rp.key, &env.rp.kid).await;
    assert_oauth_error(&page, StatusCode::UNAUTHORIZED, "invalid_client");
    assert_eq!(server.fetches(), 0, "nothing reached the address");
}

// Issue 11.15: a jwks_uri that cannot be fetched fails the client's authentication with
// invalid_client (401), never a 500.
#[tokio::test]
async fn an_unreachable_jwks_uri_is_invalid_client() {
    let rp = RelyingParty::new("remote", "remote.example.gov.uk");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", closed.local_addr().unwrap());
    drop(closed);
    let registration = remote_keys_registration(&rp, &url);
    let unused = RelyingParty::new("unused", "unused.example");
    let env = Env::with_clients(Backend::Embedded, rp, unused, "", &[registration]).await;
    let mut browser = env.app.browser();
    let page = assert_with(&env, &mut browser, &env.rp.key, &env.rp.kid).await;
    assert_oauth_error(&page, StatusCode::UNAUTHORIZED, "invalid_client");
    assert_eq!(
        page.headers["www-authenticate"],
        "Basic realm=\"One Login\", error=\"invalid_client\""
    );
}

// Checklist 80 / issue 11.11: /token is limited per client as well as per client address; the
// per-client count starts only after authentication, so naming a client spends nothing of it.
async fn token_requests_are_limited_per_client(backend: Backend) {
    let env = Env::start_with(backend, "[rate_limits]\nper_client = 2").await;
    let request = |secret: &'static str| {
        [
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", "https://portal.example.gov.uk/cb"),
            ("client_id", "portal"),
            ("client_secret", secret),
        ]
    };
    for i in 0..5 {
        let mut impostor = Browser::new(env.app.router.clone(), &format!("198.51.100.{i}:4000"));
        let page = env.token(&mut impostor, &request("not-the-secret")).await;
        assert_oauth_error(&page, StatusCode::UNAUTHORIZED, "invalid_client");
    }
    for i in 0..2 {
        let mut server = Browser::new(env.app.router.clone(), &format!("192.0.2.{i}:4000"));
        let page = env.token(&mut server, &request(CLIENT_SECRET)).await;
        assert_oauth_error(&page, StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let mut server = Browser::new(env.app.router.clone(), "192.0.2.9:4000");
    let limited = env.token(&mut server, &request(CLIENT_SECRET)).await;
    assert_oauth_error(
        &limited,
        StatusCode::TOO_MANY_REQUESTS,
        "temporarily_unavailable",
    );
    assert!(limited.headers.contains_key("retry-after"));
    // Another client is counted apart.
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("basic:{CLIENT_SECRET}"));
    let other = server
        .send(
            Request::post("/token")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::AUTHORIZATION, format!("Basic {credentials}"))
                .body(Body::from("grant_type=authorization_code&code=x"))
                .unwrap(),
        )
        .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST, "{}", other.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_requests_are_limited_per_client_embedded() {
    token_requests_are_limited_per_client(Backend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_requests_are_limited_per_client_postgres_redis() {
    if support::real_servers_available("oidc::token_requests_are_limited_per_client").await {
        token_requests_are_limited_per_client(Backend::PostgresRedis).await;
    }
}

// Checklist 78 (ASVS 16.3.1, 16.4.1): logins, second factors, failures, token reuse and logout
// are logged, one line each, in UTC, and a request value cannot forge a line; checklist 77:
// no password, code, token or session id reaches the log.
#[tokio::test]
async fn security_events_are_logged_one_line_each_without_secrets() {
    let log = one_login_core::logging::MemoryLog::default();
    let _capturing = log.capture(one_login_core::config::LogFormat::Text);
    let env = Env::start(Backend::Embedded).await;
    let mut browser = env.app.browser();
    let wrong = "not my password at all";
    browser
        .fill("/sign-in", &[("email", EMAIL), ("password", wrong)])
        .await
        .assert(StatusCode::BAD_REQUEST, "Incorrect");
    let (code, verifier) = env.first_code(&mut browser, &env.rp, &[]).await;
    let totp = env.app.totp_now(&env.totp);
    let tokens = env.tokens(&mut browser, &env.rp, &code, &verifier).await;
    assert_oauth_error(
        &env.redeem(&mut browser, &env.rp, &code, &verifier).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    let forged = "x\n2030-01-01T00:00:00.000000Z  INFO one_login_provider: signed in account=admin";
    let body = serde_urlencoded::to_string([(forged, "1"), (forged, "2")]).unwrap();
    assert_oauth_error(
        &browser.post_raw("/token", body).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let session = browser.cookies.values().cloned().collect::<Vec<_>>();
    let csrf = browser.get("/account").await.csrf();
    browser
        .post("/sign-out", &[("csrf_token", &csrf)])
        .await
        .assert_redirect("/signed-out");
    let text = log.text();
    let expected: [&[&str]; 6] = [
        &["sign-in failed", "what=\"password\""],
        &["signed in", "vot=\"Cl\""],
        &["signed in", "vot=\"Cl.Cm\""],
        &["authorization code used twice"],
        &["is repeated"],
        &["signed out"],
    ];
    for parts in expected {
        assert!(
            text.lines()
                .any(|line| parts.iter().all(|p| line.contains(p))),
            "{parts:?} not logged:\n{text}"
        );
    }
    for line in text.lines() {
        assert!(line.ends_with(|c: char| !c.is_control()), "{line:?}");
        let time = line.split_whitespace().next().unwrap_or_default();
        assert!(
            time.ends_with('Z') && !time.starts_with("2030"),
            "a line not stamped in UTC by the logger: {line}"
        );
    }
    let mut secrets = vec![
        PASSWORD,
        wrong,
        &code,
        &totp,
        tokens["access_token"].as_str().unwrap(),
        tokens["id_token"].as_str().unwrap(),
    ];
    secrets.extend(session.iter().map(String::as_str));
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{secret:?} reached the log:\n{text}"
        );
    }
}

// Issue 10 item 3 (checklist 77): getting back into an account logs what happened, by account,
// and never an emailed code, a password or an authenticator code.
#[tokio::test]
async fn recovery_is_logged_without_codes_or_passwords() {
    let log = one_login_core::logging::MemoryLog::default();
    let _capturing = log.capture(one_login_core::config::LogFormat::Text);
    let env = Env::start(Backend::Embedded).await;
    recover(
        &env,
        &mut env.app.browser(),
        Recovery::ForgottenPassword,
        "/account",
    )
    .await;
    // The lost app's password is the new one now.
    let mut browser = env.app.browser();
    browser
        .fill("/lost-authenticator-app", &[("email", EMAIL)])
        .await
        .assert_redirect("/lost-authenticator-app/check-email");
    let code = env.app.mail.last_code(EMAIL);
    browser
        .fill("/lost-authenticator-app/check-email", &[("code", &code)])
        .await
        .assert_redirect("/lost-authenticator-app/password");
    browser
        .fill(
            "/lost-authenticator-app/password",
            &[("password", NEW_PASSWORD)],
        )
        .await
        .assert_redirect("/lost-authenticator-app/authenticator-app");
    let secret = browser
        .get("/lost-authenticator-app/authenticator-app")
        .await
        .shown_secret();
    let app_code = env.app.totp_now(&secret);
    browser
        .fill(
            "/lost-authenticator-app/authenticator-app",
            &[("code", &app_code)],
        )
        .await
        .assert_redirect("/account");
    let text = log.text();
    for logged in ["password reset", "authenticator app replaced"] {
        assert!(text.contains(logged), "{logged:?} not logged:\n{text}");
    }
    let emailed: Vec<String> = env
        .app
        .mail
        .to(EMAIL)
        .iter()
        .flat_map(|m| {
            m.body
                .lines()
                .map(str::trim)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|l| l.len() == 6 && l.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    assert!(emailed.len() >= 2, "{emailed:?}");
    let now = env.now();
    let app_codes: Vec<String> = [env.totp.as_str(), secret.as_str()]
        .into_iter()
        .flat_map(|s| {
            (-1..=1).map(move |d| one_login_core::accounts::totp::code_at(s, now + d * 30).unwrap())
        })
        .collect();
    let secrets = [PASSWORD, NEW_PASSWORD, secret.as_str(), env.totp.as_str()];
    for secret in secrets
        .iter()
        .copied()
        .chain(emailed.iter().map(String::as_str))
        .chain(app_codes.iter().map(String::as_str))
    {
        assert!(
            !text.contains(secret),
            "{secret:?} reached the log:\n{text}"
        );
    }
}
