//! Pairwise subject identifiers (OpenID Connect Core §8.1): each sector sees a different,
//! stable `sub` for the same citizen, so two departments cannot join their records by it.

use base64::Engine;
use sha2::{Digest, Sha256};

/// The contract's form: `urn:fdc:gov.uk:2022:` + base64url(SHA-256(sector ‖ account ‖ salt)).
pub fn subject(sector: &str, account_id: &str, salt: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(sector.as_bytes());
    hash.update(account_id.as_bytes());
    hash.update(salt.as_bytes());
    format!(
        "urn:fdc:gov.uk:2022:{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hash.finalize())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_per_sector_and_different_across_sectors() {
        let a = subject("driving.example.gov.uk", "account-1", "salt");
        assert_eq!(a, subject("driving.example.gov.uk", "account-1", "salt"));
        assert_ne!(a, subject("benefits.example.gov.uk", "account-1", "salt"));
        assert_ne!(a, subject("driving.example.gov.uk", "account-2", "salt"));
        assert_ne!(a, subject("driving.example.gov.uk", "account-1", "pepper"));
        assert!(a.starts_with("urn:fdc:gov.uk:2022:"));
        assert_eq!(a.len(), "urn:fdc:gov.uk:2022:".len() + 43);
    }
}
