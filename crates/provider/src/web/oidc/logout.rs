//! Ending a session: RP-Initiated Logout 1.0 (`/logout`) and Back-Channel Logout 1.0 (a signed
//! logout token POSTed to every service the session signed in to).

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::web::error::Result;
use crate::web::templates::{MessagePage, SignOutPage, render};
use crate::web::{ClientIp, PageForm, Visit};
use one_login_core::oidc::authorization_request::{Params, append_query};
use one_login_core::oidc::signed_tokens::{IdTokenHint, verify_id_token_hint};
use one_login_store::{AuditEvent, AuditKind};

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
        app.oidc
            .notify_logout(&auth, &session.relying_parties, visit.now);
    }
    visit.end(app).await
}

/// A valid `id_token_hint` (RP-Initiated Logout §2, checklist 60): an ID token of ours, expiry
/// tolerated, for a registered client, and for the `client_id` sent with it, if any.
fn verify_hint(app: &AppState, params: &Params, now: i64) -> Option<IdTokenHint> {
    let hint = verify_id_token_hint(
        &app.oidc.keys,
        &app.oidc.issuer,
        params.get("id_token_hint")?,
        now,
    )?;
    app.oidc.clients.get(&hint.client_id)?;
    params
        .get("client_id")
        .is_none_or(|id| id == hint.client_id)
        .then_some(hint)
}

/// Where to send the citizen once signed out: only with a valid hint, and only to an address
/// its client registered, exactly (RPL §3, checklist 61), with the client's `state`.
fn return_address(app: &AppState, hint: &IdTokenHint, params: &Params) -> Option<String> {
    let client = app.oidc.clients.get(&hint.client_id)?;
    let uri = params
        .get("post_logout_redirect_uri")
        .filter(|uri| client.has_post_logout_redirect_uri(uri))?;
    Some(match params.get("state") {
        Some(state) => append_query(uri, &[("state", state)]),
        None => uri.to_owned(),
    })
}

/// Whether `hint` names the visit's login session and citizen: its `sid`, and the `sub` its
/// client knows the signed-in account by. With no one signed in there is nothing to mistake.
fn hint_names_this_session(app: &AppState, hint: &IdTokenHint, visit: &Visit) -> bool {
    let Some(auth) = visit.session().and_then(|s| s.auth.as_ref()) else {
        return true;
    };
    let Some(client) = app.oidc.clients.get(&hint.client_id) else {
        return false;
    };
    hint.names(&auth.sid, &app.oidc.subject_for(&client, &auth.account_id))
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

/// `GET /logout`: with a valid hint for this session, sign out and go back to the service if
/// it registered the address; without one, or with a hint for another session or citizen, ask
/// first (RPL §6, checklist 62: no logout by a forged or stale link).
pub async fn logout(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let Ok(params) = Params::from_query(query.as_deref().unwrap_or_default()) else {
        return Err(crate::web::error::Error::BadRequest(
            "a parameter is repeated".into(),
        ));
    };
    let hint = verify_hint(&app, &params, visit.now);
    let signed_in = visit.session().and_then(|s| s.auth.as_ref()).is_some();
    match hint {
        Some(hint) if hint_names_this_session(&app, &hint, &visit) => {
            end_session(&app, &mut visit, Some(ip)).await?;
            signed_out(return_address(&app, &hint, &params))
        }
        None if !signed_in => signed_out_page(),
        hint => {
            // The form carries the request on, so the answer, once confirmed, can still go
            // back to the service; the POST verifies it all again.
            let carried = |name: &str| {
                hint.as_ref()
                    .and_then(|_| params.get(name))
                    .map(str::to_owned)
            };
            let page = SignOutPage {
                csrf_token: visit.csrf_token(),
                id_token_hint: carried("id_token_hint"),
                client_id: carried("client_id"),
                post_logout_redirect_uri: carried("post_logout_redirect_uri"),
                state: carried("state"),
            };
            let response = render(&page, StatusCode::OK)?;
            Ok(response)
        }
    }
}

/// The answer once signed out: back to the service, or the provider's own page.
fn signed_out(back: Option<String>) -> Result<Response> {
    match back {
        Some(location) => {
            let redirect = (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
            Ok(redirect.into_response())
        }
        None => {
            let response = signed_out_page()?;
            Ok(response)
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf_token: String,
    /// A logout request's parameters, carried through the confirmation page.
    #[serde(default)]
    id_token_hint: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    post_logout_redirect_uri: String,
    #[serde(default)]
    state: String,
}

/// `POST /logout` and `POST /sign-out`: the citizen's own "Sign out" button, or their
/// confirmation of a service's logout request, which then goes back to the service where a
/// valid hint allows it (RPL §3).
pub async fn sign_out(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut visit: Visit,
    PageForm(form): PageForm<SignOutForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    end_session(&app, &mut visit, Some(ip)).await?;
    let carried = Params::collect(
        [
            ("id_token_hint", form.id_token_hint),
            ("client_id", form.client_id),
            ("post_logout_redirect_uri", form.post_logout_redirect_uri),
            ("state", form.state),
        ]
        .map(|(name, value)| (name.into(), value.into())),
    )
    .unwrap_or_default();
    let back = verify_hint(&app, &carried, visit.now)
        .and_then(|hint| return_address(&app, &hint, &carried));
    // 303 after a POST, to the service or to the provider's own page (RFC 9700 §4.12).
    let to = back.as_deref().unwrap_or("/signed-out");
    Ok(Redirect::to(to).into_response())
}
