//! Who is signed in and how strongly: what a session records of a sign-in and what the
//! protocol reads from it. Its own module so that both can depend on it, neither on the other.

use serde::{Deserialize, Serialize};

/// How strongly the citizen has signed in: the credential component of a vector of trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CredentialLevel {
    /// Password only.
    #[serde(rename = "Cl")]
    Cl,
    /// Password and a second factor.
    #[serde(rename = "Cl.Cm")]
    ClCm,
}

impl CredentialLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialLevel::Cl => "Cl",
            CredentialLevel::ClCm => "Cl.Cm",
        }
    }
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authentication {
    pub account_id: String,
    pub email: String,
    pub level: CredentialLevel,
    /// When the citizen last presented a credential (OpenID Connect Core §2 `auth_time`).
    pub auth_time: i64,
    /// The same in milliseconds, for `max_age` (absent in sessions from before it was kept).
    #[serde(default)]
    pub auth_time_ms: Option<i64>,
    /// Methods used, as RFC 8176 names them: "pwd", "otp".
    pub amr: Vec<String>,
    /// The login session's stable id (ID token `sid`), unchanged when the cookie's id rotates
    /// or the citizen steps up (Back-Channel Logout §2.1).
    pub sid: String,
}

impl Authentication {
    /// When the citizen last presented a credential, in milliseconds; from the whole second
    /// where older sessions kept only that (it errs on the old side, so towards a new sign-in).
    pub fn authenticated_at_ms(&self) -> i64 {
        self.auth_time_ms
            .unwrap_or_else(|| self.auth_time.saturating_mul(1_000))
    }
}
