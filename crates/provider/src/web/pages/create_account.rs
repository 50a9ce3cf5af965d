//! Create an account: email, the code sent to it, a password, then an authenticator app. The
//! account is written only at the end, whole, so no half-created account can exist.

use askama::Template;

use crate::web::language::filters;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::sign_in::complete_sign_in;
use super::{CodeForm, EmailForm, NewPasswordForm, shown};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::extract::{ClientIp, PageForm};
use crate::web::templates::{FormErrors, MessagePage, form_status, render};
use crate::web::visit::Visit;
use one_login_core::accounts::typed_codes::{
    EmailedCode, WRONG_NEW_APP_CODE, check_emailed_code, new_app_step,
};
use one_login_core::accounts::{email_problem, new_password_problems, totp};
use one_login_core::sessions::{CreateAccountStep, Journey};
use one_login_store::NewAccount;

#[derive(Template)]
#[template(path = "create_account/email.html")]
pub struct EnterEmailPage {
    pub csrf_token: String,
    pub email: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "create_account/check_email.html")]
pub struct CheckEmailPage {
    pub csrf_token: String,
    pub email: String,
    pub ttl_minutes: u64,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "create_account/password.html")]
pub struct CreatePasswordPage {
    pub csrf_token: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "authenticator_app.html")]
pub struct AuthenticatorAppPage {
    pub csrf_token: String,
    /// Where the form posts: creating an account, or adding an app to an existing one.
    pub action: &'static str,
    pub qr_code: String,
    pub secret_grouped: String,
    pub errors: FormErrors,
}

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
    render(&page, StatusCode::OK)
}

pub async fn submit_email(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<EmailForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let email = form.email.trim().to_owned();
    if let Some(problem) = email_problem(&email) {
        let page = EnterEmailPage {
            csrf_token: visit.csrf_token(),
            email: shown(&email),
            errors: FormErrors::one("email", problem),
        };
        return render(&page, StatusCode::BAD_REQUEST);
    }
    let services = app.account_services();
    let pending = services.send_sign_up_code(&email, visit.now).await?;
    visit.session_mut().journey = Journey::CreateAccount {
        email,
        step: CreateAccountStep::CheckEmail(pending),
    };
    Ok(Redirect::to("/create-account/check-email").into_response())
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
    render(&page, StatusCode::OK)
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
    let problem =
        match check_emailed_code(app.ephemeral.as_ref(), &pending, &form.code, visit.now).await? {
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

/// The journey ends when its code is void: the page says so, with where to get a new one.
pub(super) fn code_void(mut visit: Visit, new_code: &str) -> Result<Response> {
    visit.session_mut().journey = Journey::None;
    let page = MessagePage::new("You entered the wrong code too many times")
        .paragraph("For your security, that code no longer works.")
        .link(new_code, "Get a new code");
    render(&page, StatusCode::OK)
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
    render(&page, StatusCode::OK)
}

pub async fn submit_password(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<NewPasswordForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Journey::CreateAccount {
        email,
        step: CreateAccountStep::ChoosePassword,
    } = journey(&visit)
    else {
        return Ok(back_on_track(&visit));
    };
    let errors = FormErrors::from(new_password_problems(
        &form.password,
        &form.confirm_password,
    ));
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

/// The journey at its last step: the email address, the new password's hash and the new
/// app's secret.
fn setting_up_app(visit: &Visit) -> Option<(String, String, String)> {
    match journey(visit) {
        Journey::CreateAccount {
            email,
            step:
                CreateAccountStep::SetUpAuthenticator {
                    password_hash,
                    totp_secret,
                },
        } => Some((email, password_hash, totp_secret)),
        _ => None,
    }
}

pub async fn authenticator_form(mut visit: Visit) -> Result<Response> {
    let Some((email, _, totp_secret)) = setting_up_app(&visit) else {
        return Ok(back_on_track(&visit));
    };
    let (csrf_token, errors) = (visit.csrf_token(), FormErrors::none());
    authenticator_page(csrf_token, AUTHENTICATOR, &totp_secret, &email, errors)
}

pub async fn submit_authenticator(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some((email, password_hash, totp_secret)) = setting_up_app(&visit) else {
        return Ok(back_on_track(&visit));
    };
    let now = visit.now;
    let step = match new_app_step(&totp_secret, &form.code, now, WRONG_NEW_APP_CODE) {
        Ok(step) => step,
        Err(problem) => {
            let (csrf_token, errors) = (visit.csrf_token(), FormErrors::one("code", problem));
            return authenticator_page(csrf_token, AUTHENTICATOR, &totp_secret, &email, errors);
        }
    };
    let new = NewAccount {
        email,
        password_hash,
        totp_secret: Some(totp_secret),
        email_verified: true,
        now,
    };
    let created = app
        .account_services()
        .create_account(new, step, &ip)
        .await?;
    let Some(account) = created else {
        return already_created(visit);
    };
    complete_sign_in(&app, visit, &account.id, &account.email, &ip).await
}

/// Another journey created the account meanwhile: this one ends.
fn already_created(mut visit: Visit) -> Result<Response> {
    visit.session_mut().journey = Journey::None;
    let page = MessagePage::new("You already have a GOV.UK One Login")
        .paragraph("There is already a GOV.UK One Login for this email address.")
        .link("/sign-in", "Sign in");
    render(&page, StatusCode::OK)
}

/// The create-account journey's authenticator app page.
const AUTHENTICATOR: &str = "/create-account/authenticator-app";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_route_to_their_page() {
        assert_eq!(current_step(&Journey::None), "/create-account");
        let journey = Journey::CreateAccount {
            email: "a@b.c".into(),
            step: CreateAccountStep::ChoosePassword,
        };
        assert_eq!(current_step(&journey), "/create-account/password");
    }
}
