//! Getting back into an account (issue 10 items 1 and 2): "Forgotten your password?" on the
//! password page (`/reset-password`) and "I do not have access to my authenticator app" on the
//! code page (`/lost-authenticator-app`). The steps are `accounts::recovery`'s; each page checks
//! the session is at its step and otherwise sends the citizen to the step they are at.
//!
//! Neither journey says whether an address has an account: the same pages follow, and an email
//! goes to the address either way (a code, or a note that it has no account), so both cost the
//! same (ASVS 6.3.8). When either journey ends well, every other session of the account ends,
//! every token is revoked and each service is told (checklist 32, ASVS 7.4.2), an email tells
//! the citizen, and they go on to the service they came from, if any, signed in.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use identity_proofing::ClaimedIdentity;
use serde::Deserialize;

use super::create_account::{
    EmailForm, EmailedCode, PasswordForm, authenticator_page, check_emailed_code, code_void,
    new_app_code_problem, new_app_step, replacement_password_errors,
};
use super::identity::templates::PassportPage;
use super::identity::{source_error, today, wait_in_words};
use super::sign_in::{
    Checked, WRONG_APP_CODE, check_app_code, check_password, complete_sign_in, sign_in_at,
};
use super::{CodeForm, MAX_FIELD_CHARS};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::templates::{FormErrors, MessagePage, SignInCodePage, format_time, render};
use crate::web::{ClientIp, PageForm, Visit};
use one_login_core::accounts::recovery::{self, Purpose, Recovery, Step};
use one_login_core::accounts::{email_code, email_problem, totp};
use one_login_core::identity::Source;
use one_login_core::identity::attempts::{AttemptKind, CheckResult, ClaimedDocument, Reserved};
use one_login_core::identity::details::{PassportForm, passport_details};
use one_login_core::identity::journey::claimed_identity;
use one_login_core::mail::Email;
use one_login_core::sessions::{CredentialLevel, Journey};
use one_login_store::{Account, AuditEvent, AuditKind};

#[derive(Template)]
#[template(path = "recovery/email.html")]
pub struct RecoveryEmailPage {
    pub csrf_token: String,
    pub action: &'static str,
    pub title: &'static str,
    pub intro: &'static [&'static str],
    pub email: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "recovery/check_email.html")]
pub struct RecoveryCheckEmailPage {
    pub csrf_token: String,
    pub action: String,
    pub start: &'static str,
    pub email: String,
    pub ttl_minutes: u64,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "recovery/new_password.html")]
pub struct NewPasswordPage {
    pub csrf_token: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "recovery/password.html")]
pub struct CurrentPasswordPage {
    pub csrf_token: String,
    pub errors: FormErrors,
    pub tries_warning: Option<String>,
}

const RESET_CODE: &str = "/reset-password/authenticator-code";
const NEW_APP: &str = "/lost-authenticator-app/authenticator-app";
const REPROVE: &str = "/lost-authenticator-app/passport";

fn recovery_of(visit: &Visit) -> Option<Recovery> {
    match &visit.session()?.journey {
        Journey::Recovery(recovery) => Some(recovery.clone()),
        _ => None,
    }
}

/// The journey when it is at the step a page serves; otherwise where to send the citizen: the
/// step they are at, or the journey's start.
fn at_step(
    visit: &Visit,
    purpose: Purpose,
    serves: fn(&Step) -> bool,
) -> Result<Recovery, Redirect> {
    match recovery_of(visit) {
        Some(r) if r.purpose == purpose && serves(&r.step) => Ok(r),
        Some(r) if r.purpose == purpose => Err(Redirect::to(&r.current_page())),
        _ => Err(Redirect::to(purpose.start())),
    }
}

fn email_page(
    purpose: Purpose,
    csrf_token: String,
    email: String,
    errors: FormErrors,
) -> RecoveryEmailPage {
    let (title, intro): (_, &'static [&'static str]) = match purpose {
        Purpose::ForgottenPassword => (
            "Reset your password",
            &[
                "Enter the email address of your GOV.UK One Login. We will email you a code, then you can choose a new password.",
            ],
        ),
        Purpose::LostAuthenticatorApp => (
            "Get a new authenticator app",
            &[
                "If you no longer have the authenticator app you set up, you can set up a new one. We will email you a code, then ask for your password.",
                "If you have proved your identity with GOV.UK One Login, we will also ask you to prove it again, so that no one else can take over your account.",
            ],
        ),
    };
    RecoveryEmailPage {
        csrf_token,
        action: purpose.start(),
        title,
        intro,
        email,
        errors,
    }
}

/// Which recovery journey a page of the shared steps (email address, emailed code) serves.
pub trait Journeyed {
    const PURPOSE: Purpose;
}

/// `/reset-password/…`.
pub struct ResetPassword;

impl Journeyed for ResetPassword {
    const PURPOSE: Purpose = Purpose::ForgottenPassword;
}

/// `/lost-authenticator-app/…`.
pub struct LostApp;

impl Journeyed for LostApp {
    const PURPOSE: Purpose = Purpose::LostAuthenticatorApp;
}

pub async fn email_form<J: Journeyed>(mut visit: Visit) -> Result<Response> {
    let purpose = J::PURPOSE;
    // The address already given: earlier in this journey, at sign-in, or by the service.
    let session = visit.session();
    let email = recovery_of(&visit)
        .filter(|r| r.purpose == purpose)
        .map(|r| r.email)
        .or_else(|| {
            session
                .and_then(|s| s.auth.as_ref())
                .map(|a| a.email.clone())
        })
        .or_else(|| {
            session
                .and_then(|s| s.pending.as_ref())
                .and_then(|p| p.login_hint.clone())
        })
        .unwrap_or_default();
    let page = email_page(purpose, visit.csrf_token(), email, FormErrors::none());
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

pub async fn submit_email<J: Journeyed>(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<EmailForm>,
) -> Result<Response> {
    let purpose = J::PURPOSE;
    visit.check_csrf(&form.csrf_token)?;
    let email = form.email.trim().to_owned();
    if let Some(problem) = email_problem(&email) {
        let shown = email.chars().take(MAX_FIELD_CHARS).collect();
        let page = email_page(
            purpose,
            visit.csrf_token(),
            shown,
            FormErrors::one("email", problem),
        );
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let now = visit.now;
    let ttl = app.config.sign_in.email_code_ttl.as_secs() as i64;
    let account = app.db.accounts().find_by_email(&email).await?;
    // One email either way, within the address's share; the page is the same.
    let send = recovery::may_send_code(app.ephemeral.as_ref(), &email).await?;
    let pending = match (&account, send) {
        (Some(_), true) => {
            let (code, pending) = email_code::issue(now, ttl);
            app.mailer
                .send(code_email(purpose, &email, &code, ttl))
                .await?;
            pending
        }
        (None, true) => {
            app.mailer
                .send(no_account_email(&email, &app.config.url("create-account")))
                .await?;
            email_code::unguessable(now, ttl)
        }
        (_, false) => {
            tracing::warn!(client = %ip, "recovery codes to one address limited");
            email_code::unguessable(now, ttl)
        }
    };
    // Recorded for an address without an account too (under no account): a run of those is
    // someone probing for accounts, and both answers then cost the same database write.
    if purpose == Purpose::ForgottenPassword {
        let account_id = account.as_ref().map(|a| a.id.as_str());
        let event = AuditEvent::new(AuditKind::PasswordResetRequested, account_id, now)
            .from_ip(Some(ip.clone()));
        app.db.audit().record(&event).await?;
    }
    let recovery = Recovery {
        purpose,
        email,
        step: Step::CheckEmail(pending),
    };
    let next = recovery.current_page();
    visit.session_mut().journey = Journey::Recovery(recovery);
    Ok(Redirect::to(&next).into_response())
}

/// The code goes in the body only (issue 11.9).
fn code_email(purpose: Purpose, to: &str, code: &str, ttl_seconds: i64) -> Email {
    let what = match purpose {
        Purpose::ForgottenPassword => "reset the password of your GOV.UK One Login",
        Purpose::LostAuthenticatorApp => "set up a new authenticator app for your GOV.UK One Login",
    };
    Email {
        to: to.to_owned(),
        subject: "Your GOV.UK One Login security code".to_owned(),
        body: format!(
            "Your code to {what} is:\n\n{code}\n\nThe code expires in {} minutes.\n\n\
             If you did not ask for this code, someone may have typed your email address by mistake: \
             you do not need to do anything. Do not share the code with anyone.\n",
            ttl_seconds / 60
        ),
    }
}

fn no_account_email(to: &str, create_url: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: "GOV.UK One Login: no account for this email address".to_owned(),
        body: format!(
            "Someone asked to get back into a GOV.UK One Login with this email address, but there is no \
             GOV.UK One Login for it.\n\nIf you use another email address to sign in, try again with that one. \
             To create a GOV.UK One Login, go to {create_url}\n\nIf this was not you, you do not need to do anything.\n"
        ),
    }
}

/// Tells the citizen what changed, and what to do if it was not them.
fn changed_email(to: &str, what: &str, now: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: format!("Your GOV.UK One Login {what} was changed"),
        body: format!(
            "The {what} of your GOV.UK One Login was changed on {} (UTC).\n\n\
             For your security, you were signed out everywhere else, and services you use will ask you to sign in again.\n\n\
             If you did not do this, someone else may know your password and be able to read your email: \
             change the password of your email account, then reset your GOV.UK One Login password.\n",
            format_time(now)
        ),
    }
}

fn checking_email(step: &Step) -> bool {
    matches!(step, Step::CheckEmail(_))
}

fn check_email_page(
    app: &AppState,
    recovery: &Recovery,
    csrf_token: String,
    errors: FormErrors,
) -> RecoveryCheckEmailPage {
    RecoveryCheckEmailPage {
        csrf_token,
        action: recovery.current_page(),
        start: recovery.purpose.start(),
        email: recovery.email.clone(),
        ttl_minutes: app.config.sign_in.email_code_ttl.as_secs() / 60,
        errors,
    }
}

pub async fn code_form<J: Journeyed>(
    State(app): State<AppState>,
    mut visit: Visit,
) -> Result<Response> {
    let purpose = J::PURPOSE;
    let recovery = match at_step(&visit, purpose, checking_email) {
        Ok(recovery) => recovery,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let page = check_email_page(&app, &recovery, visit.csrf_token(), FormErrors::none());
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

pub async fn submit_code<J: Journeyed>(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    let purpose = J::PURPOSE;
    visit.check_csrf(&form.csrf_token)?;
    let recovery = match at_step(&visit, purpose, checking_email) {
        Ok(recovery) => recovery,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let Step::CheckEmail(pending) = &recovery.step else {
        return Ok(Redirect::to(purpose.start()).into_response());
    };
    match check_emailed_code(&app, pending, &form.code, visit.now).await? {
        EmailedCode::Right => {}
        EmailedCode::Wrong(problem) => {
            let page = check_email_page(
                &app,
                &recovery,
                visit.csrf_token(),
                FormErrors::one("code", problem),
            );
            return render(&page, StatusCode::BAD_REQUEST);
        }
        EmailedCode::Void => return code_void(visit, purpose.start()),
    }
    // A right code was only ever sent to an address with an account; it may have closed since.
    let Some(account) = app.db.accounts().find_by_email(&recovery.email).await? else {
        visit.session_mut().journey = Journey::None;
        return Ok(Redirect::to(purpose.start()).into_response());
    };
    let next = Recovery {
        step: Recovery::after_code(purpose, account.id),
        ..recovery
    };
    let page = next.current_page();
    visit.session_mut().journey = Journey::Recovery(next);
    Ok(Redirect::to(&page).into_response())
}

/// The account a step names, or the journey's start when it is gone.
async fn account_of(app: &AppState, account_id: &str) -> Result<Option<Account>> {
    Ok(app.db.accounts().find(account_id).await?)
}

// --- Forgotten password -------------------------------------------------------------------

fn choosing_password(step: &Step) -> bool {
    matches!(step, Step::NewPassword { .. })
}

pub async fn new_password_form(mut visit: Visit) -> Result<Response> {
    if let Err(elsewhere) = at_step(&visit, Purpose::ForgottenPassword, choosing_password) {
        return Ok(elsewhere.into_response());
    }
    let page = NewPasswordPage {
        csrf_token: visit.csrf_token(),
        errors: FormErrors::none(),
    };
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

/// The same rules as a new account's password (length, not a common one), and not the
/// password the account has now: a reset that changes nothing protects nothing.
pub async fn submit_new_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let recovery = match at_step(&visit, Purpose::ForgottenPassword, choosing_password) {
        Ok(recovery) => recovery,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let Step::NewPassword { account_id } = &recovery.step else {
        return Ok(Redirect::to(Purpose::ForgottenPassword.start()).into_response());
    };
    let Some(account) = account_of(&app, account_id).await? else {
        visit.session_mut().journey = Journey::None;
        return Ok(Redirect::to(Purpose::ForgottenPassword.start()).into_response());
    };
    let errors = replacement_password_errors(
        &app,
        &form.password,
        &form.confirm_password,
        &account.password_hash,
        "Choose a password that is different from your current one",
    )
    .await?;
    if !errors.is_empty() {
        let page = NewPasswordPage {
            csrf_token: visit.csrf_token(),
            errors,
        };
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let password_hash = app.passwords.hash(&form.password).await?;
    if account.totp_secret.is_none() {
        // An account without an app (made by an operator): nothing to confirm with. The reset
        // is done now, and the citizen sets up an app before signing in.
        reset_password(&app, &visit, &account, &password_hash, &ip).await?;
        if let Some(refused) = sign_in_at(
            &app,
            &mut visit,
            &account.id,
            &account.email,
            CredentialLevel::Cl,
        )
        .await?
        {
            return Ok(refused.into_response());
        }
        visit.session_mut().journey = Journey::AddAuthenticator {
            totp_secret: totp::new_secret(),
        };
        return Ok(Redirect::to("/sign-in/set-up-authenticator-app").into_response());
    }
    visit.session_mut().journey = Journey::Recovery(Recovery {
        step: Step::ConfirmWithApp {
            account_id: account.id,
            password_hash,
        },
        ..recovery
    });
    Ok(Redirect::to(RESET_CODE).into_response())
}

/// Writes the new password, ends every other session and token, records and tells.
async fn reset_password(
    app: &AppState,
    visit: &Visit,
    account: &Account,
    password_hash: &str,
    ip: &str,
) -> Result<()> {
    let now = visit.now;
    app.db
        .accounts()
        .set_password_hash(&account.id, password_hash, now)
        .await?;
    let ended = app
        .account_access()
        .end_all(&account.id, visit.session_id(), visit.now_ms)
        .await?;
    let event = AuditEvent::new(AuditKind::PasswordReset, Some(&account.id), now)
        .from_ip(Some(ip.to_owned()))
        .with_detail(format!("{} other sessions ended", ended.sessions));
    app.db.audit().record(&event).await?;
    tracing::info!(account = %account.id, "password reset");
    app.mailer
        .send(changed_email(&account.email, "password", now))
        .await?;
    Ok(())
}

fn confirming_with_app(step: &Step) -> bool {
    matches!(step, Step::ConfirmWithApp { .. })
}

fn reset_code_page(
    csrf_token: String,
    errors: FormErrors,
    tries_warning: Option<String>,
) -> SignInCodePage {
    SignInCodePage {
        csrf_token,
        action: RESET_CODE,
        lost_app_link: false,
        errors,
        tries_warning,
    }
}

pub async fn reset_app_code_form(mut visit: Visit) -> Result<Response> {
    if let Err(elsewhere) = at_step(&visit, Purpose::ForgottenPassword, confirming_with_app) {
        return Ok(elsewhere.into_response());
    }
    let page = reset_code_page(visit.csrf_token(), FormErrors::none(), None);
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

/// The app's code, as at sign-in: throttled the same way (counted before it is checked), and
/// each code used once (RFC 6238 §5.2).
pub async fn submit_reset_app_code(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let recovery = match at_step(&visit, Purpose::ForgottenPassword, confirming_with_app) {
        Ok(recovery) => recovery,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let Step::ConfirmWithApp {
        account_id,
        password_hash,
    } = &recovery.step
    else {
        return Ok(Redirect::to(Purpose::ForgottenPassword.start()).into_response());
    };
    if let Some(problem) = new_app_code_problem(&form.code) {
        let page = reset_code_page(visit.csrf_token(), FormErrors::one("code", problem), None);
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let checked = check_app_code(&app, visit, &recovery.email, account_id, &form.code, &ip);
    let (visit, account) = match checked.await? {
        Checked::Right(visit, account) => (visit, account),
        Checked::Wrong(mut visit, tries_warning) => {
            let errors = FormErrors::one("code", WRONG_APP_CODE);
            let page = reset_code_page(visit.csrf_token(), errors, tries_warning);
            return render(&page, StatusCode::BAD_REQUEST);
        }
        Checked::Answered(response) => return Ok(response),
    };
    reset_password(&app, &visit, &account, password_hash, &ip).await?;
    complete_sign_in(&app, visit, &account.id, &account.email, &ip).await
}

// --- Lost authenticator app ---------------------------------------------------------------

fn giving_password(step: &Step) -> bool {
    matches!(step, Step::Password { .. })
}

pub async fn password_form(mut visit: Visit) -> Result<Response> {
    if let Err(elsewhere) = at_step(&visit, Purpose::LostAuthenticatorApp, giving_password) {
        return Ok(elsewhere.into_response());
    }
    let page = CurrentPasswordPage {
        csrf_token: visit.csrf_token(),
        errors: FormErrors::none(),
        tries_warning: None,
    };
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct CurrentPasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
}

/// Who the account's proven identity is, from its evidence still good; `None` without one.
async fn proven_identity(
    app: &AppState,
    account_id: &str,
    now: i64,
) -> Result<Option<ClaimedIdentity>> {
    if app.db.identity().record(account_id).await?.is_none() {
        return Ok(None);
    }
    let held = app
        .identity
        .evidence(&app.db, &app.oidc.keys.set(), account_id, now)
        .await?;
    Ok(claimed_identity(&held))
}

/// The password, as at sign-in: throttled the same way, counted before it is checked.
pub async fn submit_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CurrentPasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let recovery = match at_step(&visit, Purpose::LostAuthenticatorApp, giving_password) {
        Ok(recovery) => recovery,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let Step::Password { account_id } = &recovery.step else {
        return Ok(Redirect::to(Purpose::LostAuthenticatorApp.start()).into_response());
    };
    if form.password.is_empty() {
        let page = CurrentPasswordPage {
            csrf_token: visit.csrf_token(),
            errors: FormErrors::one("password", "Enter your password"),
            tries_warning: None,
        };
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let now = visit.now;
    let checked = check_password(
        &app,
        visit,
        &recovery.email,
        Some(account_id),
        &form.password,
        &ip,
    );
    let (mut visit, account) = match checked.await? {
        Checked::Right(visit, account) => (visit, account),
        Checked::Wrong(mut visit, tries_warning) => {
            let page = CurrentPasswordPage {
                csrf_token: visit.csrf_token(),
                errors: FormErrors::one("password", "The password is not correct"),
                tries_warning,
            };
            return render(&page, StatusCode::BAD_REQUEST);
        }
        Checked::Answered(response) => return Ok(response),
    };
    let proven = proven_identity(&app, &account.id, now).await?.is_some();
    let next = Recovery {
        step: Recovery::after_password(account.id, proven, totp::new_secret()),
        ..recovery
    };
    let page = next.current_page();
    visit.session_mut().journey = Journey::Recovery(next);
    Ok(Redirect::to(&page).into_response())
}

fn proving_identity(step: &Step) -> bool {
    matches!(step, Step::ProveIdentity { .. })
}

fn reprove_page(
    csrf_token: String,
    form: PassportForm,
    errors: FormErrors,
    not_matched: Option<u32>,
) -> PassportPage {
    PassportPage {
        csrf_token,
        action: REPROVE,
        back: "/sign-in",
        intro: Some(
            "You have proved your identity with GOV.UK One Login. Before you set up a new authenticator app, prove it again with your UK passport.",
        ),
        form,
        errors,
        not_matched: not_matched.is_some(),
        attempts_left: not_matched.unwrap_or(0),
    }
}

pub async fn reprove_form(mut visit: Visit) -> Result<Response> {
    if let Err(elsewhere) = at_step(&visit, Purpose::LostAuthenticatorApp, proving_identity) {
        return Ok(elsewhere.into_response());
    }
    let page = reprove_page(
        visit.csrf_token(),
        PassportForm::default(),
        FormErrors::none(),
        None,
    );
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

/// The passport is checked with the passport office, counted against the proving attempt
/// limits (issue 11.5, reserved before the check); a passport that matches its record must
/// then be of the person whose identity the account holds (`ClaimedIdentity::same_person`).
/// Someone else's passport ends the journey: the stored identity and the old app stay.
pub async fn submit_reprove(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<PassportForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let recovery = match at_step(&visit, Purpose::LostAuthenticatorApp, proving_identity) {
        Ok(recovery) => recovery,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let Step::ProveIdentity { account_id } = &recovery.step else {
        return Ok(Redirect::to(Purpose::LostAuthenticatorApp.start()).into_response());
    };
    let now = visit.now;
    let details = match passport_details(&form, today(now)) {
        Ok(details) => details,
        Err(problems) => {
            let mut errors = FormErrors::none();
            for (field, message) in problems {
                errors.add(field, message);
            }
            let page = reprove_page(visit.csrf_token(), form, errors, None);
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let Some(stored) = proven_identity(&app, account_id, now).await? else {
        // The identity expired meanwhile: nothing to match, so nothing to protect.
        let next = Recovery {
            step: Recovery::after_password(account_id.clone(), false, totp::new_secret()),
            ..recovery
        };
        visit.session_mut().journey = Journey::Recovery(next);
        return Ok(Redirect::to(NEW_APP).into_response());
    };
    let attempts = &app.identity.attempts;
    let document = ClaimedDocument::Passport(details.passport_number.clone());
    let reservation = match attempts
        .reserve(
            &app.db,
            account_id,
            AttemptKind::DocumentCheck,
            &document,
            now,
        )
        .await?
    {
        Reserved::Go(reservation) => reservation,
        Reserved::Limited { until } => return cannot_prove_now(visit, until),
    };
    let outcome = match app
        .identity
        .sources
        .passport
        .check(&details, today(now))
        .await
    {
        Ok(outcome) => outcome,
        Err(e) => {
            attempts.release(&app.db, reservation).await?;
            return Err(source_error(Source::Passport)(e));
        }
    };
    let confirmed = outcome.confirmed_identity();
    let same = confirmed
        .as_ref()
        .is_some_and(|new| stored.same_person(new));
    let result = if same {
        CheckResult::Matched
    } else {
        CheckResult::NotMatched
    };
    let left = reservation.left_if_failed;
    let limited = attempts.settle(&app.db, reservation, result, now).await?;
    match (same, confirmed) {
        (true, _) => {
            let next = Recovery {
                step: Recovery::after_password(account_id.clone(), false, totp::new_secret()),
                ..recovery
            };
            visit.session_mut().journey = Journey::Recovery(next);
            Ok(Redirect::to(NEW_APP).into_response())
        }
        // A real passport, of someone else.
        (false, Some(_)) => {
            let event = AuditEvent::new(AuditKind::ReprovingMismatch, Some(account_id), now)
                .from_ip(Some(ip.clone()));
            app.db.audit().record(&event).await?;
            tracing::warn!(account = %account_id, client = %ip, "lost app: the passport given is another person's");
            visit.session_mut().journey = Journey::None;
            let page = MessagePage::new("We could not confirm it is you")
                .paragraph("The passport you gave is not of the person who proved their identity with this GOV.UK One Login, so we cannot set up a new authenticator app.")
                .paragraph("Your account, its proven identity and its authenticator app have not changed. If you find the app, you can sign in as usual.")
                .paragraph("If you have lost it for good, contact the GOV.UK One Login team. They will ask you to prove your identity another way, such as at a Post Office.")
                .link("/sign-in", "Go back to sign in");
            let response = render(&page, StatusCode::OK)?;
            Ok(response)
        }
        // No record matched what was typed: try again, within the limit.
        (false, None) => match limited {
            Some(until) => cannot_prove_now(visit, until),
            None if left == 0 => cannot_prove_now(visit, now),
            None => {
                let page = reprove_page(visit.csrf_token(), form, FormErrors::none(), Some(left));
                let response = render(&page, StatusCode::OK)?;
                Ok(response)
            }
        },
    }
}

fn cannot_prove_now(mut visit: Visit, until: i64) -> Result<Response> {
    visit.session_mut().journey = Journey::None;
    let page = MessagePage::new("You cannot prove your identity online right now")
        .paragraph(
            "There have been too many attempts to prove the identity of this GOV.UK One Login.",
        )
        .paragraph(format!(
            "You can try again in {}. Your authenticator app has not changed.",
            wait_in_words(until - visit.now)
        ))
        .link("/sign-in", "Go back to sign in");
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

fn setting_up_app(step: &Step) -> bool {
    matches!(step, Step::NewApp { .. })
}

pub async fn new_app_form(mut visit: Visit) -> Result<Response> {
    let recovery = match at_step(&visit, Purpose::LostAuthenticatorApp, setting_up_app) {
        Ok(recovery) => recovery,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let Step::NewApp { totp_secret, .. } = &recovery.step else {
        return Ok(Redirect::to(Purpose::LostAuthenticatorApp.start()).into_response());
    };
    let response = authenticator_page(
        visit.csrf_token(),
        NEW_APP,
        totp_secret,
        &recovery.email,
        FormErrors::none(),
    )?;
    Ok(response)
}

/// The new app's first code proves it is set up; then it replaces the old one, and, as a new
/// second factor is a new credential, every other session and token ends.
pub async fn submit_new_app(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let recovery = match at_step(&visit, Purpose::LostAuthenticatorApp, setting_up_app) {
        Ok(recovery) => recovery,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let Step::NewApp {
        account_id,
        totp_secret,
    } = &recovery.step
    else {
        return Ok(Redirect::to(Purpose::LostAuthenticatorApp.start()).into_response());
    };
    let now = visit.now;
    let step = match new_app_step(totp_secret, &form.code, now) {
        Ok(step) => step,
        Err(problem) => {
            let errors = FormErrors::one("code", problem);
            return authenticator_page(
                visit.csrf_token(),
                NEW_APP,
                totp_secret,
                &recovery.email,
                errors,
            );
        }
    };
    let Some(account) = account_of(&app, account_id).await? else {
        visit.session_mut().journey = Journey::None;
        return Ok(Redirect::to(Purpose::LostAuthenticatorApp.start()).into_response());
    };
    app.db
        .accounts()
        .replace_totp_secret(&account.id, totp_secret, step, now)
        .await?;
    let ended = app
        .account_access()
        .end_all(&account.id, visit.session_id(), visit.now_ms)
        .await?;
    let event = AuditEvent::new(AuditKind::AuthenticatorAppReplaced, Some(&account.id), now)
        .from_ip(Some(ip.clone()))
        .with_detail(format!("{} other sessions ended", ended.sessions));
    app.db.audit().record(&event).await?;
    tracing::info!(account = %account.id, "authenticator app replaced");
    app.mailer
        .send(changed_email(&account.email, "authenticator app", now))
        .await?;
    complete_sign_in(&app, visit, &account.id, &account.email, &ip).await
}

#[cfg(test)]
mod tests {
    use super::*;

    // Issue 11.9: a code never appears in an email subject.
    #[test]
    fn codes_are_in_the_body_never_the_subject() {
        for purpose in [Purpose::ForgottenPassword, Purpose::LostAuthenticatorApp] {
            let email = code_email(purpose, "ada@example.com", "493817", 900);
            assert!(!email.subject.contains("493817"), "{}", email.subject);
            assert!(email.body.contains("\n\n493817\n\n"), "{}", email.body);
            assert!(email.body.contains("15 minutes"), "{}", email.body);
        }
    }

    #[test]
    fn the_change_email_says_what_and_when() {
        let email = changed_email("ada@example.com", "password", 1_767_366_240);
        assert_eq!(email.subject, "Your GOV.UK One Login password was changed");
        assert!(
            email.body.contains("2 January 2026 at 3:04pm"),
            "{}",
            email.body
        );
    }
}
