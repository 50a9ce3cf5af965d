//! Micro-benchmarks of the provider's per-request work, through its library: token signing,
//! client assertion verification, pairwise subjects, argon2 with the shipped parameters, and
//! the identity work (GPG 45 scoring, proving, evidence credentials, the core identity JWT).
//! `cargo bench -p one-login-bench` (from the workspace root).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use base64::Engine;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use identity_proofing::{
    AddressCheck, CheckOutcome, ClaimedIdentity, ConfidenceLevel, CoreIdentityRequest,
    CredentialSigner, CredentialVerifier, Evidence, FraudCheck, KnowledgeCheck, Name,
    PassportCheck, PassportDetails, TestDataSet, VerifiedCredential,
};
use jsonwebtoken::Algorithm;
use one_login_bench::rp::{self, RelyingParty};
use one_login_core::accounts::PasswordHasher;
use one_login_core::config::Config;
use one_login_core::identity::evidence_cache::EvidenceCache;
use one_login_core::oidc::Provider;
use one_login_core::oidc::Stores;
use one_login_core::oidc::access_tokens::Expired;
use one_login_core::oidc::authorization_request::Params;
use one_login_core::oidc::client_auth::{self, Audiences};
use one_login_core::oidc::grants::{self, Grant};
use one_login_core::oidc::pairwise;
use one_login_core::oidc::signed_tokens::{ID_TOKEN_TYPE, IdTokenClaims};
use one_login_core::oidc::token_endpoint;
use one_login_store::Database;
use one_login_store::ephemeral::{EphemeralStore, MemoryStore};
use one_login_store::{AuditEvent, AuditKind, NewAccount};
use sha2::{Digest, Sha256};

struct Fixture {
    runtime: tokio::runtime::Runtime,
    config: Config,
    provider: Provider,
    db: Database,
    rp: RelyingParty,
    _dir: tempfile::TempDir,
}

/// A provider loaded as `serve` loads it (SQLite in a temporary folder, the bench's client),
/// without the HTTP server.
fn fixture() -> Fixture {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clients = dir.path().join("clients");
    std::fs::create_dir_all(&clients).unwrap();
    let issuer = "http://127.0.0.1:8080/";
    let rp = RelyingParty::new(issuer, rp::CLIENT_ID, rp::REDIRECT_URI).unwrap();
    std::fs::write(clients.join("bench.toml"), rp.registration().unwrap()).unwrap();
    let overrides = format!(
        "issuer = {issuer:?}\ndata_dir = {:?}\nclients_dir = {:?}\n",
        dir.path().display().to_string(),
        clients.display().to_string()
    );
    let config = Config::load_with_overrides(None, &overrides).unwrap();
    let (provider, db) = runtime.block_on(async {
        let db = Database::connect(&config).await.unwrap();
        db.migrate().await.unwrap();
        (Provider::load(&config, &db, now()).await.unwrap(), db)
    });
    Fixture {
        runtime,
        config,
        provider,
        db,
        rp,
        _dir: dir,
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn id_claims(provider: &Provider, now: i64) -> IdTokenClaims {
    IdTokenClaims {
        iss: provider.issuer.clone(),
        sub: "urn:fdc:gov.uk:2022:n7bVqHxXyv2-qCJ6ZD9Sxh4R7Ue2kbxYpAaBZeJS3dw".into(),
        aud: rp::CLIENT_ID.into(),
        exp: now + 120,
        iat: now,
        auth_time: now - 30,
        nonce: Some("a1b2c3d4e5f6".into()),
        sid: "dGhpcyBpcyBhIHNlc3Npb24gaWQgb2YgNDMgY2hhcnM".into(),
        at_hash: Some("q0PWxjm3mlt3HAOKk8zFtQ".into()),
        vot: "Cl.Cm".into(),
        vtm: provider.trustmark(),
        acr: "Cl.Cm".into(),
        amr: vec!["pwd".into(), "otp".into()],
        email: Some("citizen@example.gov.uk".into()),
        email_verified: Some(true),
    }
}

/// A single sign-on grant as the token endpoint mints it, for `account_id`.
fn sso_grant(id: &IdTokenClaims, account_id: &str, now: i64) -> Grant {
    Grant {
        grant_id: uuid::Uuid::new_v4().to_string(),
        client_id: rp::CLIENT_ID.into(),
        account_id: account_id.to_owned(),
        sub: id.sub.clone(),
        email: "citizen@example.gov.uk".into(),
        scopes: ["openid".to_owned(), "email".to_owned()].into(),
        claims: Default::default(),
        auth_time: now - 30,
        vot: "Cl.Cm".into(),
        acr: Some("Cl.Cm".into()),
        amr: vec!["pwd".into(), "otp".into()],
        sid: id.sid.clone(),
        identity: None,
        issued_at_ms: now * 1000,
    }
}

fn signing(c: &mut Criterion) {
    let f = fixture();
    let now = now();
    let id = id_claims(&f.provider, now);
    // The access token carries the grant sealed.
    let grant = sso_grant(&id, &uuid::Uuid::new_v4().to_string(), now);
    let keys = &f.provider.keys;
    let access_tokens = &f.provider.access_tokens;
    c.bench_function("id_token_sign_es256", |b| {
        b.iter(|| {
            keys.sign(Algorithm::ES256, ID_TOKEN_TYPE, &id, now)
                .unwrap()
        })
    });
    c.bench_function("id_token_sign_rs256", |b| {
        b.iter(|| {
            keys.sign(Algorithm::RS256, ID_TOKEN_TYPE, &id, now)
                .unwrap()
        })
    });
    c.bench_function("access_token_mint_sealed", |b| {
        b.iter(|| access_tokens.mint(&grant, now, now + 180).unwrap())
    });
    let token = access_tokens.mint(&grant, now, now + 180).unwrap();
    c.bench_function("access_token_open_sealed", |b| {
        b.iter(|| access_tokens.open(&token, now, Expired::Refused).unwrap())
    });
}

fn client_assertion(c: &mut Criterion) {
    let f = fixture();
    let replay: Arc<dyn EphemeralStore> = Arc::new(MemoryStore::new(256 << 20));
    let token_endpoint = f.provider.url("token");
    let audiences = Audiences {
        issuer: &f.provider.issuer,
        token_endpoint: &token_endpoint,
    };
    // The whole check the token endpoint makes: decode, find the key, verify the ES256
    // signature, check the claims and record the jti. Signing the assertion is setup.
    c.bench_function("client_assertion_verify_es256", |b| {
        b.iter_batched(
            || {
                let assertion = f.rp.assertion().unwrap();
                Params::collect([
                    ("client_assertion_type".into(), rp::JWT_BEARER.into()),
                    ("client_assertion".into(), assertion.into()),
                ])
                .unwrap()
            },
            |form| {
                f.runtime
                    .block_on(client_auth::authenticate(
                        &form,
                        None,
                        &f.provider.clients,
                        &f.provider.client_keys,
                        replay.as_ref(),
                        &audiences,
                        now(),
                    ))
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
}

/// The refresh grant after client authentication (`token_endpoint::refresh`): the rotation in
/// SQLite (spend, successor) and the response, without and with a new ID token (the client's
/// `id_token_on_refresh`). Each iteration presents the token the previous one returned.
fn refresh_grant(c: &mut Criterion) {
    let f = fixture();
    let now = now();
    let store = MemoryStore::new(256 << 20);
    let stores = Stores {
        ephemeral: &store,
        db: &f.db,
    };
    let account = f.runtime.block_on(async {
        let new = NewAccount {
            email: "refresh@example.gov.uk".into(),
            password_hash: "not a hash: nobody signs in here".into(),
            totp_secret: None,
            email_verified: true,
            now,
        };
        let created = AuditEvent::new(AuditKind::AccountCreated, None, now);
        f.db.accounts().create(new, created).await.unwrap()
    });
    let mut grant = sso_grant(&id_claims(&f.provider, now), &account.id, now);
    grant.scopes.insert("offline_access".to_owned());
    let registered = f.provider.clients.get(rp::CLIENT_ID).unwrap();
    let mut group = c.benchmark_group("refresh_grant");
    for id_token_on_refresh in [false, true] {
        let mut client = (*registered).clone();
        client.id_token_on_refresh = id_token_on_refresh;
        let mut token = f
            .runtime
            .block_on(grants::issue_refresh_token(
                &f.db,
                &grant,
                now,
                now + 86_400,
            ))
            .unwrap();
        let name = if id_token_on_refresh {
            "sqlite_with_id_token"
        } else {
            "sqlite"
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                let form = Params::collect([
                    ("grant_type".into(), "refresh_token".into()),
                    ("refresh_token".into(), token.clone().into()),
                ])
                .unwrap();
                let response = f
                    .runtime
                    .block_on(token_endpoint::refresh(
                        &f.provider,
                        &stores,
                        &client,
                        &form,
                        now,
                    ))
                    .unwrap();
                assert_eq!(response.id_token.is_some(), id_token_on_refresh);
                token = response.refresh_token.unwrap();
            })
        });
    }
    group.finish();
}

fn pairwise_subject(c: &mut Criterion) {
    let f = fixture();
    let client = f.provider.clients.get(rp::CLIENT_ID).unwrap();
    let account = uuid::Uuid::new_v4().to_string();
    c.bench_function("pairwise_subject", |b| {
        b.iter(|| f.provider.subject_for(&client, &account))
    });
    c.bench_function("pairwise_subject_hash_only", |b| {
        b.iter(|| pairwise::subject("bench.example.gov.uk", &account, "salt-of-43-chars"))
    });
}

fn argon2(c: &mut Criterion) {
    let f = fixture();
    let hasher = PasswordHasher::new(&f.config.passwords).unwrap();
    let password = "bench load test passphrase 7";
    let hash = f.runtime.block_on(hasher.hash(password)).unwrap();
    let mut group = c.benchmark_group("argon2");
    group.sample_size(20);
    group.bench_function(
        format!(
            "verify_m{}_t{}_p{}",
            f.config.passwords.memory_kib,
            f.config.passwords.iterations,
            f.config.passwords.parallelism
        ),
        |b| {
            b.iter(|| {
                let v = f
                    .runtime
                    .block_on(hasher.verify(password, Some(&hash)))
                    .unwrap();
                assert!(v.matches);
            })
        },
    );
    group.finish();
}

/// Kenneth Decerqueira's web journey over the test data set (the checks the proving pages run):
/// passport, address, fraud, and knowledge questions all answered from his records.
fn kenneth_checks(runtime: &tokio::runtime::Runtime) -> Vec<CheckOutcome> {
    let today = time::OffsetDateTime::now_utc().date();
    let birth = time::Date::from_calendar_date(1965, time::Month::July, 8).unwrap();
    let data = TestDataSet::embedded().unwrap();
    let details = PassportDetails {
        passport_number: "321654987".into(),
        surname: "Decerqueira".into(),
        given_names: "Kenneth".into(),
        birth_date: birth,
        expiry_date: time::Date::from_calendar_date(2030, time::Month::January, 1).unwrap(),
    };
    runtime.block_on(async {
        let passport = PassportCheck::check(&data, &details, today).await.unwrap();
        let home = data
            .find("BA2 5AA")
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.building_number.as_deref() == Some("8"))
            .unwrap();
        let address = data.confirm(&home, today).await.unwrap();
        let identity = ClaimedIdentity {
            name: Name::new(&["Kenneth"], "Decerqueira"),
            birth_date: birth,
            address: Some(home),
        };
        let fraud = FraudCheck::check(&data, &identity, today).await.unwrap();
        let questions = data.questions(&identity, 0).await.unwrap();
        let answers: Vec<String> = questions
            .questions
            .iter()
            .map(|q| {
                match q.id.as_str() {
                    "bank" => "Halifax",
                    "loan" => "Zopa",
                    "phone" => "Vodafone",
                    _ => "£401 to £700",
                }
                .to_owned()
            })
            .collect();
        let kbv = data
            .mark(&identity, &questions, &answers, today)
            .await
            .unwrap();
        vec![passport, address, fraud, kbv]
    })
}

fn identity(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let pem = CredentialSigner::generate_pkcs8_pem().unwrap();
    let signer =
        CredentialSigner::from_pkcs8_pem("http://127.0.0.1:8080/", "checks-1", pem.as_bytes())
            .unwrap();
    let mut verifier = CredentialVerifier::new();
    verifier
        .trust(signer.issuer(), signer.kid(), &signer.public_jwk().unwrap())
        .unwrap();
    let sub = "urn:fdc:gov.uk:2022:n7bVqHxXyv2-qCJ6ZD9Sxh4R7Ue2kbxYpAaBZeJS3dw";
    let jwts: Vec<String> = kenneth_checks(&runtime)
        .iter()
        .map(|outcome| {
            signer
                .issue(sub, "one-login", outcome, now, time::Duration::minutes(10))
                .unwrap()
        })
        .collect();
    let credentials: Vec<VerifiedCredential> = jwts
        .iter()
        .map(|jwt| verifier.verify(jwt, sub, now).unwrap())
        .collect();
    let evidence: Vec<Evidence> = credentials
        .iter()
        .flat_map(|c| c.evidence.clone())
        .collect();
    assert_eq!(
        identity_proofing::assess(&evidence).level,
        ConfidenceLevel::P2
    );
    // Mid-journey: passport and address only, as the hub asks what is still missing.
    let partial: Vec<Evidence> = credentials[..2]
        .iter()
        .flat_map(|c| c.evidence.clone())
        .collect();
    let mut group = c.benchmark_group("identity");
    group.bench_function("gpg45_assess_passport_fraud_kbv", |b| {
        b.iter(|| identity_proofing::assess(&evidence))
    });
    group.bench_function("gpg45_missing_for_p2_passport_only", |b| {
        b.iter(|| identity_proofing::missing_for(&partial, ConfidenceLevel::P2).unwrap())
    });
    group.bench_function("gpg45_missing_for_p2_complete", |b| {
        b.iter(|| identity_proofing::missing_for(&evidence, ConfidenceLevel::P2).unwrap())
    });
    group.bench_function("prove_p2", |b| {
        b.iter(|| identity_proofing::prove(&credentials, ConfidenceLevel::P2).unwrap())
    });
    let proven = identity_proofing::prove(&credentials, ConfidenceLevel::P2).unwrap();
    let request = CoreIdentityRequest {
        subject: sub,
        audience: rp::CLIENT_ID,
        trustmark: "http://127.0.0.1:8080/trustmark",
        ttl: time::Duration::minutes(30),
    };
    group.bench_function("core_identity_jwt_es256", |b| {
        b.iter(|| signer.core_identity_jwt(&proven, &request, now).unwrap())
    });
    // What userinfo and the journey's hub do for each stored check: verify its signature
    // and claims. One passport credential, and the whole set of four.
    group.bench_function("evidence_credential_verify_passport", |b| {
        b.iter(|| verifier.verify(&jwts[0], sub, now).unwrap())
    });
    group.bench_function("evidence_credentials_verify_all_4", |b| {
        b.iter(|| {
            jwts.iter()
                .map(|jwt| verifier.verify(jwt, sub, now).unwrap())
                .collect::<Vec<_>>()
        })
    });
    // Issue 13.3: each of a reuse flow's five reads finds every stored credential in the
    // evidence cache. The sealed values stand in at their real size (base64 of the JWT
    // sealed with AES-GCM: about 4/3 of the JWT and a nonce and tag). Before, the cache's key
    // was a SHA-256 over the whole sealed value; now the key covers the ids only and the
    // sealed bytes are compared by a keyed 64-bit SipHash fingerprint.
    let sealed: Vec<String> = jwts
        .iter()
        .map(|jwt| {
            base64::engine::general_purpose::STANDARD
                .encode(format!("{jwt}0123456789abcdefghijklmnopqrstuv"))
        })
        .collect();
    let trust = [7u8; 32];
    let cache = EvidenceCache::new(1024, std::time::Duration::from_secs(600));
    let unix_now = now.unix_timestamp();
    for (i, credential) in credentials.iter().enumerate() {
        let key = EvidenceCache::key(&trust, sub, &credential.jti);
        cache.put(key, &sealed[i], credential, unix_now);
    }
    group.bench_function("evidence_cache_read_4", |b| {
        b.iter(|| {
            credentials
                .iter()
                .zip(&sealed)
                .map(|(credential, sealed)| {
                    let key = EvidenceCache::key(&trust, sub, &credential.jti);
                    cache.get(&key, sealed, unix_now).unwrap()
                })
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("evidence_cache_key_sha256_of_sealed_4_before", |b| {
        b.iter(|| {
            credentials
                .iter()
                .zip(&sealed)
                .map(|(credential, sealed)| {
                    let mut hash = Sha256::new();
                    hash.update(trust);
                    for part in [sub, credential.jti.as_str(), sealed.as_str()] {
                        hash.update((part.len() as u64).to_be_bytes());
                        hash.update(part.as_bytes());
                    }
                    <[u8; 32]>::from(hash.finalize())
                })
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    signing,
    client_assertion,
    refresh_grant,
    pairwise_subject,
    argon2,
    identity
);
criterion_main!(benches);
