//! Interventions whose end of access the provider still has to carry out (see
//! `accounts::interventions`).

use sqlx::{AnyPool, Row};

use super::error::Result;

/// An intervention waiting for a provider to end the account's access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingIntervention {
    pub id: String,
    pub account_id: String,
    /// The intervention's name (`suspend`, `delete`, ...).
    pub kind: String,
    pub created_at: i64,
}

pub(super) async fn insert_pending<'e, E>(
    executor: E,
    account_id: &str,
    kind: &str,
    now: i64,
) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO account_interventions (id, account_id, kind, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(account_id)
    .bind(kind)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

pub struct Interventions<'a> {
    pool: &'a AnyPool,
}

impl<'a> Interventions<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        Interventions { pool }
    }

    /// The oldest interventions no provider has acted on yet.
    pub async fn pending(&self, limit: i64) -> Result<Vec<PendingIntervention>> {
        let rows = sqlx::query(
            "SELECT id, account_id, kind, created_at FROM account_interventions \
             WHERE access_ended_at IS NULL ORDER BY created_at, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PendingIntervention {
                    id: row.try_get("id")?,
                    account_id: row.try_get("account_id")?,
                    kind: row.try_get("kind")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Takes the intervention for this replica: `true` for exactly one caller.
    pub async fn claim(&self, id: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE account_interventions SET access_ended_at = $2 \
             WHERE id = $1 AND access_ended_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
