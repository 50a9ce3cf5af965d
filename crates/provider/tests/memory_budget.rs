//! The in-memory short-lived store under pressure, through the router (issue 12.2): anonymous
//! page views store nothing, and a flood of anonymous requests and authorization requests that
//! fills the store's byte budget gets 503 with `Retry-After`, never a 500, while a signed-in
//! citizen stays signed in and every replay mark holds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use axum::http::{StatusCode, header};
use one_login_core::sessions::SessionId;
use one_login_test_support::pkce;
use support::rp::{RelyingParty, client_params};
use support::{Backend, Browser, Page, TestApp};

const PASSWORD: &str = "correct horse battery staple";
const EMAIL: &str = "ada@example.com";

/// Entries in the in-memory store now.
fn entries(app: &TestApp) -> usize {
    app.state.ephemeral.usage().expect("in memory").entries
}

fn form_cookie(browser: &Browser) -> Option<&String> {
    browser.cookies.get("one-login-form")
}

fn session_cookie(browser: &Browser) -> Option<&String> {
    browser.cookies.get("one-login-session")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_pages_store_nothing_yet_their_forms_pass_csrf() {
    let app = TestApp::start(Backend::Embedded).await;
    let secret = app.create_account(EMAIL, PASSWORD).await;
    let before = entries(&app);
    let mut browser = app.browser();
    for path in ["/sign-in", "/create-account", "/sign-in", "/create-account"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert_eq!(entries(&app), before, "GET {path} stored something");
    }
    assert!(
        session_cookie(&browser).is_none(),
        "no session for a page view"
    );
    let cookie = form_cookie(&browser).cloned().expect("the form cookie");
    let sign_in = browser.get("/sign-in").await;
    assert!(sign_in.set_cookies().is_empty(), "the form cookie is kept");
    assert_eq!(form_cookie(&browser), Some(&cookie));

    // A token from another browser's cookie, a forged one, none: refused, nothing stored.
    let mut other = app.browser();
    let others_token = other.get("/sign-in").await.csrf();
    for token in [others_token.as_str(), "forged", ""] {
        let page = browser
            .post(
                "/sign-in",
                &[
                    ("csrf_token", token),
                    ("email", EMAIL),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "{token:?}: {}",
            page.body
        );
    }
    // The page's own token, without the cookie it was made for: refused.
    let mut cookieless = app.browser();
    let page = cookieless
        .post(
            "/sign-in",
            &[
                ("csrf_token", &sign_in.csrf()),
                ("email", EMAIL),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    // Only the client address's sign-in rate-limit counter (POSTs are counted): no session.
    assert_eq!(entries(&app), before + 1);
    assert!(session_cookie(&browser).is_none() && session_cookie(&cookieless).is_none());

    // The real form passes: the session is made when the citizen submits.
    browser
        .post(
            "/sign-in",
            &[
                ("csrf_token", &sign_in.csrf()),
                ("email", EMAIL),
                ("password", PASSWORD),
            ],
        )
        .await
        .assert_redirect("/sign-in/authenticator-code");
    assert!(session_cookie(&browser).is_some());
    app.next_totp_step();
    let code = app.totp_now(&secret);
    browser
        .fill("/sign-in/authenticator-code", &[("code", &code)])
        .await
        .assert_redirect("/account");

    // Signed in, forms carry the session's token: the form cookie's no longer does.
    let page = browser
        .post(
            "/sign-out",
            &[("csrf_token", &app.state.form_tokens.token_for(&cookie))],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);

    // Creating an account: the email form passes on the cookie's token too.
    let mut newcomer = app.browser();
    newcomer
        .fill("/create-account", &[("email", "grace@example.com")])
        .await
        .assert_redirect("/create-account/check-email");
    assert!(session_cookie(&newcomer).is_some());
}

/// A relying party, a signed-in citizen who has agreed to share with it, on a store of
/// `budget` bytes whose abandoned journeys are kept `journey` long.
struct Flood {
    app: TestApp,
    rp: RelyingParty,
    citizen: Browser,
}

impl Flood {
    async fn start(budget: u64, journey: &str) -> Flood {
        let rp = RelyingParty::new("driving", "www.driving.example.gov.uk");
        let app = TestApp::start_configured(
            Backend::Embedded,
            &format!("[session]\njourney_idle_timeout = {journey:?}\n"),
            &format!("memory_max_bytes = {budget}"),
            &[rp.registration("")],
        )
        .await;
        let secret = app.create_account(EMAIL, PASSWORD).await;
        let mut citizen = app.browser();
        let (url, _) = authorize_url(&rp);
        citizen.get(&url).await.assert_redirect("/");
        citizen
            .fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)])
            .await
            .assert_redirect("/sign-in/authenticator-code");
        app.next_totp_step();
        let code = app.totp_now(&secret);
        citizen
            .fill("/sign-in/authenticator-code", &[("code", &code)])
            .await
            .assert_redirect("/authorize/continue");
        citizen
            .get("/authorize/continue")
            .await
            .assert_redirect("/authorize/consent");
        let agreed = citizen
            .fill("/authorize/consent", &[("decision", "agree")])
            .await;
        client_params(&agreed, &rp);
        Flood { app, rp, citizen }
    }

    /// Single sign-on: the signed-in citizen's browser gets a code straight away.
    async fn sso_code(&mut self) -> (String, String) {
        let (url, verifier) = authorize_url(&self.rp);
        let page = self.citizen.get(&url).await;
        let params = client_params(&page, &self.rp);
        (params["code"].clone(), verifier)
    }

    fn token_form(&self, code: &str, verifier: &str, assertion: &str) -> Vec<(String, String)> {
        [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.rp.redirect_uri),
            ("code_verifier", verifier),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn assertion(&self) -> String {
        let issuer = &self.app.state.config.issuer;
        self.rp
            .assertion(&format!("{issuer}token"), self.app.state.clock.unix())
    }

    async fn token(&self, form: &[(String, String)]) -> Page {
        let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (&**k, &**v)).collect();
        // The relying party's server, from its own address.
        Browser::new(self.app.router.clone(), "198.51.100.9:40000")
            .post("/token", &fields)
            .await
    }
}

fn authorize_url(rp: &RelyingParty) -> (String, String) {
    let (verifier, challenge) = pkce();
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("scope", "openid email"),
        ("client_id", &rp.client_id),
        ("redirect_uri", &rp.redirect_uri),
        ("state", "s"),
        ("nonce", "n"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ])
    .unwrap();
    (format!("/authorize?{query}"), verifier)
}

/// A 503 for a person: the "try again" page, with `Retry-After`.
#[track_caller]
fn assert_try_again(page: &Page) {
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
    assert!(page.headers.contains_key(header::RETRY_AFTER), "{page:?}");
    assert!(page.body.contains("Try again"), "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_fills_the_store_yet_the_signed_in_citizen_stays_signed_in() {
    let journey = Duration::from_secs(3);
    let mut flood = Flood::start(192 << 10, "3s").await;
    let budget = flood.app.state.ephemeral.usage().unwrap().budget;

    // One journey's cost: its session record with the authorization request, key and overhead.
    let before = flood.app.state.ephemeral.usage().unwrap();
    let mut one = Browser::new(flood.app.router.clone(), "192.0.2.253:1000");
    one.get(&authorize_url(&flood.rp).0)
        .await
        .assert_redirect("/");
    let after_one = flood.app.state.ephemeral.usage().unwrap();
    assert_eq!(
        after_one.entries,
        before.entries + 1,
        "one record a journey"
    );
    let journey_bytes = after_one.bytes - before.bytes;
    let id = SessionId::parse(session_cookie(&one).unwrap()).unwrap();
    let now = flood.app.state.clock.unix();
    let session = flood
        .app
        .state
        .sessions
        .load(&id, now)
        .await
        .unwrap()
        .unwrap();
    let json = serde_json::to_string(&session.session).unwrap();
    println!(
        "one journey: its session record is {} bytes of JSON",
        json.len()
    );
    println!("one journey: {journey_bytes} bytes in the store");
    assert!(
        journey_bytes < 1_000,
        "a journey's record is fat: {journey_bytes} bytes"
    );

    // A flood of new visitors, each starting an authorization request (a stored journey) and
    // viewing the sign-in page (nothing stored), until the store refuses new journeys.
    let (mut started, mut refused) = (0, 0);
    let flood_began = std::time::Instant::now();
    for visitor in 0..5_000 {
        let mut browser = Browser::new(
            flood.app.router.clone(),
            &format!("192.0.2.{}:1000", visitor % 250),
        );
        let (url, _) = authorize_url(&flood.rp);
        let page = browser.get(&url).await;
        match page.status {
            StatusCode::SEE_OTHER => started += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_try_again(&page);
                refused += 1;
            }
            other => panic!("{other}: {}", page.body),
        }
        let page = browser.get("/sign-in").await;
        assert!(
            page.status == StatusCode::OK || page.status == StatusCode::SEE_OTHER,
            "{}",
            page.body
        );
        if refused == 20 {
            break;
        }
    }
    assert!(
        flood_began.elapsed() < journey,
        "the flood outlived its journeys: the test proves nothing"
    );
    assert_eq!(refused, 20, "{started} journeys and never full");
    let usage = flood.app.state.ephemeral.usage().unwrap();
    assert!(usage.bytes <= budget, "{usage:?}");
    println!("flood: {started} journeys stored, then refused; store {usage:?}");

    // The citizen is still signed in: single sign-on gives a code, the code gives tokens.
    let (code, verifier) = flood.sso_code().await;
    let assertion = flood.assertion();
    let form = flood.token_form(&code, &verifier, &assertion);
    let tokens = flood.token(&form).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    // Replay marks hold: the code again is refused, and so is the assertion again.
    let fresh = flood.assertion();
    let replayed_code = flood
        .token(&flood.token_form(&code, &verifier, &fresh))
        .await;
    assert_eq!(
        replayed_code.status,
        StatusCode::BAD_REQUEST,
        "{}",
        replayed_code.body
    );
    assert!(replayed_code.body.contains("invalid_grant"));
    let (code2, verifier2) = flood.sso_code().await;
    let replayed_assertion = flood
        .token(&flood.token_form(&code2, &verifier2, &assertion))
        .await;
    assert_eq!(
        replayed_assertion.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        replayed_assertion.body
    );
    // A new visitor is still turned away (503, try again), not served by forgetting someone.
    let mut late = Browser::new(flood.app.router.clone(), "192.0.2.251:1000");
    assert_try_again(&late.get(&authorize_url(&flood.rp).0).await);

    // Once the flood's journeys expire, new flows work again, and the citizen is signed in.
    tokio::time::sleep(journey + Duration::from_millis(300)).await;
    let mut after = Browser::new(flood.app.router.clone(), "192.0.2.252:1000");
    after
        .get(&authorize_url(&flood.rp).0)
        .await
        .assert_redirect("/");
    let (code3, verifier3) = flood.sso_code().await;
    let assertion = flood.assertion();
    let tokens = flood
        .token(&flood.token_form(&code3, &verifier3, &assertion))
        .await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
}
