//! The fraud agency over the test data.

use async_trait::async_trait;
use time::Date;

use super::{FraudMarker, TestDataSet, txn};
use crate::checks::{CheckOutcome, ClaimedIdentity, FraudCheck};
use crate::ci::{DECEASED, IDENTITY_FRAUD};
use crate::claims::{BirthDate, CredentialSubject};
use crate::error::Result;
use crate::evidence::{CheckDetail, ContraIndicator, Evidence};

fn fraud_check(name: &str) -> CheckDetail {
    CheckDetail {
        fraud_check: Some(name.to_owned()),
        ..CheckDetail::method("data")
    }
}

/// The agency's checks, in the order it runs them.
const CHECKS: [&str; 4] = [
    "mortality_check",
    "identity_theft_check",
    "synthetic_identity_check",
    "impersonation_risk_check",
];

/// The subject of a credential about a claimed identity (fraud and knowledge checks).
pub(super) fn claimed_subject(identity: &ClaimedIdentity) -> CredentialSubject {
    CredentialSubject {
        name: vec![identity.name.clone()],
        birth_date: vec![BirthDate {
            value: identity.birth_date,
        }],
        address: identity.address.iter().cloned().collect(),
        ..Default::default()
    }
}

#[async_trait]
impl FraudCheck for TestDataSet {
    /// Identity fraud score 2 for a known person whose address matches the record, 1 when the
    /// address does not (or was not given), 0 for an unknown identity or one with a marker;
    /// a marker also adds its blocking contra-indicator.
    async fn check(&self, identity: &ClaimedIdentity, today: Date) -> Result<CheckOutcome> {
        let person = self.person(&identity.name, identity.birth_date);
        let full_name = identity.name.full_name();
        let mut evidence = Evidence {
            identity_fraud_score: Some(0),
            ..Evidence::identity_check(txn("fraud", &[&full_name], today))
        };
        match person {
            None => evidence
                .failed_check_details
                .push(fraud_check("synthetic_identity_check")),
            Some(person) => {
                let (failed, ci) = match person.fraud_marker {
                    Some(FraudMarker::Deceased) => (Some("mortality_check"), Some(DECEASED)),
                    Some(FraudMarker::IdentityFraud) => {
                        (Some("identity_theft_check"), Some(IDENTITY_FRAUD))
                    }
                    None => (None, None),
                };
                for check in CHECKS {
                    if Some(check) == failed {
                        evidence.failed_check_details.push(fraud_check(check));
                    } else {
                        evidence.check_details.push(fraud_check(check));
                    }
                }
                evidence.ci.extend(ci.map(ContraIndicator::new));
                if ci.is_none() {
                    let address_known = identity
                        .address
                        .as_ref()
                        .is_some_and(|a| person.address.iter().any(|r| r.same_premises(a)));
                    evidence.identity_fraud_score = Some(if address_known { 2 } else { 1 });
                }
            }
        }
        Ok(CheckOutcome {
            subject: claimed_subject(identity),
            evidence: vec![evidence],
        })
    }
}
