use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::web::Visit;
use crate::web::error::Result;
use crate::web::templates::{StartPage, render};
use one_login_core::sessions::CredentialLevel;

/// `GET /`: create an account or sign in; a signed-in citizen goes to their account.
pub async fn show(State(_app): State<AppState>, visit: Visit) -> Result<Response> {
    if visit.signed_in_at(CredentialLevel::ClCm).is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    render(&StartPage, StatusCode::OK)
}
