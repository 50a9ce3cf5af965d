//! Each account's passkeys (WebAuthn public-key credentials, issue 17 §1). The repository keeps
//! the library's record of a credential as opaque JSON; the domain (`accounts::passkeys`) reads
//! it. A passkey's public key is no secret, so nothing here is sealed.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::audit::{AuditEvent, insert_event};
use super::error::Result;

/// A passkey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPasskey {
    /// The credential id, base64url without padding (as `PublicKeyCredential.id`).
    pub credential_id: String,
    pub account_id: String,
    /// The WebAuthn user handle the authenticator keeps (the same for all of an account's).
    pub user_handle: String,
    /// The citizen's name for it ("My phone").
    pub name: String,
    /// The WebAuthn library's record of the credential, as JSON.
    pub passkey: String,
    /// The signature counter last accepted (WebAuthn §6.1.1).
    pub sign_count: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub struct Passkeys<'a> {
    pool: &'a AnyPool,
}

/// `SELECT <columns> FROM passkeys WHERE ...`, as a literal so queries stay static strings.
macro_rules! select_passkeys {
    ($where:literal) => {
        concat!(
            "SELECT credential_id, account_id, user_handle, name, passkey, sign_count, \
             created_at, last_used_at FROM passkeys WHERE ",
            $where
        )
    };
}

fn from_row(row: &AnyRow) -> Result<StoredPasskey> {
    Ok(StoredPasskey {
        credential_id: row.try_get("credential_id")?,
        account_id: row.try_get("account_id")?,
        user_handle: row.try_get("user_handle")?,
        name: row.try_get("name")?,
        passkey: row.try_get("passkey")?,
        sign_count: row.try_get("sign_count")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

impl<'a> Passkeys<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        Passkeys { pool }
    }

    /// The account's passkeys, oldest first.
    pub async fn list(&self, account_id: &str) -> Result<Vec<StoredPasskey>> {
        let rows = sqlx::query(select_passkeys!(
            "account_id = $1 ORDER BY created_at, credential_id"
        ))
        .bind(account_id)
        .fetch_all(self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn find(&self, credential_id: &str) -> Result<Option<StoredPasskey>> {
        let row = sqlx::query(select_passkeys!("credential_id = $1"))
            .bind(credential_id)
            .fetch_optional(self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Stores a new passkey and its audit event together. `false` when a passkey with that
    /// credential id is stored already (on any account: WebAuthn §7.1 step 26 refuses it), or
    /// the account is gone.
    pub async fn add(&self, passkey: &StoredPasskey, added: &AuditEvent) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO passkeys (credential_id, account_id, user_handle, name, passkey, \
             sign_count, created_at, last_used_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, NULL WHERE EXISTS \
             (SELECT 1 FROM accounts WHERE id = $2) \
             AND NOT EXISTS (SELECT 1 FROM passkeys WHERE credential_id = $1)",
        )
        .bind(&passkey.credential_id)
        .bind(&passkey.account_id)
        .bind(&passkey.user_handle)
        .bind(&passkey.name)
        .bind(&passkey.passkey)
        .bind(passkey.sign_count)
        .bind(passkey.created_at)
        .execute(&mut *tx)
        .await;
        let inserted = match inserted {
            Ok(done) => done.rows_affected() == 1,
            // Two racing registrations of one credential: the second loses.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => false,
            Err(e) => return Err(e.into()),
        };
        if !inserted {
            return Ok(false);
        }
        insert_event(&mut *tx, added).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes one of the account's passkeys, with its audit event; `false` if it had none
    /// such.
    pub async fn remove(
        &self,
        account_id: &str,
        credential_id: &str,
        removed: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let deleted =
            sqlx::query("DELETE FROM passkeys WHERE account_id = $1 AND credential_id = $2")
                .bind(account_id)
                .bind(credential_id)
                .execute(&mut *tx)
                .await?;
        if deleted.rows_affected() == 0 {
            return Ok(false);
        }
        insert_event(&mut *tx, removed).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes every passkey of the account, with one audit event naming how many; the number
    /// removed. After a recovery or a report of activity not recognised: a passkey someone else
    /// added would otherwise sign them straight back in.
    pub async fn remove_all(&self, account_id: &str, removed: &AuditEvent) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let deleted = sqlx::query("DELETE FROM passkeys WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted > 0 {
            let event = removed
                .clone()
                .with_detail(format!("{deleted} passkeys removed"));
            insert_event(&mut *tx, &event).await?;
        }
        tx.commit().await?;
        Ok(deleted)
    }

    /// Records a use: the new counter and record, only if the counter went up from the one
    /// stored (or both are 0: an authenticator without a counter, WebAuthn §6.1.1). Of two
    /// racing uses with one counter value, one wins; `false` for the other (a replay or a
    /// clone).
    pub async fn record_use(
        &self,
        credential_id: &str,
        passkey: &str,
        sign_count: i64,
        now: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE passkeys SET passkey = $2, sign_count = $3, last_used_at = $4 \
             WHERE credential_id = $1 AND (sign_count < $3 OR (sign_count = 0 AND $3 = 0))",
        )
        .bind(credential_id)
        .bind(passkey)
        .bind(sign_count)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
