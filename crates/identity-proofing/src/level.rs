//! Levels of confidence and the GPG 45 profiles that reach them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// How sure we are that a person is who they say they are (GPG 45), as the `P` component of a
/// vector of trust. Ordered: `P0 < P1 < P2 < P3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConfidenceLevel {
    /// No identity proven.
    P0,
    /// Low confidence.
    P1,
    /// Medium confidence: what most government services ask for.
    P2,
    /// High confidence.
    P3,
}

impl ConfidenceLevel {
    /// Every level, lowest first.
    pub fn all() -> &'static [ConfidenceLevel] {
        &[Self::P0, Self::P1, Self::P2, Self::P3]
    }
}

impl fmt::Display for ConfidenceLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl FromStr for ConfidenceLevel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "P0" => Ok(Self::P0),
            "P1" => Ok(Self::P1),
            "P2" => Ok(Self::P2),
            "P3" => Ok(Self::P3),
            other => Err(Error::UnknownLevel(other.to_owned())),
        }
    }
}

/// A GPG 45 profile: one combination of evidence that reaches a level (see [`crate::gpg45`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Profile {
    L1A,
    M1A,
    M1B,
    M1C,
    M2B,
    H1A,
}

impl Profile {
    /// The level of confidence the profile reaches.
    pub fn level(self) -> ConfidenceLevel {
        match self {
            Self::L1A => ConfidenceLevel::P1,
            Self::M1A | Self::M1B | Self::M1C | Self::M2B => ConfidenceLevel::P2,
            Self::H1A => ConfidenceLevel::P3,
        }
    }

    /// Every profile, in the order of the contract's table.
    pub fn all() -> &'static [Profile] {
        &[
            Self::L1A,
            Self::M1A,
            Self::M1B,
            Self::M1C,
            Self::M2B,
            Self::H1A,
        ]
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_round_trip_as_text_and_json() {
        for level in ConfidenceLevel::all() {
            let text = level.to_string();
            assert_eq!(text.parse::<ConfidenceLevel>().unwrap(), *level);
            assert_eq!(serde_json::to_string(level).unwrap(), format!("\"{text}\""));
        }
        assert!("P4".parse::<ConfidenceLevel>().is_err());
        assert!("p2".parse::<ConfidenceLevel>().is_err());
        assert!(
            ConfidenceLevel::P0 < ConfidenceLevel::P1 && ConfidenceLevel::P2 < ConfidenceLevel::P3
        );
    }

    #[test]
    fn profiles_have_the_contract_levels() {
        let levels: Vec<_> = Profile::all()
            .iter()
            .map(|p| p.level().to_string())
            .collect();
        assert_eq!(levels, ["P1", "P2", "P2", "P2", "P2", "P3"]);
        assert_eq!(serde_json::to_string(&Profile::M1A).unwrap(), "\"M1A\"");
    }
}
