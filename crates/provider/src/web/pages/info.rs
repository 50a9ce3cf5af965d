//! Pages that only inform: the footer's pages, 404 and 405 (feedback has its own form).

use axum::response::{IntoResponse, Response};

use crate::web::error::{Error, Result};
use crate::web::templates::{MessagePage, render};
use axum::http::StatusCode;

pub async fn accessibility() -> Result<Response> {
    render(
        &MessagePage::new("Accessibility statement for GOV.UK One Login")
            .paragraph("This service is built with the GOV.UK Design System and aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.")
            .paragraph("Every page works without JavaScript, with a keyboard alone, with a screen reader, and zoomed to 400%. Each page is checked automatically for accessibility problems before it is released.")
            .paragraph("If you find a part of this service hard to use, tell the team that runs it.")
            .link("/", "Go to the start of the service"),
        StatusCode::OK,
    )
}

pub async fn cookies() -> Result<Response> {
    render(
        &MessagePage::new("Cookies on GOV.UK One Login")
            .paragraph("GOV.UK One Login puts one essential cookie on your device. It keeps you signed in and protects the forms you send from misuse by other websites. It is deleted when you sign out or your session ends.")
            .paragraph("We do not use analytics or advertising cookies.")
            .link("/", "Go to the start of the service"),
        StatusCode::OK,
    )
}

pub async fn privacy() -> Result<Response> {
    render(
        &MessagePage::new("Privacy notice for GOV.UK One Login")
            .paragraph("We keep your email address, a secure hash of your password and the key of your authenticator app, so you can sign in.")
            .paragraph("We keep a record of sign-ins and other account activity, which you can see on your account page, to protect your account.")
            .paragraph("We share information with a government service only when you choose to use that service with your GOV.UK One Login.")
            .paragraph("We keep feedback you send for a year. We keep your email address with it only if you ask for a reply, and remove it if you delete your GOV.UK One Login.")
            .link("/", "Go to the start of the service"),
        StatusCode::OK,
    )
}

pub async fn not_found() -> Error {
    Error::NotFound
}

pub async fn method_not_allowed() -> Response {
    match render(
        &MessagePage::new("Sorry, that did not work")
            .paragraph("This address does not accept that kind of request.")
            .link("/", "Go to the start of the service"),
        StatusCode::METHOD_NOT_ALLOWED,
    ) {
        Ok(page) => page,
        Err(e) => e.into_response(),
    }
}
