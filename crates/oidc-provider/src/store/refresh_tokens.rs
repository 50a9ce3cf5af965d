use sqlx::{AnyPool, Row};

use crate::error::Result;
use crate::oidc::grants::Grant;

pub struct StoredRefreshToken {
    pub grant_id: String,
    pub client_id: String,
    pub grant_data: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub struct RefreshTokens<'a> {
    pool: &'a AnyPool,
}

impl<'a> RefreshTokens<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        RefreshTokens { pool }
    }

    pub async fn insert(
        &self,
        hash: &str,
        grant: &Grant,
        grant_data: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, account_id, grant_data, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hash)
        .bind(&grant.grant_id)
        .bind(&grant.client_id)
        .bind(&grant.account_id)
        .bind(grant_data)
        .bind(now)
        .bind(expires_at)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    pub async fn find(&self, hash: &str) -> Result<Option<StoredRefreshToken>> {
        let row = sqlx::query(
            "SELECT grant_id, client_id, grant_data, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(hash)
        .fetch_optional(self.pool)
        .await?;
        row.map(|row| {
            Ok(StoredRefreshToken {
                grant_id: row.try_get("grant_id")?,
                client_id: row.try_get("client_id")?,
                grant_data: row.try_get("grant_data")?,
                expires_at: row.try_get("expires_at")?,
                used_at: row.try_get("used_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        })
        .transpose()
    }

    /// Marks the token used, once: of two racing uses exactly one succeeds (ASVS 15.4.2).
    pub async fn mark_used(&self, hash: &str, now: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL")
            .bind(hash)
            .bind(now)
            .execute(self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn revoke_grant(&self, grant_id: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL",
        )
        .bind(grant_id)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Revokes every refresh token of the account at one client (consent withdrawn).
    pub async fn revoke_for(&self, account_id: &str, client_id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE refresh_tokens SET revoked_at = $3 WHERE account_id = $1 AND client_id = $2 AND revoked_at IS NULL")
            .bind(account_id)
            .bind(client_id)
            .bind(now)
            .execute(self.pool)
            .await?;
        Ok(())
    }
}
