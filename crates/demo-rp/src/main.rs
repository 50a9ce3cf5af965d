//! `one-login-department`: one department's service, configured by one TOML file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use one_login_demo_rp::config::Config;
use one_login_demo_rp::serve;
use one_login_demo_rp::web::AppState;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "one-login-department",
    version,
    about = "A demo government service that signs citizens in with One Login"
)]
struct Cli {
    /// The department's configuration (see config/departments/).
    #[arg(long)]
    config: PathBuf,
    /// Check the configuration (file and ONE_LOGIN_DEPARTMENT__* environment) and exit.
    #[arg(long)]
    check: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = match Config::load(&cli.config) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if cli.check {
        println!(
            "configuration is valid: {} ({}) at {}, provider {}",
            config.service_name, config.client_id, config.public_url, config.provider.issuer
        );
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let state = AppState::new(config)?;
        serve(state, one_login_rp::shutdown_signal()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_config() => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
