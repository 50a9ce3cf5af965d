//! The crate's one error type.

use crate::gpg45::{Blocked, Need};
use crate::level::ConfidenceLevel;

/// Everything that can go wrong in identity proving. Credential failures are distinct variants
/// so a provider can log exactly why a credential was refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A level of confidence that is not `P0` to `P3`.
    #[error("unknown level of confidence `{0}`")]
    UnknownLevel(String),

    /// The test data file cannot be read.
    #[error("test data: {0}")]
    TestData(String),

    /// A check was called with input it cannot use (a postcode of the wrong shape, answers that
    /// do not fit the questions).
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// A signing or verification key cannot be used.
    #[error("key: {0}")]
    Key(String),

    /// Signing a credential failed.
    #[error("signing: {0}")]
    Signing(String),

    /// The credential is not a well-formed JWT with the claims of an identity check.
    #[error("credential malformed: {0}")]
    CredentialMalformed(String),

    /// The credential is signed with another algorithm than ES256 (`none` and HS256 included).
    #[error("credential algorithm `{0}` is not accepted")]
    CredentialAlgorithm(String),

    /// The credential names no key, or a key that is not trusted.
    #[error("credential key `{0}` is not trusted")]
    CredentialUnknownKey(String),

    /// The signature does not verify with the key the credential names.
    #[error("credential signature does not verify")]
    CredentialSignature,

    /// The credential's `iss` is not the issuer its key belongs to.
    #[error("credential issuer `{found}` is not `{expected}`")]
    CredentialIssuer { expected: String, found: String },

    /// The credential is about another subject.
    #[error("credential subject does not match")]
    CredentialSubject,

    /// The credential's `nbf` is in the future.
    #[error("credential not yet valid")]
    CredentialNotYetValid,

    /// The credential's `exp` has passed.
    #[error("credential expired")]
    CredentialExpired,

    /// The credential's `vc.type` is not an identity check credential.
    #[error("credential type is not IdentityCheckCredential")]
    CredentialType,

    /// The credential's header `typ` is not an evidence credential's (RFC 8725 §3.11): another
    /// kind of JWT, or an untyped one from a key that never signed untyped credentials.
    #[error("credential header typ `{0}` is not accepted")]
    CredentialHeaderType(String),

    /// The credential is dated after its key stopped signing evidence (a key trusted only for
    /// credentials issued before a time).
    #[error("credential issued after its key stopped signing evidence")]
    CredentialIssuedAfterKeyRetired,

    /// The credentials describe different people.
    #[error("credentials disagree on who the person is: {0}")]
    DifferentPeople(String),

    /// A contra-indicator stops the identity from being proven.
    #[error("{0}")]
    Blocked(Blocked),

    /// The evidence does not reach the level asked for.
    #[error("level {target} not met (reached {reached}); still needed: {needs:?}")]
    LevelNotMet {
        target: ConfidenceLevel,
        reached: ConfidenceLevel,
        needs: Vec<Need>,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
