//! `/assets/*`: the GOV.UK Frontend files embedded by the `govuk-assets` crate.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::web::error::Error;

/// The provider's own script: the passkey ceremonies' glue to `navigator.credentials`
/// (issue 17 §1), served from here because the CSP allows no inline script.
const PASSKEYS_JS: &[u8] = include_bytes!("../../assets/passkeys.js");

pub async fn serve(Path(path): Path<String>) -> Result<Response, Error> {
    let (bytes, content_type) = if path == "passkeys.js" {
        (PASSKEYS_JS, "text/javascript; charset=utf-8")
    } else {
        let asset = govuk_assets::asset(&path).ok_or(Error::NotFound)?;
        (asset.bytes, asset.content_type)
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    Ok(response)
}
