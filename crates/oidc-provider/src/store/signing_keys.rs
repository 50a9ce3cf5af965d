use sqlx::{AnyPool, Row};

use crate::error::Result;

/// A signing key as stored. The private key is PKCS#8 PEM.
#[derive(Clone)]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
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
            .finish_non_exhaustive()
    }
}

pub struct SigningKeys<'a> {
    pool: &'a AnyPool,
}

impl<'a> SigningKeys<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        SigningKeys { pool }
    }

    pub async fn all(&self) -> Result<Vec<StoredKey>> {
        let rows = sqlx::query(
            "SELECT kid, alg, private_pem, created_at, active_from, retired_at FROM signing_keys \
             ORDER BY active_from, kid",
        )
        .fetch_all(self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredKey {
                    kid: row.try_get("kid")?,
                    alg: row.try_get("alg")?,
                    private_pem: row.try_get("private_pem")?,
                    created_at: row.try_get("created_at")?,
                    active_from: row.try_get("active_from")?,
                    retired_at: row.try_get("retired_at")?,
                })
            })
            .collect()
    }

    /// Stores the first key of `key.alg`, unless another replica already did: the marker row in
    /// `server_secrets` lets exactly one first start win.
    pub async fn insert_first(&self, key: &StoredKey) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let marked = sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(format!("first-signing-key-{}", key.alg))
        .bind(&key.kid)
        .bind(key.created_at)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            return Ok(false);
        }
        insert(&mut *tx, key).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Adds `key` and retires the keys of its algorithm that sign now, when it takes over.
    pub async fn rotate_to(&self, key: &StoredKey) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE signing_keys SET retired_at = $2 WHERE alg = $1 AND retired_at IS NULL",
        )
        .bind(&key.alg)
        .bind(key.active_from)
        .execute(&mut *tx)
        .await?;
        insert(&mut *tx, key).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn insert<'e, E>(executor: E, key: &StoredKey) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO signing_keys (kid, alg, private_pem, created_at, active_from, retired_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&key.kid)
    .bind(&key.alg)
    .bind(&key.private_pem)
    .bind(key.created_at)
    .bind(key.active_from)
    .bind(key.retired_at)
    .execute(executor)
    .await?;
    Ok(())
}
