//! Age without a birth date (issue 17 §2): whether a proven person has reached an age, derived
//! from the proven birth date on a given day, so a service that only needs "over 18" is never
//! told the birth date. Pure functions: the day is a parameter (the provider passes its clock's).

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::identity::ProvenIdentity;

/// The ages a relying party may ask about, as `age_over_NN` claims (the names the OpenID
/// Connect for Identity Assurance claims registry and ISO/IEC 18013-5 mdoc use).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeThreshold {
    Over16,
    Over18,
    Over21,
}

impl AgeThreshold {
    pub const ALL: [AgeThreshold; 3] = [Self::Over16, Self::Over18, Self::Over21];

    /// The age in whole years the person must have reached.
    pub fn years(self) -> u8 {
        match self {
            Self::Over16 => 16,
            Self::Over18 => 18,
            Self::Over21 => 21,
        }
    }

    /// The claim name: `age_over_18`.
    pub fn claim(self) -> &'static str {
        match self {
            Self::Over16 => "age_over_16",
            Self::Over18 => "age_over_18",
            Self::Over21 => "age_over_21",
        }
    }

    /// The threshold a claim name asks about, if it is one.
    pub fn from_claim(name: &str) -> Option<AgeThreshold> {
        Self::ALL.into_iter().find(|t| t.claim() == name)
    }
}

/// The day someone born on `birth` has their birthday in `year`. A 29 February birthday falls
/// on 1 March in a year that is not a leap year: the day after 28 February, when the person
/// has lived the whole of that many years. A person attains an age at the start of the
/// anniversary of their birth (Family Law Reform Act 1969 s.9); for a leap-day birth in a
/// common year the usual UK reading is that the anniversary is 1 March (some countries use
/// 28 February; we take the later day, which never says "over 18" too early).
pub fn birthday_in(birth: Date, year: i32) -> Option<Date> {
    match Date::from_calendar_date(year, birth.month(), birth.day()) {
        Ok(day) => Some(day),
        // Only 29 February can be missing from a year.
        Err(_) => Date::from_calendar_date(year, Month::March, 1).ok(),
    }
}

/// Whether someone born on `birth` is `years` old or older on `today`.
pub fn has_reached(birth: Date, years: u8, today: Date) -> bool {
    birthday_in(birth, birth.year() + i32::from(years)).is_some_and(|day| today >= day)
}

/// The answer to an `age_over_NN` claim for a proven identity on `today`, from its (first,
/// current) proven birth date; `None` when the identity holds no birth date.
pub fn age_over(identity: &ProvenIdentity, threshold: AgeThreshold, today: Date) -> Option<bool> {
    let birth = identity.birth_date.first()?.value;
    Some(has_reached(birth, threshold.years(), today))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn an_age_is_reached_on_the_birthday_not_the_day_before() {
        let birth = date!(2008 - 07 - 08);
        assert!(!has_reached(birth, 18, date!(2026 - 07 - 07)));
        assert!(has_reached(birth, 18, date!(2026 - 07 - 08)));
        assert!(has_reached(birth, 18, date!(2026 - 07 - 09)));
        assert!(has_reached(birth, 16, date!(2026 - 07 - 07)));
        assert!(!has_reached(birth, 21, date!(2029 - 07 - 07)));
        assert!(has_reached(birth, 21, date!(2029 - 07 - 08)));
        // Born in December, asked in January: the year alone would say yes.
        assert!(!has_reached(
            date!(2007 - 12 - 31),
            18,
            date!(2025 - 01 - 01)
        ));
        assert!(has_reached(
            date!(2007 - 12 - 31),
            18,
            date!(2025 - 12 - 31)
        ));
    }

    #[test]
    fn a_leap_day_birthday_turns_n_on_1_march_in_a_common_year() {
        let birth = date!(2008 - 02 - 29);
        // 2026 is not a leap year: 18 on 1 March, not on 28 February.
        assert_eq!(birthday_in(birth, 2026), Some(date!(2026 - 03 - 01)));
        assert!(!has_reached(birth, 18, date!(2026 - 02 - 28)));
        assert!(has_reached(birth, 18, date!(2026 - 03 - 01)));
        // 2024 is a leap year: 16 on 29 February itself.
        assert_eq!(birthday_in(birth, 2024), Some(date!(2024 - 02 - 29)));
        assert!(!has_reached(birth, 16, date!(2024 - 02 - 28)));
        assert!(has_reached(birth, 16, date!(2024 - 02 - 29)));
    }

    #[test]
    fn claims_name_their_threshold() {
        for threshold in AgeThreshold::ALL {
            assert_eq!(AgeThreshold::from_claim(threshold.claim()), Some(threshold));
            assert_eq!(threshold.claim(), format!("age_over_{}", threshold.years()));
        }
        assert_eq!(AgeThreshold::from_claim("age_over_17"), None);
        assert_eq!(AgeThreshold::from_claim("birthdate"), None);
    }

    #[test]
    fn an_identity_answers_from_its_current_birth_date() {
        let mut identity = ProvenIdentity {
            level: crate::ConfidenceLevel::P2,
            profiles: vec![],
            name: vec![],
            birth_date: vec![],
            address: vec![],
            passport: vec![],
            driving_permit: vec![],
        };
        let today = date!(2026 - 01 - 15);
        assert_eq!(age_over(&identity, AgeThreshold::Over18, today), None);
        identity.birth_date.push(crate::BirthDate {
            value: date!(2008 - 01 - 16),
        });
        assert_eq!(age_over(&identity, AgeThreshold::Over16, today), Some(true));
        assert_eq!(
            age_over(&identity, AgeThreshold::Over18, today),
            Some(false)
        );
        assert_eq!(
            age_over(&identity, AgeThreshold::Over18, date!(2026 - 01 - 16)),
            Some(true)
        );
    }
}
