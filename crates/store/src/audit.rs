use sqlx::{AnyPool, Row};

use super::error::{Error, Result};

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
    /// The email address changed (never either address in the detail).
    EmailChanged,
    PasswordChanged,
    AuthenticatorAppChanged,
    /// The citizen reported an event they do not recognise (detail: its id and kind).
    ActivityReported,
    /// The account was closed: its data deleted, its id retired.
    AccountClosed,
    /// A password reset was asked for (recorded only for an address with an account).
    PasswordResetRequested,
    /// The password was reset through "Forgotten your password?".
    PasswordReset,
    /// A lost authenticator app was replaced by a new one.
    AuthenticatorAppReplaced,
    /// Replacing a lost app, the photo ID proven was not the person of the stored identity.
    ReprovingMismatch,
    /// Operator interventions (detail: who acted, `actor=operator`).
    Suspended,
    Unsuspended,
    Blocked,
    PasswordResetRequired,
    ReprovingRequired,
    AccountDeleted,
    /// The citizen chose the new password an operator required.
    PasswordRenewed,
    /// A passkey added or removed (detail: its credential id, never its name).
    PasskeyAdded,
    PasskeyRemoved,
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
            AuditKind::EmailChanged => "email_changed",
            AuditKind::PasswordChanged => "password_changed",
            AuditKind::AuthenticatorAppChanged => "authenticator_app_changed",
            AuditKind::ActivityReported => "activity_reported",
            AuditKind::AccountClosed => "account_closed",
            AuditKind::PasswordResetRequested => "password_reset_requested",
            AuditKind::PasswordReset => "password_reset",
            AuditKind::AuthenticatorAppReplaced => "authenticator_app_replaced",
            AuditKind::ReprovingMismatch => "reproving_mismatch",
            AuditKind::Suspended => "suspended",
            AuditKind::Unsuspended => "unsuspended",
            AuditKind::Blocked => "blocked",
            AuditKind::PasswordResetRequired => "password_reset_required",
            AuditKind::ReprovingRequired => "reproving_required",
            AuditKind::AccountDeleted => "account_deleted",
            AuditKind::PasswordRenewed => "password_renewed",
            AuditKind::PasskeyAdded => "passkey_added",
            AuditKind::PasskeyRemoved => "passkey_removed",
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
            "email_changed" => AuditKind::EmailChanged,
            "password_changed" => AuditKind::PasswordChanged,
            "authenticator_app_changed" => AuditKind::AuthenticatorAppChanged,
            "activity_reported" => AuditKind::ActivityReported,
            "account_closed" => AuditKind::AccountClosed,
            "password_reset_requested" => AuditKind::PasswordResetRequested,
            "password_reset" => AuditKind::PasswordReset,
            "authenticator_app_replaced" => AuditKind::AuthenticatorAppReplaced,
            "reproving_mismatch" => AuditKind::ReprovingMismatch,
            "suspended" => AuditKind::Suspended,
            "unsuspended" => AuditKind::Unsuspended,
            "blocked" => AuditKind::Blocked,
            "password_reset_required" => AuditKind::PasswordResetRequired,
            "reproving_required" => AuditKind::ReprovingRequired,
            "account_deleted" => AuditKind::AccountDeleted,
            "password_renewed" => AuditKind::PasswordRenewed,
            "passkey_added" => AuditKind::PasskeyAdded,
            "passkey_removed" => AuditKind::PasskeyRemoved,
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
            AuditKind::EmailChanged => "Email address changed",
            AuditKind::PasswordChanged => "Password changed",
            AuditKind::AuthenticatorAppChanged => "Authenticator app changed",
            AuditKind::ActivityReported => "Activity reported as not recognised",
            AuditKind::AccountClosed => "Account closed",
            AuditKind::PasswordResetRequested => "Password reset asked for",
            AuditKind::PasswordReset => "Password reset",
            AuditKind::AuthenticatorAppReplaced => "Authenticator app replaced",
            AuditKind::ReprovingMismatch => {
                "Authenticator app not replaced: the identity proved was someone else's"
            }
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
            AuditKind::PasskeyAdded => "Passkey added",
            AuditKind::PasskeyRemoved => "Passkey removed",
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
    /// The event's number in the log, for the account page's "Report this".
    pub id: i64,
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
            "SELECT id, kind, occurred_at, client_ip FROM audit_events WHERE account_id = $1 \
             ORDER BY occurred_at DESC, id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(self.pool)
        .await?;
        rows.iter().map(recorded_event).collect()
    }

    /// One event of the account's, by its number: `None` for another account's.
    pub async fn event(&self, account_id: &str, id: i64) -> Result<Option<RecordedEvent>> {
        let row = sqlx::query(
            "SELECT id, kind, occurred_at, client_ip FROM audit_events \
             WHERE account_id = $1 AND id = $2",
        )
        .bind(account_id)
        .bind(id)
        .fetch_optional(self.pool)
        .await?;
        row.as_ref().map(recorded_event).transpose()
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

fn recorded_event(row: &sqlx::any::AnyRow) -> Result<RecordedEvent> {
    Ok(RecordedEvent {
        id: row.try_get("id")?,
        kind: AuditKind::parse(row.try_get::<String, _>("kind")?.as_str())?,
        at: row.try_get("occurred_at")?,
        client_ip: row.try_get("client_ip")?,
    })
}
