//! Token Status List (draft-ietf-oauth-status-list): one bit per issued credential, `1` for
//! revoked (§7.1, status `INVALID`), sent as a signed `statuslist+jwt` whose `status_list.lst`
//! is the byte array compressed with DEFLATE in the ZLIB format (§4.1), base64url encoded.
//! Bit `i` is bit `i % 8` (least significant first) of byte `i / 8` (§4.1).

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// The JWS `typ` of a status list token (§5.1).
pub const STATUS_LIST_TYPE: &str = "statuslist+jwt";
/// A compressed list larger than this is refused when read: a zip bomb stays small.
const MAX_LIST_BYTES: u64 = 1 << 20;

/// A list of one-bit statuses: `false` valid, `true` revoked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` valid entries (rounded up to whole bytes).
    pub fn new(len: usize) -> StatusList {
        StatusList {
            bytes: vec![0; len.div_ceil(8)],
        }
    }

    /// Marks entry `index` revoked, growing the list if need be.
    pub fn revoke(&mut self, index: usize) {
        if self.bytes.len() <= index / 8 {
            self.bytes.resize(index / 8 + 1, 0);
        }
        self.bytes[index / 8] |= 1 << (index % 8);
    }

    /// Whether entry `index` is revoked; `None` past the end of the list.
    pub fn is_revoked(&self, index: usize) -> Option<bool> {
        self.bytes
            .get(index / 8)
            .map(|byte| byte & (1 << (index % 8)) != 0)
    }

    /// `status_list.lst`: the bytes, ZLIB-compressed, base64url.
    pub fn encode(&self) -> Result<String> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder
            .write_all(&self.bytes)
            .and_then(|()| encoder.finish())
            .map(|compressed| URL_SAFE_NO_PAD.encode(compressed))
            .map_err(|e| Error::Signing(format!("status list: {e}")))
    }

    /// Reads `status_list.lst`.
    pub fn decode(lst: &str) -> Result<StatusList> {
        let compressed = URL_SAFE_NO_PAD
            .decode(lst)
            .map_err(|_| Error::CredentialMalformed("status list is not base64url".into()))?;
        let mut bytes = Vec::new();
        flate2::read::ZlibDecoder::new(compressed.as_slice())
            .take(MAX_LIST_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|_| Error::CredentialMalformed("status list is not ZLIB".into()))?;
        Ok(StatusList { bytes })
    }

    /// The status list token for `uri` (its `sub`, §5.1), signed ES256 with `key` under `kid`,
    /// valid for `ttl` seconds from `now` (`exp` and `ttl`: how long a verifier may cache it).
    pub fn token(
        &self,
        key: &EncodingKey,
        kid: &str,
        uri: &str,
        now: i64,
        ttl: i64,
    ) -> Result<String> {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some(STATUS_LIST_TYPE.to_owned());
        header.kid = Some(kid.to_owned());
        let claims = json!({
            "sub": uri, "iat": now, "exp": now + ttl, "ttl": ttl,
            "status_list": {"bits": 1, "lst": self.encode()?},
        });
        jsonwebtoken::encode(&header, &claims, key).map_err(|e| Error::Signing(e.to_string()))
    }

    /// Reads a status list token (§8.3): ES256 signature with `key`, `typ`, `sub` equal to the
    /// `uri` the credential named, unexpired at `now`, one bit per entry.
    pub fn from_token(token: &str, key: &DecodingKey, uri: &str, now: i64) -> Result<StatusList> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| Error::CredentialMalformed(e.to_string()))?;
        if header.alg != Algorithm::ES256 || header.typ.as_deref() != Some(STATUS_LIST_TYPE) {
            return Err(Error::CredentialMalformed(
                "not an ES256 statuslist+jwt".into(),
            ));
        }
        let mut validation = Validation::new(Algorithm::ES256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_aud = false;
        let claims = jsonwebtoken::decode::<Value>(token, key, &validation)
            .map_err(|_| Error::CredentialSignature)?
            .claims;
        if claims["sub"].as_str() != Some(uri) {
            return Err(Error::CredentialMalformed(
                "status list token for another list".into(),
            ));
        }
        if claims["exp"].as_i64().is_some_and(|exp| exp <= now) {
            return Err(Error::CredentialExpired);
        }
        if claims["status_list"]["bits"].as_u64() != Some(1) {
            return Err(Error::CredentialMalformed(
                "only one-bit status lists are read".into(),
            ));
        }
        let lst = claims["status_list"]["lst"]
            .as_str()
            .ok_or_else(|| Error::CredentialMalformed("status list without lst".into()))?;
        Self::decode(lst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CredentialSigner;

    /// The specification's example (§4.1): statuses 1 0 0 1 1 1 0 1 1 1 0 0 0 1 0 1 (indices 0
    /// to 15) are the bytes 0xb9 0xa3, which ZLIB-compress to `eNrbuRgAAhcBXQ`.
    #[test]
    fn the_specification_example_decodes_and_reencodes() {
        let list = StatusList::decode("eNrbuRgAAhcBXQ").unwrap();
        let revoked = [0, 3, 4, 5, 7, 8, 9, 13, 15];
        for i in 0..16 {
            assert_eq!(list.is_revoked(i), Some(revoked.contains(&i)), "{i}");
        }
        assert_eq!(list.is_revoked(16), None);
        let mut ours = StatusList::new(16);
        for i in revoked {
            ours.revoke(i);
        }
        assert_eq!(ours, list);
        assert_eq!(StatusList::decode(&ours.encode().unwrap()).unwrap(), list);
    }

    #[test]
    fn a_token_reads_back_only_for_its_own_list_and_key() {
        let pem = CredentialSigner::generate_pkcs8_pem().unwrap();
        let signer = CredentialSigner::from_pkcs8_pem("i", "k", pem.as_bytes()).unwrap();
        let key = EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
        let public = DecodingKey::from_jwk(&signer.public_jwk().unwrap()).unwrap();
        let mut list = StatusList::new(100);
        list.revoke(42);
        let uri = "https://id.example/status/1";
        let token = list.token(&key, "k", uri, 1000, 300).unwrap();
        let read = StatusList::from_token(&token, &public, uri, 1100).unwrap();
        assert_eq!(read.is_revoked(42), Some(true));
        assert_eq!(read.is_revoked(41), Some(false));
        assert!(
            StatusList::from_token(&token, &public, "https://id.example/status/2", 1100).is_err()
        );
        assert!(StatusList::from_token(&token, &public, uri, 1300).is_err());
        let other_pem = CredentialSigner::generate_pkcs8_pem().unwrap();
        let other = CredentialSigner::from_pkcs8_pem("i", "k", other_pem.as_bytes()).unwrap();
        let other_public = DecodingKey::from_jwk(&other.public_jwk().unwrap()).unwrap();
        assert!(StatusList::from_token(&token, &other_public, uri, 1100).is_err());
        assert!(StatusList::decode("not zlib").is_err());
    }
}
