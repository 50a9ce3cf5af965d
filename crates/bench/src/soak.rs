//! `one-login-bench soak`: a mixed load at a fixed, moderate concurrency (and optionally a
//! capped rate) for N minutes against one provider, reading its memory, descriptors and
//! database connections and the flows' latency each minute, then judging whether they stayed
//! flat (issue 12, part 4). A leak shows as growth from the first half of the run to the last.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::citizen::{Citizen, Site};
use crate::error::{Error, Result};
use crate::measure::{self, LatencySummary, Sampler, Samples};
use crate::pool::AccountPool;
use crate::provider::{BENCH_OVERRIDES, Servers, StorePair};
use crate::report::{Machine, Override};
use crate::run::{self, Prepared, Wanted, Work, Worker};

/// What the soak's citizens do, worker `i` taking `MIX[i % MIX.len()]`: mostly the cheap,
/// frequent flows, with sign-ins (argon2) and identity reuse beside them, as a day's traffic.
pub(crate) const MIX: [Work; 8] = [
    Work::Sso,
    Work::Refresh,
    Work::IdentityReuse,
    Work::Login,
    Work::Sso,
    Work::Refresh,
    Work::Discovery,
    Work::Jwks,
];

/// A flow that has not finished after this long counts as an error (and frees its citizen).
const FLOW_TIMEOUT: Duration = Duration::from_secs(30);

fn kind(work: Work) -> &'static str {
    match work {
        Work::Discovery => "discovery",
        Work::Jwks => "jwks",
        Work::Sso => "sso",
        Work::Login => "login",
        Work::Refresh => "refresh",
        Work::IdentityReuse => "identity-reuse",
    }
}

#[derive(Debug, Clone)]
pub struct SoakOptions {
    pub provider_bin: PathBuf,
    pub allow_debug: bool,
    pub config: PathBuf,
    pub stores: Vec<StorePair>,
    pub servers: Servers,
    pub minutes: u32,
    /// 60 s, except in the tool's own tests.
    pub minute_length: Duration,
    pub concurrency: usize,
    /// Flows a second across all citizens, at most.
    pub rate: Option<f64>,
    pub login_accounts: usize,
    pub thresholds: Thresholds,
}

/// When a soak is not flat, or has too many errors.
#[derive(Debug, Clone, Serialize)]
pub struct Thresholds {
    /// RSS (each minute's lowest sample, and its highest) may grow from the first half's mean
    /// to the last half's mean by this many MB…
    pub rss_growth_mb: f64,
    /// …or by this share of the first half's mean, whichever is larger.
    pub rss_growth_share: f64,
    /// Open descriptors may grow by this many from the first half's largest to the last's.
    pub fd_growth: u64,
    /// Database connections may grow by this many (the pool is bounded: growth means a leak).
    pub connection_growth: u64,
    /// The last half's median p99 may be this many times the first half's, plus 5 ms.
    pub p99_growth_factor: f64,
    /// Errors over all flows tried, at most.
    pub max_error_share: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            rss_growth_mb: 5.0,
            rss_growth_share: 0.10,
            fd_growth: 16,
            connection_growth: 2,
            p99_growth_factor: 3.0,
            max_error_share: 0.001,
        }
    }
}

/// One kind of flow (or all of them) over one minute.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlowFigures {
    pub kind: String,
    pub flows: u64,
    pub errors: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub error_examples: Vec<String>,
}

impl FlowFigures {
    fn new(kind: &str, samples: Samples, window: Duration) -> Self {
        let s = LatencySummary::from_samples(samples, window);
        FlowFigures {
            kind: kind.to_owned(),
            flows: s.count,
            errors: s.errors,
            p50_ms: s.p50_ms,
            p99_ms: s.p99_ms,
            max_ms: s.max_ms,
            error_examples: s.error_examples,
        }
    }
}

/// The flows' samples by minute and kind, each flow counted in the minute it finished in.
pub struct Minutes {
    minute_length: Duration,
    /// The first minute not yet closed: a flow that finished just before a minute closed but
    /// was recorded just after counts in the next.
    open_from: u32,
    buckets: BTreeMap<u32, BTreeMap<&'static str, Samples>>,
}

impl Minutes {
    pub fn new(minute_length: Duration) -> Self {
        Minutes {
            minute_length,
            open_from: 0,
            buckets: BTreeMap::new(),
        }
    }

    /// Records a flow that finished `at` after the soak began, taking `outcome`.
    pub fn record(
        &mut self,
        at: Duration,
        kind: &'static str,
        outcome: std::result::Result<Duration, &Error>,
    ) {
        let minute = (at.as_nanos() / self.minute_length.as_nanos().max(1)) as u32;
        let samples = self
            .buckets
            .entry(minute.max(self.open_from))
            .or_default()
            .entry(kind)
            .or_default();
        match outcome {
            Ok(latency) => samples
                .latencies_us
                .push(latency.as_micros().min(u128::from(u32::MAX)) as u32),
            Err(e) => samples.error(e),
        }
    }

    /// Closes `minute` (0-based): the figures of each kind, by name, then of all flows.
    pub fn close(&mut self, minute: u32) -> (Vec<FlowFigures>, FlowFigures) {
        self.open_from = self.open_from.max(minute + 1);
        let kinds = self.buckets.remove(&minute).unwrap_or_default();
        let mut all = Samples::default();
        let mut figures = Vec::new();
        for (kind, samples) in kinds {
            all.latencies_us.extend_from_slice(&samples.latencies_us);
            all.errors += samples.errors;
            figures.push(FlowFigures::new(kind, samples, self.minute_length));
        }
        (figures, FlowFigures::new("all", all, self.minute_length))
    }
}

/// One minute of a soak.
#[derive(Debug, Clone, Serialize)]
pub struct MinuteFigures {
    /// 1-based.
    pub minute: u32,
    /// RSS at the minute's end: it swings by the transient buffers in use at that instant.
    pub rss_mb: f64,
    /// Largest RSS sampled (every 100 ms) during the minute.
    pub rss_peak_mb: f64,
    /// Smallest RSS sampled during the minute: memory the provider kept.
    pub rss_low_mb: f64,
    pub fds: u64,
    pub db_connections: Option<u64>,
    /// Provider CPU over the minute, 100% = one core.
    pub cpu_percent: f64,
    pub all: FlowFigures,
    pub kinds: Vec<FlowFigures>,
}

/// Whether a soak stayed flat, and why not.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub flat: bool,
    /// Errors within [`Thresholds::max_error_share`].
    pub errors_ok: bool,
    /// Minutes judged as the first and the last half (the first minute is warm-up when there
    /// are at least four).
    pub first_half: (u32, u32),
    pub last_half: (u32, u32),
    /// One line per check, with its figures.
    pub checks: Vec<String>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.flat && self.errors_ok
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / f64::from(n) }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// One figure of a minute.
type Reading = fn(&MinuteFigures) -> f64;

/// Judges a soak: growth from the first half of its minutes to the last, and its errors.
pub fn judge(minutes: &[MinuteFigures], t: &Thresholds) -> Verdict {
    // Caches, pools and allocator arenas fill during the first minute; that is not a leak.
    let skip = usize::from(minutes.len() >= 4);
    let judged = &minutes[skip..];
    let (first, last) = judged.split_at(judged.len() / 2);
    let span = |m: &[MinuteFigures]| {
        (
            m.first().map_or(0, |f| f.minute),
            m.last().map_or(0, |f| f.minute),
        )
    };
    let mut checks = Vec::new();
    let mut flat = true;
    let mut check = |checks: &mut Vec<String>, ok: bool, line: String| {
        flat &= ok;
        checks.push(format!("{}: {line}", if ok { "flat" } else { "GROWS" }));
    };
    if first.is_empty() || last.is_empty() {
        check(
            &mut checks,
            false,
            "too few minutes to compare two halves".into(),
        );
    } else {
        // Judged on each minute's lowest and highest samples, not the end-of-minute reading,
        // which holds an argon2 buffer (19 MiB) or not by chance.
        let rss: [(&str, Reading); 2] =
            [("lowest", |m| m.rss_low_mb), ("highest", |m| m.rss_peak_mb)];
        for (name, f) in rss {
            let (a, b) = (mean(first.iter().map(f)), mean(last.iter().map(f)));
            let allowed = t.rss_growth_mb.max(a * t.rss_growth_share);
            check(
                &mut checks,
                b - a <= allowed,
                format!(
                    "RSS ({name} each minute) mean {a:.1} → {b:.1} MB ({:+.1}, allowed +{allowed:.1})",
                    b - a
                ),
            );
        }
        fn most(m: &[MinuteFigures], f: fn(&MinuteFigures) -> Option<u64>) -> Option<u64> {
            m.iter().filter_map(f).max()
        }
        if let (Some(a), Some(b)) = (most(first, |m| Some(m.fds)), most(last, |m| Some(m.fds))) {
            check(
                &mut checks,
                b <= a + t.fd_growth,
                format!("open fds at most {a} → {b} (allowed +{})", t.fd_growth),
            );
        }
        match (
            most(first, |m| m.db_connections),
            most(last, |m| m.db_connections),
        ) {
            (Some(a), Some(b)) => check(
                &mut checks,
                b <= a + t.connection_growth,
                format!(
                    "database connections at most {a} → {b} (allowed +{})",
                    t.connection_growth
                ),
            ),
            _ => checks.push("database connections: not read".into()),
        }
        let (a, b) = (
            median(first.iter().map(|m| m.all.p99_ms).collect()),
            median(last.iter().map(|m| m.all.p99_ms).collect()),
        );
        let allowed = a * t.p99_growth_factor + 5.0;
        check(
            &mut checks,
            b <= allowed,
            format!("p99 (all flows) median {a:.1} → {b:.1} ms (allowed {allowed:.1})"),
        );
    }
    let flows: u64 = minutes.iter().map(|m| m.all.flows).sum();
    let errors: u64 = minutes.iter().map(|m| m.all.errors).sum();
    let share = errors as f64 / (flows + errors).max(1) as f64;
    let errors_ok = share <= t.max_error_share && flows > 0;
    checks.push(format!(
        "{}: {errors} errors in {} flows ({:.3}%, allowed {:.3}%)",
        if errors_ok { "ok" } else { "TOO MANY ERRORS" },
        flows + errors,
        share * 100.0,
        t.max_error_share * 100.0
    ));
    Verdict {
        flat,
        errors_ok,
        first_half: span(first),
        last_half: span(last),
        checks,
    }
}

/// One store pair's soak.
#[derive(Debug, Clone, Serialize)]
pub struct SoakRun {
    pub stores: StorePair,
    /// How `db_connections` was counted.
    pub connections_counted: &'static str,
    /// Citizens of each kind.
    pub mix: BTreeMap<&'static str, usize>,
    pub rss_idle_mb: f64,
    pub rss_after_setup_mb: f64,
    pub minutes: Vec<MinuteFigures>,
    pub hwm_mb: f64,
    pub verdict: Verdict,
}

/// What every citizen of one soak shares.
struct Shared {
    started: Instant,
    end: Instant,
    minutes: Mutex<Minutes>,
    /// The next free start time when the rate is capped, and the gap between starts.
    pacer: Option<(Mutex<Instant>, Duration)>,
    consents: AtomicU64,
}

impl Shared {
    /// Waits for this citizen's turn under the rate cap.
    async fn pace(&self) {
        let Some((next, gap)) = &self.pacer else {
            return;
        };
        let slot = {
            let Ok(mut next) = next.lock() else { return };
            let slot = (*next).max(Instant::now());
            *next = slot + *gap;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }

    fn record(&self, kind: &'static str, started: Instant, result: &Result<()>) {
        let finished = Instant::now();
        if let Ok(mut minutes) = self.minutes.lock() {
            minutes.record(
                finished - self.started,
                kind,
                result.as_ref().map(|_| finished - started),
            );
        }
    }
}

/// Soaks each store pair, one after the other.
pub async fn soak(options: &SoakOptions) -> Result<Vec<SoakRun>> {
    crate::provider::check_binary(&options.provider_bin, options.allow_debug)?;
    let mut runs = Vec::new();
    for &pair in &options.stores {
        runs.push(soak_stores(options, pair).await?);
    }
    Ok(runs)
}

async fn soak_stores(options: &SoakOptions, pair: StorePair) -> Result<SoakRun> {
    let works: Vec<Work> = (0..options.concurrency)
        .map(|i| MIX[i % MIX.len()])
        .collect();
    let count = |w: &[Work]| works.iter().filter(|x| w.contains(*x)).count();
    let wanted = Wanted {
        signed_in: count(&[Work::Sso, Work::Refresh]),
        proven: count(&[Work::IdentityReuse]),
        login_pool: if count(&[Work::Login]) > 0 {
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
        mut provider,
        stores,
        ..
    } = run::prepare(
        &options.provider_bin,
        &options.config,
        &options.servers,
        pair,
        wanted,
    )
    .await?;
    let pool = Arc::new(AccountPool::new(pool_accounts));
    let started = Instant::now();
    let total = options.minute_length * options.minutes;
    let shared = Arc::new(Shared {
        started,
        end: started + total,
        minutes: Mutex::new(Minutes::new(options.minute_length)),
        pacer: options
            .rate
            .filter(|r| *r > 0.0)
            .map(|r| (Mutex::new(started), Duration::from_secs_f64(1.0 / r))),
        consents: AtomicU64::new(0),
    });
    let mut mix = BTreeMap::new();
    let mut tasks = Vec::new();
    for work in works {
        *mix.entry(kind(work)).or_insert(0) += 1;
        let signed_in = match work {
            Work::Sso | Work::Refresh => ready.signed_in.pop(),
            Work::IdentityReuse => ready.proven.pop(),
            _ => None,
        };
        let worker = Worker {
            citizen: Citizen::new(site.clone())?,
            signed_in,
        };
        let (site, pool, shared) = (site.clone(), pool.clone(), shared.clone());
        tasks.push(tokio::spawn(async move {
            citizen_loop(work, worker, &site, &pool, &shared).await;
        }));
    }
    eprintln!(
        "{}: soaking {} minutes of {:?}, {} citizens {mix:?}, rate cap {}",
        pair.name(),
        options.minutes,
        options.minute_length,
        options.concurrency,
        options.rate.map_or("none".to_owned(), |r| format!("{r}/s"))
    );
    let sampler = Sampler::start(provider.pid);
    let ticks = measure::clock_ticks_per_second();
    let mut minutes = Vec::new();
    for minute in 0..options.minutes {
        let window = sampler.window(false);
        tokio::time::sleep_until((started + options.minute_length * (minute + 1)).into()).await;
        let resources = sampler.finish(window, ticks);
        let pid = provider.pid;
        let fds = measure::open_fds(pid).unwrap_or(0);
        let db_connections = tokio::task::block_in_place(|| stores.database_connections(&provider));
        let (kinds, all) = shared
            .minutes
            .lock()
            .map_err(|_| Error::Provider("the minutes' lock was poisoned".into()))?
            .close(minute);
        let figures = MinuteFigures {
            minute: minute + 1,
            rss_mb: measure::rss_mb(pid),
            rss_peak_mb: resources.rss_peak_mb,
            rss_low_mb: resources.rss_low_mb,
            fds,
            db_connections,
            cpu_percent: resources.cpu_percent,
            all,
            kinds,
        };
        eprintln!("{}", minute_line(pair, options.minutes, &figures));
        for example in figures.kinds.iter().flat_map(|k| &k.error_examples) {
            eprintln!("    error: {example}");
        }
        minutes.push(figures);
    }
    for task in tasks {
        task.await
            .map_err(|e| Error::Provider(format!("citizen task: {e}")))?;
    }
    let hwm_mb = measure::read_proc(provider.pid).map_or(0.0, |r| r.hwm_kib as f64 / 1024.0);
    let verdict = judge(&minutes, &options.thresholds);
    let connections_counted = stores.connections_counted();
    drop(sampler);
    provider.stop();
    drop(stores);
    Ok(SoakRun {
        stores: pair,
        connections_counted,
        mix,
        rss_idle_mb,
        rss_after_setup_mb,
        minutes,
        hwm_mb,
        verdict,
    })
}

fn minute_line(pair: StorePair, of: u32, m: &MinuteFigures) -> String {
    let mut line = format!(
        "{:<15} min {:>3}/{of}  rss {:>6.1} MB (low {:>6.1}, peak {:>6.1})  fds {:>4}  db conns {:>3}  cpu {:>4.0}%  flows {:>7}  errors {:>3}  p50 {:>6.2} ms  p99 {:>7.2} ms |",
        pair.name(),
        m.minute,
        m.rss_mb,
        m.rss_low_mb,
        m.rss_peak_mb,
        m.fds,
        m.db_connections.map_or("-".to_owned(), |c| c.to_string()),
        m.cpu_percent,
        m.all.flows,
        m.all.errors,
        m.all.p50_ms,
        m.all.p99_ms,
    );
    for k in &m.kinds {
        let _ = write!(line, " {} p99 {:.1}", k.kind, k.p99_ms);
    }
    line
}

/// One citizen's loop until the soak ends.
async fn citizen_loop(
    work: Work,
    mut worker: Worker,
    site: &Arc<Site>,
    pool: &AccountPool,
    shared: &Shared,
) {
    while Instant::now() < shared.end {
        let lease = match work {
            Work::Login => Some(pool.acquire().await),
            _ => None,
        };
        shared.pace().await;
        if Instant::now() >= shared.end {
            break;
        }
        let started = Instant::now();
        let flow = run::one_flow(work, &mut worker, site, lease.as_ref(), &shared.consents);
        let result = tokio::time::timeout(FLOW_TIMEOUT, flow)
            .await
            .unwrap_or_else(|_| Err(Error::flow("soak", "the flow took over 30 s")));
        shared.record(kind(work), started, &result);
        if let Some(lease) = lease {
            pool.release(lease);
        }
        if result.is_err()
            && work == Work::Refresh
            && let Some(s) = worker.signed_in.as_mut()
            && let Ok(token) = run::renew_refresh_token(site, s).await
        {
            // The token may be spent: a fresh one by single sign-on (not measured).
            s.refresh_token = Some(token);
        }
    }
}

/// The soak's report, written as JSON and Markdown like `run`'s.
#[derive(Debug, Clone, Serialize)]
pub struct SoakReport {
    pub tool: &'static str,
    pub command: &'static str,
    pub started_at: String,
    pub machine: Machine,
    pub provider_bin: PathBuf,
    pub minutes: u32,
    pub minute_seconds: f64,
    pub concurrency: usize,
    pub rate_cap_per_s: Option<f64>,
    pub thresholds: Thresholds,
    pub overrides: Vec<Override>,
    pub runs: Vec<SoakRun>,
}

impl SoakReport {
    pub fn new(options: &SoakOptions, started_at: String, runs: Vec<SoakRun>) -> Self {
        SoakReport {
            tool: "one-login-bench",
            command: "soak",
            started_at,
            machine: Machine::this(),
            provider_bin: options.provider_bin.clone(),
            minutes: options.minutes,
            minute_seconds: options.minute_length.as_secs_f64(),
            concurrency: options.concurrency,
            rate_cap_per_s: options.rate,
            thresholds: options.thresholds.clone(),
            overrides: BENCH_OVERRIDES
                .iter()
                .map(|(key, value, why)| Override { key, value, why })
                .collect(),
            runs,
        }
    }

    /// Every run passed: flat, and errors within the threshold.
    pub fn passed(&self) -> bool {
        self.runs.iter().all(|r| r.verdict.passed())
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let _ = writeln!(
            md,
            "Soak: {} minutes of {:.0} s, {} citizens, rate cap {}. Machine: {} CPUs, {}, \
             {:.1} GiB, Linux {}; load generator on the same machine.\n",
            self.minutes,
            self.minute_seconds,
            self.concurrency,
            self.rate_cap_per_s
                .map_or("none".to_owned(), |r| format!("{r:.0} flows/s")),
            m.cpus,
            m.model,
            m.memory_gib,
            m.kernel
        );
        for run in &self.runs {
            let _ = writeln!(
                md,
                "### {}: {}\n\nCitizens: {}. Database connections: {}. RSS {:.1} MB idle, \
                 {:.1} MB after setup, high-water mark {:.1} MB.\n",
                run.stores.name(),
                if run.verdict.passed() {
                    "flat"
                } else if run.verdict.flat {
                    "flat, but too many errors"
                } else {
                    "NOT flat"
                },
                run.mix
                    .iter()
                    .map(|(k, n)| format!("{n} {k}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                run.connections_counted,
                run.rss_idle_mb,
                run.rss_after_setup_mb,
                run.hwm_mb
            );
            md.push_str(&minutes_table(&run.minutes));
            md.push('\n');
            for line in &run.verdict.checks {
                let _ = writeln!(md, "- {line}");
            }
            let _ = writeln!(
                md,
                "- halves judged: minutes {}–{} against {}–{}\n",
                run.verdict.first_half.0,
                run.verdict.first_half.1,
                run.verdict.last_half.0,
                run.verdict.last_half.1
            );
        }
        md
    }

    /// Writes `<out>/soak-<stamp>.json` and `.md`; returns both paths.
    pub fn write(&self, out: &Path, stamp: &str) -> Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(out)
            .map_err(|e| Error::io(format!("creating {}", out.display()), e))?;
        let json_path = out.join(format!("soak-{stamp}.json"));
        let md_path = out.join(format!("soak-{stamp}.md"));
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Provider(format!("report JSON: {e}")))?;
        std::fs::write(&json_path, json)
            .map_err(|e| Error::io(format!("writing {}", json_path.display()), e))?;
        std::fs::write(&md_path, self.markdown())
            .map_err(|e| Error::io(format!("writing {}", md_path.display()), e))?;
        Ok((json_path, md_path))
    }
}

/// The per-minute table: resources, then p50/p99 of all flows and p99 of each kind.
pub fn minutes_table(minutes: &[MinuteFigures]) -> String {
    let kinds: Vec<String> = minutes
        .iter()
        .flat_map(|m| m.kinds.iter().map(|k| k.kind.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut md = String::from(
        "| min | RSS MB | low MB | peak MB | fds | db conns | CPU % | flows | errors | p50 ms | p99 ms |",
    );
    for k in &kinds {
        let _ = write!(md, " {k} p99 |");
    }
    md.push_str("\n|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    md.push_str(&"--:|".repeat(kinds.len()));
    md.push('\n');
    for m in minutes {
        let _ = write!(
            md,
            "| {} | {:.1} | {:.1} | {:.1} | {} | {} | {:.0} | {} | {} | {:.2} | {:.2} |",
            m.minute,
            m.rss_mb,
            m.rss_low_mb,
            m.rss_peak_mb,
            m.fds,
            m.db_connections.map_or("-".to_owned(), |c| c.to_string()),
            m.cpu_percent,
            m.all.flows,
            m.all.errors,
            m.all.p50_ms,
            m.all.p99_ms
        );
        for k in &kinds {
            match m.kinds.iter().find(|f| &f.kind == k) {
                Some(f) => {
                    let _ = write!(md, " {:.1} |", f.p99_ms);
                }
                None => md.push_str(" - |"),
            }
        }
        md.push('\n');
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn ms(n: u64) -> std::result::Result<Duration, &'static Error> {
        Ok(Duration::from_millis(n))
    }

    #[test]
    fn flows_count_in_the_minute_they_finished_in() {
        let mut m = Minutes::new(MINUTE);
        for i in 1..=100 {
            m.record(Duration::from_secs(10), "sso", ms(i));
        }
        m.record(Duration::from_secs(59), "jwks", ms(1));
        let error = Error::flow("token", "status 500");
        m.record(Duration::from_secs(30), "sso", Err(&error));
        m.record(Duration::from_secs(61), "sso", ms(500));
        let (kinds, all) = m.close(0);
        assert_eq!(
            kinds.iter().map(|k| k.kind.as_str()).collect::<Vec<_>>(),
            ["jwks", "sso"]
        );
        let sso = &kinds[1];
        assert_eq!((sso.flows, sso.errors), (100, 1));
        assert_eq!((sso.p50_ms, sso.p99_ms, sso.max_ms), (50.0, 99.0, 100.0));
        assert_eq!(sso.error_examples, ["token: status 500"]);
        assert_eq!((all.flows, all.errors), (101, 1));
        let (kinds, all) = m.close(1);
        assert_eq!(kinds.len(), 1);
        assert_eq!((all.flows, all.p99_ms), (1, 500.0));
    }

    #[test]
    fn a_flow_recorded_after_its_minute_closed_counts_in_the_next() {
        let mut m = Minutes::new(MINUTE);
        m.close(0);
        m.record(Duration::from_millis(59_999), "refresh", ms(3));
        let (_, all) = m.close(1);
        assert_eq!(all.flows, 1);
        let (_, empty) = m.close(2);
        assert_eq!((empty.flows, empty.p99_ms), (0, 0.0));
    }

    fn minute(n: u32, rss: f64, fds: u64, conns: u64, p99: f64, errors: u64) -> MinuteFigures {
        let all = FlowFigures {
            kind: "all".into(),
            flows: 10_000,
            errors,
            p50_ms: p99 / 4.0,
            p99_ms: p99,
            max_ms: p99 * 2.0,
            error_examples: vec![],
        };
        MinuteFigures {
            minute: n,
            rss_mb: rss,
            rss_peak_mb: rss + 20.0,
            rss_low_mb: rss,
            fds,
            db_connections: Some(conns),
            cpu_percent: 100.0,
            all,
            kinds: vec![],
        }
    }

    fn soak(f: impl Fn(u32) -> MinuteFigures) -> Vec<MinuteFigures> {
        (1..=30).map(f).collect()
    }

    #[test]
    fn steady_figures_are_flat_even_after_a_warm_up_minute() {
        let minutes = soak(|n| {
            // The first minute is lower (warm-up); then a little noise.
            let rss = if n == 1 {
                12.0
            } else {
                30.0 + f64::from(n % 3)
            };
            minute(n, rss, 40 + u64::from(n % 5), 6, 8.0 + f64::from(n % 2), 0)
        });
        let verdict = judge(&minutes, &Thresholds::default());
        assert!(verdict.flat, "{:#?}", verdict.checks);
        assert!(verdict.passed());
        assert_eq!(verdict.first_half, (2, 15));
        assert_eq!(verdict.last_half, (16, 30));
    }

    #[test]
    fn memory_that_keeps_growing_is_not_flat() {
        // 0.5 MB a minute: 7 MB between the halves' means, over the 5 MB allowed.
        let minutes = soak(|n| minute(n, 30.0 + 0.5 * f64::from(n), 40, 6, 8.0, 0));
        let verdict = judge(&minutes, &Thresholds::default());
        assert!(!verdict.flat);
        assert!(
            verdict.checks.iter().any(|c| c.starts_with("GROWS: RSS")),
            "{:#?}",
            verdict.checks
        );
    }

    #[test]
    fn an_end_of_minute_reading_that_swings_is_flat_when_the_range_is_steady() {
        // Whether an argon2 buffer is held at the instant the minute ends is chance.
        let minutes = soak(|n| {
            let mut m = minute(n, 30.0, 40, 6, 8.0, 0);
            m.rss_mb = if n % 4 == 0 || n > 24 { 49.0 } else { 30.0 };
            m
        });
        assert!(judge(&minutes, &Thresholds::default()).flat);
    }

    #[test]
    fn a_peak_that_keeps_rising_is_not_flat() {
        let minutes = soak(|n| {
            let mut m = minute(n, 30.0, 40, 6, 8.0, 0);
            m.rss_peak_mb = 50.0 + f64::from(n);
            m
        });
        let verdict = judge(&minutes, &Thresholds::default());
        assert!(!verdict.flat);
        assert!(
            verdict
                .checks
                .iter()
                .any(|c| c.starts_with("GROWS: RSS (highest")),
            "{:#?}",
            verdict.checks
        );
        assert!(
            verdict
                .checks
                .iter()
                .any(|c| c.starts_with("flat: RSS (lowest"))
        );
    }

    #[test]
    fn leaked_descriptors_or_connections_are_not_flat() {
        let fds = soak(|n| minute(n, 30.0, 40 + 2 * u64::from(n), 6, 8.0, 0));
        let verdict = judge(&fds, &Thresholds::default());
        assert!(!verdict.flat);
        assert!(
            verdict
                .checks
                .iter()
                .any(|c| c.starts_with("GROWS: open fds"))
        );
        let conns = soak(|n| minute(n, 30.0, 40, if n > 20 { 10 } else { 4 }, 8.0, 0));
        let verdict = judge(&conns, &Thresholds::default());
        assert!(!verdict.flat);
        assert!(
            verdict
                .checks
                .iter()
                .any(|c| c.starts_with("GROWS: database connections"))
        );
    }

    #[test]
    fn latency_that_climbs_is_not_flat() {
        let minutes = soak(|n| minute(n, 30.0, 40, 6, if n > 15 { 60.0 } else { 8.0 }, 0));
        let verdict = judge(&minutes, &Thresholds::default());
        assert!(!verdict.flat);
        assert!(verdict.checks.iter().any(|c| c.starts_with("GROWS: p99")));
    }

    #[test]
    fn errors_beyond_the_threshold_fail_a_flat_soak() {
        // 30 errors in 300 030 flows is 0.01%: within 0.1%.
        let few = soak(|n| minute(n, 30.0, 40, 6, 8.0, 1));
        assert!(judge(&few, &Thresholds::default()).passed());
        // 1 000 a minute is 9%.
        let many = soak(|n| minute(n, 30.0, 40, 6, 8.0, 1_000));
        let verdict = judge(&many, &Thresholds::default());
        assert!(verdict.flat);
        assert!(!verdict.errors_ok);
        assert!(!verdict.passed());
    }

    #[test]
    fn too_few_minutes_cannot_be_judged_flat() {
        let one = vec![minute(1, 30.0, 40, 6, 8.0, 0)];
        assert!(!judge(&one, &Thresholds::default()).flat);
        // Three short "minutes" (the tool's own test): no warm-up skipped, 1 against 2–3.
        let three: Vec<_> = (1..=3).map(|n| minute(n, 30.0, 40, 6, 8.0, 0)).collect();
        let verdict = judge(&three, &Thresholds::default());
        assert!(verdict.flat);
        assert_eq!((verdict.first_half, verdict.last_half), ((1, 1), (2, 3)));
    }

    #[test]
    fn the_table_has_a_row_per_minute_and_a_column_per_kind() {
        let mut minutes = soak(|n| minute(n, 30.0, 40, 6, 8.0, 0));
        minutes.truncate(2);
        minutes[0].kinds = vec![FlowFigures {
            kind: "sso".into(),
            ..minutes[0].all.clone()
        }];
        let table = minutes_table(&minutes);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].ends_with(" sso p99 |"), "{table}");
        assert!(
            lines[2].starts_with("| 1 | 30.0 | 30.0 | 50.0 | 40 | 6 |"),
            "{table}"
        );
        assert!(lines[3].ends_with(" - |"), "{table}");
    }
}
