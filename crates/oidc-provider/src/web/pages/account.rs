//! The citizen's account page, and signing out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::CsrfOnly;
use crate::app::AppState;
use crate::error::Result;
use crate::sessions::CredentialLevel;
use crate::store::{AuditEvent, AuditKind};
use crate::web::templates::{AccountPage, Activity, MessagePage, format_time, render};
use crate::web::{ClientIp, PageForm, Visit};

/// How many events of the audit log the account page lists.
const RECENT_ACTIVITY: i64 = 10;

pub async fn show(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let Some(auth) = visit.signed_in_at(CredentialLevel::ClCm).cloned() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let Some(account) = app.db.accounts().find(&auth.account_id).await? else {
        visit.end(&app).await?;
        return visit.redirect(&app, "/").await;
    };
    let activity = app
        .db
        .audit()
        .recent(&account.id, RECENT_ACTIVITY)
        .await?
        .into_iter()
        .map(|event| Activity {
            what: event.kind.describe(),
            when: format_time(event.at),
        })
        .collect();
    let page = AccountPage {
        csrf_token: visit.csrf_token(),
        email: account.email,
        created: format_time(account.created_at),
        activity,
    };
    render(&page, StatusCode::OK)
}

pub async fn sign_out(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<CsrfOnly>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    if let Some(auth) = visit.session().and_then(|s| s.auth.clone()) {
        app.db
            .audit()
            .record(
                &AuditEvent::new(AuditKind::SignedOut, Some(&auth.account_id), visit.now)
                    .from_ip(Some(ip)),
            )
            .await?;
    }
    visit.end(&app).await?;
    visit.redirect(&app, "/signed-out").await
}

pub async fn signed_out() -> Result<Response> {
    render(
        &MessagePage::new("You have signed out")
            .paragraph("You have signed out of your GOV.UK One Login.")
            .link("/sign-in", "Sign in again"),
        StatusCode::OK,
    )
}
