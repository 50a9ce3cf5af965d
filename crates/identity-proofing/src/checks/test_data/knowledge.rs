//! Knowledge-based verification (a credit reference agency) over the test data: four
//! multiple-choice questions about the person's finances, pass mark three. The records hold six
//! kinds of question: a first set asks the four core ones, and each set after a failed one moves
//! on along the six, so two sets in a row share at most two questions.

use async_trait::async_trait;
use time::Date;

use super::fraud::claimed_subject;
use super::{Knowledge, TestDataSet, stable_hash, txn};
use crate::checks::{CheckOutcome, ClaimedIdentity, KnowledgeCheck, Question, QuestionSet};
use crate::ci::KBV_FAILED;
use crate::error::{Error, Result};
use crate::evidence::{CheckDetail, ContraIndicator, Evidence};

const NONE_OF_THESE: &str = "None of these";
const NO_MORTGAGE: &str = "I do not have a mortgage";
const PASS_MARK: usize = 3;
/// Questions in a set.
const SET_SIZE: usize = 4;
/// The first `CORE` kinds make a first set; the others come in on later sets.
const CORE: usize = 4;

/// Upper bounds (pounds) of the mortgage ranges offered, then the open top range.
const MORTGAGE_RANGES: [(u32, &str); 3] = [
    (400, "Up to £400"),
    (700, "£401 to £700"),
    (1000, "£701 to £1,000"),
];
const MORTGAGE_TOP: &str = "Over £1,000";

/// One kind of question: its text, the names decoys are drawn from, and where its answer is.
struct Kind {
    id: &'static str,
    text: &'static str,
    pool: &'static [&'static str],
    answer: fn(&Knowledge) -> Option<String>,
}

const KINDS: [Kind; 6] = [
    Kind {
        id: "bank",
        text: "Which of these banks or building societies do you have a current account with?",
        pool: &[
            "Barclays",
            "Halifax",
            "HSBC",
            "Lloyds",
            "Monzo",
            "Nationwide",
            "NatWest",
            "Santander",
            "Starling",
            "TSB",
        ],
        answer: |k| k.bank.clone(),
    },
    Kind {
        id: "loan",
        text: "Which of these companies have you had a loan or credit card with in the last 3 years?",
        pool: &[
            "American Express",
            "Barclaycard",
            "Capital One",
            "MBNA",
            "Sainsbury's Bank",
            "Tesco Bank",
            "Vanquis",
            "Zopa",
        ],
        answer: |k| k.loan.clone(),
    },
    Kind {
        id: "phone",
        text: "Which of these companies is your mobile phone contract with?",
        pool: &[
            "BT Mobile",
            "EE",
            "giffgaff",
            "O2",
            "Sky Mobile",
            "Three",
            "Virgin Media",
            "Vodafone",
        ],
        answer: |k| k.phone.clone(),
    },
    Kind {
        id: "mortgage",
        text: "How much is your monthly mortgage payment?",
        pool: &[],
        answer: |k| Some(mortgage_range(k.monthly_mortgage).to_owned()),
    },
    Kind {
        id: "energy",
        text: "Which of these companies supplies your gas or electricity?",
        pool: &[
            "British Gas",
            "E.ON Next",
            "EDF",
            "Octopus Energy",
            "OVO",
            "Power NI",
            "Scottish Power",
            "So Energy",
        ],
        answer: |k| k.energy.clone(),
    },
    Kind {
        id: "car-finance",
        text: "Which of these companies have you had car finance with in the last 5 years?",
        pool: &[
            "Black Horse",
            "BMW Financial Services",
            "Close Brothers Motor Finance",
            "MotoNovo Finance",
            "Santander Consumer Finance",
            "Startline Motor Finance",
            "VW Financial Services",
        ],
        answer: |k| k.car_finance.clone(),
    },
];

fn mortgage_range(amount: Option<u32>) -> &'static str {
    let Some(amount) = amount else {
        return NO_MORTGAGE;
    };
    MORTGAGE_RANGES
        .iter()
        .find(|(top, _)| amount <= *top)
        .map_or(MORTGAGE_TOP, |(_, label)| label)
}

/// GPG 45 question quality: knowing a mortgage amount is high quality (3); which company one
/// deals with is medium for a loan or car finance (2) and low otherwise (1); having no
/// mortgage is low.
fn quality(kind: &Kind, knowledge: &Knowledge) -> u8 {
    match kind.id {
        "mortgage" if knowledge.monthly_mortgage.is_some() => 3,
        "loan" | "car-finance" => 2,
        _ => 1,
    }
}

/// Options for a question: the right answer (if on record) and decoys, alphabetical so
/// position gives nothing away, then the "none" option.
fn options(kind: &Kind, answer: Option<&str>, seed: &str) -> Vec<String> {
    if kind.pool.is_empty() {
        let mut all: Vec<String> = MORTGAGE_RANGES
            .iter()
            .map(|(_, l)| (*l).to_owned())
            .collect();
        all.extend([MORTGAGE_TOP.to_owned(), NO_MORTGAGE.to_owned()]);
        return all;
    }
    let mut decoys: Vec<&str> = kind
        .pool
        .iter()
        .copied()
        .filter(|o| Some(*o) != answer)
        .collect();
    decoys.sort_by_key(|o| stable_hash(&[seed, kind.id, o]));
    let mut shown: Vec<String> = answer.into_iter().map(str::to_owned).collect();
    shown.extend(decoys.iter().take(4 - shown.len()).map(|o| (*o).to_owned()));
    shown.sort_by_key(|o| o.to_lowercase());
    shown.push(NONE_OF_THESE.to_owned());
    shown
}

/// The right answer to a question, from the record.
fn right_answer(kind: &Kind, knowledge: &Knowledge) -> String {
    (kind.answer)(knowledge).unwrap_or_else(|| NONE_OF_THESE.to_owned())
}

impl TestDataSet {
    fn knowledge_of(&self, identity: &ClaimedIdentity) -> Option<&Knowledge> {
        self.person(&identity.name, identity.birth_date)
            .map(|p| &p.knowledge)
    }
}

fn seed(identity: &ClaimedIdentity) -> String {
    format!(
        "{}|{}",
        crate::claims::fold(&identity.name.full_name()),
        crate::date::format(identity.birth_date)
    )
}

/// The kinds a set asks after `earlier_sets` failed ones: a window of [`SET_SIZE`] moving along
/// the person's order of kinds (the core kinds from a point their seed picks, then the others).
fn kinds_for(seed: &str, earlier_sets: usize) -> Vec<&'static Kind> {
    let core_start = usize::try_from(stable_hash(&[seed]) % CORE as u64).unwrap_or(0);
    let order: Vec<&Kind> = (0..CORE)
        .map(|i| &KINDS[(core_start + i) % CORE])
        .chain(&KINDS[CORE..])
        .collect();
    let start = (earlier_sets % KINDS.len()) * SET_SIZE;
    (0..SET_SIZE)
        .map(|i| order[(start + i) % order.len()])
        .collect()
}

impl TestDataSet {
    fn question_set(&self, identity: &ClaimedIdentity, earlier_sets: usize) -> QuestionSet {
        // An unknown person gets decoys only: same shape, nothing revealed.
        let unknown = Knowledge::default();
        let knowledge = self.knowledge_of(identity).unwrap_or(&unknown);
        let seed = seed(identity);
        let questions = kinds_for(&seed, earlier_sets)
            .into_iter()
            .map(|kind| Question {
                id: kind.id.to_owned(),
                text: kind.text.to_owned(),
                options: options(kind, (kind.answer)(knowledge).as_deref(), &seed),
            })
            .collect();
        QuestionSet {
            questions,
            pass_mark: PASS_MARK,
        }
    }
}

#[async_trait]
impl KnowledgeCheck for TestDataSet {
    async fn questions(
        &self,
        identity: &ClaimedIdentity,
        earlier_sets: u32,
    ) -> Result<QuestionSet> {
        Ok(self.question_set(identity, usize::try_from(earlier_sets).unwrap_or(0)))
    }

    /// Verification 2 for at least three right answers; 3 when all four are right and one of
    /// them is high quality; otherwise 0 with a `KBV-FAILED` contra-indicator. An unknown
    /// identity always fails.
    async fn mark(
        &self,
        identity: &ClaimedIdentity,
        questions: &QuestionSet,
        answers: &[String],
        today: Date,
    ) -> Result<CheckOutcome> {
        // Only a set this source would ask this identity is marked (every window of the order
        // comes round within as many sets as there are kinds).
        if !(0..KINDS.len()).any(|earlier| *questions == self.question_set(identity, earlier)) {
            return Err(Error::InvalidInput(
                "these questions were not asked of this identity".to_owned(),
            ));
        }
        if answers.len() != questions.questions.len() {
            return Err(Error::InvalidInput(format!(
                "{} answers to {} questions",
                answers.len(),
                questions.questions.len()
            )));
        }
        let known = self.knowledge_of(identity);
        let mut evidence = Evidence {
            verification_score: Some(0),
            ..Evidence::identity_check(txn("kbv", &[&seed(identity)], today))
        };
        let mut high_quality_right = false;
        for (question, answer) in questions.questions.iter().zip(answers) {
            let kind = KINDS.iter().find(|k| k.id == question.id);
            let right = match (kind, known) {
                (Some(kind), Some(knowledge)) => {
                    Some((right_answer(kind, knowledge), quality(kind, knowledge)))
                }
                _ => None,
            };
            let detail_quality = right.as_ref().map_or(1, |(_, q)| *q);
            let detail = CheckDetail {
                kbv_response_mode: Some("multiple_choice".to_owned()),
                kbv_quality: Some(detail_quality),
                ..CheckDetail::method("kbv")
            };
            if right.is_some_and(|(r, _)| r == answer.trim()) {
                high_quality_right |= detail_quality == 3;
                evidence.check_details.push(detail);
            } else {
                evidence.failed_check_details.push(detail);
            }
        }
        let right = evidence.check_details.len();
        if right == questions.questions.len() && high_quality_right {
            evidence.verification_score = Some(3);
        } else if right >= questions.pass_mark {
            evidence.verification_score = Some(2);
        } else {
            evidence.ci.push(ContraIndicator::new(KBV_FAILED));
        }
        Ok(CheckOutcome {
            subject: claimed_subject(identity),
            evidence: vec![evidence],
        })
    }
}
