//! Client authentication at `/token` (`client_auth::authenticate`): HTTP Basic, a secret in the
//! form, `private_key_jwt` assertions (RFC 7523) or nothing (public clients). Byte 0 chooses:
//! 0: the rest is `authorization header\nform body`, as sent;
//! 1: the rest is an assertion payload, signed by the client's key under its usual header;
//! 2: the rest is `header\npayload`, signed by the client's key as they are.
//! Whatever is accepted must have proved itself: an assertion signed by the client's key, the
//! registered secret, or a public client.
#![no_main]

use jsonwebtoken::Algorithm;
use libfuzzer_sys::fuzz_target;
use one_login_core::oidc::authorization_request::Params;
use one_login_core::oidc::client_auth::{Audiences, JWT_BEARER, authenticate};
use one_login_core::oidc::clients::AuthMethod;
use one_login_fuzz::{
    ISSUER, JWT_CLIENT, NOW, TOKEN, block_on, client_header, client_key_cache, client_signing_key,
    clients, ephemeral, params, sign_raw, signed_by_client,
};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let split = |bytes: &'_ [u8]| match bytes.iter().position(|b| *b == b'\n') {
        Some(at) => (bytes[..at].to_vec(), bytes[at + 1..].to_vec()),
        None => (bytes.to_vec(), Vec::new()),
    };
    let (authorization, form) = match mode % 3 {
        0 => {
            let (header, body) = split(rest);
            let Ok(header) = String::from_utf8(header) else {
                return;
            };
            let Ok(form) = Params::collect(url::form_urlencoded::parse(&body)) else {
                return;
            };
            ((!header.is_empty()).then_some(header), form)
        }
        mode => {
            let token = if mode == 1 {
                sign_raw(
                    &client_header(),
                    rest,
                    client_signing_key(),
                    Algorithm::ES256,
                )
            } else {
                let (header, payload) = split(rest);
                sign_raw(&header, &payload, client_signing_key(), Algorithm::ES256)
            };
            let pairs = [
                ("grant_type".to_owned(), "authorization_code".to_owned()),
                ("client_assertion_type".to_owned(), JWT_BEARER.to_owned()),
                ("client_assertion".to_owned(), token),
            ];
            let Some(form) = params(&pairs) else {
                return;
            };
            (None, form)
        }
    };
    let audiences = Audiences {
        issuer: ISSUER,
        token_endpoint: TOKEN,
    };
    let result = block_on(authenticate(
        &form,
        authorization.as_deref(),
        clients(),
        client_key_cache(),
        ephemeral(),
        &audiences,
        NOW,
    ));
    let Ok(client) = result else {
        return;
    };
    match form.get("client_assertion") {
        Some(assertion) => {
            assert_eq!(client.client_id, JWT_CLIENT);
            assert!(
                signed_by_client(assertion),
                "accepted an assertion the client did not sign"
            );
        }
        // Only a Basic header counts; any other is not client authentication.
        None if authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Basic ")) =>
        {
            assert_eq!(client.auth_method, AuthMethod::ClientSecretBasic)
        }
        None => match form.get("client_secret") {
            Some(secret) => assert!(client.secret_matches(secret)),
            None => assert!(client.is_public()),
        },
    }
});
