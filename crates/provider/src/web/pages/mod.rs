//! One module per page flow. Each handler parses, calls the rules, renders. The forms several
//! flows' pages share are here; a form only one flow renders is in its module.

pub mod account;
pub mod create_account;
pub mod feedback;
pub mod health;
pub mod identity;
pub mod info;
pub mod passkeys;
pub mod recovery;
pub mod security;
pub mod sign_in;
pub mod start;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::app::AppState;
use recovery::{LostApp, ResetPassword};

/// The longest value any text field accepts; longer is refused before any work is done.
pub const MAX_FIELD_CHARS: usize = one_login_core::accounts::MAX_EMAIL_CHARS;

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

/// Every page a citizen visits, one router per feature.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(sign_in_routes())
        .merge(create_account_routes())
        .merge(recovery_routes())
        .merge(identity_routes())
        .merge(account_routes())
        .merge(passkey_routes())
        .merge(info_routes())
}

/// Signing in: the password, the authenticator code, and what an operator may require first.
fn sign_in_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sign-in",
            get(sign_in::password_form).post(sign_in::submit_password),
        )
        .route(
            "/sign-in/authenticator-code",
            get(sign_in::code_form).post(sign_in::submit_code),
        )
        .route("/sign-in/locked", get(sign_in::locked))
        .route(
            sign_in::NEW_PASSWORD,
            get(sign_in::new_password_form).post(sign_in::submit_new_password),
        )
        .route(
            "/sign-in/set-up-authenticator-app",
            get(sign_in::add_authenticator_form).post(sign_in::submit_add_authenticator),
        )
}

/// Passkeys (issue 17 §1): managed on the account pages, and a way to sign in.
fn passkey_routes() -> Router<AppState> {
    Router::new()
        .route(passkeys::PASSKEYS, get(passkeys::show).post(passkeys::add))
        .route(
            "/account/passkeys/options",
            post(passkeys::registration_options),
        )
        .route("/account/passkeys/remove", post(passkeys::remove))
        .route("/sign-in/passkey", post(passkeys::sign_in))
        .route("/sign-in/passkey/options", post(passkeys::sign_in_options))
}

/// Creating an account: email, the emailed code, a password, an authenticator app.
fn create_account_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/create-account",
            get(create_account::email_form).post(create_account::submit_email),
        )
        .route(
            "/create-account/check-email",
            get(create_account::code_form).post(create_account::submit_code),
        )
        .route(
            "/create-account/password",
            get(create_account::password_form).post(create_account::submit_password),
        )
        .route(
            "/create-account/authenticator-app",
            get(create_account::authenticator_form).post(create_account::submit_authenticator),
        )
}

/// Recovering an account: a forgotten password, a lost authenticator app.
fn recovery_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/reset-password",
            get(recovery::email_form::<ResetPassword>)
                .post(recovery::submit_email::<ResetPassword>),
        )
        .route(
            "/reset-password/check-email",
            get(recovery::code_form::<ResetPassword>).post(recovery::submit_code::<ResetPassword>),
        )
        .route(
            "/reset-password/new-password",
            get(recovery::new_password_form).post(recovery::submit_new_password),
        )
        .route(
            "/reset-password/authenticator-code",
            get(recovery::reset_app_code_form).post(recovery::submit_reset_app_code),
        )
        .route(
            "/lost-authenticator-app",
            get(recovery::email_form::<LostApp>).post(recovery::submit_email::<LostApp>),
        )
        .route(
            "/lost-authenticator-app/check-email",
            get(recovery::code_form::<LostApp>).post(recovery::submit_code::<LostApp>),
        )
        .route(
            "/lost-authenticator-app/password",
            get(recovery::password_form).post(recovery::submit_password),
        )
        .route(
            "/lost-authenticator-app/passport",
            get(recovery::reprove_form).post(recovery::submit_reprove),
        )
        .route(
            "/lost-authenticator-app/authenticator-app",
            get(recovery::new_app_form).post(recovery::submit_new_app),
        )
}

/// Proving one's identity, or reusing an identity proved before.
fn identity_routes() -> Router<AppState> {
    Router::new()
        .route("/identity/next", get(identity::next))
        .route(
            "/identity/start",
            get(identity::start).post(identity::choose_document),
        )
        .route(
            "/identity/passport",
            get(identity::document_form::<identity::UkPassport>)
                .post(identity::submit_document::<identity::UkPassport>),
        )
        .route(
            "/identity/driving-licence",
            get(identity::document_form::<identity::UkDrivingLicence>)
                .post(identity::submit_document::<identity::UkDrivingLicence>),
        )
        .route(
            "/identity/address",
            get(identity::address_form).post(identity::find_address),
        )
        .route(
            "/identity/address/choose",
            get(identity::choose_address_form).post(identity::choose_address),
        )
        .route(
            "/identity/address/manual",
            get(identity::manual_address_form).post(identity::manual_address),
        )
        .route(
            "/identity/questions",
            get(identity::question).post(identity::answer_question),
        )
        .route(
            "/identity/reuse",
            get(identity::reuse).post(identity::confirm_reuse),
        )
        .route("/identity/stop", post(identity::stop))
}

/// The citizen's account: what they shared, their sign-in details, closing it.
fn account_routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(account::show))
        .route("/account/withdraw-consent", post(account::withdraw_consent))
        .route("/account/wallet", post(account::wallet_offer))
        .route(
            "/account/confirm-password",
            get(security::confirm_password_form).post(security::confirm_password),
        )
        .route(
            "/account/change-email",
            get(security::change_email_form).post(security::change_email),
        )
        .route(
            "/account/change-email/check-email",
            get(security::check_new_email_form).post(security::check_new_email),
        )
        .route(
            "/account/change-password",
            get(security::change_password_form).post(security::change_password),
        )
        .route(
            "/account/change-authenticator-app",
            get(security::current_app_form).post(security::current_app),
        )
        .route(
            "/account/change-authenticator-app/new",
            get(security::new_app_form).post(security::new_app),
        )
        .route(
            "/account/close",
            get(security::close_form).post(security::close),
        )
        .route(
            "/account/report",
            get(security::report_form).post(security::report),
        )
        .route("/account/changed/{what}", get(security::changed))
        .route("/account/closed", get(security::closed))
        .route("/signed-out", get(account::signed_out))
}

/// The start page and the pages every service has: accessibility, cookies, privacy, feedback.
fn info_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(start::show))
        .route("/accessibility", get(info::accessibility))
        .route("/cookies", get(info::cookies))
        .route("/privacy", get(info::privacy))
        .route(
            "/feedback",
            get(feedback::form)
                .post(feedback::send)
                .layer(DefaultBodyLimit::max(feedback::MAX_BODY_BYTES)),
        )
        .route("/feedback/sent", get(feedback::sent))
}
