//! A client's registration file (`config/clients/*.toml`) through the loader's own parse and
//! checks (`clients::parse_client`). What is accepted is usable: its redirect URIs are URLs,
//! it offers `openid`, and `clients show` can describe it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use one_login_core::oidc::clients::{describe, parse_client};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(client) = parse_client("fuzz.toml", text) {
        assert!(client.scopes.contains("openid"));
        assert!(!client.redirect_uris.is_empty());
        for uri in &client.redirect_uris {
            assert!(url::Url::parse(uri).is_ok(), "{uri}");
            assert!(client.has_redirect_uri(uri));
        }
        let described: serde_json::Value = serde_json::from_str(&describe(&client)).unwrap();
        assert_eq!(described["client_id"], client.client_id.as_str());
    }
});
