//! What is measured: each flow's latency (every sample kept, so the percentiles are exact), its
//! errors, and the provider process's memory and CPU sampled from `/proc` every 100 ms.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

/// One virtual citizen's samples; merged once its loop ends, so recording takes no lock.
#[derive(Debug, Default)]
pub struct Samples {
    /// Microseconds, one per successful flow.
    pub latencies_us: Vec<u32>,
    pub errors: u64,
    /// The first few error messages, to say what went wrong.
    pub error_examples: Vec<String>,
}

impl Samples {
    pub fn ok(&mut self, started: Instant) {
        let us = started.elapsed().as_micros().min(u32::MAX as u128) as u32;
        self.latencies_us.push(us);
    }

    pub fn error(&mut self, error: &crate::error::Error) {
        self.errors += 1;
        if self.error_examples.len() < 3 {
            self.error_examples.push(error.to_string());
        }
    }

    pub fn merge(&mut self, other: Samples) {
        self.latencies_us.extend(other.latencies_us);
        self.errors += other.errors;
        for example in other.error_examples {
            if self.error_examples.len() < 5 && !self.error_examples.contains(&example) {
                self.error_examples.push(example);
            }
        }
    }
}

/// Throughput and latency of one measured window.
#[derive(Debug, Clone, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub errors: u64,
    pub seconds: f64,
    pub throughput_per_s: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub error_examples: Vec<String>,
}

impl LatencySummary {
    pub fn from_samples(mut samples: Samples, window: Duration) -> Self {
        samples.latencies_us.sort_unstable();
        let sorted = &samples.latencies_us;
        // Nearest-rank percentile: the smallest sample with at least p% of samples at or below.
        let pick = |p: f64| -> f64 {
            if sorted.is_empty() {
                return 0.0;
            }
            let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
            f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
        };
        let seconds = window.as_secs_f64();
        LatencySummary {
            count: sorted.len() as u64,
            errors: samples.errors,
            seconds,
            throughput_per_s: if seconds > 0.0 {
                sorted.len() as f64 / seconds
            } else {
                0.0
            },
            p50_ms: pick(50.0),
            p95_ms: pick(95.0),
            p99_ms: pick(99.0),
            max_ms: sorted.last().map_or(0.0, |v| f64::from(*v) / 1000.0),
            error_examples: samples.error_examples,
        }
    }
}

/// One reading of a process.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcReading {
    pub rss_kib: u64,
    /// The kernel's own high-water mark since the process started.
    pub hwm_kib: u64,
    /// utime + stime, in clock ticks.
    pub cpu_ticks: u64,
}

/// Reads `/proc/<pid>/status` and `/proc/<pid>/stat`.
pub fn read_proc(pid: u32) -> Option<ProcReading> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, cpu_ticks) = stat_ticks(&stat)?;
    Some(ProcReading {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
        cpu_ticks,
    })
}

/// The command names of the store servers whose CPU an operation on the `postgres-redis` pair
/// also costs: PostgreSQL's processes (the postmaster and one backend per connection) and
/// Redis. Whatever else they serve during the window counts too: measure on a quiet machine.
pub const STORE_SERVER_COMMANDS: [&str; 2] = ["postgres", "redis-server"];

/// utime + stime of a `/proc/<pid>/stat` line, and its command name.
fn stat_ticks(stat: &str) -> Option<(&str, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let command = stat.get(open + 1..close)?;
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are
    // plain. utime and stime are fields 14 and 15 (proc(5)), so 12 and 13 after field 2.
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((command, utime + stime))
}

/// The CPU ticks used so far by every process whose command name is one of `commands`.
pub fn ticks_of_commands(commands: &[&str]) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(|e| {
            let name = e.ok()?.file_name();
            let pid: u32 = name.to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (command, ticks) = stat_ticks(&stat)?;
            commands.contains(&command).then_some(ticks)
        })
        .sum()
}

/// Clock ticks per second for `/proc/<pid>/stat` (`getconf CLK_TCK`; 100 on Linux).
pub fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Samples a process every 100 ms on its own thread (so a saturated async runtime does not
/// delay the readings) and keeps the largest and smallest RSS seen since the last
/// [`Sampler::window`].
pub struct Sampler {
    pid: u32,
    /// The largest and smallest RSS sampled in the current window.
    rss_range_kib: Arc<Mutex<(u64, u64)>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Resources used over one measured window.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceSummary {
    /// RSS just before the window: the provider at rest after the previous load.
    pub rss_before_mb: f64,
    /// Largest RSS sampled during the window.
    pub rss_peak_mb: f64,
    /// Smallest RSS sampled during the window: what the process kept, without transient
    /// buffers (an argon2 verification holds 19 MiB for a few milliseconds).
    pub rss_low_mb: f64,
    /// The kernel's high-water mark for the whole process life, at the end of the window.
    pub hwm_mb: f64,
    /// Provider CPU over the window, 100% = one core.
    pub cpu_percent: f64,
    /// The load generator's own CPU over the window (it shares the machine).
    pub generator_cpu_percent: f64,
    /// CPU seconds over the window: the provider's own.
    pub provider_cpu_s: f64,
    /// The store servers' ([`STORE_SERVER_COMMANDS`]), for the `postgres-redis` pair; 0 for
    /// the embedded one, whose stores are inside the provider.
    pub store_cpu_s: f64,
    /// The load generator's, kept out of the per-operation cost.
    pub generator_cpu_s: f64,
}

impl ResourceSummary {
    /// Microseconds of CPU per operation, `(provider, store servers)`, over `operations`.
    pub fn cpu_us_per_op(&self, operations: u64) -> (f64, f64) {
        let per = |seconds: f64| seconds * 1e6 / operations.max(1) as f64;
        (per(self.provider_cpu_s), per(self.store_cpu_s))
    }
}

pub struct Window {
    pid: u32,
    started: Instant,
    before: ProcReading,
    self_before: u64,
    /// The store servers' ticks at the start, when they count.
    stores_before: Option<u64>,
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn own_pid() -> PathBuf {
    PathBuf::from("/proc/self")
}

fn own_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string(own_pid().join("stat")).unwrap_or_default();
    let rest = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    tick(11) + tick(12)
}

impl Sampler {
    pub fn start(pid: u32) -> Self {
        let rss_range_kib = Arc::new(Mutex::new((0, u64::MAX)));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let range = rss_range_kib.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(reading) = read_proc(pid)
                        && let Ok(mut range) = range.lock()
                    {
                        range.0 = range.0.max(reading.rss_kib);
                        range.1 = range.1.min(reading.rss_kib);
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        };
        Sampler {
            pid,
            rss_range_kib,
            stop,
            thread: Some(thread),
        }
    }

    /// Starts a measured window: resets the range and remembers the CPU counters, the store
    /// servers' too when `count_stores`.
    pub fn window(&self, count_stores: bool) -> Window {
        let before = read_proc(self.pid).unwrap_or_default();
        if let Ok(mut range) = self.rss_range_kib.lock() {
            *range = (before.rss_kib, before.rss_kib);
        }
        Window {
            pid: self.pid,
            started: Instant::now(),
            before,
            self_before: own_cpu_ticks(),
            stores_before: count_stores.then(|| ticks_of_commands(&STORE_SERVER_COMMANDS)),
        }
    }

    pub fn finish(&self, window: Window, ticks_per_second: f64) -> ResourceSummary {
        let after = read_proc(window.pid).unwrap_or_default();
        let seconds = window.started.elapsed().as_secs_f64().max(1e-9);
        let (peak, low) = self
            .rss_range_kib
            .lock()
            .map(|r| (r.0.max(after.rss_kib), r.1.min(after.rss_kib)))
            .unwrap_or((after.rss_kib, after.rss_kib));
        let cpu_s = |ticks: u64| ticks as f64 / ticks_per_second;
        let percent = |ticks: u64| cpu_s(ticks) / seconds * 100.0;
        let provider_ticks = after.cpu_ticks.saturating_sub(window.before.cpu_ticks);
        let generator_ticks = own_cpu_ticks().saturating_sub(window.self_before);
        let store_ticks = window.stores_before.map_or(0, |before| {
            ticks_of_commands(&STORE_SERVER_COMMANDS).saturating_sub(before)
        });
        ResourceSummary {
            rss_before_mb: mb(window.before.rss_kib),
            rss_peak_mb: mb(peak),
            rss_low_mb: mb(low),
            hwm_mb: mb(after.hwm_kib),
            cpu_percent: percent(provider_ticks),
            generator_cpu_percent: percent(generator_ticks),
            provider_cpu_s: cpu_s(provider_ticks),
            store_cpu_s: cpu_s(store_ticks),
            generator_cpu_s: cpu_s(generator_ticks),
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The process's open file descriptors (`/proc/<pid>/fd`).
pub fn open_fds(pid: u32) -> Option<u64> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count() as u64)
}

/// How many of the process's descriptors are open on exactly `file`.
pub fn fds_on(pid: u32, file: &std::path::Path) -> Option<u64> {
    // The links in /proc name the file without symbolic links.
    let file = file.canonicalize().ok()?;
    let entries = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(
        entries
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .filter(|target| *target == file)
            .count() as u64,
    )
}

pub fn rss_mb(pid: u32) -> f64 {
    read_proc(pid).map_or(0.0, |r| mb(r.rss_kib))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples = Samples {
            latencies_us: (1..=100).map(|i| i * 1000).collect(),
            errors: 2,
            error_examples: vec![],
        };
        let summary = LatencySummary::from_samples(samples, Duration::from_secs(2));
        assert_eq!(summary.count, 100);
        assert_eq!(summary.p50_ms, 50.0);
        assert_eq!(summary.p95_ms, 95.0);
        assert_eq!(summary.p99_ms, 99.0);
        assert_eq!(summary.max_ms, 100.0);
        assert_eq!(summary.throughput_per_s, 50.0);
        assert_eq!(summary.errors, 2);
    }

    #[test]
    fn counts_descriptors_on_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one-login.sqlite");
        let pid = std::process::id();
        let _a = std::fs::File::create(&path).unwrap();
        let _b = std::fs::File::open(&path).unwrap();
        let _other = std::fs::File::create(dir.path().join("one-login.sqlite-wal")).unwrap();
        assert_eq!(fds_on(pid, &path), Some(2));
        // Other tests open files at the same time, so only a lower bound holds.
        assert!(open_fds(pid).unwrap() >= 3);
    }

    #[test]
    fn reads_ticks_past_a_command_name_with_spaces() {
        let stat = "42 (tokio runtime) S 1 42 42 0 -1 4194560 1 0 0 0 7 3 0 0 20 0 4 0 100";
        assert_eq!(stat_ticks(stat), Some(("tokio runtime", 10)));
        assert_eq!(stat_ticks("42 (short) S 1"), None);
    }

    #[test]
    fn counts_the_ticks_of_processes_by_command_name() {
        let own = std::fs::read_to_string("/proc/self/stat").unwrap();
        let (command, _) = stat_ticks(&own).unwrap();
        let command = command.to_owned();
        // Our own process burns CPU until its command's ticks grow (a busy machine may take a
        // while to give it a tick's worth).
        let before = ticks_of_commands(&[&command]);
        let started = std::time::Instant::now();
        let mut x = 0u64;
        while ticks_of_commands(&[&command]) <= before {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no tick counted"
            );
            for _ in 0..1_000_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        }
        assert_eq!(ticks_of_commands(&["no-such-command-here"]), 0);
    }

    #[test]
    fn reads_its_own_process() {
        let reading = read_proc(std::process::id()).unwrap();
        assert!(reading.rss_kib > 0);
        assert!(reading.hwm_kib >= reading.rss_kib);
    }
}
