//! One Login's storage: the durable database, the short-lived store (`ephemeral`, in memory or
//! Redis) and the sealing of secrets at rest. It knows nothing of the protocol or of accounts'
//! rules: its repositories take and return their own row types, and the domain
//! (`one_login_core`) maps them.
//!
//! Durable data through sqlx: SQLite (default) or PostgreSQL, one implementation for both.
//!
//! The SQL is written once in the dialect both accept through `sqlx::Any`: `$1` placeholders,
//! TEXT ids, BIGINT unix seconds. Only the migrations differ per backend.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod accounts;
mod audit;
pub mod config;
mod consents;
pub mod data_dir;
pub mod ephemeral;
pub mod error;
mod feedback;
mod identity;
mod interventions;
mod migrations;
mod passkeys;
mod proving_attempts;
mod refresh_tokens;
pub mod sealing;
mod secrets;
mod signing_keys;
mod wallet;

use std::sync::Arc;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

pub use accounts::{Account, AccountStatus, Accounts, Barrier, NewAccount, Standing};
pub use audit::{AuditEvent, AuditKind, AuditLog, RecordedEvent};
pub use consents::{Consent, Consents, GivenConsent};
pub use feedback::{
    FeedbackLog, KEPT_FOR_SECONDS as FEEDBACK_KEPT_FOR_SECONDS, NewFeedback, StoredFeedback,
};
pub use identity::{IdentityRecord, IdentityStore, StoredCredential};
pub use interventions::{Interventions, PendingIntervention};
pub use passkeys::{Passkeys, StoredPasskey};
pub use proving_attempts::{AttemptOutcome, CountedAttempt, NewAttempt, ProvingAttempts, Whose};
pub use refresh_tokens::{NewRefreshToken, RefreshTokens, Rotation, StoredRefreshToken, Successor};
pub use secrets::{
    ACCESS_TOKEN_KEY, Clients, FORM_TOKEN_KEY, PAIRWISE_SUBJECT_SALT, ServerSecrets,
};
pub use signing_keys::{SigningKeys, StoredKey};
pub use wallet::WalletCredentials;

use self::config::{DatabaseKind, DatabaseSettings};
use self::error::{Error, Result};
use crate::sealing::{KeySource, Sealer, check_key_opens_database};

/// Names the check that the key-encryption key opens this database's secrets.
const KEY_ENCRYPTION_KEY_CHECK: &str = "key-encryption-key-check";

/// The durable database: a pool and the repositories over it. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: AnyPool,
    kind: DatabaseKind,
    /// SQLite's one writer, for refresh-token rotations (see [`RefreshTokens::rotate`]).
    sqlite_writer: Arc<refresh_tokens::SqliteWriter>,
    /// Seals the secrets the repositories store (signing keys, authenticator secrets, the
    /// pairwise-subject salt) under the key-encryption key: callers see them in the clear.
    sealer: Arc<Sealer>,
}

/// The key-encryption key from `secrets.*`.
fn key_encryption_key(config: &DatabaseSettings<'_>) -> Result<Sealer> {
    KeySource {
        config_key: "secrets.key_encryption_key",
        value: &config.secrets.key_encryption_key,
        file: config.secrets.key_encryption_key_file.as_deref(),
        default_file: config.data_dir.join("key-encryption.key"),
        previous_key: "secrets.previous_key_encryption_keys",
        previous: &config.secrets.previous_key_encryption_keys,
    }
    .sealer()
}

impl Database {
    /// Connects (creating the data folder 0700 and the SQLite file 0600 if needed). Does not
    /// migrate.
    pub async fn connect(config: impl Into<DatabaseSettings<'_>>) -> Result<Self> {
        let config = config.into();
        sqlx::any::install_default_drivers();
        let kind = config.database.kind()?;
        crate::data_dir::create_private_dir(config.data_dir).map_err(|e| {
            Error::config(
                "data_dir",
                format!("cannot create {}: {e}", config.data_dir.display()),
            )
        })?;
        let sealer = Arc::new(key_encryption_key(&config)?);
        if kind == DatabaseKind::Sqlite {
            prepare_sqlite_file(&config.database.url)?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(config.database.max_connections)
            .acquire_timeout(Duration::from_secs(5))
            // sqlx pings an idle connection before lending it. For SQLite the "connection" is
            // a file handle in this process that cannot drop, and the ping is one more
            // hand-off to its worker thread on every query (a refresh paid four); a network
            // connection to PostgreSQL can drop, so there it stays.
            .test_before_acquire(kind != DatabaseKind::Sqlite)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    if conn.backend_name() == "SQLite" {
                        // WAL lets readers run beside the writer; the busy timeout makes writers
                        // queue instead of failing; SQLite leaves foreign keys off by default.
                        sqlx::raw_sql(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                        )
                        .execute(conn)
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&config.database.url)
            .await
            .map_err(|e| connect_error(&config.database.url, e))?;
        Ok(Database {
            pool,
            kind,
            sqlite_writer: Arc::default(),
            sealer,
        })
    }

    /// Applies the migrations of this backend that have not run yet, then brings the secrets
    /// at rest under the current key-encryption key: those an earlier version stored in the
    /// clear are sealed, those sealed with an earlier key are sealed again (issue 11.7). A key
    /// that cannot open what the database holds stops here, naming the configuration key.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.kind {
            DatabaseKind::Sqlite => migrations::sqlite(),
            DatabaseKind::Postgres => migrations::postgres(),
        };
        migrator.run(&self.pool).await?;
        // The marker's creation time is a record only, like a migration's.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        check_key_opens_database(
            &self.secrets(),
            &self.sealer,
            KEY_ENCRYPTION_KEY_CHECK,
            "secrets.key_encryption_key",
            "secrets.previous_key_encryption_keys",
            now,
        )
        .await?;
        self.signing_keys().reseal().await?;
        self.secrets().reseal().await?;
        self.accounts().reseal_totp_secrets().await?;
        Ok(())
    }

    /// The pool itself, for tools and tests that run their own SQL.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    pub fn accounts(&self) -> Accounts<'_> {
        Accounts::new(&self.pool, &self.sealer)
    }

    pub fn audit(&self) -> AuditLog<'_> {
        AuditLog::new(&self.pool)
    }

    pub fn secrets(&self) -> ServerSecrets<'_> {
        ServerSecrets::new(&self.pool, &self.sealer)
    }

    pub fn consents(&self) -> Consents<'_> {
        Consents::new(&self.pool)
    }

    pub fn refresh_tokens(&self) -> RefreshTokens<'_> {
        let writer = (self.kind == DatabaseKind::Sqlite).then_some(&*self.sqlite_writer);
        RefreshTokens::new(&self.pool, writer)
    }

    pub fn clients(&self) -> Clients<'_> {
        Clients::new(&self.pool)
    }

    pub fn feedback(&self) -> FeedbackLog<'_> {
        FeedbackLog::new(&self.pool)
    }

    pub fn identity(&self) -> IdentityStore<'_> {
        IdentityStore::new(&self.pool)
    }

    pub fn interventions(&self) -> Interventions<'_> {
        Interventions::new(&self.pool)
    }

    pub fn wallet_credentials(&self) -> WalletCredentials<'_> {
        WalletCredentials::new(&self.pool)
    }

    pub fn passkeys(&self) -> Passkeys<'_> {
        Passkeys::new(&self.pool)
    }

    pub fn proving_attempts(&self) -> ProvingAttempts<'_> {
        ProvingAttempts::new(&self.pool)
    }

    pub fn signing_keys(&self) -> SigningKeys<'_> {
        SigningKeys::new(&self.pool, &self.sealer)
    }

    /// Answers when the database does: for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.sqlite_writer.close().await;
        self.pool.close().await;
    }
}

/// Creates or tightens the SQLite file of `url` (0600) before SQLite opens it (issue 11.8).
fn prepare_sqlite_file(url: &str) -> Result<()> {
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .map_err(|e| Error::config("database.url", e.to_string()))?;
    let path = options.get_filename();
    if path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:") {
        return Ok(());
    }
    crate::data_dir::prepare_sqlite_file(path).map_err(|e| {
        Error::config(
            "database.url",
            format!("cannot make {} private: {e}", path.display()),
        )
    })
}

/// A failed connection, said plainly where the URL's `sslmode` asked for TLS the server does
/// not give (checklist 47).
fn connect_error(url: &str, error: sqlx::Error) -> Error {
    let wants_tls = url::Url::parse(url).is_ok_and(|u| {
        u.query_pairs().any(|(k, v)| {
            (k == "sslmode" || k == "ssl-mode")
                && matches!(v.as_ref(), "require" | "verify-ca" | "verify-full")
        })
    });
    match &error {
        sqlx::Error::Tls(why) if wants_tls => Error::config(
            "database.url",
            format!("the URL's sslmode demands TLS, but it failed: {why}"),
        ),
        _ => Error::Database(error),
    }
}

/// How an email address is compared: trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}
