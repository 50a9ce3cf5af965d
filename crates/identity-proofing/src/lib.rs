//! Identity proving for One Login: the GOV.UK identity vocabulary ([`claims`]), GPG 45 scoring
//! ([`gpg45`]), checks against authoritative sources behind traits ([`checks`]), signed
//! evidence credentials ([`credential`]) and the proven identity with its core identity JWT
//! ([`identity`]). No web framework and no clock: time is always a parameter, so any identity
//! provider can embed it. The sources are simulated by [`TestDataSet`] over documented test
//! people; production swaps in clients of the real services behind the same traits.
//!
//! A whole passport journey, from checks to the relying party's core identity JWT:
//!
//! ```
//! use identity_proofing::*;
//! use time::Duration;
//! use time::macros::{date, datetime};
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     // The test data set never waits, so polling once per loop is enough here.
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop {
//! #         if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; }
//! #     }
//! # }
//! # fn main() -> Result<()> {
//! let (today, now) = (date!(2026 - 01 - 15), datetime!(2026-01-15 10:00 UTC));
//! let data = TestDataSet::embedded()?;
//!
//! // The checks, as the journey's pages would run them.
//! let details = PassportDetails {
//!     passport_number: "321654987".into(),
//!     surname: "DECERQUEIRA".into(),
//!     given_names: "Kenneth".into(),
//!     birth_date: date!(1965 - 07 - 08),
//!     expiry_date: date!(2030 - 01 - 01),
//! };
//! let passport = block_on(PassportCheck::check(&data, &details, today))?;
//! let home = block_on(data.find("ba2 5aa"))?
//!     .into_iter()
//!     .find(|a| a.one_line() == "8 Hadley Road, Bath, BA2 5AA");
//! let identity = ClaimedIdentity {
//!     name: Name::new(&["Kenneth"], "Decerqueira"),
//!     birth_date: date!(1965 - 07 - 08),
//!     address: home,
//! };
//! let fraud = block_on(FraudCheck::check(&data, &identity, today))?;
//! let questions = block_on(data.questions(&identity, 0))?; // a first set: no failed ones before
//! let answers: Vec<String> = questions.questions.iter()
//!     .map(|q| match q.id.as_str() {
//!         "bank" => "Halifax",
//!         "loan" => "Zopa",
//!         "phone" => "Vodafone",
//!         _ => "I do not have a mortgage", // wrong, but 3 of 4 pass
//!     }.to_owned())
//!     .collect();
//! let kbv = block_on(data.mark(&identity, &questions, &answers, today))?;
//!
//! // Each check's outcome becomes a signed evidence credential, verified when it comes back.
//! let pem = CredentialSigner::generate_pkcs8_pem()?;
//! let signer = CredentialSigner::from_pkcs8_pem("https://identity.example/", "checks-1", pem.as_bytes())?;
//! let mut verifier = CredentialVerifier::new();
//! verifier.trust(signer.issuer(), signer.kid(), &signer.public_jwk()?)?;
//! let sub = "urn:fdc:gov.uk:2022:example";
//! let credentials = [passport, fraud, kbv]
//!     .iter()
//!     .map(|outcome| {
//!         let jwt = signer.issue(sub, "one-login", outcome, now, Duration::minutes(10))?;
//!         verifier.verify(&jwt, sub, now)
//!     })
//!     .collect::<Result<Vec<_>>>()?;
//!
//! // Score them, prove the identity and tell the relying party.
//! let evidence: Vec<Evidence> = credentials.iter().flat_map(|c| c.evidence.clone()).collect();
//! assert_eq!(assess(&evidence).level, ConfidenceLevel::P2);
//! let proven = prove(&credentials, ConfidenceLevel::P2)?;
//! assert_eq!(proven.name[0].full_name(), "Kenneth Decerqueira");
//! let request = CoreIdentityRequest {
//!     subject: sub,
//!     audience: "relying-party-client-id",
//!     trustmark: "https://one-login.example/trustmark",
//!     ttl: Duration::minutes(30),
//! };
//! let core_identity = signer.core_identity_jwt(&proven, &request, now)?;
//! assert_eq!(core_identity.split('.').count(), 3);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod age;
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
pub mod sd_jwt;
pub mod status_list;
#[cfg(test)]
mod test_support;

pub use age::{AgeThreshold, age_over, birthday_in, has_reached};
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
