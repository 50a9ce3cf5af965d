//! The real `one-login` binary as an operator runs it: configuration errors, `create-account`,
//! `serve` over http and https, on the embedded defaults and on PostgreSQL + Redis, and a Redis
//! server that dies and comes back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{fresh_postgres_schema, fresh_redis_prefix, real_servers_available, redis_url};

const BIN: &str = env!("CARGO_BIN_EXE_one-login");
const PASSWORD: &str = "correct horse battery staple";

/// The identity encryption key the replicas share (base64 of 32 bytes; a test value).
const IDENTITY_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// The key-encryption key the replicas share (base64 of 32 bytes; a test value).
const KEY_ENCRYPTION_KEY: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

/// `one-login ARGS` with `env`, outside any inherited ONE_LOGIN__ settings.
fn one_login(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.current_dir(workspace());
    command.args(args);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ONE_LOGIN__")) {
        command.env_remove(key);
    }
    command.envs(env.iter().copied()).output().unwrap()
}

/// [`one_login`] for a command that must end by itself within `limit` (a `serve` that should
/// refuse to start): killed and failed if it does not.
fn one_login_within(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Output {
    let mut command = Command::new(BIN);
    command.current_dir(workspace()).args(args);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ONE_LOGIN__")) {
        command.env_remove(key);
    }
    let mut child = command
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!("{args:?} {env:?} still running: {}", stderr(&output));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// The repository's top folder: the built-in `clients_dir` (`config/clients`) is found from there.
fn workspace() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn check_config_accepts_the_built_in_defaults() {
    let output = one_login(&["check-config"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("configuration is valid"));
}

#[test]
fn bad_configuration_names_the_key_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = dir.path().join("unknown.toml");
    std::fs::write(&unknown, "colour = \"blue\"\n").unwrap();
    // (arguments after the command, environment, the key the error must name)
    type Case<'a> = (Vec<String>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["--config".into(), unknown.display().to_string()],
            vec![],
            "colour",
        ),
        (
            vec!["--config".into(), "/no/such/file.toml".into()],
            vec![],
            "--config",
        ),
        (
            vec![],
            vec![("ONE_LOGIN__SERVER__LISTEN", "not an address")],
            "server.listen",
        ),
        (
            vec![],
            vec![("ONE_LOGIN__ISSUER", "http://example.gov.uk/")],
            "issuer",
        ),
        (
            vec![],
            vec![("ONE_LOGIN__DATABASE__URL", "mysql://x")],
            "database.url",
        ),
        (
            vec![],
            vec![("ONE_LOGIN__SESSION__IDLE_TIMEOUT", "forever")],
            "session.idle_timeout",
        ),
        (
            vec![],
            vec![("ONE_LOGIN__SERVER__TLS_CERT", "/no/cert.pem")],
            "server.tls",
        ),
        // Issue 11.9: the demo's outbox (codes in files) is refused with an https issuer...
        (
            vec![],
            vec![("ONE_LOGIN__ISSUER", "https://signin.example.gov.uk/")],
            "mail.transport",
        ),
        // ...and so (issue 11.13) is the demo's outbound allowance for this machine.
        (
            vec![],
            vec![
                ("ONE_LOGIN__ISSUER", "https://signin.example.gov.uk/"),
                ("ONE_LOGIN__MAIL__TRANSPORT", "smtp"),
                (
                    "ONE_LOGIN__MAIL__SMTP_URL",
                    "smtps://relay.example.gov.uk:465",
                ),
            ],
            "outbound.allow_loopback",
        ),
    ];
    for (args, env, key) in cases {
        for command in ["check-config", "serve"] {
            let mut all = vec![command];
            all.extend(args.iter().map(String::as_str));
            let output = one_login(&all, &env);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{command} {args:?} {env:?}: {}",
                stderr(&output)
            );
            assert!(
                stderr(&output).contains(key),
                "{command} {args:?} {env:?}: {}",
                stderr(&output)
            );
        }
    }
}

#[test]
fn create_account_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let env = [("ONE_LOGIN__DATA_DIR", data.as_str())];
    let weak = one_login(
        &[
            "create-account",
            "--email",
            "ada@example.com",
            "--password",
            "password",
        ],
        &env,
    );
    assert!(!weak.status.success());
    assert!(
        stderr(&weak).contains("password refused"),
        "{}",
        stderr(&weak)
    );
    let bad_email = one_login(
        &["create-account", "--email", "ada", "--password", PASSWORD],
        &env,
    );
    assert!(
        stderr(&bad_email).contains("email address refused"),
        "{}",
        stderr(&bad_email)
    );
    let bad_secret = one_login(
        &[
            "create-account",
            "--email",
            "ada@example.com",
            "--password",
            PASSWORD,
            "--totp-secret",
            "!!",
        ],
        &env,
    );
    assert!(
        stderr(&bad_secret).contains("base32"),
        "{}",
        stderr(&bad_secret)
    );
    let created = one_login(
        &[
            "create-account",
            "--email",
            "ada@example.com",
            "--password",
            PASSWORD,
            "--totp-secret",
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        ],
        &env,
    );
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(String::from_utf8_lossy(&created.stdout).contains("created account"));
    let again = one_login(
        &[
            "create-account",
            "--email",
            "ADA@example.com",
            "--password",
            PASSWORD,
        ],
        &env,
    );
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert!(Path::new(&data).join("one-login.sqlite").exists());
}

/// A provider process, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn start(env: &[(&str, &str)], scheme: &str) -> Server {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut command = Command::new(BIN);
    command.current_dir(workspace()).arg("serve");
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ONE_LOGIN__")) {
        command.env_remove(key);
    }
    command
        .env("ONE_LOGIN__SERVER__LISTEN", &listen)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let server = Server {
        child: command.spawn().unwrap(),
        base: format!("{scheme}://localhost:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let client = client();
    loop {
        if let Ok(response) = client.get(format!("{}/healthz", server.base)).send().await
            && response.status() == 200
        {
            return server;
        }
        assert!(
            Instant::now() < deadline,
            "server on {listen} did not become healthy"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn csrf(body: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker).unwrap() + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

/// Signs in over real HTTP, as a browser would, and reads the account page; returns the browser.
async fn sign_in_over_http(base: &str, email: &str, secret: &str) -> reqwest::Client {
    let client = client();
    let form = client
        .get(format!("{base}/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = client
        .post(format!("{base}/sign-in"))
        .form(&[
            ("csrf_token", csrf(&form).as_str()),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/sign-in/authenticator-code"
    );
    let form = client
        .get(format!("{base}/sign-in/authenticator-code"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let code = one_login_core::accounts::totp::code_at(secret, now).unwrap();
    let response = client
        .post(format!("{base}/sign-in/authenticator-code"))
        .form(&[
            ("csrf_token", csrf(&form).as_str()),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/account");
    let account = client.get(format!("{base}/account")).send().await.unwrap();
    assert_eq!(account.status(), 200);
    assert!(account.text().await.unwrap().contains(email));
    client
}

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

#[tokio::test]
async fn serve_on_the_embedded_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let env = [("ONE_LOGIN__DATA_DIR", data.as_str())];
    let created = one_login(
        &[
            "create-account",
            "--email",
            "ada@example.com",
            "--password",
            PASSWORD,
            "--totp-secret",
            SECRET,
        ],
        &env,
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let server = start(&env, "http").await;
    sign_in_over_http(&server.base, "ada@example.com", SECRET).await;
}

#[tokio::test]
async fn serve_on_postgres_and_redis() {
    if !real_servers_available("serve_on_postgres_and_redis").await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let settings = postgres_redis_settings(&data).await;
    let env = as_env(&settings);
    let migrated = one_login(&["migrate"], &env);
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    assert!(String::from_utf8_lossy(&migrated.stdout).contains("Postgres"));
    let created = one_login(
        &[
            "create-account",
            "--email",
            "ada@example.com",
            "--password",
            PASSWORD,
            "--totp-secret",
            SECRET,
        ],
        &env,
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let server = start(&env, "http").await;
    sign_in_over_http(&server.base, "ada@example.com", SECRET).await;
    assert!(
        !Path::new(&data).join("one-login.sqlite").exists(),
        "PostgreSQL was used, not SQLite"
    );
}

#[tokio::test]
async fn serve_https_with_its_own_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let data = dir.path().join("data").display().to_string();
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let port_issuer = "https://localhost/".to_owned();
    let env = [
        ("ONE_LOGIN__DATA_DIR", data.as_str()),
        ("ONE_LOGIN__SERVER__TLS_CERT", cert.as_str()),
        ("ONE_LOGIN__SERVER__TLS_KEY", key.as_str()),
        ("ONE_LOGIN__ISSUER", port_issuer.as_str()),
        // An https issuer takes real mail and no outbound loopback (issues 11.9, 11.13).
        ("ONE_LOGIN__MAIL__TRANSPORT", "smtp"),
        ("ONE_LOGIN__MAIL__SMTP_URL", "smtp://127.0.0.1:2525"),
        ("ONE_LOGIN__OUTBOUND__ALLOW_LOOPBACK", "false"),
    ];
    let server = start(&env, "https").await;
    let response = client()
        .get(format!("{}/sign-in", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    // The anonymous form's double-submit cookie (issue 12.2): `__Host-` and Secure under https.
    assert!(
        cookie.starts_with("__Host-one-login-form=")
            && cookie.contains("Secure")
            && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

#[tokio::test]
async fn serve_refuses_to_start_without_its_redis() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}/");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let output = one_login(
        &["serve"],
        &[
            ("ONE_LOGIN__DATA_DIR", data.as_str()),
            ("ONE_LOGIN__EPHEMERAL__URL", url.as_str()),
        ],
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("Redis"), "{}", stderr(&output));
}

/// A private redis-server on its own port, so it can be killed.
fn private_redis(port: u16) -> Option<Child> {
    let spawned = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn();
    match spawned {
        Ok(child) => Some(child),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true needs redis-server: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED a_redis_that_dies_and_returns: no redis-server ({e})");
            None
        }
    }
}

async fn wait_for_redis(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "redis at {url} did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_redis_that_dies_and_returns() {
    let port = free_port();
    let Some(mut redis) = private_redis(port) else {
        return;
    };
    let url = format!("redis://127.0.0.1:{port}/");
    wait_for_redis(&url).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let env = [
        ("ONE_LOGIN__DATA_DIR", data.as_str()),
        ("ONE_LOGIN__EPHEMERAL__URL", url.as_str()),
    ];
    let server = start(&env, "http").await;
    let client = client();
    redis.kill().unwrap();
    redis.wait().unwrap();
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 503);
    assert!(
        health
            .text()
            .await
            .unwrap()
            .contains(r#""ephemeral":"unavailable""#)
    );
    // Viewing the sign-in page stores nothing (issue 12.2), so it still renders; submitting it
    // needs the store and gets the "try again" page with Retry-After, not a 500.
    let page = client
        .get(format!("{}/sign-in", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let form = page.text().await.unwrap();
    let submitted = client
        .post(format!("{}/sign-in", server.base))
        .form(&[
            ("csrf_token", csrf(&form).as_str()),
            ("email", "ada@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 503);
    assert_eq!(submitted.headers()["retry-after"], "5");
    assert!(
        submitted
            .text()
            .await
            .unwrap()
            .contains("Sorry, the service is unavailable")
    );
    let mut redis = private_redis(port).unwrap();
    wait_for_redis(&url).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let health = client
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .unwrap();
        if health.status() == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "provider did not reconnect to Redis"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        client
            .get(format!("{}/sign-in", server.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    drop(server);
    let _ = redis.kill();
    let _ = redis.wait();
}

fn write_client(dir: &Path, registration: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("driving.toml"), registration).unwrap();
}

#[test]
fn a_bad_client_registration_stops_start_up_naming_client_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let clients = dir.path().join("clients");
    let rp = support::rp::RelyingParty::new("driving", "www.driving.example.gov.uk");
    write_client(
        &clients,
        &rp.registration("")
            .replace("https://www.driving", "http://www.driving"),
    );
    let (data, clients) = (
        dir.path().display().to_string(),
        clients.display().to_string(),
    );
    let env = [
        ("ONE_LOGIN__DATA_DIR", data.as_str()),
        ("ONE_LOGIN__CLIENTS_DIR", clients.as_str()),
    ];
    for command in ["serve", "check-config", "clients"] {
        let args: &[&str] = if command == "clients" {
            &["clients", "list"]
        } else {
            &[command]
        };
        let output = one_login(args, &env);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{command}: {}",
            stderr(&output)
        );
        let message = stderr(&output);
        assert!(
            message.contains("driving.toml")
                && message.contains("client driving")
                && message.contains("redirect_uris"),
            "{command}: {message}"
        );
    }
}

/// Two `one-login serve` processes sharing PostgreSQL and Redis, with no sticky routing: a
/// session made on one works on the other, a code issued by one is redeemed at the other, and a
/// replayed code or assertion `jti` is caught whichever replica sees it.
#[tokio::test]
async fn two_replicas_share_sessions_codes_and_replay_protection() {
    if !real_servers_available("two_replicas_share_sessions_codes_and_replay_protection").await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clients = dir.path().join("clients");
    let rp = support::rp::RelyingParty::new("driving", "www.driving.example.gov.uk");
    write_client(&clients, &rp.registration(""));
    let database = fresh_postgres_schema().await;
    let prefix = fresh_redis_prefix();
    let redis = redis_url();
    // Both replicas answer for one issuer, as behind a load balancer.
    let issuer = "http://localhost:9/".to_owned();
    let data_a = dir.path().join("a").display().to_string();
    let data_b = dir.path().join("b").display().to_string();
    let clients = clients.display().to_string();
    let shared = |data: &str| {
        vec![
            ("ONE_LOGIN__DATA_DIR".to_owned(), data.to_owned()),
            ("ONE_LOGIN__CLIENTS_DIR".to_owned(), clients.clone()),
            ("ONE_LOGIN__DATABASE__URL".to_owned(), database.clone()),
            ("ONE_LOGIN__EPHEMERAL__URL".to_owned(), redis.clone()),
            (
                "ONE_LOGIN__EPHEMERAL__KEY_PREFIX".to_owned(),
                prefix.clone(),
            ),
            ("ONE_LOGIN__ISSUER".to_owned(), issuer.clone()),
            (
                "ONE_LOGIN__IDENTITY__ENCRYPTION_KEY".to_owned(),
                IDENTITY_KEY.to_owned(),
            ),
            (
                "ONE_LOGIN__SECRETS__KEY_ENCRYPTION_KEY".to_owned(),
                KEY_ENCRYPTION_KEY.to_owned(),
            ),
        ]
    };
    let env_a = shared(&data_a);
    let env_b = shared(&data_b);
    fn as_refs(env: &[(String, String)]) -> Vec<(&str, &str)> {
        env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
    let (refs_a, refs_b) = (as_refs(&env_a), as_refs(&env_b));
    let created = one_login(
        &[
            "create-account",
            "--email",
            "ada@example.com",
            "--password",
            PASSWORD,
            "--totp-secret",
            SECRET,
        ],
        &refs_a,
    );
    assert!(created.status.success(), "{}", stderr(&created));
    // Started together: the first start makes the keys once, whichever wins.
    let (a, b) = tokio::join!(start(&refs_a, "http"), start(&refs_b, "http"));
    // A third replica with another identity key would ignore the others' sealed evidence:
    // it refuses to start, naming the key.
    let data_c = dir.path().join("c").display().to_string();
    let mut env_c = shared(&data_c);
    env_c.retain(|(k, _)| k != "ONE_LOGIN__IDENTITY__ENCRYPTION_KEY");
    let refused = one_login(&["serve"], &as_refs(&env_c));
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("identity.encryption_key"),
        "{}",
        stderr(&refused)
    );
    // Likewise one with another key-encryption key: it cannot open the signing keys,
    // authenticator secrets or salt the others sealed (issue 11.7).
    let mut env_d = shared(&dir.path().join("d").display().to_string());
    env_d.retain(|(k, _)| k != "ONE_LOGIN__SECRETS__KEY_ENCRYPTION_KEY");
    let refused = one_login(&["serve"], &as_refs(&env_d));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("secrets.key_encryption_key"),
        "{}",
        stderr(&refused)
    );

    let jwks_a = client()
        .get(format!("{}/.well-known/jwks.json", a.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let jwks_b = client()
        .get(format!("{}/.well-known/jwks.json", b.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(jwks_a, jwks_b, "one set of keys");

    // Sign in at A; the cookie works at B (the cookie jar is shared: both are localhost).
    let browser = client();
    let (verifier, challenge) = one_login_test_support::pkce();
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("scope", "openid email"),
        ("client_id", "driving"),
        ("redirect_uri", rp.redirect_uri.as_str()),
        ("state", "s"),
        ("nonce", "n"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ])
    .unwrap();
    let authorize = |base: &str| format!("{base}/authorize?{query}");
    let response = browser.get(authorize(&a.base)).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/");
    let form = browser
        .get(format!("{}/sign-in", b.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = browser
        .post(format!("{}/sign-in", b.base))
        .form(&[
            ("csrf_token", csrf(&form).as_str()),
            ("email", "ada@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["location"],
        "/sign-in/authenticator-code"
    );
    let form = browser
        .get(format!("{}/sign-in/authenticator-code", a.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let code = one_login_core::accounts::totp::code_at(
        SECRET,
        time::OffsetDateTime::now_utc().unix_timestamp(),
    )
    .unwrap();
    let response = browser
        .post(format!("{}/sign-in/authenticator-code", a.base))
        .form(&[
            ("csrf_token", csrf(&form).as_str()),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/authorize/continue");
    let response = browser
        .get(format!("{}/authorize/continue", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/authorize/consent");
    let form = browser
        .get(format!("{}/authorize/consent", a.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = browser
        .post(format!("{}/authorize/consent", b.base))
        .form(&[("csrf_token", csrf(&form).as_str()), ("decision", "agree")])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();

    // The code from B is redeemed at A; replayed at B it fails; the assertion's jti too.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let assertion = rp.assertion(&issuer, now);
    let redeem = |base: String, assertion: String| {
        let form = [
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.clone()),
            ("redirect_uri", rp.redirect_uri.clone()),
            ("code_verifier", verifier.clone()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
            ),
            ("client_assertion", assertion),
        ];
        async move {
            let response = client()
                .post(format!("{base}/token"))
                .form(&form)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (status, tokens) = redeem(a.base.clone(), assertion.clone()).await;
    assert_eq!(status, 200, "{tokens}");
    let (status, body) = redeem(b.base.clone(), assertion).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "jti replayed at the other replica"
    );
    let (status, body) = redeem(b.base.clone(), rp.assertion(&issuer, now)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "code replayed at the other replica"
    );
    // ...and that replay revoked the access token, at both replicas.
    for base in [&a.base, &b.base] {
        let response = client()
            .get(format!("{base}/userinfo"))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    // Single sign-on at B with the session made across both.
    let response = browser.get(authorize(&b.base)).send().await.unwrap();
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with(&rp.redirect_uri)
    );
}

/// GETs the form at `url`, then POSTs `fields` to it with its CSRF token.
async fn fill_over_http(
    browser: &reqwest::Client,
    url: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let form = browser.get(url).send().await.unwrap().text().await.unwrap();
    let token = csrf(&form);
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    browser.post(url).form(&all).send().await.unwrap()
}

/// `create-account` for ada@example.com with the authenticator secret [`SECRET`].
fn create_ada(env: &[(&str, &str)]) {
    let created = one_login(
        &[
            "create-account",
            "--email",
            "ada@example.com",
            "--password",
            PASSWORD,
            "--totp-secret",
            SECRET,
        ],
        env,
    );
    assert!(created.status.success(), "{}", stderr(&created));
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Issue 11.8: the data folder is made 0700 and what the provider writes in it 0600: the SQLite
/// database (and its -wal and -shm files), the key files, the mail outbox. On both storage
/// pairs (PostgreSQL still keeps its key files there).
#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_its_files_are_private_to_the_service() {
    let postgres = real_servers_available("the_data_folder_and_its_files_are_private").await;
    for on_postgres in [false, true] {
        if on_postgres && !postgres {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("new/data");
        let data_text = data.display().to_string();
        let database = if on_postgres {
            fresh_postgres_schema().await
        } else {
            String::new()
        };
        let env = [
            ("ONE_LOGIN__DATA_DIR", data_text.as_str()),
            ("ONE_LOGIN__DATABASE__URL", database.as_str()),
        ];
        create_ada(&env);
        // A person asks for a code: the outbox gets a message.
        let server = start(&env, "http").await;
        let sent = fill_over_http(
            &client(),
            &format!("{}/create-account", server.base),
            &[("email", "bo@example.com")],
        )
        .await;
        assert_eq!(sent.status(), 303);
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("outbox")), 0o700);
        let mut files = vec![
            data.join("key-encryption.key"),
            data.join("identity-encryption.key"),
        ];
        files.extend(
            std::fs::read_dir(data.join("outbox"))
                .unwrap()
                .map(|e| e.unwrap().path()),
        );
        if on_postgres {
            assert!(!data.join("one-login.sqlite").exists());
        } else {
            for suffix in ["", "-wal", "-shm"] {
                files.push(data.join(format!("one-login.sqlite{suffix}")));
            }
        }
        assert!(files.len() >= 3, "{files:?}");
        for file in files {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
}

/// A certificate authority and a server certificate it signed for localhost and 127.0.0.1.
fn certificate_authority(
    dir: &Path,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "One Login test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server =
        rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&server_key, &ca)
            .unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    );
    std::fs::write(&paths.0, ca.pem()).unwrap();
    std::fs::write(&paths.1, server.pem()).unwrap();
    std::fs::write(&paths.2, server_key.serialize_pem()).unwrap();
    (paths.0, paths.1, paths.2)
}

/// Issue 11.10 and checklist 47: `rediss://` with a password, against a private redis-server
/// speaking TLS only (never the shared one), its certificate checked against the configured CA.
#[tokio::test]
async fn rediss_with_a_password_reaches_a_tls_only_redis() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificate_authority(dir.path());
    let port = free_port();
    let spawned = Command::new("redis-server")
        .args([
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .args(["--tls-cert-file", &cert.display().to_string()])
        .args(["--tls-key-file", &key.display().to_string()])
        .args(["--tls-ca-cert-file", &ca.display().to_string()])
        .args(["--tls-auth-clients", "no", "--requirepass", "s3cret-pass"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn();
    // Stopped however the test ends.
    struct Stopped(Child);
    impl Drop for Stopped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _redis = match spawned {
        Ok(child) => Stopped(child),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true needs redis-server: {e}")
        }
        Err(e) => {
            eprintln!(
                "SKIPPED rediss_with_a_password_reaches_a_tls_only_redis: no redis-server ({e})"
            );
            return;
        }
    };
    let ca_text = ca.display().to_string();
    let url = format!("rediss://:s3cret-pass@localhost:{port}/");
    let data = dir.path().join("data").display().to_string();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "TLS redis did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let env = [
        ("ONE_LOGIN__DATA_DIR", data.as_str()),
        ("ONE_LOGIN__EPHEMERAL__URL", url.as_str()),
        ("ONE_LOGIN__EPHEMERAL__TLS_CA_FILE", ca_text.as_str()),
    ];
    let checked = one_login(&["check-config"], &env);
    assert!(checked.status.success(), "{}", stderr(&checked));
    create_ada(&env);
    {
        let server = start(&env, "http").await;
        sign_in_over_http(&server.base, "ada@example.com", SECRET).await;
    }
    // The session lives in that Redis: one key under the default prefix at least.
    let keys = Command::new("redis-cli")
        .args([
            "--tls",
            "--cacert",
            &ca_text,
            "-p",
            &port.to_string(),
            "-a",
            "s3cret-pass",
        ])
        .args(["--no-auth-warning", "--scan", "--pattern", "one-login:*"])
        .output();
    if let Ok(keys) = keys {
        assert!(!String::from_utf8_lossy(&keys.stdout).trim().is_empty());
    }
    // A wrong password, no password, or a certificate the system's roots do not know: start-up
    // stops with a message naming Redis.
    let wrong = format!("rediss://:wrong@localhost:{port}/");
    let none = format!("rediss://localhost:{port}/");
    let cases: [Vec<(&str, &str)>; 3] = [
        vec![
            ("ONE_LOGIN__EPHEMERAL__URL", &wrong),
            ("ONE_LOGIN__EPHEMERAL__TLS_CA_FILE", &ca_text),
        ],
        vec![
            ("ONE_LOGIN__EPHEMERAL__URL", &none),
            ("ONE_LOGIN__EPHEMERAL__TLS_CA_FILE", &ca_text),
        ],
        vec![("ONE_LOGIN__EPHEMERAL__URL", &url)],
    ];
    for case in cases {
        let mut env = vec![("ONE_LOGIN__DATA_DIR", data.as_str())];
        env.extend(case.iter().copied());
        let refused = one_login_within(&["serve"], &env, Duration::from_secs(30));
        assert!(!refused.status.success(), "{case:?}");
        assert!(
            stderr(&refused).contains("Redis"),
            "{case:?}: {}",
            stderr(&refused)
        );
        assert!(
            !stderr(&refused).contains("s3cret-pass"),
            "{}",
            stderr(&refused)
        );
    }
}

/// Checklist 47: a Redis or PostgreSQL server on another machine must be reached over TLS,
/// and Redis with a password; `check-config` says so, naming the key.
#[test]
fn check_config_refuses_plain_text_to_remote_stores() {
    let cases = [
        (
            "ONE_LOGIN__EPHEMERAL__URL",
            "redis://redis.internal.example:6379/",
            "rediss://",
        ),
        (
            "ONE_LOGIN__EPHEMERAL__URL",
            "rediss://redis.internal.example:6379/",
            "password",
        ),
        (
            "ONE_LOGIN__EPHEMERAL__URL",
            "rediss://:pw@127.0.0.1:6380/#insecure",
            "#insecure",
        ),
        (
            "ONE_LOGIN__DATABASE__URL",
            "postgres://one_login:pw@db.internal.example/one_login",
            "sslmode",
        ),
        (
            "ONE_LOGIN__DATABASE__URL",
            "postgres://one_login:pw@db.internal.example/one_login?sslmode=prefer",
            "sslmode",
        ),
        (
            "ONE_LOGIN__DATABASE__URL",
            "postgres://one_login:pw@127.0.0.1/one_login?sslmode=sometimes",
            "sslmode",
        ),
        (
            "ONE_LOGIN__EPHEMERAL__TLS_CA_FILE",
            "/no/such/ca.pem",
            "ephemeral.tls_ca_file",
        ),
    ];
    for (key, value, says) in cases {
        let output = one_login(&["check-config"], &[(key, value)]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{value}: {}",
            stderr(&output)
        );
        let message = stderr(&output);
        let named = if key.contains("DATABASE") {
            "database.url"
        } else if key.contains("TLS_CA") {
            "ephemeral.tls_ca_file"
        } else {
            "ephemeral.url"
        };
        assert!(
            message.contains(named) && message.contains(says),
            "{value}: {message}"
        );
    }
    for (key, value) in [
        (
            "ONE_LOGIN__EPHEMERAL__URL",
            "rediss://:pw@redis.internal.example:6380/",
        ),
        (
            "ONE_LOGIN__DATABASE__URL",
            "postgres://one_login:pw@db.internal.example/one_login?sslmode=verify-full",
        ),
        (
            "ONE_LOGIN__DATABASE__URL",
            "postgres://one_login@localhost/one_login",
        ),
    ] {
        let output = one_login(&["check-config"], &[(key, value)]);
        assert!(output.status.success(), "{value}: {}", stderr(&output));
    }
}

/// Issue 11.6 and checklist 69: `keys rotate` rotates the identity key with the token keys, or
/// alone with `--only identity`; `keys list` names each key's purpose and state.
#[test]
fn keys_rotate_and_list_cover_the_identity_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let env = [("ONE_LOGIN__DATA_DIR", data.as_str())];
    let lines = |output: &Output, purpose: &str| -> Vec<String> {
        assert!(output.status.success(), "{}", stderr(output));
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| l.starts_with(purpose))
            .map(str::to_owned)
            .collect()
    };
    // The first start (here, the first rotation) makes one key of each purpose and algorithm.
    let rotated = one_login(&["keys", "rotate", "--only", "identity"], &env);
    assert_eq!(lines(&rotated, "new identity ES256 key").len(), 1);
    assert!(lines(&rotated, "new tokens").is_empty());
    let listed = one_login(&["keys", "list"], &env);
    assert_eq!(lines(&listed, "tokens").len(), 2, "token keys not rotated");
    let identity = lines(&listed, "identity");
    assert_eq!(identity.len(), 2);
    assert!(
        identity.iter().any(|l| l.contains("signing until")),
        "{identity:?}"
    );
    assert!(
        identity.iter().any(|l| l.contains("published, signs from")),
        "{identity:?}"
    );

    let rotated = one_login(&["keys", "rotate"], &env);
    assert_eq!(lines(&rotated, "new tokens").len(), 2);
    assert_eq!(lines(&rotated, "new identity").len(), 1);
    let refused = one_login(&["keys", "rotate", "--only", "everything"], &env);
    assert!(!refused.status.success());
}

/// The subcommands of `one-login accounts` (issue 10, account interventions).
const ACCOUNT_COMMANDS: [&str; 7] = [
    "show",
    "suspend",
    "unsuspend",
    "block",
    "require-password-reset",
    "require-reproving",
    "delete",
];

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `one-login accounts ARGS`, which must succeed; its standard output.
fn accounts(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = one_login(&[&["accounts"][..], args].concat(), env);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    stdout(&output)
}

/// `one-login accounts ARGS`, which must fail; its error message.
fn accounts_refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = one_login(&[&["accounts"][..], args].concat(), env);
    assert!(
        !output.status.success(),
        "{args:?} succeeded: {}",
        stdout(&output)
    );
    stderr(&output)
}

// Issue 10: every `accounts` subcommand documents itself, refuses an unknown address by name
// with a failing exit status, and does what it says to the account, in the audit log.
#[test]
fn accounts_commands_document_themselves_and_refuse_unknown_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let env = [("ONE_LOGIN__DATA_DIR", data.as_str())];
    let help = accounts(&["--help"], &env);
    for command in ACCOUNT_COMMANDS {
        assert!(help.contains(command), "{command} missing from:\n{help}");
        let own = accounts(&[command, "--help"], &env);
        assert!(own.contains("<EMAIL>") && own.contains("--config"), "{own}");
        let unknown = accounts_refused(&[command, "nobody@example.com"], &env);
        assert!(
            unknown.contains("no account has the email address nobody@example.com"),
            "{command}: {unknown}"
        );
    }
    assert!(accounts(&["block", "--help"], &env).contains("no unblock"));
}

#[test]
fn accounts_commands_intervene_and_show_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let env = [("ONE_LOGIN__DATA_DIR", data.as_str())];
    create_ada(&env);
    let shown = accounts(&["show", "ADA@example.com"], &env);
    for line in [
        "email       ada@example.com",
        "status      active",
        "app         set up",
        "identity    none proven",
        "sessions    kept in the running provider's memory",
        "account_created",
    ] {
        assert!(shown.contains(line), "{line:?} missing from:\n{shown}");
    }
    assert!(
        !shown.contains(SECRET) && !shown.contains("argon2"),
        "{shown}"
    );

    assert!(accounts(&["suspend", "ada@example.com"], &env).contains("suspended: ada@example.com"));
    assert!(accounts_refused(&["suspend", "ada@example.com"], &env).contains("already suspended"));
    let shown = accounts(&["show", "ada@example.com"], &env);
    assert!(
        shown.contains("status      suspended") && shown.contains("  suspended"),
        "{shown}"
    );
    accounts(&["unsuspend", "ada@example.com"], &env);
    assert!(accounts_refused(&["unsuspend", "ada@example.com"], &env).contains("not suspended"));
    accounts(&["require-password-reset", "ada@example.com"], &env);
    accounts(&["require-reproving", "ada@example.com"], &env);
    let shown = accounts(&["show", "ada@example.com"], &env);
    for line in [
        "password    a new one is required",
        "evidence    only from",
        "password_reset_required",
        "reproving_required",
    ] {
        assert!(shown.contains(line), "{line:?} missing from:\n{shown}");
    }
    accounts(&["block", "ada@example.com"], &env);
    assert!(
        accounts_refused(&["unsuspend", "ada@example.com"], &env)
            .contains("blocked, which is permanent")
    );
    assert!(accounts(&["show", "ada@example.com"], &env).contains("status      blocked"));
    assert!(accounts(&["delete", "ada@example.com"], &env).contains("deleted: ada@example.com"));
    assert!(
        accounts_refused(&["show", "ada@example.com"], &env)
            .contains("no account has the email address")
    );
    create_ada(&env);
}

// Issue 10: a suspension from the command line reaches a running provider, which ends the
// account's session within its watch interval, and the next sign-in is refused with the page.
#[tokio::test]
async fn a_suspension_from_the_command_line_ends_a_running_providers_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let env = [("ONE_LOGIN__DATA_DIR", data.as_str())];
    suspend_a_signed_in_citizen(&env, false).await;
}

// The same on PostgreSQL and Redis, where `accounts show` sees the sessions too.
#[tokio::test]
async fn a_suspension_from_the_command_line_ends_sessions_kept_in_redis() {
    if !real_servers_available("a_suspension_from_the_command_line_ends_sessions_kept_in_redis")
        .await
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let settings = postgres_redis_settings(&data).await;
    let env = as_env(&settings);
    suspend_a_signed_in_citizen(&env, true).await;
}

/// A provider's settings on a fresh PostgreSQL schema and Redis prefix, its folder `data`.
async fn postgres_redis_settings(data: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ONE_LOGIN__DATA_DIR", data.to_owned()),
        ("ONE_LOGIN__DATABASE__URL", fresh_postgres_schema().await),
        ("ONE_LOGIN__EPHEMERAL__URL", redis_url()),
        ("ONE_LOGIN__EPHEMERAL__KEY_PREFIX", fresh_redis_prefix()),
    ]
}

fn as_env<'a>(settings: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    settings.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Ada signs in at a provider running on `env`, an operator suspends her, and the provider ends
/// her session; `shared` when the sessions are in Redis, where `accounts show` counts them.
async fn suspend_a_signed_in_citizen(env: &[(&str, &str)], shared: bool) {
    create_ada(env);
    let server = start(env, "http").await;
    let browser = sign_in_over_http(&server.base, "ada@example.com", SECRET).await;
    let sessions = |count: &str| {
        let shown = accounts(&["show", "ada@example.com"], env);
        assert!(
            shown.contains(&format!("sessions    {count} live")),
            "{shown}"
        );
    };
    if shared {
        sessions("1");
    }
    accounts(&["suspend", "ada@example.com"], env);
    let account = format!("{}/account", server.base);
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.get(&account).send().await.unwrap().status() == 200 {
        assert!(
            Instant::now() < deadline,
            "the session outlived the suspension"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if shared {
        sessions("0");
    }
    let refused = fill_over_http(
        &browser,
        &format!("{}/sign-in", server.base),
        &[("email", "ada@example.com"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Your GOV.UK One Login is suspended")
    );
}

/// `one-login feedback list ARGS` on `env`.
fn feedback_list(args: &[&str], env: &[(&str, &str)]) -> Output {
    one_login(&[&["feedback", "list"][..], args].concat(), env)
}

// Issue 15: `feedback list` shows what citizens sent through the form, newest first, as text or
// JSON, from a day and at most so many; a bad argument is refused, named, with a failing status.
#[tokio::test]
async fn feedback_list_shows_what_citizens_sent() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let env = [("ONE_LOGIN__DATA_DIR", data.as_str())];
    let empty = feedback_list(&[], &env);
    assert!(empty.status.success(), "{}", stderr(&empty));
    assert_eq!(stdout(&empty), "no feedback\n");

    // 1 December 2026, 00:00 UTC.
    const DECEMBER: i64 = 1_796_083_200;
    let overrides = format!("data_dir = {data:?}");
    let config = one_login_core::config::Config::load_with_overrides(None, &overrides).unwrap();
    let db = one_login_store::Database::connect(&config).await.unwrap();
    for (topic, message, reply, at) in [
        ("signing-in", "The code was slow", None, DECEMBER - 60),
        (
            "proving-identity",
            "Hawdd iawn\nDiolch",
            None,
            DECEMBER + 3_600,
        ),
        (
            "something-else",
            "Call me back",
            Some("ada@example.com"),
            DECEMBER + 7_200,
        ),
    ] {
        let feedback = one_login_store::NewFeedback {
            topic: topic.into(),
            message: message.into(),
            came_from: Some("/sign-in".into()),
            language: "cy".into(),
            reply_email: reply.map(str::to_owned),
            account_id: None,
            created_at: at,
        };
        db.feedback().record(&feedback).await.unwrap();
    }
    db.close().await;

    let all = feedback_list(&[], &env);
    assert!(all.status.success(), "{}", stderr(&all));
    let text = stdout(&all);
    let headings: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        headings,
        [
            "2026-12-01T02:00:00Z  something-else  cy  from /sign-in  reply to ada@example.com",
            "2026-12-01T01:00:00Z  proving-identity  cy  from /sign-in",
            "2026-11-30T23:59:00Z  signing-in  cy  from /sign-in",
        ]
    );
    assert!(text.contains("    Hawdd iawn\n    Diolch\n"), "{text}");

    let json = feedback_list(
        &["--since", "2026-12-01", "--limit", "1", "--format", "json"],
        &env,
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let listed: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["topic"], "something-else");
    assert_eq!(listed[0]["feedback"], "Call me back");
    assert_eq!(listed[0]["sent_at"], "2026-12-01T02:00:00Z");
    assert_eq!(listed[0]["reply_email"], "ada@example.com");
    let since = stdout(&feedback_list(&["--since", "2026-12-01"], &env));
    assert_eq!(
        since.lines().filter(|l| !l.starts_with(' ')).count(),
        2,
        "{since}"
    );

    for (args, why) in [
        (
            &["--since", "yesterday"][..],
            "invalid value 'yesterday' for '--since <DATE>': \"yesterday\" is not a day: write it as 2026-12-01",
        ),
        (&["--since", "2026-02-30"], "\"2026-02-30\" is not a day"),
        (
            &["--limit", "0"],
            "invalid value '0' for '--limit <LIMIT>': 0 is not in 1..=10000",
        ),
        (
            &["--limit", "many"],
            "invalid value 'many' for '--limit <LIMIT>'",
        ),
        (
            &["--format", "xml"],
            "invalid value 'xml' for '--format <FORMAT>'",
        ),
    ] {
        let refused = feedback_list(args, &env);
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{args:?}: {}",
            stdout(&refused)
        );
        assert!(
            stderr(&refused).contains(why),
            "{args:?}: {}",
            stderr(&refused)
        );
        assert!(stdout(&refused).is_empty(), "{args:?}");
    }
}
