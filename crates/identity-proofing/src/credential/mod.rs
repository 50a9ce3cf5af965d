//! Evidence credentials: ES256 JWTs with `sub aud iss jti nbf iat exp vc`, where `vc` holds the
//! credential subject and evidence in the GOV.UK shape; and the core identity JWT.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::claims::CredentialSubject;
use crate::evidence::Evidence;

mod signer;
mod verifier;

pub use signer::{CoreIdentityRequest, CredentialSigner};
pub use verifier::{CredentialVerifier, VerifiedCredential};

/// `vc.type` of an evidence credential.
pub const IDENTITY_CHECK_CREDENTIAL: [&str; 2] =
    ["VerifiableCredential", "IdentityCheckCredential"];
/// `vc.type` of the core identity JWT.
pub const VERIFIABLE_IDENTITY_CREDENTIAL: [&str; 2] =
    ["VerifiableCredential", "VerifiableIdentityCredential"];

/// The claims of an evidence credential.
#[derive(Debug, Serialize, Deserialize)]
struct CredentialClaims {
    sub: String,
    aud: String,
    iss: String,
    jti: String,
    nbf: i64,
    iat: i64,
    exp: i64,
    vc: Vc,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vc {
    #[serde(rename = "type")]
    kind: Vec<String>,
    credential_subject: CredentialSubject,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    evidence: Vec<Evidence>,
}

fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

#[cfg(test)]
mod tests;
