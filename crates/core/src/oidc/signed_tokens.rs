//! The tokens the provider signs: ID tokens (Core §2), access tokens (RFC 9068) and logout
//! tokens (Back-Channel Logout §2.4). Each has its own `typ` so one can never pass for another
//! (RFC 8725 §3.11).

use base64::Engine;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keys::Keys;

pub const ID_TOKEN_TYPE: &str = "JWT";
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
pub const LOGOUT_TOKEN_TYPE: &str = "logout+jwt";
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub sid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    /// The credential level reached ("Cl" or "Cl.Cm"), never an identity level.
    pub vot: String,
    /// Where the vectors of trust are described.
    pub vtm: String,
    pub acr: String,
    pub amr: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub scope: String,
    /// The grant it belongs to: revoking the grant revokes it.
    pub gid: String,
    pub sid: String,
    /// The whole grant, sealed for the provider alone (`access_tokens`): what userinfo
    /// releases, without a read of the store.
    pub grt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoutTokenClaims {
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub sub: String,
    pub sid: String,
    pub events: serde_json::Value,
}

/// What a verified `id_token_hint` says: which client the ID token was issued to, and the
/// citizen (that client's pairwise `sub`) and login session (`sid`) it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenHint {
    pub client_id: String,
    pub sub: String,
    pub sid: Option<String>,
}

impl IdTokenHint {
    /// Whether the hint names the login session `sid` and the citizen its client knows as `sub`
    /// (RP-Initiated Logout §2: the session the client wants ended is the browser's).
    pub fn names(&self, sid: &str, sub: &str) -> bool {
        self.sid.as_deref() == Some(sid) && self.sub == sub
    }
}

/// The members of an ID token a hint needs; older tokens may lack the others.
#[derive(Deserialize)]
struct HintClaims {
    aud: String,
    sub: String,
    #[serde(default)]
    sid: Option<String>,
}

/// Verifies `token` as an ID token this provider issued (Core §3.1.2.1 `id_token_hint`; RP-Initiated
/// Logout §2, checklist 60): a published key of ours, whichever algorithm the client's tokens are
/// signed with (ES256 or RS256), our issuer, the ID token `typ`. Expiry is not checked: an expired
/// ID token is still a good hint. The caller checks `client_id` against the client in hand.
pub fn verify_id_token_hint(
    keys: &Keys,
    issuer: &str,
    token: &str,
    now: i64,
) -> Option<IdTokenHint> {
    // `Keys::verify` replaces the algorithm with the signing key's own.
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(&["iss", "sub", "aud"]);
    validation.validate_aud = false;
    validation.validate_exp = false;
    let claims: HintClaims = keys.verify(token, ID_TOKEN_TYPE, &validation, now)?;
    Some(IdTokenHint {
        client_id: claims.aud,
        sub: claims.sub,
        sid: claims.sid,
    })
}

/// Whether an access token past its expiry still verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expired {
    Refused,
    /// For revocation (RFC 7009): an expired token still names the grant it came from.
    Accepted,
}

/// Verifies `token` as an access token this provider issued (RFC 9068 §4): a published key of
/// ours, ES256, our issuer, the `at+jwt` type; past its expiry only as `expired` says. Whether
/// its grant still holds is the caller's question (`access_tokens`, `grants::GrantMarks`).
pub fn verify_access_token(
    keys: &Keys,
    issuer: &str,
    token: &str,
    now: i64,
    expired: Expired,
) -> Option<AccessTokenClaims> {
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[issuer]);
    validation.validate_aud = false;
    validation.validate_exp = expired == Expired::Refused;
    validation.leeway = 0;
    keys.verify(token, ACCESS_TOKEN_TYPE, &validation, now)
}

/// `at_hash` (Core §3.1.3.6): the left half of the SHA-256 of the access token, base64url.
/// ES256 and RS256 both hash with SHA-256.
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// PKCE S256 (RFC 7636 §4.6): base64url(SHA-256(verifier)) equals the challenge. The verifier
/// must be 43-128 unreserved characters (§4.1).
pub fn pkce_verifies(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return false;
    }
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    bool::from(subtle::ConstantTimeEq::ct_eq(
        computed.as_bytes(),
        challenge.as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_verifies(verifier, challenge));
        assert!(!pkce_verifies(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj",
            challenge
        ));
        assert!(!pkce_verifies("short", challenge));
        assert!(!pkce_verifies(&format!("{verifier}!"), challenge));
    }

    fn id_token(iss: &str, exp: i64) -> IdTokenClaims {
        IdTokenClaims {
            iss: iss.into(),
            sub: "sub-ada".into(),
            aud: "driving".into(),
            exp,
            iat: exp - 120,
            auth_time: exp - 120,
            nonce: None,
            sid: "sid-1".into(),
            at_hash: None,
            vot: "Cl.Cm".into(),
            vtm: format!("{iss}trustmark"),
            acr: "Cl.Cm".into(),
            amr: vec![],
            email: None,
            email_verified: None,
        }
    }

    // Core §3.1.2.1, RP-Initiated Logout §2 (checklist 60): a hint is an ID token of ours, in
    // either algorithm a client's ID tokens use; an expired one still counts.
    #[test]
    fn id_token_hints_verify_in_either_algorithm_even_expired() {
        use super::super::keys::{KeyPurpose, SIGNING_ALGORITHMS, new_stored_key};
        const ISSUER: &str = "https://id.example/";
        let stored: Vec<_> = SIGNING_ALGORITHMS
            .iter()
            .map(|alg| new_stored_key(KeyPurpose::Tokens, *alg, 0, 0).unwrap())
            .collect();
        let keys = Keys::for_tests(&stored).unwrap();
        let now = 1_800_000_000;
        for alg in SIGNING_ALGORITHMS {
            let expired = keys
                .sign(alg, ID_TOKEN_TYPE, &id_token(ISSUER, now - 3_600), now)
                .unwrap();
            let hint = verify_id_token_hint(&keys, ISSUER, &expired, now).unwrap();
            assert_eq!(
                hint,
                IdTokenHint {
                    client_id: "driving".into(),
                    sub: "sub-ada".into(),
                    sid: Some("sid-1".into()),
                },
                "{alg:?}"
            );
            assert!(hint.names("sid-1", "sub-ada"));
            assert!(!hint.names("sid-2", "sub-ada"), "another login session");
            assert!(!hint.names("sid-1", "sub-bob"), "another citizen");
            let foreign = keys
                .sign(
                    alg,
                    ID_TOKEN_TYPE,
                    &id_token("https://evil.example/", now),
                    now,
                )
                .unwrap();
            assert!(verify_id_token_hint(&keys, ISSUER, &foreign, now).is_none());
            let access = keys
                .sign(alg, ACCESS_TOKEN_TYPE, &id_token(ISSUER, now), now)
                .unwrap();
            assert!(
                verify_id_token_hint(&keys, ISSUER, &access, now).is_none(),
                "another kind of token (RFC 8725 §3.11)"
            );
            let (rest, _) = expired.rsplit_once('.').unwrap();
            let other = keys
                .sign(alg, ID_TOKEN_TYPE, &id_token(ISSUER, now), now)
                .unwrap();
            let forged = format!("{rest}.{}", other.rsplit_once('.').unwrap().1);
            assert!(verify_id_token_hint(&keys, ISSUER, &forged, now).is_none());
        }
        assert!(verify_id_token_hint(&keys, ISSUER, "not-a-token", now).is_none());
    }

    #[test]
    fn at_hash_is_half_the_digest() {
        // Core §3.1.3.6 worked through by hand: 16 bytes give 22 base64url characters.
        assert_eq!(at_hash("access").len(), 22);
        assert_ne!(at_hash("access"), at_hash("access2"));
    }
}
