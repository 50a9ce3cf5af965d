//! One module per page flow. Each handler parses, calls the rules, renders. The forms several
//! flows' pages share are here; a form only one flow renders is in its module.

pub mod account;
pub mod create_account;
pub mod health;
pub mod identity;
pub mod info;
pub mod recovery;
pub mod security;
pub mod sign_in;
pub mod start;

use serde::Deserialize;

/// The longest value any text field accepts; longer is refused before any work is done.
pub const MAX_FIELD_CHARS: usize = crate::accounts::MAX_EMAIL_CHARS;

/// A form with one code field.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub code: String,
}

/// A form with one email address field.
#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub email: String,
}

/// A form with the account's current password.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub password: String,
}

/// A new password and its confirmation.
#[derive(Debug, Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub password: String,
    #[serde(default, rename = "confirm-password")]
    pub confirm_password: String,
}

/// The text a citizen typed, cut to what a page shows back.
pub fn shown(typed: &str) -> String {
    typed.chars().take(MAX_FIELD_CHARS).collect()
}
