//! Sign in: email and password ("Cl"), then the authenticator code ("Cl.Cm"). Wrong answers
//! are throttled (`accounts::throttle`): counted before they are checked, then waits that grow,
//! the same whether or not the email address has an account.

use askama::Template;

use crate::web::language::{self, filters, text_with};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::create_account::authenticator_page;
use super::{CodeForm, NewPasswordForm, shown};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::error::duration_in_words;
use crate::web::extract::{ClientIp, PageForm};
use crate::web::oidc::authorize::pending_decision;
use crate::web::templates::{
    FormErrors, MessagePage, SUPPORT_CONTACT, form_status, render, tries_left_warning,
};
use crate::web::visit::Visit;
use one_login_core::accounts::interventions::Barrier;
use one_login_core::accounts::typed_codes::{WRONG_NEW_APP_CODE, app_code_problem, new_app_step};
use one_login_core::accounts::{self, FailureOutcome, totp};
use one_login_core::oidc::authorization_request::{AuthorizationRequest, Decision, ErrorRedirect};
use one_login_core::sessions::{Authentication, CredentialLevel, Journey};
use one_login_store::Account;

#[derive(Template)]
#[template(path = "sign_in/password.html")]
pub struct SignInPage {
    pub csrf_token: String,
    pub email: String,
    pub errors: FormErrors,
    /// See [`tries_left_warning`].
    pub tries_warning: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in/code.html")]
pub struct SignInCodePage {
    pub csrf_token: String,
    /// Where the form posts: signing in, or confirming a password reset.
    pub action: &'static str,
    /// Offer the way in for a citizen without their app (signing in only).
    pub lost_app_link: bool,
    pub errors: FormErrors,
    /// See [`tries_left_warning`].
    pub tries_warning: Option<String>,
    /// Offer the account's passkey instead of the code (signing in, when it has one).
    pub passkey: bool,
}

impl SignInCodePage {
    /// The sign-in code page (not a password reset's).
    pub fn signing_in(csrf_token: String, errors: FormErrors, passkey: bool) -> Self {
        SignInCodePage {
            action: SIGN_IN_CODE,
            lost_app_link: true,
            csrf_token,
            errors,
            tries_warning: None,
            passkey,
        }
    }
}

#[derive(Template)]
#[template(path = "sign_in/new_password.html")]
pub struct NewPasswordPage {
    pub csrf_token: String,
    pub errors: FormErrors,
}

/// The sign-in code page.
const SIGN_IN_CODE: &str = "/sign-in/authenticator-code";

/// Where a citizen who must wait until `until` (unix seconds) is sent: the page works out the
/// time left whenever it is shown.
pub(super) fn wait_page(until: i64) -> String {
    format!("/sign-in/locked?until={until}")
}

/// `GET /sign-in/locked`: the page a citizen who must wait sees, the same for every email
/// address, saying how long is left (issue 10 item 6). Forms redirect here (303) so reloading
/// it resends nothing (RFC 9700 §4.12). The time comes from the address: a wrong or edited one
/// changes only what this page says.
pub async fn locked(State(app): State<AppState>, RawQuery(query): RawQuery) -> Result<Response> {
    let now = app.clock.unix();
    let until = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == "until")
            .and_then(|(_, value)| value.parse::<i64>().ok())
    });
    let sign_in = &app.config.sign_in;
    let longest = sign_in.max_wait.max(sign_in.address_window).as_secs() as i64;
    let when = match until.map(|until| until.saturating_sub(now).min(longest)) {
        Some(left) if left > 0 => text_with(
            "cannot-sign-in-for",
            &[("wait", duration_in_words(left as u64).into())],
        ),
        Some(_) => "You can try again now.".to_owned(),
        None => "For your security, you cannot sign in for a while. Try again later.".to_owned(),
    };
    render(
        &MessagePage::new("You cannot sign in at the moment")
            .paragraph("You entered the wrong password or security code too many times.")
            .paragraph(when)
            .link("/", "Go to the start of the service"),
        StatusCode::OK,
    )
}

/// Where a citizen goes once signed in: back into the authorization request that sent them,
/// or to their account.
fn after_sign_in(visit: &Visit) -> &'static str {
    if visit.session().is_some_and(|s| s.pending.is_some()) {
        "/authorize/continue"
    } else {
        "/account"
    }
}

/// Where a citizen who owes a new password chooses it (an operator's intervention).
pub const NEW_PASSWORD: &str = "/sign-in/create-new-password";

/// Marks the session signed in at `level`, rotates its id and records it, then sends the
/// citizen on: to the new password an operator required first, if one is owed.
pub(super) async fn complete_sign_in(
    app: &AppState,
    visit: Visit,
    account_id: &str,
    email: &str,
    ip: &str,
) -> Result<Response> {
    complete_sign_in_with(app, visit, account_id, email, ip, &[]).await
}

/// [`complete_sign_in`], naming the methods used (RFC 8176) where they are not the password and
/// app code.
pub(super) async fn complete_sign_in_with(
    app: &AppState,
    mut visit: Visit,
    account_id: &str,
    email: &str,
    ip: &str,
    amr: &[&str],
) -> Result<Response> {
    if let Some(refused) =
        sign_in_at(app, &mut visit, account_id, email, CredentialLevel::ClCm).await?
    {
        return Ok(refused);
    }
    if !amr.is_empty()
        && let Some(auth) = visit.session_mut().auth.as_mut()
    {
        auth.amr = amr.iter().map(|m| (*m).to_owned()).collect();
    }
    if owing_renewal(&visit).is_some() {
        return Ok(Redirect::to(NEW_PASSWORD).into_response());
    }
    let services = app.account_services();
    services
        .record_sign_in(account_id, email, ip, visit.now)
        .await?;
    let next = after_sign_in(&visit);
    Ok(Redirect::to(next).into_response())
}

/// The page of an account that may not sign in, once its password was right: never before,
/// so that the page tells nobody without the password anything about the address (ASVS
/// 6.3.8). A service waiting for this sign-in gets `access_denied` through the page's link
/// back to it (RFC 6749 §4.1.2.1).
fn refused_sign_in(
    app: &AppState,
    pending: Option<AuthorizationRequest>,
    barrier: Barrier,
) -> Result<Response> {
    let (title, reason) = match barrier {
        Barrier::Suspended => (
            "Your GOV.UK One Login is suspended",
            "The GOV.UK One Login team has suspended your account for now. While it is suspended you cannot use it to sign in to any service.",
        ),
        Barrier::Blocked => (
            "Your GOV.UK One Login is blocked",
            "The GOV.UK One Login team has blocked your account. You cannot use it to sign in to any service again.",
        ),
    };
    let mut page = MessagePage::new(title)
        .paragraph(reason)
        .paragraph("To find out why, or what you can do, contact the GOV.UK One Login team. Tell them the email address you signed in with.")
        .link(SUPPORT_CONTACT, "Contact the GOV.UK One Login team");
    if let Some(request) = pending
        && let Some(client) = app.oidc.clients.get(&request.client_id)
    {
        let refusal = ErrorRedirect {
            redirect_uri: request.redirect_uri,
            state: request.state,
            error: "access_denied",
            description: "the account cannot be used to sign in".into(),
        };
        page = page.link(
            refusal.location(&app.oidc.issuer),
            text_with(
                "go-back-to-named-service",
                &[("service", client.name_in(language::current()).into())],
            ),
        );
    }
    render(&page, StatusCode::FORBIDDEN)
}

/// Records the credential level reached now, keeping the login session id, and rotates the
/// session id (ASVS 7.2.4: a new id after each credential). Then reads the account's standing:
/// a sign-in of an account suspended, blocked or deleted meanwhile ends here with the page to
/// answer; one that owes a new password is marked so.
pub(super) async fn sign_in_at(
    app: &AppState,
    visit: &mut Visit,
    account_id: &str,
    email: &str,
    level: CredentialLevel,
) -> Result<Option<Response>> {
    let (now, now_ms) = (visit.now, visit.now_ms);
    if let Some(ended) = visit
        .session_mut()
        .sign_in(account_id, email, level, (now, now_ms))
    {
        app.oidc
            .notify_logout(&ended.auth, &ended.relying_parties, now);
    }
    // Checklist 78: logins and second factors are logged (by account id, never the email).
    tracing::info!(account = %account_id, vot = level.as_str(), "signed in");
    visit.rotate(app).await?;
    // Read after the session is saved, not only before: an intervention writes the standing
    // first and the provider ends the account's sessions after it. So either this read sees
    // the new standing, or this session was saved before those sessions were ended and ends
    // with them: no session of a suspended account survives a race with its suspension.
    let Err(barrier) = go_on_after_sign_in(app, visit, account_id).await? else {
        return Ok(None);
    };
    let pending = visit.session_mut().pending.take();
    visit.end(app).await?;
    tracing::info!(account = %account_id, ?barrier, "sign-in refused: the account may not sign in");
    match barrier {
        Some(barrier) => refused_sign_in(app, pending, barrier).map(Some),
        // Deleted meanwhile: as if it never existed.
        None => Ok(Some(Redirect::to("/sign-in").into_response())),
    }
}

/// Whether the account may go on signing in, as it stands now: an account that owes a new
/// password may (its session is marked so); one barred (or, `None`, deleted) may not.
async fn go_on_after_sign_in(
    app: &AppState,
    visit: &mut Visit,
    account_id: &str,
) -> Result<std::result::Result<(), Option<Barrier>>> {
    let standing = app.db.accounts().standing(account_id).await?;
    let Some(standing) = standing else {
        return Ok(Err(None));
    };
    if let Some(barrier) = standing.barrier() {
        return Ok(Err(Some(barrier)));
    }
    let owes = standing.owes_new_password();
    if visit
        .session()
        .is_some_and(|s| s.password_renewal_owed != owes)
    {
        visit.session_mut().password_renewal_owed = owes;
    }
    Ok(Ok(()))
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn password_form(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    // Signed in already, and no service asking for a fresh sign-in: nothing to do here.
    match pending_decision(&app, &visit).await? {
        None if visit.signed_in_at(CredentialLevel::ClCm).is_some() => {
            return Ok(Redirect::to("/account").into_response());
        }
        // A service's sign-in that is done (the back button): on to the step it is at.
        Some(Decision::Consent | Decision::Issue) => {
            return Ok(Redirect::to("/authorize/continue").into_response());
        }
        _ => {}
    }
    let pending = visit.session().and_then(|s| s.pending.as_ref());
    let email = pending
        .and_then(|p| p.login_hint.clone())
        .unwrap_or_default();
    let page = SignInPage {
        csrf_token: visit.csrf_token(),
        email,
        errors: FormErrors::none(),
        tries_warning: None,
    };
    render(&page, StatusCode::OK)
}

pub async fn submit_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<SignInForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let email = form.email.trim().to_owned();
    let errors = missing_sign_in_fields(&email, &form.password);
    if !errors.is_empty() {
        return sign_in_again(&mut visit, &email, errors, None);
    }
    let (visit, account) =
        match check_password(&app, visit, &email, None, &form.password, &ip).await? {
            Checked::Right(visit, account) => (visit, account),
            Checked::Wrong(mut visit, tries_warning) => {
                let errors = FormErrors::one("password", "Incorrect email address or password");
                return sign_in_again(&mut visit, &email, errors, tries_warning);
            }
            Checked::Answered(response) => return Ok(response),
        };
    after_password(&app, visit, &account, &email, &ip).await
}

/// After the right password: the sign-in at "Cl", then the authenticator code (or setting an
/// app up), unless the service asked for "Cl" only: the password alone then completes this
/// sign-in, once any new password an operator required is chosen.
async fn after_password(
    app: &AppState,
    mut visit: Visit,
    account: &Account,
    typed_email: &str,
    ip: &str,
) -> Result<Response> {
    let wants_password_only = visit
        .session()
        .and_then(|s| s.pending.as_ref())
        .is_some_and(|p| p.credential_required() == CredentialLevel::Cl);
    let level = CredentialLevel::Cl;
    if let Some(refused) = sign_in_at(app, &mut visit, &account.id, &account.email, level).await? {
        return Ok(refused);
    }
    let next = match (wants_password_only, owing_renewal(&visit)) {
        (true, Some(_)) => NEW_PASSWORD,
        (true, None) => {
            let services = app.account_services();
            services
                .record_sign_in(&account.id, typed_email, ip, visit.now)
                .await?;
            "/authorize/continue"
        }
        (false, _) => second_step(&mut visit, account),
    };
    Ok(Redirect::to(next).into_response())
}

/// The messages for a sign-in form with a field left empty.
fn missing_sign_in_fields(email: &str, password: &str) -> FormErrors {
    let mut errors = FormErrors::none();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password");
    }
    errors
}

/// The sign-in form again, with what was typed (never the password) and why.
fn sign_in_again(
    visit: &mut Visit,
    email: &str,
    errors: FormErrors,
    tries_warning: Option<String>,
) -> Result<Response> {
    let page = SignInPage {
        csrf_token: visit.csrf_token(),
        email: shown(email),
        errors,
        tries_warning,
    };
    render(&page, StatusCode::BAD_REQUEST)
}

/// After the password: the authenticator code, or, for an account without an app, setting one
/// up now.
fn second_step(visit: &mut Visit, account: &Account) -> &'static str {
    if account.totp_secret.is_some() {
        return SIGN_IN_CODE;
    }
    visit.session_mut().journey = Journey::AddAuthenticator {
        totp_secret: totp::new_secret(),
    };
    ADD_AUTHENTICATOR
}

/// Where an account without an app sets one up after its password.
pub(super) const ADD_AUTHENTICATOR: &str = "/sign-in/set-up-authenticator-app";

/// What checking a password or an authenticator code came to.
pub(super) enum Checked {
    /// Right, for this account.
    Right(Visit, Account),
    /// Wrong: the form again, with the warning of tries left, if any.
    Wrong(Visit, Option<String>),
    /// The citizen must wait (or the account is gone): this answer.
    Answered(Response),
}

/// What a counted check (`accounts::sign_in`) means for a sign-in in progress. A wait that
/// follows a wrong answer ends the session and sends the citizen to the wait page; so does a
/// wait before any check when `end_on_wait` (a citizen half signed in). An account gone
/// meanwhile ends it too.
async fn after_check(
    app: &AppState,
    mut visit: Visit,
    checked: accounts::Checked<Account>,
    end_on_wait: bool,
) -> Result<Checked> {
    let to = match checked {
        accounts::Checked::Right(account) => return Ok(Checked::Right(visit, account)),
        accounts::Checked::Wrong(FailureOutcome::TriesLeft(n)) => {
            return Ok(Checked::Wrong(visit, tries_left_warning(n)));
        }
        accounts::Checked::Wait { until } if !end_on_wait => {
            let wait = Redirect::to(&wait_page(until)).into_response();
            return Ok(Checked::Answered(wait));
        }
        accounts::Checked::Wait { until }
        | accounts::Checked::Wrong(FailureOutcome::MustWait { until }) => wait_page(until),
        accounts::Checked::Gone => "/sign-in".to_owned(),
    };
    visit.end(app).await?;
    Ok(Checked::Answered(Redirect::to(&to).into_response()))
}

/// Checks a password as sign-in does (`AccountServices::check_password`), for the account
/// `account_id` or else the one of `email`. The right password of an account that may not sign
/// in (an operator's intervention) is answered with why, and nothing of this sign-in or
/// recovery is kept.
pub(super) async fn check_password(
    app: &AppState,
    mut visit: Visit,
    email: &str,
    account_id: Option<&str>,
    password: &str,
    ip: &str,
) -> Result<Checked> {
    let services = app.account_services();
    let checked = services
        .check_password(email, account_id, password, ip, visit.now)
        .await?;
    if let accounts::Checked::Right(account) = &checked
        && let Some(barrier) = account.standing.barrier()
    {
        let pending = visit.session_mut().pending.take();
        tracing::info!(account = %account.id, ?barrier, "sign-in refused: the account may not sign in");
        let page = refused_sign_in(app, pending, barrier)?;
        return Ok(Checked::Answered(page));
    }
    after_check(app, visit, checked, false).await
}

/// Checks an authenticator code as sign-in does (`AccountServices::check_app_code`).
pub(super) async fn check_app_code(
    app: &AppState,
    visit: Visit,
    (email, account_id): (&str, &str),
    code: &str,
    ip: &str,
) -> Result<Checked> {
    let services = app.account_services();
    let checked = services
        .check_app_code(email, account_id, code, ip, visit.now)
        .await?;
    after_check(app, visit, checked, true).await
}

/// Ends the session and sends the citizen to sign in again: their account is gone, or what
/// they were finishing was finished elsewhere.
async fn sign_in_from_the_start(app: &AppState, mut visit: Visit) -> Result<Response> {
    visit.end(app).await?;
    Ok(Redirect::to("/sign-in").into_response())
}

/// The wrong-code message of every authenticator code form.
pub(super) const WRONG_APP_CODE: &str =
    "The security code you entered is not correct. Check your authenticator app and try again";

/// The citizen who has given their password but not yet their code.
fn awaiting_code(visit: &Visit) -> Option<Authentication> {
    visit
        .session()
        .and_then(|s| s.auth.clone())
        .filter(|a| a.level == CredentialLevel::Cl)
}

/// Where someone who is not at the code step belongs.
/// Where a citizen not waiting to enter a code goes: a service's sign-in that is done goes on
/// to the step it is at.
fn elsewhere(visit: &Visit) -> &'static str {
    if visit.signed_in_at(CredentialLevel::ClCm).is_none() {
        "/sign-in"
    } else if visit.session().is_some_and(|s| s.pending.is_some()) {
        "/authorize/continue"
    } else {
        "/account"
    }
}

pub async fn code_form(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let Some(auth) = awaiting_code(&visit) else {
        return Ok(Redirect::to(elsewhere(&visit)).into_response());
    };
    if let Some(Journey::AddAuthenticator { .. }) = visit.session().map(|s| &s.journey) {
        return Ok(Redirect::to(ADD_AUTHENTICATOR).into_response());
    }
    let passkey = has_passkey(&app, &auth.account_id).await?;
    code_page(&mut visit, FormErrors::none(), None, passkey)
}

/// Whether the account has a passkey to offer instead of the code.
async fn has_passkey(app: &AppState, account_id: &str) -> Result<bool> {
    Ok(!app.db.passkeys().list(account_id).await?.is_empty())
}

/// The sign-in code form, with its errors and the warning of tries left, if any.
fn code_page(
    visit: &mut Visit,
    errors: FormErrors,
    tries_warning: Option<String>,
    passkey: bool,
) -> Result<Response> {
    let mut page = SignInCodePage::signing_in(visit.csrf_token(), errors, passkey);
    page.tries_warning = tries_warning;
    render(&page, form_status(&page.errors))
}

pub async fn submit_code(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some(auth) = awaiting_code(&visit) else {
        return Ok(Redirect::to(elsewhere(&visit)).into_response());
    };
    let passkey = has_passkey(&app, &auth.account_id).await?;
    if let Some(problem) = app_code_problem(&form.code) {
        return code_page(&mut visit, FormErrors::one("code", problem), None, passkey);
    }
    let whose = (auth.email.as_str(), auth.account_id.as_str());
    let (visit, account) = match check_app_code(&app, visit, whose, &form.code, &ip).await? {
        Checked::Right(visit, account) => (visit, account),
        Checked::Wrong(mut visit, tries_warning) => {
            let errors = FormErrors::one("code", WRONG_APP_CODE);
            return code_page(&mut visit, errors, tries_warning, passkey);
        }
        Checked::Answered(response) => return Ok(response),
    };
    complete_sign_in(&app, visit, &account.id, &account.email, &ip).await
}

/// An account without an authenticator app, after its password: set one up now.
fn adding_authenticator(visit: &Visit) -> Option<(Authentication, String)> {
    let auth = awaiting_code(visit)?;
    match &visit.session()?.journey {
        Journey::AddAuthenticator { totp_secret } => Some((auth, totp_secret.clone())),
        _ => None,
    }
}

pub async fn add_authenticator_form(mut visit: Visit) -> Result<Response> {
    let Some((auth, secret)) = adding_authenticator(&visit) else {
        return Ok(Redirect::to(elsewhere(&visit)).into_response());
    };
    let (csrf_token, errors) = (visit.csrf_token(), FormErrors::none());
    authenticator_page(csrf_token, ADD_AUTHENTICATOR, &secret, &auth.email, errors)
}

pub async fn submit_add_authenticator(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some((auth, secret)) = adding_authenticator(&visit) else {
        return Ok(Redirect::to(elsewhere(&visit)).into_response());
    };
    let now = visit.now;
    let step = match new_app_step(&secret, &form.code, now, WRONG_NEW_APP_CODE) {
        Ok(step) => step,
        Err(message) => {
            let (csrf_token, errors) = (visit.csrf_token(), FormErrors::one("code", message));
            return authenticator_page(csrf_token, ADD_AUTHENTICATOR, &secret, &auth.email, errors);
        }
    };
    let accounts = app.db.accounts();
    if !accounts
        .add_totp_secret(&auth.account_id, &secret, step, now)
        .await?
    {
        // Set up meanwhile from another browser: sign in with that app instead.
        visit.session_mut().journey = Journey::None;
        return Ok(Redirect::to(SIGN_IN_CODE).into_response());
    }
    complete_sign_in(&app, visit, &auth.account_id, &auth.email, &ip).await
}

/// The citizen signed in, up to the new password an operator required of their account.
fn owing_renewal(visit: &Visit) -> Option<Authentication> {
    let session = visit.session()?;
    session
        .auth
        .clone()
        .filter(|_| session.password_renewal_owed)
}

/// `GET /sign-in/create-new-password`.
pub async fn new_password_form(mut visit: Visit) -> Result<Response> {
    if owing_renewal(&visit).is_none() {
        return Ok(Redirect::to(elsewhere(&visit)).into_response());
    }
    new_password_page(&mut visit, FormErrors::none())
}

/// `POST /sign-in/create-new-password`: the new password an operator required, by the rules
/// of a new account's and not the current one; then every other session of the account ends
/// (`AccountServices::renew_password`) and the sign-in goes on where it was going.
pub async fn submit_new_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<NewPasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some(auth) = owing_renewal(&visit) else {
        return Ok(Redirect::to(elsewhere(&visit)).into_response());
    };
    let Some(account) = app.db.accounts().find(&auth.account_id).await? else {
        return sign_in_from_the_start(&app, visit).await;
    };
    let typed = (form.password.as_str(), form.confirm_password.as_str());
    let current = &account.password_hash;
    let hash = match app
        .passwords
        .replacement(typed, current, SAME_PASSWORD)
        .await?
    {
        Ok(hash) => hash,
        Err(problems) => return new_password_page(&mut visit, problems.into()),
    };
    let services = app.account_services();
    let keep = visit.session_id();
    if !services
        .renew_password(&account, &hash, keep, &ip, visit.now_ms)
        .await?
    {
        return sign_in_from_the_start(&app, visit).await;
    }
    renewed(&app, visit, auth.level, &account, &ip).await
}

/// The required new password chosen: the sign-in, under a new session id, goes on where it was
/// going.
async fn renewed(
    app: &AppState,
    mut visit: Visit,
    level: CredentialLevel,
    account: &Account,
    ip: &str,
) -> Result<Response> {
    visit.session_mut().password_renewal_owed = false;
    visit.rotate(app).await?;
    let services = app.account_services();
    services
        .record_sign_in(&account.id, &account.email, ip, visit.now)
        .await?;
    let next = match level {
        CredentialLevel::ClCm => after_sign_in(&visit),
        // A password-only sign-in for a service that asked for no more.
        CredentialLevel::Cl => "/authorize/continue",
    };
    Ok(Redirect::to(next).into_response())
}

/// The form for a required new password, with its errors.
fn new_password_page(visit: &mut Visit, errors: FormErrors) -> Result<Response> {
    let page = NewPasswordPage {
        csrf_token: visit.csrf_token(),
        errors,
    };
    render(&page, form_status(&page.errors))
}

/// The message for a new password that is the current one, where a new one is required.
pub(super) const SAME_PASSWORD: &str =
    "Your new password must be different from your current password";
