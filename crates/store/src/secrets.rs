use sqlx::{AnyPool, Row};

use super::error::Result;
use crate::sealing::Sealer;

/// The salt of pairwise subject identifiers (OpenID Connect Core §8.1): secret, so stored sealed.
pub const PAIRWISE_SUBJECT_SALT: &str = "pairwise-subject-salt";

/// The key of the CSRF tokens of forms shown without a session (signed double-submit cookies,
/// issue 12.2): shared by every replica, so a form shown by one may be sent to another.
pub const FORM_TOKEN_KEY: &str = "form-token-key";

/// The key that seals the grant inside each access token (issue 13): shared by every replica,
/// so a token minted by one is read by another.
pub const ACCESS_TOKEN_KEY: &str = "access-token-key";

/// The server secrets stored sealed under the key-encryption key (issue 11.7). The other rows
/// are markers, not secrets.
const SEALED: [&str; 3] = [PAIRWISE_SUBJECT_SALT, FORM_TOKEN_KEY, ACCESS_TOKEN_KEY];

/// Values made once and shared by every replica.
pub struct ServerSecrets<'a> {
    pool: &'a AnyPool,
    sealer: &'a Sealer,
}

/// Binds a sealed server secret to its name.
fn sealing_context(name: &str) -> String {
    format!("server-secret/{name}")
}

impl<'a> ServerSecrets<'a> {
    pub(super) fn new(pool: &'a AnyPool, sealer: &'a Sealer) -> Self {
        ServerSecrets { pool, sealer }
    }

    /// Like [`Self::get_or_create`] for a secret: stored sealed under the key-encryption key,
    /// returned in the clear.
    pub async fn get_or_create_sealed(
        &self,
        name: &str,
        make: impl FnOnce() -> String,
        now: i64,
    ) -> Result<String> {
        let context = sealing_context(name);
        let sealed = self.sealer.seal(make().as_bytes(), &context)?;
        let stored = self.get_or_create(name, || sealed, now).await?;
        self.sealer.open_text(&stored, &context)
    }

    /// Seals the secrets an earlier version stored in the clear, and seals again those sealed
    /// with an earlier key-encryption key.
    pub(super) async fn reseal(&self) -> Result<()> {
        for name in SEALED {
            let row = sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
                .bind(name)
                .fetch_optional(self.pool)
                .await?;
            let Some(row) = row else { continue };
            let value: String = row.try_get("value")?;
            if let Some(sealed) = self.sealer.reseal(&value, &sealing_context(name))? {
                // Only if no other replica changed it meanwhile.
                sqlx::query("UPDATE server_secrets SET value = $3 WHERE name = $1 AND value = $2")
                    .bind(name)
                    .bind(&value)
                    .bind(&sealed)
                    .execute(self.pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// The value stored under `name`, storing `make()` first if there is none. Of replicas
    /// racing on first start, one value wins and all read it.
    pub async fn get_or_create(
        &self,
        name: &str,
        make: impl FnOnce() -> String,
        now: i64,
    ) -> Result<String> {
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(make())
        .bind(now)
        .execute(self.pool)
        .await?;
        let row = sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(self.pool)
            .await?;
        Ok(row.try_get("value")?)
    }
}

impl ServerSecrets<'_> {
    /// Replaces the value under `name` (which must exist).
    pub async fn replace(&self, name: &str, value: &str) -> Result<()> {
        sqlx::query("UPDATE server_secrets SET value = $2 WHERE name = $1")
            .bind(name)
            .bind(value)
            .execute(self.pool)
            .await?;
        Ok(())
    }
}

/// Relying parties as last synced from configuration.
pub struct Clients<'a> {
    pool: &'a AnyPool,
}

impl<'a> Clients<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        Clients { pool }
    }

    pub async fn upsert(
        &self,
        client_id: &str,
        name: &str,
        settings: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO clients (client_id, name, settings, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (client_id) DO UPDATE SET name = $2, settings = $3, updated_at = $4",
        )
        .bind(client_id)
        .bind(name)
        .bind(settings)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(())
    }
}
