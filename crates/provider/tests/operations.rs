//! The `one-login` binary as an operations team runs it (issue 16): from any folder on
//! environment variables alone, reloading its relying parties on SIGHUP, and its metrics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use one_login_bench::citizen::{self, Account, Citizen, Endpoints, Flavour, Scope, Site};
use one_login_bench::rp::{self, RelyingParty};

const BIN: &str = env!("CARGO_BIN_EXE_one-login");

/// A `one-login serve` started in a folder of its own; killed when dropped.
struct Served {
    child: Child,
    base: String,
    /// `/metrics` on its own loopback listener.
    metrics: String,
    log: std::path::PathBuf,
}

impl Served {
    /// `one-login serve` in `folder` with `env` and nothing inherited from ONE_LOGIN__*; waits
    /// until discovery answers 200.
    async fn start(folder: &Path, env: &[(&str, String)]) -> Served {
        let port = one_login_test_support::free_port();
        let metrics = format!("127.0.0.1:{}", one_login_test_support::free_port());
        let log = folder.join("provider.log");
        let mut command = one_login(folder, env);
        command
            .env("ONE_LOGIN__SERVER__LISTEN", format!("127.0.0.1:{port}"))
            .env("ONE_LOGIN__SERVER__METRICS_LISTEN", &metrics)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        let mut served = Served {
            child: command.spawn().unwrap(),
            base: format!("http://localhost:{port}/"),
            metrics: format!("http://{metrics}/metrics"),
            log,
        };
        served.wait_for_discovery().await;
        served
    }

    async fn wait_for_discovery(&mut self) {
        let url = format!("{}.well-known/openid-configuration", self.base);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("exited with {status}:\n{}", self.log_text());
            }
            if let Ok(response) = reqwest::get(&url).await
                && response.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no discovery within 60 s:\n{}", self.log_text());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `one-login` run in `folder` with `env`, outside any inherited ONE_LOGIN__ settings.
fn one_login(folder: &Path, env: &[(&str, String)]) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(folder);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ONE_LOGIN__")) {
        command.env_remove(key);
    }
    command.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    command
}

// Issue 16: the built-in configuration, the environment over it, no file anywhere; relative
// paths (the default data_dir) are taken from the folder it was started in.
#[tokio::test]
async fn serves_from_an_empty_folder_on_the_environment_alone() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("provider.sqlite");
    let served = Served::start(
        folder.path(),
        &[(
            "ONE_LOGIN__DATABASE__URL",
            format!("sqlite://{}?mode=rwc", database.display()),
        )],
    )
    .await;
    let discovery: serde_json::Value =
        reqwest::get(format!("{}.well-known/openid-configuration", served.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(discovery["issuer"], served.base.as_str());
    assert!(database.is_file(), "the database named in the environment");
    assert!(
        folder.path().join("data").is_dir(),
        "the built-in data_dir is taken from the current folder"
    );
}

/// A provider on SQLite in its own folder, with `clients/` as its clients_dir and one account.
struct Stack {
    folder: tempfile::TempDir,
    served: Served,
    account: Account,
}

impl Stack {
    /// Starts with the client files `clients` (file name, contents) already in place.
    async fn start(clients: &[(&str, String)]) -> Stack {
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(folder.path().join("clients")).unwrap();
        for (name, text) in clients {
            std::fs::write(folder.path().join("clients").join(name), text).unwrap();
        }
        let env = Self::env();
        let account = Account {
            email: "operations@example.gov.uk".into(),
            totp_secret: one_login_core::accounts::totp::new_secret(),
        };
        let made = one_login(folder.path(), &env)
            .args(["create-account", "--email", &account.email])
            .args(["--password", citizen::PASSWORD])
            .args(["--totp-secret", &account.totp_secret])
            .output()
            .unwrap();
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let served = Served::start(folder.path(), &env).await;
        Stack {
            folder,
            served,
            account,
        }
    }

    /// Relative paths: the folder the binary is started in.
    fn env() -> Vec<(&'static str, String)> {
        vec![
            ("ONE_LOGIN__CLIENTS_DIR", "clients".into()),
            ("ONE_LOGIN__DATA_DIR", "data".into()),
        ]
    }

    /// Writes `rp`'s client file into clients_dir and reloads.
    async fn register(&mut self, rp: &RelyingParty) {
        let file = self.client_file(&format!("{}.toml", rp.client_id));
        std::fs::write(file, rp.registration().unwrap()).unwrap();
        self.hang_up(RELOADED).await;
    }

    fn client_file(&self, name: &str) -> PathBuf {
        self.folder.path().join("clients").join(name)
    }

    /// A relying party of this provider (`rp::CLIENT_ID`, registered or not).
    fn site(&self) -> Arc<Site> {
        let issuer = self.served.base.clone();
        let base = url::Url::parse(&issuer).unwrap();
        Arc::new(Site {
            endpoints: Endpoints::one_login(&base).unwrap(),
            flavour: Flavour::OneLogin,
            base,
            rp: RelyingParty::new(&issuer, rp::CLIENT_ID, rp::REDIRECT_URI).unwrap(),
            reuse_rp: RelyingParty::new(&issuer, rp::REUSE_CLIENT_ID, rp::REUSE_REDIRECT_URI)
                .unwrap(),
            issuer,
            backend: reqwest::Client::new(),
        })
    }

    /// Sends SIGHUP and waits until the log says how the reload went (`done` in it).
    async fn hang_up(&mut self, done: &str) {
        let before = self.served.log_text().matches(done).count();
        let sent = Command::new("kill")
            .args(["-HUP", &self.served.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.served.log_text().matches(done).count() <= before {
            if let Some(status) = self.served.child.try_wait().unwrap() {
                panic!(
                    "exited on SIGHUP with {status}:\n{}",
                    self.served.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no {done:?} in the log:\n{}",
                self.served.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A whole visit to the relying party `rp`: authorize, then (when `step` is given) password,
/// the authenticator code for that step and consent; the code redeemed and userinfo read with
/// the access token. Without `step` the citizen's session answers (single sign-on).
async fn complete_a_flow(
    citizen: &Citizen,
    rp: &RelyingParty,
    account: &Account,
    step: Option<i64>,
) -> Result<(), String> {
    let site = citizen.site();
    let (code, verifier, _) = citizen
        .visit_at(rp, Scope::Visit, account, step, false)
        .await
        .map_err(|e| e.to_string())?;
    let tokens = site
        .redeem_at(rp, &code, &verifier)
        .await
        .map_err(|e| e.to_string())?;
    site.userinfo(&tokens.access_token)
        .await
        .map_err(|e| e.to_string())
}

const RELOADED: &str = "relying parties and signing keys reloaded";
const REFUSED: &str = "reload refused";

// Issue 16: a client file added while the provider runs is taken on SIGHUP, without a restart.
#[tokio::test]
async fn sighup_registers_a_new_client_that_then_signs_a_citizen_in() {
    let mut stack = Stack::start(&[]).await;
    let site = stack.site();
    let citizen = Citizen::new(site.clone()).unwrap();
    let step = Some(citizen::current_step());
    let unknown = complete_a_flow(&citizen, &site.rp, &stack.account, step).await;
    assert!(unknown.is_err(), "not registered yet");
    stack.register(&site.rp).await;
    complete_a_flow(&citizen, &site.rp, &stack.account, step)
        .await
        .unwrap();
    assert!(
        stack.served.child.try_wait().unwrap().is_none(),
        "still serving"
    );
}

// An invalid file is reported (file and reason) and the clients loaded before stay, all of them:
// a valid file added beside the broken one waits for the next good reload.
#[tokio::test]
async fn sighup_with_an_invalid_file_keeps_the_previous_clients() {
    let mut stack = Stack::start(&[]).await;
    let site = stack.site();
    stack.register(&site.rp).await;
    std::fs::write(stack.client_file("broken.toml"), "client_id = 1\n").unwrap();
    let second = site.reuse_rp.registration().unwrap();
    std::fs::write(stack.client_file("second.toml"), second).unwrap();
    stack.hang_up(REFUSED).await;
    let log = stack.served.log_text();
    let refusal = log.lines().find(|line| line.contains(REFUSED)).unwrap();
    assert!(refusal.contains("broken.toml"), "{refusal}");
    assert!(refusal.contains("client_id"), "the reason: {refusal}");
    let citizen = Citizen::new(site.clone()).unwrap();
    let step = Some(citizen::current_step());
    complete_a_flow(&citizen, &site.rp, &stack.account, step)
        .await
        .unwrap();
    let second_refused = complete_a_flow(&citizen, &site.reuse_rp, &stack.account, None).await;
    assert!(
        second_refused.is_err(),
        "the new client is not registered yet"
    );
    std::fs::remove_file(stack.client_file("broken.toml")).unwrap();
    stack.hang_up(RELOADED).await;
    complete_a_flow(&citizen, &site.reuse_rp, &stack.account, None)
        .await
        .unwrap();
}

// `clients new` writes a file `clients check` (and so the provider) accepts, and never
// overwrites; `clients check` lists every problem, file by file, and exits non-zero.
#[test]
fn clients_new_writes_a_valid_file_and_clients_check_lists_every_problem() {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join("clients");
    std::fs::create_dir_all(&dir).unwrap();
    let dir_arg = dir.display().to_string();
    let new = |id: &str| {
        one_login(folder.path(), &[])
            .args(["clients", "new", id, "--out", &dir_arg])
            .args(["--redirect-uri", "https://tax.example.gov.uk/callback"])
            .args(["--name", "Pay your tax"])
            .output()
            .unwrap()
    };
    let made = new("tax");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let text = std::fs::read_to_string(dir.join("tax.toml")).unwrap();
    assert!(text.contains("jwks_uri = \"https://tax.example.gov.uk/.well-known/jwks.json\""));
    assert!(text.contains("name = \"Pay your tax\""));
    assert!(
        text.lines().filter(|l| l.starts_with('#')).count() > 10,
        "commented"
    );
    std::fs::write(dir.join("tax.toml"), format!("{text}\n# edited\n")).unwrap();
    let again = new("tax");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not overwritten"));
    assert!(
        std::fs::read_to_string(dir.join("tax.toml"))
            .unwrap()
            .ends_with("# edited\n")
    );

    let check = || {
        one_login(folder.path(), &[])
            .args(["clients", "check", &dir_arg])
            .output()
            .unwrap()
    };
    let good = check();
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(String::from_utf8_lossy(&good.stdout).contains("1 valid client file"));

    std::fs::write(dir.join("broken.toml"), "client_id = 1\n").unwrap();
    std::fs::write(dir.join("copy.toml"), &text).unwrap();
    let bad = check();
    assert_eq!(bad.status.code(), Some(2));
    let problems = String::from_utf8_lossy(&bad.stderr);
    assert!(problems.contains("broken.toml"), "{problems}");
    assert!(
        problems.contains("\"tax\" is also registered"),
        "{problems}"
    );
    assert!(problems.contains("2 problem(s)"), "{problems}");

    let refused = one_login(folder.path(), &[])
        .args(["clients", "new", "x", "--out", &dir_arg])
        .args(["--redirect-uri", "http://tax.example.gov.uk/callback"])
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "http off this machine is refused"
    );
    assert!(!dir.join("x.toml").exists());
}

/// The value of the samples of `name` whose labels include every one of `labels` (`key="value"`),
/// summed; 0 when there is none yet.
fn sample(scrape: &str, name: &str, labels: &[&str]) -> f64 {
    scrape
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .filter(|(series, _)| {
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            metric == name && labels.iter().all(|label| rest.contains(label))
        })
        .map(|(_, value)| value.parse::<f64>().unwrap())
        .sum()
}

async fn scrape(served: &Served) -> String {
    let response = reqwest::get(&served.metrics).await.unwrap();
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    response.text().await.unwrap()
}

// Issue 16: a flow moves the counters, on the metrics listener of its own.
#[tokio::test]
async fn metrics_count_a_sign_in_flow() {
    use one_login_core::metrics::*;
    let mut stack = Stack::start(&[]).await;
    let site = stack.site();
    stack.register(&site.rp).await;
    let before = scrape(&stack.served).await;
    let citizen = Citizen::new(site.clone()).unwrap();
    complete_a_flow(
        &citizen,
        &site.rp,
        &stack.account,
        Some(citizen::current_step()),
    )
    .await
    .unwrap();
    let after = scrape(&stack.served).await;
    let moved =
        |name: &str, labels: &[&str]| sample(&after, name, labels) - sample(&before, name, labels);
    assert_eq!(moved(SIGN_INS, &[]), 1.0, "{after}");
    assert_eq!(
        moved(TOKENS_ISSUED, &["grant_type=\"authorization_code\""]),
        1.0
    );
    assert_eq!(
        moved(HTTP_REQUESTS, &["route=\"/token\"", "status=\"2xx\""]),
        1.0
    );
    assert!(
        moved(HTTP_REQUESTS, &["route=\"/authorize\""]) >= 1.0,
        "{after}"
    );
    assert!(
        moved(
            &format!("{HTTP_REQUEST_DURATION}_count"),
            &["route=\"/sign-in\""]
        ) >= 1.0
    );
    assert!(
        moved(&format!("{PASSWORD_HASH_WAIT}_count"), &[]) >= 1.0,
        "argon2 waited its turn"
    );
    assert_eq!(
        sample(&after, PASSWORD_HASH_QUEUE, &[]),
        0.0,
        "nothing left waiting"
    );
    // Route templates, never paths: the assets are one route however many files are asked for.
    for line in after.lines().filter(|l| l.contains("route=\"")) {
        let route = line
            .split("route=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(route == "unmatched" || route.starts_with('/'), "{line}");
        assert!(!route.contains('?'), "{line}");
    }
}

/// The metric names a Grafana expression (PromQL) uses: `one_login_*`, without the
/// `_bucket`/`_sum`/`_count` of a histogram's series.
fn metric_names(expression: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = expression;
    while let Some(at) = rest.find("one_login_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .filter(|base| base.ends_with("_seconds"))
            .unwrap_or(name);
        names.push(base.to_owned());
        rest = &tail[end..];
    }
    names
}

fn expressions(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match value {
                    serde_json::Value::String(text) if key == "expr" => found.push(text.clone()),
                    other => expressions(other, found),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| expressions(v, found)),
        _ => {}
    }
}

// Issue 16: every metric the dashboard's expressions name is one the provider exports.
#[test]
fn the_grafana_dashboard_uses_only_exported_metrics() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/operations/grafana-dashboard.json");
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut found = Vec::new();
    expressions(&dashboard, &mut found);
    assert!(found.len() >= 8, "a panel per family of metrics: {found:?}");
    let mut used = std::collections::BTreeSet::new();
    for expression in &found {
        let names = metric_names(expression);
        assert!(!names.is_empty(), "no metric in {expression}");
        for name in names {
            assert!(
                one_login_core::metrics::ALL.contains(&name.as_str()),
                "{name} (in {expression}) is not exported"
            );
            used.insert(name);
        }
    }
    for name in one_login_core::metrics::ALL {
        assert!(used.contains(*name), "{name} has no panel");
    }
}
