//! Account interventions: what an operator can do to an account (issue 10, "What an operator
//! can do"), modelled on GOV.UK One Login's account interventions. The rules are plain
//! functions here; `one-login accounts …` and the sign-in pages call them.
//!
//! Two halves, because the command line is another process than the provider: [`intervene`]
//! writes the new standing, the audit event and (for anything that ends access) a pending row
//! in one transaction; [`end_pending_access`], run by every provider replica every
//! [`WATCH_INTERVAL`] (and by tests directly), ends the sessions of those accounts with
//! back-channel logout and revokes their grants. Sessions may live in the provider's own memory,
//! which no other process can reach, so the provider has to be the one to end them.

use std::time::Duration;

use super::access::AccountAccess;
use crate::error::{Error, Refusal, Result};
// The standing is stored data the repository reads and writes whole; the rules that change it
// are here.
use one_login_store::{Account, AuditEvent, AuditKind, Database};
pub use one_login_store::{AccountStatus, Barrier, Standing};

/// What an operator does to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intervention {
    Suspend,
    Unsuspend,
    Block,
    /// At the next sign-in, after password and code, the citizen chooses a new password before
    /// anything else.
    RequirePasswordReset,
    /// The stored identity is no longer released; the next service that asks for a proven
    /// identity sends the citizen through proving again.
    RequireReproving,
    /// The account and everything held for it are deleted, as the citizen's own closure does.
    Delete,
}

impl Intervention {
    /// The name of the `one-login accounts` subcommand, and of the pending row's kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Intervention::Suspend => "suspend",
            Intervention::Unsuspend => "unsuspend",
            Intervention::Block => "block",
            Intervention::RequirePasswordReset => "require-password-reset",
            Intervention::RequireReproving => "require-reproving",
            Intervention::Delete => "delete",
        }
    }

    /// Whether live access (sessions, tokens) ends with it. Lifting a suspension ends nothing:
    /// there is nothing live to end.
    pub fn ends_access(self) -> bool {
        self != Intervention::Unsuspend
    }

    /// The audit log's words for it.
    pub fn audit_kind(self) -> AuditKind {
        match self {
            Intervention::Suspend => AuditKind::Suspended,
            Intervention::Unsuspend => AuditKind::Unsuspended,
            Intervention::Block => AuditKind::Blocked,
            Intervention::RequirePasswordReset => AuditKind::PasswordResetRequired,
            Intervention::RequireReproving => AuditKind::ReprovingRequired,
            Intervention::Delete => AuditKind::AccountDeleted,
        }
    }
}

/// The change an intervention makes to the stored standing. `Delete` is not a change of
/// standing: it removes the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Standing(Standing),
    Delete,
}

/// Applies `intervention` to `current` at `now`, or says why it does not apply. Doing what is
/// already done is refused too, so that an operator never reads "done" for a no-op.
pub fn plan(
    current: Standing,
    intervention: Intervention,
    now: i64,
) -> std::result::Result<Change, &'static str> {
    use AccountStatus::{Active, Blocked, Suspended};
    let status = |status| Change::Standing(Standing { status, ..current });
    match (intervention, current.status) {
        (Intervention::Delete, _) => Ok(Change::Delete),
        (_, Blocked) => Err("the account is blocked, which is permanent"),
        (Intervention::Suspend, Suspended) => Err("the account is already suspended"),
        (Intervention::Suspend, Active) => Ok(status(Suspended)),
        (Intervention::Unsuspend, Active) => Err("the account is not suspended"),
        (Intervention::Unsuspend, Suspended) => Ok(status(Active)),
        (Intervention::Block, _) => Ok(status(Blocked)),
        (Intervention::RequirePasswordReset, _) if current.owes_new_password() => {
            Err("the account already has to choose a new password")
        }
        (Intervention::RequirePasswordReset, _) => Ok(Change::Standing(Standing {
            password_reset_required_at: Some(now),
            ..current
        })),
        (Intervention::RequireReproving, _) if current.reproving_required_at.is_some() => {
            Err("the account already has to prove its identity again")
        }
        (Intervention::RequireReproving, _) => Ok(Change::Standing(Standing {
            reproving_required_at: Some(now),
            ..current
        })),
    }
}

/// Who acts, as the audit log records it.
pub const OPERATOR: &str = "actor=operator";

/// Finds the account by email address and applies `intervention` to it: the new standing (or
/// the deletion), the audit event and the pending end of access are written together. Returns
/// the account as it was.
pub async fn intervene(
    db: &Database,
    email: &str,
    intervention: Intervention,
    now: i64,
) -> Result<Account> {
    let account = db
        .accounts()
        .find_by_email(email)
        .await?
        .ok_or_else(|| Error::Refused(Refusal::UnknownAccount(email.trim().to_owned())))?;
    let change = plan(account.standing, intervention, now)
        .map_err(|why| Error::Refused(Refusal::InterventionRefused(why)))?;
    let audit =
        AuditEvent::new(intervention.audit_kind(), Some(&account.id), now).with_detail(OPERATOR);
    let pending = intervention.ends_access().then_some(intervention.as_str());
    match change {
        // Requiring reproving loses the identity, and with it the wallets' credentials of it
        // (issue 17 §3), in the same transaction. A closed account's need no marking: the
        // status list counts a credential whose account is gone as revoked.
        Change::Standing(standing) => {
            db.accounts()
                .set_standing(&account.id, &standing, pending, &audit)
                .await?
        }
        Change::Delete => close_account(db, &account.id, &audit).await?,
    }
    tracing::info!(account = %account.id, intervention = intervention.as_str(), "account intervention recorded");
    Ok(account)
}

/// Deletes the account as a citizen's closure does (issue 10 item 4): the account, its
/// authenticator secret, identity evidence and record, consents and refresh tokens go (proving
/// attempts stay under the retired id, as `Accounts::close` says); the audit log keeps its events under the account id only (client addresses
/// blanked); the id is retired so no new account ever gets it (a pairwise `sub` comes from it:
/// OpenID Connect Core §8). Sessions end with back-channel logout through the pending row.
pub async fn close_account(db: &Database, account_id: &str, audit: &AuditEvent) -> Result<()> {
    db.accounts()
        .close(account_id, audit, Some(Intervention::Delete.as_str()))
        .await?;
    Ok(())
}

/// How often each provider replica looks for interventions whose access it has to end. Ending
/// sessions "at once" means within this; the query is one indexed read.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(2);

/// Ends the access of every account with a pending intervention: its sessions (with
/// back-channel logout to their services) and grants. Each row is claimed first, so of several
/// replicas one does the work. Grants are revoked as of now, not of the intervention: a service
/// that got a code through a session in the moments between the two loses it too.
pub async fn end_pending_access(access: &AccountAccess<'_>, now_ms: i64) -> Result<usize> {
    let interventions = access.db.interventions();
    let mut done = 0;
    for pending in interventions.pending(100).await? {
        if !interventions
            .claim(&pending.id, now_ms.div_euclid(1000))
            .await?
        {
            continue;
        }
        let ended = access.end_all(&pending.account_id, None, now_ms).await?;
        tracing::info!(account = %pending.account_id, intervention = %pending.kind, sessions = ended.sessions, "access ended after an account intervention");
        done += 1;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(status: AccountStatus) -> Standing {
        Standing {
            status,
            ..Standing::ACTIVE
        }
    }

    #[test]
    fn suspension_is_lifted_but_a_block_is_final() {
        let suspended = plan(Standing::ACTIVE, Intervention::Suspend, 10).unwrap();
        assert_eq!(suspended, Change::Standing(with(AccountStatus::Suspended)));
        assert_eq!(
            plan(with(AccountStatus::Suspended), Intervention::Unsuspend, 11),
            Ok(Change::Standing(Standing::ACTIVE))
        );
        assert_eq!(
            plan(with(AccountStatus::Suspended), Intervention::Block, 11),
            Ok(Change::Standing(with(AccountStatus::Blocked)))
        );
        for intervention in [
            Intervention::Suspend,
            Intervention::Unsuspend,
            Intervention::Block,
            Intervention::RequirePasswordReset,
            Intervention::RequireReproving,
        ] {
            assert_eq!(
                plan(with(AccountStatus::Blocked), intervention, 12),
                Err("the account is blocked, which is permanent"),
                "{intervention:?}"
            );
        }
        assert_eq!(
            plan(with(AccountStatus::Blocked), Intervention::Delete, 12),
            Ok(Change::Delete)
        );
    }

    #[test]
    fn a_no_op_is_refused_not_reported_done() {
        assert!(plan(Standing::ACTIVE, Intervention::Unsuspend, 1).is_err());
        assert!(plan(with(AccountStatus::Suspended), Intervention::Suspend, 1).is_err());
        let owes = Standing {
            password_reset_required_at: Some(5),
            reproving_required_at: Some(6),
            ..Standing::ACTIVE
        };
        assert!(plan(owes, Intervention::RequirePasswordReset, 7).is_err());
        assert!(plan(owes, Intervention::RequireReproving, 7).is_err());
    }

    #[test]
    fn requirements_keep_the_status_and_record_when() {
        let suspended = with(AccountStatus::Suspended);
        assert_eq!(
            plan(suspended, Intervention::RequirePasswordReset, 42),
            Ok(Change::Standing(Standing {
                password_reset_required_at: Some(42),
                ..suspended
            }))
        );
        assert_eq!(
            plan(Standing::ACTIVE, Intervention::RequireReproving, 43),
            Ok(Change::Standing(Standing {
                reproving_required_at: Some(43),
                ..Standing::ACTIVE
            }))
        );
    }

    #[test]
    fn barriers_and_names() {
        assert_eq!(Standing::ACTIVE.barrier(), None);
        assert_eq!(
            with(AccountStatus::Suspended).barrier(),
            Some(Barrier::Suspended)
        );
        assert_eq!(
            with(AccountStatus::Blocked).barrier(),
            Some(Barrier::Blocked)
        );
        for status in [
            AccountStatus::Active,
            AccountStatus::Suspended,
            AccountStatus::Blocked,
        ] {
            assert_eq!(AccountStatus::parse(status.as_str()).unwrap(), status);
        }
        assert!(AccountStatus::parse("gone").is_err());
        assert!(!Intervention::Unsuspend.ends_access());
        assert!(Intervention::Delete.ends_access());
    }
}
