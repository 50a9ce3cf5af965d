//! Ending a session: RP-Initiated Logout 1.0 (`/logout`) and Back-Channel Logout 1.0 (a signed
//! logout token POSTed to every service the session signed in to).

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::Validation;
use serde::Deserialize;

use crate::app::AppState;
use crate::error::Result;
use crate::oidc::authorize::{Params, append_query};
use crate::oidc::tokens::{ID_TOKEN_TYPE, IdTokenClaims};
use crate::store::{AuditEvent, AuditKind};
use crate::web::templates::{MessagePage, SignOutPage, render};
use crate::web::{ClientIp, PageForm, Visit};

/// Ends the visit's session: audit, back-channel notices to its services, then the session
/// itself. The notices are sent in the background: a slow service never holds the citizen up.
pub async fn end_session(app: &AppState, visit: &mut Visit, ip: Option<String>) -> Result<()> {
    if let Some(session) = visit.session()
        && let Some(auth) = session.auth.clone()
    {
        app.db
            .audit()
            .record(
                &AuditEvent::new(AuditKind::SignedOut, Some(&auth.account_id), visit.now)
                    .from_ip(ip),
            )
            .await?;
        app.oidc
            .notify_logout(&auth, &session.relying_parties, visit.now);
    }
    visit.end(app).await
}

/// What a valid `id_token_hint` tells (RP-Initiated Logout §2): the client, and where it may be
/// sent back to.
struct Hint {
    client_id: String,
}

fn verify_hint(app: &AppState, hint: &str, now: i64) -> Option<Hint> {
    // An expired ID token is still a good hint (RPL §4).
    let mut validation = Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_issuer(&[&app.oidc.issuer]);
    validation.validate_aud = false;
    validation.validate_exp = false;
    let claims: IdTokenClaims = app
        .oidc
        .keys
        .verify(hint, ID_TOKEN_TYPE, &validation, now)?;
    app.oidc.clients.get(&claims.aud)?;
    Some(Hint {
        client_id: claims.aud,
    })
}

fn signed_out_page() -> Result<Response> {
    render(
        &MessagePage::new("You have signed out")
            .paragraph(
                "You have signed out of your GOV.UK One Login and the services you used with it.",
            )
            .link("/sign-in", "Sign in again"),
        StatusCode::OK,
    )
}

/// `GET /logout`: with a valid hint, sign out and go back to the service if it registered the
/// address; without one, ask first (RPL §6: no logout by a forged link).
pub async fn logout(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let Ok(params) = Params::from_query(query.as_deref().unwrap_or_default()) else {
        return Err(crate::error::Error::BadRequest(
            "a parameter is repeated".into(),
        ));
    };
    let now = visit.now;
    let hint = params
        .get("id_token_hint")
        .and_then(|h| verify_hint(&app, h, now));
    let hint = hint.filter(|h| params.get("client_id").is_none_or(|id| id == h.client_id));
    let Some(hint) = hint else {
        if visit.session().and_then(|s| s.auth.as_ref()).is_none() {
            return signed_out_page();
        }
        let page = SignOutPage {
            csrf_token: visit.csrf_token(),
        };
        let response = render(&page, StatusCode::OK)?;
        return visit.finish(&app, response).await;
    };
    end_session(&app, &mut visit, Some(ip)).await?;
    let client = app.oidc.clients.get(&hint.client_id);
    let back = params.get("post_logout_redirect_uri").filter(|uri| {
        client
            .as_ref()
            .is_some_and(|c| c.has_post_logout_redirect_uri(uri))
    });
    match back {
        Some(uri) => {
            let location = match params.get("state") {
                Some(state) => append_query(uri, &[("state", state)]),
                None => uri.to_owned(),
            };
            let redirect = (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
            visit.finish(&app, redirect).await
        }
        None => {
            let response = signed_out_page()?;
            visit.finish(&app, response).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /logout` and `POST /sign-out`: the citizen's own "Sign out" button.
pub async fn sign_out(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<SignOutForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    end_session(&app, &mut visit, Some(ip)).await?;
    visit.redirect(&app, "/signed-out").await
}
