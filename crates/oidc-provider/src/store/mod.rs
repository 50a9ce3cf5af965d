//! Durable data through sqlx: SQLite (default) or PostgreSQL, one implementation for both.
//!
//! The SQL is written once in the dialect both accept through `sqlx::Any`: `$1` placeholders,
//! TEXT ids, BIGINT unix seconds. Only the migrations differ per backend.

mod accounts;
mod audit;
mod consents;
mod identity;
mod proving_attempts;
mod refresh_tokens;
mod secrets;
mod signing_keys;

use std::sync::Arc;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;

pub use accounts::{Account, Accounts, NewAccount};
pub use audit::{AuditEvent, AuditKind, AuditLog, RecordedEvent};
pub use consents::{Consents, GivenConsent};
pub use identity::{IdentityRecord, IdentityStore, StoredCredential};
pub use proving_attempts::{AttemptOutcome, CountedAttempt, NewAttempt, ProvingAttempts, Whose};
pub use refresh_tokens::{RefreshTokens, Rotation, StoredRefreshToken, Successor};
pub use secrets::{Clients, ServerSecrets};
pub use signing_keys::{SigningKeys, StoredKey};

use crate::config::{Config, DatabaseKind};
use crate::error::{Error, Result};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// The durable database: a pool and the repositories over it. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: AnyPool,
    kind: DatabaseKind,
    /// SQLite's write transactions queue here (see [`RefreshTokens::rotate`]).
    sqlite_writer: Arc<tokio::sync::Mutex<()>>,
}

impl Database {
    /// Connects (creating the SQLite file and its folder if needed). Does not migrate.
    pub async fn connect(config: &Config) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let kind = config.database_kind()?;
        if kind == DatabaseKind::Sqlite {
            std::fs::create_dir_all(&config.data_dir).map_err(|e| {
                Error::config(
                    "data_dir",
                    format!("cannot create {}: {e}", config.data_dir.display()),
                )
            })?;
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
            .await?;
        Ok(Database {
            pool,
            kind,
            sqlite_writer: Arc::default(),
        })
    }

    /// Applies the migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.kind {
            DatabaseKind::Sqlite => &SQLITE_MIGRATIONS,
            DatabaseKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
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
        Accounts::new(&self.pool)
    }

    pub fn audit(&self) -> AuditLog<'_> {
        AuditLog::new(&self.pool)
    }

    pub fn secrets(&self) -> ServerSecrets<'_> {
        ServerSecrets::new(&self.pool)
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

    pub fn identity(&self) -> IdentityStore<'_> {
        IdentityStore::new(&self.pool)
    }

    pub fn proving_attempts(&self) -> ProvingAttempts<'_> {
        ProvingAttempts::new(&self.pool)
    }

    pub fn signing_keys(&self) -> SigningKeys<'_> {
        SigningKeys::new(&self.pool)
    }

    /// Answers when the database does: for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// How an email address is compared: trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}
