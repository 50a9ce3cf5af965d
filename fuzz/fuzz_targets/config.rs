//! The provider's configuration file (`config/default.toml`) through `Config::from_toml_str`:
//! parse, defaults, and every check. What is accepted has a usable issuer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use one_login_core::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = Config::from_toml_str(text) {
        assert!(config.issuer.ends_with('/'));
        assert!(url::Url::parse(&config.issuer).is_ok());
        assert!(config.url("authorize").starts_with(&config.issuer));
        let _ = config.database_kind();
    }
});
