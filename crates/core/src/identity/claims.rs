//! What a relying party is given about a citizen's identity at userinfo: the GOV.UK claims
//! (`coreIdentityJWT`, `address`, `passport`, `drivingPermit`, `returnCode`) and, for relying
//! parties that speak the standard, OpenID Connect for Identity Assurance `verified_claims`.
//! Both come from the same proven identity, re-checked from the stored evidence at each release.

use identity_proofing::{AgeThreshold, ConfidenceLevel, ProvenIdentity, age_over};
use time::Date;

use super::journey::Failure;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::oidc::clients::{
    ADDRESS_CLAIM, CLAIMS_IN_VERIFIED_CLAIMS, CORE_IDENTITY_CLAIM, DRIVING_PERMIT_CLAIM,
    PASSPORT_CLAIM, RETURN_CODE_CLAIM, VERIFIED_CLAIM_PREFIX, VERIFIED_CLAIMS,
};

/// What the grant says about the citizen's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GrantedIdentity {
    /// Proven at this level when the code was issued.
    Proven(ConfidenceLevel),
    /// Could not be proven; the relying party asked for return codes instead of an error.
    NotProven { return_codes: Vec<String> },
}

/// The return code for why a journey failed. Codes are deliberately coarse: a relying party
/// learns what to do next (offer another route, or not), never which record said what.
/// `B` blocked (a contra-indicator), `N` not matched, `S` stopped by the citizen, `L` the
/// proving attempt limit was reached (issue 11.5): the citizen may try online again after
/// `identity.attempt_window`, or prove their identity another way.
pub fn return_codes(failure: &Failure) -> Vec<String> {
    let code = match failure {
        Failure::Blocked(_) => "B",
        Failure::NotMatched => "N",
        Failure::Stopped => "S",
        Failure::AttemptsLimited { .. } => "L",
    };
    vec![code.to_owned()]
}

/// The identity claims the grant asked for, from `identity` (already re-checked). `today` is
/// the provider clock's day, for the `age_over_NN` claims: derived at each release, so a
/// service asking again after a birthday gets the new answer.
pub fn identity_claims(
    asked: &dyn Fn(&str) -> bool,
    identity: &ProvenIdentity,
    core_identity_jwt: Option<String>,
    today: Date,
) -> Map<String, Value> {
    let mut claims = Map::new();
    if let Some(jwt) = core_identity_jwt {
        claims.insert(CORE_IDENTITY_CLAIM.into(), Value::String(jwt));
    }
    let mut put = |name: &str, value: serde_json::Result<Value>| {
        if asked(name) {
            match value {
                Ok(value) => {
                    claims.insert(name.into(), value);
                }
                Err(e) => {
                    tracing::error!(claim = name, error = %e, "identity claim not serialisable")
                }
            }
        }
    };
    put(ADDRESS_CLAIM, serde_json::to_value(&identity.address));
    put(PASSPORT_CLAIM, serde_json::to_value(&identity.passport));
    put(
        DRIVING_PERMIT_CLAIM,
        serde_json::to_value(&identity.driving_permit),
    );
    put(RETURN_CODE_CLAIM, Ok(Value::Array(vec![])));
    for threshold in AgeThreshold::ALL {
        // No proven birth date (never the case at P2): the claim is left out, not guessed.
        if let Some(reached) = age_over(identity, threshold, today) {
            put(threshold.claim(), Ok(Value::Bool(reached)));
        }
    }
    if asked(VERIFIED_CLAIMS) {
        let selected = |name: &str| asked(&format!("{VERIFIED_CLAIM_PREFIX}{name}"));
        let selection = CLAIMS_IN_VERIFIED_CLAIMS.iter().any(|name| selected(name));
        // Without a selection, the verified name and birth date, as before selections were
        // read (the birth date answers any age question anyway).
        let wanted = |name: &str| {
            if selection {
                selected(name)
            } else {
                matches!(name, "given_name" | "family_name" | "birthdate")
            }
        };
        put(
            VERIFIED_CLAIMS,
            Ok(verified_claims(identity, &wanted, today)),
        );
    }
    claims
}

/// The return codes for a journey that failed, as the contract shapes them.
pub fn return_code_claim(codes: &[String]) -> Value {
    Value::Array(codes.iter().map(|c| json!({ "code": c })).collect())
}

/// The UK trust framework's assurance levels for GPG 45 levels of confidence.
fn assurance_level(level: ConfidenceLevel) -> &'static str {
    match level {
        ConfidenceLevel::P0 => "none",
        ConfidenceLevel::P1 => "low",
        ConfidenceLevel::P2 => "medium",
        ConfidenceLevel::P3 => "high",
    }
}

/// OpenID Connect for Identity Assurance 1.0 §5: the verified claims `wanted` says (the name
/// and birth date unless the request selected others), with the trust framework and a summary
/// of the evidence (documents, never their numbers). Age claims are derived on `today`.
pub fn verified_claims(
    identity: &ProvenIdentity,
    wanted: &dyn Fn(&str) -> bool,
    today: Date,
) -> Value {
    let name = identity.name.first();
    let given = name.map(|n| n.given_names().join(" ")).unwrap_or_default();
    let family = name
        .and_then(|n| n.family_name())
        .unwrap_or_default()
        .to_owned();
    let mut evidence = Vec::new();
    if !identity.passport.is_empty() {
        evidence.push(
            json!({"type": "document", "check_details": [{"check_method": "data"}],
            "document_details": {"type": "passport"}}),
        );
    }
    if !identity.driving_permit.is_empty() {
        evidence.push(
            json!({"type": "document", "check_details": [{"check_method": "data"}],
            "document_details": {"type": "driving_permit"}}),
        );
    }
    let mut verified = Map::new();
    let mut add = |name: &str, value: Value| {
        if wanted(name) {
            verified.insert(name.into(), value);
        }
    };
    add("given_name", Value::String(given));
    add("family_name", Value::String(family));
    add(
        "birthdate",
        json!(identity.birth_date.first().map(|b| b.value.to_string())),
    );
    for threshold in AgeThreshold::ALL {
        if let Some(reached) = age_over(identity, threshold, today) {
            add(threshold.claim(), Value::Bool(reached));
        }
    }
    let procedure: Vec<String> = identity.profiles.iter().map(|p| format!("{p:?}")).collect();
    json!({
        "verification": {
            "trust_framework": "uk_tfida",
            "assurance_level": assurance_level(identity.level),
            "assurance_process": {"policy": "GPG 45", "procedure": procedure.join(" ")},
            "evidence": evidence,
        },
        "claims": verified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use identity_proofing::{BirthDate, Name};
    use time::macros::date;

    /// Proven at P2, born on 29 February 2008.
    fn leap_day_identity() -> ProvenIdentity {
        ProvenIdentity {
            level: ConfidenceLevel::P2,
            profiles: vec![],
            name: vec![Name::new(&["Ada"], "Lovelace")],
            birth_date: vec![BirthDate {
                value: date!(2008 - 02 - 29),
            }],
            address: vec![],
            passport: vec![],
            driving_permit: vec![],
        }
    }

    #[test]
    fn age_claims_are_derived_on_the_day_and_give_nothing_else() {
        let identity = leap_day_identity();
        let asked = |name: &str| name == "age_over_18";
        let before = identity_claims(&asked, &identity, None, date!(2026 - 02 - 28));
        assert_eq!(Value::Object(before), json!({"age_over_18": false}));
        // 2026 is a common year: the birthday is 1 March.
        let on = identity_claims(&asked, &identity, None, date!(2026 - 03 - 01));
        assert_eq!(Value::Object(on), json!({"age_over_18": true}));
    }

    #[test]
    fn verified_claims_give_only_the_selected_claims() {
        let identity = leap_day_identity();
        let today = date!(2026 - 03 - 01);
        let asked = |name: &str| matches!(name, "verified_claims" | "verified_claims/age_over_21");
        let claims = identity_claims(&asked, &identity, None, today);
        assert_eq!(
            claims["verified_claims"]["claims"],
            json!({"age_over_21": false})
        );
        assert_eq!(
            claims["verified_claims"]["verification"]["trust_framework"],
            "uk_tfida"
        );
        assert_eq!(claims.len(), 1);
        // No selection: the name and birth date, as relying parties had them before.
        let asked = |name: &str| name == "verified_claims";
        let claims = identity_claims(&asked, &identity, None, today);
        assert_eq!(
            claims["verified_claims"]["claims"],
            json!({"given_name": "Ada", "family_name": "Lovelace", "birthdate": "2008-02-29"})
        );
    }
}
