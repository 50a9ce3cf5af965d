//! The scenarios: what one virtual citizen does in a loop, and what each needs set up first.
//!
//! To add one (identity reuse, once the identity-proofing work is merged): add a variant here,
//! its name in [`Scenario::ALL`], its loop in `run::one_flow`, and its anchor (if any) in
//! `report::target_for`.

use serde::Serialize;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// GET `/.well-known/openid-configuration`.
    Discovery,
    /// GET `/.well-known/jwks.json`.
    Jwks,
    /// A signed-in citizen who has consented: authorize → code → token → userinfo.
    Sso,
    /// A new browser: authorize, password, authenticator code, (consent the first time an
    /// account is used), then code → token → userinfo.
    Login,
    /// `grant_type=refresh_token`, rotating the token each time.
    Refresh,
    /// Login and single sign-on at the same time: does argon2 work starve the cheap path?
    LoginWithSso,
}

/// Scenarios named but not yet runnable, and why.
const LATER: &[(&str, &str)] = &[(
    "identity-reuse",
    "needs the identity-proofing work (GPG 45, core identity JWT), which is not merged yet",
)];

impl Scenario {
    pub const ALL: [Scenario; 6] = [
        Scenario::Discovery,
        Scenario::Jwks,
        Scenario::Sso,
        Scenario::Login,
        Scenario::Refresh,
        Scenario::LoginWithSso,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Discovery => "discovery",
            Scenario::Jwks => "jwks",
            Scenario::Sso => "sso",
            Scenario::Login => "login",
            Scenario::Refresh => "refresh",
            Scenario::LoginWithSso => "login-with-sso",
        }
    }

    /// Whether it needs citizens signed in (and consented) during setup.
    pub fn needs_signed_in(self) -> bool {
        matches!(
            self,
            Scenario::Sso | Scenario::Refresh | Scenario::LoginWithSso
        )
    }

    /// Whether it signs in fresh browsers, and so needs a pool of accounts.
    pub fn needs_login_pool(self) -> bool {
        matches!(self, Scenario::Login | Scenario::LoginWithSso)
    }

    pub fn parse_list(list: &str) -> Result<Vec<Scenario>> {
        let mut out = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if name == "all" {
                out.extend(Scenario::ALL);
                continue;
            }
            if let Some((_, why)) = LATER.iter().find(|(n, _)| *n == name) {
                return Err(Error::Usage(format!(
                    "scenario {name} is not available yet: it {why}"
                )));
            }
            let scenario = Scenario::ALL
                .into_iter()
                .find(|s| s.name() == name)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "unknown scenario {name:?}; known: {}",
                        Scenario::ALL.map(Scenario::name).join(", ")
                    ))
                })?;
            if !out.contains(&scenario) {
                out.push(scenario);
            }
        }
        if out.is_empty() {
            return Err(Error::Usage("no scenario given".into()));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_refuses_later_ones() {
        assert_eq!(
            Scenario::parse_list("sso, jwks,sso").unwrap(),
            vec![Scenario::Sso, Scenario::Jwks]
        );
        assert_eq!(Scenario::parse_list("all").unwrap().len(), 6);
        let later = Scenario::parse_list("identity-reuse")
            .unwrap_err()
            .to_string();
        assert!(later.contains("not available yet"), "{later}");
        assert!(Scenario::parse_list("nope").is_err());
    }
}
