//! Sign in: email and password ("Cl"), then the authenticator code ("Cl.Cm"). Wrong answers
//! are throttled (`accounts::throttle`): counted before they are checked, then waits that grow,
//! the same whether or not the email address has an account.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::create_account::{
    PasswordForm, authenticator_page, new_app_code_problem, password_errors,
};
use super::{CodeForm, MAX_FIELD_CHARS};
use crate::accounts::interventions::Barrier;
use crate::accounts::{Admission, Factor, FailureOutcome, SignInAttempt, Throttle, totp};
use crate::app::AppState;
use crate::error::Result;
use crate::oidc::authorize::{AuthorizationRequest, Decision, ErrorRedirect};
use crate::sessions::{Authentication, CredentialLevel, Journey};
use crate::store::{AuditEvent, AuditKind};
use crate::web::error::duration_in_words;
use crate::web::oidc::authorize::pending_decision;
use crate::web::templates::{
    FormErrors, MessagePage, NewPasswordPage, SUPPORT_CONTACT, SignInCodePage, SignInPage, render,
    tries_left_warning,
};
use crate::web::{ClientIp, PageForm, Visit};

fn throttle(app: &AppState) -> Throttle<'_> {
    Throttle::new(app.ephemeral.as_ref(), &app.config.sign_in)
}

/// Where a citizen who must wait until `until` (unix seconds) is sent: the page works out the
/// time left whenever it is shown.
fn wait_page(until: i64) -> String {
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
            crate::sessions::random_token()
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
        return visit.finish(app, refused).await;
    }
    if owing_renewal(&visit).is_some() {
        return visit.redirect(app, NEW_PASSWORD).await;
    }
    record_sign_in(app, account_id, email, ip, visit.now).await?;
    let next = after_sign_in(&visit);
    visit.redirect(app, next).await
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
    throttle(app).remember_address(email, ip).await
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
async fn sign_in_at(
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
    visit.finish(&app, response).await
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
    let throttle = throttle(&app);
    let attempt = SignInAttempt::new(Factor::Password, &email, &ip);
    // Reserve, then verify (issue 11.3): counted before the password is checked.
    let reservation = match throttle.admit(&attempt, now).await? {
        Admission::Check(reservation) => reservation,
        Admission::Wait { until } => return Ok(Redirect::to(&wait_page(until)).into_response()),
    };
    // Over-long input is simply wrong: no account has it, and it is never hashed.
    let plausible = email.chars().count() <= MAX_FIELD_CHARS
        && form.password.chars().count() <= crate::accounts::password::MAX_LENGTH;
    let account = if plausible {
        app.db.accounts().find_by_email(&email).await?
    } else {
        None
    };
    let verification = if plausible {
        Some(
            app.passwords
                .verify(
                    &form.password,
                    account.as_ref().map(|a| a.password_hash.as_str()),
                )
                .await?,
        )
    } else {
        None
    };
    let account = match (account, verification) {
        (Some(account), Some(v)) if v.matches && account.standing.barrier().is_some() => {
            // The right password of an account that may not sign in: the citizen is told why,
            // and nothing of this sign-in is kept.
            throttle.succeeded(&attempt).await?;
            let pending = visit.session_mut().pending.take();
            let barrier = account.standing.barrier();
            tracing::info!(account = %account.id, ?barrier, "sign-in refused: the account may not sign in");
            let page = match barrier {
                Some(barrier) => refused_sign_in(&app, pending, barrier)?,
                None => Redirect::to("/sign-in").into_response(),
            };
            return visit.finish(&app, page).await;
        }
        (Some(account), Some(v)) if v.matches => {
            if v.needs_rehash {
                let hash = app.passwords.hash(&form.password).await?;
                app.db
                    .accounts()
                    .set_password_hash(&account.id, &hash, now)
                    .await?;
            }
            account
        }
        (account, _) => {
            let wrong = WrongAnswer {
                attempt: &attempt,
                reservation: &reservation,
                email: &email,
                account_id: account.as_ref().map(|a| a.id.as_str()),
                ip: &ip,
            };
            return wrong_credentials(&app, visit, wrong).await;
        }
    };
    throttle.succeeded(&attempt).await?;
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
        return visit.finish(&app, refused).await;
    }
    if wants_password_only {
        // The service asked for "Cl": the password alone completes this sign-in, once any new
        // password an operator required is chosen.
        if owing_renewal(&visit).is_some() {
            return visit.redirect(&app, NEW_PASSWORD).await;
        }
        record_sign_in(&app, &account.id, &email, &ip, now).await?;
        return visit.redirect(&app, "/authorize/continue").await;
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
    visit.redirect(&app, next).await
}

/// A wrong password or code, and what was reserved for it.
struct WrongAnswer<'a> {
    attempt: &'a SignInAttempt,
    reservation: &'a crate::accounts::throttle::Reservation,
    email: &'a str,
    account_id: Option<&'a str>,
    ip: &'a str,
}

/// Counts a wrong password or code, records it, and answers with the form again (saying how
/// many tries are left once 2 or fewer remain) or, when a wait follows, the wait page. The
/// answer never depends on whether the account exists (ASVS 6.3.8).
async fn wrong_credentials(
    app: &AppState,
    mut visit: Visit,
    wrong: WrongAnswer<'_>,
) -> Result<Response> {
    let now = visit.now;
    let (ip, account_id) = (wrong.ip, wrong.account_id);
    let factor = wrong.attempt.factor();
    let outcome = throttle(app)
        .failed(wrong.attempt, wrong.reservation, now)
        .await?;
    let what = match factor {
        Factor::Password => "password",
        Factor::AuthenticatorCode => "authenticator code",
    };
    let audit = app.db.audit();
    audit
        .record(
            &AuditEvent::new(AuditKind::SignInFailed, account_id, now)
                .from_ip(Some(ip.to_owned()))
                .with_detail(what),
        )
        .await?;
    tracing::info!(client = %ip, what, "sign-in failed");
    let tries_left = match outcome {
        FailureOutcome::MustWait { until } => {
            audit
                .record(
                    &AuditEvent::new(AuditKind::Locked, account_id, now)
                        .from_ip(Some(ip.to_owned())),
                )
                .await?;
            tracing::warn!(client = %ip, wait_seconds = until - now, "sign-in waits after repeated failures");
            visit.end(app).await?;
            return visit.redirect(app, &wait_page(until)).await;
        }
        FailureOutcome::TriesLeft(n) => n,
    };
    let tries_warning = tries_left_warning(tries_left);
    match factor {
        Factor::Password => {
            let errors = FormErrors::one("password", "Incorrect email address or password");
            let email: String = wrong.email.chars().take(MAX_FIELD_CHARS).collect();
            let page = SignInPage {
                csrf_token: visit.csrf_token(),
                email,
                errors,
                tries_warning,
            };
            render(&page, StatusCode::BAD_REQUEST)
        }
        Factor::AuthenticatorCode => {
            let errors = FormErrors::one(
                "code",
                "The security code you entered is not correct. Check your authenticator app and try again",
            );
            let page = SignInCodePage {
                csrf_token: visit.csrf_token(),
                errors,
                tries_warning,
            };
            render(&page, StatusCode::BAD_REQUEST)
        }
    }
}

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
    if awaiting_code(&visit).is_none() {
        return Ok(Redirect::to(elsewhere(&visit)).into_response());
    }
    if let Some(Journey::AddAuthenticator { .. }) = visit.session().map(|s| &s.journey) {
        return Ok(Redirect::to("/sign-in/set-up-authenticator-app").into_response());
    }
    let page = SignInCodePage {
        csrf_token: visit.csrf_token(),
        errors: FormErrors::none(),
        tries_warning: None,
    };
    let response = render(&page, StatusCode::OK)?;
    visit.finish(&app, response).await
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
            csrf_token: visit.csrf_token(),
            errors: FormErrors::one("code", problem),
            tries_warning: None,
        };
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let now = visit.now;
    let throttle = throttle(&app);
    let attempt = SignInAttempt::new(Factor::AuthenticatorCode, &auth.email, &ip);
    // Reserve, then verify (issue 11.3): counted before the code is checked.
    let reservation = match throttle.admit(&attempt, now).await? {
        Admission::Check(reservation) => reservation,
        Admission::Wait { until } => {
            visit.end(&app).await?;
            return visit.redirect(&app, &wait_page(until)).await;
        }
    };
    let Some(account) = app.db.accounts().find(&auth.account_id).await? else {
        visit.end(&app).await?;
        return visit.redirect(&app, "/sign-in").await;
    };
    let step = account
        .totp_secret
        .as_deref()
        .and_then(|secret| totp::matching_step(secret, &form.code, now));
    // A right code counts once: the step is recorded atomically (RFC 6238 §5.2).
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
            email: &auth.email,
            account_id: Some(&account.id),
            ip: &ip,
        };
        return wrong_credentials(&app, visit, wrong).await;
    }
    throttle.succeeded(&attempt).await?;
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

pub async fn add_authenticator_form(
    State(app): State<AppState>,
    mut visit: Visit,
) -> Result<Response> {
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
    visit.finish(&app, response).await
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
    let problem = new_app_code_problem(&form.code);
    let step = match problem {
        None => totp::matching_step(&secret, &form.code, now),
        Some(_) => None,
    };
    let Some(step) = step else {
        let message = problem.unwrap_or(
            "The security code is not correct. Check your authenticator app and enter the code it shows now",
        );
        let errors = FormErrors::one("code", message);
        return authenticator_page(
            visit.csrf_token(),
            "/sign-in/set-up-authenticator-app",
            &secret,
            &auth.email,
            errors,
        );
    };
    if !app
        .db
        .accounts()
        .add_totp_secret(&auth.account_id, &secret, step, now)
        .await?
    {
        // Set up meanwhile from another browser: sign in with that app instead.
        visit.session_mut().journey = Journey::None;
        return visit.redirect(&app, "/sign-in/authenticator-code").await;
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
pub async fn new_password_form(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    if owing_renewal(&visit).is_none() {
        return Ok(Redirect::to(elsewhere(&visit)).into_response());
    }
    let page = NewPasswordPage {
        csrf_token: visit.csrf_token(),
        errors: FormErrors::none(),
    };
    let response = render(&page, StatusCode::OK)?;
    visit.finish(&app, response).await
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
        return visit.redirect(&app, "/sign-in").await;
    };
    let mut errors = password_errors(&form.password, &form.confirm_password);
    if errors.is_empty()
        && app
            .passwords
            .verify(&form.password, Some(&account.password_hash))
            .await?
            .matches
    {
        errors.add(
            "password",
            "Your new password must be different from your current password",
        );
    }
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
        return visit.redirect(&app, "/sign-in").await;
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
    visit.redirect(&app, next).await
}
