use sqlx::{AnyPool, Row};

use super::error::Result;
use crate::sealing::Sealer;

/// A signing key as stored. The private key is PKCS#8 PEM here, and sealed under the
/// key-encryption key in the database (issue 11.7, checklist 38).
#[derive(Clone)]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    /// What the key signs: `tokens` (ID, access, logout tokens) or `identity` (evidence
    /// credentials and core identity JWTs).
    pub purpose: String,
    pub private_pem: String,
    pub created_at: i64,
    pub active_from: i64,
    pub retired_at: Option<i64>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

pub struct SigningKeys<'a> {
    pool: &'a AnyPool,
    sealer: &'a Sealer,
}

/// Binds a sealed private key to its key id.
fn sealing_context(kid: &str) -> String {
    format!("signing-key/{kid}")
}

impl<'a> SigningKeys<'a> {
    pub(super) fn new(pool: &'a AnyPool, sealer: &'a Sealer) -> Self {
        SigningKeys { pool, sealer }
    }

    /// Every key, the private parts opened.
    pub async fn all(&self) -> Result<Vec<StoredKey>> {
        let rows = sqlx::query(
            "SELECT kid, alg, purpose, private_pem, created_at, active_from, retired_at \
             FROM signing_keys ORDER BY active_from, kid",
        )
        .fetch_all(self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let kid: String = row.try_get("kid")?;
                let sealed: String = row.try_get("private_pem")?;
                Ok(StoredKey {
                    private_pem: self.sealer.open_text(&sealed, &sealing_context(&kid))?,
                    kid,
                    alg: row.try_get("alg")?,
                    purpose: row.try_get("purpose")?,
                    created_at: row.try_get("created_at")?,
                    active_from: row.try_get("active_from")?,
                    retired_at: row.try_get("retired_at")?,
                })
            })
            .collect()
    }

    /// Stores the first key of `key.purpose` and `key.alg`, unless another replica already
    /// did: the marker row in `server_secrets` lets exactly one first start win.
    pub async fn insert_first(&self, key: &StoredKey) -> Result<bool> {
        // Token keys keep the marker name they had before keys had purposes.
        let marker = match key.purpose.as_str() {
            "tokens" => format!("first-signing-key-{}", key.alg),
            purpose => format!("first-signing-key-{purpose}-{}", key.alg),
        };
        let mut tx = self.pool.begin().await?;
        let marked = sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(marker)
        .bind(&key.kid)
        .bind(key.created_at)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            return Ok(false);
        }
        self.insert(&mut *tx, key).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Adds `key` and retires the keys of its purpose and algorithm that sign now, when it
    /// takes over.
    pub async fn rotate_to(&self, key: &StoredKey) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE signing_keys SET retired_at = $2 \
             WHERE alg = $1 AND purpose = $3 AND retired_at IS NULL",
        )
        .bind(&key.alg)
        .bind(key.active_from)
        .bind(&key.purpose)
        .execute(&mut *tx)
        .await?;
        self.insert(&mut *tx, key).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Seals the private keys an earlier version stored in the clear, and seals again those
    /// sealed with an earlier key-encryption key.
    pub(super) async fn reseal(&self) -> Result<()> {
        let rows = sqlx::query("SELECT kid, private_pem FROM signing_keys")
            .fetch_all(self.pool)
            .await?;
        for row in rows {
            let kid: String = row.try_get("kid")?;
            let stored: String = row.try_get("private_pem")?;
            if let Some(sealed) = self.sealer.reseal(&stored, &sealing_context(&kid))? {
                // Only if no other replica changed it meanwhile.
                sqlx::query(
                    "UPDATE signing_keys SET private_pem = $3 WHERE kid = $1 AND private_pem = $2",
                )
                .bind(&kid)
                .bind(&stored)
                .bind(&sealed)
                .execute(self.pool)
                .await?;
            }
        }
        Ok(())
    }

    async fn insert<'e, E>(&self, executor: E, key: &StoredKey) -> Result<()>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let sealed = self
            .sealer
            .seal(key.private_pem.as_bytes(), &sealing_context(&key.kid))?;
        sqlx::query(
            "INSERT INTO signing_keys \
             (kid, alg, purpose, private_pem, created_at, active_from, retired_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&key.kid)
        .bind(&key.alg)
        .bind(&key.purpose)
        .bind(sealed)
        .bind(key.created_at)
        .bind(key.active_from)
        .bind(key.retired_at)
        .execute(executor)
        .await?;
        Ok(())
    }
}
