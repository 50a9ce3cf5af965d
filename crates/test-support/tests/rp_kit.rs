//! The relying-party kit against the real provider: the provider in process on a real port,
//! a small department built on the kit alone (as the kit's documentation shows one), and a
//! cookie-keeping browser going between them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::FromRef;
use axum::response::Html;
use axum::routing::get;
use one_login_rp::{
    CORE_IDENTITY_CLAIM, Config, KeyRing, OneLogin, ProvenIdentity, RETURN_CODE_CLAIM,
    RedisSessions, ReturnCode, SignedIn,
};
use one_login_test_support::{
    Browser, Page, RunningProvider, agree_if_asked, free_port, prove_as_kenneth,
    sign_in_at_provider,
};

const EMAIL: &str = "kit@example.com";

#[derive(Clone, FromRef)]
struct App {
    one_login: OneLogin,
}

/// The department's one page: who signed in, and the proven identity if there is one.
async fn account(
    citizen: SignedIn,
    identity: Option<ProvenIdentity>,
    codes: ReturnCode,
) -> Html<String> {
    let (name, born) = identity
        .map(|i| (i.core.full_name(), i.core.birth_date.to_string()))
        .unwrap_or_default();
    Html(format!(
        "<code id=\"sub\">{}</code><p id=\"vot\">{}</p><p id=\"name\">{name}</p>\
         <p id=\"birth-date\">{born}</p><p id=\"codes\">{}</p>\
         <form method=\"post\" action=\"/sign-out\">\
         <input type=\"hidden\" name=\"csrf_token\" value=\"{}\"></form>",
        citizen.sub,
        citizen.vot.unwrap_or_default(),
        codes.0.join(","),
        citizen.csrf_token,
    ))
}

/// One department: its client id, address and what it asks for.
struct Department {
    client_id: &'static str,
    port: u16,
    vtr: &'static str,
    claims: Vec<String>,
    request_object: bool,
}

impl Department {
    fn new(client_id: &'static str, vtr: &'static str) -> Department {
        Department {
            client_id,
            port: free_port(),
            vtr,
            claims: Vec::new(),
            request_object: false,
        }
    }

    fn asking_for_identity(mut self) -> Department {
        self.claims = vec![CORE_IDENTITY_CLAIM.into()];
        self
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Its client file for the provider (`config/clients/`).
    fn registration(&self) -> String {
        let base = self.base();
        format!(
            "client_id = {id:?}\nname = \"Kit test {id}\"\nredirect_uris = [\"{base}callback\"]\n\
             post_logout_redirect_uris = [\"{base}signed-out\"]\n\
             backchannel_logout_uri = \"{base}backchannel-logout\"\n\
             token_endpoint_auth_method = \"private_key_jwt\"\njwks_uri = \"{base}.well-known/jwks.json\"\n\
             scopes = [\"openid\", \"email\"]\nclaims = [\"email\", {CORE_IDENTITY_CLAIM:?}, {RETURN_CODE_CLAIM:?}]\n\
             id_token_signed_response_alg = \"ES256\"\nrequire_pkce = true\nrequire_nonce = true\n\
             identity_verification_supported = true\n",
            id = self.client_id,
        )
    }

    /// Serves the department on its port, sessions in memory or in `sessions`.
    async fn serve(
        &self,
        issuer: &str,
        sessions: Option<RedisSessions>,
    ) -> (OneLogin, tempfile::TempDir) {
        let mut config = Config::new(issuer, self.client_id, &self.base(), self.vtr);
        config.sign_in.claims = self.claims.clone();
        config.sign_in.request_object = self.request_object;
        config.after_sign_in = "/account".into();
        let dir = tempfile::tempdir().unwrap();
        let mut one_login =
            OneLogin::new(config, KeyRing::load_or_create(dir.path()).unwrap()).unwrap();
        if let Some(sessions) = sessions {
            one_login = one_login.with_sessions(sessions);
        }
        let app = Router::new()
            .route("/account", get(account))
            .route("/signed-out", get(|| async { "You have signed out" }))
            .merge(OneLogin::routes())
            .with_state(App {
                one_login: one_login.clone(),
            });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (one_login, dir)
    }
}

/// The provider with `departments` registered and the citizen's account.
async fn provider(departments: &[&Department], tamper_identity: bool) -> RunningProvider {
    let clients: Vec<String> = departments.iter().map(|d| d.registration()).collect();
    let provider = RunningProvider::start_with(&clients, tamper_identity).await;
    provider.create_account(EMAIL).await;
    provider
}

/// Signs in at `department` from its sign-in route; the page the browser ends on.
async fn sign_in(browser: &Browser, department: &Department) -> Page {
    let page = browser.get(&department.url("/sign-in")).await;
    sign_in_at_provider(browser, page, EMAIL).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_signs_in_and_the_kit_gives_the_pairwise_sub_and_vot() {
    let department = Department::new("kit-sign-in", "Cl.Cm");
    let provider = provider(&[&department], false).await;
    let (_kit, _dir) = department.serve(&provider.issuer, None).await;
    let browser = Browser::new();

    let page = sign_in(&browser, &department).await;
    assert_eq!(page.url, department.url("/account"), "{}", page.body);
    assert!(page.text_of("sub").starts_with("urn:fdc:gov.uk:2022:"));
    assert_eq!(page.text_of("vot"), "Cl.Cm");
    assert_eq!(page.text_of("name"), "", "no identity was asked for");
    // Signed in: the sign-in route sends the citizen straight on.
    assert_eq!(
        browser.get_once(&department.url("/sign-in")).await,
        (303, Some("/account".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_request_object_carries_the_request() {
    let mut department = Department::new("kit-jar", "Cl.Cm");
    department.request_object = true;
    let provider = provider(&[&department], false).await;
    let (_kit, _dir) = department.serve(&provider.issuer, None).await;
    let browser = Browser::new();

    let (status, location) = browser.get_once(&department.url("/sign-in")).await;
    assert_eq!(status, 303);
    let location = url::Url::parse(&location.unwrap()).unwrap();
    let names: Vec<String> = location
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(names, ["client_id", "response_type", "scope", "request"]);
    let page = browser.get(location.as_str()).await;
    let page = sign_in_at_provider(&browser, page, EMAIL).await;
    assert_eq!(page.url, department.url("/account"), "{}", page.body);
    assert_eq!(page.text_of("vot"), "Cl.Cm");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proven_identity_comes_through_proven_identity() {
    let department = Department::new("kit-identity", "Cl.Cm.P2").asking_for_identity();
    let provider = provider(&[&department], false).await;
    let (_kit, _dir) = department.serve(&provider.issuer, None).await;
    let browser = Browser::new();

    let page = sign_in(&browser, &department).await;
    let page = prove_as_kenneth(&browser, page).await;
    assert_eq!(page.url, department.url("/account"), "{}", page.body);
    assert_eq!(page.text_of("name"), "Kenneth Decerqueira");
    assert_eq!(page.text_of("birth-date"), "1965-07-08");
    assert_eq!(page.text_of("codes"), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_not_proven_comes_through_return_code() {
    let mut department = Department::new("kit-return-code", "Cl.Cm.P2").asking_for_identity();
    department.claims.push(RETURN_CODE_CLAIM.into());
    let provider = provider(&[&department], false).await;
    let (_kit, _dir) = department.serve(&provider.issuer, None).await;
    let browser = Browser::new();

    let page = sign_in(&browser, &department).await;
    assert_eq!(page.path(), "/identity/start", "{}", page.body);
    let stopped = browser
        .submit(&page, "/identity/start", &[("document", "none")])
        .await;
    stopped.assert_contains("You have not proved your identity");
    let page = browser.submit(&stopped, "/identity/stop", &[]).await;
    assert_eq!(page.url, department.url("/account"), "{}", page.body);
    assert_eq!(page.text_of("codes"), "S", "signed in, not proven, and why");
    assert_eq!(page.text_of("name"), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_core_identity_jwt_is_refused() {
    let department = Department::new("kit-tampered", "Cl.Cm.P2").asking_for_identity();
    let provider = provider(&[&department], true).await;
    let (_kit, _dir) = department.serve(&provider.issuer, None).await;
    let browser = Browser::new();

    let page = sign_in(&browser, &department).await;
    let page = prove_as_kenneth(&browser, page).await;
    assert_eq!(page.path(), "/callback");
    assert_eq!(page.status, 502, "{}", page.body);
    assert_eq!(
        browser.get_once(&department.url("/account")).await,
        (303, Some("/sign-in".into())),
        "not signed in"
    );
}

/// The authorization request the department's sign-in route sends the browser to.
async fn authorization_request(browser: &Browser, department: &Department) -> url::Url {
    let (status, location) = browser.get_once(&department.url("/sign-in")).await;
    assert_eq!(status, 303);
    url::Url::parse(&location.unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_to_another_request_or_with_another_nonce_is_refused() {
    let department = Department::new("kit-state", "Cl.Cm");
    let provider = provider(&[&department], false).await;
    let (_kit, _dir) = department.serve(&provider.issuer, None).await;
    let browser = Browser::new();

    // The answer to an older request: its state is not the session's.
    let older = authorization_request(&browser, &department).await;
    let _newer = authorization_request(&browser, &department).await;
    let page = browser.get(older.as_str()).await;
    let page = sign_in_at_provider(&browser, page, EMAIL).await;
    assert_eq!((page.path().as_str(), page.status), ("/callback", 400));

    // A request whose nonce was changed on its way: the ID token names another nonce.
    let mut request = authorization_request(&browser, &department).await;
    let pairs: Vec<(String, String)> = request
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "nonce" { "changed".into() } else { v };
            (k.into_owned(), v.into_owned())
        })
        .collect();
    request.query_pairs_mut().clear().extend_pairs(pairs);
    let page = agree_if_asked(&browser, browser.get(request.as_str()).await).await;
    assert_eq!((page.path().as_str(), page.status), ("/callback", 502));
    assert_eq!(
        browser.get_once(&department.url("/account")).await,
        (303, Some("/sign-in".into()))
    );
}

/// Signs in at `first` then `second` (single sign-on), signs out at `first`, and waits for the
/// provider's back-channel logout to end the session at `second`.
async fn sign_out_ends_the_other_departments_session(first: &Department, second: &Department) {
    let browser = Browser::new();
    let page = sign_in(&browser, first).await;
    assert_eq!(page.url, first.url("/account"), "{}", page.body);
    let page = agree_if_asked(&browser, browser.get(&second.url("/sign-in")).await).await;
    assert_eq!(page.url, second.url("/account"), "{}", page.body);

    let first_page = browser.get(&first.url("/account")).await;
    let signed_out = browser.submit(&first_page, "/sign-out", &[]).await;
    assert_eq!(
        (signed_out.path().as_str(), signed_out.body.as_str()),
        ("/signed-out", "You have signed out")
    );
    assert!(signed_out.url.starts_with(&first.url("/signed-out?state=")));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let answer = browser.get_once(&second.url("/account")).await;
        if answer == (303, Some("/sign-in".into())) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the second session was not ended by back-channel logout: {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_channel_logout_ends_the_kit_session() {
    let first = Department::new("kit-first", "Cl.Cm");
    let second = Department::new("kit-second", "Cl.Cm");
    let provider = provider(&[&first, &second], false).await;
    let _first = first.serve(&provider.issuer, None).await;
    let _second = second.serve(&provider.issuer, None).await;
    sign_out_ends_the_other_departments_session(&first, &second).await;
}

fn redis_url() -> String {
    std::env::var("ONE_LOGIN_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_channel_logout_ends_a_session_kept_in_redis() {
    let prefix = format!("kit-test:{}:", uuid_like());
    let sessions = match RedisSessions::connect(&redis_url(), &prefix).await {
        Ok(sessions) => sessions,
        Err(e) if std::env::var("CI").is_err() => {
            eprintln!("SKIPPED: Redis at {} is not reachable: {e}", redis_url());
            return;
        }
        Err(e) => panic!("CI needs Redis at {}: {e}", redis_url()),
    };
    let first = Department::new("kit-redis-first", "Cl.Cm");
    let second = Department::new("kit-redis-second", "Cl.Cm");
    let provider = provider(&[&first, &second], false).await;
    let _first = first.serve(&provider.issuer, None).await;
    let (second_kit, _dir) = second.serve(&provider.issuer, Some(sessions)).await;
    sign_out_ends_the_other_departments_session(&first, &second).await;
    // The session is gone from Redis itself, not only from this process's view.
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let left: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}session:*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut signed_in = 0;
    for key in left {
        let text: String = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        if serde_json::from_str::<serde_json::Value>(&text).unwrap()["user"].is_object() {
            signed_in += 1;
        }
    }
    assert_eq!(signed_in, 0, "no signed-in session left");
    drop(second_kit);
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
