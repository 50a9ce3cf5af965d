//! Authenticator app codes (TOTP, RFC 6238): 6 digits, 30 second steps, one step of clock skew
//! either way (§5.2), and each step accepted once (the caller records the step it returns).

use base64::Engine;
use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::error::{Error, Refusal, Result};

pub const DIGITS: u8 = 6;
pub const STEP_SECONDS: u64 = 30;
/// Shown in the citizen's authenticator app beside the account.
pub const ISSUER_LABEL: &str = "One Login";

/// A new secret of 160 random bits (RFC 4226 §4 recommends 160), base32 as apps expect.
pub fn new_secret() -> String {
    Secret::generate().to_base32()
}

/// Checks a base32 secret given by an operator (`create-account --totp-secret`).
pub fn validate_secret(secret: &str) -> Result<String> {
    let cleaned: String = secret
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    authenticator(&cleaned, "check")?;
    Ok(cleaned)
}

fn authenticator(secret: &str, account: &str) -> Result<Totp> {
    let secret =
        Secret::try_from_base32(secret).map_err(|_| Error::Refused(Refusal::InvalidTotpSecret))?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret)
        .with_issuer(Some(ISSUER_LABEL))
        .with_account_name(account.replace(':', ""))
        .build()
        .map_err(|_| Error::Refused(Refusal::InvalidTotpSecret))
}

/// Strips the spaces people type between digit groups.
pub fn clean_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// Whether `code` is 6 digits: the form's own rule, before any secret is consulted.
pub fn is_well_formed(code: &str) -> bool {
    code.len() == DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit())
}

/// The time step `code` belongs to, if it is right for `secret` at `unix_time` (±1 step).
pub fn matching_step(secret: &str, code: &str, unix_time: i64) -> Option<i64> {
    let code = clean_code(code);
    if !is_well_formed(&code) {
        return None;
    }
    let time = u64::try_from(unix_time).ok()?;
    let step = authenticator(secret, "check").ok()?.check(&code, time)?;
    i64::try_from(step).ok()
}

/// The code an app shows at `unix_time`: for tests and the load tool.
pub fn code_at(secret: &str, unix_time: i64) -> Result<String> {
    let time = u64::try_from(unix_time).map_err(|_| Error::Internal("time before 1970".into()))?;
    Ok(authenticator(secret, "code")?.generate(time).to_string())
}

/// The `otpauth://` URI an app scans.
pub fn provisioning_uri(secret: &str, account: &str) -> Result<String> {
    authenticator(secret, account)?
        .to_url()
        .map_err(|e| Error::Internal(format!("otpauth URI: {e}")))
}

/// The QR code of the provisioning URI as an SVG `data:` URI, rendered on the server so the page
/// needs no JavaScript.
pub fn qr_code_data_uri(uri: &str) -> Result<String> {
    let code = QrCode::new(uri.as_bytes()).map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(image)
    ))
}

/// The secret in groups of four, as people copy it by hand.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 Appendix B: the SHA-1 secret "12345678901234567890", at T=59 the 8-digit code is
    // 94287082, so the 6-digit code is 287082.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc_6238_vector() {
        assert_eq!(code_at(RFC_SECRET, 59).unwrap(), "287082");
        assert_eq!(matching_step(RFC_SECRET, "287082", 59), Some(1));
        assert_eq!(matching_step(RFC_SECRET, "287 082", 59), Some(1));
    }

    #[test]
    fn one_step_of_skew_each_way_and_no_more() {
        let secret = new_secret();
        let now = 1_800_000_015; // 15 s into step 60,000,000
        let code = code_at(&secret, now).unwrap();
        assert_eq!(matching_step(&secret, &code, now), Some(60_000_000));
        assert_eq!(matching_step(&secret, &code, now + 30), Some(60_000_000));
        assert_eq!(matching_step(&secret, &code, now - 30), Some(60_000_000));
        assert_eq!(matching_step(&secret, &code, now + 60), None);
        assert_eq!(matching_step(&secret, &code, now - 60), None);
    }

    #[test]
    fn malformed_codes_never_match() {
        let secret = new_secret();
        for code in ["", "12345", "1234567", "abcdef", "12345a", "١٢٣٤٥٦"] {
            assert_eq!(matching_step(&secret, code, 1_800_000_000), None, "{code}");
        }
    }

    #[test]
    fn secrets_are_160_bits_and_validated() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert_eq!(
            validate_secret(&grouped(&secret).to_lowercase()).unwrap(),
            secret
        );
        assert!(validate_secret("not base32!").is_err());
    }

    #[test]
    fn qr_code_is_an_svg_data_uri() {
        let uri = provisioning_uri(&new_secret(), "ada@example.com").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/One%20Login:ada%40example.com?"),
            "{uri}"
        );
        let data = qr_code_data_uri(&uri).unwrap();
        assert!(data.starts_with("data:image/svg+xml;base64,"));
    }
}
