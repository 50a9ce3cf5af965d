//! The account page's security changes (issue 10 items 3-5): the email address, the password,
//! the authenticator app, closing the account, and reporting activity the citizen does not
//! recognise. Each needs a full sign-in (Cl.Cm). The email address and app changes ask for the
//! password again when the sign-in is older than 15 minutes (`accounts::changes`); changing the
//! password and closing the account ask for it every time.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::create_account::{
    EmailedCode, authenticator_page, check_emailed_code, new_app_code_problem, password_errors,
    replacement_password_errors,
};
use super::sign_in::{WrongAnswer, count_wrong_answer, throttle, wait_page};
use super::{CodeForm, MAX_FIELD_CHARS};
use crate::app::AppState;
use crate::web::error::{Error, Result};
use crate::web::templates::{
    AccountFormPage, FormErrors, FormField, MessagePage, format_time, render, tries_left_warning,
};
use crate::web::{ClientIp, PageForm, Visit};
use one_login_core::accounts::changes::{self, needs_password_again, return_page};
use one_login_core::accounts::email_code;
use one_login_core::accounts::{
    Admission, Factor, FailureOutcome, SignInAttempt, closure, email_problem, password, totp,
};
use one_login_core::limits::RouteKind;
use one_login_core::mail::Email;
use one_login_core::sessions::{AccountChange, CredentialLevel};
use one_login_store::error::{Error as StoreError, Refusal};
use one_login_store::{Account, AuditEvent, AuditKind, normalise_email};

/// The signed-in citizen and their account, or where to send them instead: to sign in, or,
/// for a change that needs a recent sign-in (`fresh_for`, the page itself), to give the
/// password again and come back.
enum Gate {
    Open(Account),
    Closed(Response),
}

async fn gate(app: &AppState, visit: &Visit, fresh_for: Option<&'static str>) -> Result<Gate> {
    let Some(auth) = visit.signed_in_at(CredentialLevel::ClCm).cloned() else {
        return Ok(Gate::Closed(Redirect::to("/sign-in").into_response()));
    };
    let Some(account) = app.db.accounts().find(&auth.account_id).await? else {
        return Ok(Gate::Closed(Redirect::to("/sign-in").into_response()));
    };
    if let Some(page) = fresh_for
        && needs_password_again(&auth, visit.now_ms)
    {
        let to = format!("/account/confirm-password?next={page}");
        return Ok(Gate::Closed(Redirect::to(&to).into_response()));
    }
    Ok(Gate::Open(account))
}

/// Opens the gate or answers with where it sends the citizen.
macro_rules! through_gate {
    ($app:expr, $visit:expr, $fresh:expr) => {
        match gate(&$app, &$visit, $fresh).await? {
            Gate::Open(account) => account,
            Gate::Closed(response) => return Ok(response),
        }
    };
}

/// The current password or app code, as checked on an account page.
enum Answer {
    Right,
    /// Wrong: the tries-left warning, once 2 or fewer remain.
    Wrong(Option<String>),
    /// Too many wrong answers: the page that says how long to wait.
    Wait(Response),
}

/// Counts a check of the current password or app code with the sign-in throttle, so these
/// pages give a guesser no more tries than signing in does (per address and client address,
/// and per account: `accounts::throttle`), reserved before the check runs (issue 11.3).
async fn counted_check(
    app: &AppState,
    factor: Factor,
    account: &Account,
    ip: &str,
    now: i64,
    check: impl AsyncFnOnce() -> Result<bool>,
) -> Result<Answer> {
    let throttle = throttle(app);
    let attempt = SignInAttempt::new(factor, &account.email, ip);
    let reservation = match throttle.admit(&attempt, now).await? {
        Admission::Check(reservation) => reservation,
        Admission::Wait { until } => {
            return Ok(Answer::Wait(
                Redirect::to(&wait_page(until)).into_response(),
            ));
        }
    };
    if check().await? {
        throttle.succeeded(&attempt).await?;
        return Ok(Answer::Right);
    }
    let wrong = WrongAnswer {
        attempt: &attempt,
        reservation: &reservation,
        account_id: Some(&account.id),
        ip,
    };
    match count_wrong_answer(app, &wrong, " on the account pages", now).await? {
        FailureOutcome::MustWait { until } => Ok(Answer::Wait(
            Redirect::to(&wait_page(until)).into_response(),
        )),
        FailureOutcome::TriesLeft(n) => Ok(Answer::Wrong(tries_left_warning(n))),
    }
}

/// Checks the account's current password (argon2id off the async threads, in `verify`).
async fn check_password(
    app: &AppState,
    account: &Account,
    given: &str,
    ip: &str,
    now: i64,
) -> Result<Answer> {
    counted_check(app, Factor::Password, account, ip, now, async || {
        Ok(app
            .passwords
            .verify(given, Some(&account.password_hash))
            .await?
            .matches)
    })
    .await
}

/// The message for a current password that cannot be right before any check: empty or too long.
fn current_password_problem(given: &str) -> Option<&'static str> {
    if given.is_empty() {
        Some("Enter your password")
    } else if given.chars().count() > password::MAX_LENGTH {
        Some("Your password must be 256 characters or fewer")
    } else {
        None
    }
}

const WRONG_PASSWORD: &str = "The password is not correct";

/// An email telling the citizen what changed, in our words. Never a code or password.
fn notice(to: &str, subject: &str, what: &str, now: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body: format!(
            "{what}\n\nThis happened on {} (UTC).\n\n\
             If this was not you, someone else may be using your GOV.UK One Login. Sign in and \
             change your password, or contact the GOV.UK One Login team.\n",
            format_time(now)
        ),
    }
}

/// Ends every other session of the account and revokes its tokens (the session in use is
/// kept), after a change that another holder of the account must not outlive.
async fn end_other_sessions(app: &AppState, visit: &Visit, account_id: &str) -> Result<()> {
    app.account_access()
        .end_all(account_id, visit.session_id(), visit.now_ms)
        .await?;
    Ok(())
}

/// A form page with nothing typed yet, built by `page` with the session's CSRF token.
async fn blank_form(
    app: &AppState,
    mut visit: Visit,
    fresh_for: Option<&'static str>,
    page: fn(String, FormErrors) -> AccountFormPage,
) -> Result<Response> {
    through_gate!(app, visit, fresh_for);
    let response = page(visit.csrf_token(), FormErrors::none()).respond()?;
    Ok(response)
}

/// A confirmation page, saved with the session.
fn done(page: MessagePage) -> Result<Response> {
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

// ---- Giving the password again ----

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct ConfirmPasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn confirm_password_page(csrf_token: String, next: &str, errors: FormErrors) -> AccountFormPage {
    AccountFormPage::new(
        csrf_token,
        "Enter your password to continue",
        "/account/confirm-password",
    )
    .paragraph("You signed in more than 15 minutes ago. To keep your account safe, enter your password before you change how you sign in.")
    .hidden("next", return_page(next))
    .field(FormField::password("password", "Password", "current-password"))
    .errors(errors)
}

pub async fn confirm_password_form(
    State(app): State<AppState>,
    Query(query): Query<NextQuery>,
    mut visit: Visit,
) -> Result<Response> {
    through_gate!(app, visit, None);
    let page = confirm_password_page(visit.csrf_token(), &query.next, FormErrors::none());
    page.respond()
}

pub async fn confirm_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<ConfirmPasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let account = through_gate!(app, visit, None);
    let page = |visit: &mut Visit, errors: FormErrors, warning: Option<String>| {
        confirm_password_page(visit.csrf_token(), &form.next, errors)
            .warning(warning)
            .respond()
    };
    if let Some(problem) = current_password_problem(&form.password) {
        return page(&mut visit, FormErrors::one("password", problem), None);
    }
    match check_password(&app, &account, &form.password, &ip, visit.now).await? {
        Answer::Right => {}
        Answer::Wrong(warning) => {
            return page(
                &mut visit,
                FormErrors::one("password", WRONG_PASSWORD),
                warning,
            );
        }
        Answer::Wait(response) => return Ok(response),
    }
    // A credential presented now: the sign-in counts as fresh (OpenID Connect Core §2
    // `auth_time` is when the citizen last authenticated), under a new session id (ASVS 7.2.4).
    let (now, now_ms) = (visit.now, visit.now_ms);
    if let Some(auth) = visit.session_mut().auth.as_mut() {
        auth.auth_time = now;
        auth.auth_time_ms = Some(now_ms);
    }
    visit.rotate(&app).await?;
    Ok(Redirect::to(return_page(&form.next)).into_response())
}

// ---- Email address ----

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
}

const CHANGE_EMAIL: &str = "/account/change-email";
const CHECK_NEW_EMAIL: &str = "/account/change-email/check-email";

fn change_email_page(
    csrf_token: String,
    current: &str,
    typed: String,
    errors: FormErrors,
) -> AccountFormPage {
    AccountFormPage::new(csrf_token, "Change your email address", CHANGE_EMAIL)
        .paragraph(format!("Your email address is {current}."))
        .paragraph("We will send a code to the new address to check it is yours. Until you enter it, nothing changes.")
        .field(FormField::email("New email address", typed))
        .errors(errors)
}

pub async fn change_email_form(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let account = through_gate!(app, visit, Some(CHANGE_EMAIL));
    let page = change_email_page(
        visit.csrf_token(),
        &account.email,
        String::new(),
        FormErrors::none(),
    );
    let response = page.respond()?;
    Ok(response)
}

pub async fn change_email(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<EmailForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let account = through_gate!(app, visit, Some(CHANGE_EMAIL));
    let email = form.email.trim().to_owned();
    let problem = email_problem(&email).or_else(|| {
        (!changes::is_a_new_address(&account.email, &email))
            .then_some("Enter an email address that is different from the one you use now")
    });
    if let Some(problem) = problem {
        let typed = email.chars().take(MAX_FIELD_CHARS).collect();
        let page = change_email_page(
            visit.csrf_token(),
            &account.email,
            typed,
            FormErrors::one("email", problem),
        );
        return page.respond();
    }
    let now = visit.now;
    // Codes sent to one address are limited too, not only the requests of one client address:
    // the account pages must not become a way to flood someone's inbox.
    app.rate_limiter
        .admit(
            app.ephemeral.as_ref(),
            RouteKind::Forms,
            &format!("new-email:{}", normalise_email(&email)),
            now,
        )
        .await?;
    let ttl = app.config.sign_in.email_code_ttl.as_secs() as i64;
    // The next page is the same whether or not the address has an account: only its owner
    // learns that from the email (ASVS 6.3.8). The change is refused at the end anyway.
    let code = if app.db.accounts().find_by_email(&email).await?.is_some() {
        app.mailer.send(address_taken_email(&email)).await?;
        email_code::unguessable(now, ttl)
    } else {
        let (code, pending) = email_code::issue(now, ttl);
        app.mailer
            .send(new_address_code_email(&email, &code, ttl))
            .await?;
        pending
    };
    visit.session_mut().account_change = Some(AccountChange::NewEmail { email, code });
    Ok(Redirect::to(CHECK_NEW_EMAIL).into_response())
}

/// The code goes in the body only (issue 11.9).
fn new_address_code_email(to: &str, code: &str, ttl_seconds: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: "Your GOV.UK One Login security code".to_owned(),
        body: format!(
            "Your code to make this the email address of your GOV.UK One Login is:\n\n{code}\n\n\
             The code expires in {} minutes.\n\n\
             If you did not ask for this, you can ignore this email. Do not share the code with anyone.\n",
            ttl_seconds / 60
        ),
    }
}

fn address_taken_email(to: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: "This email address already has a GOV.UK One Login".to_owned(),
        body: "Someone asked to move another GOV.UK One Login to this email address, but this \
               address already has its own GOV.UK One Login, so it cannot be used.\n\n\
               If this was not you, you do not need to do anything.\n"
            .to_owned(),
    }
}

/// The new address waiting for its code, if a change is at that step.
fn pending_email(visit: &Visit) -> Option<(String, email_code::PendingCode)> {
    match visit.session()?.account_change.as_ref()? {
        AccountChange::NewEmail { email, code } => Some((email.clone(), code.clone())),
        AccountChange::NewAuthenticatorApp { .. } => None,
    }
}

fn check_new_email_page(
    app: &AppState,
    csrf_token: String,
    email: &str,
    errors: FormErrors,
) -> AccountFormPage {
    AccountFormPage::new(csrf_token, "Check your email", CHECK_NEW_EMAIL)
        .paragraph(format!(
            "We have sent a code to {email}. It expires in {} minutes.",
            app.config.sign_in.email_code_ttl.as_secs() / 60
        ))
        .field(FormField::code(
            "Enter the 6 digit code",
            "The code is in the email.",
        ))
        .link(CHANGE_EMAIL, "Use another email address or get a new code")
        .errors(errors)
}

pub async fn check_new_email_form(
    State(app): State<AppState>,
    mut visit: Visit,
) -> Result<Response> {
    through_gate!(app, visit, None);
    let Some((email, _)) = pending_email(&visit) else {
        return Ok(Redirect::to(CHANGE_EMAIL).into_response());
    };
    check_new_email_page(&app, visit.csrf_token(), &email, FormErrors::none()).respond()
}

pub async fn check_new_email(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let account = through_gate!(app, visit, None);
    let Some((email, pending)) = pending_email(&visit) else {
        return Ok(Redirect::to(CHANGE_EMAIL).into_response());
    };
    let now = visit.now;
    let problem = match check_emailed_code(&app, &pending, &form.code, now).await? {
        EmailedCode::Right => None,
        EmailedCode::Wrong(message) => Some(message),
        EmailedCode::Void => {
            visit.session_mut().account_change = None;
            let page = MessagePage::new("You entered the wrong code too many times")
                .paragraph("For your security, that code no longer works. Your email address has not changed.")
                .link(CHANGE_EMAIL, "Get a new code");
            return done(page);
        }
    };
    if let Some(problem) = problem {
        let errors = FormErrors::one("code", problem);
        return check_new_email_page(&app, visit.csrf_token(), &email, errors).respond();
    }
    let changed =
        AuditEvent::new(AuditKind::EmailChanged, Some(&account.id), now).from_ip(Some(ip));
    match app
        .db
        .accounts()
        .change_email(&account.id, &email, &changed)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Refused(Refusal::EmailTaken)) => {
            visit.session_mut().account_change = None;
            let page = MessagePage::new("You cannot use that email address")
                .paragraph("That email address belongs to another GOV.UK One Login. Your email address has not changed.")
                .link(CHANGE_EMAIL, "Use another email address");
            return done(page);
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(account = %account.id, "email address changed");
    // Other sessions, and the services' grants, still carry the old address (the ID token and
    // userinfo `email`): they end, and the services ask again and get the new one.
    end_other_sessions(&app, &visit, &account.id).await?;
    app.mailer
        .send(notice(
            &account.email,
            "Your GOV.UK One Login email address has changed",
            "The email address of your GOV.UK One Login was changed. We will not send email to this address any more.",
            now,
        ))
        .await?;
    app.mailer
        .send(notice(
            &email,
            "This is now your GOV.UK One Login email address",
            "You now sign in to GOV.UK One Login with this email address.",
            now,
        ))
        .await?;
    let session = visit.session_mut();
    session.account_change = None;
    if let Some(auth) = session.auth.as_mut() {
        auth.email = email.clone();
    }
    Ok(Redirect::to("/account/changed/email").into_response())
}

// ---- Password ----

#[derive(Debug, Deserialize)]
pub struct ChangePasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default, rename = "current-password")]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "confirm-password")]
    confirm_password: String,
}

const CHANGE_PASSWORD: &str = "/account/change-password";

fn change_password_page(csrf_token: String, errors: FormErrors) -> AccountFormPage {
    let mut new = FormField::password("password", "New password", "new-password");
    new.hint = "At least 8 characters, and not one that is often used. A long phrase of everyday words is easy to remember and hard to guess.";
    AccountFormPage::new(csrf_token, "Change your password", CHANGE_PASSWORD)
        .paragraph("When you change your password, we sign you out of GOV.UK One Login on every other device.")
        .field(FormField::password(
            "current-password",
            "Current password",
            "current-password",
        ))
        .field(new)
        .field(FormField::password(
            "confirm-password",
            "Confirm your new password",
            "new-password",
        ))
        .errors(errors)
}

pub async fn change_password_form(State(app): State<AppState>, visit: Visit) -> Result<Response> {
    blank_form(&app, visit, None, change_password_page).await
}

pub async fn change_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<ChangePasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let account = through_gate!(app, visit, None);
    let mut errors = FormErrors::none();
    if let Some(problem) = current_password_problem(&form.current_password) {
        errors.add("current-password", problem);
    }
    for error in &password_errors(&form.password, &form.confirm_password) {
        errors.add(error.field, error.message.clone());
    }
    if !errors.is_empty() {
        return change_password_page(visit.csrf_token(), errors).respond();
    }
    let now = visit.now;
    match check_password(&app, &account, &form.current_password, &ip, now).await? {
        Answer::Right => {}
        Answer::Wrong(warning) => {
            let errors = FormErrors::one("current-password", WRONG_PASSWORD);
            return change_password_page(visit.csrf_token(), errors)
                .warning(warning)
                .respond();
        }
        Answer::Wait(response) => return Ok(response),
    }
    let errors = replacement_password_errors(
        &app,
        &form.password,
        &form.confirm_password,
        &account.password_hash,
        "Your new password must be different from your current password",
    )
    .await?;
    if !errors.is_empty() {
        return change_password_page(visit.csrf_token(), errors).respond();
    }
    let hash = app.passwords.hash(&form.password).await?;
    app.db
        .accounts()
        .set_password_hash(&account.id, &hash, now)
        .await?;
    app.db
        .audit()
        .record(
            &AuditEvent::new(AuditKind::PasswordChanged, Some(&account.id), now).from_ip(Some(ip)),
        )
        .await?;
    tracing::info!(account = %account.id, "password changed");
    // Whoever else knew the old password loses every session and token (checklist 32).
    end_other_sessions(&app, &visit, &account.id).await?;
    app.mailer
        .send(notice(
            &account.email,
            "Your GOV.UK One Login password has changed",
            "The password of your GOV.UK One Login was changed, and every other sign-in was ended.",
            now,
        ))
        .await?;
    Ok(Redirect::to("/account/changed/password").into_response())
}

// ---- Authenticator app ----

const CHANGE_APP: &str = "/account/change-authenticator-app";
const NEW_APP: &str = "/account/change-authenticator-app/new";

fn current_app_page(csrf_token: String, errors: FormErrors) -> AccountFormPage {
    AccountFormPage::new(csrf_token, "Change your authenticator app", CHANGE_APP)
        .paragraph("First enter a code from the authenticator app you use now. Then you will set up the new one.")
        .field(FormField::code(
            "Security code from your current authenticator app",
            "This is the 6 digit code for GOV.UK One Login.",
        ))
        .link(
            "/lost-authenticator-app",
            "I do not have my current authenticator app",
        )
        .errors(errors)
}

pub async fn current_app_form(State(app): State<AppState>, visit: Visit) -> Result<Response> {
    blank_form(&app, visit, Some(CHANGE_APP), current_app_page).await
}

pub async fn current_app(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let account = through_gate!(app, visit, Some(CHANGE_APP));
    if let Some(problem) = new_app_code_problem(&form.code) {
        return current_app_page(visit.csrf_token(), FormErrors::one("code", problem)).respond();
    }
    let now = visit.now;
    let answer = counted_check(
        &app,
        Factor::AuthenticatorCode,
        &account,
        &ip,
        now,
        async || {
            let step = account
                .totp_secret
                .as_deref()
                .and_then(|secret| totp::matching_step(secret, &form.code, now));
            // A right code counts once (RFC 6238 §5.2).
            match step {
                Some(step) => Ok(app
                    .db
                    .accounts()
                    .accept_totp_step(&account.id, step, now)
                    .await?),
                None => Ok(false),
            }
        },
    )
    .await?;
    match answer {
        Answer::Right => {}
        Answer::Wrong(warning) => {
            let errors = FormErrors::one(
                "code",
                "The security code is not correct. Check your authenticator app and try again",
            );
            return current_app_page(visit.csrf_token(), errors)
                .warning(warning)
                .respond();
        }
        Answer::Wait(response) => return Ok(response),
    }
    visit.session_mut().account_change = Some(AccountChange::NewAuthenticatorApp {
        totp_secret: totp::new_secret(),
    });
    Ok(Redirect::to(NEW_APP).into_response())
}

/// The new app's secret, if the current app's code was given.
fn new_app_secret(visit: &Visit) -> Option<String> {
    match visit.session()?.account_change.as_ref()? {
        AccountChange::NewAuthenticatorApp { totp_secret } => Some(totp_secret.clone()),
        AccountChange::NewEmail { .. } => None,
    }
}

pub async fn new_app_form(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let account = through_gate!(app, visit, None);
    let Some(secret) = new_app_secret(&visit) else {
        return Ok(Redirect::to(CHANGE_APP).into_response());
    };
    authenticator_page(
        visit.csrf_token(),
        NEW_APP,
        &secret,
        &account.email,
        FormErrors::none(),
    )
}

pub async fn new_app(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let account = through_gate!(app, visit, None);
    let Some(secret) = new_app_secret(&visit) else {
        return Ok(Redirect::to(CHANGE_APP).into_response());
    };
    let now = visit.now;
    let step = match new_app_code_problem(&form.code) {
        Some(problem) => Err(problem),
        None => totp::matching_step(&secret, &form.code, now).ok_or(
            "The security code is not correct. Check your new authenticator app and enter the code it shows now",
        ),
    };
    let step = match step {
        Ok(step) => step,
        Err(problem) => {
            let errors = FormErrors::one("code", problem);
            return authenticator_page(
                visit.csrf_token(),
                NEW_APP,
                &secret,
                &account.email,
                errors,
            );
        }
    };
    app.db
        .accounts()
        .replace_totp_secret(&account.id, &secret, step, now)
        .await?;
    app.db
        .audit()
        .record(
            &AuditEvent::new(AuditKind::AuthenticatorAppChanged, Some(&account.id), now)
                .from_ip(Some(ip)),
        )
        .await?;
    tracing::info!(account = %account.id, "authenticator app changed");
    end_other_sessions(&app, &visit, &account.id).await?;
    app.mailer
        .send(notice(
            &account.email,
            "Your GOV.UK One Login authenticator app has changed",
            "A new authenticator app was set up for your GOV.UK One Login. The old app's codes no longer work, and every other sign-in was ended.",
            now,
        ))
        .await?;
    visit.session_mut().account_change = None;
    Ok(Redirect::to("/account/changed/authenticator-app").into_response())
}

// ---- Closing the account ----

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
}

const CLOSE: &str = "/account/close";

fn close_page(csrf_token: String, errors: FormErrors) -> AccountFormPage {
    AccountFormPage::new(csrf_token, "Close your GOV.UK One Login", CLOSE)
        .paragraph("If you close your GOV.UK One Login, we delete it: your email address, password and authenticator app, your proven identity and the evidence behind it, and what you agreed to share with services.")
        .paragraph("Every service you signed in to with it is told you have signed out. Services keep their own records of what you did with them.")
        .paragraph("You can create a new GOV.UK One Login later, even with the same email address, but you would need to prove your identity again.")
        .field(FormField::password(
            "password",
            "Enter your password to close your GOV.UK One Login",
            "current-password",
        ))
        .warning(Some("You cannot undo this.".to_owned()))
        .button("Close my GOV.UK One Login", true)
        .errors(errors)
}

pub async fn close_form(State(app): State<AppState>, visit: Visit) -> Result<Response> {
    blank_form(&app, visit, None, close_page).await
}

pub async fn close(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let account = through_gate!(app, visit, None);
    if let Some(problem) = current_password_problem(&form.password) {
        return close_page(visit.csrf_token(), FormErrors::one("password", problem)).respond();
    }
    let now = visit.now;
    match check_password(&app, &account, &form.password, &ip, now).await? {
        Answer::Right => {}
        Answer::Wrong(warning) => {
            let errors = FormErrors::one("password", WRONG_PASSWORD);
            let mut page = close_page(visit.csrf_token(), errors);
            // The tries-left warning replaces "You cannot undo this" while it matters more.
            if warning.is_some() {
                page = page.warning(warning);
            }
            return page.respond();
        }
        Answer::Wait(response) => return Ok(response),
    }
    closure::close(&app.account_access(), &account.id, visit.now_ms).await?;
    app.mailer
        .send(notice(
            &account.email,
            "Your GOV.UK One Login is closed",
            "Your GOV.UK One Login was closed and its details deleted.",
            now,
        ))
        .await?;
    visit.end(&app).await?;
    Ok(Redirect::to("/account/closed").into_response())
}

/// `GET /account/closed`: shown to anyone, signed in or not; it says only what closing does.
pub async fn closed() -> Result<Response> {
    let page = MessagePage::new("Your GOV.UK One Login is closed")
        .paragraph("We have deleted your GOV.UK One Login and signed you out of it everywhere.")
        .paragraph("We have sent an email to confirm this.")
        .link("/", "Go to the start of GOV.UK One Login");
    render(&page, StatusCode::OK)
}

// ---- Reporting activity ----

#[derive(Debug, Deserialize)]
pub struct EventQuery {
    #[serde(default)]
    event: String,
}

#[derive(Debug, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    event: String,
}

const REPORT: &str = "/account/report";

/// The account's own event named by `event`; anything else is not found.
async fn reported_event(
    app: &AppState,
    account_id: &str,
    event: &str,
) -> Result<one_login_store::RecordedEvent> {
    let id: i64 = event.parse().map_err(|_| Error::NotFound)?;
    app.db
        .audit()
        .event(account_id, id)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn report_form(
    State(app): State<AppState>,
    Query(query): Query<EventQuery>,
    mut visit: Visit,
) -> Result<Response> {
    let account = through_gate!(app, visit, None);
    let event = reported_event(&app, &account.id, &query.event).await?;
    let page = AccountFormPage::new(visit.csrf_token(), "Report activity you do not recognise", REPORT)
        .paragraph(format!(
            "You are reporting: {}, on {} (UTC).",
            event.kind.describe(),
            format_time(event.at)
        ))
        .paragraph("We will sign you out of GOV.UK One Login on every other device and stop every service you use from acting for you until you sign in to it again. Then we will ask you to change your password.")
        .hidden("event", event.id.to_string())
        .button("Report it and secure my account", false);
    let response = page.respond()?;
    Ok(response)
}

/// Ends every other session and revokes every token. This session is kept: the citizen is in
/// it now, and goes straight on to change the password, before anyone who knows the old one can
/// sign in again (ending it too would send them through sign-in first, a race they could lose).
pub async fn report(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    visit: Visit,
    PageForm(form): PageForm<ReportForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let account = through_gate!(app, visit, None);
    let event = reported_event(&app, &account.id, &form.event).await?;
    end_other_sessions(&app, &visit, &account.id).await?;
    app.db
        .audit()
        .record(
            &AuditEvent::new(AuditKind::ActivityReported, Some(&account.id), visit.now)
                .from_ip(Some(ip))
                .with_detail(format!("{} {}", event.id, event.kind.as_str())),
        )
        .await?;
    tracing::warn!(account = %account.id, event = event.id, "activity reported as not recognised");
    Ok(Redirect::to("/account/changed/reported").into_response())
}

/// `GET /account/changed/{what}`: the confirmation after a change (a redirect after the POST,
/// so reloading it sends nothing again: RFC 9700 §4.12).
pub async fn changed(
    State(app): State<AppState>,
    Path(what): Path<String>,
    visit: Visit,
) -> Result<Response> {
    let account = through_gate!(app, visit, None);
    let others = "We have signed you out of GOV.UK One Login on your other devices, and services you used will ask you to sign in again.";
    let page = match what.as_str() {
        "email" => MessagePage::new("You have changed your email address")
            .paragraph(format!("You now sign in with {}.", account.email))
            .paragraph(others),
        "password" => MessagePage::new("You have changed your password")
            .paragraph("Use your new password next time you sign in.")
            .paragraph(others),
        "authenticator-app" => MessagePage::new("You have changed your authenticator app")
            .paragraph("Use the codes from your new app when you sign in. The old app's codes no longer work: you can remove GOV.UK One Login from it.")
            .paragraph(others),
        "reported" => {
            let page = MessagePage::new("We have secured your GOV.UK One Login")
                .paragraph(others)
                .paragraph("Now change your password, so that whoever did this cannot sign in again.")
                .link(CHANGE_PASSWORD, "Change your password");
            return render(&page, StatusCode::OK);
        }
        _ => return Err(Error::NotFound),
    };
    render(&page.link("/account", "Go to your account"), StatusCode::OK)
}
