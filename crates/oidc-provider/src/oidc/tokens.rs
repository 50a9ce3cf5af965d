//! The tokens the provider signs: ID tokens (Core §2), access tokens (RFC 9068) and logout
//! tokens (Back-Channel Logout §2.4). Each has its own `typ` so one can never pass for another
//! (RFC 8725 §3.11).

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

    #[test]
    fn at_hash_is_half_the_digest() {
        // Core §3.1.3.6 worked through by hand: 16 bytes give 22 base64url characters.
        assert_eq!(at_hash("access").len(), 22);
        assert_ne!(at_hash("access"), at_hash("access2"));
    }
}
