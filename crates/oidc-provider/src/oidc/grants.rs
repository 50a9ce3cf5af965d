//! What a citizen's sign-in gives one client: the grant, carried by an authorization code, then
//! by access and refresh tokens. Codes and active grants live in the short-lived store; refresh
//! tokens in the database. Revoking a grant ends every token made from it.

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::authorization_request::RequestedClaims;
use crate::ephemeral::EphemeralStore;
use crate::error::{Error, Result};
use crate::identity::claims::GrantedIdentity;
use crate::sessions::random_token;
use crate::store::{Database, Rotation, Successor};

/// The facts of one sign-in shared with one client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub grant_id: String,
    pub client_id: String,
    pub account_id: String,
    /// The pairwise subject for this client.
    pub sub: String,
    pub email: String,
    pub scopes: BTreeSet<String>,
    pub claims: RequestedClaims,
    pub auth_time: i64,
    /// The credential level reached ("Cl", "Cl.Cm").
    pub vot: String,
    /// The ID token's `acr`: the level reached, or the value an essential `acr` asked for that
    /// it meets (Core §5.5.1.1). Absent in grants from before it was kept: then `vot`.
    #[serde(default)]
    pub acr: Option<String>,
    pub amr: Vec<String>,
    /// The session's stable id, for logout.
    pub sid: String,
    /// The identity outcome, for an identity request (P1-P3).
    #[serde(default)]
    pub identity: Option<GrantedIdentity>,
    /// When the citizen's authorization made it (Unix milliseconds): a revocation of the
    /// account's grants at this client ends every grant made before it. Grants stored before
    /// this field existed read as 0, made before any revocation.
    #[serde(default)]
    pub issued_at_ms: i64,
}

/// An authorization code's record (RFC 6749 §4.1.2: bound to client, redirect URI, PKCE
/// challenge, nonce and the signed-in citizen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    pub grant: Grant,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
}

/// How long the mark of a used code is kept, to catch a second redemption (RFC 6749 §4.1.2:
/// refuse it and revoke the grant it made). A code lives `code_ttl`; once it has expired a
/// replay is refused anyway (the code is unknown), so the mark need only outlive the code.
/// Twice its life covers a code redeemed at the last moment and replayed just before it would
/// have expired, with room for clock steps; keeping marks longer (it was ten minutes) only
/// filled the in-memory store: at 3,000 flows a second, 1.8 million entries.
fn used_code_memory(code_ttl: Duration) -> Duration {
    code_ttl * 2
}

pub fn hash_token(token: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

fn code_key(code: &str) -> String {
    format!("code:{}", hash_token(code))
}

fn used_code_key(code: &str) -> String {
    format!("used-code:{}", hash_token(code))
}

fn grant_key(grant_id: &str) -> String {
    format!("grant:{grant_id}")
}

/// The mark that ends every grant a citizen (by the client's pairwise `sub`) holds at a client
/// that was made before the mark's time: both are in every access token, so userinfo reads
/// the grant and its mark in one round trip.
fn revoked_key(client_id: &str, sub: &str) -> String {
    format!("grants-revoked:{client_id}:{sub}")
}

/// Whether a revocation mark (Unix milliseconds) ends `grant`.
fn revoked_by(grant: &Grant, mark: Option<&[u8]>) -> bool {
    mark.and_then(|m| std::str::from_utf8(m).ok())
        .and_then(|m| m.parse::<i64>().ok())
        .is_some_and(|revoked_at| grant.issued_at_ms <= revoked_at)
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Internal(e.to_string()))
}

fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::Corrupt(e.to_string()))
}

/// Stores a new code (256 random bits; only its hash is a key) and returns it.
pub async fn issue_code(
    store: &dyn EphemeralStore,
    record: &CodeRecord,
    ttl: Duration,
) -> Result<String> {
    let code = random_token();
    store.put(&code_key(&code), &encode(record)?, ttl).await?;
    Ok(code)
}

/// The result of presenting a code.
#[derive(Debug)]
pub enum Redemption {
    Redeemed(Box<CodeRecord>),
    /// Used before: the grant it made has been revoked.
    Replayed,
    Unknown,
}

/// Takes the code once, atomically; a second presentation revokes its grant (RFC 6749 §10.5).
pub async fn redeem_code(
    store: &dyn EphemeralStore,
    db: &Database,
    code: &str,
    code_ttl: Duration,
    now: i64,
) -> Result<Redemption> {
    match store.take(&code_key(code)).await? {
        Some(bytes) => {
            let record: CodeRecord = decode(&bytes)?;
            store
                .put(
                    &used_code_key(code),
                    record.grant.grant_id.as_bytes(),
                    used_code_memory(code_ttl),
                )
                .await?;
            Ok(Redemption::Redeemed(Box::new(record)))
        }
        None => match store.get(&used_code_key(code)).await? {
            Some(grant_id) => {
                let grant_id = String::from_utf8_lossy(&grant_id).into_owned();
                revoke_grant(store, db, &grant_id, now).await?;
                Ok(Redemption::Replayed)
            }
            None => Ok(Redemption::Unknown),
        },
    }
}

/// Marks the grant active for as long as its newest access token lives: userinfo reads it.
pub async fn activate_grant(
    store: &dyn EphemeralStore,
    grant: &Grant,
    ttl: Duration,
) -> Result<()> {
    store
        .put(&grant_key(&grant.grant_id), &encode(grant)?, ttl)
        .await
}

/// The active grant behind an access token, or `None` once revoked or past its newest access
/// token. `client_id` and `sub` come from the (verified) token and must be the grant's.
pub async fn active_grant(
    store: &dyn EphemeralStore,
    grant_id: &str,
    client_id: &str,
    sub: &str,
) -> Result<Option<Grant>> {
    let [grant, mark] = <[Option<Vec<u8>>; 2]>::try_from(
        store
            .get_many(&[&grant_key(grant_id), &revoked_key(client_id, sub)])
            .await?,
    )
    .map_err(|_| Error::Internal("the store answered for the wrong keys".into()))?;
    let Some(grant) = grant.map(|bytes| decode::<Grant>(&bytes)).transpose()? else {
        return Ok(None);
    };
    let owned = grant.client_id == client_id && grant.sub == sub;
    Ok((owned && !revoked_by(&grant, mark.as_deref())).then_some(grant))
}

/// Whether `grant` has been revoked since it was made (read after its tokens were stored, so a
/// revocation racing the code exchange is seen by one side or the other).
pub async fn is_revoked(store: &dyn EphemeralStore, grant: &Grant) -> Result<bool> {
    let mark = store
        .get(&revoked_key(&grant.client_id, &grant.sub))
        .await?;
    Ok(revoked_by(grant, mark.as_deref()))
}

/// Ends a grant's access tokens at once; its refresh tokens stay (RFC 7009 §2.1: revoking an
/// access token need not revoke the refresh token).
pub async fn end_access(store: &dyn EphemeralStore, grant_id: &str) -> Result<()> {
    store.delete(&grant_key(grant_id)).await
}

/// Ends a grant: its access tokens stop working at once, its refresh tokens are revoked.
pub async fn revoke_grant(
    store: &dyn EphemeralStore,
    db: &Database,
    grant_id: &str,
    now: i64,
) -> Result<()> {
    store.delete(&grant_key(grant_id)).await?;
    db.refresh_tokens().revoke_grant(grant_id, now).await?;
    tracing::info!(grant = %grant_id, "grant revoked");
    Ok(())
}

/// Which of a citizen's grants to revoke.
#[derive(Debug, Clone, Copy)]
pub enum Revoke<'a> {
    /// At one client (consent withdrawn).
    At(&'a super::clients::Client),
    /// At every client (password reset or changed, new authenticator, account closed).
    Everywhere,
}

/// Ends every grant of a citizen made until `now_ms`: their access tokens stop working at
/// once, codes not yet exchanged are refused, refresh tokens are revoked. The marks are kept
/// as long as a code and the access token made from it can live.
pub async fn revoke_grants(
    provider: &super::Provider,
    store: &dyn EphemeralStore,
    db: &Database,
    account_id: &str,
    which: Revoke<'_>,
    now_ms: i64,
) -> Result<()> {
    let keep = provider.tokens.authorization_code_ttl
        + provider.tokens.access_token_ttl
        + Duration::from_secs(60);
    let registered;
    let clients: Vec<&super::clients::Client> = match which {
        Revoke::At(client) => vec![client],
        Revoke::Everywhere => {
            registered = provider.clients.all();
            registered.iter().map(|c| c.as_ref()).collect()
        }
    };
    // Marks first, then the database: a code exchange that stores a refresh token after the
    // database update reads the mark after storing it (`is_revoked`).
    for client in clients.iter().copied() {
        let sub = provider.subject_for(client, account_id);
        store
            .put(
                &revoked_key(&client.client_id, &sub),
                now_ms.to_string().as_bytes(),
                keep,
            )
            .await?;
    }
    let now = now_ms.div_euclid(1000);
    match which {
        Revoke::At(client) => {
            db.refresh_tokens()
                .revoke_for(account_id, &client.client_id, now)
                .await?
        }
        Revoke::Everywhere => db.refresh_tokens().revoke_account(account_id, now).await?,
    }
    tracing::info!(account = %account_id, clients = clients.len(), "grants revoked");
    Ok(())
}

/// Makes a refresh token for `grant` (only the hash is stored).
pub async fn issue_refresh_token(
    db: &Database,
    grant: &Grant,
    now: i64,
    expires_at: i64,
) -> Result<String> {
    let token = random_token();
    db.refresh_tokens()
        .insert(
            &hash_token(&token),
            grant,
            &String::from_utf8_lossy(&encode(grant)?),
            now,
            expires_at,
        )
        .await?;
    Ok(token)
}

/// The result of presenting a refresh token.
#[derive(Debug)]
pub enum RefreshUse {
    /// Valid: it is now used, and `refresh_token` (when the grant still holds
    /// `offline_access`) replaces it.
    Rotated {
        grant: Box<Grant>,
        refresh_token: Option<String>,
    },
    /// Used before: every token of its grant is revoked (RFC 9700 §4.14.2).
    Replayed,
    /// Asked for more than the grant holds: refused, and the token stays usable.
    WiderScope,
    Invalid,
}

/// Presents a refresh token, narrowing the grant to `scope` when given, and rotates it: the
/// old token is spent and its successor stored in one transaction. The scope check runs
/// inside it, before the commit, so a refused request does not use the token up. A token
/// unused for `idle_ttl` since it was issued is invalid (checklist 31).
pub async fn use_refresh_token(
    store: &dyn EphemeralStore,
    db: &Database,
    token: &str,
    client_id: &str,
    scope: Option<&BTreeSet<String>>,
    now: i64,
    idle_ttl: Duration,
) -> Result<RefreshUse> {
    let hash = hash_token(token);
    let successor = random_token();
    let mut granted = None;
    let rotation = db
        .refresh_tokens()
        .rotate(
            &hash,
            &hash_token(&successor),
            client_id,
            now,
            now - idle_ttl.as_secs() as i64,
            scope.is_some(),
            |data| {
                let mut grant: Grant = decode(data.as_bytes())?;
                if let Some(scope) = scope {
                    if !scope.is_subset(&grant.scopes) || !scope.contains("openid") {
                        return Ok(Successor::Refuse);
                    }
                    grant.scopes = scope.clone();
                }
                let next = if grant.scopes.contains("offline_access") {
                    Successor::Replace(String::from_utf8_lossy(&encode(&grant)?).into_owned())
                } else {
                    Successor::End
                };
                granted = Some(grant);
                Ok(next)
            },
        )
        .await?;
    match rotation {
        Rotation::Rotated { replaced, .. } => {
            let grant = granted.ok_or_else(|| Error::Internal("rotated without a grant".into()))?;
            Ok(RefreshUse::Rotated {
                grant: Box::new(grant),
                refresh_token: replaced.then_some(successor),
            })
        }
        Rotation::Refused => Ok(RefreshUse::WiderScope),
        Rotation::NotLive => {
            let Some(stored) = db.refresh_tokens().find(&hash).await? else {
                return Ok(RefreshUse::Invalid);
            };
            if stored.client_id != client_id
                || stored.revoked_at.is_some()
                || stored.expires_at <= now
                || stored.used_at.is_none()
            {
                return Ok(RefreshUse::Invalid);
            }
            revoke_grant(store, db, &stored.grant_id, now).await?;
            Ok(RefreshUse::Replayed)
        }
    }
}
