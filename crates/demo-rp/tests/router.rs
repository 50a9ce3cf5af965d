//! The department's router in process (`oneshot`): pages, keys, errors, and the back-channel
//! logout endpoint against a stand-in provider that serves only discovery and keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use one_login_demo_rp::config::Config;
use one_login_demo_rp::web::{AppState, router};
use one_login_rp::ClientKey;
use one_login_rp::provider::IdToken;
use one_login_rp::sessions::{IdentityCheck, Pending, Purpose, Session, SignedIn};
use serde_json::json;
use tower::ServiceExt;

fn config(issuer: &str, data_dir: &std::path::Path) -> Config {
    Config::from_toml_str(&format!(
        r#"
        service_name = "Apply for a benefit"
        service_name_cy = "Gwneud cais am fudd-dal"
        form = "apply-for-benefit"
        listen = "127.0.0.1:8082"
        public_url = "http://127.0.0.1:8082/"
        data_dir = {data_dir:?}
        client_id = "benefits"
        [provider]
        issuer = "{issuer}"
        timeout = "2s"
        [sign_in]
        vtr = "Cl.Cm"
        [identity_check]
        vtr = "Cl.Cm.P2"
        claims = ["https://vocab.account.gov.uk/v1/coreIdentityJWT"]
        "#,
        data_dir = data_dir.display().to_string()
    ))
    .unwrap()
}

struct Test {
    state: AppState,
    _dir: tempfile::TempDir,
}

impl Test {
    fn new(issuer: &str) -> Test {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(config(issuer, dir.path())).unwrap();
        Test { state, _dir: dir }
    }

    /// A provider address where nothing listens.
    fn unreachable() -> Test {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Test::new(&format!("http://127.0.0.1:{port}/"))
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, Response, String) {
        let response = router(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 22).await.unwrap();
        (
            status,
            Response::from_parts(parts, Body::empty()),
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> (StatusCode, Response, String) {
        let mut request = Request::get(path);
        if let Some(id) = cookie {
            request = request.header(header::COOKIE, format!("benefits-session={id}"));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    async fn post(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &str,
    ) -> (StatusCode, Response, String) {
        let mut request =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(id) = cookie {
            request = request.header(header::COOKIE, format!("benefits-session={id}"));
        }
        self.send(request.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    fn now(&self) -> i64 {
        self.state.one_login.now()
    }

    /// A new session, changed by `change`.
    async fn session(&self, change: impl FnOnce(&mut Session)) -> String {
        let sessions = self.state.one_login.sessions();
        let (id, mut session) = sessions.create(self.now()).await.unwrap();
        change(&mut session);
        sessions.put(&id, &session, self.now()).await.unwrap();
        id
    }

    /// A session waiting for the provider's answer to `state`.
    async fn pending_session(&self, state: &str) -> String {
        self.pending_for(Purpose::SignIn, state).await
    }

    /// A session waiting for the provider's answer to `state`, for `purpose`.
    async fn pending_for(&self, purpose: Purpose, state: &str) -> String {
        let now = self.now();
        self.session(|session| {
            session.pending = Some(Pending {
                purpose,
                state: state.into(),
                nonce: "n".into(),
                pkce_verifier: "v".repeat(43),
                sent_at: now,
            })
        })
        .await
    }
}

#[tokio::test]
async fn the_start_page_is_the_departments_and_sends_security_headers() {
    let test = Test::unreachable();
    let (status, response, body) = test.get("/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<title>Apply for a benefit - Apply for a benefit - GOV.UK</title>"),
        "{body}"
    );
    assert!(body.contains("href=\"/sign-in\""));
    assert!(body.contains("/assets/govuk-frontend.min.css"));
    let headers = response.headers();
    assert!(
        headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let (status, response, _) = test.get("/assets/govuk-frontend.min.css", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    let (status, _, body) = test.get("/healthz", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn the_footer_and_feedback_links_lead_to_the_departments_own_pages() {
    let test = Test::unreachable();
    let (_, _, start) = test.get("/", None).await;
    for (path, heading) in [
        (
            "/accessibility",
            "Accessibility statement for Apply for a benefit",
        ),
        ("/cookies", "Cookies on Apply for a benefit"),
        ("/privacy", "Privacy notice for Apply for a benefit"),
        ("/feedback", "Give feedback on Apply for a benefit"),
    ] {
        assert!(start.contains(&format!("href=\"{path}\"")), "{path} linked");
        let (status, _, body) = test.get(path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            body.contains(&format!("<h1 class=\"govuk-heading-l\">{heading}</h1>")),
            "{body}"
        );
        assert!(
            body.contains(&format!(
                "<title>{heading} - Apply for a benefit - GOV.UK</title>"
            )),
            "{body}"
        );
    }
}

#[tokio::test]
async fn the_public_key_is_served_for_the_provider() {
    let test = Test::unreachable();
    let (status, response, body) = test.get("/.well-known/jwks.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "public, max-age=300"
    );
    let jwks: serde_json::Value = serde_json::from_str(&body).unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str()),
        (Some("EC"), Some("P-256"))
    );
    assert_eq!(
        key["kid"].as_str(),
        Some(test.state.one_login.keys().current().kid())
    );
    assert!(key.get("d").is_none());
}

#[tokio::test]
async fn an_unreachable_provider_gets_a_clear_page() {
    let test = Test::unreachable();
    let (status, _, body) = test.get("/sign-in", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body.contains("Sorry, there is a problem with the service"),
        "{body}"
    );
    assert!(body.contains("GOV.UK One Login cannot be reached"));
    assert!(
        body.contains("Apply for a benefit"),
        "the department's layout"
    );
}

#[tokio::test]
async fn callbacks_must_match_the_sessions_request() {
    let test = Test::unreachable();
    let (status, _, body) = test.get("/callback?code=c&state=s", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Your session has timed out"), "{body}");

    let id = test.pending_session("the-state").await;
    let (status, _, _) = test.get("/callback?code=c&state=another", Some(&id)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The pending request was used up by that answer, even though it was wrong.
    let (status, _, _) = test
        .get("/callback?code=c&state=the-state", Some(&id))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let id = test.pending_session("s2").await;
    let (status, _, _) = test
        .get(
            "/callback?code=c&state=s2&iss=http%3A%2F%2Fevil.localhost%2F",
            Some(&id),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "RFC 9207 mix-up defence");
}

#[tokio::test]
async fn a_declined_sign_in_gets_its_own_page() {
    let test = Test::unreachable();
    let id = test.pending_session("s").await;
    let (status, _, body) = test
        .get(
            "/callback?error=access_denied&error_description=declined&state=s",
            Some(&id),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("You have not signed in"), "{body}");
    assert!(body.contains("chose not to share"));
}

/// Declines, timeouts and failures in the words GOV.UK services use, in the citizen's
/// language: never the provider's reason, an OAuth error code or a return code on the page.
#[tokio::test]
async fn declines_timeouts_and_failures_are_said_in_words_not_codes() {
    let test = Test::unreachable();
    let internal = [
        "access_denied",
        "login_required",
        "server_error",
        "said",
        "the citizen pressed Do not share",
        "session store on fire",
        "error_description",
    ];
    let cases = [
        (
            Purpose::SignIn,
            "error=access_denied&error_description=the+citizen+pressed+Do+not+share",
            StatusCode::FORBIDDEN,
            [
                "You have not signed in",
                "You chose not to share your details",
            ],
        ),
        (
            Purpose::IdentityCheck,
            "error=access_denied&error_description=the+citizen+pressed+Do+not+share",
            StatusCode::FORBIDDEN,
            [
                "We could not confirm your identity",
                "You can still apply by post",
            ],
        ),
        (
            Purpose::SignIn,
            "error=login_required&error_description=session+store+on+fire",
            StatusCode::FORBIDDEN,
            [
                "Sorry, there is a problem with the service",
                "GOV.UK One Login could not sign you in.",
            ],
        ),
        (
            Purpose::SignIn,
            "error=server_error",
            StatusCode::FORBIDDEN,
            [
                "Sorry, there is a problem with the service",
                "Try again later.",
            ],
        ),
    ];
    for (purpose, answer, status, words) in cases {
        let id = test.pending_for(purpose, "s").await;
        let (got, _, body) = test
            .get(&format!("/callback?{answer}&state=s"), Some(&id))
            .await;
        assert_eq!(got, status, "{answer}");
        for said in words {
            assert!(body.contains(said), "{answer}: {said}: {body}");
        }
        for code in internal {
            assert!(!body.contains(code), "{answer}: {code} on the page: {body}");
        }
    }

    // The session gone (timed out while the citizen was away): GOV.UK One Login's words.
    let (status, _, body) = test.get("/callback?code=c&state=s", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("<h1 class=\"govuk-heading-l\">Your session has timed out</h1>"),
        "{body}"
    );
    assert!(body.contains("You were away for a while"), "{body}");
    assert!(body.contains("href=\"/\">Start again</a>"), "{body}");
    let (status, _, body) = test.post("/application", None, APPLICATION).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Your session has timed out"), "{body}");

    // And in Welsh.
    let (status, _, body) = test
        .send(
            Request::get("/callback?code=c&state=s")
                .header(header::COOKIE, "benefits-language=cy")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Mae eich sesiwn wedi dod i ben"), "{body}");
    assert!(body.contains("Dechrau eto"), "{body}");
}

#[tokio::test]
async fn forms_need_a_session_and_its_token() {
    let test = Test::unreachable();
    for path in ["/sign-out", "/application", "/check-identity", "/refresh"] {
        let (status, _, body) = test.post(path, None, "csrf_token=x").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(body.contains("start again"), "{path}: {body}");
    }
    let id = test.session(|_| {}).await;
    let (status, _, _) = test.post("/sign-out", Some(&id), "csrf_token=wrong").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = test.post("/sign-out", Some(&id), "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, body) = test.get("/no-such-page", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    // Not signed in: the application page goes back to the start.
    let (status, response, _) = test.get("/application", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/");
}

/// A stand-in provider: discovery and a JWKS with one ES256 key, on a free port.
async fn stand_in_provider() -> (String, EncodingKey) {
    let pem = ClientKey::generate_pem().unwrap();
    let key = EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
    jwk.common.key_id = Some("provider-key".into());
    let jwks = Arc::new(JwkSet { keys: vec![jwk] });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!(
        "http://localhost:{}/",
        listener.local_addr().unwrap().port()
    );
    let discovery = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}authorize"),
        "token_endpoint": format!("{issuer}token"),
        "userinfo_endpoint": format!("{issuer}userinfo"),
        "end_session_endpoint": format!("{issuer}logout"),
        "jwks_uri": format!("{issuer}.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
    });
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            axum::routing::get(move || async move { axum::Json(discovery) }),
        )
        .route(
            "/.well-known/jwks.json",
            axum::routing::get(move || async move { axum::Json((*jwks).clone()) }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (issuer, key)
}

fn signed(key: &EncodingKey, typ: &str, claims: &serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("provider-key".into());
    header.typ = Some(typ.into());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

/// An ID token of the stand-in provider for "urn:fdc:gov.uk:2022:a".
fn id_token(key: &EncodingKey, issuer: &str, now: i64) -> IdToken {
    signed(
        key,
        "JWT",
        &json!({"iss": issuer, "aud": "benefits", "sub": "urn:fdc:gov.uk:2022:a",
                "iat": now, "exp": now + 120}),
    )
    .parse()
    .unwrap()
}

/// "urn:fdc:gov.uk:2022:a" signed in at `now` with a password and code, nothing more.
fn signed_in(id_token: &IdToken, now: i64) -> SignedIn {
    SignedIn {
        sub: "urn:fdc:gov.uk:2022:a".into(),
        sid: None,
        id_token: id_token.clone(),
        auth_time: Some(now),
        vot: Some("Cl.Cm".into()),
        email: None,
        identity: None,
        address: None,
        driving_permit: None,
        passport: None,
        return_codes: Vec::new(),
        refresh_token: None,
        signed_in_at: now,
        identity_check: None,
        age_over: Default::default(),
        refreshed_at: None,
        csrf_token: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_channel_logout_ends_the_named_session_once() {
    let (issuer, key) = stand_in_provider().await;
    let test = Test::new(&issuer);
    let now = test.now();
    let id_token = id_token(&key, &issuer, now);
    let sign_in = |sid: &'static str| {
        let user = SignedIn {
            sid: Some(sid.into()),
            ..signed_in(&id_token, now)
        };
        test.session(move |session| session.user = Some(user))
    };
    let this_browser = sign_in("sid-1").await;
    let other_browser = sign_in("sid-2").await;
    let (status, _, _) = test.get("/application", Some(&this_browser)).await;
    assert_eq!(status, StatusCode::OK);

    let token = signed(
        &key,
        "logout+jwt",
        &json!({"iss": issuer, "aud": "benefits", "iat": now, "exp": now + 120,
                "jti": "jti-1", "sub": "urn:fdc:gov.uk:2022:a", "sid": "sid-1",
                "events": {"http://schemas.openid.net/event/backchannel-logout": {}}}),
    );
    let form = format!("logout_token={token}");
    let (status, response, _) = test.post("/backchannel-logout", None, &form).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let (status, _, _) = test.get("/application", Some(&this_browser)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "this session ended");
    let (status, _, _) = test.get("/application", Some(&other_browser)).await;
    assert_eq!(status, StatusCode::OK, "another provider session stays");

    let (status, _, body) = test.post("/backchannel-logout", None, &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a replayed jti");
    assert!(body.contains("invalid_request"));
    for bad in [
        "logout_token=not-a-jwt",
        "",
        &format!("logout_token={}", id_token),
    ] {
        let (status, _, body) = test.post("/backchannel-logout", None, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(body.contains("invalid_request"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_identity_step_says_how_long_the_citizen_was_away_in_words() {
    let (issuer, key) = stand_in_provider().await;
    let test = Test::new(&issuer);
    let now = test.now();
    let id_token = id_token(&key, &issuer, now);
    for (seconds_away, words) in [
        (1, "for 1 second, too short for a new identity check"),
        (12, "for 12 seconds, too short for a new identity check"),
        (90, "with GOV.UK One Login for 90 seconds.</p>"),
    ] {
        let user = SignedIn {
            identity_check: Some(IdentityCheck {
                seconds_away,
                same_sign_in: true,
            }),
            ..signed_in(&id_token, now)
        };
        let id = test.session(|session| session.user = Some(user)).await;
        let (status, _, body) = test.get("/application", Some(&id)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(words), "{seconds_away}: {body}");
    }
}

/// Kenneth's proven identity, as the kit keeps it after checking the core identity JWT.
fn kenneth() -> one_login_rp::identity::CoreIdentity {
    let name = one_login_rp::identity::Name::new(&["Kenneth"], "Decerqueira");
    one_login_rp::identity::CoreIdentity {
        name: name.clone(),
        names: vec![name],
        birth_date: time::macros::date!(1965 - 07 - 08),
        level: "P2".into(),
    }
}

const APPLICATION: &str = "csrf_token=form-token&full_name=Kenneth+Decerqueira\
    &birth_date-day=8&birth_date-month=7&birth_date-year=1965\
    &address_line=8+Hadley+Road&town=Bath&postcode=BA2+5AA";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_application_is_sent_without_the_proven_identity_the_service_needs() {
    let (issuer, key) = stand_in_provider().await;
    let test = Test::new(&issuer);
    let now = test.now();
    let id_token = id_token(&key, &issuer, now);
    let signed_in_as = |identity| {
        let user = SignedIn {
            identity,
            ..signed_in(&id_token, now)
        };
        test.session(move |session| {
            session.csrf = "form-token".into();
            session.user = Some(user);
        })
    };

    // Signed in, identity not yet confirmed: the page offers the identity step, not the form.
    let without = signed_in_as(None).await;
    let (status, _, body) = test.get("/application", Some(&without)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("action=\"/check-identity\""), "{body}");
    assert!(!body.contains("action=\"/application\""), "{body}");
    assert!(!body.contains("Send application"), "{body}");
    // Sent anyway (a stale page, a hand-made request): refused with a page that says why.
    let (status, _, body) = test.post("/application", Some(&without), APPLICATION).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.contains("Confirm your identity before you send"),
        "{body}"
    );
    assert!(body.contains("has not been sent"), "{body}");
    assert!(!body.contains("Application sent"), "{body}");

    // With the proven identity the form is offered and taken.
    let with = signed_in_as(Some(kenneth())).await;
    let (status, _, body) = test.get("/application", Some(&with)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("action=\"/application\""), "{body}");
    assert!(!body.contains("action=\"/check-identity\""), "{body}");
    let (status, _, body) = test.post("/application", Some(&with), APPLICATION).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Application sent"), "{body}");
}

async fn get_with(
    test: &Test,
    path: &str,
    name: header::HeaderName,
    value: &str,
) -> (StatusCode, Response, String) {
    test.send(
        Request::get(path)
            .header(name, value)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_toggle_remembers_welsh_and_every_page_speaks_it() {
    let test = Test::unreachable();
    let (status, response, _) = test.get("/cookies?lang=cy", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/cookies");
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("benefits-language=cy;"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let welsh = |path: &'static str| get_with(&test, path, header::COOKIE, "benefits-language=cy");
    let (status, _, body) = welsh("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"cy\""), "{body}");
    assert!(
        body.contains("Gwneud cais am fudd-dal"),
        "the Welsh service name: {body}"
    );
    assert!(body.contains("Dechrau nawr"), "{body}");
    assert!(
        body.contains("href=\"?lang=en\""),
        "the toggle back to English: {body}"
    );
    assert!(!body.contains("Start now"), "{body}");
    // The layout's own words come from the shared catalogue.
    assert!(body.contains("Datganiad hygyrchedd"), "{body}");

    // An error page, drawn by the error mapping, in the same language.
    let (status, _, body) = welsh("/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("<html lang=\"cy\""), "{body}");
    assert!(body.contains("Heb ddod o hyd i"), "{body}");
    // And when the provider cannot be reached.
    let (status, _, body) = welsh("/sign-in").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("Nid oes modd cysylltu"), "{body}");

    // A Welsh browser, no cookie: Welsh; an English one: English with the toggle to Welsh.
    let (_, _, body) = get_with(
        &test,
        "/",
        header::ACCEPT_LANGUAGE,
        "cy-GB,cy;q=0.9,en;q=0.5",
    )
    .await;
    assert!(body.contains("<html lang=\"cy\""), "{body}");
    let (_, _, body) = get_with(&test, "/", header::ACCEPT_LANGUAGE, "en-GB").await;
    assert!(body.contains("<html lang=\"en\""), "{body}");
    assert!(
        body.contains("Apply for a benefit") && body.contains("href=\"?lang=cy\""),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_is_asked_for_the_citizen_s_language() {
    let (issuer, _) = stand_in_provider().await;
    let test = Test::new(&issuer);
    for (cookie, expected) in [
        ("benefits-language=cy", "cy"),
        ("benefits-language=en", "en"),
    ] {
        let (status, response, _) = get_with(&test, "/sign-in", header::COOKIE, cookie).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let location =
            url::Url::parse(response.headers()[header::LOCATION].to_str().unwrap()).unwrap();
        assert!(
            location.as_str().starts_with(&format!("{issuer}authorize")),
            "{location}"
        );
        let ui_locales: Vec<String> = location
            .query_pairs()
            .filter(|(name, _)| name == "ui_locales")
            .map(|(_, value)| value.into_owned())
            .collect();
        assert_eq!(ui_locales, [expected], "{location}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_is_filled_in_from_the_identity_dates_read_as_words_and_mistakes_are_named() {
    let (issuer, key) = stand_in_provider().await;
    let test = Test::new(&issuer);
    let now = test.now();
    let id_token = id_token(&key, &issuer, now);
    let user = SignedIn {
        identity: Some(kenneth()),
        address: Some(
            serde_json::from_value(json!({"buildingNumber": "8", "streetName": "Hadley Road",
                "addressLocality": "Bath", "postalCode": "BA2 5AA", "addressCountry": "GB"}))
            .unwrap(),
        ),
        ..signed_in(&id_token, now)
    };
    let id = test
        .session(|session| {
            session.csrf = "form-token".into();
            session.user = Some(user);
        })
        .await;
    let (status, _, body) = test.get("/application", Some(&id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("id=\"verified-birth-date\">8 July 1965<"),
        "{body}"
    );
    for (field, value) in [
        ("birth_date-day", "8"),
        ("birth_date-month", "7"),
        ("birth_date-year", "1965"),
        ("address_line", "8 Hadley Road"),
        ("town", "Bath"),
        ("postcode", "BA2 5AA"),
    ] {
        assert!(
            body.contains(&format!("name=\"{field}\" type=\"text\"")),
            "{field}: {body}"
        );
        assert!(
            body.contains(&format!("value=\"{value}\"")),
            "{field}: {body}"
        );
    }
    // One primary button: sending; signing out is secondary.
    assert_eq!(body.matches("class=\"govuk-button\"").count(), 1, "{body}");
    assert!(!body.contains("govuk-button--warning"), "{body}");

    // Sent: the date as words, the reference in groups of four.
    let (status, _, body) = test.post("/application", Some(&id), APPLICATION).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(">8 July 1965<"), "{body}");
    let start = body.find("id=\"reference\">").unwrap() + "id=\"reference\">".len();
    let reference = &body[start..start + 14];
    let groups: Vec<&str> = reference.split(' ').collect();
    assert_eq!(groups.len(), 3, "{reference}");
    assert!(
        groups.iter().all(|g| g.len() == 4
            && g.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())),
        "{reference}"
    );

    // Mistakes: the page again, with the citizen's answers and GOV.UK's messages.
    let mistaken = "csrf_token=form-token&full_name=&birth_date-day=31&birth_date-month=2\
        &birth_date-year=1965&address_line=8+Hadley+Road&town=Bath&postcode=BA2+5AA";
    let (status, _, body) = test.post("/application", Some(&id), mistaken).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("<title>Error: Your application"), "{body}");
    assert!(body.contains("There is a problem"), "{body}");
    assert!(
        body.contains("href=\"#full_name\">Enter your full name"),
        "{body}"
    );
    assert!(
        body.contains("href=\"#birth_date-day\">Date of birth must be a real date"),
        "{body}"
    );
    assert!(
        body.contains("value=\"31\""),
        "the answers are kept: {body}"
    );
    assert!(!body.contains("Application sent"), "{body}");

    // The same in Welsh: the month's Welsh name, Welsh messages.
    let welsh = |request: axum::http::request::Builder| {
        request.header(
            header::COOKIE,
            format!("benefits-session={id}; benefits-language=cy"),
        )
    };
    let (_, _, body) = test
        .send(
            welsh(Request::get("/application"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(body.contains(">8 Gorffennaf 1965<"), "{body}");
    let (status, _, body) = test
        .send(
            welsh(Request::post("/application"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(mistaken))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Mae problem"), "{body}");
    assert!(body.contains("Rhowch eich enw llawn"), "{body}");
}

/// Each demo department as configured (`config/departments/`) asks only for what its
/// registration at the provider (`config/clients/`) allows; the benefit service's identity step
/// asks for the address its form is filled in from (issue 15).
#[test]
fn each_department_asks_for_what_it_is_registered_for_and_benefits_for_the_address() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for name in ["driving-licence", "benefits"] {
        let department =
            Config::load(&root.join(format!("config/departments/{name}.toml"))).unwrap();
        let file = format!("config/clients/{name}.toml");
        let registration = one_login_core::oidc::clients::parse_client(
            &file,
            &std::fs::read_to_string(root.join(&file)).unwrap(),
        )
        .unwrap();
        let steps = [
            Some(&department.sign_in),
            department.identity_check.as_ref(),
            department.age_check.as_ref(),
        ];
        for step in steps.into_iter().flatten() {
            for claim in &step.claims {
                assert!(registration.claims.contains(claim), "{name}: {claim}");
            }
            for scope in &step.scopes {
                assert!(registration.scopes.contains(scope), "{name}: {scope}");
            }
        }
    }
    let benefits = Config::load(&root.join("config/departments/benefits.toml")).unwrap();
    let identity_step = benefits.identity_check.unwrap();
    assert!(
        identity_step
            .claims
            .iter()
            .any(|c| c == one_login_rp::ADDRESS_CLAIM),
        "{:?}",
        identity_step.claims
    );
}
