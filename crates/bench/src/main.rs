//! `one-login-bench run`: the load tool's command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use one_login_bench::provider::{BENCH_OVERRIDES, Servers, StorePair};
use one_login_bench::report::{Argon2Bound, Report};
use one_login_bench::run::{Options, run};
use one_login_bench::scenario::Scenario;
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
    },
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
    } = Cli::parse().command;
    let options = (|| -> Result<Options> {
        Ok(Options {
            provider_bin,
            allow_debug,
            config,
            stores: match stores {
                StoresArg::Embedded => vec![StorePair::Embedded],
                StoresArg::PostgresRedis => vec![StorePair::PostgresRedis],
                StoresArg::Both => vec![StorePair::Embedded, StorePair::PostgresRedis],
            },
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
        })
    })();
    let result = options.and_then(|options| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("starting the async runtime", e))?;
        runtime.block_on(bench(options, out))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
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

async fn bench(options: Options, out: PathBuf) -> Result<()> {
    one_login_bench::provider::check_binary(&options.provider_bin, options.allow_debug)?;
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
    for (key, value, why) in BENCH_OVERRIDES {
        eprintln!("bench sets {key}={value}: {why}");
    }
    let argon2 = Argon2Bound::measure(&options.config).await?;
    eprintln!(
        "argon2 verify {:.1} ms: at most {:.0} logins/s on {} cores",
        argon2.verify_ms, argon2.logins_per_second, argon2.cores
    );
    let runs = run(&options).await?;
    let report = Report::new(&options, started_at, argon2, runs);
    let (json, md) = report.write(&out, &stamp)?;
    println!("{}", report.markdown());
    eprintln!("wrote {} and {}", json.display(), md.display());
    Ok(())
}
