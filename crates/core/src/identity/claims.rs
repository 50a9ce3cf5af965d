//! What a relying party is given about a citizen's identity at userinfo: the GOV.UK claims
//! (`coreIdentityJWT`, `address`, `passport`, `drivingPermit`, `returnCode`) and, for relying
//! parties that speak the standard, OpenID Connect for Identity Assurance `verified_claims`.
//! Both come from the same proven identity, re-checked from the stored evidence at each release.

use identity_proofing::{ConfidenceLevel, ProvenIdentity};

use super::journey::Failure;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::oidc::clients::{
    ADDRESS_CLAIM, CORE_IDENTITY_CLAIM, DRIVING_PERMIT_CLAIM, PASSPORT_CLAIM, RETURN_CODE_CLAIM,
    VERIFIED_CLAIMS,
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

/// The identity claims the grant asked for, from `identity` (already re-checked).
pub fn identity_claims(
    asked: &dyn Fn(&str) -> bool,
    identity: &ProvenIdentity,
    core_identity_jwt: Option<String>,
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
    put(VERIFIED_CLAIMS, Ok(verified_claims(identity)));
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

/// OpenID Connect for Identity Assurance 1.0 §5: the verified name and birth date, with the
/// trust framework and a summary of the evidence (documents, never their numbers).
pub fn verified_claims(identity: &ProvenIdentity) -> Value {
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
    let procedure: Vec<String> = identity.profiles.iter().map(|p| format!("{p:?}")).collect();
    json!({
        "verification": {
            "trust_framework": "uk_tfida",
            "assurance_level": assurance_level(identity.level),
            "assurance_process": {"policy": "GPG 45", "procedure": procedure.join(" ")},
            "evidence": evidence,
        },
        "claims": {
            "given_name": given,
            "family_name": family,
            "birthdate": identity.birth_date.first().map(|b| b.value.to_string()),
        }
    })
}
