//! Request objects (RFC 9101, Core §6.1) from the client with keys. Byte 0 chooses:
//! 0: the rest is the `request` value as sent (a forged or mangled JWT);
//! 1: the rest is a payload, signed by the client's key under its usual header;
//! 2: the rest is `header\npayload`, both signed as they are by the client's key.
//! Modes 1 and 2 reach the claim rules behind the signature. Whatever comes, an accepted
//! request object must verify under the client's key (`check_authorization`).
#![no_main]

use jsonwebtoken::Algorithm;
use libfuzzer_sys::fuzz_target;
use one_login_fuzz::{
    JWT_CLIENT, check_authorization, client_header, client_signing_key, params, sign_raw,
};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let request = match mode % 3 {
        0 => match std::str::from_utf8(rest) {
            Ok(token) => token.to_owned(),
            Err(_) => return,
        },
        1 => sign_raw(
            &client_header(),
            rest,
            client_signing_key(),
            Algorithm::ES256,
        ),
        _ => {
            let (header, payload) = match rest.iter().position(|b| *b == b'\n') {
                Some(at) => (&rest[..at], &rest[at + 1..]),
                None => (rest, &[][..]),
            };
            sign_raw(header, payload, client_signing_key(), Algorithm::ES256)
        }
    };
    // Core §6.1: response_type and client_id are also sent outside the object.
    let pairs = [
        ("response_type".to_owned(), "code".to_owned()),
        ("client_id".to_owned(), JWT_CLIENT.to_owned()),
        ("request".to_owned(), request),
    ];
    if let Some(params) = params(&pairs) {
        let _ = check_authorization(&params);
    }
});
