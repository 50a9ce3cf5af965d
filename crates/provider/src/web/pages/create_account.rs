//! Create an account: email, the code sent to it, a password, then an authenticator app. The
//! account is written only at the end, whole, so no half-created account can exist.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::sign_in::complete_sign_in;
use super::{CodeForm, MAX_FIELD_CHARS};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::templates::{
    AuthenticatorAppPage, CheckEmailPage, CreatePasswordPage, EnterEmailPage, FormErrors,
    MessagePage, form_status, render,
};
use crate::web::{ClientIp, PageForm, Visit};
use one_login_core::accounts::email_code::{self, CodeCheck, PendingCode};
use one_login_core::accounts::{check_new_password, email_problem, totp};
use one_login_core::mail::Email;
use one_login_core::sessions::{CreateAccountStep, Journey};
use one_login_store::error::{Error as StoreError, Refusal};
use one_login_store::{AuditEvent, AuditKind, NewAccount};

/// Where a create-account journey really stands, for pages reached out of order.
fn current_step(journey: &Journey) -> &'static str {
    match journey {
        Journey::CreateAccount {
            step: CreateAccountStep::CheckEmail(_),
            ..
        } => "/create-account/check-email",
        Journey::CreateAccount {
            step: CreateAccountStep::ChoosePassword,
            ..
        } => "/create-account/password",
        Journey::CreateAccount {
            step: CreateAccountStep::SetUpAuthenticator { .. },
            ..
        } => "/create-account/authenticator-app",
        _ => "/create-account",
    }
}

/// Sends someone who reached a page out of order to the step they are at.
fn back_on_track(visit: &Visit) -> Response {
    Redirect::to(current_step(&journey(visit))).into_response()
}

fn journey(visit: &Visit) -> Journey {
    visit
        .session()
        .map(|s| s.journey.clone())
        .unwrap_or_default()
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub email: String,
}

pub async fn email_form(mut visit: Visit) -> Result<Response> {
    let email = match journey(&visit) {
        Journey::CreateAccount { email, .. } => email,
        _ => String::new(),
    };
    let page = EnterEmailPage {
        csrf_token: visit.csrf_token(),
        email,
        errors: FormErrors::none(),
    };
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

pub async fn submit_email(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<EmailForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let email = form.email.trim().to_owned();
    if let Some(problem) = email_problem(&email) {
        let email: String = email.chars().take(MAX_FIELD_CHARS).collect();
        let page = EnterEmailPage {
            csrf_token: visit.csrf_token(),
            email,
            errors: FormErrors::one("email", problem),
        };
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let now = visit.now;
    let ttl = app.config.sign_in.email_code_ttl.as_secs() as i64;
    // The same page follows whether or not the address has an account; only the email differs,
    // and only its owner reads it (ASVS 6.3.8: no account enumeration at sign-up).
    let pending = if app.db.accounts().find_by_email(&email).await?.is_some() {
        app.mailer
            .send(account_exists_email(&email, &app.config.url("sign-in")))
            .await?;
        email_code::unguessable(now, ttl)
    } else {
        let (code, pending) = email_code::issue(now, ttl);
        app.mailer.send(code_email(&email, &code, ttl)).await?;
        pending
    };
    visit.session_mut().journey = Journey::CreateAccount {
        email,
        step: CreateAccountStep::CheckEmail(pending),
    };
    Ok(Redirect::to("/create-account/check-email").into_response())
}

/// The code goes in the body only: subjects show in notifications, lock screens and mail
/// logs (issue 11.9).
fn code_email(to: &str, code: &str, ttl_seconds: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: "Your GOV.UK One Login security code".to_owned(),
        body: format!(
            "Your code to create a GOV.UK One Login is:\n\n{code}\n\nThe code expires in {} minutes.\n\n\
             If you did not ask for this code, you can ignore this email. Do not share the code with anyone.\n",
            ttl_seconds / 60
        ),
    }
}

fn account_exists_email(to: &str, sign_in_url: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: "You already have a GOV.UK One Login".to_owned(),
        body: format!(
            "Someone tried to create a GOV.UK One Login with this email address, but you already have one.\n\n\
             To sign in, go to {sign_in_url}\n\nIf this was not you, you do not need to do anything.\n"
        ),
    }
}

pub async fn code_form(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let Journey::CreateAccount {
        email,
        step: CreateAccountStep::CheckEmail(_),
    } = journey(&visit)
    else {
        return Ok(back_on_track(&visit));
    };
    let page = CheckEmailPage {
        csrf_token: visit.csrf_token(),
        email,
        ttl_minutes: app.config.sign_in.email_code_ttl.as_secs() / 60,
        errors: FormErrors::none(),
    };
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

pub async fn submit_code(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Journey::CreateAccount {
        email,
        step: CreateAccountStep::CheckEmail(pending),
    } = journey(&visit)
    else {
        return Ok(back_on_track(&visit));
    };
    let problem = match check_emailed_code(&app, &pending, &form.code, visit.now).await? {
        EmailedCode::Right => None,
        EmailedCode::Wrong(problem) => Some(problem),
        EmailedCode::Void => return code_void(visit, "/create-account"),
    };
    match problem {
        None => {
            visit.session_mut().journey = Journey::CreateAccount {
                email,
                step: CreateAccountStep::ChoosePassword,
            };
            Ok(Redirect::to("/create-account/password").into_response())
        }
        // The guess is counted in the store, not the session: nothing here to save.
        Some(message) => {
            let page = CheckEmailPage {
                csrf_token: visit.csrf_token(),
                email,
                ttl_minutes: app.config.sign_in.email_code_ttl.as_secs() / 60,
                errors: FormErrors::one("code", message),
            };
            render(&page, StatusCode::BAD_REQUEST)
        }
    }
}

/// What an emailed code typed by the citizen turned out to be.
pub(super) enum EmailedCode {
    Right,
    /// Not right (or not a code): the message to show beside the field.
    Wrong(&'static str),
    /// Too many wrong tries, or used already: a new code is needed.
    Void,
}

/// Checks a code the citizen typed against the one emailed (`PendingCode::check`: counted
/// first, single use, 5 tries).
pub(super) async fn check_emailed_code(
    app: &AppState,
    pending: &PendingCode,
    typed: &str,
    now: i64,
) -> Result<EmailedCode> {
    let code = totp::clean_code(typed);
    if code.is_empty() {
        return Ok(EmailedCode::Wrong("Enter the code"));
    }
    if !totp::is_well_formed(&code) {
        return Ok(EmailedCode::Wrong("Enter the code, which is 6 digits"));
    }
    Ok(
        match pending.check(app.ephemeral.as_ref(), &code, now).await? {
            CodeCheck::Correct => EmailedCode::Right,
            CodeCheck::Wrong { tries_left } if tries_left <= 2 => {
                EmailedCode::Wrong(if tries_left == 1 {
                    "The code you entered is not correct. You have 1 more try before the code stops working"
                } else {
                    "The code you entered is not correct. You have 2 more tries before the code stops working"
                })
            }
            CodeCheck::Wrong { .. } => EmailedCode::Wrong(
                "The code you entered is not correct. Check the email and try again",
            ),
            CodeCheck::Expired => EmailedCode::Wrong("The code has expired. Ask for a new code"),
            CodeCheck::Exhausted => EmailedCode::Void,
        },
    )
}

/// The journey ends when its code is void: the page says so, with where to get a new one.
pub(super) fn code_void(mut visit: Visit, new_code: &str) -> Result<Response> {
    visit.session_mut().journey = Journey::None;
    let page = MessagePage::new("You entered the wrong code too many times")
        .paragraph("For your security, that code no longer works.")
        .link(new_code, "Get a new code");
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub password: String,
    #[serde(default, rename = "confirm-password")]
    pub confirm_password: String,
}

pub async fn password_form(mut visit: Visit) -> Result<Response> {
    if !matches!(
        journey(&visit),
        Journey::CreateAccount {
            step: CreateAccountStep::ChoosePassword,
            ..
        }
    ) {
        return Ok(back_on_track(&visit));
    }
    let page = CreatePasswordPage {
        csrf_token: visit.csrf_token(),
        errors: FormErrors::none(),
    };
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

/// The rules of a new account's password, and not the password it replaces: a reset or change
/// that changes nothing protects nothing. `same` is the message for the current password
/// (argon2id off the async threads, in `verify`).
pub(super) async fn replacement_password_errors(
    app: &AppState,
    password: &str,
    confirmation: &str,
    current_hash: &str,
    same: &'static str,
) -> Result<FormErrors> {
    let mut errors = password_errors(password, confirmation);
    if errors.is_empty()
        && app
            .passwords
            .verify(password, Some(current_hash))
            .await?
            .matches
    {
        errors.add("password", same);
    }
    Ok(errors)
}

/// The errors of a new password and its confirmation, in field order.
pub(super) fn password_errors(password: &str, confirmation: &str) -> FormErrors {
    let mut errors = FormErrors::none();
    if let Err(problem) = check_new_password(password) {
        errors.add("password", problem.message());
    }
    if confirmation.is_empty() {
        errors.add("confirm-password", "Re-type your password");
    } else if errors.is_empty() && password != confirmation {
        errors.add("confirm-password", "Enter the same password in both fields");
    }
    errors
}

pub async fn submit_password(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Journey::CreateAccount {
        email,
        step: CreateAccountStep::ChoosePassword,
    } = journey(&visit)
    else {
        return Ok(back_on_track(&visit));
    };
    let errors = password_errors(&form.password, &form.confirm_password);
    if !errors.is_empty() {
        let page = CreatePasswordPage {
            csrf_token: visit.csrf_token(),
            errors,
        };
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let password_hash = app.passwords.hash(&form.password).await?;
    visit.session_mut().journey = Journey::CreateAccount {
        email,
        step: CreateAccountStep::SetUpAuthenticator {
            password_hash,
            totp_secret: totp::new_secret(),
        },
    };
    Ok(Redirect::to("/create-account/authenticator-app").into_response())
}

/// The authenticator app page for `secret`, posting to `action`.
pub(super) fn authenticator_page(
    csrf_token: String,
    action: &'static str,
    secret: &str,
    email: &str,
    errors: FormErrors,
) -> Result<Response> {
    let uri = totp::provisioning_uri(secret, email)?;
    let page = AuthenticatorAppPage {
        csrf_token,
        action,
        qr_code: totp::qr_code_data_uri(&uri)?,
        secret_grouped: totp::grouped(secret),
        errors,
    };
    let status = form_status(&page.errors);
    render(&page, status)
}

/// The message for a code that is not right for a new authenticator app, if any.
pub(super) fn new_app_code_problem(code: &str) -> Option<&'static str> {
    let code = totp::clean_code(code);
    if code.is_empty() {
        Some("Enter the security code")
    } else if !totp::is_well_formed(&code) {
        Some("Enter the security code, which is 6 digits")
    } else {
        None
    }
}

const WRONG_NEW_APP_CODE: &str = "The security code is not correct. Check your authenticator app and enter the code it shows now";

/// The time step of a new app's first code, or the message for a code that is not right: the
/// code that confirms the app is set up.
pub(super) fn new_app_step(secret: &str, code: &str, now: i64) -> Result<i64, &'static str> {
    match new_app_code_problem(code) {
        Some(problem) => Err(problem),
        None => totp::matching_step(secret, code, now).ok_or(WRONG_NEW_APP_CODE),
    }
}

pub async fn authenticator_form(mut visit: Visit) -> Result<Response> {
    let Journey::CreateAccount {
        email,
        step: CreateAccountStep::SetUpAuthenticator { totp_secret, .. },
    } = journey(&visit)
    else {
        return Ok(back_on_track(&visit));
    };
    let response = authenticator_page(
        visit.csrf_token(),
        "/create-account/authenticator-app",
        &totp_secret,
        &email,
        FormErrors::none(),
    )?;
    Ok(response)
}

pub async fn submit_authenticator(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Journey::CreateAccount {
        email,
        step:
            CreateAccountStep::SetUpAuthenticator {
                password_hash,
                totp_secret,
            },
    } = journey(&visit)
    else {
        return Ok(back_on_track(&visit));
    };
    let now = visit.now;
    let step = match new_app_step(&totp_secret, &form.code, now) {
        Ok(step) => step,
        Err(problem) => {
            let errors = FormErrors::one("code", problem);
            return authenticator_page(
                visit.csrf_token(),
                "/create-account/authenticator-app",
                &totp_secret,
                &email,
                errors,
            );
        }
    };
    let new = NewAccount {
        email,
        password_hash,
        totp_secret: Some(totp_secret),
        email_verified: true,
        now,
    };
    let created = AuditEvent::new(AuditKind::AccountCreated, None, now).from_ip(Some(ip.clone()));
    let account = match app.db.accounts().create(new, created).await {
        Ok(account) => account,
        Err(StoreError::Refused(Refusal::EmailTaken)) => {
            // Another journey created it meanwhile.
            visit.session_mut().journey = Journey::None;
            let page = MessagePage::new("You already have a GOV.UK One Login")
                .paragraph("There is already a GOV.UK One Login for this email address.")
                .link("/sign-in", "Sign in");
            let response = render(&page, StatusCode::OK)?;
            return Ok(response);
        }
        Err(e) => return Err(e.into()),
    };
    // The code that confirmed the app cannot also be used to sign in.
    app.db
        .accounts()
        .accept_totp_step(&account.id, step, now)
        .await?;
    tracing::info!(account = %account.id, "account created");
    complete_sign_in(&app, visit, &account.id, &account.email, &ip).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_and_confirmation() {
        assert!(password_errors("correct horse battery", "correct horse battery").is_empty());
        let errors = password_errors("correct horse battery", "correct horse batter");
        assert_eq!(
            errors.get("confirm-password"),
            "Enter the same password in both fields"
        );
        let errors = password_errors("", "");
        assert_eq!(errors.get("password"), "Enter a password");
        assert_eq!(errors.get("confirm-password"), "Re-type your password");
        // A weak password is reported once, not also as a mismatch.
        let errors = password_errors("password", "passwort");
        assert!(!errors.get("password").is_empty());
        assert_eq!(errors.get("confirm-password"), "");
    }

    // Issue 11.9: a code never appears in an email subject.
    #[test]
    fn the_code_is_in_the_body_never_the_subject() {
        let email = code_email("ada@example.com", "493817", 900);
        assert!(!email.subject.contains("493817"), "{}", email.subject);
        assert!(email.body.contains("\n\n493817\n\n"), "{}", email.body);
        assert!(email.body.contains("15 minutes"), "{}", email.body);
    }

    #[test]
    fn steps_route_to_their_page() {
        assert_eq!(current_step(&Journey::None), "/create-account");
        let journey = Journey::CreateAccount {
            email: "a@b.c".into(),
            step: CreateAccountStep::ChoosePassword,
        };
        assert_eq!(current_step(&journey), "/create-account/password");
    }

    #[test]
    fn new_app_code_format() {
        assert_eq!(new_app_code_problem(" "), Some("Enter the security code"));
        assert_eq!(
            new_app_code_problem("12 34"),
            Some("Enter the security code, which is 6 digits")
        );
        assert_eq!(new_app_code_problem("123 456"), None);
    }
}
