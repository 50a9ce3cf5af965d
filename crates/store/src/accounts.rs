use std::fmt;

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::audit::{AuditEvent, insert_event};
use super::error::{Error, Refusal, Result};
use super::interventions::insert_pending;
use super::normalise_email;
use super::wallet::revoke_all_of;
use crate::sealing::Sealer;

/// Whether an account may sign in at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    /// Stopped until an operator lifts it (`unsuspend`): an investigation, a report of misuse.
    Suspended,
    /// Stopped for good: the account must never be used again (a confirmed takeover used for
    /// fraud, say). There is deliberately no way back, so that "block" always means final and
    /// "suspend" is the reversible tool; a citizen blocked in error is helped by deleting the
    /// account, after which the same email address can make a new one.
    Blocked,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "active" => AccountStatus::Active,
            "suspended" => AccountStatus::Suspended,
            "blocked" => AccountStatus::Blocked,
            other => return Err(Error::Corrupt(format!("unknown account status {other}"))),
        })
    }
}

impl fmt::Display for AccountStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an account stands: its status and what it owes at its next sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub status: AccountStatus,
    /// Since when the citizen owes a new password.
    pub password_reset_required_at: Option<i64>,
    /// Since when the citizen owes a new proof of identity.
    pub reproving_required_at: Option<i64>,
}

impl Standing {
    pub const ACTIVE: Standing = Standing {
        status: AccountStatus::Active,
        password_reset_required_at: None,
        reproving_required_at: None,
    };

    /// What stops this account signing in, if anything.
    pub fn barrier(&self) -> Option<Barrier> {
        match self.status {
            AccountStatus::Active => None,
            AccountStatus::Suspended => Some(Barrier::Suspended),
            AccountStatus::Blocked => Some(Barrier::Blocked),
        }
    }

    pub fn owes_new_password(&self) -> bool {
        self.password_reset_required_at.is_some()
    }
}

/// Why an account cannot sign in, shown only once its password was right (so the page says
/// nothing about an address to someone who does not know the password: ASVS 6.3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Barrier {
    Suspended,
    Blocked,
}

/// A citizen's account as stored.
#[derive(Clone)]
pub struct Account {
    /// The internal subject identifier: never shown to a relying party as is.
    pub id: String,
    pub email: String,
    pub password_hash: String,
    /// The authenticator app's secret (base32), in the clear here: the repository seals it in
    /// the database under the key-encryption key (checklist 56).
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub created_at: i64,
    pub email_verified_at: Option<i64>,
    /// Suspended, blocked, or owing a new password or proof of identity (operator
    /// interventions).
    pub standing: Standing,
}

impl fmt::Debug for Account {
    // Hashes and secrets stay out of logs and panics.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("has_totp", &self.totp_secret.is_some())
            .field("created_at", &self.created_at)
            .field("standing", &self.standing)
            .finish_non_exhaustive()
    }
}

/// What is needed to create an account: it is written whole, or not at all.
pub struct NewAccount {
    pub email: String,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub email_verified: bool,
    pub now: i64,
}

pub struct Accounts<'a> {
    pool: &'a AnyPool,
    sealer: &'a Sealer,
}

/// `SELECT <columns> FROM accounts`, as a literal so queries stay static strings.
macro_rules! select_accounts {
    ($where:literal) => {
        concat!(
            "SELECT id, email, password_hash, totp_secret, totp_last_step, created_at, \
             email_verified_at, status, password_reset_required_at, reproving_required_at \
             FROM accounts WHERE ",
            $where
        )
    };
}

/// Binds a sealed authenticator secret to its account.
fn totp_context(account_id: &str) -> String {
    format!("totp-secret/{account_id}")
}

fn account_from_row(row: &AnyRow, sealer: &Sealer) -> Result<Account> {
    let id: String = row.try_get("id")?;
    let sealed: Option<String> = row.try_get("totp_secret")?;
    Ok(Account {
        totp_secret: sealed
            .map(|s| sealer.open_text(&s, &totp_context(&id)))
            .transpose()?,
        id,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        totp_last_step: row.try_get("totp_last_step")?,
        created_at: row.try_get("created_at")?,
        email_verified_at: row.try_get("email_verified_at")?,
        standing: standing_from_row(row)?,
    })
}

fn standing_from_row(row: &AnyRow) -> Result<Standing> {
    Ok(Standing {
        status: AccountStatus::parse(&row.try_get::<String, _>("status")?)?,
        password_reset_required_at: row.try_get("password_reset_required_at")?,
        reproving_required_at: row.try_get("reproving_required_at")?,
    })
}

/// A write that gave an account an address another account has: refused as such.
fn refuse_taken_email<T>(written: std::result::Result<T, sqlx::Error>) -> Result<T> {
    match written {
        Ok(done) => Ok(done),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(Error::Refused(Refusal::EmailTaken))
        }
        Err(e) => Err(e.into()),
    }
}

impl<'a> Accounts<'a> {
    pub(super) fn new(pool: &'a AnyPool, sealer: &'a Sealer) -> Self {
        Accounts { pool, sealer }
    }

    fn seal_totp(&self, account_id: &str, secret: &str) -> Result<String> {
        self.sealer
            .seal(secret.as_bytes(), &totp_context(account_id))
    }

    /// Creates the account and its `AccountCreated` audit event in one transaction, under a
    /// new random id.
    pub async fn create(&self, new: NewAccount, created: AuditEvent) -> Result<Account> {
        self.create_with_ids(
            new,
            created,
            std::iter::repeat_with(|| uuid::Uuid::new_v4().to_string()).take(8),
        )
        .await
    }

    /// [`Accounts::create`] under the first of `ids` that no account has held: a closed
    /// account's id is retired, so a new account never gets its pairwise subjects (Core §8).
    /// Tests name the ids to prove it; `create` draws random ones.
    pub async fn create_with_ids(
        &self,
        new: NewAccount,
        created: AuditEvent,
        ids: impl IntoIterator<Item = String>,
    ) -> Result<Account> {
        let email = new.email.trim().to_owned();
        let verified_at = new.email_verified.then_some(new.now);
        let mut tx = self.pool.begin().await?;
        let mut chosen = None;
        for id in ids {
            let retired = sqlx::query("SELECT 1 AS n FROM retired_accounts WHERE account_id = $1")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
            if retired.is_none() {
                chosen = Some(id);
                break;
            }
        }
        let id =
            chosen.ok_or_else(|| Error::Internal("every account id offered was retired".into()))?;
        let sealed_totp = new
            .totp_secret
            .as_deref()
            .map(|secret| self.seal_totp(&id, secret))
            .transpose()?;
        let inserted = sqlx::query(
            "INSERT INTO accounts (id, email, email_normalised, password_hash, totp_secret, \
             created_at, email_verified_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $6)",
        )
        .bind(&id)
        .bind(&email)
        .bind(normalise_email(&email))
        .bind(&new.password_hash)
        .bind(&sealed_totp)
        .bind(new.now)
        .bind(verified_at)
        .execute(&mut *tx)
        .await;
        refuse_taken_email(inserted)?;
        insert_event(
            &mut *tx,
            &AuditEvent {
                account_id: Some(id.clone()),
                ..created
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Account {
            id,
            email,
            password_hash: new.password_hash,
            totp_secret: new.totp_secret,
            totp_last_step: None,
            created_at: new.now,
            email_verified_at: verified_at,
            standing: Standing::ACTIVE,
        })
    }

    pub async fn find_by_email(&self, email: &str) -> Result<Option<Account>> {
        let row = sqlx::query(select_accounts!("email_normalised = $1"))
            .bind(normalise_email(email))
            .fetch_optional(self.pool)
            .await?;
        row.as_ref()
            .map(|row| account_from_row(row, self.sealer))
            .transpose()
    }

    pub async fn find(&self, id: &str) -> Result<Option<Account>> {
        let row = sqlx::query(select_accounts!("id = $1"))
            .bind(id)
            .fetch_optional(self.pool)
            .await?;
        row.as_ref()
            .map(|row| account_from_row(row, self.sealer))
            .transpose()
    }

    /// Records that the TOTP code of `step` was used, only if no later or equal step was: one
    /// atomic statement, so two racing submissions of one code cannot both pass (RFC 6238 §5.2).
    pub async fn accept_totp_step(&self, id: &str, step: i64, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE accounts SET totp_last_step = $2, updated_at = $3 \
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(id)
        .bind(step)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Adds an authenticator app to an account that had none, recording the step of the code
    /// that confirmed it so that code cannot be used again.
    pub async fn add_totp_secret(
        &self,
        id: &str,
        secret: &str,
        step: i64,
        now: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE accounts SET totp_secret = $2, totp_last_step = $3, updated_at = $4 \
             WHERE id = $1 AND totp_secret IS NULL",
        )
        .bind(id)
        .bind(self.seal_totp(id, secret)?)
        .bind(step)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces the password hash (rehash after a cost rise).
    pub async fn set_password_hash(&self, id: &str, hash: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(hash)
            .bind(now)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Moves the account to a new, verified email address, with its audit event, in one
    /// transaction. Refused with [`Refusal::EmailTaken`] when another account has it.
    pub async fn change_email(&self, id: &str, email: &str, changed: &AuditEvent) -> Result<()> {
        let email = email.trim();
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE accounts SET email = $2, email_normalised = $3, email_verified_at = $4, \
             updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(email)
        .bind(normalise_email(email))
        .bind(changed.at)
        .execute(&mut *tx)
        .await;
        refuse_taken_email(updated)?;
        insert_event(&mut *tx, changed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the authenticator app of an account (a change or a lost app), recording the
    /// step of the code that confirmed the new app so that code cannot sign in again (RFC 6238
    /// §5.2).
    pub async fn replace_totp_secret(
        &self,
        id: &str,
        secret: &str,
        step: i64,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE accounts SET totp_secret = $2, totp_last_step = $3, updated_at = $4 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(self.seal_totp(id, secret)?)
        .bind(step)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Deletes the account and everything held for it, in one transaction: its authenticator
    /// secret and password (the row), identity evidence and record, consents and refresh
    /// tokens. Its id is retired, never given to a new account. The audit log keeps what
    /// happened under the id, with the client addresses blanked, and gains `closed` (issue 10
    /// item 4; UK GDPR art. 17). Proving attempts stay under the retired id: they hold only a
    /// keyed hash of each document, which must go on counting against that document (issue
    /// 11.5). `ends_access` leaves a pending row so that every provider replica's watch ends
    /// the account's sessions (an operator's deletion, made outside the running provider).
    /// Returns whether there was an account to close.
    pub async fn close(
        &self,
        id: &str,
        closed: &AuditEvent,
        ends_access: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        // Feedback sent signed out (or at a lower sign-in level) that asked for a reply names
        // the account only by its address: that goes too. Both are stored normalised.
        let email: Option<String> = sqlx::query_scalar("SELECT email FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(email) = email {
            sqlx::query("UPDATE feedback SET reply_email = NULL WHERE reply_email = $1")
                .bind(email)
                .execute(&mut *tx)
                .await?;
        }
        for statement in [
            "DELETE FROM identity_records WHERE account_id = $1",
            "DELETE FROM identity_credentials WHERE account_id = $1",
            "DELETE FROM consents WHERE account_id = $1",
            "DELETE FROM refresh_tokens WHERE account_id = $1",
            "DELETE FROM passkeys WHERE account_id = $1",
            // Feedback stays, but no longer says whose it was nor where to reply.
            "UPDATE feedback SET account_id = NULL, reply_email = NULL WHERE account_id = $1",
            "UPDATE audit_events SET client_ip = NULL WHERE account_id = $1 AND client_ip IS NOT NULL",
        ] {
            sqlx::query(statement).bind(id).execute(&mut *tx).await?;
        }
        let deleted = sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if deleted.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("INSERT INTO retired_accounts (account_id, retired_at) VALUES ($1, $2)")
            .bind(id)
            .bind(closed.at)
            .execute(&mut *tx)
            .await?;
        if let Some(kind) = ends_access {
            insert_pending(&mut *tx, id, kind, closed.at).await?;
        }
        insert_event(
            &mut *tx,
            &AuditEvent {
                account_id: Some(id.to_owned()),
                client_ip: None,
                ..closed.clone()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Seals the authenticator secrets an earlier version stored in the clear, and seals again
    /// those sealed with an earlier key-encryption key, a batch at a time.
    pub(super) async fn reseal_totp_secrets(&self) -> Result<()> {
        let current = self.sealer.current_prefix();
        loop {
            // substr, not LIKE: a key id may hold `_`, a LIKE wildcard.
            let rows = sqlx::query(
                "SELECT id, totp_secret FROM accounts WHERE totp_secret IS NOT NULL \
                 AND substr(totp_secret, 1, length($1)) <> $1 LIMIT 500",
            )
            .bind(&current)
            .fetch_all(self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(());
            }
            for row in rows {
                let id: String = row.try_get("id")?;
                let stored: String = row.try_get("totp_secret")?;
                let Some(sealed) = self.sealer.reseal(&stored, &totp_context(&id))? else {
                    continue;
                };
                // Only if no other replica or request changed it meanwhile.
                sqlx::query(
                    "UPDATE accounts SET totp_secret = $3 WHERE id = $1 AND totp_secret = $2",
                )
                .bind(&id)
                .bind(&stored)
                .bind(&sealed)
                .execute(self.pool)
                .await?;
            }
        }
    }

    /// The account's standing alone, for the check a sign-in makes after it saved its session
    /// (see `web::pages::sign_in::sign_in_at`). `None` once the account is deleted.
    pub async fn standing(&self, id: &str) -> Result<Option<Standing>> {
        let row = sqlx::query(
            "SELECT status, password_reset_required_at, reproving_required_at FROM accounts \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool)
        .await?;
        row.as_ref().map(standing_from_row).transpose()
    }

    /// Writes an operator's change of standing with its audit event and, when it ends access,
    /// the pending row the provider acts on (`accounts::interventions`). Requiring a new proof
    /// of identity also removes the identity record, so the account page and every service
    /// stop seeing a proven identity at once, and revokes the wallets' credentials of it
    /// (issue 17 §3), in the same transaction: an identity lost here is never still valid in a
    /// wallet.
    pub async fn set_standing(
        &self,
        id: &str,
        standing: &Standing,
        ends_access: Option<&str>,
        audit: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE accounts SET status = $2, password_reset_required_at = $3, \
             reproving_required_at = $4, updated_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(standing.status.as_str())
        .bind(standing.password_reset_required_at)
        .bind(standing.reproving_required_at)
        .bind(audit.at)
        .execute(&mut *tx)
        .await?;
        if standing.reproving_required_at.is_some() {
            sqlx::query("DELETE FROM identity_records WHERE account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            revoke_all_of(&mut *tx, id, audit.at).await?;
        }
        if let Some(kind) = ends_access {
            insert_pending(&mut *tx, id, kind, audit.at).await?;
        }
        insert_event(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the password of an account that owed a new one, and clears that debt; `false`
    /// when it owed none (done meanwhile in another browser).
    pub async fn renew_password(&self, id: &str, hash: &str, audit: &AuditEvent) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE accounts SET password_hash = $2, password_reset_required_at = NULL, \
             updated_at = $3 WHERE id = $1 AND password_reset_required_at IS NOT NULL",
        )
        .bind(id)
        .bind(hash)
        .bind(audit.at)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        insert_event(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Clears the debt of a new proof of identity once the citizen has proved it again.
    pub async fn reproved(&self, id: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE accounts SET reproving_required_at = NULL, updated_at = $2 \
             WHERE id = $1 AND reproving_required_at IS NOT NULL",
        )
        .bind(id)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    pub async fn count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM accounts")
            .fetch_one(self.pool)
            .await?
            .try_get("n")?)
    }
}
