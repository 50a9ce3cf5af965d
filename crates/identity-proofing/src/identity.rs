//! From verified credentials to a proven identity, and the DID document that publishes the key
//! signing core identity JWTs.

use jsonwebtoken::jwk::Jwk;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::claims::{BirthDate, DrivingPermit, Name, Passport, PostalAddress};
use crate::credential::VerifiedCredential;
use crate::error::{Error, Result};
use crate::evidence::Evidence;
use crate::gpg45::{assess, missing_for};
use crate::level::{ConfidenceLevel, Profile};

/// Who the credentials prove the person to be, and how surely.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenIdentity {
    /// The highest level met (at least the one asked for).
    pub level: ConfidenceLevel,
    /// Every GPG 45 profile met.
    pub profiles: Vec<Profile>,
    pub name: Vec<Name>,
    pub birth_date: Vec<BirthDate>,
    pub address: Vec<PostalAddress>,
    pub passport: Vec<Passport>,
    pub driving_permit: Vec<DrivingPermit>,
}

/// Adds `item` unless the list already holds the same thing by `same`.
fn push_new<T: Clone>(list: &mut Vec<T>, item: &T, same: impl Fn(&T, &T) -> bool) {
    if !list.iter().any(|x| same(x, item)) {
        list.push(item.clone());
    }
}

/// Proves an identity to `target` from verified credentials.
///
/// Only credentials whose evidence carries no contra-indicator say who the person is (a failed
/// document check records what was typed, not what was confirmed); every credential's evidence
/// counts towards the level, and a blocking contra-indicator on any of them refuses.
///
/// Errors: [`Error::DifferentPeople`] when the credentials name different birth dates or
/// names, [`Error::Blocked`], or [`Error::LevelNotMet`] with the level reached and what is
/// still needed.
pub fn prove(
    credentials: &[VerifiedCredential],
    target: ConfidenceLevel,
) -> Result<ProvenIdentity> {
    let evidence: Vec<Evidence> = credentials
        .iter()
        .flat_map(|c| c.evidence.clone())
        .collect();
    let needs = missing_for(&evidence, target).map_err(Error::Blocked)?;
    if !needs.is_empty() {
        return Err(Error::LevelNotMet {
            target,
            reached: assess(&evidence).level,
            needs,
        });
    }
    let assessment = assess(&evidence);
    let mut identity = ProvenIdentity {
        level: assessment.level,
        profiles: assessment.profiles,
        name: Vec::new(),
        birth_date: Vec::new(),
        address: Vec::new(),
        passport: Vec::new(),
        driving_permit: Vec::new(),
    };
    let confirmed = credentials
        .iter()
        .filter(|c| c.evidence.iter().all(|e| e.ci.is_empty()))
        .map(|c| &c.credential_subject);
    for subject in confirmed {
        for name in &subject.name {
            push_new(&mut identity.name, name, Name::matches);
        }
        for birth in &subject.birth_date {
            push_new(&mut identity.birth_date, birth, |a, b| a.value == b.value);
        }
        for address in &subject.address {
            push_new(&mut identity.address, address, PostalAddress::same_premises);
        }
        for passport in &subject.passport {
            push_new(&mut identity.passport, passport, |a, b| {
                a.document_number == b.document_number
            });
        }
        for permit in &subject.driving_permit {
            push_new(&mut identity.driving_permit, permit, |a, b| {
                a.personal_number == b.personal_number
            });
        }
    }
    if let [first, second, ..] = identity.birth_date.as_slice() {
        return Err(Error::DifferentPeople(format!(
            "birth dates {} and {}",
            crate::date::format(first.value),
            crate::date::format(second.value)
        )));
    }
    if let [first, second, ..] = identity.name.as_slice() {
        return Err(Error::DifferentPeople(format!(
            "names {} and {}",
            first.full_name(),
            second.full_name()
        )));
    }
    if identity.name.is_empty() || identity.birth_date.is_empty() {
        return Err(Error::DifferentPeople(
            "no confirmed name and birth date".to_owned(),
        ));
    }
    Ok(identity)
}

/// `did:web:<host>`: a port's colon is percent-encoded, as did:web requires.
fn did(did_host: &str) -> String {
    format!("did:web:{}", did_host.replace(':', "%3A"))
}

/// The `kid` of a key in the DID document: `did:web:<host>#<kid>`.
pub fn did_key_id(did_host: &str, kid: &str) -> String {
    format!("{}#{kid}", did(did_host))
}

/// The DID document (`/.well-known/did.json`) listing `keys` (kid, public JWK) as assertion
/// methods, in the contract's shape.
pub fn did_document(did_host: &str, keys: &[(String, Jwk)]) -> Value {
    let controller = did(did_host);
    let methods: Vec<Value> = keys
        .iter()
        .map(|(kid, jwk)| {
            json!({
                "id": did_key_id(did_host, kid),
                "type": "JsonWebKey",
                "controller": controller,
                "publicKeyJwk": jwk,
            })
        })
        .collect();
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        "id": controller,
        "assertionMethod": methods,
    })
}

#[cfg(test)]
mod tests;
