//! The details a citizen types in (document numbers, names, dates), checked as HM Passport
//! Office and DVLA forms check them, before any source is asked. Plain functions: the pages
//! call them and show the problems beside the fields.

use identity_proofing::{DrivingLicenceDetails, DrivingLicenceIssuer, PassportDetails};
use serde::Deserialize;
use time::{Date, Month};

use crate::i18n::Message;

/// One field's problem: the field's id, and the sentence the page shows beside it (in the
/// citizen's language, so a message, not English).
pub type Problem = (&'static str, Message);

/// Names as documents print them: letters of any script, spaces, apostrophes, hyphens and
/// full stops; at most 30 characters (the passport office's limit).
pub fn check_name(value: &str, what: &'static str) -> Result<String, Message> {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.is_empty() {
        return Err(Message::new("problem-enter-your").key("what", what));
    }
    if value.chars().count() > 30 {
        return Err(Message::new("problem-name-too-long").key("what", what));
    }
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '\'' | '’' | '-' | '.');
    if !value.chars().all(allowed) || !value.chars().any(char::is_alphabetic) {
        return Err(Message::new("problem-name-characters").key("what", what));
    }
    Ok(value)
}

/// A date typed as day, month and year.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DateFields {
    pub day: String,
    pub month: String,
    pub year: String,
}

/// When a date must fall, relative to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRule {
    /// A birth date: in the past, and a person alive today (at most 120 years ago).
    Birth,
    /// An issue date: not in the future, within 10 years.
    Issued,
    /// An expiry date: any real date (an expired document is judged by the check).
    Expiry,
}

pub fn parse_date(
    fields: &DateFields,
    rule: DateRule,
    today: Date,
    what: &'static str,
) -> Result<Date, Message> {
    let number = |s: &str| s.trim().parse::<i32>().ok();
    let (day, month, year) = (
        number(&fields.day),
        number(&fields.month),
        number(&fields.year),
    );
    let (Some(day), Some(month), Some(year)) = (day, month, year) else {
        return Err(
            if [&fields.day, &fields.month, &fields.year]
                .iter()
                .all(|f| f.trim().is_empty())
            {
                Message::new("problem-enter-your").key("what", what)
            } else {
                Message::new("problem-date-not-real").key("what", what)
            },
        );
    };
    if fields.year.trim().len() != 4 {
        return Err(Message::new("problem-date-year-digits").key("what", what));
    }
    let date = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .zip(u8::try_from(day).ok())
        .and_then(|(m, d)| Date::from_calendar_date(year, m, d).ok())
        .ok_or_else(|| Message::new("problem-date-not-real").key("what", what))?;
    match rule {
        DateRule::Birth if date >= today => {
            Err(Message::new("problem-date-in-future").key("what", what))
        }
        DateRule::Birth if today.year() - date.year() > 120 => {
            Err(Message::new("problem-date-over-120-years").key("what", what))
        }
        DateRule::Issued if date > today => {
            Err(Message::new("problem-date-in-future").key("what", what))
        }
        DateRule::Issued if today.year() - date.year() > 10 => {
            Err(Message::new("problem-date-over-10-years").key("what", what))
        }
        _ => Ok(date),
    }
}

/// Surname, first and middle names, and date of birth: on every document, checked alike.
fn person(
    surname: &str,
    given_names: &str,
    birth: &DateFields,
    today: Date,
    problems: &mut Vec<Problem>,
) -> Option<(String, String, Date)> {
    let surname = check_name(surname, "field-surname").map_err(|e| problems.push(("surname", e)));
    let given =
        check_name(given_names, "field-given-names").map_err(|e| problems.push(("given-names", e)));
    let birth = parse_date(birth, DateRule::Birth, today, "field-birth-date")
        .map_err(|e| problems.push(("birth-date-day", e)));
    Some((surname.ok()?, given.ok()?, birth.ok()?))
}

/// What the citizen typed on the passport page, by the page's field names.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PassportEntry {
    #[serde(default, rename = "passport-number")]
    pub passport_number: String,
    #[serde(default)]
    pub surname: String,
    #[serde(default, rename = "given-names")]
    pub given_names: String,
    #[serde(default, rename = "birth-date-day")]
    pub birth_day: String,
    #[serde(default, rename = "birth-date-month")]
    pub birth_month: String,
    #[serde(default, rename = "birth-date-year")]
    pub birth_year: String,
    #[serde(default, rename = "expiry-date-day")]
    pub expiry_day: String,
    #[serde(default, rename = "expiry-date-month")]
    pub expiry_month: String,
    #[serde(default, rename = "expiry-date-year")]
    pub expiry_year: String,
}

fn date_fields(day: &str, month: &str, year: &str) -> DateFields {
    DateFields {
        day: day.to_owned(),
        month: month.to_owned(),
        year: year.to_owned(),
    }
}

impl PassportEntry {
    pub fn birth(&self) -> DateFields {
        date_fields(&self.birth_day, &self.birth_month, &self.birth_year)
    }
    pub fn expiry(&self) -> DateFields {
        date_fields(&self.expiry_day, &self.expiry_month, &self.expiry_year)
    }
}

/// Checks the form; every problem at once, in the order of the fields.
pub fn passport_details(
    form: &PassportEntry,
    today: Date,
) -> Result<PassportDetails, Vec<Problem>> {
    let mut problems = Vec::new();
    let number: String = form
        .passport_number
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if number.is_empty() {
        problems.push((
            "passport-number",
            Message::new("msg-enter-your-passport-number"),
        ));
    } else if number.len() != 9 || !number.chars().all(|c| c.is_ascii_digit()) {
        problems.push((
            "passport-number",
            Message::new("msg-your-passport-number-should-be-9"),
        ));
    }
    let person = person(
        &form.surname,
        &form.given_names,
        &form.birth(),
        today,
        &mut problems,
    );
    let expiry = parse_date(
        &form.expiry(),
        DateRule::Expiry,
        today,
        "field-passport-expiry-date",
    )
    .map_err(|e| problems.push(("expiry-date-day", e)));
    match (person, expiry) {
        (Some((surname, given_names, birth_date)), Ok(expiry_date)) if problems.is_empty() => {
            Ok(PassportDetails {
                passport_number: number,
                surname,
                given_names,
                birth_date,
                expiry_date,
            })
        }
        _ => Err(problems),
    }
}

/// What the citizen typed on the driving licence page, by the page's field names.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DrivingLicenceEntry {
    #[serde(default, rename = "licence-number")]
    pub licence_number: String,
    #[serde(default)]
    pub surname: String,
    #[serde(default, rename = "given-names")]
    pub given_names: String,
    #[serde(default, rename = "birth-date-day")]
    pub birth_day: String,
    #[serde(default, rename = "birth-date-month")]
    pub birth_month: String,
    #[serde(default, rename = "birth-date-year")]
    pub birth_year: String,
    #[serde(default, rename = "issue-date-day")]
    pub issue_day: String,
    #[serde(default, rename = "issue-date-month")]
    pub issue_month: String,
    #[serde(default, rename = "issue-date-year")]
    pub issue_year: String,
    #[serde(default, rename = "expiry-date-day")]
    pub expiry_day: String,
    #[serde(default, rename = "expiry-date-month")]
    pub expiry_month: String,
    #[serde(default, rename = "expiry-date-year")]
    pub expiry_year: String,
    #[serde(default, rename = "issue-number")]
    pub issue_number: String,
    #[serde(default)]
    pub postcode: String,
}

impl DrivingLicenceEntry {
    pub fn birth(&self) -> DateFields {
        date_fields(&self.birth_day, &self.birth_month, &self.birth_year)
    }
    pub fn issue(&self) -> DateFields {
        date_fields(&self.issue_day, &self.issue_month, &self.issue_year)
    }
    pub fn expiry(&self) -> DateFields {
        date_fields(&self.expiry_day, &self.expiry_month, &self.expiry_year)
    }
}

/// DVLA licence numbers are 16 letters and digits; DVA (Northern Ireland) ones 8 digits.
pub fn driving_licence_details(
    form: &DrivingLicenceEntry,
    today: Date,
) -> Result<DrivingLicenceDetails, Vec<Problem>> {
    let mut problems = Vec::new();
    let number: String = form
        .licence_number
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let issuer = if number.len() == 16 && number.chars().all(|c| c.is_ascii_alphanumeric()) {
        Some(DrivingLicenceIssuer::Dvla)
    } else if number.len() == 8 && number.chars().all(|c| c.is_ascii_digit()) {
        Some(DrivingLicenceIssuer::Dva)
    } else {
        problems.push((
            "licence-number",
            if number.is_empty() {
                Message::new("msg-enter-the-number-from-section-5")
            } else {
                Message::new("msg-your-licence-number-should-be-16")
            },
        ));
        None
    };
    let person = person(
        &form.surname,
        &form.given_names,
        &form.birth(),
        today,
        &mut problems,
    );
    let issue = parse_date(
        &form.issue(),
        DateRule::Issued,
        today,
        "field-licence-issue-date",
    )
    .map_err(|e| problems.push(("issue-date-day", e)));
    let expiry = parse_date(
        &form.expiry(),
        DateRule::Expiry,
        today,
        "field-licence-expiry-date",
    )
    .map_err(|e| problems.push(("expiry-date-day", e)));
    let issue_number = form.issue_number.trim().to_owned();
    if issuer == Some(DrivingLicenceIssuer::Dvla)
        && (issue_number.len() != 2 || !issue_number.chars().all(|c| c.is_ascii_digit()))
    {
        problems.push((
            "issue-number",
            Message::new("msg-enter-the-2-numbers-of-the"),
        ));
    }
    let postcode = identity_proofing::normalise_postcode(&form.postcode);
    if postcode.is_none() {
        problems.push((
            "postcode",
            Message::new("msg-enter-a-uk-postcode-like-sw1a"),
        ));
    }
    match (issuer, person, issue, expiry, postcode) {
        (
            Some(issuer),
            Some((surname, given_names, birth_date)),
            Ok(issue_date),
            Ok(expiry_date),
            Some(postcode),
        ) if problems.is_empty() => Ok(DrivingLicenceDetails {
            issuer,
            licence_number: number,
            surname,
            given_names,
            birth_date,
            issue_date,
            expiry_date,
            issue_number: (issuer == DrivingLicenceIssuer::Dvla).then_some(issue_number),
            postcode,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 30);

    fn fields(d: &str, m: &str, y: &str) -> DateFields {
        DateFields {
            day: d.into(),
            month: m.into(),
            year: y.into(),
        }
    }

    #[test]
    fn names_in_any_script_with_apostrophes_and_hyphens_are_accepted() {
        for name in [
            "O'Brien",
            "Smith-Jones",
            "Zoë",
            "Ngọc",
            "Αλέξανδρος",
            "D’Arcy",
            "St. John",
        ] {
            assert!(check_name(name, "field-surname").is_ok(), "{name}");
        }
        assert_eq!(
            check_name("  Anne   Marie ", "field-surname").unwrap(),
            "Anne Marie"
        );
        for bad in ["", "<script>", "R2D2", "'-", &"a".repeat(31)] {
            assert!(check_name(bad, "field-surname").is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_must_be_real_and_plausible() {
        use DateRule::{Birth, Expiry, Issued};
        // (day, month, year, rule, the date or the problem's key), with today 30 November 2026.
        let table = [
            ("8", "7", "1965", Birth, Ok(date!(1965 - 07 - 08))),
            (" 08", "07 ", "1965", Birth, Ok(date!(1965 - 07 - 08))),
            ("31", "2", "1990", Birth, Err("problem-date-not-real")),
            ("0", "1", "1990", Birth, Err("problem-date-not-real")),
            ("1", "13", "1990", Birth, Err("problem-date-not-real")),
            ("x", "1", "1990", Birth, Err("problem-date-not-real")),
            ("1", "1", "90", Birth, Err("problem-date-year-digits")),
            ("", "", "", Birth, Err("problem-enter-your")),
            ("30", "11", "2026", Birth, Err("problem-date-in-future")),
            ("1", "1", "1880", Birth, Err("problem-date-over-120-years")),
            ("1", "1", "2030", Expiry, Ok(date!(2030 - 01 - 01))),
            ("1", "1", "2010", Issued, Err("problem-date-over-10-years")),
            ("1", "12", "2026", Issued, Err("problem-date-in-future")),
            ("30", "11", "2026", Issued, Ok(TODAY)),
        ];
        for (d, m, y, rule, expected) in table {
            let parsed = parse_date(&fields(d, m, y), rule, TODAY, "field-birth-date");
            assert_eq!(
                parsed.map_err(|problem| problem.key),
                expected,
                "{d}/{m}/{y} {rule:?}"
            );
        }
        assert_eq!(
            parse_date(&fields("", "", ""), Birth, TODAY, "field-birth-date")
                .unwrap_err()
                .to_string(),
            "Enter your date of birth"
        );
    }

    #[test]
    fn the_passport_form_reports_every_problem_by_field() {
        let problems = passport_details(&PassportEntry::default(), TODAY).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "passport-number",
                "surname",
                "given-names",
                "birth-date-day",
                "expiry-date-day"
            ]
        );
        let form = PassportEntry {
            passport_number: "321 654 987".into(),
            surname: "Decerqueira".into(),
            given_names: "Kenneth".into(),
            birth_day: "08".into(),
            birth_month: "07".into(),
            birth_year: "1965".into(),
            expiry_day: "1".into(),
            expiry_month: "1".into(),
            expiry_year: "2030".into(),
        };
        let details = passport_details(&form, TODAY).unwrap();
        assert_eq!(details.passport_number, "321654987");
    }

    #[test]
    fn licence_numbers_decide_the_issuer() {
        let mut form = DrivingLicenceEntry {
            licence_number: "decer607085k99ae".into(),
            surname: "Decerqueira".into(),
            given_names: "Kenneth".into(),
            birth_day: "8".into(),
            birth_month: "7".into(),
            birth_year: "1965".into(),
            issue_day: "1".into(),
            issue_month: "1".into(),
            issue_year: "2020".into(),
            expiry_day: "1".into(),
            expiry_month: "1".into(),
            expiry_year: "2030".into(),
            issue_number: "12".into(),
            postcode: "ba2 5aa".into(),
        };
        let details = driving_licence_details(&form, TODAY).unwrap();
        assert_eq!(details.issuer, DrivingLicenceIssuer::Dvla);
        assert_eq!(details.licence_number, "DECER607085K99AE");
        assert_eq!(details.postcode, "BA2 5AA");
        form.licence_number = "12345678".into();
        form.issue_number = String::new();
        assert_eq!(
            driving_licence_details(&form, TODAY).unwrap().issuer,
            DrivingLicenceIssuer::Dva
        );
        form.licence_number = "123".into();
        assert!(driving_licence_details(&form, TODAY).is_err());
    }
}
