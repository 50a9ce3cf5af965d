//! One module per page flow. Each handler parses, calls the rules, renders.

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
pub const MAX_FIELD_CHARS: usize = 256;

/// A form with one code field.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub code: String,
}
