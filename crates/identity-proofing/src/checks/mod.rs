//! Checks against authoritative sources, each behind an object-safe async trait so a provider
//! can hold `Arc<dyn PassportCheck>` and swap the simulated [`TestDataSet`] for a client of the
//! real service.

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::claims::{CredentialSubject, Name, PostalAddress};
use crate::error::Result;
use crate::evidence::Evidence;

mod postcode;
mod test_data;

pub use postcode::normalise_postcode;
pub use test_data::TestDataSet;

/// What one evidence credential will say: about whom, and what the check found. An address
/// check carries no evidence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub subject: CredentialSubject,
    pub evidence: Vec<Evidence>,
}

/// The details printed on a UK passport, as the citizen typed them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportDetails {
    pub passport_number: String,
    pub surname: String,
    /// First and middle names, space separated.
    pub given_names: String,
    #[serde(with = "crate::date")]
    pub birth_date: Date,
    #[serde(with = "crate::date")]
    pub expiry_date: Date,
}

/// Who issued a UK driving licence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DrivingLicenceIssuer {
    /// Driver and Vehicle Licensing Agency (Great Britain).
    #[serde(rename = "DVLA")]
    Dvla,
    /// Driver and Vehicle Agency (Northern Ireland).
    #[serde(rename = "DVA")]
    Dva,
}

impl fmt::Display for DrivingLicenceIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Dvla => "DVLA",
            Self::Dva => "DVA",
        })
    }
}

/// The details printed on a UK photocard driving licence, as the citizen typed them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrivingLicenceDetails {
    pub issuer: DrivingLicenceIssuer,
    /// 16 characters (DVLA) or 8 digits (DVA).
    pub licence_number: String,
    pub surname: String,
    pub given_names: String,
    #[serde(with = "crate::date")]
    pub birth_date: Date,
    #[serde(with = "crate::date")]
    pub issue_date: Date,
    #[serde(with = "crate::date")]
    pub expiry_date: Date,
    /// DVLA licences only: the two-digit issue number.
    pub issue_number: Option<String>,
    pub postcode: String,
}

/// Who the citizen says they are, gathered from earlier steps, for checks that take no document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimedIdentity {
    pub name: Name,
    #[serde(with = "crate::date")]
    pub birth_date: Date,
    pub address: Option<PostalAddress>,
}

impl ClaimedIdentity {
    /// Whether `other` names the same person: the same name (ignoring case and spacing) and
    /// the same date of birth. Replacing the authenticator app of an account with a proven
    /// identity needs new evidence of this person (issue 10 item 2): the password and the
    /// inbox alone must not hand a proven identity to someone else. The address is left out:
    /// people move.
    pub fn same_person(&self, other: &ClaimedIdentity) -> bool {
        self.birth_date == other.birth_date && self.name.matches(&other.name)
    }
}

impl CheckOutcome {
    /// Who a document check confirmed, if it did: the issuer's record matched (a validity
    /// score above 0) with no contra-indicator, and names a person and a date of birth. A check
    /// that did not match records only what was typed, which proves nothing.
    pub fn confirmed_identity(&self) -> Option<ClaimedIdentity> {
        let confirmed = !self.evidence.is_empty()
            && self
                .evidence
                .iter()
                .all(|e| e.validity_score.unwrap_or(0) > 0 && e.ci.is_empty());
        if !confirmed {
            return None;
        }
        Some(ClaimedIdentity {
            name: self.subject.name.first()?.clone(),
            birth_date: self.subject.birth_date.first()?.value,
            address: None,
        })
    }
}

/// Knowledge-based questions to put to the citizen, one per page. Holds no answers: the
/// provider may keep it in journey state, and [`KnowledgeCheck::mark`] works the answers out
/// again from the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionSet {
    pub questions: Vec<Question>,
    /// How many must be answered correctly.
    pub pass_mark: usize,
}

/// One multiple-choice question; the options include a "none of these" style answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub text: String,
    pub options: Vec<String>,
}

/// Checks a passport against the issuer's record (HM Passport Office).
#[async_trait]
pub trait PassportCheck: Send + Sync {
    async fn check(&self, details: &PassportDetails, today: Date) -> Result<CheckOutcome>;
}

/// Checks a driving licence against the issuer's record (DVLA or DVA).
#[async_trait]
pub trait DrivingLicenceCheck: Send + Sync {
    async fn check(&self, details: &DrivingLicenceDetails, today: Date) -> Result<CheckOutcome>;
}

/// Finds and confirms postal addresses against the address register.
#[async_trait]
pub trait AddressCheck: Send + Sync {
    /// The addresses at a postcode; an error when it is not a UK postcode.
    async fn find(&self, postcode: &str) -> Result<Vec<PostalAddress>>;
    /// The credential for the address the citizen confirmed (no evidence scores).
    async fn confirm(&self, address: &PostalAddress, today: Date) -> Result<CheckOutcome>;
}

/// Checks an identity against a fraud agency's records.
#[async_trait]
pub trait FraudCheck: Send + Sync {
    async fn check(&self, identity: &ClaimedIdentity, today: Date) -> Result<CheckOutcome>;
}

/// Knowledge-based verification from a credit reference agency's records.
#[async_trait]
pub trait KnowledgeCheck: Send + Sync {
    /// The questions for this identity; an unknown identity gets questions of the same shape so
    /// the check does not reveal who is on record. `earlier_sets` is how many sets this person
    /// has failed recently: where the records hold more questions than a set asks, a later set
    /// asks other questions, so a set failed once cannot simply be answered again.
    async fn questions(&self, identity: &ClaimedIdentity, earlier_sets: u32)
    -> Result<QuestionSet>;
    /// Marks `answers` (one per question, in order) against the record.
    async fn mark(
        &self,
        identity: &ClaimedIdentity,
        questions: &QuestionSet,
        answers: &[String],
        today: Date,
    ) -> Result<CheckOutcome>;
}
