//! Vectors of trust (`vtr`, RFC 8485 as GOV.UK One Login profiles them): `Cl` (password),
//! `Cl.Cm` (password and second factor), optionally with an identity level `P0`-`P3`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::sessions::CredentialLevel;

/// A level of confidence in the citizen's identity (GPG 45).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum IdentityLevel {
    P1,
    P2,
    P3,
}

impl IdentityLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityLevel::P1 => "P1",
            IdentityLevel::P2 => "P2",
            IdentityLevel::P3 => "P3",
        }
    }
}

/// What a relying party asked for: a credential level and, optionally, an identity level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorOfTrust {
    pub credential: CredentialLevel,
    pub identity: Option<IdentityLevel>,
}

impl Default for VectorOfTrust {
    /// The contract's default when `vtr` is absent: `Cl.Cm`.
    fn default() -> Self {
        VectorOfTrust {
            credential: CredentialLevel::ClCm,
            identity: None,
        }
    }
}

impl fmt::Display for VectorOfTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.credential.as_str())?;
        if let Some(identity) = self.identity {
            write!(f, ".{}", identity.as_str())?;
        }
        Ok(())
    }
}

/// Why a `vtr` is refused ("Request vtr not valid").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidVtr;

/// Parses one vector such as `Cl.Cm.P2`.
pub fn parse_vector(vector: &str) -> Result<VectorOfTrust, InvalidVtr> {
    let mut cl = false;
    let mut cm = false;
    let mut identity: Option<Option<IdentityLevel>> = None;
    for component in vector.split('.') {
        match component {
            "Cl" if !cl => cl = true,
            "Cm" if !cm => cm = true,
            "P0" | "P1" | "P2" | "P3" if identity.is_none() => {
                identity = Some(match component {
                    "P1" => Some(IdentityLevel::P1),
                    "P2" => Some(IdentityLevel::P2),
                    "P3" => Some(IdentityLevel::P3),
                    _ => None,
                });
            }
            _ => return Err(InvalidVtr),
        }
    }
    if !cl {
        return Err(InvalidVtr);
    }
    let identity = identity.flatten();
    // Any identity level above P0 needs the second factor.
    if identity.is_some() && !cm {
        return Err(InvalidVtr);
    }
    let credential = if cm {
        CredentialLevel::ClCm
    } else {
        CredentialLevel::Cl
    };
    Ok(VectorOfTrust {
        credential,
        identity,
    })
}

/// Parses the `vtr` parameter: a JSON array of vectors. Several vectors must agree on whether
/// identity is asked for; the weakest of them is what must be met.
pub fn parse_vtr(value: &str) -> Result<VectorOfTrust, InvalidVtr> {
    let vectors: Vec<String> = serde_json::from_str(value).map_err(|_| InvalidVtr)?;
    let parsed: Vec<VectorOfTrust> = vectors
        .iter()
        .map(|v| parse_vector(v))
        .collect::<Result<_, _>>()?;
    let first = parsed.first().ok_or(InvalidVtr)?;
    if parsed
        .iter()
        .any(|v| v.identity.is_some() != first.identity.is_some())
    {
        return Err(InvalidVtr);
    }
    Ok(VectorOfTrust {
        credential: parsed
            .iter()
            .map(|v| v.credential)
            .min()
            .unwrap_or(first.credential),
        identity: parsed.iter().filter_map(|v| v.identity).min(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_vectors() {
        assert_eq!(parse_vtr(r#"["Cl"]"#).unwrap().to_string(), "Cl");
        assert_eq!(parse_vtr(r#"["Cl.Cm"]"#).unwrap().to_string(), "Cl.Cm");
        assert_eq!(parse_vtr(r#"["Cm.Cl"]"#).unwrap().to_string(), "Cl.Cm");
        assert_eq!(
            parse_vtr(r#"["Cl.Cm.P2"]"#).unwrap().to_string(),
            "Cl.Cm.P2"
        );
        assert_eq!(
            parse_vtr(r#"["P2.Cl.Cm"]"#).unwrap().identity,
            Some(IdentityLevel::P2)
        );
        assert_eq!(parse_vtr(r#"["Cl.Cm.P0"]"#).unwrap().to_string(), "Cl.Cm");
        assert_eq!(parse_vtr(r#"["Cl.Cm", "Cl"]"#).unwrap().to_string(), "Cl");
        assert_eq!(
            parse_vtr(r#"["Cl.Cm.P3", "Cl.Cm.P2"]"#)
                .unwrap()
                .to_string(),
            "Cl.Cm.P2"
        );
        assert_eq!(VectorOfTrust::default().to_string(), "Cl.Cm");
    }

    #[test]
    fn invalid_vectors() {
        for bad in [
            r#"[]"#,
            r#"["Cm"]"#,
            r#"["Cl.P2"]"#,
            r#"["Cl.Cm.P4"]"#,
            r#"["Cl.Cm.P1.P2"]"#,
            r#"["Cl.Cl"]"#,
            r#"["Cl.Cm.X"]"#,
            r#"["Cl.Cm", "Cl.Cm.P2"]"#,
            r#"Cl.Cm"#,
            r#"["Cl.Cm""#,
            r#"[1]"#,
            "",
        ] {
            assert_eq!(parse_vtr(bad), Err(InvalidVtr), "{bad}");
        }
    }
}
