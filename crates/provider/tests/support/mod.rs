//! Shared by the integration tests: the storage backends under test, an app on them, and a
//! small cookie-keeping browser that drives the router in process (`oneshot`).
//!
//! Backends: SQLite and the in-memory store always; PostgreSQL and Redis at
//! `ONE_LOGIN_TEST_POSTGRES_URL` / `ONE_LOGIN_TEST_REDIS_URL` (default: the local servers). With
//! `CI=true` an unreachable server fails the test; elsewhere the test says it skipped.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use one_login_core::clock::ManualClock;
use one_login_core::config::Config;
use one_login_core::mail::{Email, Mailer};
use one_login_provider::app::{AppState, Overrides};
use one_login_provider::router;
use one_login_store::{Account, AuditEvent, AuditKind, NewAccount};
use sqlx::Connection;
use tower::ServiceExt;

pub mod rp;
pub mod wallet;

pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub const DEFAULT_REDIS: &str = "redis://127.0.0.1:6379/";

/// A durable store and a short-lived store to run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file and in-memory store: the embedded defaults.
    Embedded,
    /// PostgreSQL and Redis.
    PostgresRedis,
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

pub fn postgres_url() -> String {
    std::env::var("ONE_LOGIN_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned())
}

pub fn redis_url() -> String {
    std::env::var("ONE_LOGIN_TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS.to_owned())
}

/// Whether the real servers answer. In CI they must: a failure there fails the test.
pub async fn real_servers_available(test: &str) -> bool {
    let pg = sqlx::PgConnection::connect(&postgres_url()).await;
    let redis = match redis::Client::open(redis_url()) {
        Ok(client) => client
            .get_multiplexed_async_connection()
            .await
            .map(drop)
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match (pg, redis) {
        (Ok(_), Ok(())) => true,
        (pg, redis) => {
            let why = format!(
                "PostgreSQL at {}: {}; Redis at {}: {}",
                postgres_url(),
                pg.err()
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "ok".into()),
                redis_url(),
                redis.err().unwrap_or_else(|| "ok".into())
            );
            if in_ci() {
                panic!("{test}: CI=true requires PostgreSQL and Redis, but {why}");
            }
            eprintln!("SKIPPED {test} on PostgreSQL+Redis: {why}");
            false
        }
    }
}

/// A fresh PostgreSQL schema in the test database, as a connection URL that uses it.
pub async fn fresh_postgres_schema() -> String {
    let base = postgres_url();
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-csearch_path%3D{schema}")
}

/// A key prefix no other test uses.
pub fn fresh_redis_prefix() -> String {
    format!("test:{}:", uuid::Uuid::new_v4().simple())
}

/// Mail kept in memory, so tests read the codes citizens would read.
#[derive(Default)]
pub struct CapturedMail {
    pub sent: Mutex<Vec<Email>>,
}

#[async_trait]
impl Mailer for CapturedMail {
    async fn send(&self, email: Email) -> one_login_core::Result<()> {
        self.sent.lock().unwrap().push(email);
        Ok(())
    }
}

impl CapturedMail {
    pub fn to(&self, address: &str) -> Vec<Email> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.to == address)
            .cloned()
            .collect()
    }

    /// The 6-digit code in the newest message to `address`: a line of its own in the body (the
    /// subject never carries it, issue 11.9).
    pub fn last_code(&self, address: &str) -> String {
        let mail = self
            .to(address)
            .pop()
            .unwrap_or_else(|| panic!("no mail to {address}"));
        assert!(
            !mail.subject.bytes().any(|b| b.is_ascii_digit()),
            "a code in the subject: {mail:?}"
        );
        mail.body
            .lines()
            .map(str::trim)
            .find(|line| line.len() == 6 && line.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or_else(|| panic!("no code in {mail:?}"))
            .to_owned()
    }
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub clock: Arc<ManualClock>,
    pub mail: Arc<CapturedMail>,
    pub backend: Backend,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, "").await
    }

    /// Starts on `backend` with extra TOML over the built-in defaults.
    pub async fn start_with(backend: Backend, extra: &str) -> TestApp {
        Self::start_with_clients(backend, extra, &[]).await
    }

    /// Starts with the relying parties in `clients` (TOML files) registered.
    pub async fn start_with_clients(backend: Backend, extra: &str, clients: &[String]) -> TestApp {
        Self::start_configured(backend, extra, "", clients).await
    }

    /// Like [`Self::start_with_clients`], with `ephemeral` TOML lines in `[ephemeral]` too.
    pub async fn start_configured(
        backend: Backend,
        extra: &str,
        ephemeral: &str,
        clients: &[String],
    ) -> TestApp {
        let data_dir = tempfile::tempdir().unwrap();
        let clients_dir = data_dir.path().join("clients");
        std::fs::create_dir_all(&clients_dir).unwrap();
        for (i, client) in clients.iter().enumerate() {
            std::fs::write(clients_dir.join(format!("client-{i}.toml")), client).unwrap();
        }
        let extra = format!(
            "clients_dir = {:?}\n{extra}",
            clients_dir.display().to_string()
        );
        let (database, ephemeral_url) = match backend {
            Backend::Embedded => (String::new(), String::new()),
            Backend::PostgresRedis => (fresh_postgres_schema().await, redis_url()),
        };
        let overrides = format!(
            // `extra` between our top-level keys and our tables, so both its keys and tables land.
            "data_dir = {dir:?}\n{extra}\n[database]\nurl = {database:?}\n[ephemeral]\nurl = {ephemeral_url:?}\nkey_prefix = {prefix:?}\n{ephemeral}\n",
            dir = data_dir.path().display().to_string(),
            prefix = fresh_redis_prefix(),
        );
        let config = Config::load_with_overrides(None, &overrides).unwrap();
        let clock = Arc::new(ManualClock::starting_now());
        let mail = Arc::new(CapturedMail::default());
        let state = AppState::connect(
            config,
            Overrides {
                clock: clock.clone(),
                mailer: Some(mail.clone()),
                identity_sources: None,
            },
        )
        .await
        .unwrap();
        TestApp {
            router: router(state.clone()),
            state,
            clock,
            mail,
            backend,
            _data_dir: data_dir,
        }
    }

    pub fn browser(&self) -> Browser {
        Browser::new(self.router.clone(), "203.0.113.7:50000")
    }

    /// Creates a verified account with an authenticator app; returns its TOTP secret.
    pub async fn create_account(&self, email: &str, password: &str) -> String {
        let secret = one_login_core::accounts::totp::new_secret();
        self.create_account_with(email, password, Some(secret.clone()))
            .await;
        secret
    }

    pub async fn create_account_with(
        &self,
        email: &str,
        password: &str,
        totp_secret: Option<String>,
    ) -> String {
        let now = self.state.clock.unix();
        let password_hash = self.state.passwords.hash(password).await.unwrap();
        self.state
            .db
            .accounts()
            .create(
                NewAccount {
                    email: email.into(),
                    password_hash,
                    totp_secret,
                    email_verified: true,
                    now,
                },
                AuditEvent::new(AuditKind::AccountCreated, None, now),
            )
            .await
            .unwrap()
            .id
    }

    /// The stored account of `email`, which the test has created.
    pub async fn account(&self, email: &str) -> Account {
        self.state
            .db
            .accounts()
            .find_by_email(email)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account for {email}"))
    }

    /// The code an authenticator app shows now for `secret`.
    pub fn totp_now(&self, secret: &str) -> String {
        one_login_core::accounts::totp::code_at(secret, self.state.clock.unix()).unwrap()
    }

    /// Moves the clock past the current TOTP step, so a new code is accepted.
    pub fn next_totp_step(&self) {
        self.clock.advance(std::time::Duration::from_secs(30));
    }
}

/// A relying party's back-channel logout endpoint on this machine: its port, and the logout
/// tokens it receives (Back-Channel Logout §2.5).
pub async fn backchannel_listener() -> (u16, Arc<Mutex<Vec<String>>>) {
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = received.clone();
    let service = axum::Router::new().route(
        "/backchannel-logout",
        axum::routing::post(
            move |axum::Form(form): axum::Form<BTreeMap<String, String>>| {
                let sink = sink.clone();
                async move {
                    sink.lock().unwrap().push(form["logout_token"].clone());
                    StatusCode::OK
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    (port, received)
}

/// What came back.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF token in page:\n{}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_owned()
    }

    /// The value of the form field `name` (a hidden field, say), unescaped, if the page has one.
    pub fn field(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(
            self.body[start..end]
                .replace("&#x2f;", "/")
                .replace("&#47;", "/")
                .replace("&#x27;", "'")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
                .replace("&#34;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        )
    }

    /// The text of `<title>`.
    /// The secret an authenticator app set-up page shows, without its spaces.
    pub fn shown_secret(&self) -> String {
        let marker = "id=\"secret-key\">";
        let start = self.body.find(marker).expect("secret on page") + marker.len();
        let end = self.body[start..].find('<').unwrap() + start;
        self.body[start..end].split_whitespace().collect()
    }

    pub fn title(&self) -> &str {
        let start = self.body.find("<title>").map(|i| i + 7).unwrap_or(0);
        let end = self.body[start..]
            .find("</title>")
            .map(|i| i + start)
            .unwrap_or(start);
        &self.body[start..end]
    }

    #[track_caller]
    pub fn assert(&self, status: StatusCode, text: &str) -> &Self {
        assert_eq!(self.status, status, "body:\n{}", self.body);
        assert!(
            self.body.contains(text),
            "expected {text:?} in:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_redirect(&self, to: &str) -> &Self {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "body:\n{}", self.body);
        assert_eq!(self.location(), to);
        self
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }
}

/// Keeps cookies between requests, like a browser, and sends requests from one client address.
pub struct Browser {
    router: Router,
    pub cookies: BTreeMap<String, String>,
    pub peer: SocketAddr,
}

impl Browser {
    pub fn new(router: Router, peer: &str) -> Self {
        Browser {
            router,
            cookies: BTreeMap::new(),
            peer: peer.parse().unwrap(),
        }
    }

    /// Another tab of the same browser: the same cookies now, kept apart from here on. For
    /// requests sent at the same time on one session.
    pub fn twin(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: self.cookies.clone(),
            peer: self.peer,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, request: Request<Body>) -> Page {
        let mut request = request;
        request.extensions_mut().insert(ConnectInfo(self.peer));
        if !self.cookies.is_empty() {
            request
                .headers_mut()
                .insert(header::COOKIE, self.cookie_header().parse().unwrap());
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let cookie = cookie::Cookie::parse(set.to_str().unwrap().to_owned()).unwrap();
            if cookie.max_age() == Some(cookie::time::Duration::ZERO) || cookie.value().is_empty() {
                self.cookies.remove(cookie.name());
            } else {
                self.cookies
                    .insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
        let bytes = axum::body::to_bytes(response.into_body(), 4 * 1024 * 1024)
            .await
            .unwrap();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// POSTs a form exactly as given.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.post_raw(path, body).await
    }

    pub async fn post_raw(&mut self, path: &str, body: String) -> Page {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// GETs the form page at `path`, then POSTs `fields` to it with its CSRF token, as a person
    /// filling in the page would.
    pub async fn fill(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let form = self.get(path).await;
        assert_eq!(form.status, StatusCode::OK, "GET {path}:\n{}", form.body);
        let token = form.csrf();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    /// Signs in with password and authenticator code; ends on the account page redirect.
    pub async fn sign_in(&mut self, app: &TestApp, email: &str, password: &str, secret: &str) {
        self.fill("/sign-in", &[("email", email), ("password", password)])
            .await
            .assert_redirect("/sign-in/authenticator-code");
        let code = app.totp_now(secret);
        self.fill("/sign-in/authenticator-code", &[("code", &code)])
            .await
            .assert_redirect("/account");
    }
}

/// Declares each test once per backend: `name::embedded` and `name::postgres_redis`.
#[macro_export]
macro_rules! backend_tests {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::support::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn embedded() {
                    run($crate::support::TestApp::start($crate::support::Backend::Embedded).await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres_redis() {
                    if $crate::support::real_servers_available(concat!(module_path!(), "::", stringify!($name))).await {
                        run($crate::support::TestApp::start($crate::support::Backend::PostgresRedis).await).await;
                    }
                }
            }
        )*
    };
}

/// Like `backend_tests!`, each test started with its own TOML over `config/default.toml`:
/// `#[config("[sign_in]\nmax_failed_attempts = 3")] async fn name(app: TestApp) { ... }`.
#[macro_export]
macro_rules! configured_backend_tests {
    ($(#[config($extra:expr)] async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::support::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn embedded() {
                    run($crate::support::TestApp::start_with($crate::support::Backend::Embedded, $extra).await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres_redis() {
                    if $crate::support::real_servers_available(concat!(module_path!(), "::", stringify!($name))).await {
                        run($crate::support::TestApp::start_with($crate::support::Backend::PostgresRedis, $extra).await).await;
                    }
                }
            }
        )*
    };
}
