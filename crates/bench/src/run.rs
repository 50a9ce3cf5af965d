//! One benchmark run: for each store pair, start the provider, create accounts and sign
//! citizens in (not measured), then run each scenario at each concurrency level.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::anchor::Anchor;
use crate::citizen::{Account, Citizen, Endpoints, Flavour, Scope, Site, current_step};
use crate::error::{Error, Result};
use crate::measure::{self, LatencySummary, ResourceSummary, Sampler, Samples};
use crate::pool::{AccountPool, Lease};
use crate::provider::{Provider, Servers, StorePair, Stores};
use crate::rp::{self, RelyingParty};
use crate::scenario::Scenario;

#[derive(Debug, Clone)]
pub struct Options {
    pub provider_bin: PathBuf,
    pub allow_debug: bool,
    /// The provider's configuration file (`config/default.toml`).
    pub config: PathBuf,
    pub stores: Vec<StorePair>,
    pub scenarios: Vec<Scenario>,
    pub concurrency: Vec<usize>,
    pub duration: Duration,
    pub warmup: Duration,
    /// Stop a level after this many measured flows, whatever the time.
    pub max_flows: Option<u64>,
    pub login_accounts: usize,
    pub servers: Servers,
    pub progress: bool,
    /// The anchor's folder (`tests/perf/anchor`): when given, the scenarios it can run are run
    /// against it too, after One Login's.
    pub anchor: Option<PathBuf>,
}

/// Whose provider a level drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    OneLogin(StorePair),
    Anchor,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Subject::OneLogin(pair) => pair.name(),
            Subject::Anchor => "anchor",
        }
    }

    /// Whether the PostgreSQL and Redis servers' CPU is part of an operation's cost.
    fn counts_store_servers(self) -> bool {
        self == Subject::OneLogin(StorePair::PostgresRedis)
    }
}

/// One scenario's figures at one level, before they are filed as One Login's or the anchor's.
struct Measured {
    scenario: String,
    concurrency: usize,
    latency: LatencySummary,
    resources: ResourceSummary,
    provider_cpu_us_per_op: f64,
    store_cpu_us_per_op: f64,
    consents: Option<u64>,
    pool_waits: Option<u64>,
}

impl Measured {
    fn into_row(self, stores: StorePair) -> Row {
        Row {
            stores,
            scenario: self.scenario,
            concurrency: self.concurrency,
            latency: self.latency,
            resources: self.resources,
            provider_cpu_us_per_op: self.provider_cpu_us_per_op,
            store_cpu_us_per_op: self.store_cpu_us_per_op,
            consents: self.consents,
            pool_waits: self.pool_waits,
        }
    }

    fn into_anchor_row(self) -> AnchorRow {
        AnchorRow {
            scenario: self.scenario,
            concurrency: self.concurrency,
            latency: self.latency,
            resources: self.resources,
            cpu_us_per_op: self.provider_cpu_us_per_op,
        }
    }
}

/// One measured line of the anchor: the node process's CPU, no store servers (its store is
/// in memory).
#[derive(Debug, Clone, Serialize)]
pub struct AnchorRow {
    pub scenario: String,
    pub concurrency: usize,
    pub latency: LatencySummary,
    pub resources: ResourceSummary,
    pub cpu_us_per_op: f64,
}

/// The anchor's part of a run.
#[derive(Debug, Clone, Serialize)]
pub struct AnchorRun {
    /// `oidc-provider <version>` as installed in the anchor's folder.
    pub provider: String,
    pub node: String,
    pub rss_idle_mb: f64,
    pub rss_after_setup_mb: f64,
    /// Scenarios of the run the anchor has no counterpart for (not run against it).
    pub skipped: Vec<Scenario>,
    pub rows: Vec<AnchorRow>,
    pub hwm_mb: f64,
}

/// One measured line: a scenario (or one half of `login-with-sso`) at one concurrency.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub stores: StorePair,
    pub scenario: String,
    pub concurrency: usize,
    pub latency: LatencySummary,
    pub resources: ResourceSummary,
    /// CPU microseconds per operation over the level (the provider's, and the store
    /// servers' for `postgres-redis`), every scenario of a mixed level sharing one figure.
    pub provider_cpu_us_per_op: f64,
    pub store_cpu_us_per_op: f64,
    /// Logins that also gave consent (an account's first use).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consents: Option<u64>,
    /// Times a login citizen waited for an account's next authenticator step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool_waits: Option<u64>,
}

/// What one store pair's run found besides the rows.
#[derive(Debug, Clone, Serialize)]
pub struct StoreRun {
    pub stores: StorePair,
    /// RSS one second after the provider answered, before any account existed.
    pub rss_idle_mb: f64,
    /// RSS after accounts were made and citizens signed in, before the first scenario.
    pub rss_after_setup_mb: f64,
    pub accounts_created: usize,
    pub account_creation_seconds: f64,
    pub rows: Vec<Row>,
    /// The provider's high-water mark for the whole run.
    pub hwm_mb: f64,
}

/// A citizen signed in during setup, with consent given and (for `sso` and `refresh`) a
/// refresh token; for `identity-reuse`, with their identity proven at the first client and
/// consent given at the second.
pub(crate) struct SignedIn {
    pub(crate) citizen: Citizen,
    pub(crate) account: Account,
    pub(crate) refresh_token: Option<String>,
}

/// The citizens setup signed in, by what they are ready for.
pub(crate) struct Ready {
    pub(crate) signed_in: Vec<SignedIn>,
    pub(crate) proven: Vec<SignedIn>,
}

/// What a virtual citizen carries from flow to flow.
pub(crate) struct Worker {
    pub(crate) citizen: Citizen,
    pub(crate) signed_in: Option<SignedIn>,
}

/// The part of a level every task shares.
struct Level {
    started: Instant,
    measure_from: Instant,
    end: Instant,
    /// Measured flows left before the level stops early, when bounded by count.
    budget: Option<AtomicU64>,
    flows: AtomicU64,
    errors: AtomicU64,
    consents: AtomicU64,
}

impl Level {
    fn new(warmup: Duration, duration: Duration, max_flows: Option<u64>) -> Self {
        let started = Instant::now();
        let measure_from = started + warmup;
        Level {
            started,
            measure_from,
            end: measure_from + duration,
            budget: max_flows.map(AtomicU64::new),
            flows: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            consents: AtomicU64::new(0),
        }
    }

    fn more(&self) -> bool {
        let budget_left = self
            .budget
            .as_ref()
            .is_none_or(|b| b.load(Ordering::Relaxed) > 0);
        budget_left && Instant::now() < self.end
    }

    /// Records a flow that finished now, if inside the measured window.
    fn record(&self, samples: &mut Samples, started: Instant, result: &Result<()>) {
        let now = Instant::now();
        if now < self.measure_from || now > self.end {
            return;
        }
        if let Some(budget) = &self.budget {
            let _ = budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1));
        }
        match result {
            Ok(()) => {
                samples.ok(started);
                self.flows.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                samples.error(e);
                self.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// How long the window really was (shorter when the flow budget ran out).
    fn window(&self) -> Duration {
        Instant::now()
            .min(self.end)
            .saturating_duration_since(self.measure_from)
    }
}

/// Everything shared by one store pair's scenarios.
struct Bench {
    site: Arc<Site>,
    pool: Arc<AccountPool>,
    sampler: Sampler,
    ticks: f64,
    options: Options,
}

/// Runs every store pair, one after the other, then the anchor if asked.
pub async fn run(options: &Options) -> Result<(Vec<StoreRun>, Option<AnchorRun>)> {
    crate::provider::check_binary(&options.provider_bin, options.allow_debug)?;
    if let Some(folder) = &options.anchor {
        crate::anchor::check_folder(folder)?;
    }
    let mut runs = Vec::new();
    for &pair in &options.stores {
        runs.push(run_stores(options, pair).await?);
    }
    let anchor = match &options.anchor {
        Some(folder) => Some(run_anchor(options, folder).await?),
        None => None,
    };
    Ok((runs, anchor))
}

/// The anchor's run: the scenarios it has a counterpart for, at the same levels, with citizens
/// signed in through its interaction page (not measured).
async fn run_anchor(options: &Options, folder: &std::path::Path) -> Result<AnchorRun> {
    let (scenarios, skipped): (Vec<Scenario>, Vec<Scenario>) =
        options.scenarios.iter().partition(|s| s.runs_on_anchor());
    if !skipped.is_empty() {
        eprintln!(
            "anchor: no counterpart for {}; not run against it",
            skipped
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let rp = RelyingParty::new("http://127.0.0.1/", rp::CLIENT_ID, rp::REDIRECT_URI)?;
    // Never used: `Site` has room for the identity-reuse client, which the anchor does not run.
    let reuse_rp = RelyingParty::new(
        "http://127.0.0.1/",
        rp::REUSE_CLIENT_ID,
        rp::REUSE_REDIRECT_URI,
    )?;
    let mut anchor = Anchor::start(folder, &rp).await?;
    eprintln!(
        "anchor: oidc-provider {} on node {}, pid {} at {}",
        anchor.version, anchor.node_version, anchor.pid, anchor.issuer
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle_mb = measure::rss_mb(anchor.pid);
    let site = discover_site(
        &anchor.base,
        &anchor.issuer,
        (rp, reuse_rp),
        Flavour::Anchor,
    )
    .await?;
    let most = options.concurrency.iter().copied().max().unwrap_or(1);
    let wants_signed_in = scenarios.iter().any(|s| s.needs_signed_in());
    let accounts = new_accounts("anchor", if wants_signed_in { most } else { 0 });
    let signed_in = sign_in_all(&site, accounts).await.map_err(|e| {
        Error::Provider(format!(
            "anchor setup sign-in failed: {e}\n{}",
            anchor.log_tail()
        ))
    })?;
    let rss_after_setup_mb = measure::rss_mb(anchor.pid);
    let mut ready = Ready {
        signed_in,
        proven: Vec::new(),
    };
    let bench = Bench {
        site,
        pool: Arc::new(AccountPool::new(Vec::new())),
        sampler: Sampler::start(anchor.pid),
        ticks: measure::clock_ticks_per_second(),
        options: options.clone(),
    };
    let mut rows = Vec::new();
    for &scenario in &scenarios {
        for &concurrency in &options.concurrency {
            let measured = bench
                .level(Subject::Anchor, scenario, concurrency, &mut ready)
                .await?;
            rows.extend(measured.into_iter().map(Measured::into_anchor_row));
        }
    }
    let hwm_mb = measure::read_proc(anchor.pid).map_or(0.0, |r| r.hwm_kib as f64 / 1024.0);
    drop(bench);
    anchor.stop();
    Ok(AnchorRun {
        provider: format!("oidc-provider {}", anchor.version),
        node: anchor.node_version.clone(),
        rss_idle_mb,
        rss_after_setup_mb,
        skipped,
        rows,
        hwm_mb,
    })
}

/// The relying party's back-end HTTP client (token, userinfo, discovery).
/// The shared parts of every citizen for the provider at `base`: its endpoints from its
/// discovery document, read by the relying parties' back-end client.
async fn discover_site(
    base: &url::Url,
    issuer: &str,
    (rp, reuse_rp): (RelyingParty, RelyingParty),
    flavour: Flavour,
) -> Result<Arc<Site>> {
    let backend = backend_client()?;
    let endpoints = Endpoints::discover(&backend, base).await?;
    Ok(Arc::new(Site {
        base: base.clone(),
        issuer: issuer.to_owned(),
        rp,
        reuse_rp,
        backend,
        endpoints,
        flavour,
    }))
}

fn backend_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Provider(format!("HTTP client: {e}")))
}

fn new_accounts(prefix: &str, count: usize) -> Vec<Account> {
    (0..count)
        .map(|i| Account {
            email: format!("{prefix}-{i}@bench.example.gov.uk"),
            totp_secret: totp_rs::Secret::generate().to_base32(),
        })
        .collect()
}

/// A provider started on a store pair, with accounts made and citizens signed in: what both
/// `run` and `soak` start from.
pub(crate) struct Prepared {
    pub(crate) site: Arc<Site>,
    pub(crate) ready: Ready,
    pub(crate) pool_accounts: Vec<Account>,
    pub(crate) rss_idle_mb: f64,
    pub(crate) rss_after_setup_mb: f64,
    pub(crate) accounts_created: usize,
    pub(crate) account_creation_seconds: f64,
    /// Dropped after the provider, so its database outlives it.
    pub(crate) provider: Provider,
    pub(crate) stores: Stores,
}

/// How many citizens of each kind setup prepares.
pub(crate) struct Wanted {
    pub(crate) signed_in: usize,
    pub(crate) proven: usize,
    pub(crate) login_pool: usize,
}

pub(crate) async fn prepare(
    bin: &std::path::Path,
    config: &std::path::Path,
    servers: &Servers,
    pair: StorePair,
    wanted: Wanted,
) -> Result<Prepared> {
    let stores = Stores::open(pair, servers)?;
    let mut rp = None;
    let provider = Provider::start(bin, config, &stores, |issuer| {
        let first = RelyingParty::new(issuer, rp::CLIENT_ID, rp::REDIRECT_URI)?;
        let second = RelyingParty::new(issuer, rp::REUSE_CLIENT_ID, rp::REUSE_REDIRECT_URI)?;
        let tomls = vec![
            ("bench.toml", first.registration()?),
            ("bench-reuse.toml", second.registration()?),
        ];
        rp = Some((first, second));
        Ok(tomls)
    })
    .await?;
    let (rp, reuse_rp) =
        rp.ok_or_else(|| Error::Provider("the bench clients were not made".into()))?;
    eprintln!(
        "{}: provider pid {} at {}",
        pair.name(),
        provider.pid,
        provider.issuer
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle_mb = measure::rss_mb(provider.pid);

    let signed_in_accounts = new_accounts("sso", wanted.signed_in);
    let proven_accounts = new_accounts("identity", wanted.proven);
    let pool_accounts = new_accounts("login", wanted.login_pool);
    let all: Vec<Account> = signed_in_accounts
        .iter()
        .chain(proven_accounts.iter())
        .chain(pool_accounts.iter())
        .cloned()
        .collect();
    let started = Instant::now();
    // Each command mostly waits for its database writes to reach the disk: run more than one
    // per core.
    let parallel = 4 * std::thread::available_parallelism().map_or(2, |n| n.get());
    eprintln!(
        "{}: creating {} accounts with `one-login create-account`",
        pair.name(),
        all.len()
    );
    {
        let provider = &provider;
        let all = &all;
        tokio::task::block_in_place(|| provider.create_accounts(all, parallel))?;
    }
    let account_creation_seconds = started.elapsed().as_secs_f64();

    let site = discover_site(
        &provider.base,
        &provider.issuer,
        (rp, reuse_rp),
        Flavour::OneLogin,
    )
    .await?;
    let setup_failed = |e: Error| {
        Error::Provider(format!(
            "setup sign-in failed: {e}\n{}",
            provider.log_tail()
        ))
    };
    let signed_in = sign_in_all(&site, signed_in_accounts)
        .await
        .map_err(setup_failed)?;
    let proven = prove_all(&site, proven_accounts)
        .await
        .map_err(setup_failed)?;
    let rss_after_setup_mb = measure::rss_mb(provider.pid);
    Ok(Prepared {
        site,
        ready: Ready { signed_in, proven },
        pool_accounts,
        rss_idle_mb,
        rss_after_setup_mb,
        accounts_created: all.len(),
        account_creation_seconds,
        provider,
        stores,
    })
}

async fn run_stores(options: &Options, pair: StorePair) -> Result<StoreRun> {
    let most = options.concurrency.iter().copied().max().unwrap_or(1);
    let wants = |f: fn(Scenario) -> bool| options.scenarios.iter().any(|s| f(*s));
    let wanted = Wanted {
        signed_in: if wants(Scenario::needs_signed_in) {
            most
        } else {
            0
        },
        proven: if wants(Scenario::needs_proven) {
            most
        } else {
            0
        },
        login_pool: if wants(Scenario::needs_login_pool) {
            options.login_accounts
        } else {
            0
        },
    };
    let Prepared {
        site,
        mut ready,
        pool_accounts,
        rss_idle_mb,
        rss_after_setup_mb,
        accounts_created,
        account_creation_seconds,
        mut provider,
        stores,
    } = prepare(
        &options.provider_bin,
        &options.config,
        &options.servers,
        pair,
        wanted,
    )
    .await?;
    let bench = Bench {
        site,
        pool: Arc::new(AccountPool::new(pool_accounts)),
        sampler: Sampler::start(provider.pid),
        ticks: measure::clock_ticks_per_second(),
        options: options.clone(),
    };
    let mut rows = Vec::new();
    for &scenario in &options.scenarios {
        for &concurrency in &options.concurrency {
            let measured = bench
                .level(Subject::OneLogin(pair), scenario, concurrency, &mut ready)
                .await?;
            rows.extend(measured.into_iter().map(|m| m.into_row(pair)));
        }
    }
    let hwm_mb = measure::read_proc(provider.pid).map_or(0.0, |r| r.hwm_kib as f64 / 1024.0);
    drop(bench);
    provider.stop();
    drop(stores);
    Ok(StoreRun {
        stores: pair,
        rss_idle_mb,
        rss_after_setup_mb,
        accounts_created,
        account_creation_seconds,
        rows,
        hwm_mb,
    })
}

/// Signs each account in from its own browser, agrees to share (with `offline_access`, which
/// covers the plain visits too) and redeems the code for a refresh token: the state every
/// `sso` and `refresh` citizen starts from. Not measured.
async fn sign_in_all(site: &Arc<Site>, accounts: Vec<Account>) -> Result<Vec<SignedIn>> {
    let mut done = Vec::with_capacity(accounts.len());
    // A few at a time: each sign-in is an argon2 verify, and the provider bounds those anyway.
    for batch in accounts.chunks(16) {
        let mut tasks = Vec::new();
        for account in batch.iter().cloned() {
            let site = site.clone();
            tasks.push(tokio::spawn(async move {
                let citizen = Citizen::new(site.clone())?;
                let (code, verifier, _) = citizen
                    .visit(Scope::Offline, &account, Some(current_step()))
                    .await?;
                let tokens = site.redeem(&code, &verifier).await?;
                let refresh_token = tokens
                    .refresh_token
                    .ok_or_else(|| Error::flow("setup", "no refresh token for offline_access"))?;
                Ok::<_, Error>(SignedIn {
                    citizen,
                    account,
                    refresh_token: Some(refresh_token),
                })
            }));
        }
        for task in tasks {
            done.push(
                task.await
                    .map_err(|e| Error::Provider(format!("setup task: {e}")))??,
            );
        }
    }
    Ok(done)
}

/// Signs each account in at the first client with an identity request (`Cl.Cm.P2`), proves
/// the identity as Kenneth, and checks the core identity JWT at userinfo (verified with
/// `did.json` for the first citizen); then asks the second client for P2 once, agreeing to
/// share and confirming the reuse: the state every `identity-reuse` citizen starts from. Not
/// measured.
async fn prove_all(site: &Arc<Site>, accounts: Vec<Account>) -> Result<Vec<SignedIn>> {
    let mut done = Vec::with_capacity(accounts.len());
    for (batch_number, batch) in accounts.chunks(16).enumerate() {
        let mut tasks = Vec::new();
        for (i, account) in batch.iter().cloned().enumerate() {
            let site = site.clone();
            let verify = batch_number == 0 && i == 0;
            tasks.push(tokio::spawn(async move {
                let citizen = Citizen::new(site.clone())?;
                let (code, verifier, visited) = citizen
                    .visit_at(
                        &site.rp,
                        Scope::Identity,
                        &account,
                        Some(current_step()),
                        true,
                    )
                    .await?;
                if !visited.proved {
                    return Err(Error::flow("setup", "was not asked to prove an identity"));
                }
                let tokens = site.redeem_at(&site.rp, &code, &verifier).await?;
                let first = site.core_identity(&tokens.access_token).await?;
                let (code, verifier, visited) = citizen
                    .visit_at(&site.reuse_rp, Scope::Identity, &account, None, false)
                    .await?;
                if !visited.reused {
                    return Err(Error::flow(
                        "setup",
                        "the second client did not offer reuse",
                    ));
                }
                let tokens = site.redeem_at(&site.reuse_rp, &code, &verifier).await?;
                let second = site.core_identity(&tokens.access_token).await?;
                if verify {
                    let a = site.verify_core_identity(&site.rp, &first).await?;
                    let b = site.verify_core_identity(&site.reuse_rp, &second).await?;
                    if a["vot"] != "P2"
                        || a["vc"]["credentialSubject"] != b["vc"]["credentialSubject"]
                    {
                        return Err(Error::flow("setup", "the two core identities differ"));
                    }
                    if a["sub"] == b["sub"] {
                        return Err(Error::flow("setup", "both clients got the same sub"));
                    }
                }
                Ok::<_, Error>(SignedIn {
                    citizen,
                    account,
                    refresh_token: None,
                })
            }));
        }
        for task in tasks {
            done.push(
                task.await
                    .map_err(|e| Error::Provider(format!("setup task: {e}")))??,
            );
        }
    }
    Ok(done)
}

/// Which loop a task runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Work {
    Discovery,
    Jwks,
    Sso,
    Login,
    Refresh,
    IdentityReuse,
}

impl Bench {
    async fn level(
        &self,
        subject: Subject,
        scenario: Scenario,
        concurrency: usize,
        ready: &mut Ready,
    ) -> Result<Vec<Measured>> {
        let parts: Vec<(&str, Work)> = match scenario {
            Scenario::Discovery => vec![("discovery", Work::Discovery)],
            Scenario::Jwks => vec![("jwks", Work::Jwks)],
            Scenario::Sso => vec![("sso", Work::Sso)],
            Scenario::Login => vec![("login", Work::Login)],
            Scenario::Refresh => vec![("refresh", Work::Refresh)],
            Scenario::LoginWithSso => vec![
                ("login-with-sso: login", Work::Login),
                ("login-with-sso: sso", Work::Sso),
            ],
            Scenario::IdentityReuse => vec![("identity-reuse", Work::IdentityReuse)],
        };
        let level = Arc::new(Level::new(
            self.options.warmup,
            self.options.duration,
            self.options.max_flows,
        ));
        let bar = self.progress_bar(subject, scenario, concurrency);
        let ticker = {
            let bar = bar.clone();
            let level = level.clone();
            tokio::spawn(async move {
                loop {
                    let elapsed = level.started.elapsed().as_millis() as u64;
                    bar.set_position(elapsed);
                    bar.set_message(format!(
                        "{} ok, {} errors",
                        level.flows.load(Ordering::Relaxed),
                        level.errors.load(Ordering::Relaxed)
                    ));
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            })
        };
        let pool_waits_before = self.pool.waits();
        let mut handles = Vec::new();
        for (_, work) in &parts {
            let mut tasks = Vec::new();
            for _ in 0..concurrency {
                let worker = match work {
                    Work::Sso | Work::Refresh | Work::IdentityReuse => {
                        let from = if *work == Work::IdentityReuse {
                            &mut ready.proven
                        } else {
                            &mut ready.signed_in
                        };
                        let Some(s) = from.pop() else {
                            return Err(Error::Usage(
                                "fewer signed-in citizens than the concurrency".into(),
                            ));
                        };
                        Worker {
                            citizen: Citizen::new(self.site.clone())?,
                            signed_in: Some(s),
                        }
                    }
                    _ => Worker {
                        citizen: Citizen::new(self.site.clone())?,
                        signed_in: None,
                    },
                };
                let level = level.clone();
                let site = self.site.clone();
                let pool = self.pool.clone();
                let work = *work;
                tasks.push(tokio::spawn(async move {
                    citizen_loop(work, worker, &site, &pool, &level).await
                }));
            }
            handles.push(tasks);
        }
        // CPU and memory over the measured window only, as the flows are: not the warm-up.
        tokio::time::sleep_until(level.measure_from.into()).await;
        let window = self.sampler.window(subject.counts_store_servers());
        let mut all_samples = Vec::new();
        for tasks in handles {
            let mut samples = Samples::default();
            for task in tasks {
                let (mine, worker) = task
                    .await
                    .map_err(|e| Error::Provider(format!("citizen task: {e}")))?;
                samples.merge(mine);
                if let Some(s) = worker.signed_in {
                    if s.refresh_token.is_some() {
                        ready.signed_in.push(s);
                    } else {
                        ready.proven.push(s);
                    }
                }
            }
            all_samples.push(samples);
        }
        ticker.abort();
        let resources = self.sampler.finish(window, self.ticks);
        let seconds = level.window();
        bar.finish_and_clear();
        let operations: u64 = all_samples
            .iter()
            .map(|s| s.latencies_us.len() as u64)
            .sum();
        let (provider_cpu_us_per_op, store_cpu_us_per_op) = resources.cpu_us_per_op(operations);
        let rows: Vec<Measured> = parts
            .iter()
            .zip(all_samples)
            .map(|((name, work), samples)| Measured {
                scenario: (*name).to_owned(),
                concurrency,
                latency: LatencySummary::from_samples(samples, seconds),
                resources: resources.clone(),
                provider_cpu_us_per_op,
                store_cpu_us_per_op,
                consents: (*work == Work::Login).then(|| level.consents.load(Ordering::Relaxed)),
                pool_waits: (*work == Work::Login).then(|| self.pool.waits() - pool_waits_before),
            })
            .collect();
        for row in &rows {
            eprintln!(
                "{:<15} {:<22} c={:<4} {:>9.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}  rss {:.1}->{:.1} MB  cpu {:.0}%  {:.0}+{:.0} us/op",
                subject.name(),
                row.scenario,
                concurrency,
                row.latency.throughput_per_s,
                row.latency.p50_ms,
                row.latency.p99_ms,
                row.latency.errors,
                row.resources.rss_before_mb,
                row.resources.rss_peak_mb,
                row.resources.cpu_percent,
                row.provider_cpu_us_per_op,
                row.store_cpu_us_per_op
            );
            for example in &row.latency.error_examples {
                eprintln!("    error: {example}");
            }
        }
        Ok(rows)
    }

    fn progress_bar(
        &self,
        subject: Subject,
        scenario: Scenario,
        concurrency: usize,
    ) -> ProgressBar {
        let total = (self.options.warmup + self.options.duration).as_millis() as u64;
        let bar = if self.options.progress {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        let style = ProgressStyle::with_template("{prefix:>40} [{bar:30}] {elapsed:>3} {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(format!(
            "{} {} c={}",
            subject.name(),
            scenario.name(),
            concurrency
        ));
        bar
    }
}

/// One virtual citizen's loop until the level ends.
async fn citizen_loop(
    work: Work,
    mut worker: Worker,
    site: &Arc<Site>,
    pool: &AccountPool,
    level: &Level,
) -> (Samples, Worker) {
    let mut samples = Samples::default();
    while level.more() {
        let lease = match work {
            Work::Login => Some(pool.acquire().await),
            _ => None,
        };
        let started = Instant::now();
        let result = one_flow(work, &mut worker, site, lease.as_ref(), &level.consents).await;
        level.record(&mut samples, started, &result);
        if let Some(lease) = lease {
            pool.release(lease);
        }
        if result.is_err()
            && work == Work::Refresh
            && let Some(s) = worker.signed_in.as_mut()
        {
            // The token may be spent: get a fresh one by single sign-on (not measured).
            if let Ok(token) = renew_refresh_token(site, s).await {
                s.refresh_token = Some(token);
            }
        }
    }
    (samples, worker)
}

pub(crate) async fn renew_refresh_token(site: &Site, s: &SignedIn) -> Result<String> {
    let (code, verifier, _) = s.citizen.visit(Scope::Offline, &s.account, None).await?;
    site.redeem(&code, &verifier)
        .await?
        .refresh_token
        .ok_or_else(|| Error::flow("token (code)", "no refresh token"))
}

/// One measured flow; `consents` counts logins that also gave consent.
pub(crate) async fn one_flow(
    work: Work,
    worker: &mut Worker,
    site: &Site,
    lease: Option<&Lease>,
    consents: &AtomicU64,
) -> Result<()> {
    match work {
        Work::Discovery => {
            worker
                .citizen
                .get_ok(&site.endpoints.discovery, "discovery")
                .await
        }
        Work::Jwks => worker.citizen.get_ok(&site.endpoints.jwks, "jwks").await,
        Work::Sso => {
            let s = worker
                .signed_in
                .as_ref()
                .ok_or_else(|| Error::flow("sso", "citizen not signed in"))?;
            let (code, verifier, _) = s.citizen.visit(Scope::Visit, &s.account, None).await?;
            let tokens = site.redeem(&code, &verifier).await?;
            site.userinfo(&tokens.access_token).await
        }
        Work::Login => {
            let lease = lease.ok_or_else(|| Error::flow("login", "no account"))?;
            // A new browser each time: nobody is signed in yet.
            worker.citizen = Citizen::new(worker.citizen.site())?;
            let (code, verifier, visited) = worker
                .citizen
                .visit(Scope::Visit, &lease.account, Some(lease.step))
                .await?;
            if !visited.signed_in {
                return Err(Error::flow("login", "was not asked to sign in"));
            }
            if visited.consented {
                consents.fetch_add(1, Ordering::Relaxed);
            }
            let tokens = site.redeem(&code, &verifier).await?;
            site.userinfo(&tokens.access_token).await
        }
        Work::Refresh => {
            let s = worker
                .signed_in
                .as_mut()
                .ok_or_else(|| Error::flow("refresh", "no refresh token"))?;
            let token = s
                .refresh_token
                .as_deref()
                .ok_or_else(|| Error::flow("refresh", "no refresh token"))?;
            s.refresh_token = Some(site.refresh(token).await?);
            Ok(())
        }
        Work::IdentityReuse => {
            let s = worker
                .signed_in
                .as_ref()
                .ok_or_else(|| Error::flow("identity-reuse", "citizen not proven"))?;
            let (code, verifier, _) = s
                .citizen
                .visit_at(&site.reuse_rp, Scope::Identity, &s.account, None, false)
                .await?;
            let tokens = site.redeem_at(&site.reuse_rp, &code, &verifier).await?;
            site.core_identity(&tokens.access_token).await.map(|_| ())
        }
    }
}
