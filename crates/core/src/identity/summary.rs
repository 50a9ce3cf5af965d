//! What the account page says of the citizen's proven identity: its level, when, the checks
//! behind it (never the document numbers) and the services it was shared with.

use crate::error::Result;
use one_login_store::{AuditKind, Database};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentitySummary {
    /// "P2 (medium confidence)".
    pub level: String,
    pub proven_at: i64,
    /// Each check behind it, in words ("UK passport"), and when it was made.
    pub evidence: Vec<(String, i64)>,
    /// Each service it was shared with (by client id), once, and when it last was.
    pub shared_with: Vec<(String, i64)>,
}

/// A check's source in the citizen's words.
pub fn source_in_words(source: &str) -> &str {
    match source {
        "passport" => "UK passport",
        "driving-licence" => "UK driving licence",
        "address" => "Your address",
        "address-manual" => "Your address, as you entered it (not checked)",
        "fraud" => "Fraud prevention check",
        "knowledge" => "Questions about your records",
        other => other,
    }
}

/// "P2 (medium confidence)".
pub fn level_in_words(level: &str) -> String {
    let confidence = match level {
        "P1" => "low confidence",
        "P2" => "medium confidence",
        "P3" => "high confidence",
        _ => "no confidence",
    };
    format!("{level} ({confidence})")
}

/// The account's proven identity, unless it has none or it expired.
pub async fn summary(db: &Database, account_id: &str, now: i64) -> Result<Option<IdentitySummary>> {
    let Some(record) = db.identity().record(account_id).await? else {
        return Ok(None);
    };
    if record.expires_at <= now {
        return Ok(None);
    }
    let evidence = db
        .identity()
        .credentials(account_id, now)
        .await?
        .into_iter()
        .filter(|c| record.credential_ids.contains(&c.id))
        .map(|c| (source_in_words(&c.source).to_owned(), c.created_at))
        .collect();
    let shared = db
        .audit()
        .details_of(account_id, AuditKind::IdentityShared)
        .await?;
    Ok(Some(IdentitySummary {
        level: level_in_words(&record.level),
        proven_at: record.proven_at,
        evidence,
        shared_with: first_of_each_client(shared),
    }))
}

/// The first entry per client of `IdentityShared` details ("<client id> …"), in their order.
fn first_of_each_client(shared: Vec<(String, i64)>) -> Vec<(String, i64)> {
    let mut seen = std::collections::BTreeSet::new();
    shared
        .into_iter()
        .filter_map(|(detail, at)| {
            let client_id = detail.split(' ').next().unwrap_or_default().to_owned();
            seen.insert(client_id.clone()).then_some((client_id, at))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_service_once_in_the_order_given() {
        let shared = vec![
            ("dvla P2".to_owned(), 30),
            ("dwp P2".to_owned(), 20),
            ("dvla P2".to_owned(), 10),
        ];
        assert_eq!(
            first_of_each_client(shared),
            [("dvla".to_owned(), 30), ("dwp".to_owned(), 20)]
        );
    }

    #[test]
    fn levels_and_sources_in_words() {
        assert_eq!(level_in_words("P2"), "P2 (medium confidence)");
        assert_eq!(level_in_words("P0"), "P0 (no confidence)");
        assert_eq!(source_in_words("driving-licence"), "UK driving licence");
        assert_eq!(source_in_words("other"), "other");
    }
}
