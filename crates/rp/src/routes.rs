//! The kit's routes: start sign-in, the callback, the identity step, refresh, sign-out, the
//! back-channel logout receiver and the service's public keys. Each reads the request and the
//! session, calls the provider, and answers with a redirect.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::OneLogin;
use crate::error::{Error, Result};
use crate::sessions::{IdentityCheck, Purpose, random_token};

/// Paths the kit answers, relative to the service's public URL (the provider's registration
/// names the callback, signed-out, back-channel logout and JWKS ones).
pub const SIGN_IN: &str = "/sign-in";
pub const CALLBACK: &str = "/callback";
pub const CHECK_IDENTITY: &str = "/check-identity";
pub const CHECK_AGE: &str = "/check-age";
pub const REFRESH: &str = "/refresh";
pub const SIGN_OUT: &str = "/sign-out";
/// Where the provider sends the citizen after signing out: the service's own page.
pub const SIGNED_OUT: &str = "/signed-out";
pub const BACKCHANNEL_LOGOUT: &str = "/backchannel-logout";
pub const JWKS: &str = "/.well-known/jwks.json";

fn redirect_with_cookie(location: &str, cookie: Option<HeaderValue>) -> Response {
    let mut response = Redirect::to(location).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    csrf_token: String,
}

/// The languages the service's pages are in, best first (`"cy"`), for the provider's pages:
/// sent as `ui_locales` (OpenID Connect Core §3.1.2.1) when the service puts it in the
/// request's extensions (a layer of its own) before the kit's routes run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiLocales(pub String);

/// Sends the browser to the provider for `purpose`, remembering what the callback must match.
async fn send_to_provider(
    kit: &OneLogin,
    headers: &HeaderMap,
    purpose: Purpose,
    ui_locales: Option<&UiLocales>,
) -> Result<Response> {
    let now = kit.now();
    let config = kit.config();
    let request = config.request_for(purpose).ok_or(Error::NotFound)?;
    let ui_locales = ui_locales.map(|UiLocales(locales)| locales.as_str());
    let (url, pending) = kit
        .provider
        .begin(purpose, request, ui_locales, now)
        .await?;
    let (id, mut session, new) = kit.session_or_new(headers, now).await?;
    session.pending = Some(pending);
    kit.sessions.put(&id, &session, now).await?;
    Ok(redirect_with_cookie(
        url.as_str(),
        new.then(|| kit.set_cookie(&id)),
    ))
}

pub(crate) async fn sign_in(
    State(kit): State<OneLogin>,
    ui_locales: Option<Extension<UiLocales>>,
    headers: HeaderMap,
) -> Result<Response> {
    if kit.signed_in(&headers, kit.now()).await?.is_some() {
        return Ok(Redirect::to(&kit.config().after_sign_in).into_response());
    }
    let ui_locales = ui_locales.map(|Extension(locales)| locales);
    send_to_provider(&kit, &headers, Purpose::SignIn, ui_locales.as_ref()).await
}

pub(crate) async fn check_identity(
    State(kit): State<OneLogin>,
    ui_locales: Option<Extension<UiLocales>>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response> {
    posted_step(&kit, ui_locales, &headers, form, Purpose::IdentityCheck).await
}

/// The age step: asks the provider only whether the citizen has reached an age.
pub(crate) async fn check_age(
    State(kit): State<OneLogin>,
    ui_locales: Option<Extension<UiLocales>>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response> {
    posted_step(&kit, ui_locales, &headers, form, Purpose::AgeCheck).await
}

/// A step the citizen starts with a button (a form with its CSRF token): to the provider.
async fn posted_step(
    kit: &OneLogin,
    ui_locales: Option<Extension<UiLocales>>,
    headers: &HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
    purpose: Purpose,
) -> Result<Response> {
    let Form(form) = form.map_err(|_| Error::CsrfRejected)?;
    kit.posted_from(headers, &form.csrf_token).await?;
    let ui_locales = ui_locales.map(|Extension(locales)| locales);
    send_to_provider(kit, headers, purpose, ui_locales.as_ref()).await
}

/// The authorization response (RFC 6749 §4.1.2, §4.1.2.1) with RFC 9207's `iss`.
#[derive(Deserialize)]
pub(crate) struct Callback {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    iss: Option<String>,
}

/// The callback: `state` against the session's (constant time), `iss`, then the code exchanged
/// and every ID token check (OpenID Connect Core §3.1.3.7: signature, `iss`, `aud`, `exp`,
/// `nonce`, `at_hash`), and the core identity verified when one was asked for.
pub(crate) async fn callback(
    State(kit): State<OneLogin>,
    headers: HeaderMap,
    Query(answer): Query<Callback>,
) -> Result<Response> {
    let now = kit.now();
    let (id, mut session) = kit
        .session(&headers, now)
        .await?
        .ok_or(Error::SessionMismatch("no session"))?;
    // The pending request is used once, whatever the answer.
    let pending = session
        .pending
        .take()
        .ok_or(Error::SessionMismatch("no sign-in under way"))?;
    kit.sessions.put(&id, &session, now).await?;
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
        .is_some_and(|iss| !kit.provider.is_issuer(iss))
    {
        // RFC 9207 §2.4: an answer from another issuer (mix-up attack).
        return Err(Error::ProviderAnswer("iss is not this provider".into()));
    }
    let config = kit.config();
    let request = config.request_for(pending.purpose).ok_or(Error::NotFound)?;
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
    let mut user = kit.provider.finish(&pending, code, request, now).await?;
    if let (Purpose::AgeCheck, Some(before)) = (pending.purpose, &session.user) {
        if before.sub != user.sub {
            return Err(Error::ProviderAnswer(
                "the age check answered for someone else".into(),
            ));
        }
        // Only the answer is new: what the service knew before stays.
        let mut kept = before.clone();
        kept.age_over.append(&mut user.age_over);
        user = kept;
    }
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
    let new_id = kit.sessions.rotate(&id, &session, now).await?;
    Ok(redirect_with_cookie(
        &config.after_sign_in,
        Some(kit.set_cookie(&new_id)),
    ))
}

/// New tokens from the refresh token, without the citizen; back to the service.
pub(crate) async fn refresh(
    State(kit): State<OneLogin>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response> {
    let now = kit.now();
    let Form(form) = form.map_err(|_| Error::CsrfRejected)?;
    let (id, mut session) = kit.posted_from(&headers, &form.csrf_token).await?;
    let user = session
        .user
        .take()
        .ok_or(Error::SessionMismatch("not signed in"))?;
    session.user = Some(kit.provider.refresh(&user, now).await?);
    kit.sessions.put(&id, &session, now).await?;
    Ok(Redirect::to(&kit.config().after_sign_in).into_response())
}

/// Ends the local session, then signs out at the provider (RP-Initiated Logout 1.0), which
/// tells the other services by back-channel. If the provider cannot be reached, the local
/// sign-out still stands.
pub(crate) async fn sign_out(
    State(kit): State<OneLogin>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response> {
    let now = kit.now();
    let Form(form) = form.map_err(|_| Error::CsrfRejected)?;
    let (id, session) = kit
        .session(&headers, now)
        .await?
        .ok_or(Error::SessionMismatch("no session"))?;
    crate::check_csrf(&session, &form.csrf_token)?;
    kit.sessions.remove(&id).await?;
    let Some(user) = session.user else {
        return Ok(redirect_with_cookie(SIGNED_OUT, Some(kit.clear_cookie())));
    };
    let location = match kit
        .provider
        .logout_url(&user.id_token, &random_token(), now)
        .await
    {
        Ok(url) => url.to_string(),
        Err(e) => {
            tracing::warn!(error = %e, "signed out here only: the provider's logout is not reachable");
            SIGNED_OUT.to_owned()
        }
    };
    Ok(redirect_with_cookie(&location, Some(kit.clear_cookie())))
}

#[derive(Deserialize)]
pub(crate) struct LogoutTokenForm {
    logout_token: String,
}

/// Back-Channel Logout 1.0 §2.5-2.8: a valid token ends the local sessions it names; 200 with
/// no body, never cached.
pub(crate) async fn backchannel_logout(
    State(kit): State<OneLogin>,
    form: Result<Form<LogoutTokenForm>, FormRejection>,
) -> Result<Response> {
    let now = kit.now();
    let Form(form) = form.map_err(|e| Error::LogoutTokenRejected(e.body_text()))?;
    let of = kit
        .provider
        .verify_logout_token(&form.logout_token, now)
        .await?;
    let ended = kit
        .sessions
        .end_matching(of.sub.as_deref(), of.sid.as_deref())
        .await?;
    tracing::info!(ended, "back-channel logout");
    let mut response = StatusCode::OK.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The service's public keys, for the provider to check its client assertions and request
/// objects (`private_key_jwt`).
pub(crate) async fn jwks(State(kit): State<OneLogin>) -> Response {
    let mut response = Json(kit.provider.keys().jwks()).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
