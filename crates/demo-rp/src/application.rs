//! The department's rules for an application, without HTTP: what it may be sent with.

use one_login_rp::identity::{CoreIdentity, DrivingPermit, PostalAddress};
use serde::Deserialize;
use time::{Date, Month};

use crate::error::{Error, Result};

/// A department that needs a proven identity never takes an application without one (issue
/// 15): the page offers no "Send application" before "Confirm your identity" has succeeded, and
/// this refuses one sent anyway.
pub fn may_send(needs_identity: bool, identity: Option<&CoreIdentity>) -> Result<()> {
    if needs_identity && identity.is_none() {
        return Err(Error::IdentityNeeded);
    }
    Ok(())
}

/// The application form's fields: filled in from the proven identity at first, and as the
/// citizen left them when a send is refused.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Details {
    #[serde(default)]
    pub full_name: String,
    #[serde(default, rename = "birth_date-day")]
    pub birth_day: String,
    #[serde(default, rename = "birth_date-month")]
    pub birth_month: String,
    #[serde(default, rename = "birth_date-year")]
    pub birth_year: String,
    #[serde(default)]
    pub address_line: String,
    #[serde(default)]
    pub town: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub licence_number: String,
}

impl Details {
    /// The form as the proven identity fills it in.
    pub fn proven(
        identity: Option<&CoreIdentity>,
        address: Option<&PostalAddress>,
        permit: Option<&DrivingPermit>,
    ) -> Details {
        let birth = identity.map(|i| i.birth_date);
        Details {
            full_name: identity.map(CoreIdentity::full_name).unwrap_or_default(),
            birth_day: birth.map(|d| d.day().to_string()).unwrap_or_default(),
            birth_month: birth
                .map(|d| u8::from(d.month()).to_string())
                .unwrap_or_default(),
            birth_year: birth.map(|d| d.year().to_string()).unwrap_or_default(),
            address_line: address.map(first_line).unwrap_or_default(),
            town: address
                .and_then(|a| a.address_locality.clone())
                .unwrap_or_default(),
            postcode: address.map(|a| a.postal_code.clone()).unwrap_or_default(),
            licence_number: permit
                .map(|p| p.personal_number.clone())
                .unwrap_or_default(),
        }
    }
}

/// An address's first line: flat, building, number and street.
fn first_line(address: &PostalAddress) -> String {
    let number_and_street = [
        address.building_number.as_deref(),
        address.street_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    [
        address.sub_building_name.as_deref(),
        address.building_name.as_deref(),
        Some(number_and_street.as_str()).filter(|s| !s.is_empty()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

/// An application the department takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub full_name: String,
    pub birth_date: Date,
    /// The address's lines, as one.
    pub address: String,
    pub licence_number: String,
}

/// A field to put right: its id (for the error summary's link) and the message's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub key: &'static str,
}

/// The details as an application, or what to put right, in the form's order.
pub fn check(details: &Details, today: Date) -> Result<Application, Vec<Problem>> {
    let mut problems = Vec::new();
    if details.full_name.trim().is_empty() {
        problems.push(Problem {
            field: "full_name".into(),
            key: "full-name-missing",
        });
    }
    let birth_date = birth_date(
        &details.birth_day,
        &details.birth_month,
        &details.birth_year,
        today,
    )
    .map_err(|problem| {
        problems.push(Problem {
            field: format!("birth_date-{}", problem.field()),
            key: problem.birth_date_key(),
        })
    });
    match birth_date {
        Ok(birth_date) if problems.is_empty() => Ok(Application {
            full_name: details.full_name.trim().to_owned(),
            birth_date,
            address: [&details.address_line, &details.town, &details.postcode]
                .into_iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            licence_number: details.licence_number.trim().to_owned(),
        }),
        _ => Err(problems),
    }
}

/// What is wrong with a date given in the GOV.UK date input's three fields, named as the
/// pattern's error messages are ("must include a month", "must be a real date").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    Missing,
    NoDay,
    NoMonth,
    NoYear,
    NotReal,
    NotInThePast,
}

impl DateProblem {
    /// The message key of the date of birth's error.
    pub fn birth_date_key(self) -> &'static str {
        match self {
            DateProblem::Missing => "birth-date-missing",
            DateProblem::NoDay => "birth-date-no-day",
            DateProblem::NoMonth => "birth-date-no-month",
            DateProblem::NoYear => "birth-date-no-year",
            DateProblem::NotReal => "birth-date-not-real",
            DateProblem::NotInThePast => "birth-date-not-in-the-past",
        }
    }

    /// The field the error summary links to: the first one to put right.
    pub fn field(self) -> &'static str {
        match self {
            DateProblem::NoMonth => "month",
            DateProblem::NoYear => "year",
            _ => "day",
        }
    }
}

/// A date of birth from the date input's day, month and year (spaces allowed, as people type
/// them), before `today`.
pub fn birth_date(day: &str, month: &str, year: &str, today: Date) -> Result<Date, DateProblem> {
    let [day, month, year] = [day, month, year].map(|part| part.trim());
    match (day.is_empty(), month.is_empty(), year.is_empty()) {
        (true, true, true) => return Err(DateProblem::Missing),
        (true, _, _) => return Err(DateProblem::NoDay),
        (_, true, _) => return Err(DateProblem::NoMonth),
        (_, _, true) => return Err(DateProblem::NoYear),
        _ => {}
    }
    let number = |part: &str| {
        part.chars()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse::<u16>().ok())
            .flatten()
    };
    let (Some(day), Some(month), Some(year)) = (number(day), number(month), number(year)) else {
        return Err(DateProblem::NotReal);
    };
    // Four figures: "65" is not a year anyone means here.
    if year < 1000 {
        return Err(DateProblem::NotReal);
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(DateProblem::NotReal)?;
    let day = u8::try_from(day).map_err(|_| DateProblem::NotReal)?;
    let date =
        Date::from_calendar_date(i32::from(year), month, day).map_err(|_| DateProblem::NotReal)?;
    if date >= today {
        return Err(DateProblem::NotInThePast);
    }
    Ok(date)
}

/// A reference as people read it aloud and copy it: three groups of four ("ABCD 1234 EFGH"),
/// capitals and figures without the ones easily mistaken for each other (0 and O, 1 and I).
pub fn reference(mut random: impl FnMut() -> String) -> String {
    const CONFUSABLE: &[char] = &['0', 'O', '1', 'I', 'L'];
    let mut characters = String::new();
    while characters.len() < 12 {
        characters.extend(
            random()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_uppercase())
                .filter(|c| !CONFUSABLE.contains(c)),
        );
    }
    grouped(&characters[..12])
}

/// `ABCD1234EFGH` as `ABCD 1234 EFGH`.
pub fn grouped(reference: &str) -> String {
    reference
        .as_bytes()
        .chunks(4)
        .filter_map(|chunk| std::str::from_utf8(chunk).ok())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 07);

    #[test]
    fn a_date_of_birth_from_three_fields() {
        assert_eq!(
            birth_date("8", "7", "1965", TODAY),
            Ok(date!(1965 - 07 - 08))
        );
        assert_eq!(
            birth_date(" 08 ", "07", "1965", TODAY),
            Ok(date!(1965 - 07 - 08))
        );
        assert_eq!(birth_date("", "", " ", TODAY), Err(DateProblem::Missing));
        assert_eq!(birth_date("", "7", "1965", TODAY), Err(DateProblem::NoDay));
        assert_eq!(
            birth_date("8", "", "1965", TODAY),
            Err(DateProblem::NoMonth)
        );
        assert_eq!(birth_date("8", "7", "", TODAY), Err(DateProblem::NoYear));
        for (day, month, year) in [
            ("31", "2", "1965"),
            ("8", "13", "1965"),
            ("8", "July", "1965"),
            ("8", "7", "65"),
            ("-8", "7", "1965"),
            ("8", "7", "99999"),
            ("300", "7", "1965"),
        ] {
            assert_eq!(
                birth_date(day, month, year, TODAY),
                Err(DateProblem::NotReal),
                "{day}/{month}/{year}"
            );
        }
        assert_eq!(
            birth_date("7", "12", "2026", TODAY),
            Err(DateProblem::NotInThePast)
        );
        assert_eq!(
            birth_date("1", "1", "2030", TODAY),
            Err(DateProblem::NotInThePast)
        );
        assert_eq!(DateProblem::NoMonth.field(), "month");
    }

    #[test]
    fn the_details_are_checked_in_the_form_s_order() {
        let details = Details {
            full_name: " Kenneth Decerqueira ".into(),
            birth_day: "8".into(),
            birth_month: "7".into(),
            birth_year: "1965".into(),
            address_line: "8 Hadley Road".into(),
            town: " ".into(),
            postcode: "BA2 5AA".into(),
            ..Details::default()
        };
        let application = check(&details, TODAY).unwrap();
        assert_eq!(application.full_name, "Kenneth Decerqueira");
        assert_eq!(application.birth_date, date!(1965 - 07 - 08));
        assert_eq!(application.address, "8 Hadley Road, BA2 5AA");
        let problems = check(
            &Details {
                full_name: String::new(),
                birth_month: String::new(),
                ..details
            },
            TODAY,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                Problem {
                    field: "full_name".into(),
                    key: "full-name-missing"
                },
                Problem {
                    field: "birth_date-month".into(),
                    key: "birth-date-no-month"
                },
            ]
        );
    }

    #[test]
    fn references_are_grouped_in_fours_without_confusable_characters() {
        assert_eq!(grouped("ABCD1234EFGH"), "ABCD 1234 EFGH");
        let mut answers = ["ab-c0O1Il_d".to_owned(), "efghjkmnpqrs".to_owned()].into_iter();
        let reference = reference(|| answers.next().unwrap());
        assert_eq!(reference, "ABCD EFGH JKMN");
    }

    #[test]
    fn an_application_needs_the_identity_the_service_needs() {
        assert!(matches!(may_send(true, None), Err(Error::IdentityNeeded)));
        assert!(may_send(false, None).is_ok());
    }
}
