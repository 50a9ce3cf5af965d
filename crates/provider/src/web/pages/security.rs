//! The account page's security changes (issue 10 items 3-5): the email address, the password,
//! the authenticator app, closing the account, and reporting activity the citizen does not
//! recognise. Each needs a full sign-in (Cl.Cm). The email address and app changes ask for the
//! password again when the sign-in is older than 15 minutes (`accounts::changes`); changing the
//! password and closing the account ask for it every time.

use askama::Template;

use crate::web::language::{filters, from_english, text_with};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::create_account::authenticator_page;
use super::sign_in::{SAME_PASSWORD, wait_page};
use super::{CodeForm, EmailForm, PasswordForm, shown};
use crate::app::AppState;
use crate::web::error::{Error, Result};
use crate::web::extract::{ClientIp, PageForm};
use crate::web::templates::{
    FormErrors, Link, MessagePage, form_status, format_time, render, tries_left_warning,
};
use crate::web::visit::Visit;
use one_login_core::accounts::changes::{
    self, Credential, Replaced, needs_password_again, return_page,
};
use one_login_core::accounts::email_code::PendingCode;
use one_login_core::accounts::typed_codes::{
    EmailedCode, app_code_problem, check_emailed_code, new_app_step,
};
use one_login_core::accounts::{
    Checked, FailureOutcome, email_problem, new_password_problems, password, totp,
};
use one_login_core::sessions::{AccountChange, CredentialLevel};
use one_login_store::Account;

/// One text field of an [`AccountFormPage`].
pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub input_type: &'static str,
    pub value: String,
    pub hint: &'static str,
    pub autocomplete: &'static str,
    pub inputmode: &'static str,
    pub classes: &'static str,
}

impl FormField {
    /// A password field: never filled in again when the page comes back with errors.
    pub fn password(name: &'static str, label: &'static str, autocomplete: &'static str) -> Self {
        FormField {
            name,
            label,
            input_type: "password",
            value: String::new(),
            hint: "",
            autocomplete,
            inputmode: "",
            classes: "",
        }
    }

    pub fn email(label: &'static str, value: String) -> Self {
        FormField {
            name: "email",
            label,
            input_type: "email",
            value,
            hint: "",
            autocomplete: "email",
            inputmode: "",
            classes: "",
        }
    }

    /// A 6-digit code field.
    pub fn code(label: &'static str, hint: &'static str) -> Self {
        FormField {
            name: "code",
            label,
            input_type: "text",
            value: String::new(),
            hint,
            autocomplete: "one-time-code",
            inputmode: "numeric",
            classes: "govuk-input--width-5 govuk-input--extra-letter-spacing",
        }
    }
}

/// The account pages' forms (change email, password, app; close; report; give the password
/// again): a heading, some words, fields, one button.
#[derive(Template)]
#[template(path = "account/form.html")]
pub struct AccountFormPage {
    pub csrf_token: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub warning: Option<String>,
    pub action: &'static str,
    pub hidden: Vec<(&'static str, String)>,
    pub fields: Vec<FormField>,
    pub button: &'static str,
    /// The button does something that cannot be undone: a warning button.
    pub destructive: bool,
    pub links: Vec<Link>,
    pub errors: FormErrors,
}

impl AccountFormPage {
    pub fn new(csrf_token: String, title: impl Into<String>, action: &'static str) -> Self {
        AccountFormPage {
            csrf_token,
            title: title.into(),
            paragraphs: Vec::new(),
            warning: None,
            action,
            hidden: Vec::new(),
            fields: Vec::new(),
            button: "Continue",
            destructive: false,
            links: vec![Link {
                href: "/account".into(),
                text: "Cancel and go back to your account".into(),
            }],
            errors: FormErrors::none(),
        }
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.paragraphs.push(text.into());
        self
    }

    pub fn field(mut self, field: FormField) -> Self {
        self.fields.push(field);
        self
    }

    pub fn hidden(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.hidden.push((name, value.into()));
        self
    }

    pub fn warning(mut self, text: Option<String>) -> Self {
        self.warning = text;
        self
    }

    pub fn button(mut self, text: &'static str, destructive: bool) -> Self {
        self.button = text;
        self.destructive = destructive;
        self
    }

    pub fn link(mut self, href: impl Into<String>, text: impl Into<String>) -> Self {
        self.links.insert(
            0,
            Link {
                href: href.into(),
                text: text.into(),
            },
        );
        self
    }

    pub fn errors(mut self, errors: FormErrors) -> Self {
        self.errors = errors;
        self
    }

    /// Rendered: 400 with errors, else 200.
    pub fn respond(&self) -> Result<Response> {
        render(self, form_status(&self.errors))
    }
}

/// The signed-in citizen and their account, or where to send them instead: to sign in, or,
/// for a change that needs a recent sign-in (`fresh_for`, the page itself), to give the
/// password again and come back.
pub(super) enum Gate {
    Open(Account),
    Closed(Response),
}

pub(super) async fn gate(
    app: &AppState,
    visit: &Visit,
    fresh_for: Option<&'static str>,
) -> Result<Gate> {
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

/// Opens the gate or answers with where it sends the citizen (the caller has `gate` and `Gate`
/// in scope).
macro_rules! through_gate {
    ($app:expr, $visit:expr, $fresh:expr) => {
        match gate(&$app, &$visit, $fresh).await? {
            Gate::Open(account) => account,
            Gate::Closed(response) => return Ok(response),
        }
    };
}
pub(super) use through_gate;

/// The current password or app code, as checked on an account page.
enum Answer {
    Right,
    /// Wrong: the tries-left warning, once 2 or fewer remain.
    Wrong(Option<String>),
    /// Too many wrong answers: the page that says how long to wait.
    Wait(Response),
}

/// What a counted check (`AccountServices::confirm_password`, `confirm_app_code`) means on an
/// account page: the session stays, whatever the answer.
fn answer(checked: Checked<()>) -> Answer {
    match checked {
        Checked::Right(()) => Answer::Right,
        Checked::Wrong(FailureOutcome::TriesLeft(n)) => Answer::Wrong(tries_left_warning(n)),
        Checked::Wrong(FailureOutcome::MustWait { until }) | Checked::Wait { until } => {
            Answer::Wait(Redirect::to(&wait_page(until)).into_response())
        }
        // The account went away meanwhile.
        Checked::Gone => Answer::Wait(Redirect::to("/sign-in").into_response()),
    }
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

/// A form page with nothing typed yet, built by `page` with the session's CSRF token.
async fn blank_form(
    app: &AppState,
    mut visit: Visit,
    fresh_for: Option<&'static str>,
    page: fn(String, FormErrors) -> AccountFormPage,
) -> Result<Response> {
    through_gate!(app, visit, fresh_for);
    page(visit.csrf_token(), FormErrors::none()).respond()
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
    let services = app.account_services();
    let checked = services
        .confirm_password(&account, &form.password, &ip, visit.now)
        .await?;
    match answer(checked) {
        Answer::Right => {}
        Answer::Wrong(warning) => {
            let errors = FormErrors::one("password", WRONG_PASSWORD);
            return page(&mut visit, errors, warning);
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

const CHANGE_EMAIL: &str = "/account/change-email";
const CHECK_NEW_EMAIL: &str = "/account/change-email/check-email";

fn change_email_page(
    csrf_token: String,
    current: &str,
    typed: String,
    errors: FormErrors,
) -> AccountFormPage {
    AccountFormPage::new(csrf_token, "Change your email address", CHANGE_EMAIL)
        .paragraph(text_with("your-email-address-is", &[("email", current.into())]))
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
    page.respond()
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
        let errors = FormErrors::one("email", problem);
        let page = change_email_page(visit.csrf_token(), &account.email, shown(&email), errors);
        return page.respond();
    }
    let services = app.account_services();
    let code = services.send_new_address_code(&email, visit.now).await?;
    visit.session_mut().account_change = Some(AccountChange::NewEmail { email, code });
    Ok(Redirect::to(CHECK_NEW_EMAIL).into_response())
}

/// The new address waiting for its code, if a change is at that step.
fn pending_email(visit: &Visit) -> Option<(String, PendingCode)> {
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
        .paragraph(text_with(
            "we-have-sent-a-code-to-it-expires",
            &[
                ("email", email.into()),
                (
                    "minutes",
                    (app.config.sign_in.email_code_ttl.as_secs() / 60).into(),
                ),
            ],
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
    let store = app.ephemeral.as_ref();
    match check_emailed_code(store, &pending, &form.code, visit.now).await? {
        EmailedCode::Right => {}
        EmailedCode::Wrong(problem) => {
            let errors = FormErrors::one("code", problem);
            return check_new_email_page(&app, visit.csrf_token(), &email, errors).respond();
        }
        EmailedCode::Void => return email_unchanged(visit, void_code_page()),
    }
    let (services, keep) = (app.account_services(), visit.session_id());
    if !services
        .change_email(&account, &email, keep, &ip, visit.now_ms)
        .await?
    {
        return email_unchanged(visit, address_taken_page());
    }
    let session = visit.session_mut();
    session.account_change = None;
    if let Some(auth) = session.auth.as_mut() {
        auth.email = email;
    }
    Ok(Redirect::to("/account/changed/email").into_response())
}

/// The change of address ends without a change: the page says why.
fn email_unchanged(mut visit: Visit, page: MessagePage) -> Result<Response> {
    visit.session_mut().account_change = None;
    render(&page, StatusCode::OK)
}

fn void_code_page() -> MessagePage {
    MessagePage::new("You entered the wrong code too many times")
        .paragraph(
            "For your security, that code no longer works. Your email address has not changed.",
        )
        .link(CHANGE_EMAIL, "Get a new code")
}

fn address_taken_page() -> MessagePage {
    MessagePage::new("You cannot use that email address")
        .paragraph("That email address belongs to another GOV.UK One Login. Your email address has not changed.")
        .link(CHANGE_EMAIL, "Use another email address")
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
    let errors = change_password_problems(&form);
    if !errors.is_empty() {
        return change_password_page(visit.csrf_token(), errors).respond();
    }
    let services = app.account_services();
    let current = &form.current_password;
    let checked = services.confirm_password(&account, current, &ip, visit.now);
    match answer(checked.await?) {
        Answer::Right => {}
        Answer::Wrong(warning) => {
            let errors = FormErrors::one("current-password", WRONG_PASSWORD);
            let page = change_password_page(visit.csrf_token(), errors);
            return page.warning(warning).respond();
        }
        Answer::Wait(response) => return Ok(response),
    }
    let typed = (form.password.as_str(), form.confirm_password.as_str());
    let replaced = app
        .passwords
        .replacement(typed, &account.password_hash, SAME_PASSWORD);
    let hash = match replaced.await? {
        Ok(hash) => hash,
        Err(problems) => {
            return change_password_page(visit.csrf_token(), problems.into()).respond();
        }
    };
    let (new, keep) = (Credential::Password { hash: &hash }, visit.session_id());
    services
        .replace_credential(&account, new, Replaced::Changed, keep, &ip, visit.now_ms)
        .await?;
    Ok(Redirect::to("/account/changed/password").into_response())
}

/// The problems a change of password shows before any check: the current password missing or
/// too long, and the new one against the rules.
fn change_password_problems(form: &ChangePasswordForm) -> FormErrors {
    let mut errors = FormErrors::none();
    if let Some(problem) = current_password_problem(&form.current_password) {
        errors.add("current-password", problem);
    }
    for (field, message) in new_password_problems(&form.password, &form.confirm_password) {
        errors.add(field, message);
    }
    errors
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
    if let Some(problem) = app_code_problem(&form.code) {
        return current_app_page(visit.csrf_token(), FormErrors::one("code", problem)).respond();
    }
    let services = app.account_services();
    let checked = services.confirm_app_code(&account, &form.code, &ip, visit.now);
    match answer(checked.await?) {
        Answer::Right => {}
        Answer::Wrong(warning) => {
            let errors = FormErrors::one(
                "code",
                "The security code is not correct. Check your authenticator app and try again",
            );
            let page = current_app_page(visit.csrf_token(), errors);
            return page.warning(warning).respond();
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
    let wrong = "The security code is not correct. Check your new authenticator app and enter the code it shows now";
    let step = match new_app_step(&secret, &form.code, visit.now, wrong) {
        Ok(step) => step,
        Err(problem) => {
            let (csrf_token, errors) = (visit.csrf_token(), FormErrors::one("code", problem));
            return authenticator_page(csrf_token, NEW_APP, &secret, &account.email, errors);
        }
    };
    let new = Credential::App {
        secret: &secret,
        step,
    };
    let (services, keep) = (app.account_services(), visit.session_id());
    services
        .replace_credential(&account, new, Replaced::Changed, keep, &ip, visit.now_ms)
        .await?;
    visit.session_mut().account_change = None;
    Ok(Redirect::to("/account/changed/authenticator-app").into_response())
}

// ---- Closing the account ----

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
    let services = app.account_services();
    let checked = services.confirm_password(&account, &form.password, &ip, visit.now);
    match answer(checked.await?) {
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
    services.close(&account, visit.now_ms).await?;
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

pub async fn report_form(
    State(app): State<AppState>,
    Query(query): Query<EventQuery>,
    mut visit: Visit,
) -> Result<Response> {
    let account = through_gate!(app, visit, None);
    let services = app.account_services();
    let event = services.reported_event(&account.id, &query.event).await?;
    let event = event.ok_or(Error::NotFound)?;
    let page = AccountFormPage::new(visit.csrf_token(), "Report activity you do not recognise", REPORT)
        .paragraph(text_with(
            "you-are-reporting",
            &[
                ("event", from_english(event.kind.describe()).into()),
                ("time", format_time(event.at).into()),
            ],
        ))
        .paragraph("We will sign you out of GOV.UK One Login on every other device and stop every service you use from acting for you until you sign in to it again. Then we will ask you to change your password.")
        .hidden("event", event.id.to_string())
        .button("Report it and secure my account", false);
    page.respond()
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
    let services = app.account_services();
    let event = services.reported_event(&account.id, &form.event).await?;
    let event = event.ok_or(Error::NotFound)?;
    let keep = visit.session_id();
    services
        .report(&account.id, &event, keep, &ip, visit.now_ms)
        .await?;
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
            .paragraph(text_with(
                "you-now-sign-in-with",
                &[("email", account.email.as_str().into())],
            ))
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
