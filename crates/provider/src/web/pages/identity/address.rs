//! The address pages: find by postcode, choose from the list. Confirming the address records
//! it; the fraud check follows at once from the journey's hub.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::templates::{AddressPage, ChooseAddressPage, RadioOption};
use super::{at_step, giving_address, record, source_error, today};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::templates::{FormErrors, render};
use crate::web::{PageForm, Visit};
use one_login_core::identity::Source;

pub async fn address_form(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    if let Err(elsewhere) = at_step(&app, &visit, giving_address).await? {
        return Ok(elsewhere);
    }
    let page = AddressPage {
        csrf_token: visit.csrf_token(),
        postcode: String::new(),
        errors: FormErrors::none(),
    };
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct PostcodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    postcode: String,
}

pub async fn find_address(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<PostcodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    if let Err(elsewhere) = at_step(&app, &visit, giving_address).await? {
        return Ok(elsewhere);
    }
    let problem = match identity_proofing::normalise_postcode(&form.postcode) {
        None if form.postcode.trim().is_empty() => Err("Enter your postcode".to_owned()),
        None => Err("Enter a real postcode, like SW1A 2AA".to_owned()),
        Some(postcode) => {
            let found = app
                .identity
                .sources
                .address
                .find(&postcode)
                .await
                .map_err(source_error(Source::Address))?;
            if found.is_empty() {
                Err(format!(
                    "We could not find any addresses for {postcode}. Check the postcode and try again"
                ))
            } else {
                Ok(found)
            }
        }
    };
    match problem {
        Ok(found) => {
            if let Some(journey) = visit.session_mut().proving.as_mut() {
                journey.addresses = found;
            }
            Ok(Redirect::to("/identity/address/choose").into_response())
        }
        Err(message) => {
            let postcode: String = form.postcode.chars().take(16).collect();
            let page = AddressPage {
                csrf_token: visit.csrf_token(),
                postcode,
                errors: FormErrors::one("postcode", message),
            };
            render(&page, StatusCode::BAD_REQUEST)
        }
    }
}

fn choose_page(visit: &mut Visit, errors: FormErrors) -> Option<ChooseAddressPage> {
    let addresses = visit.session()?.proving.as_ref()?.addresses.clone();
    if addresses.is_empty() {
        return None;
    }
    Some(ChooseAddressPage {
        csrf_token: visit.csrf_token(),
        options: addresses
            .iter()
            .enumerate()
            .map(|(i, a)| RadioOption::new(i.to_string(), a.one_line()))
            .collect(),
        errors,
    })
}

pub async fn choose_address_form(
    State(app): State<AppState>,
    mut visit: Visit,
) -> Result<Response> {
    if let Err(elsewhere) = at_step(&app, &visit, giving_address).await? {
        return Ok(elsewhere);
    }
    let Some(page) = choose_page(&mut visit, FormErrors::none()) else {
        return Ok(Redirect::to("/identity/address").into_response());
    };
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    address: String,
}

pub async fn choose_address(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<ChooseForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let (auth, journey) = match at_step(&app, &visit, giving_address).await? {
        Ok(at) => at,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let chosen = form
        .address
        .parse::<usize>()
        .ok()
        .and_then(|i| journey.addresses.get(i).cloned());
    let Some(address) = chosen else {
        let Some(page) = choose_page(
            &mut visit,
            FormErrors::one("address", "Select your address"),
        ) else {
            return Ok(Redirect::to("/identity/address").into_response());
        };
        return render(&page, StatusCode::BAD_REQUEST);
    };
    let now = visit.now;
    let outcome = app
        .identity
        .sources
        .address
        .confirm(&address, today(now))
        .await
        .map_err(source_error(Source::Address))?;
    record(&app, &auth, Source::Address, &outcome, now).await?;
    if let Some(journey) = visit.session_mut().proving.as_mut() {
        journey.addresses.clear();
    }
    Ok(Redirect::to("/identity/next").into_response())
}
