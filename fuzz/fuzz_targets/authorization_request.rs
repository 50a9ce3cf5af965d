//! The authorization request as `/authorize` receives it: a query (GET) or a form body (POST),
//! collected into parameters and validated against the registered clients, with request
//! objects and `id_token_hint`s verified. Byte 0 chooses the query (even) or the form (odd).
#![no_main]

use libfuzzer_sys::fuzz_target;
use one_login_core::oidc::authorization_request::Params;
use one_login_fuzz::check_authorization;

fuzz_target!(|data: &[u8]| {
    let Some((&how, rest)) = data.split_first() else {
        return;
    };
    let params = if how % 2 == 0 {
        // A query reaches the handler as text (`RawQuery`).
        let Ok(query) = std::str::from_utf8(rest) else {
            return;
        };
        Params::from_query(query)
    } else {
        Params::collect(url::form_urlencoded::parse(rest))
    };
    if let Ok(params) = params {
        let _ = check_authorization(&params);
    }
});
