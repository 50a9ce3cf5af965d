//! `one-login-bench run` and `one-login-bench soak`: the load tool's command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use one_login_bench::provider::{BENCH_OVERRIDES, Servers, StorePair};
use one_login_bench::report::{Argon2Bound, Report};
use one_login_bench::run::{Options, run};
use one_login_bench::scenario::Scenario;
use one_login_bench::soak::{SoakOptions, SoakReport, Thresholds, soak};
use one_login_bench::{Error, Result};

#[derive(Parser)]
#[command(
    name = "one-login-bench",
    about = "Load tool for the One Login provider"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum StoresArg {
    Embedded,
    PostgresRedis,
    Both,
}

#[derive(Subcommand)]
enum Command {
    /// Start the provider, set up accounts and a client, run the scenarios, write the report.
    Run {
        /// The provider binary (a release build).
        #[arg(long, default_value = "target/release/one-login")]
        provider_bin: PathBuf,
        /// Accept a debug build (for testing the tool; its figures mean nothing).
        #[arg(long)]
        allow_debug: bool,
        /// The provider's configuration file; the tool sets where it listens and keeps data.
        #[arg(long, default_value = "config/default.toml")]
        config: PathBuf,
        #[arg(long, value_enum, default_value = "both")]
        stores: StoresArg,
        /// Comma-separated: discovery, jwks, sso, login, refresh, login-with-sso, or all.
        #[arg(long, default_value = "all")]
        scenarios: String,
        /// Comma-separated numbers of virtual citizens.
        #[arg(long, default_value = "1,8,32,128")]
        concurrency: String,
        /// Measured time per scenario and level ("10s", "500ms").
        #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
        duration: Duration,
        #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
        warmup: Duration,
        /// Stop a level after this many measured flows, even before --duration.
        #[arg(long)]
        max_flows: Option<u64>,
        /// Accounts for the login scenarios (each signs in at most once per 30 s step).
        #[arg(long, default_value_t = 1000)]
        login_accounts: usize,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        postgres_admin_url: String,
        #[arg(long, default_value = "redis://127.0.0.1:6379/")]
        redis_url: String,
        #[arg(long, default_value = "target/bench")]
        out: PathBuf,
        /// No progress bar (it is also hidden when stderr is not a terminal).
        #[arg(long)]
        quiet: bool,
        /// Also run discovery, jwks, sso and refresh against the anchor of issue 13 (panva
        /// oidc-provider; the folder with its server.mjs and installed packages, `npm ci`),
        /// and report its CPU per operation over One Login's.
        #[arg(long, value_name = "DIR")]
        anchor: Option<PathBuf>,
    },
    /// Run a mixed load for N minutes and report RSS, open descriptors, database connections
    /// and latency each minute; exit 1 unless they stayed flat and errors were rare.
    Soak {
        #[arg(long, default_value_t = 30)]
        minutes: u32,
        /// The length of a "minute" (for the tool's own tests).
        #[arg(long, default_value = "60s", value_parser = humantime::parse_duration, hide = true)]
        minute_length: Duration,
        /// Virtual citizens, shared out over sso, refresh, identity-reuse, login, discovery and jwks.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// At most this many flows a second across all citizens (none: as fast as they go).
        #[arg(long)]
        rate: Option<f64>,
        #[arg(long, default_value = "target/release/one-login")]
        provider_bin: PathBuf,
        #[arg(long)]
        allow_debug: bool,
        #[arg(long, default_value = "config/default.toml")]
        config: PathBuf,
        #[arg(long, value_enum, default_value = "both")]
        stores: StoresArg,
        /// Accounts the login citizens take turns with (one sign-in per account per 30 s).
        #[arg(long, default_value_t = 200)]
        login_accounts: usize,
        /// Errors over flows tried above which the soak fails.
        #[arg(long, default_value_t = 0.001)]
        max_error_share: f64,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        postgres_admin_url: String,
        #[arg(long, default_value = "redis://127.0.0.1:6379/")]
        redis_url: String,
        #[arg(long, default_value = "target/bench")]
        out: PathBuf,
    },
}

impl StoresArg {
    fn pairs(self) -> Vec<StorePair> {
        match self {
            StoresArg::Embedded => vec![StorePair::Embedded],
            StoresArg::PostgresRedis => vec![StorePair::PostgresRedis],
            StoresArg::Both => vec![StorePair::Embedded, StorePair::PostgresRedis],
        }
    }
}

fn parse_concurrency(list: &str) -> Result<Vec<usize>> {
    let levels: Vec<usize> = list
        .split(',')
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Usage(format!("--concurrency {list:?}: {e}")))?;
    if levels.is_empty() || levels.contains(&0) {
        return Err(Error::Usage(
            "--concurrency needs numbers of at least 1".into(),
        ));
    }
    Ok(levels)
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        run @ Command::Run { .. } => run_command(run),
        soak @ Command::Soak { .. } => soak_command(soak),
    };
    match result {
        Ok(code) => code,
        Err(e @ (Error::Usage(_) | Error::ProviderBinary { .. })) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn block_on<T>(work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?
        .block_on(work)
}

fn soak_command(command: Command) -> Result<ExitCode> {
    let Command::Soak {
        minutes,
        minute_length,
        concurrency,
        rate,
        provider_bin,
        allow_debug,
        config,
        stores,
        login_accounts,
        max_error_share,
        postgres_admin_url,
        redis_url,
        out,
    } = command
    else {
        return Err(Error::Usage("not the soak command".into()));
    };
    if minutes == 0 || concurrency == 0 || minute_length.is_zero() {
        return Err(Error::Usage(
            "--minutes, --concurrency and --minute-length must be above zero".into(),
        ));
    }
    let options = SoakOptions {
        provider_bin,
        allow_debug,
        config,
        stores: stores.pairs(),
        servers: Servers {
            postgres_admin_url,
            redis_url,
        },
        minutes,
        minute_length,
        concurrency,
        rate,
        login_accounts,
        thresholds: Thresholds {
            max_error_share,
            ..Thresholds::default()
        },
    };
    let (started_at, stamp) = now();
    for (key, value, why) in BENCH_OVERRIDES {
        eprintln!("bench sets {key}={value}: {why}");
    }
    let runs = block_on(soak(&options))?;
    let report = SoakReport::new(&options, started_at, runs);
    let (json, md) = report.write(&out, &stamp)?;
    println!("{}", report.markdown());
    eprintln!("wrote {} and {}", json.display(), md.display());
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Now in RFC 3339, and as a file-name stamp.
fn now() -> (String, String) {
    let now = time::OffsetDateTime::now_utc();
    let started_at = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let stamp = format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    (started_at, stamp)
}

fn run_command(command: Command) -> Result<ExitCode> {
    let Command::Run {
        provider_bin,
        allow_debug,
        config,
        stores,
        scenarios,
        concurrency,
        duration,
        warmup,
        max_flows,
        login_accounts,
        postgres_admin_url,
        redis_url,
        out,
        quiet,
        anchor,
    } = command
    else {
        return Err(Error::Usage("not the run command".into()));
    };
    let options = (|| -> Result<Options> {
        Ok(Options {
            provider_bin,
            allow_debug,
            config,
            stores: stores.pairs(),
            scenarios: Scenario::parse_list(&scenarios)?,
            concurrency: parse_concurrency(&concurrency)?,
            duration,
            warmup,
            max_flows,
            login_accounts,
            servers: Servers {
                postgres_admin_url,
                redis_url,
            },
            progress: !quiet,
            anchor,
        })
    })();
    block_on(bench(options?, out))?;
    Ok(ExitCode::SUCCESS)
}

async fn bench(options: Options, out: PathBuf) -> Result<()> {
    one_login_bench::provider::check_binary(&options.provider_bin, options.allow_debug)?;
    if let Some(folder) = &options.anchor {
        one_login_bench::anchor::check_folder(folder)?;
    }
    let (started_at, stamp) = now();
    for (key, value, why) in BENCH_OVERRIDES {
        eprintln!("bench sets {key}={value}: {why}");
    }
    let argon2 = Argon2Bound::measure(&options.config).await?;
    eprintln!(
        "argon2 verify {:.1} ms: at most {:.0} logins/s with {} hashes at once",
        argon2.verify_ms, argon2.logins_per_second, argon2.hashes
    );
    let (runs, anchor) = run(&options).await?;
    let report = Report::new(&options, started_at, argon2, runs, anchor);
    let (json, md) = report.write(&out, &stamp)?;
    println!("{}", report.markdown());
    eprintln!("wrote {} and {}", json.display(), md.display());
    Ok(())
}
