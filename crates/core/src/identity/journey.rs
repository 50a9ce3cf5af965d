//! The proving journey: where a citizen stands, and which page comes next. The next step is
//! worked out from the evidence itself (what the GPG 45 engine says is missing), so a citizen
//! who left half-way, or comes back months later for a higher level, is asked only for what is
//! still needed.

use identity_proofing::{
    ClaimedIdentity, ConfidenceLevel, ContraIndicator, Evidence, Need, PostalAddress, QuestionSet,
    VerifiedCredential, missing_for,
};
use serde::{Deserialize, Serialize};

use super::attempts::{AttemptKind, ClaimedDocument};

/// A journey in progress, kept in the citizen's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvingJourney {
    /// Whose journey it is: a different sign-in in the same browser starts afresh.
    pub account_id: String,
    /// The relying party and level the journey is for.
    pub client_id: String,
    pub target: ConfidenceLevel,
    pub started_at: i64,
    /// The level was reached in this journey (no reuse screen needed).
    pub proved_now: bool,
    /// The citizen confirmed the reuse of an identity proven earlier.
    pub reuse_confirmed: bool,
    /// The citizen chose to stop.
    pub ended: bool,
    /// An attempt limit was met in this journey, until then (unix seconds): for the document
    /// the citizen gave, which the account's own count may not show. The counts themselves
    /// are in the database (`identity::attempts`), not here.
    #[serde(default)]
    pub limited_until: Option<i64>,
    /// Addresses found for the postcode the citizen gave, for them to choose from.
    pub addresses: Vec<PostalAddress>,
    pub questions: Option<QuestionSet>,
    pub answers: Vec<String>,
}

impl ProvingJourney {
    pub fn new(account_id: &str, client_id: &str, target: ConfidenceLevel, now: i64) -> Self {
        ProvingJourney {
            account_id: account_id.to_owned(),
            client_id: client_id.to_owned(),
            target,
            started_at: now,
            proved_now: false,
            reuse_confirmed: false,
            ended: false,
            limited_until: None,
            addresses: Vec::new(),
            questions: None,
            answers: Vec::new(),
        }
    }
}

/// What one answer to the journey's open question set did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// No set is open: the questions page opens one.
    NoSetOpen,
    /// Every question has its answer already.
    AllAnswered,
    /// An answer to another question (the back button, a second click): not counted, and the
    /// citizen sees the question they are really at.
    NotTheCurrentQuestion,
    /// Not one of the question's options.
    NotAnOption,
    /// Kept; more questions follow.
    More,
    /// Kept, and it was the last: the set is ready to mark.
    Last,
}

impl ProvingJourney {
    /// Takes the answer to the open set's current question, if it is one.
    pub fn answer(&mut self, question_id: &str, answer: String) -> Answered {
        let Some(questions) = &self.questions else {
            return Answered::NoSetOpen;
        };
        let Some(current) = questions.questions.get(self.answers.len()) else {
            return Answered::AllAnswered;
        };
        if question_id != current.id {
            return Answered::NotTheCurrentQuestion;
        }
        if !current.options.contains(&answer) {
            return Answered::NotAnOption;
        }
        self.answers.push(answer);
        if self.answers.len() < questions.questions.len() {
            Answered::More
        } else {
            Answered::Last
        }
    }
}

/// Why a journey cannot reach its level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A contra-indicator rules it out.
    Blocked(Vec<ContraIndicator>),
    /// The evidence available cannot reach the level.
    NotMatched,
    /// The citizen chose not to go on.
    Stopped,
    /// Too many failed attempts (issue 11.5): no more online until `until` (unix seconds).
    AttemptsLimited { until: i64 },
}

/// The next page of the journey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    ChooseDocument,
    Address,
    /// Runs at once, without a page, once the address is known.
    FraudCheck,
    Questions,
    Proven,
    Failed(Failure),
}

impl Step {
    /// The attempt a step spends, for the steps whose attempts are limited.
    pub fn spends(&self) -> Option<AttemptKind> {
        match self {
            Step::ChooseDocument => Some(AttemptKind::DocumentCheck),
            Step::Questions => Some(AttemptKind::QuestionSet),
            _ => None,
        }
    }
}

/// A step that spends an attempt cannot be taken while a limit holds (`limited_until`): the
/// journey fails instead, with the time the citizen can try again (issue 11.5).
pub fn within_limit(step: Step, limited_until: Option<i64>) -> Step {
    match limited_until {
        Some(until) if step.spends().is_some() => Step::Failed(Failure::AttemptsLimited { until }),
        _ => step,
    }
}

fn evidence_of(credentials: &[VerifiedCredential]) -> Vec<Evidence> {
    credentials
        .iter()
        .flat_map(|c| c.evidence.iter().cloned())
        .collect()
}

fn has_address(credentials: &[VerifiedCredential]) -> bool {
    credentials
        .iter()
        .any(|c| !c.credential_subject.address.is_empty())
}

fn has_fraud_check(credentials: &[VerifiedCredential]) -> bool {
    evidence_of(credentials)
        .iter()
        .any(|e| e.identity_fraud_score.is_some())
}

/// What comes next, from the evidence the citizen has and the journey so far, before the
/// attempt limits (see [`within_limit`]).
pub fn next_step(credentials: &[VerifiedCredential], journey: &ProvingJourney) -> Step {
    if journey.ended {
        return Step::Failed(Failure::Stopped);
    }
    let needs = match missing_for(&evidence_of(credentials), journey.target) {
        Err(blocked) => return Step::Failed(Failure::Blocked(blocked.blocking)),
        Ok(needs) => needs,
    };
    if needs.is_empty() {
        return Step::Proven;
    }
    let needs_any = |f: fn(&Need) -> bool| needs.iter().any(f);
    if needs_any(|n| matches!(n, Need::IdentityDocument { .. })) {
        return Step::ChooseDocument;
    }
    if !has_address(credentials) {
        return Step::Address;
    }
    if needs_any(|n| matches!(n, Need::IdentityFraud(_) | Need::ActivityHistory(_))) {
        // One fraud check per address: asking again would give the same answer.
        return if has_fraud_check(credentials) {
            Step::Failed(Failure::NotMatched)
        } else {
            Step::FraudCheck
        };
    }
    if needs_any(|n| matches!(n, Need::Verification(_))) {
        return Step::Questions;
    }
    Step::Failed(Failure::NotMatched)
}

/// The newest document credential that matched a record and names someone.
fn matched_document(credentials: &[VerifiedCredential]) -> Option<&VerifiedCredential> {
    credentials.iter().rev().find(|c| {
        c.evidence.iter().any(|e| {
            e.strength_score.is_some() && e.validity_score.unwrap_or(0) > 0 && e.ci.is_empty()
        }) && !c.credential_subject.name.is_empty()
            && !c.credential_subject.birth_date.is_empty()
    })
}

/// Who the citizen's documents say they are, with the address they gave: what the fraud check
/// and the questions are about. The newest document that matched a record wins.
pub fn claimed_identity(credentials: &[VerifiedCredential]) -> Option<ClaimedIdentity> {
    let document = matched_document(credentials)?;
    let address = credentials
        .iter()
        .rev()
        .find_map(|c| c.credential_subject.address.first().cloned());
    Some(ClaimedIdentity {
        name: document.credential_subject.name.first()?.clone(),
        birth_date: document.credential_subject.birth_date.first()?.value,
        address,
    })
}

/// The document the claimed identity comes from ([`claimed_identity`]): what question sets
/// are counted against, so that a second account with the same passport is limited too.
pub fn claimed_document(credentials: &[VerifiedCredential]) -> Option<ClaimedDocument> {
    let subject = &matched_document(credentials)?.credential_subject;
    subject
        .passport
        .first()
        .map(|p| ClaimedDocument::Passport(p.document_number.clone()))
        .or_else(|| {
            subject
                .driving_permit
                .first()
                .map(|d| ClaimedDocument::DrivingLicence(d.personal_number.clone()))
        })
}

/// A check's evidence matched no record (or a record with other details).
pub fn did_not_match(credential: &VerifiedCredential) -> bool {
    credential
        .evidence
        .iter()
        .any(|e| e.validity_score == Some(0) || !e.ci.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use identity_proofing::{BirthDate, CredentialSubject, Name, PostalAddress};
    use time::macros::date;

    fn evidence(
        strength: Option<u8>,
        validity: Option<u8>,
        fraud: Option<u8>,
        verification: Option<u8>,
    ) -> Evidence {
        Evidence {
            kind: "IdentityCheck".into(),
            txn: "t".into(),
            strength_score: strength,
            validity_score: validity,
            activity_history_score: None,
            identity_fraud_score: fraud,
            verification_score: verification,
            check_details: vec![],
            failed_check_details: vec![],
            ci: vec![],
        }
    }

    fn credential(evidence: Vec<Evidence>, subject: CredentialSubject) -> VerifiedCredential {
        let at = time::OffsetDateTime::UNIX_EPOCH;
        VerifiedCredential {
            jti: "j".into(),
            issuer: "https://id.example/".into(),
            subject: "a".into(),
            issued_at: at,
            expires_at: at,
            credential_subject: subject,
            evidence,
        }
    }

    fn person() -> CredentialSubject {
        CredentialSubject {
            name: vec![Name::new(&["Kenneth"], "Decerqueira")],
            birth_date: vec![BirthDate {
                value: date!(1965 - 07 - 08),
            }],
            ..CredentialSubject::default()
        }
    }

    fn address() -> CredentialSubject {
        CredentialSubject {
            address: vec![PostalAddress {
                uprn: None,
                sub_building_name: None,
                building_name: None,
                building_number: Some("8".into()),
                street_name: Some("Hadley Road".into()),
                address_locality: Some("Bath".into()),
                postal_code: "BA2 5AA".into(),
                address_country: "GB".into(),
                valid_from: None,
                valid_until: None,
            }],
            ..CredentialSubject::default()
        }
    }

    fn journey() -> ProvingJourney {
        ProvingJourney::new("a", "rp", ConfidenceLevel::P2, 0)
    }

    #[test]
    fn answers_are_taken_in_order_and_only_from_the_options() {
        use identity_proofing::{Question, QuestionSet};
        let question = |id: &str| Question {
            id: id.into(),
            text: "?".into(),
            options: vec!["a".into(), "b".into()],
        };
        let mut journey = ProvingJourney::new("ada", "rp", ConfidenceLevel::P2, 0);
        assert_eq!(journey.answer("q1", "a".into()), Answered::NoSetOpen);
        journey.questions = Some(QuestionSet {
            questions: vec![question("q1"), question("q2")],
            pass_mark: 1,
        });
        assert_eq!(
            journey.answer("q2", "a".into()),
            Answered::NotTheCurrentQuestion
        );
        assert_eq!(journey.answer("q1", "c".into()), Answered::NotAnOption);
        assert_eq!(journey.answer("q1", "a".into()), Answered::More);
        assert_eq!(journey.answer("q2", "b".into()), Answered::Last);
        assert_eq!(journey.answers, ["a", "b"]);
        assert_eq!(journey.answer("q2", "b".into()), Answered::AllAnswered);
    }

    #[test]
    fn a_p2_journey_asks_for_a_document_then_address_then_fraud_then_questions() {
        let j = journey();
        let mut held = vec![];
        assert_eq!(next_step(&held, &j), Step::ChooseDocument);
        held.push(credential(
            vec![evidence(Some(4), Some(2), None, None)],
            person(),
        ));
        assert_eq!(next_step(&held, &j), Step::Address);
        held.push(credential(vec![], address()));
        assert_eq!(next_step(&held, &j), Step::FraudCheck);
        held.push(credential(
            vec![evidence(None, None, Some(2), None)],
            person(),
        ));
        assert_eq!(next_step(&held, &j), Step::Questions);
        held.push(credential(
            vec![evidence(None, None, None, Some(2))],
            person(),
        ));
        assert_eq!(next_step(&held, &j), Step::Proven);
    }

    // Issue 11.5: the steps that spend an attempt (a document check, a question set) give way
    // to the limit while it holds; the others do not spend one and go on.
    #[test]
    fn a_limit_stops_the_steps_that_spend_attempts_and_stopping_ends_the_journey() {
        let j = journey();
        let limited = Some(1_000);
        let failed = Step::Failed(Failure::AttemptsLimited { until: 1_000 });
        assert_eq!(within_limit(next_step(&[], &j), limited), failed);
        assert_eq!(within_limit(next_step(&[], &j), None), Step::ChooseDocument);
        let held = vec![
            credential(vec![evidence(Some(4), Some(2), Some(2), None)], person()),
            credential(vec![], address()),
        ];
        assert_eq!(within_limit(next_step(&held, &j), limited), failed);
        let without_address = &held[..1];
        assert_eq!(
            within_limit(next_step(without_address, &j), limited),
            Step::Address
        );
        let mut j = journey();
        j.ended = true;
        assert_eq!(next_step(&[], &j), Step::Failed(Failure::Stopped));
    }

    // Question sets count against the document the claimed identity comes from.
    #[test]
    fn the_claimed_document_is_the_matched_one() {
        let mut unmatched = evidence(Some(4), Some(0), None, None);
        unmatched.ci = vec![ContraIndicator("DOC-NO-MATCH".into())];
        let with_passport = |number: &str| CredentialSubject {
            passport: vec![identity_proofing::Passport {
                document_number: number.into(),
                expiry_date: date!(2030 - 01 - 01),
                icao_issuer_code: None,
            }],
            ..person()
        };
        let held = vec![
            credential(
                vec![evidence(Some(4), Some(2), None, None)],
                with_passport("321654987"),
            ),
            credential(vec![unmatched], with_passport("999999999")),
        ];
        assert!(claimed_document(&held) == Some(ClaimedDocument::Passport("321654987".into())));
        assert!(claimed_document(&held[1..]).is_none());
    }

    #[test]
    fn a_blocking_contra_indicator_fails_the_journey() {
        let mut lost = evidence(Some(4), Some(0), None, None);
        lost.ci = vec![ContraIndicator("DOC-LOST-STOLEN".into())];
        let held = vec![credential(vec![lost], person())];
        assert_eq!(
            next_step(&held, &journey()),
            Step::Failed(Failure::Blocked(vec![ContraIndicator(
                "DOC-LOST-STOLEN".into()
            )]))
        );
    }

    #[test]
    fn the_claimed_identity_comes_from_a_matched_document_and_the_address() {
        let mut unmatched = evidence(Some(4), Some(0), None, None);
        unmatched.ci = vec![ContraIndicator("DOC-NO-MATCH".into())];
        let held = vec![
            credential(vec![unmatched], person()),
            credential(vec![], address()),
        ];
        assert_eq!(claimed_identity(&held), None);
        let held = vec![
            credential(vec![evidence(Some(4), Some(2), None, None)], person()),
            credential(vec![], address()),
        ];
        let claimed = claimed_identity(&held).unwrap();
        assert_eq!(claimed.birth_date, date!(1965 - 07 - 08));
        assert_eq!(claimed.address.unwrap().postal_code, "BA2 5AA");
    }
}
