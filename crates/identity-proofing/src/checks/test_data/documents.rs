//! Passport (HM Passport Office) and driving licence (DVLA, DVA) checks over the test data.

use async_trait::async_trait;
use time::Date;

use super::{TestDataSet, txn};
use crate::checks::{
    CheckOutcome, DrivingLicenceCheck, DrivingLicenceDetails, PassportCheck, PassportDetails,
    normalise_postcode,
};
use crate::ci::{DOCUMENT_LOST_OR_STOLEN, DOCUMENT_NO_MATCH};
use crate::claims::{BirthDate, CredentialSubject, DrivingPermit, Name, Passport, fold};
use crate::date::add_months;
use crate::error::Result;
use crate::evidence::{CheckDetail, ContraIndicator, Evidence};

/// GOV.UK accepts a passport up to 18 months after it expired.
const PASSPORT_GRACE_MONTHS: i32 = 18;

/// What the issuer's record says about a document.
enum Verdict {
    /// No such document, or its details differ: the check does not say which.
    NoMatch,
    LostOrStolen,
    Expired,
    /// Matches and is in date; the validity score it earns.
    Valid {
        validity: u8,
    },
}

/// A verdict, and the person's name as the record spells it when the details matched.
type Found = (Verdict, Option<Name>);

/// Scores one document check: `strength` always, validity and activity only when valid.
fn scored(
    verdict: Verdict,
    strength: u8,
    activity: Option<u8>,
    passed: CheckDetail,
    txn: String,
) -> Evidence {
    let mut evidence = Evidence {
        strength_score: Some(strength),
        validity_score: Some(0),
        ..Evidence::identity_check(txn)
    };
    let ci = match verdict {
        Verdict::Valid { validity } => {
            evidence.validity_score = Some(validity);
            evidence.activity_history_score = activity;
            evidence.check_details.push(passed);
            return evidence;
        }
        Verdict::NoMatch => Some(DOCUMENT_NO_MATCH),
        Verdict::LostOrStolen => Some(DOCUMENT_LOST_OR_STOLEN),
        Verdict::Expired => None,
    };
    evidence
        .failed_check_details
        .push(CheckDetail::method("data"));
    evidence.ci.extend(ci.map(ContraIndicator::new));
    evidence
}

fn document_number(s: &str) -> String {
    fold(s).replace(' ', "")
}

fn published(activity_from: Option<Date>) -> CheckDetail {
    CheckDetail {
        identity_check_policy: Some("published".to_owned()),
        activity_from,
        ..CheckDetail::method("data")
    }
}

impl TestDataSet {
    fn passport_verdict(&self, d: &PassportDetails, today: Date) -> Found {
        let number = document_number(&d.passport_number);
        let found = self.people.iter().find_map(|p| {
            let record = p.passport.as_ref()?;
            (document_number(&record.number) == number).then_some((p, record))
        });
        let Some((person, record)) = found else {
            return (Verdict::NoMatch, None);
        };
        if !person.is(&d.given_names, &d.surname, d.birth_date)
            || record.expiry_date != d.expiry_date
        {
            return (Verdict::NoMatch, None);
        }
        let verdict = if record.lost_or_stolen {
            Verdict::LostOrStolen
        } else if today > add_months(record.expiry_date, PASSPORT_GRACE_MONTHS) {
            Verdict::Expired
        } else {
            Verdict::Valid {
                validity: if record.chip_verified { 3 } else { 2 },
            }
        };
        (verdict, Some(person.name()))
    }

    fn licence_verdict(&self, d: &DrivingLicenceDetails, today: Date) -> Found {
        let number = document_number(&d.licence_number);
        let found = self.people.iter().find_map(|p| {
            let record = p.driving_licence.as_ref()?;
            (record.issuer == d.issuer && document_number(&record.number) == number)
                .then_some((p, record))
        });
        let Some((person, record)) = found else {
            return (Verdict::NoMatch, None);
        };
        let same_issue_number = record.issue_number.as_deref().map(str::trim)
            == d.issue_number
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty());
        let matches = person.is(&d.given_names, &d.surname, d.birth_date)
            && record.issue_date == d.issue_date
            && record.expiry_date == d.expiry_date
            && same_issue_number
            && normalise_postcode(&d.postcode).as_deref() == Some(record.postcode.as_str());
        if !matches {
            return (Verdict::NoMatch, None);
        }
        let verdict = if record.lost_or_stolen {
            Verdict::LostOrStolen
        } else if today > record.expiry_date {
            Verdict::Expired
        } else {
            Verdict::Valid { validity: 2 }
        };
        (verdict, Some(person.name()))
    }
}

/// The name (as the record spells it when the details matched, else as typed) and birth date.
fn claimed(name: Name, birth_date: Date) -> CredentialSubject {
    CredentialSubject {
        name: vec![name],
        birth_date: vec![BirthDate { value: birth_date }],
        ..Default::default()
    }
}

#[async_trait]
impl PassportCheck for TestDataSet {
    async fn check(&self, d: &PassportDetails, today: Date) -> Result<CheckOutcome> {
        let number = document_number(&d.passport_number);
        let (verdict, name) = self.passport_verdict(d, today);
        let name = name.unwrap_or_else(|| Name::from_form(&d.given_names, &d.surname));
        let mut subject = claimed(name, d.birth_date);
        subject.passport.push(Passport {
            document_number: number.clone(),
            expiry_date: d.expiry_date,
            icao_issuer_code: Some("GBR".to_owned()),
        });
        let txn = txn("hmpo", &[&number], today);
        let evidence = scored(verdict, 4, None, CheckDetail::method("data"), txn);
        Ok(CheckOutcome {
            subject,
            evidence: vec![evidence],
        })
    }
}

#[async_trait]
impl DrivingLicenceCheck for TestDataSet {
    async fn check(&self, d: &DrivingLicenceDetails, today: Date) -> Result<CheckOutcome> {
        let number = document_number(&d.licence_number);
        let issuer = d.issuer.to_string();
        let (verdict, name) = self.licence_verdict(d, today);
        let name = name.unwrap_or_else(|| Name::from_form(&d.given_names, &d.surname));
        let mut subject = claimed(name, d.birth_date);
        subject.driving_permit.push(DrivingPermit {
            personal_number: number.clone(),
            expiry_date: d.expiry_date,
            issue_date: Some(d.issue_date),
            issued_by: issuer.clone(),
            issue_number: d.issue_number.clone(),
            full_address: None,
        });
        let txn = txn(&issuer.to_lowercase(), &[&number], today);
        // Holding a licence since its issue date is evidence of activity (GPG 45 activity 1).
        let passed = published(Some(d.issue_date));
        let evidence = scored(verdict, 3, Some(1), passed, txn);
        Ok(CheckOutcome {
            subject,
            evidence: vec![evidence],
        })
    }
}
