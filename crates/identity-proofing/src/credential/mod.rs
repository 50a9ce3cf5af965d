//! Evidence credentials: ES256 JWTs with `sub aud iss jti nbf iat exp vc`, where `vc` holds the
//! credential subject and evidence in the GOV.UK shape; and the core identity JWT.
//!
//! Each kind has its own `typ` (RFC 8725 §3.11, explicit typing): an evidence credential, a core
//! identity JWT and the provider's ID, access and logout tokens can never pass for one another.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::claims::CredentialSubject;
use crate::evidence::Evidence;

mod signer;
mod verifier;

pub use signer::{CoreIdentityRequest, CredentialSigner};
pub use verifier::{CredentialVerifier, VerifiedCredential};

/// `typ` of an evidence credential.
pub const IDENTITY_CHECK_CREDENTIAL_TYPE: &str = "identity-check+jwt";
/// `typ` of the core identity JWT a relying party gets.
pub const CORE_IDENTITY_TYPE: &str = "core-identity+jwt";
/// `typ` of evidence credentials made before explicit typing: accepted only from keys trusted
/// with [`CredentialVerifier::trust_issued_before`].
pub const UNTYPED_CREDENTIAL_TYPE: &str = "JWT";

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
