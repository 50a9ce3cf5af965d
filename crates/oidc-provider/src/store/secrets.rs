use sqlx::{AnyPool, Row};

use crate::error::Result;

/// Values made once and shared by every replica.
pub struct ServerSecrets<'a> {
    pool: &'a AnyPool,
}

impl<'a> ServerSecrets<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        ServerSecrets { pool }
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
