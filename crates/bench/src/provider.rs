//! The provider under test: a child process of the real `one-login` binary on a free loopback
//! port, with its own data folder, clients folder and (for PostgreSQL + Redis) its own database
//! and key prefix, all removed afterwards.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::citizen::{Account, PASSWORD};
use crate::error::{Error, Result};

/// Which durable and short-lived stores the provider uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StorePair {
    /// SQLite in the data folder, and the in-process store.
    Embedded,
    PostgresRedis,
}

impl StorePair {
    pub fn name(self) -> &'static str {
        match self {
            StorePair::Embedded => "embedded",
            StorePair::PostgresRedis => "postgres-redis",
        }
    }
}

/// Configuration the bench sets for its runs beyond where the provider lives, and why. Printed
/// and written into the report, so no one mistakes these figures for the shipped settings.
pub const BENCH_OVERRIDES: &[(&str, &str, &str)] = &[
    (
        "ONE_LOGIN__RATE_LIMITS__SIGN_IN",
        "4000000000",
        "every virtual citizen comes from 127.0.0.1, and rate_limits.sign_in (30 forms a minute \
         per address) would refuse the login scenario after 15 sign-ins; the sign-in throttle \
         counts only wrong answers, which the bench never gives, so it stays as shipped",
    ),
    (
        "ONE_LOGIN__RATE_LIMITS__FORMS",
        "4000000000",
        "consent forms from 127.0.0.1 (rate_limits.forms: 60 a minute per address)",
    ),
    (
        "ONE_LOGIN__RATE_LIMITS__PROVING",
        "4000000000",
        "proving journeys in setup from 127.0.0.1 (rate_limits.proving: 30 a minute per address)",
    ),
    (
        "ONE_LOGIN__RATE_LIMITS__CLIENT_API",
        "4000000000",
        "the bench's relying party calls /token and /userinfo from 127.0.0.1 \
         (rate_limits.client_api: 600 a minute per address)",
    ),
    (
        "ONE_LOGIN__RATE_LIMITS__PER_CLIENT",
        "4000000000",
        "one relying party makes every /token call (rate_limits.per_client: 3000 a minute)",
    ),
];

/// Where PostgreSQL and Redis are, for the `postgres-redis` pair.
#[derive(Debug, Clone)]
pub struct Servers {
    /// A database the tool may `CREATE DATABASE` from.
    pub postgres_admin_url: String,
    pub redis_url: String,
}

/// The stores of one run, and what must be removed when it ends.
pub struct Stores {
    pub pair: StorePair,
    env: Vec<(String, String)>,
    cleanup: Option<(Servers, String, String)>,
}

fn run_quiet(command: &mut Command, what: &str) -> Result<String> {
    let output = command
        .output()
        .map_err(|e| Error::Stores(format!("{what}: {e}")))?;
    if !output.status.success() {
        return Err(Error::Stores(format!(
            "{what}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `base` with its database name replaced.
fn with_database(base: &str, name: &str) -> Result<String> {
    let mut url =
        url::Url::parse(base).map_err(|e| Error::Stores(format!("PostgreSQL URL {base}: {e}")))?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

impl Stores {
    pub fn open(pair: StorePair, servers: &Servers) -> Result<Self> {
        match pair {
            StorePair::Embedded => Ok(Stores {
                pair,
                env: Vec::new(),
                cleanup: None,
            }),
            StorePair::PostgresRedis => {
                let id = uuid::Uuid::new_v4().simple().to_string();
                let database = format!("one_login_bench_{}", &id[..12]);
                let prefix = format!("bench:{}:", &id[..12]);
                run_quiet(
                    Command::new("psql")
                        .args(["-qAtX", &servers.postgres_admin_url, "-c"])
                        .arg(format!("CREATE DATABASE {database}")),
                    "creating the bench database (psql)",
                )?;
                let env = vec![
                    (
                        "ONE_LOGIN__DATABASE__URL".to_owned(),
                        with_database(&servers.postgres_admin_url, &database)?,
                    ),
                    (
                        "ONE_LOGIN__EPHEMERAL__URL".to_owned(),
                        servers.redis_url.clone(),
                    ),
                    (
                        "ONE_LOGIN__EPHEMERAL__KEY_PREFIX".to_owned(),
                        prefix.clone(),
                    ),
                ];
                Ok(Stores {
                    pair,
                    env,
                    cleanup: Some((servers.clone(), database, prefix)),
                })
            }
        }
    }

    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// The connections the provider holds to its durable store, and how they were counted.
    /// PostgreSQL: `pg_stat_activity` rows for the run's own database (only the provider uses
    /// it). SQLite: the provider's open descriptors on the database file itself (each pooled
    /// connection holds one; the `-wal` and `-shm` files are not counted).
    pub fn database_connections(&self, provider: &Provider) -> Option<u64> {
        match &self.cleanup {
            Some((servers, database, _)) => run_quiet(
                Command::new("psql")
                    .args(["-qAtX", &servers.postgres_admin_url, "-c"])
                    .arg(format!(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'"
                    )),
                "counting the provider's PostgreSQL connections",
            )
            .ok()?
            .trim()
            .parse()
            .ok(),
            None => crate::measure::fds_on(provider.pid, &provider.data_dir().join(SQLITE_FILE)),
        }
    }

    /// What [`Stores::database_connections`] counts, for the report.
    pub fn connections_counted(&self) -> &'static str {
        match self.pair {
            StorePair::Embedded => {
                "provider's open fds on one-login.sqlite (one per pooled connection)"
            }
            StorePair::PostgresRedis => "pg_stat_activity rows for the run's database",
        }
    }
}

/// The SQLite file the provider makes in its data folder when no database URL is set.
const SQLITE_FILE: &str = "one-login.sqlite";

impl Drop for Stores {
    fn drop(&mut self) {
        let Some((servers, database, prefix)) = self.cleanup.take() else {
            return;
        };
        if let Err(e) = run_quiet(
            Command::new("psql")
                .args(["-qAtX", &servers.postgres_admin_url, "-c"])
                .arg(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")),
            "dropping the bench database",
        ) {
            eprintln!("warning: {e}");
        }
        // Every key the provider writes expires on its own; deleting them now keeps a shared
        // Redis tidy. The prefix is the tool's own (letters, digits, colons), safe in a pattern.
        let script = format!(
            "redis-cli -u {url} --scan --pattern '{prefix}*' | xargs -r -n 500 redis-cli -u {url} del >/dev/null",
            url = servers.redis_url
        );
        if let Err(e) = run_quiet(Command::new("sh").args(["-c", &script]), "clearing Redis") {
            eprintln!("warning: {e} (the keys expire by themselves)");
        }
    }
}

/// Refuses an unoptimised provider unless asked: its figures would say nothing.
pub fn check_binary(path: &Path, allow_debug: bool) -> Result<()> {
    if !path.is_file() {
        return Err(Error::ProviderBinary {
            path: path.to_owned(),
            why: "not found; build it with `cargo build --release -p one-login-provider`".into(),
        });
    }
    let debug = path.components().any(|c| c.as_os_str() == "debug");
    if debug && !allow_debug {
        return Err(Error::ProviderBinary {
            path: path.to_owned(),
            why: "is a debug build, whose figures mean nothing; use target/release/one-login, \
                  or pass --allow-debug to run it anyway (for testing the tool)"
                .into(),
        });
    }
    Ok(())
}

pub(crate) fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Error::io("finding a free loopback port", e))
}

/// A running provider.
pub struct Provider {
    child: Child,
    pub pid: u32,
    pub issuer: String,
    pub base: url::Url,
    bin: PathBuf,
    config: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    /// Holds the data and clients folders until the provider is gone.
    _dir: tempfile::TempDir,
}

impl Provider {
    /// Starts `bin serve` with the relying parties `client_tomls` gives (file name, contents),
    /// and waits until it answers `/healthz`.
    pub async fn start(
        bin: &Path,
        config: &Path,
        stores: &Stores,
        client_tomls: impl FnOnce(&str) -> Result<Vec<(&'static str, String)>>,
    ) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("one-login-bench-")
            .tempdir()
            .map_err(|e| Error::io("making the temporary data folder", e))?;
        let clients = dir.path().join("clients");
        std::fs::create_dir_all(&clients).map_err(|e| Error::io("making the clients folder", e))?;
        let port = free_port()?;
        let issuer = format!("http://127.0.0.1:{port}/");
        for (name, toml) in client_tomls(&issuer)? {
            std::fs::write(clients.join(name), toml)
                .map_err(|e| Error::io("writing a bench client", e))?;
        }
        let mut env: Vec<(String, String)> = vec![
            (
                "ONE_LOGIN__SERVER__LISTEN".into(),
                format!("127.0.0.1:{port}"),
            ),
            ("ONE_LOGIN__ISSUER".into(), issuer.clone()),
            (
                "ONE_LOGIN__DATA_DIR".into(),
                dir.path().display().to_string(),
            ),
            (
                "ONE_LOGIN__CLIENTS_DIR".into(),
                clients.display().to_string(),
            ),
        ];
        env.extend(stores.env().iter().cloned());
        env.extend(
            BENCH_OVERRIDES
                .iter()
                .map(|(k, v, _)| ((*k).to_owned(), (*v).to_owned())),
        );
        let log = dir.path().join("provider.log");
        let log_file =
            std::fs::File::create(&log).map_err(|e| Error::io("creating the provider log", e))?;
        let mut command = one_login(bin, &env);
        command
            .args(["serve", "--config"])
            .arg(config)
            .stdout(Stdio::null())
            .stderr(log_file);
        let child = command
            .spawn()
            .map_err(|e| Error::io(format!("starting {}", bin.display()), e))?;
        let base = url::Url::parse(&issuer).map_err(|e| Error::Provider(e.to_string()))?;
        let mut provider = Provider {
            pid: child.id(),
            child,
            issuer,
            base,
            bin: bin.to_owned(),
            config: config.to_owned(),
            env,
            log,
            _dir: dir,
        };
        provider.wait_ready().await?;
        Ok(provider)
    }

    async fn wait_ready(&mut self) -> Result<()> {
        let url = self
            .base
            .join("healthz")
            .map_err(|e| Error::Provider(e.to_string()))?;
        let serving = Serving {
            what: "the provider",
            url,
            within: Duration::from_secs(60),
        };
        serving.wait(&mut self.child, &self.log).await
    }

    /// The end of the provider's log, for error messages.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log)
    }

    /// Creates `accounts` with `one-login create-account`, `parallel` commands at a time.
    pub fn create_accounts(&self, accounts: &[Account], parallel: usize) -> Result<()> {
        let chunk = accounts.len().div_ceil(parallel.max(1)).max(1);
        std::thread::scope(|scope| {
            let workers: Vec<_> = accounts
                .chunks(chunk)
                .map(|part| scope.spawn(move || self.create_some(part)))
                .collect();
            for worker in workers {
                worker
                    .join()
                    .map_err(|_| Error::Provider("account creation thread panicked".into()))??;
            }
            Ok(())
        })
    }

    fn create_some(&self, accounts: &[Account]) -> Result<()> {
        for account in accounts {
            // SQLite lets one writer in at a time; a command that waited past its busy timeout
            // (a loaded machine) is run again, a few times.
            let mut attempts = 0;
            loop {
                attempts += 1;
                let output = one_login(&self.bin, &self.env)
                    .args(["create-account", "--config"])
                    .arg(&self.config)
                    .args(["--email", &account.email, "--password", PASSWORD])
                    .args(["--totp-secret", &account.totp_secret])
                    .output()
                    .map_err(|e| Error::io("running one-login create-account", e))?;
                if output.status.success() {
                    break;
                }
                let stderr = String::from_utf8_lossy(&output.stderr);
                if attempts < 5 && stderr.contains("database is locked") {
                    std::thread::sleep(Duration::from_millis(200 * attempts));
                    continue;
                }
                return Err(Error::Provider(format!(
                    "create-account {}: {}",
                    account.email,
                    stderr.trim()
                )));
            }
        }
        Ok(())
    }

    /// The provider's data folder (its SQLite file, when embedded).
    pub fn data_dir(&self) -> &Path {
        self._dir.path()
    }

    /// Stops the provider (SIGKILL: the figures are taken, and its stores are thrown away).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A child process that serves HTTP once it is up: the provider, or the anchor.
pub(crate) struct Serving {
    /// What it is, for messages ("the provider").
    pub what: &'static str,
    /// A page that answers 2xx once it serves.
    pub url: url::Url,
    pub within: Duration,
}

impl Serving {
    /// Polls `url` until it answers, the child exits, or `within` passes; the error carries the
    /// end of the child's `log`.
    pub async fn wait(&self, child: &mut Child, log: &Path) -> Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + self.within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(Error::Provider(format!(
                    "{} exited with {status} before answering:\n{}",
                    self.what,
                    log_tail(log)
                )));
            }
            if let Ok(response) = client.get(self.url.clone()).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(Error::Provider(format!(
            "{} did not answer {} within {} s:\n{}",
            self.what,
            self.url.path(),
            self.within.as_secs(),
            log_tail(log)
        )))
    }
}

/// The last 20 lines of a child's log, for error messages.
pub(crate) fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// `bin` with exactly `env` for its ONE_LOGIN__ settings (none inherited from this shell).
fn one_login(bin: &Path, env: &[(String, String)]) -> Command {
    let mut command = Command::new(bin);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ONE_LOGIN__")) {
        command.env_remove(key);
    }
    command.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    command
}
