//! Passkeys (issue 17 §1): adding and removing them on the account pages, and signing in with
//! one, alone or after the password. The rules are in `accounts::passkeys`; here the forms.
//!
//! Each ceremony is a form the page's script (`/assets/passkeys.js`) completes: it fetches the
//! options (`.../options`, a JSON answer), asks the browser's authenticator, puts the response
//! in the form's hidden fields and submits it. Without JavaScript the form is submitted empty,
//! and the page it gets back says that passkeys need JavaScript and that the password works.

use askama::Template;

use crate::web::language::filters;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::security::{Gate, gate, through_gate};
use super::sign_in::{SignInCodePage, SignInPage, complete_sign_in_with};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::extract::{ClientIp, PageForm};
use crate::web::templates::{FormErrors, format_time, render};
use crate::web::visit::Visit;
use one_login_core::accounts::passkeys::{
    PasskeyCeremonies, PasskeyProblem, PasskeySummary, passkey_name,
};
use one_login_core::sessions::CredentialLevel;

/// The account page's passkeys.
pub const PASSKEYS: &str = "/account/passkeys";

/// A passkey as the page lists it.
pub struct ListedPasskey {
    pub credential_id: String,
    pub name: String,
    pub created: String,
    /// "Not used yet" or the time.
    pub last_used: Option<String>,
}

#[derive(Template)]
#[template(path = "account/passkeys.html")]
pub struct PasskeysPage {
    pub csrf_token: String,
    pub passkeys: Vec<ListedPasskey>,
    pub name: String,
    pub can_add: bool,
    pub errors: FormErrors,
}

/// What the pages say when the browser sent no passkey: the form was submitted without
/// JavaScript, or the citizen cancelled.
const NO_PASSKEY_SENT: &str = "Your browser did not send a passkey. Passkeys need JavaScript: check it is turned on, then try again. You can always sign in with your password and authenticator app.";
/// What they say when the passkey was refused, whatever the reason (the log has it).
const PASSKEY_REFUSED: &str = "We could not check that passkey. Try again, or sign in with your password and authenticator app.";
const PASSKEY_NOT_ADDED: &str = "We could not add that passkey. Try again, or use another device.";
const PASSKEY_ALREADY_ADDED: &str = "That passkey is already set up.";
const TOO_MANY_PASSKEYS: &str =
    "You already have 10 passkeys. Remove one you no longer use before you add another.";

fn ceremonies(app: &AppState) -> Result<PasskeyCeremonies> {
    Ok(PasskeyCeremonies::new(&app.config.issuer)?)
}

fn listed(passkeys: Vec<PasskeySummary>) -> Vec<ListedPasskey> {
    passkeys
        .into_iter()
        .map(|p| ListedPasskey {
            credential_id: p.credential_id,
            name: p.name,
            created: format_time(p.created_at),
            last_used: p.last_used_at.map(format_time),
        })
        .collect()
}

async fn passkeys_page(
    app: &AppState,
    visit: &mut Visit,
    account_id: &str,
    name: String,
    errors: FormErrors,
) -> Result<Response> {
    let passkeys = app.account_services().passkeys(account_id).await?;
    let page = PasskeysPage {
        csrf_token: visit.csrf_token(),
        can_add: passkeys.len() < one_login_core::accounts::passkeys::MAX_PASSKEYS,
        passkeys: listed(passkeys),
        name,
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(&page, status)
}

/// `GET /account/passkeys`. Changing how the citizen signs in needs a recent sign-in, as the
/// app and email changes do (`accounts::changes::FRESH_SIGN_IN_MS`).
pub async fn show(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let account = through_gate!(app, visit, Some(PASSKEYS));
    passkeys_page(
        &app,
        &mut visit,
        &account.id,
        String::new(),
        FormErrors::none(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct OptionsForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /account/passkeys/options`: the creation options, as JSON. A citizen who must give
/// the password again gets 403, and the script then submits the form, whose answer sends them
/// to do so.
pub async fn registration_options(
    State(app): State<AppState>,
    visit: Visit,
    PageForm(form): PageForm<OptionsForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Gate::Open(account) = gate(&app, &visit, Some(PASSKEYS)).await? else {
        return Ok(StatusCode::FORBIDDEN.into_response());
    };
    let (ceremony, options) = app
        .account_services()
        .start_passkey_registration(&ceremonies(&app)?, &account)
        .await?;
    Ok(Json(serde_json::json!({ "ceremony": ceremony, "options": options })).into_response())
}

#[derive(Debug, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: String,
}

/// `POST /account/passkeys`: the new passkey, from the browser's response.
pub async fn add(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<AddForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let account = through_gate!(app, visit, Some(PASSKEYS));
    let typed = super::shown(&form.name);
    let name = match passkey_name(&form.name) {
        Ok(name) => name,
        Err(problem) => {
            let errors = FormErrors::one("name", problem);
            return passkeys_page(&app, &mut visit, &account.id, typed, errors).await;
        }
    };
    let services = app.account_services();
    let added = services
        .finish_passkey_registration(
            &ceremonies(&app)?,
            &account,
            (&form.ceremony, &form.credential),
            &name,
            (visit.session_id(), &ip, visit.now_ms),
        )
        .await?;
    let problem = match added {
        Ok(_) => return Ok(Redirect::to(PASSKEYS).into_response()),
        Err(problem) => problem,
    };
    tracing::info!(account = %account.id, problem = problem.as_str(), "passkey not added");
    let errors = FormErrors::one("passkey", not_added(problem));
    passkeys_page(&app, &mut visit, &account.id, typed, errors).await
}

/// What the page says when a passkey was not added.
fn not_added(problem: PasskeyProblem) -> &'static str {
    match problem {
        PasskeyProblem::NoResponse => NO_PASSKEY_SENT,
        PasskeyProblem::Duplicate => PASSKEY_ALREADY_ADDED,
        PasskeyProblem::TooMany => TOO_MANY_PASSKEYS,
        _ => PASSKEY_NOT_ADDED,
    }
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    credential_id: String,
}

/// `POST /account/passkeys/remove`: one of the citizen's passkeys, gone. Needs a recent
/// sign-in like any change to how the citizen signs in.
pub async fn remove(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    visit: Visit,
    PageForm(form): PageForm<RemoveForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let account = through_gate!(app, visit, Some(PASSKEYS));
    app.account_services()
        .remove_passkey(
            &account,
            &form.credential_id,
            (visit.session_id(), &ip, visit.now_ms),
        )
        .await?;
    Ok(Redirect::to(PASSKEYS).into_response())
}

/// `POST /sign-in/passkey/options`: the request options, as JSON.
pub async fn sign_in_options(
    State(app): State<AppState>,
    visit: Visit,
    PageForm(form): PageForm<OptionsForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let (ceremony, options) = app
        .account_services()
        .start_passkey_sign_in(&ceremonies(&app)?)
        .await?;
    Ok(Json(serde_json::json!({ "ceremony": ceremony, "options": options })).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: String,
}

/// `POST /sign-in/passkey`: a sign-in with a passkey. On its own it signs the citizen in at
/// `Cl.Cm` (a discoverable credential with user verification is two factors: the device and
/// its PIN or biometric). After the password it is the second factor, and must be the same
/// account's.
pub async fn sign_in(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    visit: Visit,
    PageForm(form): PageForm<SignInForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    // The citizen who has given their password and not yet a second factor, if this is that.
    let after_password = visit
        .session()
        .and_then(|s| s.auth.clone())
        .filter(|a| a.level == CredentialLevel::Cl);
    let services = app.account_services();
    let checked = services
        .finish_passkey_sign_in(
            &ceremonies(&app)?,
            (&form.ceremony, &form.credential),
            after_password.as_ref().map(|auth| auth.account_id.as_str()),
            (&ip, visit.now),
        )
        .await?;
    match checked {
        Ok(account_id) => signed_in(&app, visit, &account_id, after_password.is_some(), &ip).await,
        Err(problem) => refused(visit, after_password.is_some(), problem),
    }
}

/// The passkey checked: the citizen is signed in at `Cl.Cm`, with the methods used (RFC 8176).
async fn signed_in(
    app: &AppState,
    visit: Visit,
    account_id: &str,
    after_password: bool,
    ip: &str,
) -> Result<Response> {
    let Some(account) = app.db.accounts().find(account_id).await? else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let amr: &[&str] = if after_password {
        &["pwd", "swk", "mfa"]
    } else {
        &["swk", "mfa"]
    };
    complete_sign_in_with(app, visit, &account.id, &account.email, ip, amr).await
}

/// The page the passkey form came from, saying why the passkey did not sign in.
fn refused(mut visit: Visit, after_password: bool, problem: PasskeyProblem) -> Result<Response> {
    let message = match problem {
        PasskeyProblem::NoResponse => NO_PASSKEY_SENT,
        _ => PASSKEY_REFUSED,
    };
    let errors = FormErrors::one("passkey", message);
    if after_password {
        let page = SignInCodePage::signing_in(visit.csrf_token(), errors, true);
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let page = SignInPage {
        csrf_token: visit.csrf_token(),
        email: String::new(),
        errors,
        tries_warning: None,
    };
    render(&page, StatusCode::BAD_REQUEST)
}
