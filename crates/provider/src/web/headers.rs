//! Response headers every page gets.

use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;
use tower::ServiceBuilder;

/// No inline script or style, no framing, nothing from other origins on the sign-in pages
/// (RFC 9700 §4.16 clickjacking, §4.2.4 referrer; ASVS 3.4.3, 3.4.6).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'";

/// Every answer's headers, each unless the handler set its own.
static HEADERS: [(HeaderName, HeaderValue); 6] = [
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
    // Pages carry CSRF tokens and personal data: never cached unless a handler says otherwise.
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
];

/// HSTS for a year with subdomains, when the issuer is HTTPS (OIDC Core §16.17, ASVS 3.4.1).
static STRICT_TRANSPORT_SECURITY: (HeaderName, HeaderValue) = (
    header::STRICT_TRANSPORT_SECURITY,
    HeaderValue::from_static("max-age=31536000; includeSubDomains"),
);

/// Adds the headers to every answer of `router`, in one pass over the answer's header map
/// with room made once: seven `SetResponseHeader` layers grew the map several times and were
/// a sixth of a discovery request's instructions (issue 13).
pub fn apply<S: Clone + Send + Sync + 'static>(router: Router<S>, https: bool) -> Router<S> {
    router.layer(
        ServiceBuilder::new().map_response(move |mut response: Response| {
            add(response.headers_mut(), https);
            response
        }),
    )
}

fn add(headers: &mut HeaderMap, https: bool) {
    headers.reserve(HEADERS.len() + 1);
    let hsts = https.then_some(&STRICT_TRANSPORT_SECURITY);
    for (name, value) in HEADERS.iter().chain(hsts) {
        if !headers.contains_key(name) {
            headers.insert(name, value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handlers_own_header_is_kept_and_hsts_only_over_https() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=300"),
        );
        add(&mut headers, false);
        assert_eq!(headers[header::CACHE_CONTROL], "max-age=300");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        add(&mut headers, true);
        assert_eq!(
            headers[header::STRICT_TRANSPORT_SECURITY],
            "max-age=31536000; includeSubDomains"
        );
        assert_eq!(headers.len(), 7);
    }
}
