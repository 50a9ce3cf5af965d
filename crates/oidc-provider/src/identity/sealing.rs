//! Identity credentials at rest: AES-256-GCM with a configured key (GPG 45 evidence is personal
//! data; a copy of the database alone must not reveal it).
//!
//! A sealed value reads `<key id>.<nonce>.<ciphertext and tag>` (base64url). The key id lets
//! earlier keys keep opening old values after a rotation; the associated data binds a value to
//! its account and credential id, so a sealed value copied to another row does not open.

use aws_lc_rs::aead::{AES_256_GCM, Aad, Nonce, RandomizedNonceKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

struct SealingKey {
    id: String,
    key: RandomizedNonceKey,
}

impl SealingKey {
    fn new(secret: &[u8]) -> Result<Self> {
        let key = RandomizedNonceKey::new(&AES_256_GCM, secret)
            .map_err(|_| Error::Internal("an identity encryption key must be 32 bytes".into()))?;
        // The id reveals nothing useful: a short prefix of a hash of the key.
        let id = URL_SAFE_NO_PAD.encode(&Sha256::digest(secret)[..6]);
        Ok(SealingKey { id, key })
    }
}

/// Seals with the current key; opens with it or any earlier one.
pub struct Sealer {
    current: SealingKey,
    previous: Vec<SealingKey>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("current", &self.current.id)
            .finish_non_exhaustive()
    }
}

/// Decodes a configured key: base64 of exactly 32 bytes.
pub fn decode_key(text: &str) -> std::result::Result<Vec<u8>, &'static str> {
    let bytes = STANDARD
        .decode(text.trim())
        .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim()))
        .map_err(|_| "must be base64")?;
    if bytes.len() != 32 {
        return Err("must be 32 bytes (256 bits) once decoded");
    }
    Ok(bytes)
}

/// A new random key, base64: for `one-login identity new-key` and first start.
pub fn generate_key() -> String {
    STANDARD.encode(rand::random::<[u8; 32]>())
}

impl Sealer {
    pub fn new(current: &[u8], previous: &[Vec<u8>]) -> Result<Self> {
        Ok(Sealer {
            current: SealingKey::new(current)?,
            previous: previous
                .iter()
                .map(|k| SealingKey::new(k))
                .collect::<Result<_>>()?,
        })
    }

    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<String> {
        let mut data = plaintext.to_vec();
        let nonce = self
            .current
            .key
            .seal_in_place_append_tag(Aad::from(context.as_bytes()), &mut data)
            .map_err(|_| Error::Internal("sealing failed".into()))?;
        Ok(format!(
            "{}.{}.{}",
            self.current.id,
            URL_SAFE_NO_PAD.encode(nonce.as_ref()),
            URL_SAFE_NO_PAD.encode(&data)
        ))
    }

    /// Whether `sealed` was sealed with the current key (not an earlier one).
    pub fn is_current(&self, sealed: &str) -> bool {
        sealed.split('.').next() == Some(self.current.id.as_str())
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>> {
        let corrupt = |why: &str| Error::Corrupt(format!("sealed identity credential: {why}"));
        let mut parts = sealed.splitn(3, '.');
        let (Some(id), Some(nonce), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(corrupt("not in the sealed format"));
        };
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
            .ok_or_else(|| corrupt("sealed with a key that is not configured"))?;
        let nonce = URL_SAFE_NO_PAD
            .decode(nonce)
            .ok()
            .and_then(|n| Nonce::try_assume_unique_for_key(&n).ok())
            .ok_or_else(|| corrupt("bad nonce"))?;
        let mut data = URL_SAFE_NO_PAD
            .decode(data)
            .map_err(|_| corrupt("bad base64"))?;
        let plain = key
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut data)
            .map_err(|_| corrupt("does not open (tampered, or bound to another record)"))?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Vec<u8> {
        vec![byte; 32]
    }

    #[test]
    fn sealed_values_open_only_in_their_context_and_unchanged() {
        let sealer = Sealer::new(&key(1), &[]).unwrap();
        let sealed = sealer.seal(b"eyJ.credential", "account-1/cred-1").unwrap();
        assert!(!sealed.contains("credential"));
        assert_eq!(
            sealer.open(&sealed, "account-1/cred-1").unwrap(),
            b"eyJ.credential"
        );
        assert!(sealer.open(&sealed, "account-2/cred-1").is_err());
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(sealer.open(&tampered, "account-1/cred-1").is_err());
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let sealer = Sealer::new(&key(1), &[]).unwrap();
        assert_ne!(
            sealer.seal(b"same", "c").unwrap(),
            sealer.seal(b"same", "c").unwrap()
        );
    }

    #[test]
    fn a_rotated_key_still_opens_old_values_and_an_unknown_key_is_named() {
        let old = Sealer::new(&key(1), &[]).unwrap();
        let sealed = old.seal(b"old", "c").unwrap();
        let rotated = Sealer::new(&key(2), &[key(1)]).unwrap();
        assert_eq!(rotated.open(&sealed, "c").unwrap(), b"old");
        assert!(!rotated.seal(b"new", "c").unwrap().starts_with(&sealed[..8]));
        let forgotten = Sealer::new(&key(2), &[]).unwrap();
        let error = forgotten.open(&sealed, "c").unwrap_err().to_string();
        assert!(error.contains("not configured"), "{error}");
    }

    #[test]
    fn configured_keys_must_be_32_bytes_of_base64() {
        assert!(decode_key(&generate_key()).is_ok());
        assert!(decode_key("not base64!").is_err());
        assert!(decode_key(&STANDARD.encode([0u8; 16])).is_err());
    }
}
