//! Identity credentials issued to wallets, by their index in the status list (issue 17 §3).

use rand::Rng;
use sqlx::{AnyPool, Row};

use super::error::{Error, Result};

/// Marks every credential of `account_id` revoked (its identity was lost), as part of the
/// change that loses it (`Accounts::set_standing`).
pub(super) async fn revoke_all_of<'e, E>(executor: E, account_id: &str, now: i64) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "UPDATE wallet_credentials SET revoked_at = $2 \
         WHERE account_id = $1 AND revoked_at IS NULL",
    )
    .bind(account_id)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

pub struct WalletCredentials<'a> {
    pool: &'a AnyPool,
}

impl<'a> WalletCredentials<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        WalletCredentials { pool }
    }

    /// Records a credential for `account_id` at a random free index below `list_size`; its
    /// index. A few collisions are retried; a nearly full list is an error, not a loop.
    pub async fn issue(
        &self,
        account_id: &str,
        now: i64,
        expires_at: i64,
        list_size: u32,
    ) -> Result<u32> {
        // Expired credentials' indices are free again: their status no longer matters.
        self.forget_expired(now).await?;
        for _ in 0..16 {
            let idx = rand::rng().random_range(0..list_size);
            let inserted = sqlx::query(
                "INSERT INTO wallet_credentials (idx, account_id, issued_at, expires_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(i64::from(idx))
            .bind(account_id)
            .bind(now)
            .bind(expires_at)
            .execute(self.pool)
            .await;
            match inserted {
                Ok(_) => return Ok(idx),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Internal(
            "the wallet status list has no free index: make it larger".into(),
        ))
    }

    /// The indices of unexpired credentials that are revoked: marked so, or whose account no
    /// longer exists (closed or deleted).
    pub async fn revoked(&self, now: i64) -> Result<Vec<u32>> {
        let rows = sqlx::query(
            "SELECT w.idx AS idx FROM wallet_credentials w \
             LEFT JOIN accounts a ON a.id = w.account_id \
             WHERE w.expires_at > $1 AND (w.revoked_at IS NOT NULL OR a.id IS NULL)",
        )
        .bind(now)
        .fetch_all(self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let idx: i64 = row.try_get("idx")?;
                u32::try_from(idx).map_err(|_| Error::Corrupt(format!("status index {idx}")))
            })
            .collect()
    }

    /// Forgets credentials that have expired: their status no longer matters.
    pub async fn forget_expired(&self, now: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM wallet_credentials WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
