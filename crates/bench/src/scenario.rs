//! The scenarios: what one virtual citizen does in a loop, and what each needs set up first.
//!
//! To add one: add a variant here, its name in [`Scenario::ALL`], its loop in `run::one_flow`,
//! and say in [`Scenario::runs_on_anchor`] whether the anchor (oidc-provider) can run it.

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
    /// A citizen who proved their identity (P2) at one service, signed in, at a second service
    /// in another sector asking for P2: authorize → confirm the reuse → code → token →
    /// userinfo with the core identity JWT.
    IdentityReuse,
}

impl Scenario {
    pub const ALL: [Scenario; 7] = [
        Scenario::Discovery,
        Scenario::Jwks,
        Scenario::Sso,
        Scenario::Login,
        Scenario::Refresh,
        Scenario::LoginWithSso,
        Scenario::IdentityReuse,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Discovery => "discovery",
            Scenario::Jwks => "jwks",
            Scenario::Sso => "sso",
            Scenario::Login => "login",
            Scenario::Refresh => "refresh",
            Scenario::LoginWithSso => "login-with-sso",
            Scenario::IdentityReuse => "identity-reuse",
        }
    }

    /// Whether it needs citizens signed in (and consented) during setup.
    pub fn needs_signed_in(self) -> bool {
        matches!(
            self,
            Scenario::Sso | Scenario::Refresh | Scenario::LoginWithSso
        )
    }

    /// Whether it needs citizens who proved their identity during setup.
    pub fn needs_proven(self) -> bool {
        self == Scenario::IdentityReuse
    }

    /// Whether the anchor (`tests/perf/anchor`, oidc-provider) does the same work, so it is run
    /// against it too with `--anchor`: the static documents, single sign-on and refresh. Its
    /// login hashes no password and it proves no identity, so those have no counterpart.
    pub fn runs_on_anchor(self) -> bool {
        matches!(
            self,
            Scenario::Discovery | Scenario::Jwks | Scenario::Sso | Scenario::Refresh
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
    fn parses_names_and_refuses_unknown_ones() {
        assert_eq!(
            Scenario::parse_list("sso, jwks,sso").unwrap(),
            vec![Scenario::Sso, Scenario::Jwks]
        );
        assert_eq!(Scenario::parse_list("all").unwrap().len(), 7);
        assert_eq!(
            Scenario::parse_list("identity-reuse").unwrap(),
            vec![Scenario::IdentityReuse]
        );
        assert!(Scenario::parse_list("nope").is_err());
    }

    #[test]
    fn the_anchor_runs_only_what_it_has_a_counterpart_for() {
        let on_anchor: Vec<&str> = Scenario::ALL
            .into_iter()
            .filter(|s| s.runs_on_anchor())
            .map(Scenario::name)
            .collect();
        assert_eq!(on_anchor, ["discovery", "jwks", "sso", "refresh"]);
    }
}
