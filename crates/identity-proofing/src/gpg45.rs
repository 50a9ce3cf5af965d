//! GPG 45: from scored evidence to a level of confidence, driven by the contract's profile table.
//!
//! A profile is met when each of its document requirements `(strength, validity)` is met or
//! beaten by a *different* piece of evidence, and the best activity, fraud and verification
//! scores across all evidence meet its minimums. Evidence carrying a contra-indicator does not
//! count; a blocking contra-indicator anywhere stops every level above P0.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::evidence::{ContraIndicator, Evidence};
use crate::level::{ConfidenceLevel, Profile};

/// What one profile asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProfileRequirement {
    pub profile: Profile,
    /// `(strength, validity)` per document, each met by a different piece of evidence.
    pub documents: &'static [(u8, u8)],
    pub activity: u8,
    pub fraud: u8,
    pub verification: u8,
}

const fn row(
    profile: Profile,
    documents: &'static [(u8, u8)],
    activity: u8,
    fraud: u8,
    verification: u8,
) -> ProfileRequirement {
    ProfileRequirement {
        profile,
        documents,
        activity,
        fraud,
        verification,
    }
}

/// The contract's table, in its order (which also breaks ties in [`missing_for`]).
pub const TABLE: &[ProfileRequirement] = &[
    row(Profile::L1A, &[(2, 2)], 0, 1, 1),
    row(Profile::M1A, &[(4, 2)], 0, 1, 2),
    row(Profile::M1B, &[(3, 2)], 1, 2, 2),
    row(Profile::M1C, &[(3, 3)], 0, 0, 3),
    row(Profile::M2B, &[(3, 2), (2, 2)], 1, 1, 2),
    row(Profile::H1A, &[(4, 3)], 0, 1, 3),
];

/// The table row of a profile.
pub fn requirement(profile: Profile) -> ProfileRequirement {
    TABLE
        .iter()
        .copied()
        .find(|r| r.profile == profile)
        // Every profile has a row (tested); L1A is the least harmful answer if one did not.
        .unwrap_or(TABLE[0])
}

/// Something still to be shown to reach a profile, in the terms a journey asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Need {
    /// A (further) identity document of at least this strength and validity.
    IdentityDocument { strength: u8, validity: u8 },
    /// An activity history score of at least this.
    ActivityHistory(u8),
    /// An identity fraud score of at least this.
    IdentityFraud(u8),
    /// A verification score of at least this.
    Verification(u8),
}

/// Contra-indicators that stop the identity being proven.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    pub blocking: Vec<ContraIndicator>,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = self.blocking.iter().map(|c| c.0.as_str()).collect();
        write!(f, "blocked by contra-indicators {}", codes.join(", "))
    }
}

impl std::error::Error for Blocked {}

/// The result of [`assess`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The highest level met (P0 when blocked or nothing is met).
    pub level: ConfidenceLevel,
    /// Every profile met, in table order (empty when blocked).
    pub profiles: Vec<Profile>,
    /// Blocking contra-indicators found, each once.
    pub blocking: Vec<ContraIndicator>,
}

/// The scores that count, gathered across all evidence.
struct Scores {
    documents: Vec<(u8, u8)>,
    activity: u8,
    fraud: u8,
    verification: u8,
}

impl Scores {
    fn of(evidence: &[Evidence]) -> Self {
        let counted: Vec<&Evidence> = evidence.iter().filter(|e| e.counts()).collect();
        let best = |score: fn(&Evidence) -> Option<u8>| {
            counted.iter().filter_map(|e| score(e)).max().unwrap_or(0)
        };
        Self {
            documents: counted
                .iter()
                .filter_map(|e| Some((e.strength_score?, e.validity_score?)))
                .collect(),
            activity: best(|e| e.activity_history_score),
            fraud: best(|e| e.identity_fraud_score),
            verification: best(|e| e.verification_score),
        }
    }

    /// What is still missing for `req`, journey order.
    fn needs(&self, req: &ProfileRequirement) -> Vec<Need> {
        let mut used = vec![false; self.documents.len()];
        let mut needs: Vec<Need> = unmet_documents(req.documents, &self.documents, &mut used)
            .into_iter()
            .map(|(strength, validity)| Need::IdentityDocument { strength, validity })
            .collect();
        if self.activity < req.activity {
            needs.push(Need::ActivityHistory(req.activity));
        }
        if self.fraud < req.fraud {
            needs.push(Need::IdentityFraud(req.fraud));
        }
        if self.verification < req.verification {
            needs.push(Need::Verification(req.verification));
        }
        needs
    }
}

/// The fewest document requirements left unmet when each document serves at most one
/// requirement. Exhaustive: profiles ask for at most two documents.
fn unmet_documents(
    required: &[(u8, u8)],
    documents: &[(u8, u8)],
    used: &mut [bool],
) -> Vec<(u8, u8)> {
    let Some((&first, rest)) = required.split_first() else {
        return Vec::new();
    };
    let mut best = unmet_documents(rest, documents, used);
    best.insert(0, first);
    for i in 0..documents.len() {
        let (strength, validity) = documents[i];
        if used[i] || strength < first.0 || validity < first.1 {
            continue;
        }
        used[i] = true;
        let unmet = unmet_documents(rest, documents, used);
        used[i] = false;
        if unmet.len() < best.len() {
            best = unmet;
        }
    }
    best
}

fn blocking(evidence: &[Evidence]) -> Vec<ContraIndicator> {
    let mut found: Vec<ContraIndicator> = Vec::new();
    for ci in evidence.iter().flat_map(|e| &e.ci) {
        if ci.effect() == crate::ci::ContraIndicatorEffect::Blocks && !found.contains(ci) {
            found.push(ci.clone());
        }
    }
    found
}

/// The highest level the evidence meets, every profile it meets, and any blocking
/// contra-indicators (which force P0).
pub fn assess(evidence: &[Evidence]) -> Assessment {
    let blocking = blocking(evidence);
    if !blocking.is_empty() {
        return Assessment {
            level: ConfidenceLevel::P0,
            profiles: Vec::new(),
            blocking,
        };
    }
    let scores = Scores::of(evidence);
    let profiles: Vec<Profile> = TABLE
        .iter()
        .filter(|r| scores.needs(r).is_empty())
        .map(|r| r.profile)
        .collect();
    let level = profiles
        .iter()
        .map(|p| p.level())
        .max()
        .unwrap_or(ConfidenceLevel::P0);
    Assessment {
        level,
        profiles,
        blocking,
    }
}

/// Whether the evidence meets `level`. P0 is always met, even when blocked: it asks for nothing.
pub fn meets(evidence: &[Evidence], level: ConfidenceLevel) -> bool {
    level == ConfidenceLevel::P0 || assess(evidence).level >= level
}

/// What is still needed to reach `target`: empty when it is met; otherwise the needs of the
/// profile at that level closest to being met (fewest needs, ties by table order), documents
/// first, then activity, fraud and verification. `Err` when a contra-indicator blocks.
pub fn missing_for(evidence: &[Evidence], target: ConfidenceLevel) -> Result<Vec<Need>, Blocked> {
    let assessment = assess(evidence);
    if !assessment.blocking.is_empty() {
        return Err(Blocked {
            blocking: assessment.blocking,
        });
    }
    if assessment.level >= target {
        return Ok(Vec::new());
    }
    let scores = Scores::of(evidence);
    let mut closest: Option<Vec<Need>> = None;
    for req in TABLE.iter().filter(|r| r.profile.level() == target) {
        let needs = scores.needs(req);
        if closest.as_ref().is_none_or(|c| needs.len() < c.len()) {
            closest = Some(needs);
        }
    }
    Ok(closest.unwrap_or_default())
}

#[cfg(test)]
mod tests;
