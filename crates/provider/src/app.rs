//! The application's shared state: the stores and services every handler may need. The routes
//! are in `web` ([`crate::web::router`]).

use std::sync::Arc;

use one_login_core::accounts::access::AccountAccess;
use one_login_core::accounts::interventions::{WATCH_INTERVAL, end_pending_access};
use one_login_core::accounts::{AccountServices, PasswordHasher};
use one_login_core::clock::{Clock, SystemClock};
use one_login_core::config::Config;
use one_login_core::error::Result;
use one_login_core::identity::{IdentityService, Sources};
use one_login_core::limits::RateLimiter;
use one_login_core::mail::{self, Mailer};
use one_login_core::oidc::Provider;
use one_login_core::sessions::Sessions;
use one_login_core::sessions::form_token::FormTokens;
use one_login_store::Database;
use one_login_store::ephemeral::{self, EphemeralStore};

/// Everything a handler may need, behind one `Arc`: every layer and extractor that takes the
/// state clones it per request, so a clone is one reference count, not one per service
/// (issue 13: a dozen `Arc` clones per layer were a measurable part of a static request).
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The stores and services a handler may need (through [`AppState`]).
pub struct Services {
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub db: Database,
    pub ephemeral: Arc<dyn EphemeralStore>,
    pub mailer: Arc<dyn Mailer>,
    pub passwords: PasswordHasher,
    pub sessions: Sessions,
    pub oidc: Arc<Provider>,
    pub identity: Arc<IdentityService>,
    pub rate_limiter: Arc<RateLimiter>,
    /// The CSRF tokens of forms shown without a session (signed double-submit cookies).
    pub form_tokens: Arc<FormTokens>,
}

/// The dependencies a test may replace.
pub struct Overrides {
    pub clock: Arc<dyn Clock>,
    pub mailer: Option<Arc<dyn Mailer>>,
    /// The identity checks' sources; the simulated ones when `None`.
    pub identity_sources: Option<Sources>,
}

impl Default for Overrides {
    fn default() -> Self {
        Overrides {
            clock: Arc::new(SystemClock),
            mailer: None,
            identity_sources: None,
        }
    }
}

impl AppState {
    /// Connects to the configured stores and migrates the database.
    pub async fn connect(config: Config, overrides: Overrides) -> Result<Self> {
        let db = Database::connect(&config).await?;
        db.migrate().await?;
        let ephemeral = ephemeral::open(&config.ephemeral).await?;
        let oidc = Provider::load(&config, &db, overrides.clock.unix()).await?;
        oidc.keys.spawn_refresh(db.clone());
        let mailer = match overrides.mailer {
            Some(mailer) => mailer,
            None => mail::from_config(&config)?,
        };
        let sources = match overrides.identity_sources {
            Some(sources) => sources,
            None => Sources::simulated()?,
        };
        let identity = IdentityService::new(&config, sources)?;
        let form_key = one_login_core::oidc::server_secret(
            &db,
            one_login_store::FORM_TOKEN_KEY,
            overrides.clock.unix(),
        )
        .await?;
        identity.check_key(&db, overrides.clock.unix()).await?;
        Ok(AppState(Arc::new(Services {
            identity: Arc::new(identity),
            passwords: PasswordHasher::new(&config.passwords)?,
            rate_limiter: Arc::new(RateLimiter::new(&config.rate_limits)),
            sessions: Sessions::new(ephemeral.clone(), config.session.clone()),
            form_tokens: Arc::new(FormTokens::new(form_key.as_bytes())),
            config: Arc::new(config),
            clock: overrides.clock,
            db,
            ephemeral,
            mailer,
            oidc: Arc::new(oidc),
        })))
    }
}

impl Services {
    /// What ends an account's access, over this state's stores.
    pub fn account_access(&self) -> AccountAccess<'_> {
        AccountAccess {
            sessions: &self.sessions,
            provider: &self.oidc,
            store: self.ephemeral.as_ref(),
            db: &self.db,
        }
    }

    /// The account rules over this state's stores, hasher, mailer and limits.
    pub fn account_services(&self) -> AccountServices<'_> {
        AccountServices {
            db: &self.db,
            store: self.ephemeral.as_ref(),
            passwords: &self.passwords,
            mailer: self.mailer.as_ref(),
            sign_in: &self.config.sign_in,
            rate_limiter: &self.rate_limiter,
            access: self.account_access(),
            create_account_url: self.config.url("create-account"),
            sign_in_url: self.config.url("sign-in"),
            language: crate::web::language::current(),
        }
    }
}

impl AppState {
    /// Reloads the relying parties and signing keys on every SIGHUP for as long as the process
    /// runs. Requests in flight carry on with the set they started with; a folder with an
    /// invalid file is logged (file and reason) and the previous clients kept.
    #[cfg(unix)]
    pub fn spawn_reload_on_hangup(&self) -> Result<()> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = signal(SignalKind::hangup()).map_err(|e| {
            one_login_core::Error::Internal(format!("cannot listen for SIGHUP: {e}"))
        })?;
        let state = self.clone();
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                let dir = &state.config.clients_dir;
                match state.oidc.reload(dir, &state.db, state.clock.unix()).await {
                    Ok(clients) => tracing::info!(
                        clients,
                        clients_dir = %dir.display(),
                        "SIGHUP: relying parties and signing keys reloaded"
                    ),
                    Err(e) => tracing::error!(
                        error = %e,
                        clients_dir = %dir.display(),
                        "SIGHUP: reload refused, the previous relying parties are kept"
                    ),
                }
            }
        });
        Ok(())
    }

    /// Carries out, every [`WATCH_INTERVAL`] while the process lives, the end of access of
    /// accounts an operator intervened on (`accounts::interventions`). For processes that
    /// serve (`serve`, the demo), never for one-off commands: the sessions to end may be in
    /// this process's memory only.
    pub fn spawn_intervention_watch(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(WATCH_INTERVAL);
            loop {
                ticker.tick().await;
                let now_ms = state.clock.unix_millis();
                if let Err(e) = end_pending_access(&state.account_access(), now_ms).await {
                    tracing::warn!(error = %e, "could not end access after account interventions");
                }
            }
        });
    }
}
