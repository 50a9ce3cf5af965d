//! Dates as GOV.UK writes them, `YYYY-MM-DD`, for serde. Hand-written so the crate needs no
//! extra `time` features.

use serde::{Deserialize, Deserializer, Serializer};
use time::{Date, Month};

/// `1965-07-08`.
pub fn format(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Reads `YYYY-MM-DD`; `None` for anything else.
pub fn parse(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// The date `months` calendar months after `date`, the day clamped to the month's length.
pub fn add_months(date: Date, months: i32) -> Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .unwrap_or(Month::December);
    let mut day = date.day();
    loop {
        if let Ok(d) = Date::from_calendar_date(year, month, day) {
            return d;
        }
        // Only days 29 to 31 can fail, so this ends within three steps.
        day -= 1;
    }
}

pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*date))
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let s = String::deserialize(d)?;
    parse(&s).ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a YYYY-MM-DD date")))
}

/// The same for `Option<Date>`, with `#[serde(default, skip_serializing_if = "Option::is_none")]`.
pub mod option {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => super::serialize(date, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| {
                super::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!("`{s}` is not a YYYY-MM-DD date"))
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn formats_and_parses() {
        assert_eq!(format(date!(1965 - 07 - 08)), "1965-07-08");
        assert_eq!(parse("1965-07-08"), Some(date!(1965 - 07 - 08)));
        for bad in [
            "1965-7-8",
            "1965-02-30",
            "19650708",
            "1965-07-08-1",
            "abcd-ef-gh",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn adds_months_clamping_the_day() {
        assert_eq!(add_months(date!(2020 - 01 - 31), 1), date!(2020 - 02 - 29));
        assert_eq!(add_months(date!(2020 - 08 - 15), 18), date!(2022 - 02 - 15));
        assert_eq!(add_months(date!(2020 - 12 - 01), 1), date!(2021 - 01 - 01));
        assert_eq!(add_months(date!(2021 - 03 - 31), -1), date!(2021 - 02 - 28));
    }
}
