//! The `evidence` item of an identity check credential: GPG 45 scores, what was checked and any
//! contra-indicators.

use serde::{Deserialize, Serialize};
use time::Date;

pub use crate::ci::{ContraIndicator, ContraIndicatorEffect};

/// The value of [`Evidence::kind`] for every check.
pub const IDENTITY_CHECK: &str = "IdentityCheck";

/// One identity check's result, scored against GPG 45. A score that the check does not give is
/// `None` (an address check gives none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// Always "IdentityCheck".
    #[serde(rename = "type")]
    pub kind: String,
    /// The checking service's transaction reference.
    pub txn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength_score: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_score: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_history_score: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_fraud_score: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_score: Option<u8>,
    #[serde(default)]
    pub check_details: Vec<CheckDetail>,
    #[serde(default)]
    pub failed_check_details: Vec<CheckDetail>,
    #[serde(default)]
    pub ci: Vec<ContraIndicator>,
}

impl Evidence {
    /// An identity check with the given transaction reference and nothing scored yet.
    pub fn identity_check(txn: impl Into<String>) -> Self {
        Self {
            kind: IDENTITY_CHECK.to_owned(),
            txn: txn.into(),
            strength_score: None,
            validity_score: None,
            activity_history_score: None,
            identity_fraud_score: None,
            verification_score: None,
            check_details: Vec::new(),
            failed_check_details: Vec::new(),
            ci: Vec::new(),
        }
    }

    /// Whether any contra-indicator on this evidence blocks proving.
    pub fn is_blocked(&self) -> bool {
        self.ci
            .iter()
            .any(|c| c.effect() == ContraIndicatorEffect::Blocks)
    }

    /// Whether this evidence counts towards a profile: it carries no contra-indicator at all.
    /// A check that failed with "needs alternative evidence" must not lend its scores.
    pub fn counts(&self) -> bool {
        self.ci.is_empty()
    }
}

/// One thing a check did (in `checkDetails` when it passed, `failedCheckDetails` when not).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckDetail {
    /// `data` (record match), `kbv` (knowledge question), `vri` (visual), `bvr`, `vcrypt`…
    pub check_method: String,
    /// For `kbv`: how the question was answered, e.g. `multiple_choice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kbv_response_mode: Option<String>,
    /// For `kbv`: the question's quality, 1 (low) to 3 (high).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kbv_quality: Option<u8>,
    /// For documents: `published` (checked against the issuer's record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_check_policy: Option<String>,
    /// For fraud checks: which check, e.g. `mortality_check`, `identity_theft_check`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraud_check: Option<String>,
    /// For activity history: the date activity is known from.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::date::option"
    )]
    pub activity_from: Option<Date>,
}

impl CheckDetail {
    /// A detail with only its method set.
    pub fn method(check_method: &str) -> Self {
        Self {
            check_method: check_method.to_owned(),
            kbv_response_mode: None,
            kbv_quality: None,
            identity_check_policy: None,
            fraud_check: None,
            activity_from: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serialises_in_the_contract_shape() {
        let evidence = Evidence {
            strength_score: Some(4),
            validity_score: Some(2),
            check_details: vec![CheckDetail::method("data")],
            ..Evidence::identity_check("txn-1")
        };
        let value = serde_json::to_value(&evidence).unwrap();
        assert_eq!(
            value,
            json!({"type": "IdentityCheck", "txn": "txn-1", "strengthScore": 4, "validityScore": 2,
                   "checkDetails": [{"checkMethod": "data"}], "failedCheckDetails": [], "ci": []})
        );
        assert_eq!(serde_json::from_value::<Evidence>(value).unwrap(), evidence);
    }

    #[test]
    fn contra_indicators_are_plain_strings() {
        let evidence: Evidence = serde_json::from_value(json!({
            "type": "IdentityCheck", "txn": "t", "ci": ["DOC-LOST-STOLEN"]
        }))
        .unwrap();
        assert_eq!(evidence.ci, [ContraIndicator::new("DOC-LOST-STOLEN")]);
        assert!(evidence.is_blocked());
        assert!(!evidence.counts());
    }
}
