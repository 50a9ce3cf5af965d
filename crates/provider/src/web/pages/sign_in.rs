//! Sign in: email and password ("Cl"), then the authenticator code ("Cl.Cm"). Wrong answers
//! are throttled (`accounts::throttle`): counted before they are checked, then waits that grow,
//! the same whether or not the email address has an account.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::create_account::{
    PasswordForm, authenticator_page, new_app_code_problem, new_app_step,
    replacement_password_errors,
};
use super::{CodeForm, MAX_FIELD_CHARS};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::error::duration_in_words;
use crate::web::oidc::authorize::pending_decision;
use crate::web::templates::{
    FormErrors, MessagePage, NewPasswordPage, SUPPORT_CONTACT, SignInCodePage, SignInPage, render,
    tries_left_warning,
};
use crate::web::{ClientIp, PageForm, Visit};
use one_login_core::accounts::interventions::Barrier;
use one_login_core::accounts::{Admission, Factor, FailureOutcome, SignInAttempt, Throttle, totp};
use one_login_core::oidc::authorization_request::{AuthorizationRequest, Decision, ErrorRedirect};
use one_login_core::sessions::{Authentication, CredentialLevel, Journey};
use one_login_store::{Account, AuditEvent, AuditKind};

/// The sign-in code page.
const SIGN_IN_CODE: &str = "/sign-in/authenticator-code";

pub(super) fn throttle(app: &AppState) -> Throttle<'_> {
    Throttle::new(app.ephemeral.as_ref(), &app.config.sign_in)
}

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
        Some(left) if left > 0 => format!(
            "For your security, you cannot sign in for {}. Try again after that.",
            duration_in_words(left as u64)
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

/// The login session id to keep: the same citizen stepping up or signing in again keeps it; a
/// different citizen in the same browser starts a new one, and the services the previous one
/// signed in to are told it ended.
fn login_session_id(app: &AppState, visit: &mut Visit, account_id: &str) -> String {
    let now = visit.now;
    let session = visit.session_mut();
    match &session.auth {
        Some(auth) if auth.account_id == account_id => auth.sid.clone(),
        previous => {
            if let Some(previous) = previous {
                app.oidc
                    .notify_logout(previous, &session.relying_parties, now);
            }
            session.relying_parties.clear();
            one_login_core::sessions::random_token()
        }
    }
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
    mut visit: Visit,
    account_id: &str,
    email: &str,
    ip: &str,
) -> Result<Response> {
    if let Some(refused) =
        sign_in_at(app, &mut visit, account_id, email, CredentialLevel::ClCm).await?
    {
        return Ok(refused.into_response());
    }
    if owing_renewal(&visit).is_some() {
        return Ok(Redirect::to(NEW_PASSWORD).into_response());
    }
    record_sign_in(app, account_id, email, ip, visit.now).await?;
    let next = after_sign_in(&visit);
    Ok(Redirect::to(next).into_response())
}

/// A finished sign-in: in the audit log, and the address remembered for the throttle.
async fn record_sign_in(
    app: &AppState,
    account_id: &str,
    email: &str,
    ip: &str,
    now: i64,
) -> Result<()> {
    app.db
        .audit()
        .record(
            &AuditEvent::new(AuditKind::SignedIn, Some(account_id), now)
                .from_ip(Some(ip.to_owned())),
        )
        .await?;
    Ok(throttle(app).remember_address(email, ip).await?)
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
            format!("Go back to {}", client.name),
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
    let now = visit.now;
    let sid = login_session_id(app, visit, account_id);
    let amr = match level {
        CredentialLevel::Cl => vec!["pwd".to_owned()],
        CredentialLevel::ClCm => vec!["pwd".to_owned(), "otp".to_owned()],
    };
    let now_ms = visit.now_ms;
    let session = visit.session_mut();
    session.auth = Some(Authentication {
        account_id: account_id.to_owned(),
        email: email.to_owned(),
        level,
        auth_time: now,
        auth_time_ms: Some(now_ms),
        amr,
        sid,
    });
    // The waiting request now has a sign-in made after it arrived: what prompt=login and
    // max_age=0 ask for (Core §3.1.2.1), recorded exactly rather than read from clocks.
    if let Some(pending) = session.pending.as_mut() {
        pending.signed_in_since_received = true;
    }
    session.journey = Journey::None;
    // Checklist 78: logins and second factors are logged (by account id, never the email).
    tracing::info!(account = %account_id, vot = level.as_str(), "signed in");
    visit.rotate(app).await?;
    // Read after the session is saved, not only before: an intervention writes the standing
    // first and the provider ends the account's sessions after it. So either this read sees
    // the new standing, or this session was saved before those sessions were ended and ends
    // with them: no session of a suspended account survives a race with its suspension.
    let standing = app.db.accounts().standing(account_id).await?;
    let barrier = match standing {
        None => None,
        Some(standing) if standing.barrier().is_some() => standing.barrier(),
        Some(standing) => {
            let owes = standing.owes_new_password();
            if visit
                .session()
                .is_some_and(|s| s.password_renewal_owed != owes)
            {
                visit.session_mut().password_renewal_owed = owes;
            }
            return Ok(None);
        }
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
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

pub async fn submit_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<SignInForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let email = form.email.trim().to_owned();
    let mut errors = FormErrors::none();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password");
    }
    let shown_email: String = email.chars().take(MAX_FIELD_CHARS).collect();
    if !errors.is_empty() {
        let page = SignInPage {
            csrf_token: visit.csrf_token(),
            email: shown_email,
            errors,
            tries_warning: None,
        };
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let now = visit.now;
    let (mut visit, account) =
        match check_password(&app, visit, &email, None, &form.password, &ip).await? {
            Checked::Right(visit, account) => (visit, account),
            Checked::Wrong(mut visit, tries_warning) => {
                let page = SignInPage {
                    csrf_token: visit.csrf_token(),
                    email: shown_email,
                    errors: FormErrors::one("password", "Incorrect email address or password"),
                    tries_warning,
                };
                return render(&page, StatusCode::BAD_REQUEST);
            }
            Checked::Answered(response) => return Ok(response),
        };
    let wants_password_only = visit
        .session()
        .and_then(|s| s.pending.as_ref())
        .is_some_and(|p| p.credential_required() == CredentialLevel::Cl);
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
    if wants_password_only {
        // The service asked for "Cl": the password alone completes this sign-in, once any new
        // password an operator required is chosen.
        if owing_renewal(&visit).is_some() {
            return Ok(Redirect::to(NEW_PASSWORD).into_response());
        }
        record_sign_in(&app, &account.id, &email, &ip, now).await?;
        return Ok(Redirect::to("/authorize/continue").into_response());
    }
    let next = match &account.totp_secret {
        Some(_) => "/sign-in/authenticator-code",
        None => {
            visit.session_mut().journey = Journey::AddAuthenticator {
                totp_secret: totp::new_secret(),
            };
            "/sign-in/set-up-authenticator-app"
        }
    };
    Ok(Redirect::to(next).into_response())
}

/// A wrong password or code, and what was reserved for it.
pub(super) struct WrongAnswer<'a> {
    pub attempt: &'a SignInAttempt,
    pub reservation: &'a one_login_core::accounts::throttle::Reservation,
    pub account_id: Option<&'a str>,
    pub ip: &'a str,
}

/// Counts a wrong password or code with the throttle and records it in the audit log (with the
/// wait that follows, if one does). `place` says where it was typed, for investigators. The
/// same whether or not the account exists (ASVS 6.3.8).
pub(super) async fn count_wrong_answer(
    app: &AppState,
    wrong: &WrongAnswer<'_>,
    place: &str,
    now: i64,
) -> Result<FailureOutcome> {
    let (ip, account_id) = (wrong.ip, wrong.account_id);
    let outcome = throttle(app)
        .failed(wrong.attempt, wrong.reservation, now)
        .await?;
    let what = match wrong.attempt.factor() {
        Factor::Password => "password",
        Factor::AuthenticatorCode => "authenticator code",
    };
    let audit = app.db.audit();
    audit
        .record(
            &AuditEvent::new(AuditKind::SignInFailed, account_id, now)
                .from_ip(Some(ip.to_owned()))
                .with_detail(format!("{what}{place}")),
        )
        .await?;
    tracing::info!(client = %ip, what, "sign-in failed");
    if let FailureOutcome::MustWait { until } = outcome {
        audit
            .record(
                &AuditEvent::new(AuditKind::Locked, account_id, now).from_ip(Some(ip.to_owned())),
            )
            .await?;
        tracing::warn!(client = %ip, wait_seconds = until - now, "sign-in waits after repeated failures");
    }
    Ok(outcome)
}

/// After a wrong password or code: the visit and the warning of tries left (if any) for the
/// form again, or, when the citizen must wait, the answer that ends the session and sends them
/// to the wait page.
type AfterWrong = std::result::Result<(Visit, Option<String>), Response>;

/// Counts a wrong password or code typed while signing in; when a wait follows, ends the
/// session and answers with the wait page.
async fn count_wrong(
    app: &AppState,
    mut visit: Visit,
    wrong: WrongAnswer<'_>,
) -> Result<AfterWrong> {
    match count_wrong_answer(app, &wrong, "", visit.now).await? {
        FailureOutcome::MustWait { until } => {
            visit.end(app).await?;
            Ok(Err(Redirect::to(&wait_page(until)).into_response()))
        }
        FailureOutcome::TriesLeft(n) => Ok(Ok((visit, tries_left_warning(n)))),
    }
}

/// What checking a password or an authenticator code came to.
pub(super) enum Checked {
    /// Right, for this account.
    Right(Visit, Account),
    /// Wrong: the form again, with the warning of tries left, if any.
    Wrong(Visit, Option<String>),
    /// The citizen must wait (or the account is gone): this answer.
    Answered(Response),
}

impl Checked {
    fn after_wrong(after: AfterWrong) -> Self {
        match after {
            Ok((visit, tries_warning)) => Checked::Wrong(visit, tries_warning),
            Err(wait) => Checked::Answered(wait),
        }
    }
}

/// Checks a password as sign-in does, for the account `account_id` or else the one of `email`:
/// the try is reserved before it is checked (issue 11.3), an over-long one is wrong without
/// being hashed, a missing account costs a dummy verification (ASVS 6.3.8), and a hash made
/// with weaker parameters than now is replaced.
pub(super) async fn check_password(
    app: &AppState,
    visit: Visit,
    email: &str,
    account_id: Option<&str>,
    password: &str,
    ip: &str,
) -> Result<Checked> {
    let now = visit.now;
    let attempt = SignInAttempt::new(Factor::Password, email, ip);
    let reservation = match throttle(app).admit(&attempt, now).await? {
        Admission::Check(reservation) => reservation,
        Admission::Wait { until } => {
            return Ok(Checked::Answered(
                Redirect::to(&wait_page(until)).into_response(),
            ));
        }
    };
    // Over-long input is simply wrong: no account has it, and it is never hashed.
    let plausible = email.chars().count() <= MAX_FIELD_CHARS
        && password.chars().count() <= one_login_core::accounts::password::MAX_LENGTH;
    let account = match (plausible, account_id) {
        (false, _) => None,
        (true, Some(id)) => app.db.accounts().find(id).await?,
        (true, None) => app.db.accounts().find_by_email(email).await?,
    };
    let verification = if plausible {
        let stored = account.as_ref().map(|a| a.password_hash.as_str());
        Some(app.passwords.verify(password, stored).await?)
    } else {
        None
    };
    match (account, verification) {
        (Some(account), Some(v)) if v.matches && account.standing.barrier().is_some() => {
            // The right password of an account that may not sign in (an operator's
            // intervention): the citizen is told why, and nothing of this sign-in or recovery
            // is kept.
            throttle(app).succeeded(&attempt).await?;
            let mut visit = visit;
            let pending = visit.session_mut().pending.take();
            let barrier = account.standing.barrier();
            tracing::info!(account = %account.id, ?barrier, "sign-in refused: the account may not sign in");
            let page = match barrier {
                Some(barrier) => refused_sign_in(app, pending, barrier)?,
                None => Redirect::to("/sign-in").into_response(),
            };
            Ok(Checked::Answered(page.into_response()))
        }
        (Some(account), Some(v)) if v.matches => {
            if v.needs_rehash {
                let hash = app.passwords.hash(password).await?;
                app.db
                    .accounts()
                    .set_password_hash(&account.id, &hash, now)
                    .await?;
            }
            throttle(app).succeeded(&attempt).await?;
            Ok(Checked::Right(visit, account))
        }
        (account, _) => {
            let wrong = WrongAnswer {
                attempt: &attempt,
                reservation: &reservation,
                account_id: account.as_ref().map(|a| a.id.as_str()),
                ip,
            };
            Ok(Checked::after_wrong(count_wrong(app, visit, wrong).await?))
        }
    }
}

/// Checks an authenticator code as sign-in does: reserved before it is checked, and each code
/// used once (the step is recorded atomically, RFC 6238 §5.2).
pub(super) async fn check_app_code(
    app: &AppState,
    mut visit: Visit,
    email: &str,
    account_id: &str,
    code: &str,
    ip: &str,
) -> Result<Checked> {
    let now = visit.now;
    let attempt = SignInAttempt::new(Factor::AuthenticatorCode, email, ip);
    let reservation = match throttle(app).admit(&attempt, now).await? {
        Admission::Check(reservation) => reservation,
        Admission::Wait { until } => {
            visit.end(app).await?;
            return Ok(Checked::Answered(
                Redirect::to(&wait_page(until)).into_response(),
            ));
        }
    };
    let Some(account) = app.db.accounts().find(account_id).await? else {
        visit.end(app).await?;
        return Ok(Checked::Answered(Redirect::to("/sign-in").into_response()));
    };
    let step = account
        .totp_secret
        .as_deref()
        .and_then(|secret| totp::matching_step(secret, code, now));
    let accepted = match step {
        Some(step) => {
            app.db
                .accounts()
                .accept_totp_step(&account.id, step, now)
                .await?
        }
        None => false,
    };
    if !accepted {
        let wrong = WrongAnswer {
            attempt: &attempt,
            reservation: &reservation,
            account_id: Some(&account.id),
            ip,
        };
        return Ok(Checked::after_wrong(count_wrong(app, visit, wrong).await?));
    }
    throttle(app).succeeded(&attempt).await?;
    Ok(Checked::Right(visit, account))
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

pub async fn code_form(mut visit: Visit) -> Result<Response> {
    if awaiting_code(&visit).is_none() {
        return Ok(Redirect::to(elsewhere(&visit)).into_response());
    }
    if let Some(Journey::AddAuthenticator { .. }) = visit.session().map(|s| &s.journey) {
        return Ok(Redirect::to("/sign-in/set-up-authenticator-app").into_response());
    }
    let page = SignInCodePage {
        action: SIGN_IN_CODE,
        lost_app_link: true,
        csrf_token: visit.csrf_token(),
        errors: FormErrors::none(),
        tries_warning: None,
    };
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
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
    if let Some(problem) = new_app_code_problem(&form.code) {
        let page = SignInCodePage {
            action: SIGN_IN_CODE,
            lost_app_link: true,
            csrf_token: visit.csrf_token(),
            errors: FormErrors::one("code", problem),
            tries_warning: None,
        };
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let checked = check_app_code(&app, visit, &auth.email, &auth.account_id, &form.code, &ip);
    let (visit, account) = match checked.await? {
        Checked::Right(visit, account) => (visit, account),
        Checked::Wrong(mut visit, tries_warning) => {
            let page = SignInCodePage {
                action: SIGN_IN_CODE,
                lost_app_link: true,
                csrf_token: visit.csrf_token(),
                errors: FormErrors::one("code", WRONG_APP_CODE),
                tries_warning,
            };
            return render(&page, StatusCode::BAD_REQUEST);
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
    let response = authenticator_page(
        visit.csrf_token(),
        "/sign-in/set-up-authenticator-app",
        &secret,
        &auth.email,
        FormErrors::none(),
    )?;
    Ok(response)
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
    let step = match new_app_step(&secret, &form.code, now) {
        Ok(step) => step,
        Err(message) => {
            let errors = FormErrors::one("code", message);
            return authenticator_page(
                visit.csrf_token(),
                "/sign-in/set-up-authenticator-app",
                &secret,
                &auth.email,
                errors,
            );
        }
    };
    if !app
        .db
        .accounts()
        .add_totp_secret(&auth.account_id, &secret, step, now)
        .await?
    {
        // Set up meanwhile from another browser: sign in with that app instead.
        visit.session_mut().journey = Journey::None;
        return Ok(Redirect::to("/sign-in/authenticator-code").into_response());
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
    let page = NewPasswordPage {
        csrf_token: visit.csrf_token(),
        errors: FormErrors::none(),
    };
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

/// `POST /sign-in/create-new-password`: the new password an operator required, by the rules
/// of a new account's and not the current one; then every other session of the account ends
/// and the sign-in goes on where it was going.
pub async fn submit_new_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some(auth) = owing_renewal(&visit) else {
        return Ok(Redirect::to(elsewhere(&visit)).into_response());
    };
    let Some(account) = app.db.accounts().find(&auth.account_id).await? else {
        visit.end(&app).await?;
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let errors = replacement_password_errors(
        &app,
        &form.password,
        &form.confirm_password,
        &account.password_hash,
        "Your new password must be different from your current password",
    )
    .await?;
    if !errors.is_empty() {
        let page = NewPasswordPage {
            csrf_token: visit.csrf_token(),
            errors,
        };
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let now = visit.now;
    let hash = app.passwords.hash(&form.password).await?;
    let renewed = AuditEvent::new(AuditKind::PasswordRenewed, Some(&account.id), now)
        .from_ip(Some(ip.clone()));
    // `false`: chosen meanwhile in another browser; this one's password is not written over it.
    if !app
        .db
        .accounts()
        .renew_password(&account.id, &hash, &renewed)
        .await?
    {
        visit.end(&app).await?;
        return Ok(Redirect::to("/sign-in").into_response());
    }
    // ASVS 7.4.3: a new password ends every other session of the account.
    app.account_access()
        .end_all(&account.id, visit.session_id(), visit.now_ms)
        .await?;
    visit.session_mut().password_renewal_owed = false;
    visit.rotate(&app).await?;
    tracing::info!(account = %account.id, "required new password chosen");
    record_sign_in(&app, &account.id, &account.email, &ip, now).await?;
    let next = match auth.level {
        CredentialLevel::ClCm => after_sign_in(&visit),
        // A password-only sign-in for a service that asked for no more.
        CredentialLevel::Cl => "/authorize/continue",
    };
    Ok(Redirect::to(next).into_response())
}
