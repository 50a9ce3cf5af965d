//! Access tokens that carry their grant (RFC 9068 JWTs with one sealed claim).
//!
//! Userinfo needs the whole grant (the account, the claims asked for, the identity outcome),
//! not only what a relying party may read in the token. It used to be kept in the short-lived
//! store for the life of each access token: one write and about 700 bytes per flow, which
//! filled the in-memory store's budget at a few hundred single sign-on flows a second (issue
//! 12.2) and cost a round trip on the token endpoint (issue 13). Now the grant travels inside
//! the token, sealed with AES-256-GCM under a server key shared by every replica: the relying
//! party cannot read it (the account id and the identity outcome stay ours), and the store
//! keeps only revocation marks, written when something is revoked (`grants::GrantMarks`).

use aws_lc_rs::hmac;
use one_login_store::sealing::Sealer;

use super::grants::Grant;
use super::keys::Keys;
use super::signed_tokens::{ACCESS_TOKEN_TYPE, AccessTokenClaims, Expired, verify_access_token};
use crate::error::{Error, Result};

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

/// An access token that verified: its claims and the grant it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedAccessToken {
    pub claims: AccessTokenClaims,
    pub grant: Grant,
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

    /// Signs an access token for `grant`, issued `now` and valid until `exp`.
    pub fn mint(
        &self,
        keys: &Keys,
        issuer: &str,
        grant: &Grant,
        now: i64,
        exp: i64,
    ) -> Result<String> {
        let jti = uuid::Uuid::new_v4().to_string();
        let plain = serde_json::to_vec(grant).map_err(|e| Error::Internal(e.to_string()))?;
        // Bound to this token's id: a sealed grant moved into another token does not open.
        let grt = self.sealer.seal(&plain, &jti)?;
        let claims = AccessTokenClaims {
            iss: issuer.to_owned(),
            sub: grant.sub.clone(),
            aud: grant.client_id.clone(),
            client_id: grant.client_id.clone(),
            exp,
            iat: now,
            jti,
            scope: grant.scopes.iter().cloned().collect::<Vec<_>>().join(" "),
            gid: grant.grant_id.clone(),
            sid: grant.sid.clone(),
            grt,
        };
        keys.sign(
            jsonwebtoken::Algorithm::ES256,
            ACCESS_TOKEN_TYPE,
            &claims,
            now,
        )
    }

    /// Verifies `token` (`signed_tokens::verify_access_token`) and opens its grant, which must
    /// be the one the signed claims name. `None` for anything else: a token of an earlier
    /// version, another key, or tampered with.
    pub fn open(
        &self,
        keys: &Keys,
        issuer: &str,
        token: &str,
        now: i64,
        expired: Expired,
    ) -> Option<OpenedAccessToken> {
        let claims = verify_access_token(keys, issuer, token, now, expired)?;
        let plain = self.sealer.open(&claims.grt, &claims.jti).ok()?;
        let grant: Grant = serde_json::from_slice(&plain).ok()?;
        let consistent = grant.grant_id == claims.gid
            && grant.client_id == claims.client_id
            && grant.sub == claims.sub;
        consistent.then_some(OpenedAccessToken { claims, grant })
    }
}
