//! The address pages' rules (issue 15): the addresses at a postcode in the order a citizen looks
//! for theirs (house-number order: "2" before "10", flats under their building in flat order),
//! and the GOV.UK address pattern for an address the register does not list, typed by hand.

use std::cmp::Ordering;

use identity_proofing::PostalAddress;
use serde::Deserialize;

use crate::i18n::Message;
use crate::identity::details::Problem;

/// `a` against `b` as people read numbers in text: runs of digits by their value ("Flat 2"
/// before "Flat 10"), the rest ignoring case.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (chunks(a), chunks(b));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x, y) {
                    (Chunk::Number(x), Chunk::Number(y)) => {
                        // By value without parsing (any length): fewer digits once leading
                        // zeros are gone is smaller; then digit by digit.
                        let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                        x.len().cmp(&y.len()).then_with(|| x.cmp(y))
                    }
                    (Chunk::Number(_), Chunk::Text(_)) => Ordering::Less,
                    (Chunk::Text(_), Chunk::Number(_)) => Ordering::Greater,
                    (Chunk::Text(x), Chunk::Text(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

enum Chunk<'a> {
    Number(&'a str),
    Text(&'a str),
}

fn chunks(text: &str) -> impl Iterator<Item = Chunk<'_>> {
    let mut rest = text.trim();
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let digits = first.is_ascii_digit();
        let end = rest
            .find(|c: char| c.is_ascii_digit() != digits)
            .unwrap_or(rest.len());
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(if digits {
            Chunk::Number(chunk)
        } else {
            Chunk::Text(chunk)
        })
    })
}

/// The addresses at a postcode in house-number order: by street, then house number or
/// building name, then flat, each compared as [`natural_cmp`] compares.
pub fn in_house_number_order(mut addresses: Vec<PostalAddress>) -> Vec<PostalAddress> {
    let key = |a: &PostalAddress| {
        [
            a.street_name.clone().unwrap_or_default(),
            a.building_number
                .clone()
                .or_else(|| a.building_name.clone())
                .unwrap_or_default(),
            a.building_name.clone().unwrap_or_default(),
            a.sub_building_name.clone().unwrap_or_default(),
        ]
    };
    addresses.sort_by(|a, b| {
        let (a, b) = (key(a), key(b));
        a.iter()
            .zip(&b)
            .map(|(x, y)| natural_cmp(x, y))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    addresses
}

/// What the citizen typed on the manual address page, by the page's field names.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ManualAddressEntry {
    #[serde(default, rename = "address-line-1")]
    pub line_1: String,
    #[serde(default, rename = "address-line-2")]
    pub line_2: String,
    #[serde(default, rename = "address-town")]
    pub town: String,
    #[serde(default, rename = "address-postcode")]
    pub postcode: String,
}

/// The longest line the form takes (the address register's own limit on a line).
const LONGEST_LINE: usize = 100;

/// Checks the form (every problem at once, in the order of the fields) and reads it as a
/// postal address: a first line starting with a number ("8 Hadley Road") is a house number
/// and street; otherwise it names the building, and the second line is the street.
pub fn manual_address(entry: &ManualAddressEntry) -> Result<PostalAddress, Vec<Problem>> {
    let tidy = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (line_1, line_2, town) = (tidy(&entry.line_1), tidy(&entry.line_2), tidy(&entry.town));
    let mut problems = Vec::new();
    let mut line = |field: &'static str, value: &str, required: Option<&'static str>| {
        if value.is_empty() {
            if let Some(missing) = required {
                problems.push((field, Message::new(missing)));
            }
        } else if value.chars().count() > LONGEST_LINE {
            problems.push((field, Message::new("problem-address-line-too-long")));
        } else if value.chars().any(char::is_control) {
            problems.push((field, Message::new("problem-address-characters")));
        }
    };
    line(
        "address-line-1",
        &line_1,
        Some("problem-enter-address-line-1"),
    );
    line("address-line-2", &line_2, None);
    line("address-town", &town, Some("problem-enter-town"));
    let postcode = identity_proofing::normalise_postcode(&entry.postcode);
    if postcode.is_none() {
        problems.push((
            "address-postcode",
            if entry.postcode.trim().is_empty() {
                Message::new("problem-enter-your").key("what", "field-postcode")
            } else {
                Message::new("problem-postcode-not-real")
            },
        ));
    }
    let Some(postcode) = postcode.filter(|_| problems.is_empty()) else {
        return Err(problems);
    };
    let some = |s: String| Some(s).filter(|s| !s.is_empty());
    let numbered = line_1
        .split_once(' ')
        .filter(|(number, _)| number.starts_with(|c: char| c.is_ascii_digit()));
    let (building_number, building_name, street_name) = match numbered {
        Some((number, street)) if line_2.is_empty() => {
            (some(number.to_owned()), None, some(street.to_owned()))
        }
        _ => (None, some(line_1), some(line_2)),
    };
    Ok(PostalAddress {
        uprn: None,
        sub_building_name: None,
        building_name,
        building_number,
        street_name,
        address_locality: some(town),
        postal_code: postcode,
        address_country: "GB".to_owned(),
        valid_from: None,
        valid_until: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(number: Option<&str>, name: Option<&str>, flat: Option<&str>) -> PostalAddress {
        PostalAddress {
            uprn: None,
            sub_building_name: flat.map(Into::into),
            building_name: name.map(Into::into),
            building_number: number.map(Into::into),
            street_name: Some("Hadley Road".into()),
            address_locality: Some("Bath".into()),
            postal_code: "BA2 5AA".into(),
            address_country: "GB".into(),
            valid_from: None,
            valid_until: None,
        }
    }

    #[test]
    fn numbers_in_text_compare_by_value() {
        assert_eq!(natural_cmp("2", "10"), Ordering::Less);
        assert_eq!(natural_cmp("Flat 10", "Flat 9"), Ordering::Greater);
        assert_eq!(natural_cmp("10A", "10B"), Ordering::Less);
        assert_eq!(natural_cmp("10", "10A"), Ordering::Less);
        assert_eq!(natural_cmp("007", "7"), Ordering::Equal);
        assert_eq!(natural_cmp("rose court", "Rose Court"), Ordering::Equal);
    }

    #[test]
    fn addresses_come_in_house_number_order_with_flats_under_their_building() {
        let found = vec![
            at(Some("10"), None, None),
            at(None, Some("Rose Court"), Some("Flat 10")),
            at(Some("2"), None, None),
            at(None, Some("Rose Court"), Some("Flat 2")),
            at(Some("1"), None, None),
        ];
        let lines: Vec<String> = in_house_number_order(found)
            .iter()
            .map(PostalAddress::one_line)
            .collect();
        assert_eq!(
            lines,
            [
                "1 Hadley Road, Bath, BA2 5AA",
                "2 Hadley Road, Bath, BA2 5AA",
                "10 Hadley Road, Bath, BA2 5AA",
                "Flat 2, Rose Court, Hadley Road, Bath, BA2 5AA",
                "Flat 10, Rose Court, Hadley Road, Bath, BA2 5AA",
            ]
        );
    }

    #[test]
    fn a_typed_address_is_checked_and_read_as_the_register_writes_it() {
        let entry = ManualAddressEntry {
            line_1: " 8  Hadley Road ".into(),
            line_2: String::new(),
            town: "Bath".into(),
            postcode: "ba25aa".into(),
        };
        let address = manual_address(&entry).unwrap();
        assert_eq!(address.building_number.as_deref(), Some("8"));
        assert_eq!(address.street_name.as_deref(), Some("Hadley Road"));
        assert_eq!(address.one_line(), "8 Hadley Road, Bath, BA2 5AA");
        let named = ManualAddressEntry {
            line_1: "Rose Cottage".into(),
            line_2: "Mill Lane".into(),
            ..entry.clone()
        };
        assert_eq!(
            manual_address(&named).unwrap().one_line(),
            "Rose Cottage, Mill Lane, Bath, BA2 5AA"
        );

        let problems = manual_address(&ManualAddressEntry {
            line_2: "x".repeat(101),
            postcode: "not a postcode".into(),
            ..ManualAddressEntry::default()
        })
        .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "address-line-1",
                "address-line-2",
                "address-town",
                "address-postcode"
            ]
        );
        assert_eq!(
            problems[0].1.to_string(),
            "Enter the first line of your address"
        );
    }
}
