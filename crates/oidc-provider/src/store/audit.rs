use sqlx::{AnyPool, Row};

use crate::error::{Error, Result};

/// What happened, in the words the account page and investigators use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    AccountCreated,
    SignedIn,
    SignInFailed,
    Locked,
    SignedOut,
    /// Identity proven to a level (detail: the level).
    IdentityProven,
    /// A proven identity shared with a service (detail: the client id).
    IdentityShared,
    /// Identity claims given to a service at userinfo (detail: the client id, then the names of
    /// the claims, never their values; checklist 72).
    IdentityReleased,
    /// Operator interventions (detail: who acted, `actor=operator`).
    Suspended,
    Unsuspended,
    Blocked,
    PasswordResetRequired,
    ReprovingRequired,
    AccountDeleted,
    /// The citizen chose the new password an operator required.
    PasswordRenewed,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::AccountCreated => "account_created",
            AuditKind::SignedIn => "signed_in",
            AuditKind::SignInFailed => "sign_in_failed",
            AuditKind::Locked => "locked",
            AuditKind::SignedOut => "signed_out",
            AuditKind::IdentityProven => "identity_proven",
            AuditKind::IdentityShared => "identity_shared",
            AuditKind::IdentityReleased => "identity_released",
            AuditKind::Suspended => "suspended",
            AuditKind::Unsuspended => "unsuspended",
            AuditKind::Blocked => "blocked",
            AuditKind::PasswordResetRequired => "password_reset_required",
            AuditKind::ReprovingRequired => "reproving_required",
            AuditKind::AccountDeleted => "account_deleted",
            AuditKind::PasswordRenewed => "password_renewed",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "account_created" => AuditKind::AccountCreated,
            "signed_in" => AuditKind::SignedIn,
            "sign_in_failed" => AuditKind::SignInFailed,
            "locked" => AuditKind::Locked,
            "signed_out" => AuditKind::SignedOut,
            "identity_proven" => AuditKind::IdentityProven,
            "identity_shared" => AuditKind::IdentityShared,
            "identity_released" => AuditKind::IdentityReleased,
            "suspended" => AuditKind::Suspended,
            "unsuspended" => AuditKind::Unsuspended,
            "blocked" => AuditKind::Blocked,
            "password_reset_required" => AuditKind::PasswordResetRequired,
            "reproving_required" => AuditKind::ReprovingRequired,
            "account_deleted" => AuditKind::AccountDeleted,
            "password_renewed" => AuditKind::PasswordRenewed,
            other => return Err(Error::Corrupt(format!("unknown audit event kind {other}"))),
        })
    }

    /// How the citizen's activity list describes it.
    pub fn describe(self) -> &'static str {
        match self {
            AuditKind::AccountCreated => "Account created",
            AuditKind::SignedIn => "Signed in",
            AuditKind::SignInFailed => "Sign-in attempt failed",
            AuditKind::Locked => "Sign-in paused after too many wrong passwords or codes",
            AuditKind::SignedOut => "Signed out",
            AuditKind::IdentityProven => "Identity proved",
            AuditKind::IdentityShared => "Proven identity shared with a service",
            AuditKind::IdentityReleased => "Identity details given to a service",
            AuditKind::Suspended => "Account suspended by the GOV.UK One Login team",
            AuditKind::Unsuspended => "Suspension lifted by the GOV.UK One Login team",
            AuditKind::Blocked => "Account blocked by the GOV.UK One Login team",
            AuditKind::PasswordResetRequired => {
                "New password required by the GOV.UK One Login team"
            }
            AuditKind::ReprovingRequired => {
                "New proof of identity required by the GOV.UK One Login team"
            }
            AuditKind::AccountDeleted => "Account deleted",
            AuditKind::PasswordRenewed => "New password chosen",
        }
    }
}

/// An event to append. `detail` is for non-secret context only (never passwords or codes).
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub account_id: Option<String>,
    pub kind: AuditKind,
    pub at: i64,
    pub client_ip: Option<String>,
    pub detail: Option<String>,
}

impl AuditEvent {
    pub fn new(kind: AuditKind, account_id: Option<&str>, at: i64) -> Self {
        AuditEvent {
            account_id: account_id.map(str::to_owned),
            kind,
            at,
            client_ip: None,
            detail: None,
        }
    }

    pub fn from_ip(mut self, ip: Option<String>) -> Self {
        self.client_ip = ip;
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// An event read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    pub kind: AuditKind,
    pub at: i64,
    pub client_ip: Option<String>,
}

pub(super) async fn insert_event<'e, E>(executor: E, event: &AuditEvent) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_events (account_id, kind, occurred_at, client_ip, detail) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&event.account_id)
    .bind(event.kind.as_str())
    .bind(event.at)
    .bind(&event.client_ip)
    .bind(&event.detail)
    .execute(executor)
    .await?;
    Ok(())
}

pub struct AuditLog<'a> {
    pool: &'a AnyPool,
}

impl<'a> AuditLog<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        AuditLog { pool }
    }

    pub async fn record(&self, event: &AuditEvent) -> Result<()> {
        insert_event(self.pool, event).await
    }

    /// The newest events of an account, newest first.
    pub async fn recent(&self, account_id: &str, limit: i64) -> Result<Vec<RecordedEvent>> {
        let rows = sqlx::query(
            "SELECT kind, occurred_at, client_ip FROM audit_events WHERE account_id = $1 \
             ORDER BY occurred_at DESC, id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RecordedEvent {
                    kind: AuditKind::parse(row.try_get::<String, _>("kind")?.as_str())?,
                    at: row.try_get("occurred_at")?,
                    client_ip: row.try_get("client_ip")?,
                })
            })
            .collect()
    }

    /// Events of one kind for an account with their details, newest first (for example the
    /// services a proven identity was shared with).
    pub async fn details_of(
        &self,
        account_id: &str,
        kind: AuditKind,
    ) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT detail, occurred_at FROM audit_events WHERE account_id = $1 AND kind = $2 \
             ORDER BY occurred_at DESC, id DESC",
        )
        .bind(account_id)
        .bind(kind.as_str())
        .fetch_all(self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get::<Option<String>, _>("detail")?
                        .unwrap_or_default(),
                    row.try_get("occurred_at")?,
                ))
            })
            .collect()
    }
}
