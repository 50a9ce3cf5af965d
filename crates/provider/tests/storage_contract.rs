//! The storage contract: the same assertions against every backend. Durable: SQLite and
//! PostgreSQL. Short-lived: memory and Redis. Each test is generated once per backend.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use one_login_core::config::{Config, DatabaseKind};
use one_login_store::ephemeral::{EphemeralStore, MemoryStore, RedisStore};
use one_login_store::error::{Error, Refusal};
use one_login_store::{
    AttemptOutcome, AuditEvent, AuditKind, CountedAttempt, Database, IdentityRecord, NewAccount,
    NewAttempt, NewFeedback, NewRefreshToken, Rotation, Standing, StoredCredential, Successor,
    Whose,
};
use support::{fresh_postgres_schema, fresh_redis_prefix, real_servers_available, redis_url};

async fn memory() -> Option<Arc<dyn EphemeralStore>> {
    Some(Arc::new(MemoryStore::new(1 << 20)))
}

async fn redis(test: &str) -> Option<Arc<dyn EphemeralStore>> {
    if !real_servers_available(test).await {
        return None;
    }
    Some(Arc::new(
        RedisStore::connect(&redis_url(), &fresh_redis_prefix())
            .await
            .unwrap(),
    ))
}

macro_rules! ephemeral_contract {
    ($(async fn $name:ident($store:ident) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn run($store: Arc<dyn EphemeralStore>) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn memory() { run(super::memory().await.unwrap()).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis() {
                if let Some(store) = super::redis(concat!(stringify!($name), "::redis")).await { run(store).await }
            }
        }
    )*};
}

async fn sqlite() -> (Database, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let overrides = format!("data_dir = {:?}", dir.path().display().to_string());
    let config = Config::load_with_overrides(None, &overrides).unwrap();
    let db = Database::connect(&config).await.unwrap();
    assert_eq!(db.kind(), DatabaseKind::Sqlite);
    db.migrate().await.unwrap();
    (db, dir)
}

async fn postgres(test: &str) -> Option<(Database, tempfile::TempDir)> {
    if !real_servers_available(test).await {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let overrides = format!(
        "data_dir = {:?}\n[database]\nurl = {:?}",
        dir.path().display().to_string(),
        fresh_postgres_schema().await
    );
    let config = Config::load_with_overrides(None, &overrides).unwrap();
    let db = Database::connect(&config).await.unwrap();
    assert_eq!(db.kind(), DatabaseKind::Postgres);
    db.migrate().await.unwrap();
    Some((db, dir))
}

macro_rules! durable_contract {
    ($(async fn $name:ident($db:ident) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn run($db: Database) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { let (db, _dir) = super::sqlite().await; run(db).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some((db, _dir)) = super::postgres(concat!(stringify!($name), "::postgres")).await { run(db).await }
            }
        }
    )*};
}

const SHORT: Duration = Duration::from_millis(400);
const LONG: Duration = Duration::from_secs(60);

ephemeral_contract! {
    async fn put_get_overwrite_delete(store) {
        assert_eq!(store.get("k").await.unwrap(), None);
        store.put("k", b"one", LONG).await.unwrap();
        assert_eq!(store.get("k").await.unwrap(), Some(b"one".to_vec()));
        store.put("k", b"two", LONG).await.unwrap();
        assert_eq!(store.get("k").await.unwrap(), Some(b"two".to_vec()));
        store.delete("k").await.unwrap();
        assert_eq!(store.get("k").await.unwrap(), None);
        store.delete("never-there").await.unwrap();
    }

    async fn binary_values_round_trip(store) {
        let value: Vec<u8> = (0..=255).collect();
        store.put("bytes", &value, LONG).await.unwrap();
        assert_eq!(store.get("bytes").await.unwrap(), Some(value));
    }

    async fn entries_expire(store) {
        store.put("brief", b"x", SHORT).await.unwrap();
        assert!(store.get("brief").await.unwrap().is_some());
        tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
        assert_eq!(store.get("brief").await.unwrap(), None);
        assert_eq!(store.swap("brief", b"y").await.unwrap(), None);
    }

    async fn swap_replaces_a_live_value_and_keeps_its_expiry(store) {
        assert_eq!(store.swap("absent", b"mark").await.unwrap(), None);
        assert_eq!(store.get("absent").await.unwrap(), None, "swap writes nothing new");
        store.put("code", b"record", SHORT).await.unwrap();
        assert_eq!(store.swap("code", b"used").await.unwrap(), Some(b"record".to_vec()));
        assert_eq!(store.swap("code", b"used").await.unwrap(), Some(b"used".to_vec()));
        assert_eq!(store.get("code").await.unwrap(), Some(b"used".to_vec()));
        tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
        assert_eq!(store.get("code").await.unwrap(), None, "the mark lives no longer than the code");
    }

    async fn racing_swaps_yield_the_first_value_once(store) {
        store.put("raced-swap", b"record", LONG).await.unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.swap("raced-swap", b"used").await.unwrap() })
            })
            .collect();
        let mut firsts = 0;
        for task in tasks {
            if task.await.unwrap().as_deref() == Some(b"record".as_slice()) {
                firsts += 1;
            }
        }
        assert_eq!(firsts, 1);
    }

    async fn put_new_is_first_wins(store) {
        assert!(store.put_new("jti", b"a", SHORT).await.unwrap());
        assert!(!store.put_new("jti", b"b", SHORT).await.unwrap());
        assert_eq!(store.get("jti").await.unwrap(), Some(b"a".to_vec()));
        tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
        assert!(store.put_new("jti", b"c", LONG).await.unwrap(), "an expired entry is absent");
    }

    async fn racing_put_new_has_one_winner(store) {
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { store.put_new("once", format!("{i}").as_bytes(), LONG).await.unwrap() })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            if task.await.unwrap() {
                winners += 1;
            }
        }
        assert_eq!(winners, 1);
    }

    async fn counters_count_and_keep_their_window(store) {
        assert_eq!(store.increment("n", SHORT).await.unwrap(), 1);
        assert_eq!(store.increment("n", SHORT).await.unwrap(), 2);
        tokio::time::sleep(Duration::from_millis(250)).await;
        // Incrementing does not extend the window.
        assert_eq!(store.increment("n", SHORT).await.unwrap(), 3);
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert_eq!(store.increment("n", SHORT).await.unwrap(), 1);
    }

    async fn racing_increments_are_all_counted(store) {
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.increment("busy", LONG).await.unwrap() })
            })
            .collect();
        let mut seen = Vec::new();
        for task in tasks {
            seen.push(task.await.unwrap());
        }
        seen.sort_unstable();
        assert_eq!(seen, (1..=32).collect::<Vec<u64>>());
    }

    async fn get_many_reads_each_key_in_order(store) {
        store.put("a", b"1", LONG).await.unwrap();
        store.put("c", b"3", LONG).await.unwrap();
        assert_eq!(
            store.get_many(&["a", "b", "c"]).await.unwrap(),
            vec![Some(b"1".to_vec()), None, Some(b"3".to_vec())]
        );
        assert!(store.get_many(&[]).await.unwrap().is_empty());
    }

    // Issue 11.3: a versioned record is written only by whoever read its current version, so
    // a stale write never overwrites a newer one and a deleted record stays deleted.
    async fn versioned_writes_need_the_current_version(store) {
        assert_eq!(store.get_versioned("s").await.unwrap(), None);
        let v1 = store.put_if_version("s", None, b"one", LONG).await.unwrap().unwrap();
        assert_eq!(store.put_if_version("s", None, b"again", LONG).await.unwrap(), None, "create only once");
        let read = store.get_versioned("s").await.unwrap().unwrap();
        assert_eq!((read.version, read.value.as_slice()), (v1, &b"one"[..]));
        let v2 = store.put_if_version("s", Some(v1), b"two", LONG).await.unwrap().unwrap();
        assert_ne!(v1, v2);
        assert_eq!(store.put_if_version("s", Some(v1), b"stale", LONG).await.unwrap(), None);
        assert_eq!(store.get_versioned("s").await.unwrap().unwrap().value, b"two".to_vec());
        assert!(!store.delete_if_version("s", v1).await.unwrap(), "a stale delete does nothing");
        assert!(store.delete_if_version("s", v2).await.unwrap());
        assert_eq!(store.get_versioned("s").await.unwrap(), None);
        // A request in flight since before the delete cannot bring it back.
        assert_eq!(store.put_if_version("s", Some(v2), b"zombie", LONG).await.unwrap(), None);
        assert_eq!(store.get_versioned("s").await.unwrap(), None);
    }

    async fn versioned_records_expire(store) {
        store.put_if_version("brief", None, b"x", SHORT).await.unwrap().unwrap();
        tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
        assert_eq!(store.get_versioned("brief").await.unwrap(), None);
        assert!(store.put_if_version("brief", None, b"y", LONG).await.unwrap().is_some());
    }

    async fn racing_versioned_writes_have_one_winner(store) {
        let v = store.put_if_version("contested", None, b"0", LONG).await.unwrap().unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store.put_if_version("contested", Some(v), format!("{i}").as_bytes(), LONG).await.unwrap()
                })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            if task.await.unwrap().is_some() {
                winners += 1;
            }
        }
        assert_eq!(winners, 1);
    }

    async fn an_index_keeps_its_newest_members_and_hands_back_the_rest(store) {
        assert!(store.index_members("idx").await.unwrap().is_empty());
        for member in ["a", "b", "c"] {
            assert!(store.index_add("idx", member, LONG, 3).await.unwrap().is_empty());
        }
        assert_eq!(store.index_members("idx").await.unwrap(), ["a", "b", "c"]);
        // Re-adding moves a member to the newest place.
        store.index_add("idx", "a", LONG, 3).await.unwrap();
        assert_eq!(store.index_add("idx", "d", LONG, 3).await.unwrap(), ["b"]);
        assert_eq!(store.index_members("idx").await.unwrap(), ["c", "a", "d"]);
        store.index_remove("idx", "a").await.unwrap();
        store.index_remove("idx", "never").await.unwrap();
        assert_eq!(store.index_members("idx").await.unwrap(), ["c", "d"]);
    }

    async fn index_members_are_forgotten_after_their_time(store) {
        store.index_add("timed", "old", SHORT, 10).await.unwrap();
        store.index_add("timed", "new", LONG, 10).await.unwrap();
        tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
        assert_eq!(store.index_members("timed").await.unwrap(), ["new"]);
    }

    async fn ping_answers(store) {
        store.ping().await.unwrap();
        assert!(["memory", "redis"].contains(&store.describe()));
    }
}

fn new_account(email: &str, now: i64) -> NewAccount {
    NewAccount {
        email: email.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        totp_secret: Some("JBSWY3DPEHPK3PXP".into()),
        email_verified: true,
        now,
    }
}

fn created(now: i64) -> AuditEvent {
    AuditEvent::new(AuditKind::AccountCreated, None, now)
}

durable_contract! {
    // Without a narrowed scope the rotation is one statement (on SQLite an insert whose trigger
    // spends the token it replaces): one racer wins, its successor carries the grant, and the
    // spent token stays (used) for replay detection.
    async fn racing_rotations_of_a_refresh_token_have_one_winner(db) {
        let account = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        let token = |hash: &'static str| NewRefreshToken { hash, grant_id: "g1", client_id: "c1", account_id: &account.id, grant_data: r#"{"grant":1}"#, now: 1_000, expires_at: 9_000 };
        db.refresh_tokens().insert(token("h0")).await.unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    let next = |data: &str| Ok::<_, Error>(Successor::Replace(data.to_owned()));
                    let rotation = db.refresh_tokens().rotate("h0", &format!("h{}", i + 1), "c1", 2_000, 500, false, next).await.unwrap();
                    (i + 1, rotation)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                (i, Rotation::Rotated { expires_at, replaced }) => {
                    assert_eq!((expires_at, replaced), (9_000, true));
                    winners.push(i);
                }
                (_, Rotation::NotLive) => {}
                (_, Rotation::Refused) => panic!("a rotation that may not refuse refused"),
            }
        }
        assert_eq!(winners.len(), 1, "{winners:?}");
        let successor = db.refresh_tokens().find(&format!("h{}", winners[0])).await.unwrap().unwrap();
        assert_eq!((successor.grant_id.as_str(), successor.client_id.as_str(), successor.grant_data.as_str()), ("g1", "c1", r#"{"grant":1}"#));
        assert_eq!((successor.expires_at, successor.used_at, successor.revoked_at), (9_000, None, None));
        assert_eq!(db.refresh_tokens().find("h0").await.unwrap().unwrap().used_at, Some(2_000));
        // Another client's, idle, or expired: not live, nothing written.
        db.refresh_tokens().insert(token("h9")).await.unwrap();
        let keep = |data: &str| Ok::<_, Error>(Successor::Replace(data.to_owned()));
        for (client, now, idle_since) in [("c2", 2_000, 500), ("c1", 2_000, 1_000), ("c1", 9_000, 500)] {
            let rotation = db.refresh_tokens().rotate("h9", "h10", client, now, idle_since, false, keep).await.unwrap();
            assert!(matches!(rotation, Rotation::NotLive));
        }
        assert!(db.refresh_tokens().find("h10").await.unwrap().is_none());
        assert_eq!(db.refresh_tokens().find("h9").await.unwrap().unwrap().used_at, None, "a refused rotation spends nothing");
    }

    // A narrowed scope is decided on the grant data: a refusal leaves the token live, a
    // narrower grant goes to the successor, and the successor rotates in turn.
    async fn a_rotation_that_narrows_the_grant_stores_the_narrower_grant(db) {
        let account = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        db.refresh_tokens().insert(NewRefreshToken { hash: "h0", grant_id: "g1", client_id: "c1", account_id: &account.id, grant_data: "wide", now: 1_000, expires_at: 9_000 }).await.unwrap();
        let refuse = |_: &str| Ok::<_, Error>(Successor::Refuse);
        assert!(matches!(db.refresh_tokens().rotate("h0", "h1", "c1", 2_000, 500, true, refuse).await.unwrap(), Rotation::Refused));
        assert_eq!(db.refresh_tokens().find("h0").await.unwrap().unwrap().used_at, None);
        assert!(db.refresh_tokens().find("h1").await.unwrap().is_none());
        let narrow = |data: &str| Ok::<_, Error>(Successor::Replace(format!("{data} -> narrow")));
        let rotation = db.refresh_tokens().rotate("h0", "h1", "c1", 2_000, 500, true, narrow).await.unwrap();
        assert!(matches!(rotation, Rotation::Rotated { expires_at: 9_000, replaced: true }));
        assert_eq!(db.refresh_tokens().find("h1").await.unwrap().unwrap().grant_data, "wide -> narrow");
        let keep = |data: &str| Ok::<_, Error>(Successor::Replace(data.to_owned()));
        let rotation = db.refresh_tokens().rotate("h1", "h2", "c1", 3_000, 500, false, keep).await.unwrap();
        assert!(matches!(rotation, Rotation::Rotated { replaced: true, .. }));
        assert_eq!(db.refresh_tokens().find("h1").await.unwrap().unwrap().used_at, Some(3_000));
        assert_eq!(db.refresh_tokens().find("h2").await.unwrap().unwrap().grant_data, "wide -> narrow");
        // A grant that ends (no offline_access left) leaves no live successor.
        let end = |_: &str| Ok::<_, Error>(Successor::End);
        let rotation = db.refresh_tokens().rotate("h2", "h3", "c1", 4_000, 500, false, end).await.unwrap();
        assert!(matches!(rotation, Rotation::Rotated { replaced: false, .. }));
        assert!(db.refresh_tokens().find("h3").await.unwrap().is_none_or(|t| t.revoked_at.is_some()));
    }

    async fn accounts_are_found_by_email_in_any_case(db) {
        let account = db.accounts().create(new_account(" Ada@Example.com ", 1_000), created(1_000)).await.unwrap();
        assert_eq!(account.email, "Ada@Example.com");
        let found = db.accounts().find_by_email("ada@EXAMPLE.com").await.unwrap().unwrap();
        assert_eq!(found.id, account.id);
        assert_eq!(found.email_verified_at, Some(1_000));
        assert_eq!(found.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(db.accounts().find(&account.id).await.unwrap().unwrap().email, "Ada@Example.com");
        assert!(db.accounts().find_by_email("bob@example.com").await.unwrap().is_none());
        assert!(db.accounts().find("no-such-id").await.unwrap().is_none());
    }

    async fn one_account_per_address_and_nothing_half_written(db) {
        db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        let err = db.accounts().create(new_account("ADA@example.com", 2_000), created(2_000)).await.unwrap_err();
        assert!(matches!(err, Error::Refused(Refusal::EmailTaken)), "{err}");
        assert_eq!(db.accounts().count().await.unwrap(), 1);
        let account = db.accounts().find_by_email("ada@example.com").await.unwrap().unwrap();
        let events = db.audit().recent(&account.id, 10).await.unwrap();
        assert_eq!(events.len(), 1, "the refused account left no audit event: {events:?}");
    }

    async fn totp_steps_only_move_forward(db) {
        let account = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        let accounts = db.accounts();
        assert!(accounts.accept_totp_step(&account.id, 100, 1_001).await.unwrap());
        assert!(!accounts.accept_totp_step(&account.id, 100, 1_002).await.unwrap(), "replayed step");
        assert!(!accounts.accept_totp_step(&account.id, 99, 1_003).await.unwrap(), "older step");
        assert!(accounts.accept_totp_step(&account.id, 101, 1_004).await.unwrap());
    }

    async fn racing_uses_of_one_totp_step_have_one_winner(db) {
        let account = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let db = db.clone();
                let id = account.id.clone();
                tokio::spawn(async move { db.accounts().accept_totp_step(&id, 500, 1_001).await.unwrap() })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            if task.await.unwrap() {
                winners += 1;
            }
        }
        assert_eq!(winners, 1);
    }

    async fn an_authenticator_is_added_once(db) {
        let mut new = new_account("ada@example.com", 1_000);
        new.totp_secret = None;
        let account = db.accounts().create(new, created(1_000)).await.unwrap();
        assert!(db.accounts().add_totp_secret(&account.id, "JBSWY3DPEHPK3PXP", 7, 1_001).await.unwrap());
        assert!(!db.accounts().add_totp_secret(&account.id, "KRSXG5CTMVRXEZLU", 8, 1_002).await.unwrap());
        let found = db.accounts().find(&account.id).await.unwrap().unwrap();
        assert_eq!(found.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(found.totp_last_step, Some(7));
    }

    async fn password_hash_is_replaced(db) {
        let account = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        db.accounts().set_password_hash(&account.id, "$argon2id$new", 1_001).await.unwrap();
        assert_eq!(db.accounts().find(&account.id).await.unwrap().unwrap().password_hash, "$argon2id$new");
    }

    async fn audit_log_lists_newest_first_and_is_append_only(db) {
        let account = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        let audit = db.audit();
        audit.record(&AuditEvent::new(AuditKind::SignedIn, Some(&account.id), 1_100).from_ip(Some("203.0.113.7".into()))).await.unwrap();
        audit.record(&AuditEvent::new(AuditKind::SignedOut, Some(&account.id), 1_200)).await.unwrap();
        audit.record(&AuditEvent::new(AuditKind::SignInFailed, None, 1_300).with_detail("password")).await.unwrap();
        let events = audit.recent(&account.id, 10).await.unwrap();
        let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [AuditKind::SignedOut, AuditKind::SignedIn, AuditKind::AccountCreated]);
        assert_eq!(events[1].client_ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(audit.recent(&account.id, 2).await.unwrap().len(), 2);
        let tamper = sqlx::query("UPDATE audit_events SET kind = 'signed_in'").execute(db.pool()).await;
        assert!(tamper.is_err(), "UPDATE on audit_events must fail");
        let erase = sqlx::query("DELETE FROM audit_events").execute(db.pool()).await;
        assert!(erase.is_err(), "DELETE on audit_events must fail");
        assert_eq!(audit.recent(&account.id, 10).await.unwrap().len(), 3);
    }

    async fn identity_credentials_are_listed_per_account_until_they_expire(db) {
        let ada = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        let bob = db.accounts().create(new_account("bob@example.com", 1_000), created(1_000)).await.unwrap();
        let credential = |id: &str, account: &str, created_at: i64, expires_at: i64| StoredCredential {
            id: id.into(),
            account_id: account.into(),
            source: "passport".into(),
            sealed: format!("sealed-{id}"),
            created_at,
            expires_at,
        };
        db.identity().add_credential(&credential("c2", &ada.id, 2_000, 9_000)).await.unwrap();
        db.identity().add_credential(&credential("c1", &ada.id, 1_500, 3_000)).await.unwrap();
        db.identity().add_credential(&credential("c3", &bob.id, 2_000, 9_000)).await.unwrap();
        let ids = |list: Vec<StoredCredential>| list.into_iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(db.identity().credentials(&ada.id, 2_500).await.unwrap()), ["c1", "c2"]);
        assert_eq!(ids(db.identity().credentials(&ada.id, 3_000).await.unwrap()), ["c2"], "expired left out");
        assert_eq!(db.identity().credentials(&ada.id, 2_500).await.unwrap()[0].sealed, "sealed-c1");
        assert!(db.identity().add_credential(&credential("c1", &ada.id, 1, 2)).await.is_err(), "ids are unique");
        assert!(
            db.identity().add_credential(&credential("c9", "no-such-account", 1, 2)).await.is_err(),
            "credentials belong to an account"
        );
    }

    async fn an_identity_record_is_replaced_not_duplicated(db) {
        let ada = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        assert!(db.identity().record(&ada.id).await.unwrap().is_none());
        let mut record = IdentityRecord {
            account_id: ada.id.clone(),
            level: "P2".into(),
            credential_ids: vec!["c1".into(), "c2".into()],
            proven_at: 2_000,
            expires_at: 9_000,
        };
        db.identity().set_record(&record).await.unwrap();
        assert_eq!(db.identity().record(&ada.id).await.unwrap().unwrap(), record);
        record.level = "P3".into();
        record.credential_ids.push("c3".into());
        db.identity().set_record(&record).await.unwrap();
        assert_eq!(db.identity().record(&ada.id).await.unwrap().unwrap(), record);
    }

    // Issue 17 §3: requiring a new proof of identity removes the identity record and revokes
    // the wallets' credentials of it in one transaction: when the revocation cannot be
    // written (its table is moved away here), nothing is; once it can, both are.
    async fn requiring_reproving_revokes_the_wallet_credentials_with_it_or_not_at_all(db) {
        let ada = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        let record = IdentityRecord {
            account_id: ada.id.clone(),
            level: "P2".into(),
            credential_ids: vec!["c1".into()],
            proven_at: 1_000,
            expires_at: 9_000,
        };
        db.identity().set_record(&record).await.unwrap();
        let index = db.wallet_credentials().issue(&ada.id, 1_000, 9_000, 1 << 16).await.unwrap();
        let owes = Standing { reproving_required_at: Some(2_000), ..Standing::ACTIVE };
        let required = AuditEvent::new(AuditKind::ReprovingRequired, Some(&ada.id), 2_000);
        let rename = |from: &str, to: &str| sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ALTER TABLE {from} RENAME TO {to}")));
        rename("wallet_credentials", "wallet_credentials_away").execute(db.pool()).await.unwrap();
        let failed = db.accounts().set_standing(&ada.id, &owes, Some("require-reproving"), &required).await;
        rename("wallet_credentials_away", "wallet_credentials").execute(db.pool()).await.unwrap();
        assert!(failed.is_err(), "the revocation could not be written");
        assert_eq!(db.accounts().standing(&ada.id).await.unwrap(), Some(Standing::ACTIVE));
        assert_eq!(db.identity().record(&ada.id).await.unwrap(), Some(record));
        assert!(db.interventions().pending(10).await.unwrap().is_empty());
        assert!(db.wallet_credentials().revoked(2_000).await.unwrap().is_empty());

        db.accounts().set_standing(&ada.id, &owes, Some("require-reproving"), &required).await.unwrap();
        assert_eq!(db.accounts().standing(&ada.id).await.unwrap(), Some(owes));
        assert!(db.identity().record(&ada.id).await.unwrap().is_none());
        assert_eq!(db.wallet_credentials().revoked(2_000).await.unwrap(), [index]);
    }

    // Issue 11.5: proving attempts are counted per account and per document, in the window,
    // pending until settled; old ones are forgotten.
    async fn proving_attempts_are_counted_per_account_and_per_document(db) {
        let ada = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        let bob = db.accounts().create(new_account("bob@example.com", 1_000), created(1_000)).await.unwrap();
        let attempts = db.proving_attempts();
        for (id, account, kind, key, at) in [
            ("a1", &ada.id, "document-check", "doc-x", 1_000),
            ("a2", &ada.id, "document-check", "doc-y", 2_000),
            ("a3", &ada.id, "question-set", "doc-x", 2_000),
            ("b1", &bob.id, "document-check", "doc-x", 3_000),
        ] {
            let attempt = NewAttempt { id, account_id: account, kind, document_key: key, started_at: at };
            attempts.reserve(&attempt).await.unwrap();
        }
        attempts.mark_failed("a1").await.unwrap();
        let outcomes = |list: Vec<CountedAttempt>| {
            let mut list: Vec<_> = list.into_iter().map(|a| (a.started_at, a.outcome)).collect();
            list.sort_by_key(|a| a.0);
            list
        };
        assert_eq!(
            outcomes(attempts.counted(Whose::Account(&ada.id), "document-check", 0).await.unwrap()),
            [(1_000, AttemptOutcome::Failed), (2_000, AttemptOutcome::Pending)]
        );
        assert_eq!(
            outcomes(attempts.counted(Whose::Document("doc-x"), "document-check", 0).await.unwrap()),
            [(1_000, AttemptOutcome::Failed), (3_000, AttemptOutcome::Pending)],
            "a document's attempts from every account"
        );
        assert_eq!(attempts.counted(Whose::Document("doc-x"), "document-check", 1_000).await.unwrap().len(), 1, "the window");
        attempts.release("b1").await.unwrap();
        assert_eq!(attempts.counted(Whose::Document("doc-x"), "document-check", 0).await.unwrap().len(), 1);
        attempts.forget_older(&ada.id, 2_000).await.unwrap();
        assert!(attempts.counted(Whose::Account(&ada.id), "document-check", 0).await.unwrap().is_empty());
        let again = NewAttempt { id: "b1", account_id: &bob.id, kind: "question-set", document_key: "k", started_at: 5_000 };
        attempts.reserve(&again).await.unwrap();
        assert!(attempts.reserve(&again).await.is_err(), "ids are unique");
    }

    // Issue 15: feedback is kept whole (any text, in any language) and listed newest first,
    // from a time, at most so many; closing the account forgets whose it was.
    async fn feedback_is_listed_newest_first_and_forgets_a_closed_account(db) {
        let ada = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        let log = db.feedback();
        let feedback = |topic: &str, at: i64| NewFeedback {
            topic: topic.into(),
            message: "Roedd y cwestiynau’n anodd.\nDiolch — \"Ada\" 'O'Neil'".into(),
            came_from: None,
            language: "cy".into(),
            reply_email: None,
            account_id: None,
            created_at: at,
        };
        let first = log.record(&feedback("signing-in", 1_000)).await.unwrap();
        let replied = NewFeedback {
            came_from: Some("/account?x=1".into()),
            reply_email: Some("ada@example.com".into()),
            account_id: Some(ada.id.clone()),
            ..feedback("your-account", 3_000)
        };
        let second = log.record(&replied).await.unwrap();
        log.record(&feedback("proving-identity", 2_000)).await.unwrap();
        // Sent signed out, asking for a reply: linked to the account only by its address,
        // typed in another case.
        let unlinked = NewFeedback {
            reply_email: Some(" Ada@Example.com".into()),
            ..feedback("something-else", 500)
        };
        log.record(&unlinked).await.unwrap();
        let stored = log.newest(0, 10).await.unwrap().pop().unwrap();
        assert_eq!(stored.reply_email.as_deref(), Some("ada@example.com"));
        assert_ne!(first, second);
        let all = log.newest(0, 10).await.unwrap();
        let topics: Vec<_> = all.iter().map(|f| f.topic.as_str()).collect();
        assert_eq!(topics, ["your-account", "proving-identity", "signing-in", "something-else"]);
        assert_eq!(all[0].id, second);
        assert_eq!(all[0].came_from.as_deref(), Some("/account?x=1"));
        assert_eq!(all[0].account_id.as_deref(), Some(ada.id.as_str()));
        assert_eq!(all[2].message, feedback("", 0).message);
        assert_eq!((all[2].came_from.as_deref(), all[2].reply_email.as_deref()), (None, None));
        assert_eq!((all[2].language.as_str(), all[2].created_at), ("cy", 1_000));
        let newest: Vec<_> = log.newest(0, 2).await.unwrap().into_iter().map(|f| f.created_at).collect();
        assert_eq!(newest, [3_000, 2_000]);
        let since: Vec<_> = log.newest(2_000, 10).await.unwrap().into_iter().map(|f| f.created_at).collect();
        assert_eq!(since, [3_000, 2_000]);
        assert!(log.newest(3_001, 10).await.unwrap().is_empty());

        let closed = AuditEvent::new(AuditKind::AccountClosed, Some(&ada.id), 4_000);
        assert!(db.accounts().close(&ada.id, &closed, None).await.unwrap());
        let kept = log.newest(3_000, 10).await.unwrap();
        assert_eq!(kept[0].id, second);
        assert_eq!((kept[0].account_id.as_deref(), kept[0].reply_email.as_deref()), (None, None));
        assert_eq!(kept[0].message, replied.message);
        let all = log.newest(0, 10).await.unwrap();
        assert!(all.iter().all(|f| f.reply_email.is_none()), "{all:?}");

        // Feedback older than a year goes when more is sent.
        let year = one_login_store::FEEDBACK_KEPT_FOR_SECONDS;
        log.record(&feedback("signing-in", 1_000 + year)).await.unwrap();
        let at: Vec<_> = log.newest(0, 10).await.unwrap().into_iter().map(|f| f.created_at).collect();
        assert_eq!(at, [1_000 + year, 3_000, 2_000, 1_000]);
    }

    async fn migrations_are_idempotent(db) {
        db.migrate().await.unwrap();
        db.migrate().await.unwrap();
        db.ping().await.unwrap();
    }
}

/// A durable database to open more than once, with other key-encryption keys (issue 11.7).
struct Place {
    url: String,
    dir: tempfile::TempDir,
}

impl Place {
    fn sqlite() -> Place {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("one-login.sqlite").display()
        );
        Place { url, dir }
    }

    async fn postgres() -> Place {
        Place {
            url: fresh_postgres_schema().await,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Connects and migrates with `secrets` as the `[secrets]` table.
    async fn open(&self, secrets: &str) -> Result<Database, one_login_core::Error> {
        let overrides = format!(
            "data_dir = {:?}\n[database]\nurl = {:?}\n[secrets]\n{secrets}",
            self.dir.path().display().to_string(),
            self.url
        );
        let config = Config::load_with_overrides(None, &overrides)?;
        let db = Database::connect(&config).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Why opening with `secrets` fails.
    async fn refused(&self, secrets: &str) -> String {
        match self.open(secrets).await {
            Ok(_) => panic!("opened with {secrets}"),
            Err(e) => e.to_string(),
        }
    }
}

macro_rules! durable_place_contract {
    ($(async fn $name:ident($place:ident) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn run($place: Place) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { run(Place::sqlite()).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if real_servers_available(concat!(stringify!($name), "::postgres")).await { run(Place::postgres().await).await }
            }
        }
    )*};
}

/// One column of one row, as stored.
async fn raw(db: &Database, sql: &str, bind: &str) -> String {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(bind.to_owned())
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get(0)
}

const TOTP: &str = "JBSWY3DPEHPK3PXP";

fn keys_config() -> one_login_core::config::KeysConfig {
    Config::load(None).unwrap().keys
}

durable_place_contract! {
    // Issue 11.7, checklist 38 and 56: signing keys, authenticator secrets and the pairwise
    // salt are sealed in the database, bound to their row, and read back in the clear.
    async fn secrets_are_sealed_at_rest_and_read_back_in_the_clear(place) {
        use one_login_store::sealing::looks_sealed;
        let db = place.open("").await.unwrap();
        let ada = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        let stored = raw(&db, "SELECT totp_secret FROM accounts WHERE id = $1", &ada.id).await;
        assert!(looks_sealed(&stored) && !stored.contains(TOTP), "{stored}");
        assert_eq!(db.accounts().find(&ada.id).await.unwrap().unwrap().totp_secret.as_deref(), Some(TOTP));
        let mut bob = new_account("bob@example.com", 1_000);
        bob.totp_secret = None;
        let bob = db.accounts().create(bob, created(1_000)).await.unwrap();
        assert!(db.accounts().add_totp_secret(&bob.id, "KRSXG5CTMVRXEZLU", 7, 1_001).await.unwrap());
        assert!(looks_sealed(&raw(&db, "SELECT totp_secret FROM accounts WHERE id = $1", &bob.id).await));
        // Ada's sealed secret copied to Bob's row does not open there.
        sqlx::query("UPDATE accounts SET totp_secret = $1 WHERE id = $2").bind(&stored).bind(&bob.id).execute(db.pool()).await.unwrap();
        assert!(matches!(db.accounts().find(&bob.id).await, Err(Error::Corrupt(_))));

        one_login_core::oidc::keys::Keys::load(&db, &keys_config(), 1_000).await.unwrap();
        let keys = db.signing_keys().all().await.unwrap();
        assert_eq!(keys.len(), 3, "ES256 and RS256 token keys, the ES256 identity key");
        for key in &keys {
            assert!(key.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
            let stored = raw(&db, "SELECT private_pem FROM signing_keys WHERE kid = $1", &key.kid).await;
            assert!(looks_sealed(&stored) && !stored.contains("PRIVATE KEY"), "{stored}");
        }

        let salt = db.secrets().get_or_create_sealed("pairwise-subject-salt", || "salt-1".into(), 1_000).await.unwrap();
        assert_eq!(salt, "salt-1");
        assert_eq!(db.secrets().get_or_create_sealed("pairwise-subject-salt", || "other".into(), 1_001).await.unwrap(), "salt-1");
        let stored = raw(&db, "SELECT value FROM server_secrets WHERE name = $1", "pairwise-subject-salt").await;
        assert!(looks_sealed(&stored) && !stored.contains("salt-1"), "{stored}");
    }

    // Issue 11.7: a database from an earlier version holds these secrets in the clear; the
    // migration step seals them, and every value reads as before (the same `sub`s, the same
    // keys, the same authenticator apps).
    async fn plain_secrets_of_an_earlier_version_are_sealed_by_migrate(place) {
        use one_login_store::sealing::looks_sealed;
        use one_login_core::oidc::keys::{KeyPurpose, new_stored_key};
        let db = place.open("").await.unwrap();
        let ada = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        sqlx::query("UPDATE accounts SET totp_secret = $1 WHERE id = $2").bind(TOTP).bind(&ada.id).execute(db.pool()).await.unwrap();
        let key = new_stored_key(KeyPurpose::Tokens, jsonwebtoken::Algorithm::ES256, 900, 900).unwrap();
        sqlx::query("INSERT INTO signing_keys (kid, alg, private_pem, created_at, active_from) VALUES ($1, 'ES256', $2, 900, 900)")
            .bind(&key.kid).bind(&key.private_pem).execute(db.pool()).await.unwrap();
        sqlx::query("INSERT INTO server_secrets (name, value, created_at) VALUES ('pairwise-subject-salt', 'legacy-salt', 900)")
            .execute(db.pool()).await.unwrap();
        // Plain as an earlier version left them: reading them now fails, so start-up must seal.
        assert!(db.accounts().find(&ada.id).await.is_err());

        db.migrate().await.unwrap();
        for (sql, bind) in [
            ("SELECT totp_secret FROM accounts WHERE id = $1", ada.id.as_str()),
            ("SELECT private_pem FROM signing_keys WHERE kid = $1", key.kid.as_str()),
            ("SELECT value FROM server_secrets WHERE name = $1", "pairwise-subject-salt"),
        ] {
            assert!(looks_sealed(&raw(&db, sql, bind).await), "{sql}");
        }
        assert_eq!(db.accounts().find(&ada.id).await.unwrap().unwrap().totp_secret.as_deref(), Some(TOTP));
        let keys = db.signing_keys().all().await.unwrap();
        assert_eq!(keys[0].private_pem, key.private_pem);
        assert_eq!(keys[0].purpose, "tokens", "keys made before purposes sign tokens");
        assert_eq!(db.secrets().get_or_create_sealed("pairwise-subject-salt", || "new".into(), 1_000).await.unwrap(), "legacy-salt");
    }

    // Issue 11.7: rotation. With a new key and the old one among the previous keys, start-up
    // seals everything again under the new key; then the old one can go. A key that opens
    // nothing here is refused, naming the configuration key.
    async fn a_new_key_encryption_key_reseals_everything_and_a_wrong_one_is_refused(place) {
        use one_login_store::sealing::{Sealer, decode_key, generate_key};
        let (old, new) = (generate_key(), generate_key());
        let db = place.open(&format!("key_encryption_key = {old:?}")).await.unwrap();
        let ada = db.accounts().create(new_account("ada@example.com", 1_000), created(1_000)).await.unwrap();
        one_login_core::oidc::keys::Keys::load(&db, &keys_config(), 1_000).await.unwrap();
        let salt = db.secrets().get_or_create_sealed("pairwise-subject-salt", || "salt".into(), 1_000).await.unwrap();
        let pems: Vec<String> = db.signing_keys().all().await.unwrap().into_iter().map(|k| k.private_pem).collect();

        let wrong = place.refused(&format!("key_encryption_key = {new:?}")).await;
        assert!(wrong.contains("secrets.key_encryption_key"), "{wrong}");

        let rotated = place.open(&format!("key_encryption_key = {new:?}\nprevious_key_encryption_keys = [{old:?}]")).await.unwrap();
        let prefix = Sealer::new(&decode_key(&new).unwrap(), &[]).unwrap().current_prefix();
        assert!(raw(&rotated, "SELECT totp_secret FROM accounts WHERE id = $1", &ada.id).await.starts_with(&prefix));
        assert!(raw(&rotated, "SELECT value FROM server_secrets WHERE name = $1", "pairwise-subject-salt").await.starts_with(&prefix));
        for key in rotated.signing_keys().all().await.unwrap() {
            assert!(raw(&rotated, "SELECT private_pem FROM signing_keys WHERE kid = $1", &key.kid).await.starts_with(&prefix));
        }

        let only_new = place.open(&format!("key_encryption_key = {new:?}")).await.unwrap();
        assert_eq!(only_new.accounts().find(&ada.id).await.unwrap().unwrap().totp_secret.as_deref(), Some(TOTP));
        assert_eq!(only_new.secrets().get_or_create_sealed("pairwise-subject-salt", || "x".into(), 1).await.unwrap(), salt);
        let after: Vec<String> = only_new.signing_keys().all().await.unwrap().into_iter().map(|k| k.private_pem).collect();
        assert_eq!(after, pems);
        let back = place.refused(&format!("key_encryption_key = {old:?}")).await;
        assert!(back.contains("secrets.key_encryption_key"), "{back}");
    }
}

/// Issue 11.10, checklist 47: the URL's `sslmode` reaches the PostgreSQL driver: `require`
/// gives an encrypted connection (the local server offers TLS), `disable` a plain one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sslmode_in_the_url_decides_tls() {
    use sqlx::Row;
    if !real_servers_available("postgres_sslmode_in_the_url_decides_tls").await {
        return;
    }
    let base = fresh_postgres_schema().await;
    let secrets = format!(
        "key_encryption_key = {:?}",
        one_login_store::sealing::generate_key()
    );
    for (mode, encrypted) in [("require", true), ("disable", false)] {
        let place = Place {
            url: format!("{base}&sslmode={mode}"),
            dir: tempfile::tempdir().unwrap(),
        };
        let db = place.open(&secrets).await.unwrap();
        let ssl: bool = sqlx::query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get(0);
        assert_eq!(ssl, encrypted, "sslmode={mode}");
    }
}

/// Issue 11.10: `sslmode=require` against a server that refuses TLS fails at once, naming
/// `database.url` and TLS, never falling back to plain text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sslmode_require_refuses_a_server_without_tls() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Answers every SSLRequest (8 bytes) with 'N': no TLS here.
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 8];
                if socket.read_exact(&mut request).await.is_ok() {
                    let _ = socket.write_all(b"N").await;
                    let mut rest = [0u8; 512];
                    let _ = socket.read(&mut rest).await;
                }
            });
        }
    });
    let place = Place {
        url: format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=require"),
        dir: tempfile::tempdir().unwrap(),
    };
    let started = std::time::Instant::now();
    let error = place.refused("").await;
    assert!(
        error.contains("database.url") && error.contains("TLS"),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "failed at once, not after retries"
    );
}

// The in-memory store is bounded by bytes and never evicts a live entry (issue 12.2): when
// full it refuses new records first and security state (marks, counters, updates) last.
// An evicting cache fails these: it never refuses, it forgets.

const MINUTE: Duration = Duration::from_secs(60);

/// Writes new records (as sessions and journeys are made) until the store refuses one;
/// returns how many it took and the refusal.
async fn fill_with_records(store: &MemoryStore, prefix: &str, ttl: Duration) -> (usize, Error) {
    for i in 0..1_000_000 {
        let key = format!("{prefix}{i}");
        let written = if i % 2 == 0 {
            store.put(&key, &[7; 200], ttl).await.map(|()| true)
        } else {
            store
                .put_if_version(&key, None, &[7; 200], ttl)
                .await
                .map(|v| v.is_some())
        };
        match written {
            Ok(true) => {}
            Ok(false) => panic!("a fresh key already held a record"),
            Err(e) => return (i, e),
        }
    }
    panic!("the store never refused a new record: it evicts instead")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_when_full_refuses_new_records_and_keeps_every_live_entry() {
    let store = MemoryStore::new(256 << 10);
    let (records, refusal) = fill_with_records(&store, "session:", MINUTE).await;
    assert!(records > 100, "{records}");
    assert!(matches!(refusal, Error::Full(_)), "{refusal}");
    assert!(refusal.is_unavailable(), "answered 503, not 500");

    // Security state uses the reserve: replay marks, counters, updates of what is stored.
    let mut marks = 0;
    while marks < 100_000 {
        match store.put_new(&format!("jti:{marks}"), b"1", MINUTE).await {
            Ok(true) => marks += 1,
            Ok(false) => panic!("a fresh mark was already taken"),
            Err(e) => {
                assert!(e.is_unavailable(), "{e}");
                break;
            }
        }
        if marks == 10 {
            assert_eq!(store.increment("ratelimit:x:1", MINUTE).await.unwrap(), 1);
            assert_eq!(store.increment("ratelimit:x:1", MINUTE).await.unwrap(), 2);
            store.put("session:0", &[8; 200], MINUTE).await.unwrap();
            let v = store.get_versioned("session:1").await.unwrap().unwrap();
            store
                .put_if_version("session:1", Some(v.version), &[8; 200], MINUTE)
                .await
                .unwrap()
                .unwrap();
        }
    }
    assert!(marks > 10, "the reserve took {marks} marks");
    assert!(store.index_add("new-index", "m", MINUTE, 4).await.is_err());
    assert!(store.used_bytes() <= store.budget_bytes());

    // Nothing was forgotten: every record, every mark (a replay is still refused), the counter.
    for i in 0..records {
        let expected = if i < 2 { [8; 200] } else { [7; 200] };
        assert_eq!(
            store.get(&format!("session:{i}")).await.unwrap().as_deref(),
            Some(&expected[..]),
            "session:{i} was forgotten"
        );
    }
    for i in 0..marks {
        assert!(
            !store
                .put_new(&format!("jti:{i}"), b"1", MINUTE)
                .await
                .unwrap(),
            "jti:{i} was forgotten: a replay would pass"
        );
    }
    assert_eq!(store.increment("ratelimit:x:1", MINUTE).await.unwrap(), 3);

    // Deletes always work, and free room for new records once below the reserve again.
    for i in 0..marks {
        store.delete(&format!("jti:{i}")).await.unwrap();
    }
    for i in 0..10 {
        store.delete(&format!("session:{i}")).await.unwrap();
    }
    store.put("session:new", &[7; 200], MINUTE).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_expiry_frees_room_for_new_records() {
    let store = MemoryStore::new(256 << 10);
    store.put("kept", b"signed in", MINUTE).await.unwrap();
    let ttl = Duration::from_millis(300);
    let (flood, _) = fill_with_records(&store, "flow:", ttl).await;
    assert!(store.put("one-more", &[7; 200], MINUTE).await.is_err());
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    // The flood's records have expired: as many new ones fit again, without reading the old.
    let (again, _) = fill_with_records(&store, "later:", MINUTE).await;
    assert!(again + 2 >= flood, "{again} of {flood}");
    assert_eq!(
        store.get("kept").await.unwrap().as_deref(),
        Some(&b"signed in"[..])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_budget_holds_under_concurrent_writers() {
    let store = Arc::new(MemoryStore::new(512 << 10));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut kept = Vec::new();
                for i in 0..2_000 {
                    let key = format!("w{w}:{i}");
                    let stored = if i % 3 == 0 {
                        store.put_new(&key, &[1; 64], MINUTE).await
                    } else {
                        store.put(&key, &[1; 64], MINUTE).await.map(|()| true)
                    };
                    if let Ok(true) = stored {
                        kept.push(key);
                    }
                }
                kept
            })
        })
        .collect();
    let mut kept = Vec::new();
    for writer in writers {
        kept.extend(writer.await.unwrap());
    }
    assert!(store.used_bytes() <= store.budget_bytes());
    assert!(kept.len() < 16_000, "some writes were refused");
    for key in &kept {
        assert!(store.get(key).await.unwrap().is_some(), "{key} forgotten");
    }
}
