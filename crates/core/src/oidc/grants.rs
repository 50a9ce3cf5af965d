//! What a citizen's sign-in gives one client: the grant, carried by an authorization code, then
//! by access and refresh tokens. Codes and revocation marks live in the short-lived store (an
//! access token carries its grant sealed: `access_tokens`); refresh tokens in the database.
//! Revoking a grant ends every token made from it.

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::authorization_request::RequestedClaims;
use crate::config::TokensConfig;
use crate::error::{Error, Result};
use crate::identity::claims::GrantedIdentity;
use crate::random::random_token;
use one_login_store::ephemeral::{EphemeralStore, put_kept};
use one_login_store::{Database, NewRefreshToken, Rotation, Successor};

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

pub fn hash_token(token: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Internal(e.to_string()))
}

fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::Corrupt(e.to_string()))
}

/// Authorization codes in the short-lived store. A code is 256 random bits and only its hash
/// is a key (`code:`); its record is JSON. Redeeming swaps the record for a mark of its use
/// (`USED_MARK`), under the same key, in one round trip: a second redemption finds the mark
/// (RFC 6749 §4.1.2: refuse it, and revoke the grant the code made). The mark lives as long as
/// the code would have: a replay after that is refused as an unknown code, without the
/// revocation (which §4.1.2 asks as a SHOULD); keeping marks longer only filled the in-memory
/// store, at 3,000 flows a second with millions of entries. The grant a code makes is named
/// after the code ([`grant_id_for`]), so the mark need not hold its name.
pub struct Codes<'a> {
    store: &'a dyn EphemeralStore,
    /// How long a code lives (`tokens.authorization_code_ttl`).
    ttl: Duration,
}

/// What a used code's key holds: no record begins so (they are JSON objects).
const USED_MARK: &[u8] = b"used";

/// The id of the grant the code `code` makes: 128 bits of a hash of it, apart from the hash
/// that keys the code (so a grant id, which relying parties see in access tokens, says nothing
/// of the key).
pub fn grant_id_for(code: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"one-login/grant-id/v1:")
        .chain_update(code.as_bytes())
        .finalize();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// What the store holds for a presented code.
#[derive(Debug)]
pub enum CodeUse {
    /// Taken now: no one else gets it.
    Taken(Box<CodeRecord>),
    /// Taken before, for the grant with this id.
    TakenBefore {
        grant_id: String,
    },
    Unknown,
}

impl<'a> Codes<'a> {
    pub fn new(store: &'a dyn EphemeralStore, ttl: Duration) -> Self {
        Codes { store, ttl }
    }

    fn key(code: &str) -> String {
        format!("code:{}", hash_token(code))
    }

    /// Stores a new code for `record`, naming its grant after the code, and returns the code.
    pub async fn issue(&self, mut record: CodeRecord) -> Result<String> {
        let code = random_token();
        record.grant.grant_id = grant_id_for(&code);
        // For a signed-in citizen: kept even when a flood fills the store (issue 12.2).
        put_kept(self.store, &Self::key(&code), &encode(&record)?, self.ttl).await?;
        Ok(code)
    }

    /// Takes the code once, atomically (of two racing callers at most one gets it), leaving
    /// the mark of its use.
    pub async fn redeem(&self, code: &str) -> Result<CodeUse> {
        Ok(match self.store.swap(&Self::key(code), USED_MARK).await? {
            Some(bytes) if bytes == USED_MARK => CodeUse::TakenBefore {
                grant_id: grant_id_for(code),
            },
            Some(bytes) => CodeUse::Taken(Box::new(decode(&bytes)?)),
            None => CodeUse::Unknown,
        })
    }
}

/// The marks that end grants, in the short-lived store. Access tokens carry their grant
/// (`access_tokens`), so nothing is stored per flow: only what a revocation writes, which is
/// rare. An ended grant (`grant-ended:` and its id) is over for good: its refresh tokens are
/// revoked with it, so no token is minted for it again. A revocation mark (`grants-revoked:`)
/// ends every grant a citizen, by the client's pairwise `sub`, holds at a client that was made
/// until the mark's time (Unix milliseconds, as text). Userinfo reads both in one round trip.
pub struct GrantMarks<'a> {
    store: &'a dyn EphemeralStore,
}

impl<'a> GrantMarks<'a> {
    pub fn new(store: &'a dyn EphemeralStore) -> Self {
        GrantMarks { store }
    }

    fn ended_key(grant_id: &str) -> String {
        format!("grant-ended:{grant_id}")
    }

    fn revoked_key(client_id: &str, sub: &str) -> String {
        format!("grants-revoked:{client_id}:{sub}")
    }

    /// Whether `grant`, carried by an unexpired access token, still holds: neither ended nor
    /// revoked since it was made.
    pub async fn holds(&self, grant: &Grant) -> Result<bool> {
        let [ended, mark] = <[Option<Vec<u8>>; 2]>::try_from(
            self.store
                .get_many(&[
                    &Self::ended_key(&grant.grant_id),
                    &Self::revoked_key(&grant.client_id, &grant.sub),
                ])
                .await?,
        )
        .map_err(|_| Error::Internal("the store answered for the wrong keys".into()))?;
        Ok(ended.is_none() && !revoked_by(grant, mark.as_deref()))
    }

    /// Ends the grant: its access tokens stop working at once. The mark is kept as long as an
    /// access token minted until now can live (`access_token_ttl`), and a few seconds more for
    /// one checked at the last moment.
    pub async fn end(&self, grant_id: &str, access_token_ttl: Duration) -> Result<()> {
        Ok(put_kept(
            self.store,
            &Self::ended_key(grant_id),
            b"1",
            access_token_ttl + Duration::from_secs(5),
        )
        .await?)
    }

    /// Whether `grant` has been revoked since it was made.
    pub async fn is_revoked(&self, grant: &Grant) -> Result<bool> {
        let mark = self
            .store
            .get(&Self::revoked_key(&grant.client_id, &grant.sub))
            .await?;
        Ok(revoked_by(grant, mark.as_deref()))
    }

    /// Revokes every grant `sub` holds at `client_id` made until `now_ms`. The mark is kept as
    /// long as a code and the access token made from it can live (and a minute for clock
    /// steps): after that, no grant it could end is left.
    pub async fn revoke_made_until(
        &self,
        client_id: &str,
        sub: &str,
        now_ms: i64,
        tokens: &TokensConfig,
    ) -> Result<()> {
        let keep =
            tokens.authorization_code_ttl + tokens.access_token_ttl + Duration::from_secs(60);
        Ok(put_kept(
            self.store,
            &Self::revoked_key(client_id, sub),
            now_ms.to_string().as_bytes(),
            keep,
        )
        .await?)
    }
}

/// Whether a revocation mark (Unix milliseconds) ends `grant`.
fn revoked_by(grant: &Grant, mark: Option<&[u8]>) -> bool {
    mark.and_then(|m| std::str::from_utf8(m).ok())
        .and_then(|m| m.parse::<i64>().ok())
        .is_some_and(|revoked_at| grant.issued_at_ms <= revoked_at)
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
    tokens: &TokensConfig,
    now: i64,
) -> Result<Redemption> {
    match Codes::new(store, tokens.authorization_code_ttl)
        .redeem(code)
        .await?
    {
        CodeUse::Taken(record) => Ok(Redemption::Redeemed(record)),
        CodeUse::TakenBefore { grant_id } => {
            revoke_grant(store, db, &grant_id, tokens, now).await?;
            Ok(Redemption::Replayed)
        }
        CodeUse::Unknown => Ok(Redemption::Unknown),
    }
}

/// Ends a grant: its access tokens stop working at once, its refresh tokens are revoked.
pub async fn revoke_grant(
    store: &dyn EphemeralStore,
    db: &Database,
    grant_id: &str,
    tokens: &TokensConfig,
    now: i64,
) -> Result<()> {
    GrantMarks::new(store)
        .end(grant_id, tokens.access_token_ttl)
        .await?;
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
/// once, codes not yet exchanged are refused, refresh tokens are revoked.
pub async fn revoke_grants(
    provider: &super::Provider,
    store: &dyn EphemeralStore,
    db: &Database,
    account_id: &str,
    which: Revoke<'_>,
    now_ms: i64,
) -> Result<()> {
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
    let marks = GrantMarks::new(store);
    for client in clients.iter().copied() {
        let sub = provider.subject_for(client, account_id);
        marks
            .revoke_made_until(&client.client_id, &sub, now_ms, &provider.tokens)
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
        .insert(NewRefreshToken {
            hash: &hash_token(&token),
            grant_id: &grant.grant_id,
            client_id: &grant.client_id,
            account_id: &grant.account_id,
            grant_data: &String::from_utf8_lossy(&encode(grant)?),
            now,
            expires_at,
        })
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
/// unused for `tokens.refresh_token_idle_ttl` since it was issued is invalid (checklist 31).
pub async fn use_refresh_token(
    store: &dyn EphemeralStore,
    db: &Database,
    token: &str,
    client_id: &str,
    scope: Option<&BTreeSet<String>>,
    now: i64,
    tokens: &TokensConfig,
) -> Result<RefreshUse> {
    let idle_ttl = tokens.refresh_token_idle_ttl;
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
            |data| -> Result<Successor> {
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
            revoke_grant(store, db, &stored.grant_id, tokens, now).await?;
            Ok(RefreshUse::Replayed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use one_login_store::ephemeral::MemoryStore;

    fn grant(grant_id: &str, issued_at_ms: i64) -> Grant {
        Grant {
            grant_id: grant_id.into(),
            client_id: "c1".into(),
            account_id: "a1".into(),
            sub: "s1".into(),
            email: "ada@example.com".into(),
            scopes: ["openid".to_owned()].into(),
            claims: RequestedClaims::default(),
            auth_time: 1_000,
            vot: "Cl.Cm".into(),
            acr: Some("Cl.Cm".into()),
            amr: vec!["pwd".into()],
            sid: "sid".into(),
            identity: None,
            issued_at_ms,
        }
    }

    fn tokens() -> TokensConfig {
        TokensConfig {
            authorization_code_ttl: Duration::from_secs(60),
            id_token_ttl: Duration::from_secs(300),
            access_token_ttl: Duration::from_secs(300),
            refresh_token_ttl: Duration::from_secs(86_400),
            refresh_token_idle_ttl: Duration::from_secs(3_600),
            logout_token_ttl: Duration::from_secs(120),
        }
    }

    #[test]
    fn tokens_are_known_by_their_sha256_in_base64url() {
        assert_eq!(
            hash_token("abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }

    #[tokio::test]
    async fn a_code_is_redeemed_once_then_names_its_grant() {
        let store = MemoryStore::new(1 << 20);
        let codes = Codes::new(&store, Duration::from_secs(60));
        let record = CodeRecord {
            grant: grant("", 0),
            redirect_uri: "https://rp.example/callback".into(),
            code_challenge: Some("challenge".into()),
            nonce: None,
        };
        let code = codes.issue(record.clone()).await.unwrap();
        let grant_id = grant_id_for(&code);
        assert_eq!(grant_id.len(), 22);
        assert_ne!(grant_id, grant_id_for("another code"));
        let named = CodeRecord {
            grant: Grant {
                grant_id: grant_id.clone(),
                ..record.grant.clone()
            },
            ..record
        };
        // Replicas of the previous version find it under this key.
        let key = format!("code:{}", hash_token(&code));
        assert_eq!(
            store.get(&key).await.unwrap(),
            Some(serde_json::to_vec(&named).unwrap())
        );
        assert!(matches!(
            codes.redeem(&code).await.unwrap(),
            CodeUse::Taken(taken) if *taken == named
        ));
        // Only the mark is left, where the code was.
        assert_eq!(store.get(&key).await.unwrap().as_deref(), Some(USED_MARK));
        for _ in 0..2 {
            assert!(matches!(
                codes.redeem(&code).await.unwrap(),
                CodeUse::TakenBefore { grant_id: id } if id == grant_id
            ));
        }
        assert!(matches!(
            codes.redeem("never-issued").await.unwrap(),
            CodeUse::Unknown
        ));
    }

    #[tokio::test]
    async fn an_ended_grant_no_longer_holds_and_nothing_is_stored_before() {
        let store = MemoryStore::new(1 << 20);
        let marks = GrantMarks::new(&store);
        let (g1, g2) = (grant("g1", 5_000), grant("g2", 5_000));
        // Nothing is stored for a grant in use.
        assert!(marks.holds(&g1).await.unwrap());
        assert_eq!(store.get("grant-ended:g1").await.unwrap(), None);
        marks.end("g1", Duration::from_secs(300)).await.unwrap();
        assert!(!marks.holds(&g1).await.unwrap());
        assert!(marks.holds(&g2).await.unwrap());
    }

    #[tokio::test]
    async fn a_revocation_ends_grants_made_until_it() {
        let store = MemoryStore::new(1 << 20);
        let marks = GrantMarks::new(&store);
        let (before, after) = (grant("g1", 5_000), grant("g2", 5_001));
        marks
            .revoke_made_until("c1", "s1", 5_000, &tokens())
            .await
            .unwrap();
        assert_eq!(
            store.get("grants-revoked:c1:s1").await.unwrap().as_deref(),
            Some(b"5000".as_slice())
        );
        assert!(marks.is_revoked(&before).await.unwrap());
        assert!(!marks.holds(&before).await.unwrap());
        assert!(!marks.is_revoked(&after).await.unwrap());
        assert!(marks.holds(&after).await.unwrap());
        let elsewhere = Grant {
            client_id: "c2".into(),
            ..before
        };
        assert!(marks.holds(&elsewhere).await.unwrap());
    }

    // A grant kept by a version from before `acr` and `issued_at_ms` were (in a refresh
    // token's row) still reads, and counts as made before any revocation.
    #[test]
    fn a_grant_kept_by_an_older_version_still_reads() {
        let old = br#"{"grant_id":"g0","client_id":"c1","account_id":"a1","sub":"s1","email":"ada@example.com","scopes":["openid"],"claims":{"userinfo":[],"id_token":[]},"auth_time":1000,"vot":"Cl","amr":["pwd"],"sid":"sid"}"#;
        let found: Grant = decode(old).unwrap();
        assert_eq!((found.acr.clone(), found.issued_at_ms), (None, 0));
        assert!(revoked_by(&found, Some(b"0")));
    }
}
