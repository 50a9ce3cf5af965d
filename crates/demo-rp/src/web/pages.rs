//! The department's pages: each reads what the kit's extractors give, and renders. Signing in
//! and out, the identity step and refresh are the kit's routes.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use one_login_rp::{Error as KitError, SignedIn};
use serde::Deserialize;

use super::AppState;
use super::language::{self, FluentValue, text, text_with};
use super::templates::{
    ApplicationPage, FieldError, MessagePage, Row, StartPage, SubmittedPage, render, render_with,
};
use crate::application::{self, Details};
use crate::error::Result;

pub async fn start(State(app): State<AppState>, user: Option<SignedIn>) -> Result<Response> {
    render(&StartPage {
        service_name: app.service_name(),
        form: app.config.form,
        signed_in: user.is_some(),
    })
}

/// "8 July 1965 at 14:05 UTC", in the request's language.
fn date_time(unix: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return String::new();
    };
    text_with(
        "date-at-time",
        &[
            ("date", FluentValue::from(language::date(at.date()))),
            (
                "time",
                FluentValue::from(format!("{:02}:{:02}", at.hour(), at.minute())),
            ),
        ],
    )
}

/// The application page for `user`, with the form's `details` and what to put right.
fn application_page(
    app: &AppState,
    user: SignedIn,
    details: Details,
    errors: Vec<FieldError>,
) -> ApplicationPage {
    let mut sign_in_rows = Vec::new();
    if let Some(vot) = &user.vot {
        // The vector's credential part (`Cl.Cm`, then perhaps `.P2`) in words.
        let how = if vot.starts_with("Cl.Cm") {
            "signed-in-with-password-and-code"
        } else {
            "signed-in-with-password"
        };
        sign_in_rows.push(Row {
            key: "how-you-signed-in",
            value: text(how),
        });
    }
    if let Some(auth_time) = user.auth_time {
        sign_in_rows.push(Row {
            key: "signed-in-at",
            value: date_time(auth_time),
        });
    }
    ApplicationPage {
        service_name: app.service_name(),
        form: app.config.form,
        can_check_identity: user.identity.is_none() && app.config.identity_check.is_some(),
        can_check_age: user.identity.is_none()
            && user.age_over(18).is_none()
            && app.config.age_check.is_some(),
        over_18: user.age_over(18),
        can_send: application::may_send(app.config.needs_identity(), user.identity.as_ref())
            .is_ok(),
        can_refresh: user.can_refresh(),
        refreshed: user.refreshed_at.is_some(),
        csrf: user.csrf_token,
        sub: user.sub,
        email: user.email.unwrap_or_default(),
        sign_in_rows,
        verified_birth_date: user
            .identity
            .as_ref()
            .map(|i| language::date(i.birth_date))
            .unwrap_or_default(),
        identity: user.identity,
        details,
        errors,
        identity_check: user.identity_check,
    }
}

pub async fn application(State(app): State<AppState>, user: Option<SignedIn>) -> Result<Response> {
    let Some(user) = user else {
        return Ok(Redirect::to("/").into_response());
    };
    let details = Details::proven(
        user.identity.as_ref(),
        user.address.as_ref(),
        user.driving_permit.as_ref(),
    );
    render(&application_page(&app, user, details, Vec::new()))
}

#[derive(Deserialize)]
pub struct ApplicationForm {
    csrf_token: String,
    #[serde(flatten)]
    details: Details,
}

pub async fn submit_application(
    State(app): State<AppState>,
    headers: axum::http::HeaderMap,
    form: Result<Form<ApplicationForm>, FormRejection>,
) -> Result<Response> {
    let Form(form) = form.map_err(|_| KitError::CsrfRejected)?;
    let (_, session) = app
        .one_login
        .posted_from(&headers, &form.csrf_token)
        .await?;
    let user = session.user.ok_or(KitError::NotSignedIn)?;
    application::may_send(app.config.needs_identity(), user.identity.as_ref())?;
    let today = time::OffsetDateTime::from_unix_timestamp(app.one_login.now())
        .map_or(time::Date::MIN, |now| now.date());
    let sent = match application::check(&form.details, today) {
        Ok(sent) => sent,
        Err(problems) => {
            let errors = problems
                .into_iter()
                .map(|problem| FieldError {
                    field: problem.field,
                    message: text(problem.key),
                })
                .collect();
            let page = application_page(&app, user, form.details, errors);
            return render_with(StatusCode::BAD_REQUEST, &page);
        }
    };
    let mut rows = vec![
        Row {
            key: "full-name",
            value: sent.full_name,
        },
        Row {
            key: "date-of-birth",
            value: language::date(sent.birth_date),
        },
        Row {
            key: "address",
            value: sent.address,
        },
    ];
    if !sent.licence_number.is_empty() {
        rows.push(Row {
            key: "driving-licence-number",
            value: sent.licence_number,
        });
    }
    render(&SubmittedPage {
        service_name: app.service_name(),
        form: app.config.form,
        reference: application::reference(one_login_rp::sessions::random_token),
        rows,
    })
}

pub async fn signed_out(State(app): State<AppState>) -> Result<Response> {
    render(&MessagePage {
        service_name: app.service_name(),
        title: text("you-have-signed-out"),
        paragraphs: vec![text("signed-out-of-both")],
        link: Some(("/", "sign-in-again")),
    })
}

/// A page of the footer or the phase banner: the department's own, as every service has. The
/// title's message takes the service's name.
fn info_page(app: &AppState, title: &str, paragraphs: &[&str]) -> Result<Response> {
    let service = [("service", FluentValue::from(app.service_name()))];
    render(&MessagePage {
        service_name: app.service_name(),
        title: text_with(title, &service),
        paragraphs: paragraphs
            .iter()
            .map(|key| text_with(key, &service))
            .collect(),
        link: Some(("/", "go-to-the-start-page")),
    })
}

pub async fn accessibility(State(app): State<AppState>) -> Result<Response> {
    info_page(
        &app,
        "accessibility-title",
        &[
            "accessibility-design-system",
            "accessibility-checked",
            "accessibility-one-login",
        ],
    )
}

pub async fn cookies(State(app): State<AppState>) -> Result<Response> {
    info_page(
        &app,
        "cookies-title",
        &["cookies-essential", "cookies-one-login"],
    )
}

pub async fn privacy(State(app): State<AppState>) -> Result<Response> {
    info_page(&app, "privacy-title", &["privacy-kept", "privacy-consent"])
}

pub async fn feedback(State(app): State<AppState>) -> Result<Response> {
    info_page(
        &app,
        "feedback-title",
        &["feedback-new-service", "feedback-one-login"],
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
