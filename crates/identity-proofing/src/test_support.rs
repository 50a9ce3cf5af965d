//! Helpers for the crate's unit tests.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Runs a future that never waits on I/O (the test data set's checks) to completion.
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use crate::checks::*;
use crate::claims::Name;
use crate::credential::{CredentialSigner, CredentialVerifier};

pub const ISSUER: &str = "https://identity.example.gov.uk/";
pub const SUBJECT: &str = "urn:fdc:gov.uk:2022:abc";
pub const TODAY: Date = date!(2026 - 01 - 15);
pub const NOW: OffsetDateTime = datetime!(2026-01-15 10:00 UTC);

pub fn signer(issuer: &str, kid: &str) -> CredentialSigner {
    let pem = CredentialSigner::generate_pkcs8_pem().unwrap();
    CredentialSigner::from_pkcs8_pem(issuer, kid, pem.as_bytes()).unwrap()
}

pub fn verifier_for(signer: &CredentialSigner) -> CredentialVerifier {
    let mut verifier = CredentialVerifier::new();
    verifier
        .trust(signer.issuer(), signer.kid(), &signer.public_jwk().unwrap())
        .unwrap();
    verifier
}

/// Kenneth's right answers to the knowledge questions, by question id.
pub fn kenneth_answer(id: &str) -> &'static str {
    match id {
        "bank" => "Halifax",
        "loan" => "Zopa",
        "phone" => "Vodafone",
        "mortgage" => "£401 to £700",
        "energy" => "Octopus Energy",
        "car-finance" => "Black Horse",
        other => panic!("unexpected question {other}"),
    }
}

pub fn kenneth_passport() -> PassportDetails {
    PassportDetails {
        passport_number: "321654987".into(),
        surname: "Decerqueira".into(),
        given_names: "Kenneth".into(),
        birth_date: date!(1965 - 07 - 08),
        expiry_date: date!(2030 - 01 - 01),
    }
}

/// A web journey: passport, the address at `home` (postcode, building number), fraud, and
/// knowledge questions answered by `answer` with the first `wrong` of them answered wrongly.
pub fn passport_journey(
    details: &PassportDetails,
    home: (&str, &str),
    answer: fn(&str) -> &'static str,
    wrong: usize,
) -> Vec<CheckOutcome> {
    let data = TestDataSet::embedded().unwrap();
    let passport = ready(PassportCheck::check(&data, details, TODAY)).unwrap();
    let found = ready(data.find(home.0)).unwrap();
    let home = found
        .into_iter()
        .find(|a| a.building_number.as_deref() == Some(home.1))
        .unwrap();
    let address = ready(data.confirm(&home, TODAY)).unwrap();
    let identity = ClaimedIdentity {
        name: Name::from_form(&details.given_names, &details.surname),
        birth_date: details.birth_date,
        address: Some(address.subject.address[0].clone()),
    };
    let fraud = ready(FraudCheck::check(&data, &identity, TODAY)).unwrap();
    let questions = ready(data.questions(&identity, 0)).unwrap();
    let answers = answers(&questions, answer, wrong);
    let kbv = ready(data.mark(&identity, &questions, &answers, TODAY)).unwrap();
    vec![passport, address, fraud, kbv]
}

/// Answers to `set` by `answer`, the first `wrong` of them answered "None of these".
pub fn answers(set: &QuestionSet, answer: fn(&str) -> &'static str, wrong: usize) -> Vec<String> {
    let pick = |(i, q): (usize, &Question)| {
        if i < wrong {
            "None of these"
        } else {
            answer(&q.id)
        }
    };
    set.questions
        .iter()
        .enumerate()
        .map(pick)
        .map(str::to_owned)
        .collect()
}

/// Joan Ellis's chip-verified passport.
pub fn joan_passport() -> PassportDetails {
    PassportDetails {
        passport_number: "707456123".into(),
        surname: "Ellis".into(),
        given_names: "Joan Margaret".into(),
        birth_date: date!(1958 - 12 - 12),
        expiry_date: date!(2033 - 08 - 14),
    }
}

/// Kenneth's passport journey with `wrong` knowledge answers wrong.
pub fn kenneth_passport_journey(wrong: usize) -> Vec<CheckOutcome> {
    passport_journey(&kenneth_passport(), ("BA2 5AA", "8"), kenneth_answer, wrong)
}

/// Kenneth's DVLA licence, typed in capitals with a compact postcode.
pub fn kenneth_licence() -> DrivingLicenceDetails {
    DrivingLicenceDetails {
        issuer: DrivingLicenceIssuer::Dvla,
        licence_number: "DECER607085K99AE".into(),
        surname: "DECERQUEIRA".into(),
        given_names: "KENNETH".into(),
        birth_date: date!(1965 - 07 - 08),
        issue_date: date!(2021 - 11 - 25),
        expiry_date: date!(2031 - 11 - 24),
        issue_number: Some("23".into()),
        postcode: "ba25aa".into(),
    }
}
