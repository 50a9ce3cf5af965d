//! Contra-indicators: codes a check puts on its evidence when something speaks against the
//! identity.
//!
//! These codes are One Login's own, not GOV.UK's (whose code list is internal to its services);
//! each one says what a check found and what it does to a journey.
//!
//! | code | emitted by | meaning | effect |
//! |---|---|---|---|
//! | `DOC-NO-MATCH` | passport, driving licence checks | the document was not found, or its details do not match the issuer's record | needs alternative evidence |
//! | `DOC-LOST-STOLEN` | passport, driving licence checks | the document is reported lost or stolen | blocks |
//! | `ID-FRAUD` | fraud check | the identity is known to have been used fraudulently | blocks |
//! | `DECEASED` | fraud check | a death is registered for this identity | blocks |
//! | `KBV-FAILED` | knowledge check | too few knowledge questions answered correctly | needs alternative evidence |
//!
//! Any other code blocks: a code this library does not know is treated as the worst case.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Document not found, or its details do not match the record.
pub const DOCUMENT_NO_MATCH: &str = "DOC-NO-MATCH";
/// Document reported lost or stolen.
pub const DOCUMENT_LOST_OR_STOLEN: &str = "DOC-LOST-STOLEN";
/// Identity known to be used fraudulently.
pub const IDENTITY_FRAUD: &str = "ID-FRAUD";
/// A death is registered for the identity.
pub const DECEASED: &str = "DECEASED";
/// Knowledge-based verification failed.
pub const KBV_FAILED: &str = "KBV-FAILED";

/// What a contra-indicator does to a journey.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContraIndicatorEffect {
    /// The identity cannot be proven at any level above P0.
    Blocks,
    /// The evidence carrying it does not count; the person may prove another way.
    NeedsAlternativeEvidence,
}

/// Every code the checks in this crate emit, with its effect and meaning.
pub const CODES: &[(&str, ContraIndicatorEffect, &str)] = &[
    (
        DOCUMENT_NO_MATCH,
        ContraIndicatorEffect::NeedsAlternativeEvidence,
        "the document was not found or its details do not match the issuer's record",
    ),
    (
        DOCUMENT_LOST_OR_STOLEN,
        ContraIndicatorEffect::Blocks,
        "the document is reported lost or stolen",
    ),
    (
        IDENTITY_FRAUD,
        ContraIndicatorEffect::Blocks,
        "the identity is known to have been used fraudulently",
    ),
    (
        DECEASED,
        ContraIndicatorEffect::Blocks,
        "a death is registered for this identity",
    ),
    (
        KBV_FAILED,
        ContraIndicatorEffect::NeedsAlternativeEvidence,
        "too few knowledge-based questions were answered correctly",
    ),
];

/// A contra-indicator code, as it appears in an evidence's `ci` list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContraIndicator(pub String);

impl ContraIndicator {
    /// A contra-indicator with the given code.
    pub fn new(code: &str) -> Self {
        Self(code.to_owned())
    }

    /// What it does to a journey; unknown codes block (fail safe).
    pub fn effect(&self) -> ContraIndicatorEffect {
        self.known()
            .map_or(ContraIndicatorEffect::Blocks, |(_, effect, _)| effect)
    }

    /// What it means, in a sentence fit for a log or an operator.
    pub fn description(&self) -> &'static str {
        self.known()
            .map_or("unknown contra-indicator", |(_, _, description)| {
                description
            })
    }

    fn known(&self) -> Option<(&'static str, ContraIndicatorEffect, &'static str)> {
        CODES.iter().copied().find(|(code, _, _)| *code == self.0)
    }
}

impl fmt::Display for ContraIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_documented_effect() {
        use ContraIndicatorEffect::*;
        let expected = [
            (DOCUMENT_NO_MATCH, NeedsAlternativeEvidence),
            (DOCUMENT_LOST_OR_STOLEN, Blocks),
            (IDENTITY_FRAUD, Blocks),
            (DECEASED, Blocks),
            (KBV_FAILED, NeedsAlternativeEvidence),
        ];
        assert_eq!(expected.len(), CODES.len());
        for (code, effect) in expected {
            let ci = ContraIndicator::new(code);
            assert_eq!(ci.effect(), effect, "{code}");
            assert_ne!(ci.description(), "unknown contra-indicator");
        }
    }

    #[test]
    fn unknown_codes_block() {
        let ci = ContraIndicator::new("Z99");
        assert_eq!(ci.effect(), ContraIndicatorEffect::Blocks);
        assert_eq!(ci.description(), "unknown contra-indicator");
    }
}
