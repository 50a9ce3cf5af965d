//! Ending everything that lets anyone act as an account: after a password reset or change, a
//! new authenticator app, a report of activity the citizen does not recognise, or an account
//! closed or suspended (checklist 32 and 66; ASVS 7.4.2-7.4.3; Back-Channel Logout §2.7).

use crate::clock::Clock;
use crate::error::Result;
use crate::oidc::Provider;
use crate::oidc::grants::{self, Revoke};
use crate::sessions::{SessionId, Sessions};
use one_login_store::Database;
use one_login_store::ephemeral::EphemeralStore;

/// What a service of the provider needs to end an account's access.
pub struct AccountAccess<'a> {
    pub sessions: &'a Sessions,
    pub provider: &'a Provider,
    pub store: &'a dyn EphemeralStore,
    pub db: &'a Database,
}

/// What was ended, for the audit log and the citizen's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ended {
    pub sessions: usize,
}

impl AccountAccess<'_> {
    /// Ends every session of the account but `keep` (the one the citizen is using, if any), and
    /// tells each service those sessions signed in to; revokes every grant: access tokens fail
    /// at once, codes not yet exchanged are refused, refresh tokens are revoked.
    pub async fn end_all(
        &self,
        account_id: &str,
        keep: Option<&SessionId>,
        now_ms: i64,
    ) -> Result<Ended> {
        let now = now_ms.div_euclid(1000);
        let ended = self.sessions.end_all_for_account(account_id, keep).await?;
        for session in &ended {
            self.provider
                .notify_logout(&session.auth, &session.relying_parties, now);
        }
        grants::revoke_grants(
            self.provider,
            self.store,
            self.db,
            account_id,
            Revoke::Everywhere,
            now_ms,
        )
        .await?;
        tracing::info!(account = %account_id, sessions = ended.len(), "all access to the account ended");
        Ok(Ended {
            sessions: ended.len(),
        })
    }

    /// Withdraws the account's consent for one service: it gets nothing more without asking
    /// again, its live grant ends at once (issue 11.16: every grant made before the consent is
    /// gone, by `clock` read after) and its refresh tokens stop working, even when the service
    /// is no longer registered. `false` when there was no consent to withdraw.
    pub async fn withdraw_consent(
        &self,
        account_id: &str,
        client_id: &str,
        now: i64,
        clock: &dyn Clock,
    ) -> Result<bool> {
        if !self
            .db
            .consents()
            .withdraw(account_id, client_id, now)
            .await?
        {
            return Ok(false);
        }
        match self.provider.clients.get(client_id) {
            Some(client) => {
                let (at, revoke_at_ms) = (Revoke::At(&client), clock.unix_millis());
                grants::revoke_grants(
                    self.provider,
                    self.store,
                    self.db,
                    account_id,
                    at,
                    revoke_at_ms,
                )
                .await?
            }
            // No longer registered: it cannot use a token, but none stays valid either.
            None => {
                self.db
                    .refresh_tokens()
                    .revoke_for(account_id, client_id, now)
                    .await?
            }
        }
        Ok(true)
    }
}
