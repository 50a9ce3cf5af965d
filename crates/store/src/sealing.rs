//! Values sealed at rest with AES-256-GCM, so a copy of the database alone reveals nothing:
//! identity credentials under `identity.encryption_key` (GPG 45 evidence is personal data), and
//! the provider's own secrets (signing keys, authenticator secrets, the pairwise-subject salt)
//! under the key-encryption key `secrets.key_encryption_key` (issue 11.7, checklist 38 and 56).
//!
//! A sealed value reads `<key id>.<nonce>.<ciphertext and tag>` (base64url). The key id lets
//! earlier keys keep opening old values after a rotation; the associated data binds a value to
//! its row (an account, a credential, a key id), so a sealed value copied to another row does
//! not open.

use std::path::{Path, PathBuf};

use aws_lc_rs::aead::{AES_256_GCM, Aad, Nonce, RandomizedNonceKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::ServerSecrets;
use crate::error::{Error, Result};

/// Length of a key id in a sealed value: 6 bytes of hash, base64url.
const KEY_ID_LEN: usize = 8;

struct SealingKey {
    id: String,
    key: RandomizedNonceKey,
}

impl SealingKey {
    fn new(secret: &[u8]) -> Result<Self> {
        let key = RandomizedNonceKey::new(&AES_256_GCM, secret)
            .map_err(|_| Error::Internal("an encryption key must be 32 bytes".into()))?;
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

/// A new random key, base64: for `one-login identity new-key`, `one-login secrets new-key` and
/// first start.
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

    /// The prefix of every value sealed with the current key: `<key id>.`.
    pub fn current_prefix(&self) -> String {
        format!("{}.", self.current.id)
    }

    /// Opens `sealed` as UTF-8 text.
    pub fn open_text(&self, sealed: &str, context: &str) -> Result<String> {
        String::from_utf8(self.open(sealed, context)?)
            .map_err(|_| Error::Corrupt(format!("sealed value for {context} is not text")))
    }

    /// `value` sealed with the current key: sealed as is if it was plain text (stored by an
    /// earlier version), opened and sealed again if an earlier key sealed it; `None` if it
    /// already is under the current key.
    pub fn reseal(&self, value: &str, context: &str) -> Result<Option<String>> {
        if !looks_sealed(value) {
            return self.seal(value.as_bytes(), context).map(Some);
        }
        if self.is_current(value) {
            return Ok(None);
        }
        self.seal(&self.open(value, context)?, context).map(Some)
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>> {
        let corrupt = |why: &str| Error::Corrupt(format!("sealed value for {context}: {why}"));
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

/// Whether `value` has the sealed form. None of the plain values sealed here (PEM keys, base32
/// authenticator secrets, base64url salts) contains a dot, and every sealed value has two.
pub fn looks_sealed(value: &str) -> bool {
    let mut parts = value.split('.');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(id), Some(nonce), Some(data), None)
            if id.len() == KEY_ID_LEN && !nonce.is_empty() && !data.is_empty()
    )
}

/// Where a sealing key is configured: its value, or a file holding it, or else a file made in
/// the data folder on first start.
pub struct KeySource<'a> {
    /// The configuration key named in errors (`secrets.key_encryption_key`).
    pub config_key: &'a str,
    /// Base64 of 32 bytes, or empty.
    pub value: &'a str,
    /// A file holding the key (a mounted secret), or none.
    pub file: Option<&'a Path>,
    /// The file made on first start when neither is given.
    pub default_file: PathBuf,
    /// The configuration key of the earlier keys, and their values.
    pub previous_key: &'a str,
    pub previous: &'a [String],
}

impl KeySource<'_> {
    /// The sealer for this key and its earlier ones.
    pub fn sealer(&self) -> Result<Sealer> {
        let (current, previous) = self.keys()?;
        Sealer::new(&current, &previous)
    }

    /// The key and its earlier ones, as bytes: for keys derived from them.
    pub fn keys(&self) -> Result<(Vec<u8>, Vec<Vec<u8>>)> {
        let current = self.current_key()?;
        let previous = self
            .previous
            .iter()
            .enumerate()
            .map(|(i, k)| {
                decode_key(k)
                    .map_err(|why| Error::config(format!("{}[{i}]", self.previous_key), why))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((current, previous))
    }

    fn current_key(&self) -> Result<Vec<u8>> {
        if !self.value.trim().is_empty() {
            return decode_key(self.value).map_err(|why| Error::config(self.config_key, why));
        }
        let path = match self.file {
            Some(path) => path.to_owned(),
            None => {
                self.make_default_file()?;
                self.default_file.clone()
            }
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::config(self.config_key, format!("{}: {e}", path.display())))?;
        decode_key(&text)
            .map_err(|why| Error::config(self.config_key, format!("{} {why}", path.display())))
    }

    fn make_default_file(&self) -> Result<()> {
        let path = &self.default_file;
        let fail = |e: std::io::Error| {
            Error::config(
                self.config_key,
                format!("cannot create {}: {e}", path.display()),
            )
        };
        if let Some(dir) = path.parent() {
            crate::data_dir::create_private_dir(dir).map_err(fail)?;
        }
        // Another process may make it first: then its key is used.
        crate::data_dir::create_private_file(path, generate_key().as_bytes()).map_err(fail)?;
        Ok(())
    }
}

/// Refuses a key that cannot open what the database already holds: replicas with different
/// keys (or a lost key file) would otherwise each fail on, or silently ignore, the others'
/// data. A marker sealed on first start must open; one that opens only with an earlier key is
/// sealed again with the current one.
pub async fn check_key_opens_database(
    secrets: &ServerSecrets<'_>,
    sealer: &Sealer,
    marker: &str,
    config_key: &str,
    previous_key: &str,
    now: i64,
) -> Result<()> {
    let sealed = sealer.seal(b"one-login", marker)?;
    let stored = secrets.get_or_create(marker, || sealed, now).await?;
    if sealer.open(&stored, marker).is_err() {
        return Err(Error::config(
            config_key,
            format!(
                "does not open the data already in this database: every replica needs the key \
                 that sealed it (keep an earlier key in {previous_key})"
            ),
        ));
    }
    if !sealer.is_current(&stored) {
        secrets
            .replace(marker, &sealer.seal(b"one-login", marker)?)
            .await?;
    }
    Ok(())
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
    fn plain_values_are_told_from_sealed_ones_and_resealed_under_the_current_key() {
        let old = Sealer::new(&key(1), &[]).unwrap();
        let sealer = Sealer::new(&key(2), &[key(1)]).unwrap();
        let pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
        for plain in [pem, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "Xy_-abc123"] {
            assert!(!looks_sealed(plain), "{plain}");
            let sealed = sealer.reseal(plain, "c").unwrap().unwrap();
            assert!(looks_sealed(&sealed) && sealer.is_current(&sealed));
            assert_eq!(sealer.open_text(&sealed, "c").unwrap(), plain);
            assert_eq!(sealer.reseal(&sealed, "c").unwrap(), None);
            let under_old = old.seal(plain.as_bytes(), "c").unwrap();
            let resealed = sealer.reseal(&under_old, "c").unwrap().unwrap();
            assert!(resealed.starts_with(&sealer.current_prefix()));
            assert_eq!(sealer.open_text(&resealed, "c").unwrap(), plain);
        }
    }

    #[test]
    fn a_key_comes_from_config_or_a_named_file_or_one_made_private_on_first_start() {
        let dir = tempfile::tempdir().unwrap();
        let source = |value: &'static str, file: Option<&'static Path>| KeySource {
            config_key: "secrets.key_encryption_key",
            value,
            file,
            default_file: dir.path().join("made/kek.key"),
            previous_key: "secrets.previous_key_encryption_keys",
            previous: &[],
        };
        let made = source("", None).sealer().unwrap();
        let sealed = made.seal(b"x", "c").unwrap();
        // The same file on the next start.
        assert_eq!(
            source("", None)
                .sealer()
                .unwrap()
                .open(&sealed, "c")
                .unwrap(),
            b"x"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.path().join("made")), 0o700);
            assert_eq!(mode(&dir.path().join("made/kek.key")), 0o600);
        }
        let configured = generate_key();
        let from_config = KeySource {
            value: &configured,
            ..source("", None)
        };
        assert!(from_config.sealer().unwrap().open(&sealed, "c").is_err());
        let file = dir.path().join("mounted.key");
        std::fs::write(&file, &configured).unwrap();
        let from_file = KeySource {
            file: Some(&file),
            ..source("", None)
        };
        let sealed_by_file = from_file.sealer().unwrap().seal(b"y", "c").unwrap();
        assert_eq!(
            from_config
                .sealer()
                .unwrap()
                .open(&sealed_by_file, "c")
                .unwrap(),
            b"y"
        );
        let missing = dir.path().join("missing.key");
        let error = KeySource {
            file: Some(&missing),
            ..source("", None)
        }
        .sealer()
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("secrets.key_encryption_key") && error.contains("missing.key"),
            "{error}"
        );
        let bad = ["c2hvcnQ=".to_owned()];
        let error = KeySource {
            previous: &bad,
            ..source("", None)
        }
        .sealer()
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("secrets.previous_key_encryption_keys[0]"),
            "{error}"
        );
    }

    #[test]
    fn configured_keys_must_be_32_bytes_of_base64() {
        assert!(decode_key(&generate_key()).is_ok());
        assert!(decode_key("not base64!").is_err());
        assert!(decode_key(&STANDARD.encode([0u8; 16])).is_err());
    }
}
