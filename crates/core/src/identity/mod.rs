//! Identity proving inside the provider: the checks (from the `identity_proofing` crate), the
//! evidence credentials they produce, stored sealed with the account, and what a relying party
//! is given from them. The rules (GPG 45, credentials, the core identity) live in that crate;
//! this module only wires them to the provider's keys, database and configuration.

pub mod addresses;
pub mod attempts;
pub mod claims;
pub mod details;
pub mod evidence_cache;
pub mod journey;
pub mod proving;
pub mod summary;

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
use crate::oidc::keys::{KeyPurpose, KeySet};
use attempts::{AttemptKind, AttemptLimit, AttemptLimiter};
use evidence_cache::EvidenceCache;
use journey::{Failure, ProvingJourney, Step, claimed_document, within_limit};
use one_login_store::sealing::{KeySource, Sealer, check_key_opens_database};
use one_login_store::{Database, StoredCredential};

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
    /// An address the citizen typed because the register did not list it: unchecked.
    ManualAddress,
    Fraud,
    Knowledge,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Passport => "passport",
            Source::DrivingLicence => "driving-licence",
            Source::Address => "address",
            Source::ManualAddress => "address-manual",
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
    /// Credentials opened and verified in the last minutes (`evidence_cache`).
    verified: EvidenceCache,
    /// The signer of the current identity key, once built: parsing and checking its private
    /// key cost about as much as the signature (issue 13.3), and a reuse flow signs with it.
    current_signer: std::sync::Mutex<Option<Arc<CredentialSigner>>>,
}

/// How many verified credentials are kept, and for how long: a flow's worth. A P2 identity is
/// three to five credentials, so this holds a few thousand citizens' flows (a few MB).
const VERIFIED_CAPACITY: usize = 16_384;
const VERIFIED_TTL: Duration = Duration::from_secs(600);

impl std::fmt::Debug for IdentityService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityService")
            .field("issuer", &self.issuer)
            .field("did_host", &self.did_host)
            .finish_non_exhaustive()
    }
}

impl IdentityService {
    pub fn new(config: &Config, sources: Sources) -> Result<Self> {
        // The encryption key from configuration, or from the key file made on first start.
        let (current, previous) = KeySource {
            config_key: "identity.encryption_key",
            value: &config.identity.encryption_key,
            file: None,
            default_file: config.data_dir.join("identity-encryption.key"),
            previous_key: "identity.previous_encryption_keys",
            previous: &config.identity.previous_encryption_keys,
        }
        .keys()?;
        let sealer = Sealer::new(&current, &previous)?;
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
            sealer,
            issuer: config.issuer.clone(),
            did_host,
            trustmark: config.url("trustmark"),
            credential_validity: config.identity.credential_validity,
            core_identity_ttl: config.identity.core_identity_ttl,
            verified: EvidenceCache::new(VERIFIED_CAPACITY, VERIFIED_TTL),
            current_signer: std::sync::Mutex::default(),
        })
    }

    /// Refuses to start with a key that cannot open this database's identity data: replicas
    /// with different keys (or a lost key file) would each silently ignore the others'
    /// evidence.
    pub async fn check_key(&self, db: &Database, now: i64) -> Result<()> {
        check_key_opens_database(
            &db.secrets(),
            &self.sealer,
            "identity-key-check",
            "identity.encryption_key",
            "identity.previous_encryption_keys",
            now,
        )
        .await?;
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

    /// The current identity key as a credential signer, named by its `did:web` id (never a
    /// token key: checklist 69).
    /// Built once per key: a key id names one key pair for good, so the cached signer serves
    /// until the current identity key is another.
    fn signer(&self, keys: &KeySet, now: i64) -> Result<Arc<CredentialSigner>> {
        let key = keys
            .current_identity(now)
            .ok_or_else(|| Error::Internal("no identity signing key".into()))?;
        let kid = identity_proofing::did_key_id(&self.did_host, &key.kid);
        let mut cached = self
            .current_signer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(signer) = cached.as_ref().filter(|s| s.kid() == kid) {
            return Ok(signer.clone());
        }
        let signer = Arc::new(
            CredentialSigner::from_pkcs8_pem(&self.issuer, &kid, key.private_pem().as_bytes())
                .map_err(|e| Error::Internal(format!("identity signer: {e}")))?,
        );
        *cached = Some(signer.clone());
        Ok(signer)
    }

    /// Trusts every identity key the provider has had: credentials are kept far longer than a
    /// key stays published. The ES256 token keys, which signed evidence before the provider had
    /// an identity key, are trusted only for credentials issued before the first identity key
    /// took over.
    fn verifier(&self, keys: &KeySet) -> CredentialVerifier {
        let mut verifier = CredentialVerifier::new();
        for key in keys.of(KeyPurpose::Identity) {
            let kid = identity_proofing::did_key_id(&self.did_host, &key.kid);
            if let Err(e) = verifier.trust(&self.issuer, &kid, &key.public) {
                tracing::error!(kid = %key.kid, error = %e, "identity key not usable for identity credentials");
            }
        }
        let first_identity_key = keys.of(KeyPurpose::Identity).map(|k| k.active_from).min();
        let Some(since) =
            first_identity_key.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        else {
            return verifier;
        };
        for key in keys
            .of(KeyPurpose::Tokens)
            .filter(|k| k.alg == Algorithm::ES256 && k.active_from < since.unix_timestamp())
        {
            let kid = identity_proofing::did_key_id(&self.did_host, &key.kid);
            if let Err(e) = verifier.trust_issued_before(&self.issuer, &kid, &key.public, since) {
                tracing::error!(kid = %key.kid, error = %e, "token key not usable for earlier identity credentials");
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
        // The journey reads it back at its next step: verified already.
        let key = EvidenceCache::key(keys.fingerprint(), account_id, &stored.id);
        self.verified.put(key, &stored.sealed, &credential, now);
        tracing::info!(account = %account_id, source = source.as_str(), credential = %stored.id, "identity evidence recorded");
        Ok(credential)
    }

    /// The account's evidence that is still good: opened, signature, issuer, subject and
    /// expiry checked. Anything that fails is left out and logged: a tampered or replayed
    /// credential never counts. After an operator required the identity to be proved again,
    /// evidence from before that counts only where it holds contra-indicators: those keep
    /// counting against the citizen, the rest must be made again.
    pub async fn evidence(
        &self,
        db: &Database,
        keys: &KeySet,
        account_id: &str,
        now: i64,
    ) -> Result<Vec<VerifiedCredential>> {
        let (stored, cutoff) = db
            .identity()
            .credentials_and_cutoff(account_id, now)
            .await?;
        // Built on the first credential not verified before: a flow's later reads build none.
        let mut verifier = None;
        let at = unix_time(now)?;
        let mut good = Vec::with_capacity(stored.len());
        for credential in stored {
            let key = EvidenceCache::key(keys.fingerprint(), account_id, &credential.id);
            let verified = match self.verified.get(&key, &credential.sealed, now) {
                Some(known) => Ok(known),
                None => {
                    let verifier = verifier.get_or_insert_with(|| self.verifier(keys));
                    let verified = self.open_and_verify(verifier, account_id, &credential, at);
                    if let Ok(v) = &verified {
                        self.verified.put(key, &credential.sealed, v, now);
                    }
                    verified
                }
            };
            let superseded = cutoff.is_some_and(|cutoff| credential.created_at < cutoff);
            match verified {
                Ok(v) if superseded && v.evidence.iter().all(|e| e.ci.is_empty()) => {
                    tracing::debug!(account = %account_id, credential = %credential.id, "identity credential from before a required re-proving left out")
                }
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

    /// Opens one stored credential and verifies it: signature, issuer, subject and dates.
    fn open_and_verify(
        &self,
        verifier: &CredentialVerifier,
        account_id: &str,
        credential: &StoredCredential,
        at: OffsetDateTime,
    ) -> Result<VerifiedCredential> {
        let bytes = self.sealer.open(
            &credential.sealed,
            &sealing_context(account_id, &credential.id),
        )?;
        let jwt = String::from_utf8(bytes).map_err(|_| Error::Corrupt("not text".into()))?;
        verifier
            .verify(&jwt, account_id, at)
            .map_err(|e| Error::Corrupt(e.to_string()))
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

    /// An SD-JWT VC of the proven identity for a wallet, signed by the identity key that signs
    /// core identities now (so `did.json` names its key).
    pub fn sd_jwt_vc(
        &self,
        keys: &KeySet,
        visible: serde_json::Map<String, serde_json::Value>,
        disclosable: Vec<(String, serde_json::Value)>,
        now: i64,
    ) -> Result<String> {
        self.signer(keys, now)?
            .sd_jwt_vc(visible, disclosable)
            .map_err(|e| Error::Internal(format!("wallet credential: {e}")))
    }

    /// The wallet credentials' status list token, signed by the current identity key.
    pub fn status_list_token(
        &self,
        keys: &KeySet,
        list: &identity_proofing::status_list::StatusList,
        uri: &str,
        now: i64,
        ttl: i64,
    ) -> Result<String> {
        self.signer(keys, now)?
            .status_list_token(list, uri, now, ttl)
            .map_err(|e| Error::Internal(format!("status list: {e}")))
    }

    /// `/.well-known/did.json`: the identity keys that sign core identities, as published now
    /// (the one about to sign, the one signing, and retired ones whose JWTs may still be live).
    pub fn did_document(&self, keys: &KeySet, now: i64) -> serde_json::Value {
        let published: Vec<(String, jsonwebtoken::jwk::Jwk)> = keys
            .published_of(KeyPurpose::Identity, now)
            .map(|k| (k.kid.clone(), k.public.clone()))
            .collect();
        identity_proofing::did_document(&self.did_host, &published)
    }
}

/// Binds a sealed credential to its row: account and credential id.
fn sealing_context(account_id: &str, credential_id: &str) -> String {
    format!("identity-credential/{account_id}/{credential_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::keys::new_stored_key;

    fn service() -> IdentityService {
        let overrides = format!(
            "[identity]\nencryption_key = {:?}",
            one_login_store::sealing::generate_key()
        );
        let config = Config::load_with_overrides(None, &overrides).unwrap();
        IdentityService::new(&config, Sources::simulated().unwrap()).unwrap()
    }

    fn evidence_signed_by(
        service: &IdentityService,
        key: &one_login_store::StoredKey,
        at: i64,
    ) -> String {
        let kid = identity_proofing::did_key_id(&service.did_host, &key.kid);
        CredentialSigner::from_pkcs8_pem(&service.issuer, &kid, key.private_pem.as_bytes())
            .unwrap()
            .issue(
                "account-1",
                &service.issuer,
                &CheckOutcome::default(),
                unix_time(at).unwrap(),
                time::Duration::days(180),
            )
            .unwrap()
    }

    // Issue 11.6 and checklist 69: evidence the ES256 token key signed before the provider had
    // an identity key keeps counting; the token key counts for nothing it signed after.
    #[test]
    fn a_token_key_counts_only_for_evidence_from_before_the_identity_key() {
        let service = service();
        let token = new_stored_key(KeyPurpose::Tokens, Algorithm::ES256, 0, 0).unwrap();
        let identity =
            new_stored_key(KeyPurpose::Identity, Algorithm::ES256, 1_000, 1_000).unwrap();
        let keys =
            KeySet::new(&[token.clone(), identity.clone()], Duration::from_secs(60)).unwrap();
        let verifier = service.verifier(&keys);
        let at = |t: i64| unix_time(t).unwrap();
        let before = evidence_signed_by(&service, &token, 999);
        assert!(verifier.verify(&before, "account-1", at(2_000)).is_ok());
        let after = evidence_signed_by(&service, &token, 1_000);
        assert!(matches!(
            verifier.verify(&after, "account-1", at(2_000)),
            Err(identity_proofing::Error::CredentialIssuedAfterKeyRetired)
        ));
        let by_identity_key = evidence_signed_by(&service, &identity, 1_500);
        assert!(
            verifier
                .verify(&by_identity_key, "account-1", at(2_000))
                .is_ok()
        );
        // What the provider signs now comes from the identity key.
        assert_eq!(keys.current_identity(1_500).unwrap().kid, identity.kid);
        let signed = service.signer(&keys, 1_500).unwrap();
        assert!(signed.kid().ends_with(&format!("#{}", identity.kid)));
        // A database with no identity key yet trusts no token key for evidence.
        let only_tokens =
            KeySet::new(std::slice::from_ref(&token), Duration::from_secs(60)).unwrap();
        assert!(
            service
                .verifier(&only_tokens)
                .verify(&before, "account-1", at(2_000))
                .is_err()
        );
        assert!(service.signer(&only_tokens, 1_500).is_err());
    }

    // Issue 13.3: a flow's reads of the evidence verify each credential once; a rotation of
    // the keys, or a stored row that changed, is verified again (and a bad row refused).
    #[tokio::test]
    async fn evidence_is_verified_once_until_the_keys_or_the_row_change() {
        use crate::clock::Clock;
        use crate::oidc::authorization_flow::tests::World;
        use crate::oidc::keys::Keys;
        use one_login_store::{AuditEvent, AuditKind, NewAccount};
        let world = World::new().await;
        let (db, service, now) = (&world.db, &world.identity, world.clock.unix());
        let new = NewAccount {
            email: "ada@example.com".into(),
            password_hash: "not used here".into(),
            totp_secret: None,
            email_verified: true,
            now,
        };
        let created = AuditEvent::new(AuditKind::AccountCreated, None, now);
        let account = db.accounts().create(new, created).await.unwrap();
        let keys = world.provider.keys.set();
        let outcome = CheckOutcome::default();
        let first = service
            .record(db, &keys, &account.id, Source::Passport, &outcome, now)
            .await
            .unwrap();
        assert_eq!(service.verified.len(), 1);
        for _ in 0..3 {
            let held = service.evidence(db, &keys, &account.id, now).await.unwrap();
            assert_eq!(held, std::slice::from_ref(&first));
        }
        assert_eq!(service.verified.len(), 1, "read from the cache");

        let config = crate::config::KeysConfig {
            publish_before_use: Duration::ZERO,
            publish_after_retirement: Duration::from_secs(3_600),
            refresh_interval: Duration::from_secs(60),
        };
        Keys::rotate_purpose(db, &config, KeyPurpose::Identity, now - 1)
            .await
            .unwrap();
        world.provider.keys.reload(db).await.unwrap();
        let rotated = world.provider.keys.set();
        assert_ne!(rotated.fingerprint(), keys.fingerprint());
        let held = service
            .evidence(db, &rotated, &account.id, now)
            .await
            .unwrap();
        assert_eq!(held, std::slice::from_ref(&first));
        assert_eq!(
            service.verified.len(),
            2,
            "verified again under the new keys"
        );

        // A new credential counts at once; a row copying another's sealed bytes under its own
        // id (sealed for another row) does not open, however well those bytes verified before.
        let second = service
            .record(db, &rotated, &account.id, Source::Fraud, &outcome, now)
            .await
            .unwrap();
        let stored = db.identity().credentials(&account.id, now).await.unwrap();
        let copied = stored.iter().find(|c| c.id == first.jti).unwrap();
        db.identity()
            .add_credential(&StoredCredential {
                id: "copied".into(),
                ..copied.clone()
            })
            .await
            .unwrap();
        let mut held = service
            .evidence(db, &rotated, &account.id, now)
            .await
            .unwrap();
        held.sort_by(|a, b| a.jti.cmp(&b.jti));
        let mut expected = [first, second];
        expected.sort_by(|a, b| a.jti.cmp(&b.jti));
        assert_eq!(held, expected);
    }
}
