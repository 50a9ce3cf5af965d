//! Closing an account (issue 10 item 4): its data deleted, every session and token ended, its id
//! retired. Used by the account page; one place, so every way of closing does all of it.

use super::access::{AccountAccess, Ended};
use crate::error::Result;
use one_login_store::{AuditEvent, AuditKind};

/// Closes the account: deletes it and everything held for it (see `Accounts::close`), then
/// ends every session, this one too, telling each service by back-channel logout, and revokes
/// every grant. Deleted first, so a sign-in or code exchange racing the closure finds no account
/// and any session it made is ended by the second step. `None` when there was no account.
///
/// A cached consent (`consent:<account>:<client>` in the short-lived store) expires by itself
/// and can never be read for anyone else: the account id is retired.
pub async fn close(
    access: &AccountAccess<'_>,
    account_id: &str,
    now_ms: i64,
) -> Result<Option<Ended>> {
    let closed = AuditEvent::new(
        AuditKind::AccountClosed,
        Some(account_id),
        now_ms.div_euclid(1000),
    );
    if !access
        .db
        .accounts()
        .close(account_id, &closed, None)
        .await?
    {
        return Ok(None);
    }
    let ended = access.end_all(account_id, None, now_ms).await?;
    tracing::info!(account = %account_id, "account closed");
    Ok(Some(ended))
}
