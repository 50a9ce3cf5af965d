//! The service's own ES256 key pairs: made on first start in its data folder, published at
//! `/.well-known/jwks.json` (the provider reads them through the client's `jwks_uri`), and used
//! to sign `private_key_jwt` client assertions (RFC 7523) and request objects (RFC 9101).
//! openidconnect has no ECDSA signing key, so jsonwebtoken signs.
//!
//! Rotation without a gap: [`KeyRing::prepare_next`] makes the next key, which is published
//! beside the current one; once the provider has read the set again (its JWKS cache), a
//! [`KeyRing::promote_next`] makes it the signing key and the old one is no longer published.

use std::path::Path;

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::error::{Error, Result};

const KEY_FILE: &str = "client-signing-key.pem";
const NEXT_KEY_FILE: &str = "client-signing-key.next.pem";
/// A client assertion lives a minute: enough for one token request.
const ASSERTION_LIFETIME: i64 = 60;

pub struct ClientKey {
    key: EncodingKey,
    public: Jwk,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKey")
            .field("kid", &self.kid())
            .finish_non_exhaustive()
    }
}

fn pem(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<String> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

impl ClientKey {
    /// Reads the key from `data_dir`, or makes one there (readable by this user only).
    pub fn load_or_create(data_dir: &Path) -> Result<ClientKey> {
        let path = data_dir.join(KEY_FILE);
        let io =
            |what: &str, e: std::io::Error| Error::Io(format!("{what} {}: {e}", path.display()));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir).map_err(|e| io("creating the folder of", e))?;
                let text = Self::generate_pem()?;
                write_private(&path, &text).map_err(|e| io("writing", e))?;
                tracing::info!(path = %path.display(), "made a new client signing key");
                text
            }
            Err(e) => return Err(io("reading", e)),
        };
        Self::from_pem(&text)
    }

    /// A new key, kept only in memory (for tools and tests; a service keeps its key in a file).
    pub fn generate() -> Result<ClientKey> {
        Self::from_pem(&Self::generate_pem()?)
    }

    /// A new P-256 private key as PKCS#8 PEM (the form jsonwebtoken reads).
    pub fn generate_pem() -> Result<String> {
        let der = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .and_then(|pair| pair.to_pkcs8v1())
            .map_err(|e| Error::Internal(format!("generating a key: {e}")))?;
        Ok(pem(der.as_ref()))
    }

    pub fn from_pem(text: &str) -> Result<ClientKey> {
        let key = EncodingKey::from_ec_pem(text.as_bytes()).map_err(|e| {
            Error::Io(format!(
                "the client signing key is not a P-256 PKCS#8 key: {e}"
            ))
        })?;
        let mut public = Jwk::from_encoding_key(&key, Algorithm::ES256)
            .map_err(|e| Error::Internal(format!("public key: {e}")))?;
        // RFC 7638 thumbprint as the key id: stable across restarts, new with a new key.
        let kid = public
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| Error::Internal(format!("key thumbprint: {e}")))?;
        public.common.key_id = Some(kid);
        public.common.public_key_use = Some(PublicKeyUse::Signature);
        public.common.key_algorithm = Some(KeyAlgorithm::ES256);
        Ok(ClientKey { key, public })
    }

    pub fn kid(&self) -> &str {
        self.public.common.key_id.as_deref().unwrap_or_default()
    }

    /// The public key set served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.public.clone()],
        }
    }

    /// A client assertion for the token endpoint `audience`.
    pub fn assertion(&self, client_id: &str, audience: &str, now: i64) -> Result<String> {
        self.sign(&json!({
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": uuid::Uuid::new_v4().to_string(),
        }))
    }

    /// `claims` as an ES256 JWT under this key's `kid`.
    pub fn sign(&self, claims: &serde_json::Value) -> Result<String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid().to_owned());
        jsonwebtoken::encode(&header, claims, &self.key)
            .map_err(|e| Error::Internal(format!("signing a JWT: {e}")))
    }
}

/// The signing key and, during a rotation, the next one: both published, the current one used.
#[derive(Debug)]
pub struct KeyRing {
    current: ClientKey,
    next: Option<ClientKey>,
}

impl KeyRing {
    /// One key, no rotation under way.
    pub fn single(current: ClientKey) -> KeyRing {
        KeyRing {
            current,
            next: None,
        }
    }

    /// The keys in `data_dir`: the current one (made if missing) and the next one, if a
    /// rotation is under way.
    pub fn load_or_create(data_dir: &Path) -> Result<KeyRing> {
        let current = ClientKey::load_or_create(data_dir)?;
        let next_path = data_dir.join(NEXT_KEY_FILE);
        let next = match std::fs::read_to_string(&next_path) {
            Ok(text) => Some(ClientKey::from_pem(&text)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::Io(format!("reading {}: {e}", next_path.display()))),
        };
        Ok(KeyRing { current, next })
    }

    /// Starts a rotation: makes the next key in `data_dir` (kept if there is one already).
    pub fn prepare_next(data_dir: &Path) -> Result<()> {
        let path = data_dir.join(NEXT_KEY_FILE);
        if path.is_file() {
            return Ok(());
        }
        write_private(&path, &ClientKey::generate_pem()?)
            .map_err(|e| Error::Io(format!("writing {}: {e}", path.display())))
    }

    /// Ends a rotation: the next key becomes the signing key, the old one is gone.
    pub fn promote_next(data_dir: &Path) -> Result<()> {
        let next = data_dir.join(NEXT_KEY_FILE);
        std::fs::rename(&next, data_dir.join(KEY_FILE))
            .map_err(|e| Error::Io(format!("promoting {}: {e}", next.display())))
    }

    /// The key that signs.
    pub fn current(&self) -> &ClientKey {
        &self.current
    }

    /// The public key set served at `/.well-known/jwks.json`: the current key, then the next.
    pub fn jwks(&self) -> JwkSet {
        let mut keys = self.current.jwks().keys;
        keys.extend(self.next.iter().flat_map(|next| next.jwks().keys));
        JwkSet { keys }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    #[test]
    fn the_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = ClientKey::load_or_create(dir.path()).unwrap();
        let second = ClientKey::load_or_create(dir.path()).unwrap();
        assert_eq!(first.kid(), second.kid());
        assert_eq!(first.kid().len(), 43, "a base64url SHA-256 thumbprint");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let other = ClientKey::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        assert_ne!(first.kid(), other.kid());
    }

    #[test]
    fn assertions_verify_with_the_published_key() {
        let key = ClientKey::from_pem(&ClientKey::generate_pem().unwrap()).unwrap();
        let jwks = serde_json::to_value(key.jwks()).unwrap();
        assert_eq!(jwks["keys"][0]["kty"], "EC");
        assert_eq!(jwks["keys"][0]["alg"], "ES256");
        assert!(jwks["keys"][0].get("d").is_none(), "no private part");
        let token = key
            .assertion("driving-licence", "http://localhost:8080/token", 1_000)
            .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
        let mut validation = Validation::new(Algorithm::ES256);
        validation.validate_exp = false;
        validation.set_audience(&["http://localhost:8080/token"]);
        let decoding = DecodingKey::from_jwk(&key.jwks().keys[0]).unwrap();
        let claims = jsonwebtoken::decode::<serde_json::Value>(&token, &decoding, &validation)
            .unwrap()
            .claims;
        assert_eq!(claims["iss"], "driving-licence");
        assert_eq!(claims["sub"], "driving-licence");
        assert_eq!(claims["exp"], 1_060);
        assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    }

    #[test]
    fn a_rotation_publishes_the_next_key_before_it_signs() {
        let dir = tempfile::tempdir().unwrap();
        let before = KeyRing::load_or_create(dir.path()).unwrap();
        assert_eq!(before.jwks().keys.len(), 1);
        KeyRing::prepare_next(dir.path()).unwrap();
        let during = KeyRing::load_or_create(dir.path()).unwrap();
        assert_eq!(
            during.current().kid(),
            before.current().kid(),
            "still signs"
        );
        let published: Vec<_> = during
            .jwks()
            .keys
            .iter()
            .map(|k| k.common.key_id.clone().unwrap())
            .collect();
        assert_eq!(published.len(), 2);
        assert_eq!(published[0], before.current().kid());
        KeyRing::promote_next(dir.path()).unwrap();
        let after = KeyRing::load_or_create(dir.path()).unwrap();
        assert_eq!(
            after.current().kid(),
            published[1],
            "the next key signs now"
        );
        assert_eq!(
            after.jwks().keys.len(),
            1,
            "the old key is no longer published"
        );
    }

    #[test]
    fn a_key_that_is_not_pkcs8_p256_is_refused() {
        assert!(matches!(
            ClientKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            Err(Error::Io(_))
        ));
    }
}
