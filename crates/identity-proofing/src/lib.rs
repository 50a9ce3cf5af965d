//! Identity proving for One Login: the GOV.UK identity vocabulary, GPG 45 scoring, checks
//! against authoritative sources behind traits, signed evidence credentials and the core
//! identity JWT. No web framework: any identity provider can embed it.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod checks;
pub mod ci;
pub mod claims;
pub mod credential;
mod date;
pub mod error;
pub mod evidence;
pub mod gpg45;
pub mod identity;
pub mod level;
#[cfg(test)]
mod test_support;

pub use checks::{
    AddressCheck, CheckOutcome, ClaimedIdentity, DrivingLicenceCheck, DrivingLicenceDetails,
    DrivingLicenceIssuer, FraudCheck, KnowledgeCheck, PassportCheck, PassportDetails, Question,
    QuestionSet, TestDataSet, normalise_postcode,
};
pub use claims::{
    BirthDate, CredentialSubject, DrivingPermit, Name, NamePart, NamePartType, Passport,
    PostalAddress,
};
pub use credential::{
    CoreIdentityRequest, CredentialSigner, CredentialVerifier, VerifiedCredential,
};
pub use error::{Error, Result};
pub use evidence::{CheckDetail, ContraIndicator, ContraIndicatorEffect, Evidence};
pub use gpg45::{Assessment, Blocked, Need, assess, meets, missing_for};
pub use identity::{ProvenIdentity, did_document, did_key_id, prove};
pub use level::{ConfidenceLevel, Profile};
