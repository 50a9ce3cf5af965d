//! Identity proving inside the provider: the checks (from the `identity_proofing` crate), the
//! evidence credentials they produce, stored sealed with the account, and what a relying party
//! is given from them. The rules (GPG 45, credentials, the core identity) live in that crate;
//! this module only wires them to the provider's keys, database and configuration.

pub mod attempts;
pub mod claims;
pub mod details;
pub mod journey;
pub mod sealing;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use identity_proofing::{
    AddressCheck, CheckOutcome, CoreIdentityRequest, CredentialSigner, CredentialVerifier,
    DrivingLicenceCheck, FraudCheck, KnowledgeCheck, PassportCheck, ProvenIdentity, TestDataSet,
    VerifiedCredential,
};
use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::oidc::keys::KeySet;
use crate::store::{Database, StoredCredential};
use attempts::{AttemptKind, AttemptLimit, AttemptLimiter};
use journey::{Failure, ProvingJourney, Step, claimed_document, within_limit};
use sealing::Sealer;

/// The authoritative sources the checks ask. The defaults simulate them over the test data
/// set shipped with the `identity_proofing` crate; a deployment passes clients of the real
/// services instead (HM Passport Office, DVLA, a fraud agency, a credit reference agency).
#[derive(Clone)]
pub struct Sources {
    pub passport: Arc<dyn PassportCheck>,
    pub driving_licence: Arc<dyn DrivingLicenceCheck>,
    pub address: Arc<dyn AddressCheck>,
    pub fraud: Arc<dyn FraudCheck>,
    pub knowledge: Arc<dyn KnowledgeCheck>,
}

impl Sources {
    /// Every source simulated over the documented test data set.
    pub fn simulated() -> Result<Self> {
        let data = Arc::new(
            TestDataSet::embedded()
                .map_err(|e| Error::Internal(format!("identity test data: {e}")))?,
        );
        Ok(Sources {
            passport: data.clone(),
            driving_licence: data.clone(),
            address: data.clone(),
            fraud: data.clone(),
            knowledge: data,
        })
    }
}

/// Which check made a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    Passport,
    DrivingLicence,
    Address,
    Fraud,
    Knowledge,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Passport => "passport",
            Source::DrivingLicence => "driving-licence",
            Source::Address => "address",
            Source::Fraud => "fraud",
            Source::Knowledge => "knowledge",
        }
    }
}

fn unix_time(now: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(now).map_err(|e| Error::Internal(format!("clock: {e}")))
}

fn to_time(d: Duration) -> time::Duration {
    time::Duration::seconds(d.as_secs() as i64)
}

/// Where identity work meets the provider's keys and database.
pub struct IdentityService {
    pub sources: Sources,
    sealer: Sealer,
    /// `iss` of the evidence credentials and the core identity: the provider itself.
    issuer: String,
    /// The `did:web` host (host and port of the issuer) naming the signing keys.
    did_host: String,
    trustmark: String,
    credential_validity: Duration,
    core_identity_ttl: Duration,
    /// Proving attempt limits per account and per document.
    pub attempts: AttemptLimiter,
}

impl std::fmt::Debug for IdentityService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityService")
            .field("issuer", &self.issuer)
            .field("did_host", &self.did_host)
            .finish_non_exhaustive()
    }
}

/// The encryption key from configuration, or from the key file made on first start.
fn encryption_key(config: &Config) -> Result<Vec<u8>> {
    if !config.identity.encryption_key.trim().is_empty() {
        return sealing::decode_key(&config.identity.encryption_key)
            .map_err(|why| Error::config("identity.encryption_key", why));
    }
    let path = config.data_dir.join("identity-encryption.key");
    if !path.exists() {
        write_new_key_file(&path)?;
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::config(
            "identity.encryption_key",
            format!("{}: {e}", path.display()),
        )
    })?;
    sealing::decode_key(&text).map_err(|why| {
        Error::config(
            "identity.encryption_key",
            format!("{} {why}", path.display()),
        )
    })
}

fn write_new_key_file(path: &Path) -> Result<()> {
    use std::io::Write;
    let fail = |e: std::io::Error| {
        Error::config(
            "identity.encryption_key",
            format!("cannot create {}: {e}", path.display()),
        )
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => file
            .write_all(sealing::generate_key().as_bytes())
            .map_err(fail),
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(fail(e)),
    }
}

impl IdentityService {
    pub fn new(config: &Config, sources: Sources) -> Result<Self> {
        let current = encryption_key(config)?;
        let previous = config
            .identity
            .previous_encryption_keys
            .iter()
            .map(|k| sealing::decode_key(k))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|why| Error::config("identity.previous_encryption_keys", why))?;
        let issuer_url =
            url::Url::parse(&config.issuer).map_err(|e| Error::config("issuer", e.to_string()))?;
        let host = issuer_url.host_str().unwrap_or("localhost");
        let did_host = match issuer_url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let limit = AttemptLimit {
            max: config.identity.max_attempts,
            window: i64::try_from(config.identity.attempt_window.as_secs()).unwrap_or(i64::MAX),
        };
        Ok(IdentityService {
            sources,
            attempts: AttemptLimiter::new(limit, &current, &previous),
            sealer: Sealer::new(&current, &previous)?,
            issuer: config.issuer.clone(),
            did_host,
            trustmark: config.url("trustmark"),
            credential_validity: config.identity.credential_validity,
            core_identity_ttl: config.identity.core_identity_ttl,
        })
    }

    /// Refuses to start with a key that cannot open this database's identity data: replicas
    /// with different keys (or a lost key file) would each silently ignore the others'
    /// evidence. A marker sealed on first start must open; one that opens only with an earlier
    /// key is sealed again with the current one, completing a rotation.
    pub async fn check_key(&self, db: &Database, now: i64) -> Result<()> {
        const NAME: &str = "identity-key-check";
        const CONTEXT: &str = "identity-key-check";
        let marker = self.sealer.seal(b"one-login", CONTEXT)?;
        let stored = db.secrets().get_or_create(NAME, || marker, now).await?;
        if self.sealer.open(&stored, CONTEXT).is_err() {
            return Err(Error::config(
                "identity.encryption_key",
                "does not open the identity data already in this database: every replica needs \
                 the key that sealed it (keep an earlier key in identity.previous_encryption_keys)",
            ));
        }
        if !self.sealer.is_current(&stored) {
            db.secrets()
                .replace(NAME, &self.sealer.seal(b"one-login", CONTEXT)?)
                .await?;
        }
        Ok(())
    }

    /// The journey's next step (`journey::next_step`) with the attempt limits applied. The
    /// counts are read only for a step that spends an attempt: a reuse reads nothing more.
    pub async fn next_step(
        &self,
        db: &Database,
        held: &[VerifiedCredential],
        journey: &ProvingJourney,
        now: i64,
    ) -> Result<Step> {
        let step = journey::next_step(held, journey);
        let Some(kind) = step.spends() else {
            return Ok(step);
        };
        // A document check's document is known only once the details are sent; a question
        // set is about the document the claimed identity comes from.
        let document = match kind {
            AttemptKind::DocumentCheck => None,
            AttemptKind::QuestionSet => match claimed_document(held) {
                Some(document) => Some(document),
                // Nothing to count the set against: it is not asked (fail closed).
                None => return Ok(Step::Failed(Failure::NotMatched)),
            },
        };
        let standing = self
            .attempts
            .standing(db, &journey.account_id, kind, document.as_ref(), now)
            .await?;
        let in_journey = journey.limited_until.filter(|until| *until > now);
        Ok(within_limit(step, standing.limited_until.max(in_journey)))
    }

    pub fn did_host(&self) -> &str {
        &self.did_host
    }

    /// The current ES256 key as a credential signer, named by its `did:web` id.
    fn signer(&self, keys: &KeySet, now: i64) -> Result<CredentialSigner> {
        let key = keys
            .current(Algorithm::ES256, now)
            .ok_or_else(|| Error::Internal("no ES256 signing key".into()))?;
        let kid = identity_proofing::did_key_id(&self.did_host, &key.kid);
        CredentialSigner::from_pkcs8_pem(&self.issuer, &kid, key.private_pem().as_bytes())
            .map_err(|e| Error::Internal(format!("identity signer: {e}")))
    }

    /// Trusts every ES256 key the provider has had: credentials are kept far longer than a
    /// key stays in the JWKS.
    fn verifier(&self, keys: &KeySet) -> CredentialVerifier {
        let mut verifier = CredentialVerifier::new();
        for key in keys.all().iter().filter(|k| k.alg == Algorithm::ES256) {
            let kid = identity_proofing::did_key_id(&self.did_host, &key.kid);
            if let Err(e) = verifier.trust(&self.issuer, &kid, &key.public) {
                tracing::error!(kid = %key.kid, error = %e, "signing key not usable for identity credentials");
            }
        }
        verifier
    }

    /// Signs a check's outcome as an evidence credential and stores it sealed. Returns the
    /// credential as it will be read back.
    pub async fn record(
        &self,
        db: &Database,
        keys: &KeySet,
        account_id: &str,
        source: Source,
        outcome: &CheckOutcome,
        now: i64,
    ) -> Result<VerifiedCredential> {
        let signer = self.signer(keys, now)?;
        let jwt = signer
            .issue(
                account_id,
                &self.issuer,
                outcome,
                unix_time(now)?,
                to_time(self.credential_validity),
            )
            .map_err(|e| Error::Internal(format!("identity credential: {e}")))?;
        let credential = self
            .verifier(keys)
            .verify(&jwt, account_id, unix_time(now)?)
            .map_err(|e| Error::Internal(format!("a credential just made does not verify: {e}")))?;
        let stored = StoredCredential {
            sealed: self.sealer.seal(
                jwt.as_bytes(),
                &sealing_context(account_id, &credential.jti),
            )?,
            id: credential.jti.clone(),
            account_id: account_id.to_owned(),
            source: source.as_str().to_owned(),
            created_at: now,
            expires_at: credential.expires_at.unix_timestamp(),
        };
        db.identity().add_credential(&stored).await?;
        tracing::info!(account = %account_id, source = source.as_str(), credential = %stored.id, "identity evidence recorded");
        Ok(credential)
    }

    /// The account's evidence that is still good: opened, signature, issuer, subject and
    /// expiry checked. Anything that fails is left out and logged: a tampered or replayed
    /// credential never counts.
    pub async fn evidence(
        &self,
        db: &Database,
        keys: &KeySet,
        account_id: &str,
        now: i64,
    ) -> Result<Vec<VerifiedCredential>> {
        let stored = db.identity().credentials(account_id, now).await?;
        let verifier = self.verifier(keys);
        let at = unix_time(now)?;
        let mut good = Vec::with_capacity(stored.len());
        for credential in stored {
            let opened = self
                .sealer
                .open(
                    &credential.sealed,
                    &sealing_context(account_id, &credential.id),
                )
                .and_then(|bytes| {
                    String::from_utf8(bytes).map_err(|_| Error::Corrupt("not text".into()))
                });
            let verified = match opened {
                Ok(jwt) => verifier
                    .verify(&jwt, account_id, at)
                    .map_err(|e| Error::Corrupt(e.to_string())),
                Err(e) => Err(e),
            };
            match verified {
                Ok(v) if v.jti == credential.id => good.push(v),
                Ok(_) => {
                    tracing::warn!(account = %account_id, credential = %credential.id, "identity credential rejected: stored under another id")
                }
                Err(e) => {
                    tracing::warn!(account = %account_id, credential = %credential.id, error = %e, "identity credential rejected")
                }
            }
        }
        Ok(good)
    }

    /// The core identity JWT for one relying party (`sub` pairwise, `aud` its client id).
    pub fn core_identity_jwt(
        &self,
        keys: &KeySet,
        identity: &ProvenIdentity,
        subject: &str,
        client_id: &str,
        now: i64,
    ) -> Result<String> {
        let request = CoreIdentityRequest {
            subject,
            audience: client_id,
            trustmark: &self.trustmark,
            ttl: to_time(self.core_identity_ttl),
        };
        self.signer(keys, now)?
            .core_identity_jwt(identity, &request, unix_time(now)?)
            .map_err(|e| Error::Internal(format!("core identity: {e}")))
    }

    /// `/.well-known/did.json`: the keys that sign core identities, as published now.
    pub fn did_document(&self, keys: &KeySet, now: i64) -> serde_json::Value {
        let published: Vec<(String, jsonwebtoken::jwk::Jwk)> = keys
            .published(now)
            .filter(|k| k.alg == Algorithm::ES256)
            .map(|k| (k.kid.clone(), k.public.clone()))
            .collect();
        identity_proofing::did_document(&self.did_host, &published)
    }
}

/// Binds a sealed credential to its row: account and credential id.
fn sealing_context(account_id: &str, credential_id: &str) -> String {
    format!("identity-credential/{account_id}/{credential_id}")
}
