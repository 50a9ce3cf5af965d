//! Proving attempts as stored: see `identity::attempts` for the rules they serve. Documents are
//! known here only by their keyed hash.

use sqlx::{AnyPool, Row};

use super::error::{Error, Result};

/// One attempt being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountedAttempt {
    pub started_at: i64,
    pub outcome: AttemptOutcome,
}

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Reserved: its check is running (or the request died while it ran).
    Pending,
    Failed,
}

impl AttemptOutcome {
    fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Pending => "pending",
            AttemptOutcome::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "pending" => Ok(AttemptOutcome::Pending),
            "failed" => Ok(AttemptOutcome::Failed),
            other => Err(Error::Corrupt(format!(
                "unknown proving attempt outcome {other}"
            ))),
        }
    }
}

/// An attempt to reserve.
#[derive(Debug, Clone)]
pub struct NewAttempt<'a> {
    pub id: &'a str,
    pub account_id: &'a str,
    /// What it spends (`document-check`, `question-set`).
    pub kind: &'a str,
    pub document_key: &'a str,
    pub started_at: i64,
}

/// Whose attempts to count.
#[derive(Debug, Clone, Copy)]
pub enum Whose<'a> {
    /// An account's (by id).
    Account(&'a str),
    /// A document's, from any account (by its keyed hash).
    Document(&'a str),
}

pub struct ProvingAttempts<'a> {
    pool: &'a AnyPool,
}

impl<'a> ProvingAttempts<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        ProvingAttempts { pool }
    }

    /// Inserts the attempt as pending. Committed at once, so every count that starts after
    /// this returns sees it.
    pub async fn reserve(&self, attempt: &NewAttempt<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO proving_attempts (id, account_id, kind, document_key, outcome, started_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(attempt.id)
        .bind(attempt.account_id)
        .bind(attempt.kind)
        .bind(attempt.document_key)
        .bind(AttemptOutcome::Pending.as_str())
        .bind(attempt.started_at)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// The attempts of `kind` that started after `since`: an account's, or a document's from
    /// any account.
    pub async fn counted(
        &self,
        whose: Whose<'_>,
        kind: &str,
        since: i64,
    ) -> Result<Vec<CountedAttempt>> {
        let (sql, key) = match whose {
            Whose::Account(id) => (
                "SELECT outcome, started_at FROM proving_attempts \
                 WHERE account_id = $1 AND kind = $2 AND started_at > $3",
                id,
            ),
            Whose::Document(key) => (
                "SELECT outcome, started_at FROM proving_attempts \
                 WHERE document_key = $1 AND kind = $2 AND started_at > $3",
                key,
            ),
        };
        let rows = sqlx::query(sql)
            .bind(key)
            .bind(kind)
            .bind(since)
            .fetch_all(self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let outcome: String = row.try_get("outcome")?;
                Ok(CountedAttempt {
                    started_at: row.try_get("started_at")?,
                    outcome: AttemptOutcome::parse(&outcome)?,
                })
            })
            .collect()
    }

    pub async fn mark_failed(&self, id: &str) -> Result<()> {
        sqlx::query("UPDATE proving_attempts SET outcome = $2 WHERE id = $1")
            .bind(id)
            .bind(AttemptOutcome::Failed.as_str())
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Takes an attempt back: its check matched, could not run, or was refused.
    pub async fn release(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM proving_attempts WHERE id = $1")
            .bind(id)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Forgets the account's attempts that started at or before `before`: they no longer count.
    pub async fn forget_older(&self, account_id: &str, before: i64) -> Result<()> {
        sqlx::query("DELETE FROM proving_attempts WHERE account_id = $1 AND started_at <= $2")
            .bind(account_id)
            .bind(before)
            .execute(self.pool)
            .await?;
        Ok(())
    }
}
