//! The address register over the test data.

use async_trait::async_trait;
use time::Date;

use super::TestDataSet;
use crate::checks::{AddressCheck, CheckOutcome, normalise_postcode};
use crate::claims::{CredentialSubject, PostalAddress};
use crate::error::{Error, Result};

impl TestDataSet {
    /// Every premises the register knows: its own list, then the test people's addresses,
    /// without residence dates (the register knows buildings, not who lives there).
    fn premises(&self) -> Vec<PostalAddress> {
        let mut all: Vec<PostalAddress> = Vec::new();
        let known = self
            .register
            .iter()
            .chain(self.people.iter().flat_map(|p| &p.address));
        for address in known {
            if !all.iter().any(|a| a.same_premises(address)) {
                all.push(PostalAddress {
                    valid_from: None,
                    valid_until: None,
                    ..address.clone()
                });
            }
        }
        all
    }
}

fn postcode(s: &str) -> Result<String> {
    normalise_postcode(s).ok_or_else(|| Error::InvalidInput(format!("`{s}` is not a UK postcode")))
}

#[async_trait]
impl AddressCheck for TestDataSet {
    async fn find(&self, code: &str) -> Result<Vec<PostalAddress>> {
        let code = postcode(code)?;
        Ok(self
            .premises()
            .into_iter()
            .filter(|a| a.postal_code == code)
            .collect())
    }

    async fn confirm(&self, address: &PostalAddress, today: Date) -> Result<CheckOutcome> {
        if address.valid_from.is_some_and(|from| from > today) {
            return Err(Error::InvalidInput("moved in after today".to_owned()));
        }
        let mut confirmed = PostalAddress {
            postal_code: postcode(&address.postal_code)?,
            address_country: "GB".to_owned(),
            ..address.clone()
        };
        // A manually entered address that the register knows gets its UPRN.
        if let Some(known) = self.premises().iter().find(|a| a.same_premises(&confirmed)) {
            confirmed.uprn = known.uprn;
        }
        Ok(CheckOutcome {
            subject: CredentialSubject {
                address: vec![confirmed],
                ..Default::default()
            },
            evidence: Vec::new(),
        })
    }
}
