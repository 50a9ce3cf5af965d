//! The provider's signing keys: made on first start and stored in the database (sealed), so
//! every replica signs and publishes the same keys; rotated with `one-login keys rotate`, the
//! new key published before it signs and the old one published until its tokens have expired
//! (OpenID Connect Core §10.1.1).
//!
//! Each key has one purpose (RFC 8725 §3.12, checklist 69): token keys sign ID, access and
//! logout tokens and are published in the JWKS; the identity key signs evidence credentials and
//! core identity JWTs and is published in `did.json` only.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Digest;

use super::metadata::StaticDocument;
use crate::config::KeysConfig;
use crate::error::{Error, Result};
use one_login_store::{Database, StoredKey};

/// The algorithms the provider signs tokens with: ES256 by default, RS256 for clients that ask.
pub const SIGNING_ALGORITHMS: [Algorithm; 2] = [Algorithm::ES256, Algorithm::RS256];

/// What a key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPurpose {
    /// ID, access and logout tokens; published in the JWKS.
    Tokens,
    /// Evidence credentials and core identity JWTs; published in `did.json`.
    Identity,
}

impl KeyPurpose {
    pub const ALL: [KeyPurpose; 2] = [KeyPurpose::Tokens, KeyPurpose::Identity];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyPurpose::Tokens => "tokens",
            KeyPurpose::Identity => "identity",
        }
    }

    fn parse(name: &str) -> Result<Self> {
        match name {
            "tokens" => Ok(KeyPurpose::Tokens),
            "identity" => Ok(KeyPurpose::Identity),
            other => Err(Error::Corrupt(format!("signing key purpose {other}"))),
        }
    }

    /// The algorithms keys of this purpose sign with: the core identity JWT is ES256 only
    /// (the One Login contract).
    pub fn algorithms(self) -> &'static [Algorithm] {
        match self {
            KeyPurpose::Tokens => &SIGNING_ALGORITHMS,
            KeyPurpose::Identity => &[Algorithm::ES256],
        }
    }
}

/// Where signing keys are kept (checklist 38): by default the database, each private key sealed
/// under the key-encryption key. A deployment keeping its keys in a KMS or HSM implements this.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Every key ever made, private parts included.
    async fn all(&self) -> Result<Vec<StoredKey>>;

    /// Stores the first key of its purpose and algorithm unless another replica already did;
    /// whether this one was stored.
    async fn insert_first(&self, key: &StoredKey) -> Result<bool>;

    /// Adds `key` and retires the keys of its purpose and algorithm from when it takes over.
    async fn rotate_to(&self, key: &StoredKey) -> Result<()>;
}

#[async_trait]
impl KeyStore for Database {
    async fn all(&self) -> Result<Vec<StoredKey>> {
        Ok(self.signing_keys().all().await?)
    }

    async fn insert_first(&self, key: &StoredKey) -> Result<bool> {
        Ok(self.signing_keys().insert_first(key).await?)
    }

    async fn rotate_to(&self, key: &StoredKey) -> Result<()> {
        Ok(self.signing_keys().rotate_to(key).await?)
    }
}

pub fn algorithm_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ES256",
        Algorithm::RS256 => "RS256",
        _ => "unsupported",
    }
}

fn parse_algorithm(name: &str) -> Result<Algorithm> {
    match name {
        "ES256" => Ok(Algorithm::ES256),
        "RS256" => Ok(Algorithm::RS256),
        other => Err(Error::Corrupt(format!("signing key algorithm {other}"))),
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A new private key for `alg`, as PKCS#8 PEM.
fn generate_pem(alg: Algorithm) -> Result<String> {
    let der = match alg {
        Algorithm::ES256 => EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .and_then(|k| k.to_pkcs8v1())
            .map(|d| d.as_ref().to_vec()),
        Algorithm::RS256 => RsaKeyPair::generate(KeySize::Rsa2048)
            .and_then(|k| k.as_der())
            .map(|d| d.as_ref().to_vec()),
        other => return Err(Error::Internal(format!("cannot generate {other:?} keys"))),
    }
    .map_err(|_| Error::Internal("key generation failed".into()))?;
    Ok(pem("PRIVATE KEY", &der))
}

/// A private key parsed and checked once, when loaded. `jsonwebtoken::encode` parses and
/// checks the key again on every call (for P-256 a point multiplication, about as much work as
/// the signature itself), and every ID token is signed here (issue 13).
enum KeyPair {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

impl KeyPair {
    /// From the DER `jsonwebtoken` parsed the PEM into: PKCS#8 for EC, PKCS#1 for RSA.
    fn parse(alg: Algorithm, encoding: &EncodingKey) -> Option<KeyPair> {
        match alg {
            Algorithm::RS256 => RsaKeyPair::from_der(encoding.as_bytes())
                .ok()
                .map(KeyPair::Rsa),
            Algorithm::ES256 => {
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, encoding.as_bytes())
                    .ok()
                    .map(KeyPair::Ec)
            }
            _ => None,
        }
    }

    /// The JWS signature of `message` (RFC 7518 §3.3 and §3.4: ES256's is the fixed-width
    /// r || s, as `ECDSA_P256_SHA256_FIXED_SIGNING` gives it).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let rng = SystemRandom::new();
        let failed = |_| Error::Internal("signing failed".into());
        match self {
            KeyPair::Ec(pair) => Ok(pair.sign(&rng, message).map_err(failed)?.as_ref().to_vec()),
            KeyPair::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(failed)?;
                Ok(signature)
            }
        }
    }
}

/// A JWS part: JSON, base64url without padding (RFC 7515 §2).
fn json_part<T: Serialize>(value: &T) -> Result<String> {
    let json = serde_json::to_vec(value).map_err(|e| Error::Internal(format!("signing: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// One usable key: private for signing, public as a JWK.
pub struct SigningKey {
    pub kid: String,
    pub alg: Algorithm,
    pub purpose: KeyPurpose,
    key_pair: KeyPair,
    decoding: DecodingKey,
    pub public: Jwk,
    pub active_from: i64,
    pub retired_at: Option<i64>,
    /// PKCS#8 PEM, for signers outside this module (identity credentials).
    private_pem: String,
}

fn public_jwk(encoding: &EncodingKey, alg: Algorithm) -> Result<Jwk> {
    Jwk::from_encoding_key(encoding, alg).map_err(|e| Error::Internal(format!("public key: {e}")))
}

/// A key's id: its RFC 7638 thumbprint.
fn key_id(public: &Jwk) -> Result<String> {
    public
        .thumbprint(ThumbprintHash::SHA256)
        .map_err(|e| Error::Internal(format!("thumbprint: {e}")))
}

impl SigningKey {
    fn from_stored(stored: &StoredKey) -> Result<Self> {
        let alg = parse_algorithm(&stored.alg)?;
        let purpose = KeyPurpose::parse(&stored.purpose)?;
        let encoding = match alg {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(stored.private_pem.as_bytes()),
            _ => EncodingKey::from_ec_pem(stored.private_pem.as_bytes()),
        }
        .map_err(|e| Error::Corrupt(format!("signing key {}: {e}", stored.kid)))?;
        let mut public = public_jwk(&encoding, alg)?;
        public.common.key_id = Some(stored.kid.clone());
        public.common.public_key_use = Some(PublicKeyUse::Signature);
        public.common.key_algorithm = Some(match alg {
            Algorithm::RS256 => KeyAlgorithm::RS256,
            _ => KeyAlgorithm::ES256,
        });
        let decoding = DecodingKey::from_jwk(&public)
            .map_err(|e| Error::Corrupt(format!("public key: {e}")))?;
        let key_pair = KeyPair::parse(alg, &encoding)
            .ok_or_else(|| Error::Corrupt(format!("signing key {}: not a key pair", stored.kid)))?;
        Ok(SigningKey {
            kid: stored.kid.clone(),
            alg,
            purpose,
            key_pair,
            decoding,
            public,
            active_from: stored.active_from,
            retired_at: stored.retired_at,
            private_pem: stored.private_pem.clone(),
        })
    }

    pub fn private_pem(&self) -> &str {
        &self.private_pem
    }

    fn signs_at(&self, now: i64) -> bool {
        self.active_from <= now && self.retired_at.is_none_or(|r| now < r)
    }
}

/// A new key of `purpose` for `alg`, active from `active_from`.
pub fn new_stored_key(
    purpose: KeyPurpose,
    alg: Algorithm,
    now: i64,
    active_from: i64,
) -> Result<StoredKey> {
    let private_pem = generate_pem(alg)?;
    let encoding = match alg {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(private_pem.as_bytes()),
        _ => EncodingKey::from_ec_pem(private_pem.as_bytes()),
    }
    .map_err(|e| Error::Internal(format!("new key: {e}")))?;
    let kid = key_id(&public_jwk(&encoding, alg)?)?;
    Ok(StoredKey {
        kid,
        alg: algorithm_name(alg).to_owned(),
        purpose: purpose.as_str().to_owned(),
        private_pem,
        created_at: now,
        active_from,
        retired_at: None,
    })
}

/// Every key known at one moment.
pub struct KeySet {
    keys: Vec<SigningKey>,
    retention: i64,
    /// The JWKS as last served, and the times between which it is the one to serve.
    served_jwks: RwLock<Option<ServedJwks>>,
    /// The SHA-256 of every key's id, purpose, algorithm and dates: what a verification
    /// cached under these keys depends on (`identity::evidence_cache`).
    fingerprint: [u8; 32],
}

/// A serialised JWKS and the interval `[from, until)` in which the published keys are the
/// same: the set changes only when a retired key's retention ends, or when keys are reloaded
/// (a rotation), which makes a new `KeySet`.
struct ServedJwks {
    from: i64,
    until: i64,
    document: Arc<StaticDocument>,
}

impl KeySet {
    pub fn new(stored: &[StoredKey], retention: Duration) -> Result<Self> {
        let keys: Vec<SigningKey> = stored
            .iter()
            .map(SigningKey::from_stored)
            .collect::<Result<_>>()?;
        let mut hash = sha2::Sha256::new();
        for key in &keys {
            // The id is the key's thumbprint: the public key itself is in it.
            for part in [
                key.kid.as_str(),
                key.purpose.as_str(),
                algorithm_name(key.alg),
            ] {
                hash.update((part.len() as u64).to_be_bytes());
                hash.update(part.as_bytes());
            }
            hash.update(key.active_from.to_be_bytes());
            hash.update(key.retired_at.unwrap_or(i64::MIN).to_be_bytes());
            // And the public key, in case a stored id was not its thumbprint.
            hash.update(serde_json::to_vec(&key.public).unwrap_or_default());
        }
        Ok(KeySet {
            keys,
            retention: retention.as_secs() as i64,
            served_jwks: RwLock::new(None),
            fingerprint: hash.finalize().into(),
        })
    }

    /// Changes whenever a key is added or its dates change (a rotation, on reload).
    pub fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }

    /// Every key ever made, of every purpose, retired ones too: stored identity credentials
    /// outlive the JWKS.
    pub fn all(&self) -> &[SigningKey] {
        &self.keys
    }

    /// Every key of `purpose` ever made.
    pub fn of(&self, purpose: KeyPurpose) -> impl Iterator<Item = &SigningKey> {
        self.keys.iter().filter(move |k| k.purpose == purpose)
    }

    /// The token key that signs `alg` now: the newest active one.
    pub fn current(&self, alg: Algorithm, now: i64) -> Option<&SigningKey> {
        self.current_of(KeyPurpose::Tokens, alg, now)
    }

    /// The key that signs evidence credentials and core identity JWTs now.
    pub fn current_identity(&self, now: i64) -> Option<&SigningKey> {
        self.current_of(KeyPurpose::Identity, Algorithm::ES256, now)
    }

    fn current_of(&self, purpose: KeyPurpose, alg: Algorithm, now: i64) -> Option<&SigningKey> {
        self.of(purpose)
            .filter(|k| k.alg == alg && k.signs_at(now))
            .max_by_key(|k| (k.active_from, k.kid.clone()))
    }

    /// Keys of `purpose` relying parties may need: every key not yet active, active, or retired
    /// within the retention period.
    pub fn published_of(&self, purpose: KeyPurpose, now: i64) -> impl Iterator<Item = &SigningKey> {
        self.of(purpose)
            .filter(move |k| k.retired_at.is_none_or(|r| now < r + self.retention))
    }

    /// The token keys relying parties may need (the JWKS).
    pub fn published(&self, now: i64) -> impl Iterator<Item = &SigningKey> {
        self.published_of(KeyPurpose::Tokens, now)
    }

    pub fn jwks(&self, now: i64) -> JwkSet {
        JwkSet {
            keys: self.published(now).map(|k| k.public.clone()).collect(),
        }
    }

    /// [`Self::jwks`] serialised, with its entity tag: made once for each interval in which
    /// the published keys stay the same, and shared by every request in it.
    pub fn jwks_document(&self, now: i64) -> Result<Arc<StaticDocument>> {
        if let Ok(guard) = self.served_jwks.read()
            && let Some(served) = guard.as_ref()
            && served.from <= now
            && now < served.until
        {
            return Ok(served.document.clone());
        }
        let ends_of_retention: Vec<i64> = self
            .of(KeyPurpose::Tokens)
            .filter_map(|k| k.retired_at.map(|r| r.saturating_add(self.retention)))
            .collect();
        let from = ends_of_retention
            .iter()
            .copied()
            .filter(|end| *end <= now)
            .max()
            .unwrap_or(i64::MIN);
        let until = ends_of_retention
            .into_iter()
            .filter(|end| *end > now)
            .min()
            .unwrap_or(i64::MAX);
        let value = serde_json::to_value(self.jwks(now))
            .map_err(|e| Error::Internal(format!("JWKS: {e}")))?;
        let document = Arc::new(StaticDocument::new(&value));
        let served = ServedJwks {
            from,
            until,
            document: document.clone(),
        };
        match self.served_jwks.write() {
            Ok(mut guard) => *guard = Some(served),
            Err(poisoned) => *poisoned.into_inner() = Some(served),
        }
        Ok(document)
    }

    pub fn find(&self, kid: &str, now: i64) -> Option<&SigningKey> {
        self.published(now).find(|k| k.kid == kid)
    }
}

/// The key set in use, reloaded from the database now and then so all replicas converge.
#[derive(Clone)]
pub struct Keys {
    current: Arc<RwLock<Arc<KeySet>>>,
    config: KeysConfig,
}

impl Keys {
    /// Makes the first key of each purpose and algorithm if the store has none, then loads
    /// all.
    pub async fn load(store: &dyn KeyStore, config: &KeysConfig, now: i64) -> Result<Self> {
        let existing = store.all().await?;
        for purpose in KeyPurpose::ALL {
            for &alg in purpose.algorithms() {
                let exists = existing
                    .iter()
                    .any(|k| k.purpose == purpose.as_str() && k.alg == algorithm_name(alg));
                if !exists {
                    let key = new_stored_key(purpose, alg, now, now)?;
                    if store.insert_first(&key).await? {
                        tracing::info!(kid = %key.kid, alg = %key.alg, purpose = %key.purpose, "made the first signing key");
                    }
                }
            }
        }
        let set = KeySet::new(&store.all().await?, config.publish_after_retirement)?;
        Ok(Keys {
            current: Arc::new(RwLock::new(Arc::new(set))),
            config: config.clone(),
        })
    }

    /// A key set from `stored` keys, without a database: for tests of what they sign.
    #[cfg(test)]
    pub(crate) fn for_tests(stored: &[StoredKey]) -> Result<Self> {
        Ok(Keys {
            current: Arc::new(RwLock::new(Arc::new(KeySet::new(
                stored,
                Duration::from_secs(3_600),
            )?))),
            config: KeysConfig {
                publish_before_use: Duration::ZERO,
                publish_after_retirement: Duration::from_secs(3_600),
                refresh_interval: Duration::from_secs(60),
            },
        })
    }

    pub fn set(&self) -> Arc<KeySet> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub async fn reload(&self, store: &dyn KeyStore) -> Result<()> {
        let set = Arc::new(KeySet::new(
            &store.all().await?,
            self.config.publish_after_retirement,
        )?);
        match self.current.write() {
            Ok(mut guard) => *guard = set,
            Err(poisoned) => *poisoned.into_inner() = set,
        }
        Ok(())
    }

    /// Reloads every `refresh_interval` for as long as the process runs.
    pub fn spawn_refresh(&self, store: impl KeyStore + 'static) {
        let keys = self.clone();
        let every = self.config.refresh_interval;
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                if let Err(e) = keys.reload(&store).await {
                    tracing::warn!(error = %e, "could not reload signing keys");
                }
            }
        });
    }

    /// Adds a new key for each purpose and algorithm, published now and signing after
    /// `publish_before_use`, and retires the keys it replaces from then.
    pub async fn rotate(
        store: &dyn KeyStore,
        config: &KeysConfig,
        now: i64,
    ) -> Result<Vec<StoredKey>> {
        let mut made = Vec::new();
        for purpose in KeyPurpose::ALL {
            made.extend(Self::rotate_purpose(store, config, purpose, now).await?);
        }
        Ok(made)
    }

    /// [`Self::rotate`] for the keys of one purpose only.
    pub async fn rotate_purpose(
        store: &dyn KeyStore,
        config: &KeysConfig,
        purpose: KeyPurpose,
        now: i64,
    ) -> Result<Vec<StoredKey>> {
        let active_from = now + config.publish_before_use.as_secs() as i64;
        let mut made = Vec::new();
        for &alg in purpose.algorithms() {
            let key = new_stored_key(purpose, alg, now, active_from)?;
            store.rotate_to(&key).await?;
            made.push(key);
        }
        Ok(made)
    }

    /// Signs `claims` as a JWT of type `typ` with the current key for `alg`.
    pub fn sign<T: Serialize>(
        &self,
        alg: Algorithm,
        typ: &str,
        claims: &T,
        now: i64,
    ) -> Result<String> {
        let set = self.set();
        let key = set
            .current(alg, now)
            .ok_or_else(|| Error::Internal(format!("no current {alg:?} key")))?;
        let mut header = Header::new(alg);
        header.kid = Some(key.kid.clone());
        header.typ = Some(typ.to_owned());
        // A JWS compact serialisation (RFC 7515 §7.1), as `jsonwebtoken::encode` writes it,
        // signed with the key pair parsed at load.
        let message = format!("{}.{}", json_part(&header)?, json_part(claims)?);
        let signature = key.key_pair.sign(message.as_bytes())?;
        Ok(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// Verifies a JWT this provider signed: a published key, its own algorithm, the expected
    /// `typ`, and `validation`'s claim rules.
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        typ: &str,
        validation: &Validation,
        now: i64,
    ) -> Option<T> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if !header
            .typ
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(typ))
        {
            return None;
        }
        let set = self.set();
        let key = set.find(header.kid.as_deref()?, now)?;
        if header.alg != key.alg {
            return None;
        }
        let mut validation = validation.clone();
        validation.algorithms = vec![key.alg];
        jsonwebtoken::decode::<T>(token, &key.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(alg: Algorithm, active_from: i64, retired_at: Option<i64>) -> StoredKey {
        StoredKey {
            retired_at,
            ..new_stored_key(KeyPurpose::Tokens, alg, 0, active_from).unwrap()
        }
    }

    fn identity(active_from: i64, retired_at: Option<i64>) -> StoredKey {
        StoredKey {
            retired_at,
            ..new_stored_key(KeyPurpose::Identity, Algorithm::ES256, 0, active_from).unwrap()
        }
    }

    // Checklist 69, RFC 8725 §3.12: the identity key is its own, never a token key, and is
    // rotated with overlap like them.
    #[test]
    fn the_identity_key_signs_nothing_else_and_is_not_in_the_jwks() {
        let token = stored(Algorithm::ES256, 0, None);
        let old = identity(0, Some(1_000));
        let new = identity(1_000, None);
        let set = KeySet::new(
            &[token.clone(), old.clone(), new.clone()],
            Duration::from_secs(3_600),
        )
        .unwrap();
        assert_eq!(set.current(Algorithm::ES256, 500).unwrap().kid, token.kid);
        assert_eq!(set.current_identity(500).unwrap().kid, old.kid);
        assert_eq!(set.current_identity(1_000).unwrap().kid, new.kid);
        assert_ne!(token.kid, new.kid);
        let jwks: Vec<_> = set
            .jwks(500)
            .keys
            .into_iter()
            .map(|k| k.common.key_id)
            .collect();
        assert_eq!(jwks, [Some(token.kid.clone())]);
        assert!(set.find(&new.kid, 500).is_none());
        let published: Vec<_> = set
            .published_of(KeyPurpose::Identity, 4_599)
            .map(|k| k.kid.clone())
            .collect();
        assert_eq!(published, [old.kid.clone(), new.kid.clone()]);
        assert_eq!(set.published_of(KeyPurpose::Identity, 4_600).count(), 1);
        assert_eq!(set.of(KeyPurpose::Identity).count(), 2);
    }

    #[test]
    fn current_published_and_retired_keys() {
        let old = stored(Algorithm::ES256, 0, Some(1_000));
        let new = stored(Algorithm::ES256, 1_000, None);
        let rsa = stored(Algorithm::RS256, 0, None);
        let set = KeySet::new(
            &[old.clone(), new.clone(), rsa.clone()],
            Duration::from_secs(3_600),
        )
        .unwrap();
        assert_eq!(set.current(Algorithm::ES256, 999).unwrap().kid, old.kid);
        assert_eq!(set.current(Algorithm::ES256, 1_000).unwrap().kid, new.kid);
        assert_eq!(set.current(Algorithm::RS256, 5).unwrap().kid, rsa.kid);
        // The new key is published before it signs; the old one until an hour after retirement.
        assert_eq!(set.jwks(500).keys.len(), 3);
        assert_eq!(set.jwks(4_599).keys.len(), 3);
        assert_eq!(set.jwks(4_600).keys.len(), 2);
        assert!(set.find(&old.kid, 4_600).is_none());
    }

    fn served_kids(document: &StaticDocument) -> Vec<String> {
        let json: serde_json::Value = serde_json::from_slice(&document.body()).unwrap();
        json["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect()
    }

    // The served JWKS is made once and reused, but never past the moment a retired key's
    // retention ends: then it is made again without that key, with a new entity tag.
    #[test]
    fn the_served_jwks_is_reused_until_a_retired_key_leaves_it() {
        let old = stored(Algorithm::ES256, 0, Some(1_000));
        let new = stored(Algorithm::ES256, 1_000, None);
        let set = KeySet::new(&[old.clone(), new.clone()], Duration::from_secs(3_600)).unwrap();
        let first = set.jwks_document(500).unwrap();
        assert!(Arc::ptr_eq(&first, &set.jwks_document(4_599).unwrap()));
        assert_eq!(served_kids(&first), [old.kid.clone(), new.kid.clone()]);
        let later = set.jwks_document(4_600).unwrap();
        assert_eq!(served_kids(&later), std::slice::from_ref(&new.kid));
        assert_ne!(first.etag(), later.etag());
        assert!(Arc::ptr_eq(&later, &set.jwks_document(1_000_000).unwrap()));
        // A clock stepped back is served the set of its own time, not the cached one.
        assert_eq!(served_kids(&set.jwks_document(10).unwrap()).len(), 2);
    }

    // A rotation reaches the JWKS when the keys are reloaded: the new set serves its own
    // document, with the new key in it.
    #[tokio::test]
    async fn a_rotation_changes_the_served_jwks_on_reload() {
        struct Memory(std::sync::Mutex<Vec<StoredKey>>);
        #[async_trait]
        impl KeyStore for Memory {
            async fn all(&self) -> Result<Vec<StoredKey>> {
                Ok(self.0.lock().unwrap().clone())
            }
            async fn insert_first(&self, key: &StoredKey) -> Result<bool> {
                self.0.lock().unwrap().push(key.clone());
                Ok(true)
            }
            async fn rotate_to(&self, key: &StoredKey) -> Result<()> {
                self.0.lock().unwrap().push(key.clone());
                Ok(())
            }
        }
        let store = Memory(std::sync::Mutex::new(vec![stored(
            Algorithm::ES256,
            0,
            None,
        )]));
        let keys = Keys::for_tests(&store.all().await.unwrap()).unwrap();
        let before = keys.set().jwks_document(100).unwrap();
        assert_eq!(served_kids(&before).len(), 1);
        let rotated = stored(Algorithm::ES256, 200, None);
        store.rotate_to(&rotated).await.unwrap();
        keys.reload(&store).await.unwrap();
        let after = keys.set().jwks_document(100).unwrap();
        assert!(served_kids(&after).contains(&rotated.kid));
        assert_ne!(before.etag(), after.etag());
    }

    #[test]
    fn jwks_entries_carry_kid_use_and_alg_and_no_private_parts() {
        let set = KeySet::new(
            &[stored(Algorithm::ES256, 0, None)],
            Duration::from_secs(60),
        )
        .unwrap();
        let json = serde_json::to_value(set.jwks(0)).unwrap();
        let key = &json["keys"][0];
        assert_eq!(key["kty"], "EC");
        assert_eq!(key["crv"], "P-256");
        assert_eq!(key["use"], "sig");
        assert_eq!(key["alg"], "ES256");
        assert!(key["kid"].as_str().unwrap().len() >= 43);
        assert!(key.get("d").is_none());
    }

    #[test]
    fn sign_and_verify_with_each_algorithm() {
        let keys = Keys {
            current: Arc::new(RwLock::new(Arc::new(
                KeySet::new(
                    &[
                        stored(Algorithm::ES256, 0, None),
                        stored(Algorithm::RS256, 0, None),
                    ],
                    Duration::from_secs(60),
                )
                .unwrap(),
            ))),
            config: KeysConfig {
                publish_before_use: Duration::ZERO,
                publish_after_retirement: Duration::from_secs(60),
                refresh_interval: Duration::from_secs(60),
            },
        };
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        for alg in SIGNING_ALGORITHMS {
            let token = keys
                .sign(
                    alg,
                    "JWT",
                    &serde_json::json!({ "sub": "x", "exp": now + 60 }),
                    now,
                )
                .unwrap();
            let mut validation = Validation::new(alg);
            validation.required_spec_claims.clear();
            let claims: serde_json::Value = keys.verify(&token, "JWT", &validation, now).unwrap();
            assert_eq!(claims["sub"], "x");
            // The wrong type is refused.
            assert!(
                keys.verify::<serde_json::Value>(&token, "at+jwt", &validation, now)
                    .is_none()
            );
            // A tampered payload is refused.
            let mut parts: Vec<&str> = token.split('.').collect();
            let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(br#"{"sub":"y","exp":9999999999}"#);
            parts[1] = &forged;
            assert!(
                keys.verify::<serde_json::Value>(&parts.join("."), "JWT", &validation, now)
                    .is_none()
            );
        }
    }
}
