//! `/assets/*`: the GOV.UK Frontend files embedded by the `govuk-assets` crate.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::web::error::Error;

pub async fn serve(Path(path): Path<String>) -> Result<Response, Error> {
    let asset = govuk_assets::asset(&path).ok_or(Error::NotFound)?;
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
