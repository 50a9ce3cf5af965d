//! `one-login`: the provider's command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use one_login_core::accounts::interventions::{self, Intervention, WATCH_INTERVAL};
use one_login_core::accounts::{check_new_password, email_problem, totp};
use one_login_core::config::{Config, MetricsListen};
use one_login_core::error::{Error, Refusal, Result};
use one_login_core::oidc::clients::{ClientRegistry, check_folder, describe, new_registration};
use one_login_core::oidc::keys::{KeyPurpose, Keys};
use one_login_provider::app::{AppState, Overrides};
use one_login_provider::router;
use one_login_store::{AuditEvent, AuditKind, Database, NewAccount};

#[derive(Parser)]
#[command(
    name = "one-login",
    version,
    about = "One Login: single sign-on and identity for government services"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the provider.
    Serve {
        /// A TOML file over the built-in defaults (its relative paths are from its folder).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Apply database migrations and exit.
    Migrate {
        /// A TOML file over the built-in defaults (its relative paths are from its folder).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Check the configuration (file and ONE_LOGIN__* environment) and exit.
    CheckConfig {
        /// A TOML file over the built-in defaults (its relative paths are from its folder).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Registered relying parties (config/clients/*.toml).
    Clients {
        #[command(subcommand)]
        command: ClientsCommand,
    },
    /// Identity proving.
    Identity {
        #[command(subcommand)]
        command: IdentityCommand,
    },
    /// The key-encryption key that seals signing keys, authenticator secrets and the
    /// pairwise-subject salt in the database.
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
    /// Citizens' accounts: look one up, or intervene on it. Every intervention is written to
    /// the account's audit log with the operator as the actor; a running provider ends the
    /// account's sessions within seconds (with back-channel logout to each service it signed
    /// in to) and revokes its refresh tokens and access tokens.
    Accounts {
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// What citizens sent through the feedback form that every page links to.
    Feedback {
        #[command(subcommand)]
        command: FeedbackCommand,
    },
    /// Create a verified account (for demos and tests).
    CreateAccount {
        /// A TOML file over the built-in defaults (its relative paths are from its folder).
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// Base32 authenticator secret: the account starts with its app set up.
        #[arg(long)]
        totp_secret: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add new signing keys: published now (token keys in the JWKS, the identity key in
    /// did.json), signing after keys.publish_before_use; the old keys stay published for
    /// keys.publish_after_retirement.
    Rotate {
        /// A TOML file over the built-in defaults (its relative paths are from its folder).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Rotate only these keys: `tokens` (ID, access and logout tokens) or `identity`
        /// (evidence credentials and core identity JWTs). Both when not given.
        #[arg(long, value_parser = ["tokens", "identity"])]
        only: Option<String>,
    },
    /// List the signing keys and their state.
    List {
        /// A TOML file over the built-in defaults (its relative paths are from its folder).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

/// The account an `accounts` subcommand acts on.
#[derive(Args)]
struct AccountArgs {
    /// A TOML file over the built-in defaults (its relative paths are from its folder).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The account's email address (case does not matter).
    email: String,
}

#[derive(Subcommand)]
enum AccountsCommand {
    /// Show an account: its id, when it was made, its status, whether it has an authenticator
    /// app, its proven identity, its live sessions and its latest audit events. Never a
    /// password hash, secret or code.
    Show(AccountArgs),
    /// Suspend an account until `unsuspend`: it cannot sign in (once its password is right,
    /// a page says it is suspended and whom to contact), its sessions end, its tokens are
    /// revoked, and services get access_denied.
    Suspend(AccountArgs),
    /// Lift a suspension: the account can sign in again.
    Unsuspend(AccountArgs),
    /// Block an account for good: as `suspend`, but permanent. There is no unblock, so that a
    /// block always means final; suspend what may be lifted. A blocked account can still be
    /// deleted, after which its email address can make a new account.
    Block(AccountArgs),
    /// Make the citizen choose a new password at their next sign-in, after password and
    /// authenticator code and before anything else. Its sessions end now.
    RequirePasswordReset(AccountArgs),
    /// Stop releasing the account's proven identity: evidence from before now no longer counts
    /// (except contra-indicators), and the next service that asks for an identity sends the
    /// citizen through proving again. Services that ask only for sign-in are unaffected. Its
    /// sessions end now.
    RequireReproving(AccountArgs),
    /// Delete the account as the citizen closing it would: the account, its authenticator
    /// secret, identity evidence and record, consents and refresh tokens. Its sessions end;
    /// the audit log keeps its events under the account id only. Cannot be undone.
    Delete(AccountArgs),
}

impl AccountsCommand {
    /// The account named, and the intervention (none for `show`).
    fn parts(self) -> (AccountArgs, Option<Intervention>) {
        match self {
            AccountsCommand::Show(args) => (args, None),
            AccountsCommand::Suspend(args) => (args, Some(Intervention::Suspend)),
            AccountsCommand::Unsuspend(args) => (args, Some(Intervention::Unsuspend)),
            AccountsCommand::Block(args) => (args, Some(Intervention::Block)),
            AccountsCommand::RequirePasswordReset(args) => {
                (args, Some(Intervention::RequirePasswordReset))
            }
            AccountsCommand::RequireReproving(args) => (args, Some(Intervention::RequireReproving)),
            AccountsCommand::Delete(args) => (args, Some(Intervention::Delete)),
        }
    }
}

#[derive(Subcommand)]
enum FeedbackCommand {
    /// List feedback, newest first: when, what about, in which language, the page it was sent
    /// from, and the text. A reply address and account only where the citizen asked for a
    /// reply.
    List {
        /// A TOML file over the built-in defaults (its relative paths are from its folder).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Only feedback sent on or after this day (from its start, UTC), as 2026-12-01.
        #[arg(long, value_name = "DATE", value_parser = one_login_core::feedback::parse_since)]
        since: Option<i64>,
        /// At most this many.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        limit: i64,
        /// `text` for people, `json` (an array) for other tools.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

/// How `feedback list` writes: for people, or for other tools.
#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum IdentityCommand {
    /// Print a new random key for identity.encryption_key (base64 of 32 bytes).
    NewKey,
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// Print a new random key for secrets.key_encryption_key (base64 of 32 bytes).
    NewKey,
}

#[derive(Subcommand)]
enum ClientsCommand {
    /// List every registered client.
    List {
        /// A TOML file over the built-in defaults (its relative paths are from its folder).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Show one client's settings (never its secret).
    Show {
        /// A TOML file over the built-in defaults (its relative paths are from its folder).
        #[arg(long)]
        config: Option<PathBuf>,
        client_id: String,
    },
    /// Check every client file in a folder without starting anything: lists each problem
    /// (file and reason) and exits non-zero if there is any.
    Check {
        /// The folder of client files (e.g. config/clients).
        dir: PathBuf,
    },
    /// Write a new client's file, with a comment on each key, into clients_dir (or --out). It
    /// uses private_key_jwt with the service's keys at jwks_uri. Never overwrites a file.
    New {
        /// A TOML file over the built-in defaults (its relative paths are from its folder).
        #[arg(long)]
        config: Option<PathBuf>,
        client_id: String,
        /// Where citizens come back with a code (exact match).
        #[arg(long)]
        redirect_uri: String,
        /// Shown to citizens on the consent page. Default: the client id.
        #[arg(long)]
        name: Option<String>,
        /// Where the service publishes its public keys. Default: the redirect URI's origin
        /// followed by /.well-known/jwks.json.
        #[arg(long)]
        jwks_uri: Option<String>,
        /// The folder to write into instead of clients_dir.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Makes glibc hand large blocks (argon2's 19 MiB per hash) straight back to the system.
///
/// By default glibc raises its mmap threshold after the first such block is freed, so later ones
/// come from the arena of whichever thread ran the hash and stay there. Argon2 runs on tokio's
/// blocking threads, one arena each (up to 8 per core), so a burst of sign-ins left 300 MB
/// resident for good (measured by `one-login-bench`: 16 MB idle, 304 MB after 16 sign-ins). A
/// fixed threshold keeps every block of 1 MiB or more in its own mapping, unmapped on free.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    unsafe extern "C" {
        fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
    }
    const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
    // SAFETY: mallopt only tunes the allocator; it runs first in main, before any thread.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}

fn main() -> ExitCode {
    return_large_blocks_to_the_system();
    let cli = Cli::parse();
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
    match runtime.block_on(run(cli.command)) {
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

/// Reads the configuration (the built-in defaults, `file` over them, the environment over
/// both), then starts logging in the format it names.
fn load(file: Option<&std::path::Path>) -> Result<Config> {
    let config = Config::load(file)?;
    one_login_core::logging::init(config.log.format, "info");
    Ok(config)
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::CheckConfig { config } => {
            let config = load(config.as_deref())?;
            let clients = ClientRegistry::load(&config.clients_dir)?;
            println!(
                "configuration is valid: issuer {}, listen {}, database {:?}, short-lived store {}, {} client(s)",
                config.issuer,
                config.server.listen,
                config.database_kind()?,
                if config.ephemeral.url.is_empty() {
                    "memory"
                } else {
                    "redis"
                },
                clients.all().len()
            );
            Ok(())
        }
        Command::Migrate { config } => {
            let config = load(config.as_deref())?;
            let db = Database::connect(&config).await?;
            db.migrate().await?;
            println!("database migrated ({:?})", db.kind());
            Ok(())
        }
        Command::CreateAccount {
            config,
            email,
            password,
            totp_secret,
        } => {
            let config = load(config.as_deref())?;
            create_account(config, email, password, totp_secret).await
        }
        Command::Serve { config } => serve(load(config.as_deref())?).await,
        Command::Accounts { command } => accounts(command).await,
        Command::Feedback { command } => feedback(command).await,
        Command::Keys { command } => keys(command).await,
        Command::Clients { command } => clients(command),
        Command::Identity {
            command: IdentityCommand::NewKey,
        }
        | Command::Secrets {
            command: SecretsCommand::NewKey,
        } => {
            println!("{}", one_login_store::sealing::generate_key());
            Ok(())
        }
    }
}

async fn keys(command: KeysCommand) -> Result<()> {
    let (KeysCommand::Rotate { config, .. } | KeysCommand::List { config }) = &command;
    let config = load(config.as_deref())?;
    let db = Database::connect(&config).await?;
    db.migrate().await?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if let KeysCommand::Rotate { only, .. } = command {
        // Make sure the first keys exist, so the new ones have something to replace.
        Keys::load(&db, &config.keys, now).await?;
        let made = match only.as_deref() {
            Some("identity") => {
                Keys::rotate_purpose(&db, &config.keys, KeyPurpose::Identity, now).await?
            }
            Some(_) => Keys::rotate_purpose(&db, &config.keys, KeyPurpose::Tokens, now).await?,
            None => Keys::rotate(&db, &config.keys, now).await?,
        };
        for key in made {
            println!(
                "new {} {} key {} signs from {}",
                key.purpose,
                key.alg,
                key.kid,
                format_unix(key.active_from)
            );
        }
    }
    for key in db.signing_keys().all().await? {
        let state = match key.retired_at {
            Some(at) if at <= now => format!("retired {}", format_unix(at)),
            Some(at) => format!("signing until {}", format_unix(at)),
            None if key.active_from > now => {
                format!("published, signs from {}", format_unix(key.active_from))
            }
            None => "signing".to_owned(),
        };
        println!("{:<8}  {}  {}  {state}", key.purpose, key.alg, key.kid);
    }
    db.close().await;
    Ok(())
}

fn format_unix(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| at.to_string())
}

fn clients(command: ClientsCommand) -> Result<()> {
    match command {
        ClientsCommand::List { config } => {
            let config = load(config.as_deref())?;
            let registry = ClientRegistry::load(&config.clients_dir)?;
            if registry.all().is_empty() {
                println!("no clients registered in {}", config.clients_dir.display());
            }
            for client in registry.all() {
                println!(
                    "{}  {}  ({})",
                    client.client_id,
                    client.name,
                    client.auth_method.as_str()
                );
            }
            Ok(())
        }
        ClientsCommand::Show { config, client_id } => {
            let config = load(config.as_deref())?;
            let registry = ClientRegistry::load(&config.clients_dir)?;
            let client = registry.get(&client_id).ok_or_else(|| {
                Error::config(
                    "client_id",
                    format!(
                        "no client {client_id:?} in {}",
                        config.clients_dir.display()
                    ),
                )
            })?;
            println!("{}", describe(&client));
            Ok(())
        }
        ClientsCommand::Check { dir } => {
            let checked = check_folder(&dir);
            for problem in &checked.problems {
                eprintln!("problem: {problem}");
            }
            match checked.problems.len() {
                0 => {
                    println!("{}: {} valid client file(s)", dir.display(), checked.len());
                    Ok(())
                }
                n => Err(Error::config(
                    "clients check",
                    format!("{n} problem(s) in {}", dir.display()),
                )),
            }
        }
        ClientsCommand::New {
            config,
            client_id,
            redirect_uri,
            name,
            jwks_uri,
            out,
        } => {
            let dir = match out {
                Some(dir) => dir,
                None => load(config.as_deref())?.clients_dir,
            };
            let name = name.unwrap_or_else(|| client_id.clone());
            let text = new_registration(&client_id, &name, &redirect_uri, jwks_uri.as_deref())?;
            let file = dir.join(format!("{client_id}.toml"));
            write_new_file(&file, &text)?;
            println!(
                "wrote {}; put the service's public keys at its jwks_uri, then send the \
                 provider SIGHUP",
                file.display()
            );
            Ok(())
        }
    }
}

/// Creates `file` with `text`, refusing if it exists already.
fn write_new_file(file: &std::path::Path, text: &str) -> Result<()> {
    use std::io::Write;
    let fail = |why: String| Error::config("clients new", format!("{}: {why}", file.display()));
    let mut created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => fail("exists already; not overwritten".into()),
            _ => fail(e.to_string()),
        })?;
    created
        .write_all(text.as_bytes())
        .map_err(|e| fail(e.to_string()))
}

async fn accounts(command: AccountsCommand) -> Result<()> {
    let (target, intervention) = command.parts();
    let config = load(target.config.as_deref())?;
    let db = Database::connect(&config).await?;
    db.migrate().await?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let done = match intervention {
        None => show_account(&config, &db, &target.email, now).await,
        Some(intervention) => {
            let account = interventions::intervene(&db, &target.email, intervention, now).await;
            account.map(|account| {
                println!(
                    "{}: {} ({})",
                    done_words(intervention),
                    account.email,
                    account.id
                );
                if intervention.ends_access() {
                    println!(
                        "a running provider ends its sessions and tokens within {} seconds",
                        WATCH_INTERVAL.as_secs()
                    );
                }
            })
        }
    };
    db.close().await;
    done
}

async fn feedback(command: FeedbackCommand) -> Result<()> {
    let FeedbackCommand::List {
        config,
        since,
        limit,
        format,
    } = command;
    let config = load(config.as_deref())?;
    let db = Database::connect(&config).await?;
    db.migrate().await?;
    let listed = db.feedback().newest(since.unwrap_or(0), limit).await;
    db.close().await;
    let listed = listed?;
    match format {
        ListFormat::Text => print!("{}", one_login_core::feedback::as_text(&listed)),
        ListFormat::Json => println!("{:#}", one_login_core::feedback::as_json(&listed)),
    }
    Ok(())
}

fn done_words(intervention: Intervention) -> &'static str {
    match intervention {
        Intervention::Suspend => "suspended",
        Intervention::Unsuspend => "suspension lifted",
        Intervention::Block => "blocked for good",
        Intervention::RequirePasswordReset => "a new password is required at the next sign-in",
        Intervention::RequireReproving => "the identity must be proved again",
        Intervention::Delete => "deleted",
    }
}

/// `accounts show`: what an operator may see of an account, never a secret.
async fn show_account(config: &Config, db: &Database, email: &str, now: i64) -> Result<()> {
    let account = db
        .accounts()
        .find_by_email(email)
        .await?
        .ok_or_else(|| Error::Refused(Refusal::UnknownAccount(email.trim().to_owned())))?;
    let standing = account.standing;
    let mut lines = vec![
        ("account", account.id.clone()),
        ("email", account.email.clone()),
        ("created", format_unix(account.created_at)),
        ("status", standing.status.to_string()),
        (
            "app",
            if account.totp_secret.is_some() {
                "set up"
            } else {
                "not set up"
            }
            .to_owned(),
        ),
    ];
    if let Some(since) = standing.password_reset_required_at {
        lines.push((
            "password",
            format!("a new one is required (since {})", format_unix(since)),
        ));
    }
    let identity = match db.identity().record(&account.id).await? {
        Some(record) if record.expires_at > now => format!(
            "{} proven {}, until {}",
            record.level,
            format_unix(record.proven_at),
            format_unix(record.expires_at)
        ),
        Some(record) => format!(
            "{} expired {}",
            record.level,
            format_unix(record.expires_at)
        ),
        None => "none proven".to_owned(),
    };
    lines.push(("identity", identity));
    if let Some(since) = standing.reproving_required_at {
        lines.push((
            "evidence",
            format!(
                "only from {} counts (re-proving required)",
                format_unix(since)
            ),
        ));
    }
    let sessions = if config.ephemeral.url.is_empty() {
        // The embedded short-lived store is the provider process's own memory.
        "kept in the running provider's memory: not visible from here".to_owned()
    } else {
        let store = one_login_store::ephemeral::open(&config.ephemeral).await?;
        let sessions = one_login_core::sessions::Sessions::new(store, config.session.clone());
        format!(
            "{} live",
            sessions.count_for_account(&account.id, now).await?
        )
    };
    lines.push(("sessions", sessions));
    for (label, value) in lines {
        println!("{label:<10}  {value}");
    }
    println!("recent events:");
    for event in db.audit().recent(&account.id, 10).await? {
        println!(
            "  {}  {}{}",
            format_unix(event.at),
            event.kind.as_str(),
            event
                .client_ip
                .map(|ip| format!("  from {ip}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

async fn create_account(
    config: Config,
    email: String,
    password: String,
    totp_secret: Option<String>,
) -> Result<()> {
    if let Some(problem) = email_problem(&email) {
        return Err(Error::Refused(Refusal::InvalidEmail(problem)));
    }
    check_new_password(&password)
        .map_err(|p| Error::Refused(Refusal::WeakPassword(p.message().to_owned())))?;
    let totp_secret = totp_secret
        .as_deref()
        .map(totp::validate_secret)
        .transpose()?;
    let state = AppState::connect(config, Overrides::default()).await?;
    let now = state.clock.unix();
    let password_hash = state.passwords.hash(&password).await?;
    let account = state
        .db
        .accounts()
        .create(
            NewAccount {
                email,
                password_hash,
                totp_secret,
                email_verified: true,
                now,
            },
            AuditEvent::new(AuditKind::AccountCreated, None, now)
                .with_detail("created from the command line"),
        )
        .await?;
    println!("created account {} for {}", account.id, account.email);
    state.db.close().await;
    Ok(())
}

async fn serve(config: Config) -> Result<()> {
    let listen = config.server.listen;
    let tls = config
        .server
        .tls_cert
        .clone()
        .zip(config.server.tls_key.clone());
    let issuer = config.issuer.clone();
    let state = AppState::connect(config, Overrides::default()).await?;
    state.spawn_intervention_watch();
    #[cfg(unix)]
    state.spawn_reload_on_hangup()?;
    tracing::info!(
        database = ?state.db.kind(),
        short_lived_store = state.ephemeral.describe(),
        "stores ready"
    );
    if let MetricsListen::Separate(address) = state.config.server.metrics {
        serve_metrics(address).await;
    }
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    tokio::spawn(async move {
        one_login_shutdown::shutdown_signal().await;
        tracing::info!("shutting down");
        shutdown.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    let served = match tls {
        Some((cert, key)) => {
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .map_err(|e| {
                    Error::config(
                        "server.tls_cert",
                        format!("cannot load certificate and key: {e}"),
                    )
                })?;
            tracing::info!(%listen, %issuer, "One Login is listening (https)");
            axum_server::bind_rustls(listen, tls)
                .handle(handle)
                .serve(app)
                .await
        }
        None => {
            tracing::info!(%listen, %issuer, "One Login is listening; open {issuer}");
            axum_server::bind(listen).handle(handle).serve(app).await
        }
    };
    served.map_err(|e| Error::config("server.listen", format!("cannot serve on {listen}: {e}")))?;
    state.db.close().await;
    Ok(())
}

/// Serves `/metrics` on a listener of its own. An address that cannot be bound is logged and
/// sign-in carries on without metrics: the citizens' service never waits on its monitoring.
async fn serve_metrics(address: SocketAddr) {
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(%address, error = %e, "metrics not served: cannot listen (server.metrics_listen)");
            return;
        }
    };
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(one_login_provider::metrics::render),
    );
    tracing::info!(%address, "metrics at /metrics");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
}
