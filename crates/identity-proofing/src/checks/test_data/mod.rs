//! [`TestDataSet`]: every check simulated over documented test people, from
//! `data/test-identities.toml` (see `data/README.md`).

use serde::Deserialize;
use time::Date;

use crate::checks::normalise_postcode;
use crate::claims::{Name, PostalAddress, fold};
use crate::error::{Error, Result};

mod address;
mod documents;
mod fraud;
mod knowledge;

const EMBEDDED: &str = include_str!("../../../data/test-identities.toml");

/// Simulates the authoritative sources (HM Passport Office, DVLA and DVA, the address register,
/// a fraud agency and a credit reference agency) over documented test data. It implements all
/// five check traits; a production deployment swaps in a client of each real service behind
/// the same trait.
#[derive(Clone, Debug)]
pub struct TestDataSet {
    people: Vec<Person>,
    register: Vec<PostalAddress>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    register: Vec<PostalAddress>,
    person: Vec<Person>,
}

/// One test person as the authoritative sources know them.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Person {
    id: String,
    given_names: String,
    family_name: String,
    #[serde(with = "crate::date")]
    birth_date: Date,
    #[serde(default)]
    fraud_marker: Option<FraudMarker>,
    #[serde(default)]
    passport: Option<PassportRecord>,
    #[serde(default)]
    driving_licence: Option<LicenceRecord>,
    #[serde(default)]
    address: Vec<PostalAddress>,
    #[serde(default)]
    knowledge: Knowledge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum FraudMarker {
    IdentityFraud,
    Deceased,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PassportRecord {
    number: String,
    #[serde(with = "crate::date")]
    expiry_date: Date,
    #[serde(default)]
    lost_or_stolen: bool,
    /// The holder's chip has been read and verified: validity 3 instead of 2.
    #[serde(default)]
    chip_verified: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LicenceRecord {
    issuer: crate::checks::DrivingLicenceIssuer,
    number: String,
    #[serde(with = "crate::date")]
    issue_date: Date,
    #[serde(with = "crate::date")]
    expiry_date: Date,
    #[serde(default)]
    issue_number: Option<String>,
    postcode: String,
    #[serde(default)]
    lost_or_stolen: bool,
}

/// What a credit reference agency knows, for knowledge-based questions. `None`: nothing of
/// that kind on record (the right answer is then "none of these").
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Knowledge {
    bank: Option<String>,
    loan: Option<String>,
    phone: Option<String>,
    monthly_mortgage: Option<u32>,
    energy: Option<String>,
    car_finance: Option<String>,
}

impl Person {
    fn name(&self) -> Name {
        Name::from_form(&self.given_names, &self.family_name)
    }

    /// Same name (case and spacing aside) and birth date.
    fn is(&self, given_names: &str, surname: &str, birth_date: Date) -> bool {
        fold(given_names) == fold(&self.given_names)
            && fold(surname) == fold(&self.family_name)
            && birth_date == self.birth_date
    }
}

impl TestDataSet {
    /// The data set shipped with the crate, `data/test-identities.toml`.
    pub fn embedded() -> Result<Self> {
        Self::from_toml(EMBEDDED)
    }

    /// A data set from TOML in the shape of `data/test-identities.toml`.
    pub fn from_toml(text: &str) -> Result<Self> {
        let file: File = toml::from_str(text).map_err(|e| Error::TestData(e.to_string()))?;
        let mut ids: Vec<&str> = file.person.iter().map(|p| p.id.as_str()).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::TestData(format!(
                "person `{}` appears twice",
                pair[0]
            )));
        }
        let postcodes = file
            .register
            .iter()
            .chain(file.person.iter().flat_map(|p| &p.address))
            .map(|a| a.postal_code.as_str())
            .chain(
                file.person
                    .iter()
                    .filter_map(|p| p.driving_licence.as_ref().map(|l| l.postcode.as_str())),
            );
        for postcode in postcodes {
            if normalise_postcode(postcode).as_deref() != Some(postcode) {
                return Err(Error::TestData(format!(
                    "postcode `{postcode}` is not in canonical form"
                )));
            }
        }
        Ok(Self {
            people: file.person,
            register: file.register,
        })
    }

    /// The ids of the people in the data set, in file order.
    pub fn person_ids(&self) -> Vec<&str> {
        self.people.iter().map(|p| p.id.as_str()).collect()
    }

    fn person(&self, name: &Name, birth_date: Date) -> Option<&Person> {
        let given = name.given_names().join(" ");
        let surname = name.family_name().unwrap_or("");
        self.people
            .iter()
            .find(|p| p.is(&given, surname, birth_date))
    }
}

/// FNV-1a: a small stable hash, so transaction references and question order are deterministic
/// without randomness.
fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// A transaction reference for one check, stable for the same input on the same day.
fn txn(source: &str, parts: &[&str], today: Date) -> String {
    let day = crate::date::format(today);
    let mut all = vec![source, day.as_str()];
    all.extend_from_slice(parts);
    format!("{source}-{:016x}", stable_hash(&all))
}

#[cfg(test)]
mod tests;
