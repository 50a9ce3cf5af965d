//! The GOV.UK identity vocabulary (`https://vocab.account.gov.uk/v1/...`): names, birth dates,
//! addresses and documents, in the JSON shape relying parties already read.

use serde::{Deserialize, Serialize};
use time::Date;

/// One part of a name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamePart {
    pub value: String,
    #[serde(rename = "type")]
    pub kind: NamePartType,
}

/// Whether a name part is a given name or the family name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NamePartType {
    GivenName,
    FamilyName,
}

/// A person's name, optionally with the dates it was used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::date::option"
    )]
    pub valid_from: Option<Date>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::date::option"
    )]
    pub valid_until: Option<Date>,
    pub name_parts: Vec<NamePart>,
}

impl Name {
    /// A current name from given names (first and middle) and a family name.
    pub fn new(given: &[&str], family: &str) -> Self {
        let part = |value: &str, kind| NamePart {
            value: value.to_owned(),
            kind,
        };
        let mut name_parts: Vec<NamePart> = given
            .iter()
            .map(|g| part(g, NamePartType::GivenName))
            .collect();
        name_parts.push(part(family, NamePartType::FamilyName));
        Self {
            valid_from: None,
            valid_until: None,
            name_parts,
        }
    }

    /// A name from given names written as one space-separated string, as forms collect them.
    pub fn from_form(given_names: &str, family: &str) -> Self {
        let given: Vec<&str> = given_names.split_whitespace().collect();
        Self::new(&given, family.trim())
    }

    /// The given names, first to last.
    pub fn given_names(&self) -> Vec<&str> {
        self.parts(NamePartType::GivenName).collect()
    }

    /// The family name, if the name has one.
    pub fn family_name(&self) -> Option<&str> {
        self.parts(NamePartType::FamilyName).next()
    }

    /// Given names then family name, space separated: "Kenneth Decerqueira".
    pub fn full_name(&self) -> String {
        let mut all = self.given_names();
        all.extend(self.family_name());
        all.join(" ")
    }

    /// Whether two names are the same person's name, ignoring case and spacing (record
    /// systems hold names in capitals; people type them as they like).
    pub fn matches(&self, other: &Name) -> bool {
        let key = |n: &Name| {
            (
                fold(&n.given_names().join(" ")),
                fold(n.family_name().unwrap_or("")),
            )
        };
        key(self) == key(other)
    }

    fn parts(&self, kind: NamePartType) -> impl Iterator<Item = &str> {
        self.name_parts
            .iter()
            .filter(move |p| p.kind == kind)
            .map(|p| p.value.as_str())
    }
}

/// Upper case with runs of white space folded to one space, for comparing what people type.
pub(crate) fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// A date of birth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthDate {
    #[serde(with = "crate::date")]
    pub value: Date,
}

/// A UK postal address in the GOV.UK address vocabulary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostalAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uprn: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_building_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_locality: Option<String>,
    pub postal_code: String,
    /// ISO 3166 alpha-2, "GB" for the UK.
    pub address_country: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::date::option"
    )]
    pub valid_from: Option<Date>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::date::option"
    )]
    pub valid_until: Option<Date>,
}

impl PostalAddress {
    /// The address on one line: "8 Hadley Road, Bath, BA2 5AA".
    pub fn one_line(&self) -> String {
        let street = [self.building_number.as_deref(), self.street_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        [
            self.sub_building_name.as_deref(),
            self.building_name.as_deref(),
            Some(street.as_str()).filter(|s| !s.is_empty()),
            self.address_locality.as_deref(),
            Some(self.postal_code.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// Whether two addresses are the same premises: same postcode and same flat, building name
    /// and number, ignoring case, spacing and the dates of residence.
    pub fn same_premises(&self, other: &PostalAddress) -> bool {
        let key = |a: &PostalAddress| {
            [
                Some(a.postal_code.as_str()),
                a.sub_building_name.as_deref(),
                a.building_name.as_deref(),
                a.building_number.as_deref(),
            ]
            .map(|p| fold(p.unwrap_or("")).replace(' ', ""))
        };
        key(self) == key(other)
    }
}

/// A UK passport as an identity check saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Passport {
    pub document_number: String,
    #[serde(with = "crate::date")]
    pub expiry_date: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icao_issuer_code: Option<String>,
}

/// A UK driving licence (photocard) as an identity check saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DrivingPermit {
    pub personal_number: String,
    #[serde(with = "crate::date")]
    pub expiry_date: Date,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::date::option"
    )]
    pub issue_date: Option<Date>,
    /// "DVLA" or "DVA".
    pub issued_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_address: Option<String>,
}

/// What a credential says about its subject; empty lists are left out of the JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialSubject {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_date: Vec<BirthDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<PostalAddress>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passport: Vec<Passport>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub driving_permit: Vec<DrivingPermit>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    fn kenneth_address() -> PostalAddress {
        PostalAddress {
            uprn: Some(100120012077),
            sub_building_name: None,
            building_name: None,
            building_number: Some("8".into()),
            street_name: Some("Hadley Road".into()),
            address_locality: Some("Bath".into()),
            postal_code: "BA2 5AA".into(),
            address_country: "GB".into(),
            valid_from: Some(date!(2014 - 01 - 01)),
            valid_until: None,
        }
    }

    #[test]
    fn name_helpers() {
        let name = Name::new(&["Kenneth", "Ian"], "Decerqueira");
        assert_eq!(name.given_names(), ["Kenneth", "Ian"]);
        assert_eq!(name.family_name(), Some("Decerqueira"));
        assert_eq!(name.full_name(), "Kenneth Ian Decerqueira");
        assert!(name.matches(&Name::from_form(" KENNETH   ian ", "decerqueira")));
        assert!(!name.matches(&Name::from_form("Kenneth", "Decerqueira")));
        assert!(!name.matches(&Name::from_form("Kenneth Ian", "Decerquiera")));
    }

    #[test]
    fn subject_serialises_in_the_contract_shape() {
        let subject = CredentialSubject {
            name: vec![Name {
                valid_from: Some(date!(2020 - 03 - 01)),
                ..Name::new(&["Alice"], "Doe")
            }],
            birth_date: vec![BirthDate {
                value: date!(1970 - 01 - 01),
            }],
            ..Default::default()
        };
        let expected = json!({
            "name": [{"validFrom": "2020-03-01", "nameParts": [
                {"value": "Alice", "type": "GivenName"}, {"value": "Doe", "type": "FamilyName"}]}],
            "birthDate": [{"value": "1970-01-01"}]
        });
        assert_eq!(serde_json::to_value(&subject).unwrap(), expected);
        let back: CredentialSubject = serde_json::from_value(expected).unwrap();
        assert_eq!(back, subject);
    }

    #[test]
    fn address_and_documents_use_camel_case() {
        let value = serde_json::to_value(kenneth_address()).unwrap();
        assert_eq!(
            value,
            json!({"uprn": 100120012077u64, "buildingNumber": "8", "streetName": "Hadley Road",
                   "addressLocality": "Bath", "postalCode": "BA2 5AA", "addressCountry": "GB",
                   "validFrom": "2014-01-01"})
        );
        let permit = DrivingPermit {
            personal_number: "DECER607085K99AE".into(),
            expiry_date: date!(2032 - 09 - 29),
            issue_date: Some(date!(2022 - 09 - 30)),
            issued_by: "DVLA".into(),
            issue_number: Some("23".into()),
            full_address: None,
        };
        let value = serde_json::to_value(&permit).unwrap();
        assert_eq!(value["personalNumber"], "DECER607085K99AE");
        assert_eq!(value["issueDate"], "2022-09-30");
        assert_eq!(value["issuedBy"], "DVLA");
        assert_eq!(
            serde_json::from_value::<DrivingPermit>(value).unwrap(),
            permit
        );
    }

    #[test]
    fn one_line_address() {
        assert_eq!(kenneth_address().one_line(), "8 Hadley Road, Bath, BA2 5AA");
        let flat = PostalAddress {
            sub_building_name: Some("Flat 2".into()),
            building_name: Some("Rose Court".into()),
            building_number: None,
            ..kenneth_address()
        };
        assert_eq!(
            flat.one_line(),
            "Flat 2, Rose Court, Hadley Road, Bath, BA2 5AA"
        );
        assert!(kenneth_address().same_premises(&PostalAddress {
            postal_code: "ba25aa".into(),
            valid_from: None,
            ..kenneth_address()
        }));
        assert!(!kenneth_address().same_premises(&flat));
    }
}
