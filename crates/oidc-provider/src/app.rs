//! The application's shared state and its router: the one place every route is listed.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use tower_http::timeout::TimeoutLayer;

use crate::accounts::access::AccountAccess;
use crate::accounts::interventions::{WATCH_INTERVAL, end_pending_access};
use crate::accounts::{AccountServices, PasswordHasher};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::ephemeral::{self, EphemeralStore};
use crate::error::Result;
use crate::identity::{IdentityService, Sources};
use crate::limits::RateLimiter;
use crate::mail::{self, Mailer};
use crate::oidc::Provider;
use crate::sessions::Sessions;
use crate::store::Database;
use crate::web::pages::recovery::{LostApp, ResetPassword};
use crate::web::{assets, headers, oidc, pages, rate_limit};

/// Everything a handler may need. Cheap to clone: all behind `Arc`s or pools.
#[derive(Clone)]
pub struct AppState {
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
        identity.check_key(&db, overrides.clock.unix()).await?;
        Ok(AppState {
            identity: Arc::new(identity),
            passwords: PasswordHasher::new(&config.passwords)?,
            rate_limiter: Arc::new(RateLimiter::new(&config.rate_limits)),
            sessions: Sessions::new(ephemeral.clone(), config.session.clone()),
            config: Arc::new(config),
            clock: overrides.clock,
            db,
            ephemeral,
            mailer,
            oidc: Arc::new(oidc),
        })
    }

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
        }
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

/// Form bodies are small: the largest is a password and its confirmation.
const MAX_BODY_BYTES: usize = 16 * 1024;

pub fn router(state: AppState) -> Router {
    let https = state.config.issuer_is_https();
    let routes = Router::new()
        .route("/", get(pages::start::show))
        .route("/healthz", get(pages::health::check))
        .route(
            "/.well-known/openid-configuration",
            get(oidc::discovery::openid_configuration),
        )
        .route("/.well-known/jwks.json", get(oidc::discovery::jwks))
        .route("/trustmark", get(oidc::discovery::trustmark))
        .route("/.well-known/did.json", get(oidc::discovery::did_document))
        .route(
            "/authorize",
            get(oidc::authorize::authorize_get).post(oidc::authorize::authorize_post),
        )
        .route("/authorize/continue", get(oidc::authorize::resume))
        .route(
            "/authorize/consent",
            get(oidc::authorize::consent_form).post(oidc::authorize::submit_consent),
        )
        .route("/token", post(oidc::token::token))
        .route("/revoke", post(oidc::token::revoke))
        .route(
            "/userinfo",
            get(oidc::userinfo::userinfo_get).post(oidc::userinfo::userinfo_post),
        )
        .route(
            "/logout",
            get(oidc::logout::logout).post(oidc::logout::sign_out),
        )
        .route("/assets/{*path}", get(assets::serve))
        .route(
            "/create-account",
            get(pages::create_account::email_form).post(pages::create_account::submit_email),
        )
        .route(
            "/create-account/check-email",
            get(pages::create_account::code_form).post(pages::create_account::submit_code),
        )
        .route(
            "/create-account/password",
            get(pages::create_account::password_form).post(pages::create_account::submit_password),
        )
        .route(
            "/create-account/authenticator-app",
            get(pages::create_account::authenticator_form)
                .post(pages::create_account::submit_authenticator),
        )
        .route(
            "/sign-in",
            get(pages::sign_in::password_form).post(pages::sign_in::submit_password),
        )
        .route(
            "/sign-in/authenticator-code",
            get(pages::sign_in::code_form).post(pages::sign_in::submit_code),
        )
        .route("/sign-in/locked", get(pages::sign_in::locked))
        .route(
            pages::sign_in::NEW_PASSWORD,
            get(pages::sign_in::new_password_form).post(pages::sign_in::submit_new_password),
        )
        .route(
            "/sign-in/set-up-authenticator-app",
            get(pages::sign_in::add_authenticator_form)
                .post(pages::sign_in::submit_add_authenticator),
        )
        .route(
            "/reset-password",
            get(pages::recovery::email_form::<ResetPassword>)
                .post(pages::recovery::submit_email::<ResetPassword>),
        )
        .route(
            "/reset-password/check-email",
            get(pages::recovery::code_form::<ResetPassword>)
                .post(pages::recovery::submit_code::<ResetPassword>),
        )
        .route(
            "/reset-password/new-password",
            get(pages::recovery::new_password_form).post(pages::recovery::submit_new_password),
        )
        .route(
            "/reset-password/authenticator-code",
            get(pages::recovery::reset_app_code_form).post(pages::recovery::submit_reset_app_code),
        )
        .route(
            "/lost-authenticator-app",
            get(pages::recovery::email_form::<LostApp>)
                .post(pages::recovery::submit_email::<LostApp>),
        )
        .route(
            "/lost-authenticator-app/check-email",
            get(pages::recovery::code_form::<LostApp>)
                .post(pages::recovery::submit_code::<LostApp>),
        )
        .route(
            "/lost-authenticator-app/password",
            get(pages::recovery::password_form).post(pages::recovery::submit_password),
        )
        .route(
            "/lost-authenticator-app/passport",
            get(pages::recovery::reprove_form).post(pages::recovery::submit_reprove),
        )
        .route(
            "/lost-authenticator-app/authenticator-app",
            get(pages::recovery::new_app_form).post(pages::recovery::submit_new_app),
        )
        .route("/identity/next", get(pages::identity::next))
        .route(
            "/identity/start",
            get(pages::identity::start).post(pages::identity::choose_document),
        )
        .route(
            "/identity/passport",
            get(pages::identity::document_form::<pages::identity::UkPassport>)
                .post(pages::identity::submit_document::<pages::identity::UkPassport>),
        )
        .route(
            "/identity/driving-licence",
            get(pages::identity::document_form::<pages::identity::UkDrivingLicence>)
                .post(pages::identity::submit_document::<pages::identity::UkDrivingLicence>),
        )
        .route(
            "/identity/address",
            get(pages::identity::address_form).post(pages::identity::find_address),
        )
        .route(
            "/identity/address/choose",
            get(pages::identity::choose_address_form).post(pages::identity::choose_address),
        )
        .route(
            "/identity/questions",
            get(pages::identity::question).post(pages::identity::answer_question),
        )
        .route(
            "/identity/reuse",
            get(pages::identity::reuse).post(pages::identity::confirm_reuse),
        )
        .route("/identity/stop", post(pages::identity::stop))
        .route("/account", get(pages::account::show))
        .route(
            "/account/withdraw-consent",
            post(pages::account::withdraw_consent),
        )
        .route(
            "/account/confirm-password",
            get(pages::security::confirm_password_form).post(pages::security::confirm_password),
        )
        .route(
            "/account/change-email",
            get(pages::security::change_email_form).post(pages::security::change_email),
        )
        .route(
            "/account/change-email/check-email",
            get(pages::security::check_new_email_form).post(pages::security::check_new_email),
        )
        .route(
            "/account/change-password",
            get(pages::security::change_password_form).post(pages::security::change_password),
        )
        .route(
            "/account/change-authenticator-app",
            get(pages::security::current_app_form).post(pages::security::current_app),
        )
        .route(
            "/account/change-authenticator-app/new",
            get(pages::security::new_app_form).post(pages::security::new_app),
        )
        .route(
            "/account/close",
            get(pages::security::close_form).post(pages::security::close),
        )
        .route(
            "/account/report",
            get(pages::security::report_form).post(pages::security::report),
        )
        .route("/account/changed/{what}", get(pages::security::changed))
        .route("/account/closed", get(pages::security::closed))
        .route("/sign-out", post(oidc::logout::sign_out))
        .route("/signed-out", get(pages::account::signed_out))
        .route("/accessibility", get(pages::info::accessibility))
        .route("/cookies", get(pages::info::cookies))
        .route("/privacy", get(pages::info::privacy))
        .route("/feedback", get(pages::info::feedback))
        .fallback(pages::info::not_found)
        .method_not_allowed_fallback(pages::info::method_not_allowed)
        // Every POST above, and any added, is rate-limited per client address (checklist 80).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit_posts,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .with_state(state);
    headers::apply(routes, https)
}
