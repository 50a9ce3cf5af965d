//! Access tokens: opaque values that carry their grant, sealed for the provider alone.
//!
//! Userinfo needs the whole grant (the account, the claims asked for, the identity outcome).
//! It used to be kept in the short-lived store for the life of each access token: a write and
//! about 700 bytes per flow, which filled the in-memory store's budget at a few hundred single
//! sign-on flows a second (issue 12.2). Then the grant rode in a signed JWT (RFC 9068) as one
//! sealed claim, but an ES256 signature at the token endpoint and its verification at userinfo
//! were a third of a single sign-on flow's instructions (issue 13). The provider is the only
//! resource server that reads these tokens, and relying parties treat them as opaque (the One
//! Login contract; OAuth 2.0 §1.4), so a token is now the grant and its times sealed with
//! AES-256-GCM under a server key shared by every replica: one authenticated encryption where
//! there were a signature, a verification and an encryption. A relying party cannot read it
//! (the account id and the identity outcome stay ours) nor forge or alter one. The store keeps
//! only revocation marks, written when something is revoked (`grants::GrantMarks`).

use aws_lc_rs::hmac;
use one_login_store::sealing::Sealer;
use serde::{Deserialize, Serialize};

use super::grants::Grant;
use crate::error::{Error, Result};

/// Binds a sealed value to this use: nothing else sealed under the key opens as a token.
const CONTEXT: &str = "one-login/access-token/v1";

/// Mints and opens access tokens. The sealing key is derived from one server secret; tokens
/// live minutes, so a new secret only ends the tokens in flight (no earlier keys are kept).
pub struct AccessTokens {
    sealer: Sealer,
}

impl std::fmt::Debug for AccessTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessTokens").finish_non_exhaustive()
    }
}

/// What a token holds. Short names: the token is sent with every userinfo call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken {
    /// Issued at (Unix seconds).
    #[serde(rename = "iat")]
    pub issued_at: i64,
    /// Expires at (Unix seconds).
    #[serde(rename = "exp")]
    pub expires_at: i64,
    #[serde(rename = "g")]
    pub grant: Grant,
}

/// Whether a token past its expiry still opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expired {
    Refused,
    /// For revocation (RFC 7009): an expired token still names the grant it came from.
    Accepted,
}

impl AccessTokens {
    /// A key derived for this purpose only from `secret` (HMAC as a PRF, as HKDF-Expand does
    /// with one block: RFC 5869 §2.3).
    pub fn new(secret: &[u8]) -> Result<Self> {
        let derived = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, secret),
            b"one-login/access-token-grant/v1",
        );
        Ok(AccessTokens {
            sealer: Sealer::new(derived.as_ref(), &[])?,
        })
    }

    /// An access token for `grant`, issued `now` and valid until `expires_at` (RFC 9700
    /// §2.3: minutes-long, bound to its client by the grant inside).
    pub fn mint(&self, grant: &Grant, now: i64, expires_at: i64) -> Result<String> {
        let token = AccessToken {
            issued_at: now,
            expires_at,
            grant: grant.clone(),
        };
        let plain = serde_json::to_vec(&token).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(self.sealer.seal(&plain, CONTEXT)?)
    }

    /// What `token` holds, if this provider sealed it and, unless `expired` accepts it, it has
    /// not expired by `now`. `None` for anything else: another key's token, an altered one, a
    /// token of an earlier version, a JWT.
    pub fn open(&self, token: &str, now: i64, expired: Expired) -> Option<AccessToken> {
        let plain = self.sealer.open(token, CONTEXT).ok()?;
        let opened: AccessToken = serde_json::from_slice(&plain).ok()?;
        (expired == Expired::Accepted || opened.expires_at > now).then_some(opened)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// A single sign-on grant with the email scope, as userinfo's tests use too.
    pub(crate) fn grant() -> Grant {
        Grant {
            grant_id: "grant-1".into(),
            client_id: "rp".into(),
            account_id: "account-1".into(),
            sub: "sub-1".into(),
            email: "ada@example.com".into(),
            scopes: BTreeSet::from(["openid".to_owned(), "email".to_owned()]),
            claims: Default::default(),
            auth_time: 0,
            vot: "Cl.Cm".into(),
            acr: None,
            amr: vec![],
            sid: "sid-1".into(),
            identity: None,
            issued_at_ms: 0,
        }
    }

    #[test]
    fn a_token_opens_until_it_expires_and_only_with_its_key() {
        let tokens = AccessTokens::new(b"server secret").unwrap();
        let token = tokens.mint(&grant(), 1_000, 1_180).unwrap();
        let opened = tokens.open(&token, 1_179, Expired::Refused).unwrap();
        assert_eq!((opened.issued_at, opened.expires_at), (1_000, 1_180));
        assert_eq!(opened.grant, grant());
        assert_eq!(tokens.open(&token, 1_180, Expired::Refused), None);
        assert!(tokens.open(&token, 9_999, Expired::Accepted).is_some());
        let elsewhere = AccessTokens::new(b"another secret").unwrap();
        assert_eq!(elsewhere.open(&token, 1_001, Expired::Refused), None);
        // Two tokens for one grant differ (a fresh nonce each).
        assert_ne!(token, tokens.mint(&grant(), 1_000, 1_180).unwrap());
    }

    #[test]
    fn nothing_in_a_token_can_be_read_or_altered() {
        let tokens = AccessTokens::new(b"server secret").unwrap();
        let token = tokens.mint(&grant(), 1_000, 1_180).unwrap();
        for part in token.split('.') {
            let decoded =
                base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, part)
                    .unwrap_or_default();
            let text = String::from_utf8_lossy(&decoded);
            for private in ["account-1", "ada@example.com", "grant-1"] {
                assert!(!text.contains(private), "{part}");
                assert!(!token.contains(private));
            }
        }
        let mut bytes = token.clone().into_bytes();
        for i in 0..bytes.len() {
            let original = bytes[i];
            bytes[i] = if original == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(bytes.clone()).unwrap();
            if altered != token {
                assert_eq!(tokens.open(&altered, 1_001, Expired::Accepted), None, "{i}");
            }
            bytes[i] = original;
        }
        assert_eq!(tokens.open("not.a.token", 1_001, Expired::Accepted), None);
    }
}
