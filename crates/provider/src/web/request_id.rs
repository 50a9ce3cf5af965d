//! The request id: every response carries `X-Request-Id`, every log line of the request has it
//! (the `request` span's `request_id` field, in both log formats), and error pages show it so a
//! citizen can quote it to the helpdesk, who finds the request's lines by it.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming id kept (a load balancer's or a proxy's, so one id spans both logs).
const MAX_INCOMING: usize = 64;

tokio::task_local! {
    /// The id of the request this task is serving, for the error pages.
    static CURRENT: HeaderValue;
}

/// The incoming id when it is a sane short token (letters, digits, `-`, `_`, `.`): nothing
/// that could forge a log line or mark up a page.
fn incoming(value: &HeaderValue) -> Option<HeaderValue> {
    let bytes = value.as_bytes();
    let sane = !bytes.is_empty()
        && bytes.len() <= MAX_INCOMING
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    sane.then(|| value.clone())
}

/// A fresh id: 16 hexadecimal digits, short enough to read out over the phone.
fn fresh() -> HeaderValue {
    // The thread's ChaCha generator: no system call per request (uuid's v4 asked the kernel).
    let random = one_login_core::random::random_u64();
    let mut text = [0u8; 16];
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, digit) in text.iter_mut().enumerate() {
        *digit = HEX[((random >> (60 - 4 * i)) & 0xf) as usize];
    }
    HeaderValue::from_bytes(&text).unwrap_or(HeaderValue::from_static("0"))
}

/// The id of the request being served, if any (for error pages).
pub fn current() -> Option<String> {
    CURRENT
        .try_with(|id| id.to_str().ok().map(str::to_owned))
        .ok()
        .flatten()
}

/// Middleware: takes or makes the id, serves the request inside a span that carries it and
/// with it in reach of the error pages, and returns it in the response.
pub async fn assign(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(HEADER)
        .and_then(incoming)
        .unwrap_or_else(fresh);
    let span = tracing::info_span!("request", request_id = id.to_str().unwrap_or_default());
    let mut response = CURRENT
        .scope(id.clone(), next.run(request))
        .instrument(span)
        .await;
    response.headers_mut().insert(HEADER, id);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_ids_are_kept_only_when_sane() {
        let keep = HeaderValue::from_static("lb-7f3a.9_x");
        assert_eq!(incoming(&keep), Some(keep));
        for bad in ["", "a b", "a\"b", "<script>", &"x".repeat(65)] {
            assert_eq!(
                incoming(&HeaderValue::from_str(bad).unwrap()),
                None,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn fresh_ids_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (fresh(), fresh());
        assert_ne!(a, b);
        let text = a.to_str().unwrap();
        assert_eq!(text.len(), 16);
        assert!(text.bytes().all(|b| b.is_ascii_hexdigit()), "{text}");
    }
}
