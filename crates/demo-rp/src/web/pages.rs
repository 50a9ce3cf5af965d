//! The department's pages: each reads what the kit's extractors give, and renders. Signing in
//! and out, the identity step and refresh are the kit's routes.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use one_login_rp::{Error as KitError, SignedIn};
use serde::Deserialize;

use super::AppState;
use super::templates::{ApplicationPage, MessagePage, Row, StartPage, SubmittedPage, render};
use crate::error::Result;

pub async fn start(State(app): State<AppState>, user: Option<SignedIn>) -> Result<Response> {
    render(&StartPage {
        service_name: app.config.service_name.clone(),
        form: app.config.form,
        signed_in: user.is_some(),
    })
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

pub async fn application(State(app): State<AppState>, user: Option<SignedIn>) -> Result<Response> {
    let Some(user) = user else {
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
        can_check_identity: user.identity.is_none() && app.config.identity_check.is_some(),
        can_check_age: user.identity.is_none()
            && user.age_over(18).is_none()
            && app.config.age_check.is_some(),
        over_18: user.age_over(18),
        can_refresh: user.can_refresh(),
        refreshed: user.refreshed_at.is_some(),
        csrf: user.csrf_token,
        sub: user.sub,
        email: user.email.unwrap_or_default(),
        sign_in_rows,
        identity: user.identity,
        address: user.address,
        driving_permit: user.driving_permit,
        identity_check: user.identity_check,
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
    headers: axum::http::HeaderMap,
    form: Result<Form<ApplicationForm>, FormRejection>,
) -> Result<Response> {
    let Form(form) = form.map_err(|_| KitError::CsrfRejected)?;
    app.one_login
        .posted_from(&headers, &form.csrf_token)
        .await?;
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
        reference: one_login_rp::sessions::random_token()[..10].to_uppercase(),
        rows,
    })
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

/// Up when it can serve: the provider being down is shown to citizens, not a reason to restart.
pub async fn health() -> &'static str {
    "ok"
}

pub async fn asset(Path(path): Path<String>) -> Result<Response> {
    let asset = govuk_assets::asset(&path).ok_or(KitError::NotFound)?;
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

pub async fn not_found() -> KitError {
    KitError::NotFound
}
