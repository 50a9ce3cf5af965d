//! Ending a session: RP-Initiated Logout 1.0 (`/logout`) and Back-Channel Logout 1.0 (a signed
//! logout token POSTed to every service the session signed in to).

use std::collections::BTreeSet;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::Validation;
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::error::Result;
use crate::oidc::authorize::{Params, append_query};
use crate::oidc::tokens::{
    BACKCHANNEL_LOGOUT_EVENT, ID_TOKEN_TYPE, IdTokenClaims, LOGOUT_TOKEN_TYPE, LogoutTokenClaims,
};
use crate::sessions::Authentication;
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
        tracing::info!(account = %auth.account_id, "signed out");
        notify_relying_parties(app, &auth, &session.relying_parties, visit.now);
    }
    visit.end(app).await
}

/// Back-Channel Logout §2.5: for each service with a logout URI, a `logout+jwt` by POST, retried
/// a few times with back-off.
pub fn notify_relying_parties(
    app: &AppState,
    auth: &Authentication,
    clients: &BTreeSet<String>,
    now: i64,
) {
    for client in clients.iter().filter_map(|id| app.oidc.clients.get(id)) {
        let Some(uri) = client.backchannel_logout_uri.clone() else {
            continue;
        };
        let claims = LogoutTokenClaims {
            iss: app.oidc.issuer.clone(),
            aud: client.client_id.clone(),
            iat: now,
            exp: now + app.oidc.tokens.logout_token_ttl.as_secs() as i64,
            jti: uuid::Uuid::new_v4().to_string(),
            sub: app.oidc.subject_for(&client, &auth.account_id),
            sid: auth.sid.clone(),
            events: json!({ BACKCHANNEL_LOGOUT_EVENT: {} }),
        };
        let token = match app
            .oidc
            .keys
            .sign(client.id_token_alg, LOGOUT_TOKEN_TYPE, &claims, now)
        {
            Ok(token) => token,
            Err(e) => {
                tracing::error!(error = %e, client = %client.client_id, "could not sign a logout token");
                continue;
            }
        };
        let http = app.oidc.http.clone();
        let client_id = client.client_id.clone();
        tokio::spawn(async move {
            for attempt in 0..3u32 {
                if attempt > 0 {
                    tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
                }
                let request = match http.post(&uri) {
                    Ok(request) => request,
                    Err(e) => {
                        tracing::warn!(client = %client_id, error = %e, "back-channel logout refused by the outbound policy");
                        return;
                    }
                };
                match request
                    .form(&[("logout_token", token.as_str())])
                    .send()
                    .await
                {
                    Ok(response) if response.status().is_success() => {
                        tracing::info!(client = %client_id, "back-channel logout delivered");
                        return;
                    }
                    Ok(response) => {
                        tracing::warn!(client = %client_id, status = %response.status(), attempt, "back-channel logout refused")
                    }
                    Err(e) => {
                        tracing::warn!(client = %client_id, error = %e, attempt, "back-channel logout failed")
                    }
                }
            }
        });
    }
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
