//! The handlers: each reads the request and session, calls the provider or a rule, and renders.

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::session::{check_csrf, clear_cookie, current, current_or_new, set_cookie};
use super::templates::{ApplicationPage, MessagePage, Row, StartPage, SubmittedPage, render};
use crate::error::{Error, Result};
use crate::sessions::{IdentityCheck, Purpose, Session, random_token};

fn redirect_with_cookie(location: &str, cookie: Option<HeaderValue>) -> Response {
    let mut response = Redirect::to(location).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn signed_in(app: &AppState, headers: &HeaderMap, now: i64) -> Option<(String, Session)> {
    current(app, headers, now).filter(|(_, s)| s.user.is_some())
}

/// The signed-in session a form was posted from, with the form's CSRF token checked.
fn posted_from(
    app: &AppState,
    headers: &HeaderMap,
    csrf_token: &str,
    now: i64,
) -> Result<(String, Session)> {
    let (id, session) =
        signed_in(app, headers, now).ok_or(Error::SessionMismatch("not signed in"))?;
    check_csrf(&session, csrf_token)?;
    Ok((id, session))
}

pub async fn start(State(app): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let now = app.clock.unix();
    render(&StartPage {
        service_name: app.config.service_name.clone(),
        form: app.config.form,
        signed_in: signed_in(&app, &headers, now).is_some(),
    })
}

/// Sends the browser to the provider for `purpose`, remembering what the callback must match.
async fn send_to_provider(
    app: &AppState,
    headers: &HeaderMap,
    purpose: Purpose,
    now: i64,
) -> Result<Response> {
    let request = match purpose {
        Purpose::SignIn => &app.config.sign_in,
        Purpose::IdentityCheck => app.config.identity_check.as_ref().ok_or(Error::NotFound)?,
    };
    let (url, pending) = app.provider.begin(purpose, request, now).await?;
    let (id, mut session, new) = current_or_new(app, headers, now);
    session.pending = Some(pending);
    app.sessions.save(&id, session);
    Ok(redirect_with_cookie(
        url.as_str(),
        new.then(|| set_cookie(app, &id)),
    ))
}

pub async fn sign_in(State(app): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let now = app.clock.unix();
    if signed_in(&app, &headers, now).is_some() {
        return Ok(Redirect::to("/application").into_response());
    }
    send_to_provider(&app, &headers, Purpose::SignIn, now).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf_token: String,
}

pub async fn check_identity(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response> {
    let now = app.clock.unix();
    let Form(form) = form.map_err(|_| Error::CsrfRejected)?;
    posted_from(&app, &headers, &form.csrf_token, now)?;
    send_to_provider(&app, &headers, Purpose::IdentityCheck, now).await
}

/// The authorization response (RFC 6749 §4.1.2, §4.1.2.1) with RFC 9207's `iss`.
#[derive(Deserialize)]
pub struct Callback {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    iss: Option<String>,
}

pub async fn callback(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(answer): Query<Callback>,
) -> Result<Response> {
    let now = app.clock.unix();
    let (id, mut session) =
        current(&app, &headers, now).ok_or(Error::SessionMismatch("no session"))?;
    // The pending request is used once, whatever the answer.
    let pending = session
        .pending
        .take()
        .ok_or(Error::SessionMismatch("no sign-in under way"))?;
    app.sessions.save(&id, session.clone());
    let state_ok = answer.state.as_deref().is_some_and(|state| {
        bool::from(subtle::ConstantTimeEq::ct_eq(
            state.as_bytes(),
            pending.state.as_bytes(),
        ))
    });
    if !state_ok {
        return Err(Error::SessionMismatch("state does not match"));
    }
    if answer
        .iss
        .as_deref()
        .is_some_and(|iss| !app.provider.is_issuer(iss))
    {
        // RFC 9207 §2.4: an answer from another issuer (mix-up attack).
        return Err(Error::ProviderAnswer("iss is not this provider".into()));
    }
    let request = match pending.purpose {
        Purpose::SignIn => &app.config.sign_in,
        Purpose::IdentityCheck => app.config.identity_check.as_ref().ok_or(Error::NotFound)?,
    };
    if let Some(error) = answer.error {
        return Err(Error::Refused {
            error,
            description: answer.error_description.unwrap_or_default(),
            identity: request.identity_level().is_some_and(|l| l != "P0"),
        });
    }
    let code = answer
        .code
        .ok_or_else(|| Error::ProviderAnswer("neither code nor error".into()))?;
    let mut user = app.provider.finish(&pending, code, request, now).await?;
    if let (Purpose::IdentityCheck, Some(before)) = (pending.purpose, &session.user) {
        if before.sub != user.sub {
            return Err(Error::ProviderAnswer(
                "the identity check answered for someone else".into(),
            ));
        }
        user.identity_check = Some(IdentityCheck {
            seconds_away: now - pending.sent_at,
            same_sign_in: before.auth_time.is_some() && before.auth_time == user.auth_time,
        });
        user.email = user.email.or(before.email.clone());
        user.refresh_token = user.refresh_token.or(before.refresh_token.clone());
    }
    session.user = Some(user);
    // A new id at each sign-in (session fixation).
    let new_id = app.sessions.rotate(&id, session);
    Ok(redirect_with_cookie(
        "/application",
        Some(set_cookie(&app, &new_id)),
    ))
}

fn date_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

pub async fn application(State(app): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let now = app.clock.unix();
    let Some((_, session)) = signed_in(&app, &headers, now) else {
        return Ok(Redirect::to("/").into_response());
    };
    let Some(user) = session.user else {
        return Ok(Redirect::to("/").into_response());
    };
    let mut sign_in_rows = Vec::new();
    if let Some(vot) = &user.vot {
        sign_in_rows.push(Row {
            key: "How you signed in",
            value: match vot.as_str() {
                "Cl.Cm" => "Password and security code (Cl.Cm)".into(),
                "Cl" => "Password (Cl)".into(),
                other => other.to_owned(),
            },
        });
    }
    if let Some(auth_time) = user.auth_time {
        sign_in_rows.push(Row {
            key: "Signed in at",
            value: date_time(auth_time),
        });
    }
    render(&ApplicationPage {
        service_name: app.config.service_name.clone(),
        form: app.config.form,
        csrf: session.csrf,
        sub: user.sub,
        email: user.email.unwrap_or_default(),
        sign_in_rows,
        can_check_identity: user.identity.is_none() && app.config.identity_check.is_some(),
        identity: user.identity,
        address: user.address,
        driving_permit: user.driving_permit,
        identity_check: user.identity_check,
        can_refresh: user.refresh_token.is_some(),
        refreshed: user.refreshed_at.is_some(),
    })
}

#[derive(Deserialize)]
pub struct ApplicationForm {
    csrf_token: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    address_line: String,
    #[serde(default)]
    town: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    licence_number: String,
}

pub async fn submit_application(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ApplicationForm>, FormRejection>,
) -> Result<Response> {
    let now = app.clock.unix();
    let Form(form) = form.map_err(|_| Error::CsrfRejected)?;
    posted_from(&app, &headers, &form.csrf_token, now)?;
    let mut rows = vec![
        Row {
            key: "Full name",
            value: form.full_name,
        },
        Row {
            key: "Date of birth",
            value: form.birth_date,
        },
        Row {
            key: "Address",
            value: [form.address_line, form.town, form.postcode]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join(", "),
        },
    ];
    if !form.licence_number.is_empty() {
        rows.push(Row {
            key: "Driving licence number",
            value: form.licence_number,
        });
    }
    render(&SubmittedPage {
        service_name: app.config.service_name.clone(),
        form: app.config.form,
        reference: random_token()[..10].to_uppercase(),
        rows,
    })
}

pub async fn refresh(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response> {
    let now = app.clock.unix();
    let Form(form) = form.map_err(|_| Error::CsrfRejected)?;
    let (id, mut session) = posted_from(&app, &headers, &form.csrf_token, now)?;
    let user = session
        .user
        .take()
        .ok_or(Error::SessionMismatch("not signed in"))?;
    session.user = Some(app.provider.refresh(&user, now).await?);
    app.sessions.save(&id, session);
    Ok(Redirect::to("/application").into_response())
}

/// Ends the local session, then signs out at the provider (which tells the other services by
/// back-channel). If the provider cannot be reached, the local sign-out still stands.
pub async fn sign_out(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response> {
    let now = app.clock.unix();
    let Form(form) = form.map_err(|_| Error::CsrfRejected)?;
    let (id, session) = current(&app, &headers, now).ok_or(Error::SessionMismatch("no session"))?;
    check_csrf(&session, &form.csrf_token)?;
    app.sessions.remove(&id);
    let Some(user) = session.user else {
        return Ok(redirect_with_cookie(
            "/signed-out",
            Some(clear_cookie(&app)),
        ));
    };
    let location = match app
        .provider
        .logout_url(&user.id_token, &random_token(), now)
        .await
    {
        Ok(url) => url.to_string(),
        Err(e) => {
            tracing::warn!(error = %e, "signed out here only: the provider's logout is not reachable");
            "/signed-out".to_owned()
        }
    };
    Ok(redirect_with_cookie(&location, Some(clear_cookie(&app))))
}

pub async fn signed_out(State(app): State<AppState>) -> Result<Response> {
    render(&MessagePage {
        service_name: app.config.service_name.clone(),
        title: "You have signed out".into(),
        paragraphs: vec!["You have signed out of this service and of GOV.UK One Login.".into()],
        link: Some(("/", "Sign in again")),
    })
}

/// A page of the footer or the phase banner: the department's own, as every service has.
fn info_page(app: &AppState, title: String, paragraphs: Vec<String>) -> Result<Response> {
    render(&MessagePage {
        service_name: app.config.service_name.clone(),
        title,
        paragraphs,
        link: Some(("/", "Go to the start page")),
    })
}

pub async fn accessibility(State(app): State<AppState>) -> Result<Response> {
    let name = &app.config.service_name;
    info_page(
        &app,
        format!("Accessibility statement for {name}"),
        vec![
            "This service is built with the GOV.UK Design System and aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.".into(),
            "Its pages, and the GOV.UK One Login pages it sends you to, are checked automatically for accessibility problems, and work without JavaScript and with a keyboard alone.".into(),
            "GOV.UK One Login has its own accessibility statement, linked from its pages.".into(),
        ],
    )
}

pub async fn cookies(State(app): State<AppState>) -> Result<Response> {
    let name = &app.config.service_name;
    info_page(
        &app,
        format!("Cookies on {name}"),
        vec![
            format!("{name} puts one essential cookie on your device. It keeps you signed in to this service and is deleted when you sign out or after 30 minutes without activity."),
            "GOV.UK One Login, where you sign in, sets its own cookie. We do not use analytics or advertising cookies.".into(),
        ],
    )
}

pub async fn privacy(State(app): State<AppState>) -> Result<Response> {
    let name = &app.config.service_name;
    info_page(
        &app,
        format!("Privacy notice for {name}"),
        vec![
            "This is a demonstration service. It keeps what GOV.UK One Login shares with it only while you are signed in, and stores nothing after you sign out.".into(),
            "GOV.UK One Login shares your details with this service only when you agree to it.".into(),
        ],
    )
}

pub async fn feedback(State(app): State<AppState>) -> Result<Response> {
    let name = &app.config.service_name;
    info_page(
        &app,
        format!("Give feedback on {name}"),
        vec![
            "This is a new service. Tell the team that runs it what worked well and what did not.".into(),
            "For problems with signing in or proving your identity, give feedback to GOV.UK One Login from its pages.".into(),
        ],
    )
}

#[derive(Deserialize)]
pub struct LogoutTokenForm {
    logout_token: String,
}

/// Back-Channel Logout 1.0 §2.5-2.8: a valid token ends the local sessions it names; 200 with
/// no body, never cached.
pub async fn backchannel_logout(
    State(app): State<AppState>,
    form: Result<Form<LogoutTokenForm>, FormRejection>,
) -> Result<Response> {
    let now = app.clock.unix();
    let Form(form) = form.map_err(|e| Error::LogoutTokenRejected(e.body_text()))?;
    let of = app
        .provider
        .verify_logout_token(&form.logout_token, now)
        .await?;
    let ended = app
        .sessions
        .end_matching(of.sub.as_deref(), of.sid.as_deref());
    tracing::info!(ended, "back-channel logout");
    Ok(StatusCode::OK.into_response())
}

pub async fn jwks(State(app): State<AppState>) -> Response {
    let mut response = Json(app.provider.key().jwks()).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// Up when it can serve: the provider being down is shown to citizens, not a reason to restart.
pub async fn health() -> &'static str {
    "ok"
}

pub async fn asset(Path(path): Path<String>) -> Result<Response> {
    let asset = govuk_assets::asset(&path).ok_or(Error::NotFound)?;
    let mut response = asset.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    Ok(response)
}

pub async fn not_found() -> Error {
    Error::NotFound
}
