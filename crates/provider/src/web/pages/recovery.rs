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

use crate::web::language::{filters, text_with};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::create_account::{authenticator_page, code_void};
use super::identity::PassportForm;
use super::identity::templates::PassportPage;
use super::sign_in::{
    ADD_AUTHENTICATOR, Checked, SignInCodePage, WRONG_APP_CODE, check_app_code, check_password,
    complete_sign_in, sign_in_at,
};
use super::{CodeForm, EmailForm, NewPasswordForm, PasswordForm, shown};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::extract::{ClientIp, PageForm};
use crate::web::templates::{FormErrors, MessagePage, form_status, render};
use crate::web::visit::Visit;
use one_login_core::accounts::changes::{Credential, Replaced};
use one_login_core::accounts::email_code::PendingCode;
use one_login_core::accounts::recovery::{Purpose, Recovery, Step};
use one_login_core::accounts::typed_codes::{
    EmailedCode, WRONG_NEW_APP_CODE, app_code_problem, check_emailed_code, new_app_step,
};
use one_login_core::accounts::{email_problem, totp};
use one_login_core::identity::details::{PassportEntry, passport_details};
use one_login_core::identity::proving::{Reproved, today};
use one_login_core::sessions::{CredentialLevel, Journey};
use one_login_store::Account;

use super::identity::wait_in_words;

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

/// The journey, and what its step holds, when it is at the step a page serves (`serves` gives
/// what the step holds); otherwise where to send the citizen: the step they are at, or the
/// journey's start.
fn at_step<T>(
    visit: &Visit,
    purpose: Purpose,
    serves: fn(&Step) -> Option<T>,
) -> Result<(Recovery, T), Redirect> {
    match recovery_of(visit) {
        Some(r) if r.purpose == purpose => match serves(&r.step) {
            Some(held) => Ok((r, held)),
            None => Err(Redirect::to(&r.current_page())),
        },
        _ => Err(Redirect::to(purpose.start())),
    }
}

/// The journey and what its step holds, or an early answer with where the citizen belongs.
macro_rules! at_step {
    ($visit:expr, $purpose:expr, $serves:expr) => {
        match at_step(&$visit, $purpose, $serves) {
            Ok(at) => at,
            Err(elsewhere) => return Ok(elsewhere.into_response()),
        }
    };
}

/// Moves the journey on to `next` and sends the citizen to its page.
fn go_to(mut visit: Visit, next: Recovery) -> Result<Response> {
    let page = next.current_page();
    visit.session_mut().journey = Journey::Recovery(next);
    Ok(Redirect::to(&page).into_response())
}

/// Ends the journey (its account went away meanwhile) and sends the citizen to its start.
fn journey_over(mut visit: Visit, purpose: Purpose) -> Result<Response> {
    visit.session_mut().journey = Journey::None;
    Ok(Redirect::to(purpose.start()).into_response())
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
    render(&page, StatusCode::OK)
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
        let errors = FormErrors::one("email", problem);
        let page = email_page(purpose, visit.csrf_token(), shown(&email), errors);
        return render(&page, StatusCode::BAD_REQUEST);
    }
    // One email either way, within the address's share; the page is the same.
    let services = app.account_services();
    let recovery = services
        .start_recovery(purpose, email, &ip, visit.now)
        .await?;
    go_to(visit, recovery)
}

fn checking_email(step: &Step) -> Option<PendingCode> {
    match step {
        Step::CheckEmail(pending) => Some(pending.clone()),
        _ => None,
    }
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
    let (recovery, _) = at_step!(visit, J::PURPOSE, checking_email);
    let page = check_email_page(&app, &recovery, visit.csrf_token(), FormErrors::none());
    render(&page, StatusCode::OK)
}

pub async fn submit_code<J: Journeyed>(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    let purpose = J::PURPOSE;
    visit.check_csrf(&form.csrf_token)?;
    let (recovery, pending) = at_step!(visit, purpose, checking_email);
    let store = app.ephemeral.as_ref();
    match check_emailed_code(store, &pending, &form.code, visit.now).await? {
        EmailedCode::Right => {}
        EmailedCode::Wrong(problem) => {
            let errors = FormErrors::one("code", problem);
            let page = check_email_page(&app, &recovery, visit.csrf_token(), errors);
            return render(&page, StatusCode::BAD_REQUEST);
        }
        EmailedCode::Void => return code_void(visit, purpose.start()),
    }
    // A right code was only ever sent to an address with an account; it may have closed since.
    let Some(account) = app.db.accounts().find_by_email(&recovery.email).await? else {
        return journey_over(visit, purpose);
    };
    let step = Recovery::after_code(purpose, account.id);
    go_to(visit, Recovery { step, ..recovery })
}

// --- Forgotten password -------------------------------------------------------------------

fn choosing_password(step: &Step) -> Option<String> {
    match step {
        Step::NewPassword { account_id } => Some(account_id.clone()),
        _ => None,
    }
}

/// The new password form, with its errors.
fn new_password_page(visit: &mut Visit, errors: FormErrors) -> Result<Response> {
    let page = NewPasswordPage {
        csrf_token: visit.csrf_token(),
        errors,
    };
    render(&page, form_status(&page.errors))
}

pub async fn new_password_form(mut visit: Visit) -> Result<Response> {
    at_step!(visit, Purpose::ForgottenPassword, choosing_password);
    new_password_page(&mut visit, FormErrors::none())
}

/// The same rules as a new account's password (length, not a common one), and not the
/// password the account has now: a reset that changes nothing protects nothing. The new
/// password waits in the journey until the app's code confirms it.
pub async fn submit_new_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<NewPasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let purpose = Purpose::ForgottenPassword;
    let (recovery, account_id) = at_step!(visit, purpose, choosing_password);
    let Some(account) = app.db.accounts().find(&account_id).await? else {
        return journey_over(visit, purpose);
    };
    let typed = (form.password.as_str(), form.confirm_password.as_str());
    let same = "Choose a password that is different from your current one";
    let password_hash = match app
        .passwords
        .replacement(typed, &account.password_hash, same)
        .await?
    {
        Ok(hash) => hash,
        Err(problems) => return new_password_page(&mut visit, problems.into()),
    };
    if account.totp_secret.is_none() {
        return reset_without_app(&app, visit, &account, &password_hash, &ip).await;
    }
    let account_id = account.id;
    let step = Step::ConfirmWithApp {
        account_id,
        password_hash,
    };
    go_to(visit, Recovery { step, ..recovery })
}

/// An account without an app (made by an operator) has nothing to confirm a reset with: the
/// reset is done now, and the citizen sets up an app before signing in.
async fn reset_without_app(
    app: &AppState,
    mut visit: Visit,
    account: &Account,
    hash: &str,
    ip: &str,
) -> Result<Response> {
    let services = app.account_services();
    let (new, by) = (Credential::Password { hash }, Replaced::Recovered);
    let keep = visit.session_id();
    services
        .replace_credential(account, new, by, keep, ip, visit.now_ms)
        .await?;
    let (id, email) = (&account.id, &account.email);
    if let Some(refused) = sign_in_at(app, &mut visit, id, email, CredentialLevel::Cl).await? {
        return Ok(refused);
    }
    visit.session_mut().journey = Journey::AddAuthenticator {
        totp_secret: totp::new_secret(),
    };
    Ok(Redirect::to(ADD_AUTHENTICATOR).into_response())
}

fn confirming_with_app(step: &Step) -> Option<(String, String)> {
    match step {
        Step::ConfirmWithApp {
            account_id,
            password_hash,
        } => Some((account_id.clone(), password_hash.clone())),
        _ => None,
    }
}

fn reset_code_page(
    visit: &mut Visit,
    errors: FormErrors,
    tries_warning: Option<String>,
) -> Result<Response> {
    let page = SignInCodePage {
        csrf_token: visit.csrf_token(),
        action: RESET_CODE,
        lost_app_link: false,
        errors,
        tries_warning,
        passkey: false,
    };
    render(&page, form_status(&page.errors))
}

pub async fn reset_app_code_form(mut visit: Visit) -> Result<Response> {
    at_step!(visit, Purpose::ForgottenPassword, confirming_with_app);
    reset_code_page(&mut visit, FormErrors::none(), None)
}

/// The app's code, as at sign-in: throttled the same way (counted before it is checked), and
/// each code used once (RFC 6238 §5.2). Then the new password is written, every other session
/// and token ends, and the citizen is told.
pub async fn submit_reset_app_code(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let purpose = Purpose::ForgottenPassword;
    let (recovery, (account_id, hash)) = at_step!(visit, purpose, confirming_with_app);
    if let Some(problem) = app_code_problem(&form.code) {
        return reset_code_page(&mut visit, FormErrors::one("code", problem), None);
    }
    let whose = (recovery.email.as_str(), account_id.as_str());
    let (visit, account) = match check_app_code(&app, visit, whose, &form.code, &ip).await? {
        Checked::Right(visit, account) => (visit, account),
        Checked::Wrong(mut visit, tries_warning) => {
            let errors = FormErrors::one("code", WRONG_APP_CODE);
            return reset_code_page(&mut visit, errors, tries_warning);
        }
        Checked::Answered(response) => return Ok(response),
    };
    let (new, by) = (Credential::Password { hash: &hash }, Replaced::Recovered);
    let keep = visit.session_id();
    let services = app.account_services();
    services
        .replace_credential(&account, new, by, keep, &ip, visit.now_ms)
        .await?;
    complete_sign_in(&app, visit, &account.id, &account.email, &ip).await
}

// --- Lost authenticator app ---------------------------------------------------------------

fn giving_password(step: &Step) -> Option<String> {
    match step {
        Step::Password { account_id } => Some(account_id.clone()),
        _ => None,
    }
}

fn current_password_page(
    visit: &mut Visit,
    errors: FormErrors,
    tries_warning: Option<String>,
) -> Result<Response> {
    let page = CurrentPasswordPage {
        csrf_token: visit.csrf_token(),
        errors,
        tries_warning,
    };
    render(&page, form_status(&page.errors))
}

pub async fn password_form(mut visit: Visit) -> Result<Response> {
    at_step!(visit, Purpose::LostAuthenticatorApp, giving_password);
    current_password_page(&mut visit, FormErrors::none(), None)
}

/// The password, as at sign-in: throttled the same way, counted before it is checked.
pub async fn submit_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let (recovery, account_id) = at_step!(visit, Purpose::LostAuthenticatorApp, giving_password);
    if form.password.is_empty() {
        let errors = FormErrors::one("password", "Enter your password");
        return current_password_page(&mut visit, errors, None);
    }
    let (email, id) = (&recovery.email, Some(account_id.as_str()));
    let (visit, account) = match check_password(&app, visit, email, id, &form.password, &ip).await?
    {
        Checked::Right(visit, account) => (visit, account),
        Checked::Wrong(mut visit, tries_warning) => {
            let errors = FormErrors::one("password", "The password is not correct");
            return current_password_page(&mut visit, errors, tries_warning);
        }
        Checked::Answered(response) => return Ok(response),
    };
    let keys = app.oidc.keys.set();
    let proven = app
        .identity
        .proven_identity((&app.db, &keys), &account.id, visit.now)
        .await?
        .is_some();
    let step = Recovery::after_password(account.id, proven, totp::new_secret());
    go_to(visit, Recovery { step, ..recovery })
}

fn proving_identity(step: &Step) -> Option<String> {
    match step {
        Step::ProveIdentity { account_id } => Some(account_id.clone()),
        _ => None,
    }
}

fn reprove_page(
    csrf_token: String,
    form: PassportEntry,
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
    at_step!(visit, Purpose::LostAuthenticatorApp, proving_identity);
    let (csrf_token, errors) = (visit.csrf_token(), FormErrors::none());
    let page = reprove_page(csrf_token, PassportEntry::default(), errors, None);
    render(&page, StatusCode::OK)
}

/// The passport is checked as the proving journey checks it, then must be of the person whose
/// identity the account holds (`IdentityService::reprove`). Someone else's passport ends the
/// journey: the stored identity and the old app stay.
pub async fn submit_reprove(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<PassportForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let purpose = Purpose::LostAuthenticatorApp;
    let (recovery, account_id) = at_step!(visit, purpose, proving_identity);
    let now = visit.now;
    let details = match passport_details(&form.entry, today(now)) {
        Ok(details) => details,
        Err(problems) => {
            let page = reprove_page(visit.csrf_token(), form.entry, problems.into(), None);
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let (keys, at) = (app.oidc.keys.set(), (ip.as_str(), now));
    let stores = (&app.db, &*keys);
    let reproved = app.identity.reprove(stores, &account_id, &details, at);
    match reproved.await? {
        // No identity: it expired meanwhile, so there is nothing to match, nothing to protect.
        Reproved::SamePerson | Reproved::NoIdentity => {
            let step = Recovery::after_password(account_id, false, totp::new_secret());
            go_to(visit, Recovery { step, ..recovery })
        }
        Reproved::OtherPerson => not_the_same_person(visit),
        Reproved::Limited { until } => cannot_prove_now(visit, until),
        // No record matched what was typed: try again, within the limit.
        Reproved::NotMatched { left } => {
            let (csrf_token, errors) = (visit.csrf_token(), FormErrors::none());
            render(
                &reprove_page(csrf_token, form.entry, errors, Some(left)),
                StatusCode::OK,
            )
        }
    }
}

/// A real passport, of someone else: the journey ends.
fn not_the_same_person(mut visit: Visit) -> Result<Response> {
    visit.session_mut().journey = Journey::None;
    let page = MessagePage::new("We could not confirm it is you")
        .paragraph("The passport you gave is not of the person who proved their identity with this GOV.UK One Login, so we cannot set up a new authenticator app.")
        .paragraph("Your account, its proven identity and its authenticator app have not changed. If you find the app, you can sign in as usual.")
        .paragraph("If you have lost it for good, contact the GOV.UK One Login team. They will ask you to prove your identity another way, such as at a Post Office.")
        .link("/sign-in", "Go back to sign in");
    render(&page, StatusCode::OK)
}

fn cannot_prove_now(mut visit: Visit, until: i64) -> Result<Response> {
    visit.session_mut().journey = Journey::None;
    let page = MessagePage::new("You cannot prove your identity online right now")
        .paragraph(
            "There have been too many attempts to prove the identity of this GOV.UK One Login.",
        )
        .paragraph(text_with(
            "you-can-try-again-in-app-unchanged",
            &[("wait", wait_in_words(until - visit.now).into())],
        ))
        .link("/sign-in", "Go back to sign in");
    render(&page, StatusCode::OK)
}

fn setting_up_app(step: &Step) -> Option<(String, String)> {
    match step {
        Step::NewApp {
            account_id,
            totp_secret,
        } => Some((account_id.clone(), totp_secret.clone())),
        _ => None,
    }
}

pub async fn new_app_form(mut visit: Visit) -> Result<Response> {
    let purpose = Purpose::LostAuthenticatorApp;
    let (recovery, (_, secret)) = at_step!(visit, purpose, setting_up_app);
    let (csrf_token, errors) = (visit.csrf_token(), FormErrors::none());
    authenticator_page(csrf_token, NEW_APP, &secret, &recovery.email, errors)
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
    let purpose = Purpose::LostAuthenticatorApp;
    let (recovery, (account_id, secret)) = at_step!(visit, purpose, setting_up_app);
    let step = match new_app_step(&secret, &form.code, visit.now, WRONG_NEW_APP_CODE) {
        Ok(step) => step,
        Err(problem) => {
            let (csrf_token, errors) = (visit.csrf_token(), FormErrors::one("code", problem));
            return authenticator_page(csrf_token, NEW_APP, &secret, &recovery.email, errors);
        }
    };
    let Some(account) = app.db.accounts().find(&account_id).await? else {
        return journey_over(visit, purpose);
    };
    let new = Credential::App {
        secret: &secret,
        step,
    };
    let (services, keep) = (app.account_services(), visit.session_id());
    services
        .replace_credential(&account, new, Replaced::Recovered, keep, &ip, visit.now_ms)
        .await?;
    complete_sign_in(&app, visit, &account.id, &account.email, &ip).await
}
