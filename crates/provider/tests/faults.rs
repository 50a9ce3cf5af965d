//! Fault tests (issue 12 §1): two real `one-login serve` replicas behind a round-robin balancer,
//! on a PostgreSQL cluster and a Redis server of the test's own (never the machine's shared
//! ones), reached through fault proxies. A few virtual citizens (the load tool's citizen flows)
//! sign in, come back by single sign-on and refresh tokens throughout, while each test injects
//! one fault. Every request the balancer passed is then checked:
//!
//! - no 500, ever: a store outage answers 503 with `Retry-After`, the "service is unavailable"
//!   page for a person and OAuth `temporarily_unavailable` at the client endpoints;
//! - no request runs past the provider's own 30 s limit (the balancer waits 35 s);
//! - the replicas are never restarted to recover (only the kill tests restart what they killed);
//! - within 5 s of the fault ending every flow succeeds again;
//! - what was written before the fault is still there: accounts sign in, the consent given is
//!   not asked again, refresh tokens still refresh, the proven identity is reused;
//! - SIGTERM drains: a request in flight when it arrives completes.
//!
//! Each test prints its figures; docs/reliability.md has a run's table. The tests run one at a
//! time (a lock), each in about 40 s, to keep two shared cores from turning into the fault.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use one_login_bench::citizen::{Account, Citizen, Endpoints, Flavour, Scope, Site};
use one_login_bench::pool::AccountPool;
use one_login_bench::provider::BENCH_OVERRIDES;
use one_login_bench::rp::{self, RelyingParty};
use one_login_test_support::balancer::{Balancer, BodyKind, Exchange, Outcome};
use one_login_test_support::fault_proxy::FaultProxy;
use one_login_test_support::servers::{PrivatePostgres, PrivateRedis};
use tokio::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_one-login");
/// The provider's own limit on a request (`TimeoutLayer` in web/mod.rs).
const SERVER_TIMEOUT: Duration = Duration::from_secs(30);
/// The balancer's: a bit above the server's, so a hang shows as a hang.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(35);
/// After the fault ends, every flow must succeed again within this.
const RECOVERY_LIMIT: Duration = Duration::from_secs(5);
/// The identity encryption key and key-encryption key the replicas share (test values).
const IDENTITY_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const KEY_ENCRYPTION_KEY: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
/// Virtual citizens in the load, and the accounts they sign in with.
const CITIZENS: usize = 3;
const LOAD_ACCOUNTS: usize = 12;
/// Accounts that sign in before the fault and are checked after it.
const KEPT_ACCOUNTS: usize = 3;

/// One test at a time: each runs two providers, PostgreSQL and Redis of its own.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn one_login(env: &[(String, String)]) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(workspace());
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ONE_LOGIN__")) {
        command.env_remove(key);
    }
    command.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    command
}

/// A `one-login serve` process on a fixed port (a restart comes back on the same one).
struct Replica {
    child: Child,
    port: u16,
    env: Vec<(String, String)>,
    log: PathBuf,
}

impl Replica {
    fn spawn(port: u16, env: Vec<(String, String)>, log: PathBuf) -> Replica {
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let child = one_login(&env)
            .args(["serve"])
            .env("ONE_LOGIN__SERVER__LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .unwrap();
        Replica {
            child,
            port,
            env,
            log,
        }
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    async fn wait_healthy(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("replica exited with {status}:\n{}", self.log_tail());
            }
            if let Ok(r) = client
                .get(format!("http://{}/healthz", self.addr()))
                .send()
                .await
                && r.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "replica on {} did not become healthy:\n{}",
                self.port,
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Whether it is still the process the test started (it never restarted or died).
    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Waits for the process to end by itself; its exit status.
    async fn exited(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "replica still running {within:?} after SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn restart(&mut self) {
        self.kill();
        *self = Replica::spawn(self.port, self.env.clone(), self.log.clone());
        self.wait_healthy().await;
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The refresh token an account got when it signed in and consented before the fault.
struct Kept {
    refresh_token: String,
}

/// Everything one fault test runs on.
struct Rig {
    name: &'static str,
    postgres: PrivatePostgres,
    redis: PrivateRedis,
    postgres_proxy: FaultProxy,
    redis_proxy: FaultProxy,
    balancer: Balancer,
    replicas: Vec<Replica>,
    site: Arc<Site>,
    load_accounts: Arc<AccountPool>,
    /// The accounts of `kept` and `proven`, for their sign-ins after the fault.
    kept_accounts: AccountPool,
    kept: Vec<Kept>,
    /// An account with a proven identity (P2), proven before the fault.
    proven: Account,
    _dir: tempfile::TempDir,
}

fn account(n: usize) -> Account {
    // 32 base32 letters (20 bytes), different for each account: a valid TOTP secret.
    let letter = |i: usize| char::from(b'A' + (i % 26) as u8).to_string();
    Account {
        email: format!("citizen{n}@example.com"),
        totp_secret: format!(
            "JBSWY3DPEHPK3PXP{}{}",
            letter(n).repeat(8),
            letter(n / 26 + 7).repeat(8)
        ),
    }
}

impl Rig {
    /// Starts PostgreSQL and Redis, their proxies, the balancer and two replicas; creates the
    /// accounts; and writes the durable records the test checks after its fault. `None` when
    /// the servers are not installed (a skip, outside CI).
    async fn start(name: &'static str) -> Option<Rig> {
        let postgres = PrivatePostgres::start(name)?;
        let redis = PrivateRedis::start(name)?;
        let postgres_proxy = FaultProxy::start(postgres.addr()).await;
        let redis_proxy = FaultProxy::start(redis.addr()).await;
        let dir = tempfile::tempdir().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://{}/", listener.local_addr().unwrap());
        let rp = RelyingParty::new(&issuer, rp::CLIENT_ID, rp::REDIRECT_URI).unwrap();
        let reuse_rp =
            RelyingParty::new(&issuer, rp::REUSE_CLIENT_ID, rp::REUSE_REDIRECT_URI).unwrap();
        let clients = dir.path().join("clients");
        std::fs::create_dir_all(&clients).unwrap();
        std::fs::write(clients.join("bench.toml"), rp.registration().unwrap()).unwrap();
        std::fs::write(clients.join("reuse.toml"), reuse_rp.registration().unwrap()).unwrap();
        let mut env: Vec<(String, String)> = vec![
            ("ONE_LOGIN__ISSUER".into(), issuer.clone()),
            (
                "ONE_LOGIN__CLIENTS_DIR".into(),
                clients.display().to_string(),
            ),
            (
                "ONE_LOGIN__DATABASE__URL".into(),
                PrivatePostgres::url_via(postgres.addr()),
            ),
            (
                "ONE_LOGIN__EPHEMERAL__URL".into(),
                format!("redis://{}/", redis.addr()),
            ),
            (
                "ONE_LOGIN__IDENTITY__ENCRYPTION_KEY".into(),
                IDENTITY_KEY.into(),
            ),
            (
                "ONE_LOGIN__SECRETS__KEY_ENCRYPTION_KEY".into(),
                KEY_ENCRYPTION_KEY.into(),
            ),
        ];
        // Every citizen comes from 127.0.0.1: the per-address limits would refuse the load.
        env.extend(
            BENCH_OVERRIDES
                .iter()
                .map(|(k, v, _)| ((*k).to_owned(), (*v).to_owned())),
        );
        let with_data = |env: &[(String, String)], data: &str| {
            let mut env = env.to_vec();
            env.push((
                "ONE_LOGIN__DATA_DIR".into(),
                dir.path().join(data).display().to_string(),
            ));
            env
        };
        let setup_env = with_data(&env, "setup");
        let migrated = one_login(&setup_env).arg("migrate").output().unwrap();
        assert!(
            migrated.status.success(),
            "{}",
            String::from_utf8_lossy(&migrated.stderr)
        );
        let accounts: Vec<Account> = (0..LOAD_ACCOUNTS + KEPT_ACCOUNTS + 1)
            .map(account)
            .collect();
        create_accounts(&setup_env, &accounts);
        // The replicas reach their stores through the fault proxies.
        let mut served = env.clone();
        for (key, value) in served.iter_mut() {
            match key.as_str() {
                "ONE_LOGIN__DATABASE__URL" => {
                    *value = PrivatePostgres::url_via(postgres_proxy.addr())
                }
                "ONE_LOGIN__EPHEMERAL__URL" => *value = format!("redis://{}/", redis_proxy.addr()),
                _ => {}
            }
        }
        let mut replicas: Vec<Replica> = ["a", "b"]
            .iter()
            .map(|name| {
                Replica::spawn(
                    one_login_test_support::free_port(),
                    with_data(&served, name),
                    dir.path().join(format!("replica-{name}.log")),
                )
            })
            .collect();
        for replica in &mut replicas {
            replica.wait_healthy().await;
        }
        let balancer = Balancer::start(
            listener,
            replicas.iter().map(Replica::addr).collect(),
            CLIENT_TIMEOUT,
        );
        let base = url::Url::parse(&issuer).unwrap();
        let site = Arc::new(Site {
            endpoints: Endpoints::one_login(&base).unwrap(),
            flavour: Flavour::OneLogin,
            base,
            issuer,
            rp,
            reuse_rp,
            backend: reqwest::Client::builder()
                .timeout(CLIENT_TIMEOUT * 2)
                .build()
                .unwrap(),
        });
        let load_accounts = Arc::new(AccountPool::new(accounts[..LOAD_ACCOUNTS].to_vec()));
        let kept_accounts = AccountPool::new(accounts[LOAD_ACCOUNTS..].to_vec());
        let proven = accounts[LOAD_ACCOUNTS + KEPT_ACCOUNTS].clone();
        let mut rig = Rig {
            name,
            postgres,
            redis,
            postgres_proxy,
            redis_proxy,
            balancer,
            replicas,
            site,
            load_accounts,
            kept_accounts,
            kept: Vec::new(),
            proven,
            _dir: dir,
        };
        rig.write_durable_records().await;
        Some(rig)
    }

    /// Before the fault: each kept account signs in, consents and keeps a refresh token; the
    /// proven account proves its identity (as Kenneth, the test data set's person).
    async fn write_durable_records(&mut self) {
        for _ in 0..KEPT_ACCOUNTS {
            let lease = self.kept_accounts.acquire().await;
            let citizen = Citizen::new(self.site.clone()).unwrap();
            let (code, verifier, visited) = citizen
                .visit(Scope::Offline, &lease.account, Some(lease.step))
                .await
                .unwrap();
            assert!(visited.signed_in && visited.consented);
            let tokens = self.site.redeem(&code, &verifier).await.unwrap();
            self.kept.push(Kept {
                refresh_token: tokens.refresh_token.unwrap(),
            });
            self.kept_accounts.release(lease);
        }
        let lease = self.kept_accounts.acquire().await;
        assert_eq!(lease.account.email, self.proven.email);
        let citizen = Citizen::new(self.site.clone()).unwrap();
        let (code, verifier, visited) = citizen
            .visit_at(
                &self.site.rp,
                Scope::Identity,
                &lease.account,
                Some(lease.step),
                true,
            )
            .await
            .unwrap();
        assert!(visited.proved, "{visited:?}");
        let tokens = self.site.redeem(&code, &verifier).await.unwrap();
        self.site.core_identity(&tokens.access_token).await.unwrap();
        self.kept_accounts.release(lease);
    }

    /// After the fault: nothing written before it is lost, and the replicas that were not
    /// killed on purpose are the processes started at first.
    async fn assert_nothing_lost(&mut self) {
        for kept in &mut self.kept {
            kept.refresh_token = self
                .site
                .refresh(&kept.refresh_token)
                .await
                .unwrap_or_else(|e| {
                    panic!("{}: a refresh token from before the fault: {e}", self.name)
                });
        }
        for _ in 0..KEPT_ACCOUNTS {
            let lease = self.kept_accounts.acquire().await;
            let citizen = Citizen::new(self.site.clone()).unwrap();
            let (code, verifier, visited) = citizen
                .visit(Scope::Offline, &lease.account, Some(lease.step))
                .await
                .unwrap_or_else(|e| panic!("{}: sign-in after the fault: {e}", self.name));
            assert!(visited.signed_in);
            assert!(
                !visited.consented,
                "{}: consent given before the fault was asked again",
                self.name
            );
            self.site.redeem(&code, &verifier).await.unwrap();
            self.kept_accounts.release(lease);
        }
        // The identity proven before the fault is reused, not proven again.
        let lease = self.kept_accounts.acquire().await;
        let citizen = Citizen::new(self.site.clone()).unwrap();
        let (code, verifier, _) = citizen
            .visit_at(
                &self.site.rp,
                Scope::Identity,
                &lease.account,
                Some(lease.step),
                false,
            )
            .await
            .unwrap_or_else(|e| panic!("{}: the proven identity after the fault: {e}", self.name));
        let tokens = self.site.redeem(&code, &verifier).await.unwrap();
        self.site.core_identity(&tokens.access_token).await.unwrap();
        self.kept_accounts.release(lease);
    }

    fn assert_never_restarted(&mut self) {
        for (n, replica) in self.replicas.iter_mut().enumerate() {
            assert!(
                replica.running(),
                "{}: replica {n} exited:\n{}",
                self.name,
                replica.log_tail()
            );
        }
    }

    /// After the load: a sign-in, a single sign-on visit and a refresh, each succeeding.
    async fn assert_every_flow_succeeds(&self) {
        let lease = self.load_accounts.acquire().await;
        let citizen = Citizen::new(self.site.clone()).unwrap();
        let result = sign_in(&citizen, &lease.account, lease.step).await;
        self.load_accounts.release(lease);
        let refresh = result.unwrap_or_else(|e| panic!("{}: sign-in: {e}", self.name));
        self.site
            .refresh(&refresh)
            .await
            .unwrap_or_else(|e| panic!("{}: refresh: {e}", self.name));
        single_sign_on(&citizen, &account(0))
            .await
            .unwrap_or_else(|e| panic!("{}: single sign-on: {e}", self.name));
    }
}

/// `one-login create-account` for every account, all at once.
fn create_accounts(env: &[(String, String)], accounts: &[Account]) {
    let children: Vec<_> = accounts
        .iter()
        .map(|account| {
            one_login(env)
                .args(["create-account", "--email", &account.email])
                .args(["--password", one_login_bench::citizen::PASSWORD])
                .args(["--totp-secret", &account.totp_secret])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "create-account: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FlowKind {
    SignIn,
    SingleSignOn,
    Refresh,
}

#[derive(Debug)]
struct Flow {
    kind: FlowKind,
    ended: Instant,
    /// `None` when it succeeded.
    failure: Option<String>,
    /// A single sign-on visit sent to sign in again: the session was gone (Redis restarted
    /// empty, by design), not a failure of the flow.
    session_lost: bool,
}

/// Sign-in with password and code, consenting if asked; returns the refresh token.
async fn sign_in(citizen: &Citizen, account: &Account, step: i64) -> Result<String, String> {
    let (code, verifier, _) = citizen
        .visit(Scope::Offline, account, Some(step))
        .await
        .map_err(|e| e.to_string())?;
    let tokens = citizen
        .site()
        .redeem(&code, &verifier)
        .await
        .map_err(|e| e.to_string())?;
    tokens
        .refresh_token
        .ok_or_else(|| "no refresh token".to_owned())
}

/// Single sign-on: the session answers `/authorize` without a page; the code is redeemed.
async fn single_sign_on(citizen: &Citizen, account: &Account) -> Result<(), String> {
    let (code, verifier, _) = citizen
        .visit(Scope::Visit, account, None)
        .await
        .map_err(|e| e.to_string())?;
    citizen
        .site()
        .redeem(&code, &verifier)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The steady, bounded load: `CITIZENS` citizens, each signing in, then coming back by single
/// sign-on and refreshing its token, a short pause between flows, until stopped.
struct Load {
    stop: Arc<AtomicBool>,
    flows: Arc<Mutex<Vec<Flow>>>,
    citizens: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(rig: &Rig) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let flows = Arc::new(Mutex::new(Vec::new()));
        let citizens = (0..CITIZENS)
            .map(|_| {
                tokio::spawn(citizen_loop(
                    rig.site.clone(),
                    rig.load_accounts.clone(),
                    stop.clone(),
                    flows.clone(),
                ))
            })
            .collect();
        Load {
            stop,
            flows,
            citizens,
        }
    }

    async fn stop(self) -> Vec<Flow> {
        self.stop.store(true, Ordering::SeqCst);
        for citizen in self.citizens {
            citizen.await.unwrap();
        }
        std::mem::take(&mut *self.flows.lock().unwrap())
    }
}

async fn citizen_loop(
    site: Arc<Site>,
    pool: Arc<AccountPool>,
    stop: Arc<AtomicBool>,
    flows: Arc<Mutex<Vec<Flow>>>,
) {
    // The signed-in browser and its account, and the relying party's refresh token.
    let mut signed_in: Option<(Citizen, Account)> = None;
    let mut refresh_token: Option<String> = None;
    let mut round = 0u32;
    while !stop.load(Ordering::SeqCst) {
        round += 1;
        let (kind, result, session_lost) = match &signed_in {
            Some(_) if round.is_multiple_of(8) => (FlowKind::SignIn, Ok(()), false),
            Some((citizen, account)) if round % 2 == 1 => {
                let result = single_sign_on(citizen, account).await;
                let lost = result
                    .as_ref()
                    .is_err_and(|e| e.contains("asked for a code in a single sign-on visit"));
                (FlowKind::SingleSignOn, result, lost)
            }
            Some(_) if refresh_token.is_some() => {
                let token = refresh_token.clone().unwrap_or_default();
                let result = site.refresh(&token).await.map_err(|e| e.to_string());
                let result = result.map(|rotated| refresh_token = Some(rotated));
                (FlowKind::Refresh, result, false)
            }
            _ => (FlowKind::SignIn, Ok(()), false),
        };
        let result = if kind == FlowKind::SignIn {
            let lease = pool.acquire().await;
            let citizen = Citizen::new(site.clone()).unwrap();
            let result = sign_in(&citizen, &lease.account, lease.step).await;
            let account = lease.account.clone();
            pool.release(lease);
            match result {
                Ok(token) => {
                    refresh_token = Some(token);
                    signed_in = Some((citizen, account));
                    Ok(())
                }
                Err(e) => Err(e),
            }
        } else {
            result
        };
        match (&result, kind) {
            (Ok(()), _) => {}
            // The session is gone (Redis restarted empty): sign in again.
            (Err(_), FlowKind::SingleSignOn) if session_lost => signed_in = None,
            // Refused for good (rotated by a request whose answer was lost): sign in again.
            (Err(e), FlowKind::Refresh) if e.contains("invalid_grant") => signed_in = None,
            // Otherwise (a 503, a dropped connection) try again after a pause, as people and
            // relying parties do, with the same session or token.
            (Err(_), _) => tokio::time::sleep(Duration::from_millis(400)).await,
        }
        flows.lock().unwrap().push(Flow {
            kind,
            ended: Instant::now(),
            failure: result.err(),
            session_lost,
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What a test allows beyond "no 500, every 503 told properly, no hang".
#[derive(Default)]
struct Allowed {
    /// Requests cut off by a replica killed with SIGKILL.
    dropped: bool,
}

/// The figures of one test, and the checks on every exchange and flow.
struct Figures {
    requests: usize,
    by_kind: BTreeMap<String, usize>,
    flows: BTreeMap<FlowKind, (usize, usize)>,
    sessions_lost: usize,
    /// From the fault's end to the last failed request or flow.
    recovery: Duration,
    longest: Duration,
}

fn protocol_endpoint(path: &str) -> bool {
    ["/token", "/userinfo", "/revoke"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}?")))
}

fn check(
    name: &str,
    exchanges: &[Exchange],
    flows: &[Flow],
    restored: Instant,
    allowed: &Allowed,
) -> Figures {
    let mut by_kind = BTreeMap::new();
    let mut last_failure = restored;
    for exchange in exchanges {
        let what = format!("{name}: {} {}", exchange.method, exchange.path);
        let kind = match &exchange.outcome {
            Outcome::Answered(status @ 200..=399) => format!("{}xx", status / 100),
            Outcome::Answered(status @ 400..=499) => format!("{status}"),
            Outcome::Answered(503) => {
                assert!(
                    exchange.retry_after.is_some(),
                    "{what}: 503 without Retry-After"
                );
                if protocol_endpoint(&exchange.path) {
                    assert_eq!(
                        exchange.body,
                        BodyKind::OAuth {
                            temporarily_unavailable: true
                        },
                        "{what}: a 503 at a client endpoint is OAuth temporarily_unavailable"
                    );
                } else {
                    assert_eq!(
                        exchange.body,
                        BodyKind::Page { unavailable: true },
                        "{what}: a 503 for a person is the service unavailable page"
                    );
                }
                "503".to_owned()
            }
            Outcome::Answered(status) => panic!("{what}: answered {status}"),
            Outcome::Dropped(why) => {
                assert!(allowed.dropped, "{what}: dropped by the replica: {why}");
                "dropped by a killed replica".to_owned()
            }
            Outcome::Refused => panic!("{what}: no replica was listening"),
            Outcome::TimedOut => panic!("{what}: no answer within {CLIENT_TIMEOUT:?}"),
        };
        assert!(
            exchange.elapsed() <= SERVER_TIMEOUT + Duration::from_secs(1),
            "{what}: took {:?}",
            exchange.elapsed()
        );
        if exchange.refused_first > 0 {
            *by_kind
                .entry("refused, then sent to the other replica".to_owned())
                .or_default() += 1;
        }
        if exchange.status().is_none_or(|s| s >= 500) {
            last_failure = last_failure.max(exchange.ended);
        }
        *by_kind.entry(kind).or_default() += 1;
    }
    let mut by_flow: BTreeMap<FlowKind, (usize, usize)> = BTreeMap::new();
    let mut sessions_lost = 0;
    for flow in flows {
        let entry = by_flow.entry(flow.kind).or_default();
        entry.0 += 1;
        if flow.session_lost {
            sessions_lost += 1;
        } else if flow.failure.is_some() {
            entry.1 += 1;
            last_failure = last_failure.max(flow.ended);
        }
    }
    let longest = exchanges
        .iter()
        .map(Exchange::elapsed)
        .max()
        .unwrap_or_default();
    Figures {
        requests: exchanges.len(),
        by_kind,
        flows: by_flow,
        sessions_lost,
        recovery: last_failure - restored,
        longest,
    }
}

impl Figures {
    fn print(&self, name: &str, flows: &[Flow]) {
        let kinds: Vec<String> = self
            .by_kind
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        let flow_figures: Vec<String> = self
            .flows
            .iter()
            .map(|(k, (n, failed))| format!("{k:?} {n} ({failed} failed)"))
            .collect();
        println!(
            "FAULTS {name}: {} requests [{}]; flows [{}], sessions lost {}; recovery {:.1} s; \
             longest request {:.1} s",
            self.requests,
            kinds.join(", "),
            flow_figures.join(", "),
            self.sessions_lost,
            self.recovery.as_secs_f64(),
            self.longest.as_secs_f64()
        );
        let mut failures: BTreeMap<&str, usize> = BTreeMap::new();
        for flow in flows {
            if let Some(why) = &flow.failure {
                *failures.entry(why.as_str()).or_default() += 1;
            }
        }
        for (why, n) in failures {
            println!("FAULTS {name}:   {n} x {why}");
        }
    }
}

/// Runs the load for `before`, calls `fault` (which returns when the fault has ended), runs
/// the load `after` more, then checks and prints everything.
async fn under_load<F>(rig: &mut Rig, allowed: Allowed, fault: F) -> Figures
where
    F: AsyncFnOnce(&mut Rig) -> Instant,
{
    let load = Load::start(rig);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let restored = fault(rig).await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let flows = load.stop().await;
    let exchanges = rig.balancer.exchanges();
    // A 500 is logged at ERROR with its cause: shown before the checks that would fail on it.
    for replica in &rig.replicas {
        for line in std::fs::read_to_string(&replica.log)
            .unwrap_or_default()
            .lines()
        {
            if line.contains("ERROR") {
                println!("FAULTS {}: replica log: {line}", rig.name);
            }
        }
    }
    let figures = check(rig.name, &exchanges, &flows, restored, &allowed);
    figures.print(rig.name, &flows);
    assert!(
        figures.recovery <= RECOVERY_LIMIT,
        "{}: flows still failed {:?} after the fault ended; the replicas' logs end:\n{}",
        rig.name,
        figures.recovery,
        rig.replicas
            .iter()
            .map(Replica::log_tail)
            .collect::<Vec<_>>()
            .join("\n---\n")
    );
    for (kind, (n, _)) in &figures.flows {
        assert!(*n > 0, "{}: no {kind:?} flow ran", rig.name);
    }
    rig.assert_every_flow_succeeds().await;
    rig.assert_nothing_lost().await;
    figures
}

/// Redis killed (SIGKILL) for 4 s, then started again empty. Sessions, codes in flight and
/// replay marks lived there and are gone by design: a citizen whose session it was signs in
/// again (counted as "sessions lost", not as failures). Nothing durable lived there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_and_restarted_empty() {
    let _serial = SERIAL.lock().await;
    let Some(mut rig) = Rig::start("redis_killed_and_restarted_empty").await else {
        return;
    };
    // A citizen signed in before the fault, idle through it.
    let witness = Citizen::new(rig.site.clone()).unwrap();
    let lease = rig.load_accounts.acquire().await;
    sign_in(&witness, &lease.account, lease.step).await.unwrap();
    let account = lease.account.clone();
    rig.load_accounts.release(lease);
    single_sign_on(&witness, &account).await.unwrap();
    under_load(&mut rig, Allowed::default(), async |rig: &mut Rig| {
        rig.redis.kill();
        tokio::time::sleep(Duration::from_secs(4)).await;
        rig.redis.start_again();
        Instant::now()
    })
    .await;
    rig.assert_never_restarted();
    // Its session went with Redis, by design: it is asked to sign in again.
    let after = single_sign_on(&witness, &account).await;
    assert!(
        after
            .as_ref()
            .is_err_and(|e| e.contains("asked for a code in a single sign-on visit")),
        "{after:?}"
    );
}

/// PostgreSQL stopped with `pg_ctl stop -m immediate` (every backend gone at once, as in a
/// crash) for 4 s, then started again; its pooled connections are all dead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_and_started() {
    let _serial = SERIAL.lock().await;
    let Some(mut rig) = Rig::start("postgres_stopped_and_started").await else {
        return;
    };
    under_load(&mut rig, Allowed::default(), async |rig: &mut Rig| {
        rig.postgres.stop_immediately();
        tokio::time::sleep(Duration::from_secs(4)).await;
        rig.postgres.start_again();
        Instant::now()
    })
    .await;
    rig.assert_never_restarted();
}

/// Both stores answer 2 s late for 10 s (the proxies hold every reply).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_stores_slow() {
    let _serial = SERIAL.lock().await;
    let Some(mut rig) = Rig::start("both_stores_slow").await else {
        return;
    };
    under_load(&mut rig, Allowed::default(), async |rig: &mut Rig| {
        rig.postgres_proxy.set_latency(Duration::from_secs(2));
        rig.redis_proxy.set_latency(Duration::from_secs(2));
        tokio::time::sleep(Duration::from_secs(10)).await;
        rig.postgres_proxy.set_latency(Duration::ZERO);
        rig.redis_proxy.set_latency(Duration::ZERO);
        Instant::now()
    })
    .await;
    rig.assert_never_restarted();
}

/// One of the two replicas killed with SIGKILL mid-load, then started again. Requests it was
/// answering are cut off (the balancer answers 502, counted: a relying party or a person tries
/// again); new ones go to the other. A refresh cut off after the token rotated leaves its
/// relying party with a used token: it signs the citizen in again (counted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_load() {
    let _serial = SERIAL.lock().await;
    let Some(mut rig) = Rig::start("a_replica_killed_mid_load").await else {
        return;
    };
    let allowed = Allowed { dropped: true };
    under_load(&mut rig, allowed, async |rig: &mut Rig| {
        // Stores 0.3 s away keep requests in flight at the kill.
        for proxy in [&rig.postgres_proxy, &rig.redis_proxy] {
            proxy.set_latency(Duration::from_millis(300));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        rig.replicas[0].kill();
        for proxy in [&rig.postgres_proxy, &rig.redis_proxy] {
            proxy.set_latency(Duration::ZERO);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        rig.replicas[0].restart().await;
        Instant::now()
    })
    .await;
    rig.assert_never_restarted();
}

/// Both replicas restarted in turn with SIGTERM, as a deployment does: each drains what it is
/// answering (a token refresh sent to it just before the signal, slowed by a database 0.4 s
/// away, completes), exits 0, and is started again before the next one stops. No request is
/// dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_with_sigterm() {
    let _serial = SERIAL.lock().await;
    let Some(mut rig) = Rig::start("a_rolling_restart_with_sigterm").await else {
        return;
    };
    under_load(&mut rig, Allowed::default(), async |rig: &mut Rig| {
        for n in 0..rig.replicas.len() {
            rig.postgres_proxy.set_latency(Duration::from_millis(400));
            let token = rig.kept[n].refresh_token.clone();
            let in_flight =
                tokio::spawn(refresh_at(rig.replicas[n].addr(), rig.site.clone(), token));
            tokio::time::sleep(Duration::from_millis(300)).await;
            let signalled = Instant::now();
            rig.replicas[n].terminate();
            let status = rig.replicas[n].exited(Duration::from_secs(15)).await;
            rig.postgres_proxy.set_latency(Duration::ZERO);
            let (answered, rotated) = in_flight.await.unwrap();
            assert!(
                answered > signalled,
                "the refresh was not in flight at SIGTERM"
            );
            rig.kept[n].refresh_token =
                rotated.unwrap_or_else(|e| panic!("a request in flight at SIGTERM failed: {e}"));
            assert!(status.success(), "replica {n} exited with {status}");
            // Every exchange the balancer had in flight to it then completed.
            for exchange in rig.balancer.exchanges() {
                if exchange.replica == n && exchange.in_flight_at(signalled) {
                    assert!(
                        exchange.status().is_some_and(|s| s < 500),
                        "in flight at SIGTERM: {exchange:?}"
                    );
                }
            }
            rig.replicas[n].restart().await;
        }
        Instant::now()
    })
    .await;
}

/// `grant_type=refresh_token` sent straight to the replica at `addr`; when it answered, and
/// the rotated token.
async fn refresh_at(
    addr: SocketAddr,
    site: Arc<Site>,
    token: String,
) -> (Instant, Result<String, String>) {
    let assertion = site.rp.assertion().unwrap();
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", token.as_str()),
            ("client_assertion_type", rp::JWT_BEARER),
            ("client_assertion", assertion.as_str()),
        ])
        .timeout(CLIENT_TIMEOUT)
        .send()
        .await;
    let answered = Instant::now();
    let result = match response {
        Ok(r) if r.status() == 200 => {
            let body: serde_json::Value = r.json().await.unwrap();
            Ok(body["refresh_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned())
        }
        Ok(r) => Err(format!("{}: {}", r.status(), r.text().await.unwrap())),
        Err(e) => Err(e.to_string()),
    };
    (answered, result)
}
