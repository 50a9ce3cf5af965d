//! Identity evidence and records. The credentials are stored sealed: this module never sees
//! them in the clear (see `crate::sealing`).

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::error::Result;

/// One evidence credential as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredCredential {
    pub id: String,
    pub account_id: String,
    /// Which check made it (`passport`, `driving-licence`, `address`, `fraud`, `knowledge`).
    pub source: String,
    pub sealed: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredCredential")
            .field("id", &self.id)
            .field("source", &self.source)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// A proven identity: the level and the credentials behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRecord {
    pub account_id: String,
    pub level: String,
    pub credential_ids: Vec<String>,
    pub proven_at: i64,
    pub expires_at: i64,
}

fn credential_from_row(row: &AnyRow) -> Result<StoredCredential> {
    Ok(StoredCredential {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        source: row.try_get("source")?,
        sealed: row.try_get("sealed")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

pub struct IdentityStore<'a> {
    pool: &'a AnyPool,
}

impl<'a> IdentityStore<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        IdentityStore { pool }
    }

    pub async fn add_credential(&self, credential: &StoredCredential) -> Result<()> {
        sqlx::query(
            "INSERT INTO identity_credentials (id, account_id, source, sealed, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&credential.id)
        .bind(&credential.account_id)
        .bind(&credential.source)
        .bind(&credential.sealed)
        .bind(credential.created_at)
        .bind(credential.expires_at)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// The account's credentials that have not expired, oldest first.
    pub async fn credentials(&self, account_id: &str, now: i64) -> Result<Vec<StoredCredential>> {
        let rows = sqlx::query(
            "SELECT id, account_id, source, sealed, created_at, expires_at FROM identity_credentials \
             WHERE account_id = $1 AND expires_at > $2 ORDER BY created_at, id",
        )
        .bind(account_id)
        .bind(now)
        .fetch_all(self.pool)
        .await?;
        rows.iter().map(credential_from_row).collect()
    }

    /// [`Self::credentials`], with the time before which an operator's "prove your identity
    /// again" makes evidence no longer count (`accounts.reproving_required_at`), read in the
    /// same query.
    pub async fn credentials_and_cutoff(
        &self,
        account_id: &str,
        now: i64,
    ) -> Result<(Vec<StoredCredential>, Option<i64>)> {
        let rows = sqlx::query(
            "SELECT c.id, c.account_id, c.source, c.sealed, c.created_at, c.expires_at, \
             a.reproving_required_at FROM identity_credentials c \
             JOIN accounts a ON a.id = c.account_id \
             WHERE c.account_id = $1 AND c.expires_at > $2 ORDER BY c.created_at, c.id",
        )
        .bind(account_id)
        .bind(now)
        .fetch_all(self.pool)
        .await?;
        let cutoff = match rows.first() {
            Some(row) => row.try_get("reproving_required_at")?,
            None => None,
        };
        let credentials = rows
            .iter()
            .map(credential_from_row)
            .collect::<Result<_>>()?;
        Ok((credentials, cutoff))
    }

    /// Records (or replaces) the account's proven identity.
    pub async fn set_record(&self, record: &IdentityRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO identity_records (account_id, level, credential_ids, proven_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE \
             SET level = $2, credential_ids = $3, proven_at = $4, expires_at = $5",
        )
        .bind(&record.account_id)
        .bind(&record.level)
        .bind(record.credential_ids.join(" "))
        .bind(record.proven_at)
        .bind(record.expires_at)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    pub async fn record(&self, account_id: &str) -> Result<Option<IdentityRecord>> {
        let row = sqlx::query(
            "SELECT account_id, level, credential_ids, proven_at, expires_at FROM identity_records \
             WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(self.pool)
        .await?;
        row.map(|row| {
            let ids: String = row.try_get("credential_ids")?;
            Ok(IdentityRecord {
                account_id: row.try_get("account_id")?,
                level: row.try_get("level")?,
                credential_ids: ids
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                proven_at: row.try_get("proven_at")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }
}
