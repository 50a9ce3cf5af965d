//! `one-login-demo`: the provider and both department services in one process, on the embedded
//! defaults (SQLite under `data/`, sessions in memory), configured from `config/`. Email that
//! the provider sends (the outbox transport) is also printed here, so the codes are in view.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use one_login_core::config::Config;
use one_login_core::mail::{self, Email, Mailer};
use one_login_demo_rp::config::Config as DepartmentConfig;
use one_login_demo_rp::web::AppState as DepartmentState;
use one_login_provider::app::{AppState, Overrides};
use one_login_provider::router;

const DEPARTMENTS: [&str; 2] = ["driving-licence", "benefits"];

/// The provider's own mailer (the outbox, by default), plus a copy on the terminal.
struct ShowMail {
    inner: Arc<dyn Mailer>,
}

/// How a message is shown in the demo's terminal.
fn announce(email: &Email) -> String {
    let rule = "-".repeat(72);
    format!(
        "{rule}\nEmail to {to}\nSubject: {subject}\n\n{body}\n{rule}",
        to = email.to,
        subject = email.subject,
        body = email.body.trim_end()
    )
}

#[async_trait]
impl Mailer for ShowMail {
    async fn send(&self, email: Email) -> one_login_core::Result<()> {
        println!("{}", announce(&email));
        self.inner.send(email).await
    }
}

/// The folder holding `config/`: here, or the source tree this binary was built from.
fn project_root() -> Option<PathBuf> {
    let here = PathBuf::from(".");
    if here.join("config/default.toml").is_file() {
        return Some(here);
    }
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    built_from
        .join("config/default.toml")
        .is_file()
        .then_some(built_from)
}

async fn run() -> Result<(), String> {
    let root = project_root().ok_or("run from the repository's top folder (config/ not found)")?;
    std::env::set_current_dir(&root).map_err(|e| format!("entering {}: {e}", root.display()))?;

    let config = Config::load(None).map_err(|e| e.to_string())?;
    one_login_core::logging::init(config.log.format, "warn");
    let issuer = config.issuer.clone();
    let listen = config.server.listen;
    let outbox = config.outbox_dir();
    let mailer = Arc::new(ShowMail {
        inner: mail::from_config(&config).map_err(|e| e.to_string())?,
    });
    let provider = AppState::connect(
        config,
        Overrides {
            mailer: Some(mailer),
            ..Overrides::default()
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    provider.spawn_intervention_watch();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("the provider cannot listen on {listen}: {e}"))?;
    let provider_app = router(provider).into_make_service_with_connect_info::<SocketAddr>();
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(async move {
        axum::serve(listener, provider_app)
            .await
            .map_err(|e| format!("provider: {e}"))
    });

    let mut lines = Vec::new();
    for name in DEPARTMENTS {
        let file = PathBuf::from(format!("config/departments/{name}.toml"));
        let config =
            DepartmentConfig::load(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        lines.push(format!(
            "  {:<30} {}",
            config.service_name, config.public_url
        ));
        let state = DepartmentState::new(config).map_err(|e| e.to_string())?;
        tasks.spawn(async move {
            one_login_demo_rp::serve(state, std::future::pending())
                .await
                .map_err(|e| format!("{name}: {e}"))
        });
    }
    println!(
        "\nOne Login demo is running. Open a department's service:\n{}\n  {:<30} {issuer}\n\n\
         Create an account when asked (you need an authenticator app). Email codes are printed\n\
         here and kept in {}.\n\n\
         To prove your identity, use a person from the test data set (simulated passport office,\n\
         fraud agency and credit reference agency; crates/identity-proofing/data/README.md):\n\
         \x20 UK passport 321654987, Kenneth Decerqueira, born 8 7 1965, expires 1 1 2030\n\
         \x20 postcode BA2 5AA, 8 Hadley Road; answers Halifax, Zopa, Vodafone, \u{a3}401 to \u{a3}700\n\n\
         Ctrl-C stops the demo.\n",
        lines.join("\n"),
        "GOV.UK One Login (provider)",
        outbox.display()
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => Ok(()),
        Some(ended) = tasks.join_next() => match ended {
            Ok(Ok(())) => Err("a service stopped".into()),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(format!("a service failed: {e}")),
        },
    }
}

fn main() -> ExitCode {
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
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_is_shown_with_its_code() {
        let shown = announce(&Email {
            to: "ada@example.com".into(),
            subject: "Your GOV.UK One Login security code".into(),
            body: "Your code is 123456.\n".into(),
        });
        assert!(shown.contains("Email to ada@example.com"));
        assert!(shown.contains("Subject: Your GOV.UK One Login security code"));
        assert!(shown.contains("Your code is 123456.\n---"));
    }
}
