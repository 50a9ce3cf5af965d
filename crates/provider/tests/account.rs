//! The account page's security changes through the router (issue 10 items 3-5), on both storage
//! pairs: after a password change, an app change, a report or a closure, an old refresh token is
//! `invalid_grant`, an old session cookie is signed out, and the service with a session got a
//! valid logout token (Back-Channel Logout §2.4-§2.6).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use one_login_store::{AuditEvent, AuditKind, IdentityRecord, NewAccount, StoredCredential};
use one_login_test_support::pkce;
use serde_json::Value;
use sqlx::Row;
use support::rp::{RelyingParty, client_params};
use support::{Backend, Browser, Page, TestApp};

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "another long phrase of words";
const EMAIL: &str = "ada@example.com";

struct Env {
    app: TestApp,
    rp: RelyingParty,
    totp: String,
    /// Logout tokens the service received at its back-channel logout endpoint.
    received: Arc<Mutex<Vec<String>>>,
}

/// A service that had a session: its browser, and the tokens it holds.
struct ServiceSession {
    browser: Browser,
    refresh_token: String,
    sid: String,
    sub: String,
}

impl Env {
    async fn start(backend: Backend) -> Env {
        let (port, received) = support::backchannel_listener().await;
        let rp = RelyingParty::new("listening", "127.0.0.1");
        let registration = rp
            .registration(&format!(
                "backchannel_logout_uri = \"http://127.0.0.1:{port}/backchannel-logout\""
            ))
            .replace("https://127.0.0.1/", "http://127.0.0.1/");
        let rp = RelyingParty {
            redirect_uri: "http://127.0.0.1/callback".into(),
            ..rp
        };
        let app = TestApp::start_with_clients(backend, "", &[registration]).await;
        let totp = app.create_account(EMAIL, PASSWORD).await;
        Env {
            app,
            rp,
            totp,
            received,
        }
    }

    fn now(&self) -> i64 {
        self.app.state.clock.unix()
    }

    fn issuer(&self) -> String {
        self.app.state.config.issuer.clone()
    }

    async fn account_id(&self, email: &str) -> String {
        self.app.account(email).await.id
    }

    /// Signs in on a new browser, straight to the account page.
    async fn signed_in(&self) -> Browser {
        let mut browser = self.app.browser();
        self.app.next_totp_step();
        browser
            .sign_in(&self.app, EMAIL, PASSWORD, &self.totp)
            .await;
        browser
    }

    /// Signs in to the service on a new browser, with `offline_access`, and redeems the code.
    async fn service_session(&self) -> ServiceSession {
        let mut browser = self.app.browser();
        let (verifier, challenge) = pkce();
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("scope", "openid email offline_access"),
            ("client_id", self.rp.client_id.as_str()),
            ("redirect_uri", self.rp.redirect_uri.as_str()),
            ("state", "s"),
            ("nonce", "n"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .unwrap();
        browser
            .get(&format!("/authorize?{query}"))
            .await
            .assert_redirect("/");
        browser
            .fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)])
            .await;
        self.app.next_totp_step();
        let code = self.app.totp_now(&self.totp);
        browser
            .fill("/sign-in/authenticator-code", &[("code", &code)])
            .await
            .assert_redirect("/authorize/continue");
        browser.get("/authorize/continue").await;
        let answer = browser
            .fill("/authorize/consent", &[("decision", "agree")])
            .await;
        let code = client_params(&answer, &self.rp)["code"].clone();
        let assertion = self
            .rp
            .assertion(&format!("{}token", self.issuer()), self.now());
        let page = browser
            .post(
                "/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", &self.rp.redirect_uri),
                    ("code_verifier", &verifier),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let tokens: Value = serde_json::from_str(&page.body).unwrap();
        let (_, id) = self.verify(tokens["id_token"].as_str().unwrap()).await;
        ServiceSession {
            browser,
            refresh_token: tokens["refresh_token"].as_str().unwrap().to_owned(),
            sid: id["sid"].as_str().unwrap().to_owned(),
            sub: id["sub"].as_str().unwrap().to_owned(),
        }
    }

    async fn refresh(&self, token: &str) -> Page {
        let assertion = self
            .rp
            .assertion(&format!("{}token", self.issuer()), self.now());
        self.app
            .browser()
            .post(
                "/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", token),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ],
            )
            .await
    }

    /// Verifies a token the provider signed with its published keys, for the service.
    async fn verify(&self, token: &str) -> (jsonwebtoken::Header, Value) {
        let jwks: JwkSet =
            serde_json::from_str(&self.app.browser().get("/.well-known/jwks.json").await.body)
                .unwrap();
        let header = jsonwebtoken::decode_header(token).unwrap();
        let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[self.issuer()]);
        validation.set_audience(&[self.rp.client_id.as_str()]);
        validation.required_spec_claims.clear();
        let data =
            jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
                .unwrap();
        (header, data.claims)
    }

    /// What must hold after the service's session was ended: its refresh token is refused, its
    /// browser is signed out, and the service got a valid logout token for that session.
    async fn assert_service_signed_out(&self, service: &mut ServiceSession) {
        let refused = self.refresh(&service.refresh_token).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert!(refused.body.contains("invalid_grant"), "{}", refused.body);
        assert_eq!(service.browser.get("/account").await.location(), "/sign-in");
        let mut token = None;
        for _ in 0..60 {
            token = self.received.lock().unwrap().first().cloned();
            if token.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let token = token.expect("a logout token reached the service");
        let (header, claims) = self.verify(&token).await;
        assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
        assert_eq!(claims["sid"], service.sid.as_str());
        assert_eq!(claims["sub"], service.sub.as_str());
        assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    }

    async fn count(&self, sql: &str, id: &str) -> i64 {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(id)
            .fetch_one(self.app.state.db.pool())
            .await
            .unwrap()
            .try_get::<i64, _>(0)
            .unwrap()
    }
}

macro_rules! account_tests {
    ($(async fn $name:ident($env:ident: Env) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn run($env: Env) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() { run(Env::start(Backend::Embedded).await).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_redis() {
                if support::real_servers_available(concat!(module_path!())).await {
                    run(Env::start(Backend::PostgresRedis).await).await
                }
            }
        }
    )*};
}

account_tests! {
    async fn changing_the_password_ends_every_other_session(env: Env) {
        let mut service = env.service_session().await;
        let mut browser = env.signed_in().await;
        let form = browser.get("/account/change-password").await;
        form.assert(StatusCode::OK, "Change your password");
        // Field errors: empty, too long, too weak, not confirmed, not different.
        let empty = browser.fill("/account/change-password", &[("current-password", ""), ("password", ""), ("confirm-password", "")]).await;
        empty.assert(StatusCode::BAD_REQUEST, "Enter your password").assert(StatusCode::BAD_REQUEST, "href=\"#current-password\"");
        assert!(empty.title().starts_with("Error: "));
        let long = "a".repeat(300);
        browser.fill("/account/change-password", &[("current-password", &long), ("password", NEW_PASSWORD), ("confirm-password", NEW_PASSWORD)]).await
            .assert(StatusCode::BAD_REQUEST, "256 characters or fewer");
        browser.fill("/account/change-password", &[("current-password", PASSWORD), ("password", "password"), ("confirm-password", "password")]).await
            .assert(StatusCode::BAD_REQUEST, "href=\"#password\"");
        browser.fill("/account/change-password", &[("current-password", "wrong password here"), ("password", NEW_PASSWORD), ("confirm-password", NEW_PASSWORD)]).await
            .assert(StatusCode::BAD_REQUEST, "The password is not correct");
        browser.fill("/account/change-password", &[("current-password", PASSWORD), ("password", PASSWORD), ("confirm-password", PASSWORD)]).await
            .assert(StatusCode::BAD_REQUEST, "must be different from your current password");
        assert!(env.app.mail.to(EMAIL).iter().all(|m| !m.subject.contains("password has changed")));

        let done = browser.fill("/account/change-password", &[("current-password", PASSWORD), ("password", NEW_PASSWORD), ("confirm-password", NEW_PASSWORD)]).await;
        done.assert_redirect("/account/changed/password");
        browser.get("/account/changed/password").await.assert(StatusCode::OK, "You have changed your password");
        env.assert_service_signed_out(&mut service).await;
        assert_eq!(browser.get("/account").await.status, StatusCode::OK, "this session is kept");
        assert!(env.app.mail.to(EMAIL).iter().any(|m| m.subject == "Your GOV.UK One Login password has changed"));
        for mail in env.app.mail.sent.lock().unwrap().iter() {
            assert!(!mail.body.contains(NEW_PASSWORD) && !mail.body.contains(PASSWORD));
        }
        // The old password no longer signs in; the new one does.
        let mut fresh = env.app.browser();
        fresh.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await.assert(StatusCode::BAD_REQUEST, "Incorrect");
        fresh.fill("/sign-in", &[("email", EMAIL), ("password", NEW_PASSWORD)]).await.assert_redirect("/sign-in/authenticator-code");
        let id = env.account_id(EMAIL).await;
        let kinds: Vec<AuditKind> = env.app.state.db.audit().recent(&id, 50).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&AuditKind::PasswordChanged));
    }

    async fn changing_the_authenticator_app(env: Env) {
        let mut service = env.service_session().await;
        let mut browser = env.signed_in().await;
        // The new app's page cannot be reached before the current app's code.
        browser.get("/account/change-authenticator-app/new").await.assert_redirect("/account/change-authenticator-app");
        let form = browser.get("/account/change-authenticator-app").await;
        form.assert(StatusCode::OK, "Change your authenticator app").assert(StatusCode::OK, "href=\"/lost-authenticator-app\"");
        browser.fill("/account/change-authenticator-app", &[("code", "")]).await.assert(StatusCode::BAD_REQUEST, "Enter the security code");
        browser.fill("/account/change-authenticator-app", &[("code", "12ab56")]).await.assert(StatusCode::BAD_REQUEST, "6 digits");
        browser.fill("/account/change-authenticator-app", &[("code", &"1".repeat(300))]).await.assert(StatusCode::BAD_REQUEST, "6 digits");
        let current = env.app.totp_now(&env.totp);
        let wrong = if current == "000000" { "111111" } else { "000000" };
        browser.fill("/account/change-authenticator-app", &[("code", wrong)]).await.assert(StatusCode::BAD_REQUEST, "not correct");
        env.app.next_totp_step();
        let code = env.app.totp_now(&env.totp);
        browser.fill("/account/change-authenticator-app", &[("code", &code)]).await.assert_redirect("/account/change-authenticator-app/new");
        let setup = browser.get("/account/change-authenticator-app/new").await;
        setup.assert(StatusCode::OK, "data:image/svg+xml;base64,");
        let marker = "id=\"secret-key\">";
        let start = setup.body.find(marker).unwrap() + marker.len();
        let end = setup.body[start..].find('<').unwrap() + start;
        let new_secret: String = setup.body[start..end].split_whitespace().collect();
        assert_ne!(new_secret, env.totp);
        // The old app's code does not confirm the new app.
        env.app.next_totp_step();
        browser.fill("/account/change-authenticator-app/new", &[("code", &env.app.totp_now(&env.totp))]).await.assert(StatusCode::BAD_REQUEST, "not correct");
        let done = browser.fill("/account/change-authenticator-app/new", &[("code", &env.app.totp_now(&new_secret))]).await;
        done.assert_redirect("/account/changed/authenticator-app");
        browser.get("/account/changed/authenticator-app").await.assert(StatusCode::OK, "You have changed your authenticator app");
        env.assert_service_signed_out(&mut service).await;
        assert_eq!(browser.get("/account").await.status, StatusCode::OK);
        assert!(env.app.mail.to(EMAIL).iter().any(|m| m.subject == "Your GOV.UK One Login authenticator app has changed"));
        let stored = env.app.account(EMAIL).await;
        assert_eq!(stored.totp_secret.as_deref(), Some(new_secret.as_str()));
        // Signing in takes the new app's codes only.
        env.app.next_totp_step();
        let mut old_app = env.app.browser();
        old_app.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await;
        old_app.fill("/sign-in/authenticator-code", &[("code", &env.app.totp_now(&env.totp))]).await.assert(StatusCode::BAD_REQUEST, "not correct");
        old_app.fill("/sign-in/authenticator-code", &[("code", &env.app.totp_now(&new_secret))]).await.assert_redirect("/account");
    }

    async fn changes_after_fifteen_minutes_ask_for_the_password_again(env: Env) {
        let mut browser = env.signed_in().await;
        browser.get("/account/change-email").await.assert(StatusCode::OK, "Change your email address");
        env.app.clock.advance(Duration::from_secs(16 * 60));
        for page in ["/account/change-email", "/account/change-authenticator-app"] {
            browser.get(page).await.assert_redirect(&format!("/account/confirm-password?next={page}"));
        }
        // The form posted after the sign-in went stale is refused the same way.
        let token = browser.get("/account").await.csrf();
        browser.post("/account/change-email", &[("csrf_token", &token), ("email", "new@example.com")]).await
            .assert_redirect("/account/confirm-password?next=/account/change-email");
        assert!(env.app.mail.to("new@example.com").is_empty());
        let form = browser.get("/account/confirm-password?next=/account/change-authenticator-app").await;
        form.assert(StatusCode::OK, "Enter your password to continue");
        assert_eq!(form.field("next").as_deref(), Some("/account/change-authenticator-app"));
        // Only the account's own pages are returned to.
        let elsewhere = browser.get("/account/confirm-password?next=https://evil.example/").await;
        assert_eq!(elsewhere.field("next").as_deref(), Some("/account"));
        browser.fill("/account/confirm-password?next=/account/change-email", &[("password", ""), ("next", "/account/change-email")]).await
            .assert(StatusCode::BAD_REQUEST, "Enter your password");
        browser.fill("/account/confirm-password?next=/account/change-email", &[("password", "not the password"), ("next", "/account/change-email")]).await
            .assert(StatusCode::BAD_REQUEST, "The password is not correct");
        let cookie = browser.cookies.get("one-login-session").cloned();
        browser.fill("/account/confirm-password?next=/account/change-email", &[("password", PASSWORD), ("next", "/account/change-email")]).await
            .assert_redirect("/account/change-email");
        assert_ne!(browser.cookies.get("one-login-session").cloned(), cookie, "a new session id after the password (ASVS 7.2.4)");
        browser.get("/account/change-email").await.assert(StatusCode::OK, "Change your email address");
        browser.get("/account/change-authenticator-app").await.assert(StatusCode::OK, "Change your authenticator app");
    }

    async fn changing_the_email_address(env: Env) {
        let other_totp = env.app.create_account("bob@example.com", PASSWORD).await;
        let mut service = env.service_session().await;
        let mut browser = env.signed_in().await;
        browser.fill("/account/change-email", &[("email", "")]).await.assert(StatusCode::BAD_REQUEST, "Enter your email address");
        browser.fill("/account/change-email", &[("email", "not an address")]).await.assert(StatusCode::BAD_REQUEST, "correct format");
        let long = format!("{}@example.com", "a".repeat(300));
        browser.fill("/account/change-email", &[("email", &long)]).await.assert(StatusCode::BAD_REQUEST, "256 characters or fewer");
        browser.fill("/account/change-email", &[("email", "ADA@example.com")]).await.assert(StatusCode::BAD_REQUEST, "different from the one you use now");
        // Another account's address: the same next page; only that inbox is told, with no code.
        browser.fill("/account/change-email", &[("email", "bob@example.com")]).await.assert_redirect("/account/change-email/check-email");
        let taken = app_mail_subjects(&env, "bob@example.com");
        assert_eq!(taken, ["This email address already has a GOV.UK One Login"]);
        browser.fill("/account/change-email/check-email", &[("code", "123456")]).await.assert(StatusCode::BAD_REQUEST, "not correct");

        browser.fill("/account/change-email", &[("email", "ada.lovelace@example.com")]).await.assert_redirect("/account/change-email/check-email");
        browser.get("/account/change-email/check-email").await.assert(StatusCode::OK, "ada.lovelace@example.com");
        let code = env.app.mail.last_code("ada.lovelace@example.com");
        browser.fill("/account/change-email/check-email", &[("code", "")]).await.assert(StatusCode::BAD_REQUEST, "Enter the code");
        browser.fill("/account/change-email/check-email", &[("code", "12")]).await.assert(StatusCode::BAD_REQUEST, "6 digits");
        let wrong = if code == "999999" { "999998" } else { "999999" };
        browser.fill("/account/change-email/check-email", &[("code", wrong)]).await.assert(StatusCode::BAD_REQUEST, "not correct");
        assert_eq!(env.app.state.db.accounts().find_by_email(EMAIL).await.unwrap().map(|a| a.email).as_deref(), Some(EMAIL), "nothing changes before the code");
        let done = browser.fill("/account/change-email/check-email", &[("code", &code)]).await;
        done.assert_redirect("/account/changed/email");
        browser.get("/account/changed/email").await.assert(StatusCode::OK, "You now sign in with ada.lovelace@example.com");
        assert!(env.app.state.db.accounts().find_by_email(EMAIL).await.unwrap().is_none());
        let moved = env.app.account("ada.lovelace@example.com").await;
        assert!(moved.email_verified_at.is_some());
        assert_eq!(app_mail_subjects(&env, EMAIL).last().map(String::as_str), Some("Your GOV.UK One Login email address has changed"));
        assert!(!env.app.mail.to(EMAIL).last().unwrap().body.contains("ada.lovelace"), "the old inbox is not told the new address");
        assert_eq!(app_mail_subjects(&env, "ada.lovelace@example.com").last().map(String::as_str), Some("This is now your GOV.UK One Login email address"));
        // The code worked once; the account page shows the new address.
        browser.get("/account").await.assert(StatusCode::OK, "ada.lovelace@example.com");
        browser.get("/account/change-email/check-email").await.assert_redirect("/account/change-email");
        env.assert_service_signed_out(&mut service).await;
        // Sign-in takes the new address; the other account is untouched.
        env.app.next_totp_step();
        let mut fresh = env.app.browser();
        fresh.sign_in(&env.app, "ada.lovelace@example.com", PASSWORD, &env.totp).await;
        let mut bob = env.app.browser();
        bob.sign_in(&env.app, "bob@example.com", PASSWORD, &other_totp).await;
    }

    async fn reporting_activity(env: Env) {
        let mut service = env.service_session().await;
        let mut browser = env.signed_in().await;
        let id = env.account_id(EMAIL).await;
        let account = browser.get("/account").await;
        account.assert(StatusCode::OK, "Report this");
        let events = env.app.state.db.audit().recent(&id, 50).await.unwrap();
        let signed_in = events.iter().find(|e| e.kind == AuditKind::SignedIn).unwrap();
        assert!(account.body.contains(&format!("/account/report?event={}", signed_in.id)));
        // Another account's event, or none, is not found.
        let bob = env.app.create_account_with("bob@example.com", PASSWORD, None).await;
        let bobs = env.app.state.db.audit().recent(&bob, 1).await.unwrap()[0].id;
        assert_eq!(browser.get(&format!("/account/report?event={bobs}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(browser.get("/account/report?event=x").await.status, StatusCode::NOT_FOUND);
        let confirm = browser.get(&format!("/account/report?event={}", signed_in.id)).await;
        confirm.assert(StatusCode::OK, "Report activity you do not recognise").assert(StatusCode::OK, "Signed in");
        // CSRF: a forged form changes nothing.
        let forged = browser.post("/account/report", &[("csrf_token", "forged"), ("event", &signed_in.id.to_string())]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(service.browser.get("/account").await.status, StatusCode::OK);
        let done = browser.post("/account/report", &[("csrf_token", &confirm.csrf()), ("event", &signed_in.id.to_string())]).await;
        done.assert_redirect("/account/changed/reported");
        browser.get("/account/changed/reported").await.assert(StatusCode::OK, "We have secured your GOV.UK One Login").assert(StatusCode::OK, "href=\"/account/change-password\"");
        env.assert_service_signed_out(&mut service).await;
        browser.get("/account/change-password").await.assert(StatusCode::OK, "Change your password");
        let reported = env.app.state.db.audit().recent(&id, 1).await.unwrap();
        assert_eq!(reported[0].kind, AuditKind::ActivityReported);
    }

    async fn closing_the_account_deletes_it_and_the_address_can_start_again(env: Env) {
        let mut service = env.service_session().await;
        let mut browser = env.signed_in().await;
        let id = env.account_id(EMAIL).await;
        let state = &env.app.state;
        // Identity evidence and a record, to see them go.
        state.db.identity().add_credential(&StoredCredential {
            id: "credential-1".into(), account_id: id.clone(), source: "passport".into(),
            sealed: "sealed".into(), created_at: env.now(), expires_at: env.now() + 1000,
        }).await.unwrap();
        state.db.identity().set_record(&IdentityRecord {
            account_id: id.clone(), level: "P2".into(), credential_ids: vec!["credential-1".into()],
            proven_at: env.now(), expires_at: env.now() + 1000,
        }).await.unwrap();
        let client = state.oidc.clients.get("listening").unwrap();
        let old_sub = state.oidc.subject_for(&client, &id);
        assert_eq!(old_sub, service.sub);

        let page = browser.get("/account/close").await;
        page.assert(StatusCode::OK, "Close your GOV.UK One Login").assert(StatusCode::OK, "You cannot undo this");
        browser.fill("/account/close", &[("password", "")]).await.assert(StatusCode::BAD_REQUEST, "Enter your password");
        browser.fill("/account/close", &[("password", &"x".repeat(257))]).await.assert(StatusCode::BAD_REQUEST, "256 characters or fewer");
        browser.fill("/account/close", &[("password", "not the password")]).await.assert(StatusCode::BAD_REQUEST, "The password is not correct");
        assert_eq!(env.count("SELECT COUNT(*) FROM accounts WHERE id = $1", &id).await, 1);
        let done = browser.fill("/account/close", &[("password", PASSWORD)]).await;
        done.assert_redirect("/account/closed");
        browser.get("/account/closed").await.assert(StatusCode::OK, "Your GOV.UK One Login is closed");
        assert_eq!(browser.get("/account").await.location(), "/sign-in", "this session ended too");
        env.assert_service_signed_out(&mut service).await;
        for table in ["accounts WHERE id", "consents WHERE account_id", "refresh_tokens WHERE account_id",
                      "identity_credentials WHERE account_id", "identity_records WHERE account_id"] {
            assert_eq!(env.count(&format!("SELECT COUNT(*) FROM {table} = $1"), &id).await, 0, "{table}");
        }
        assert_eq!(env.count("SELECT COUNT(*) FROM retired_accounts WHERE account_id = $1", &id).await, 1);
        // The audit log keeps what happened under the id, without the client addresses.
        let events = state.db.audit().recent(&id, 50).await.unwrap();
        assert_eq!(events[0].kind, AuditKind::AccountClosed);
        assert!(events.iter().any(|e| e.kind == AuditKind::SignedIn));
        assert!(events.iter().all(|e| e.client_ip.is_none()), "{events:?}");
        // Any other change to the log is still refused.
        assert!(sqlx::query("UPDATE audit_events SET kind = 'signed_out' WHERE account_id = $1").bind(&id).execute(state.db.pool()).await.is_err());
        assert!(sqlx::query("DELETE FROM audit_events WHERE account_id = $1").bind(&id).execute(state.db.pool()).await.is_err());
        assert_eq!(app_mail_subjects(&env, EMAIL).last().map(String::as_str), Some("Your GOV.UK One Login is closed"));
        let mut old = env.app.browser();
        old.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)]).await.assert(StatusCode::BAD_REQUEST, "Incorrect");

        // The same address makes a new account, with a new id and new pairwise subjects.
        let mut again = env.app.browser();
        again.fill("/create-account", &[("email", EMAIL)]).await.assert_redirect("/create-account/check-email");
        let code = env.app.mail.last_code(EMAIL);
        again.fill("/create-account/check-email", &[("code", &code)]).await.assert_redirect("/create-account/password");
        again.fill("/create-account/password", &[("password", PASSWORD), ("confirm-password", PASSWORD)]).await;
        let setup = again.get("/create-account/authenticator-app").await;
        let marker = "id=\"secret-key\">";
        let start = setup.body.find(marker).unwrap() + marker.len();
        let end = setup.body[start..].find('<').unwrap() + start;
        let secret: String = setup.body[start..end].split_whitespace().collect();
        again.fill("/create-account/authenticator-app", &[("code", &env.app.totp_now(&secret))]).await.assert_redirect("/account");
        let new_id = env.account_id(EMAIL).await;
        assert_ne!(new_id, id);
        assert_ne!(state.oidc.subject_for(&client, &new_id), old_sub);
        assert!(!again.get("/account").await.body.contains("Account closed"), "the old history is not the new account's");
    }

    // OpenID Connect Core §8: a closed account's id, and so its pairwise subjects, are never
    // given to another account, even if chosen again.
    async fn a_retired_account_id_is_never_reused(env: Env) {
        let state = &env.app.state;
        let id = env.account_id(EMAIL).await;
        let ended = one_login_core::accounts::closure::close(
            &one_login_core::accounts::access::AccountAccess {
                sessions: &state.sessions, provider: &state.oidc, store: state.ephemeral.as_ref(), db: &state.db,
            },
            &id,
            state.clock.unix_millis(),
        ).await.unwrap();
        assert_eq!(ended.map(|e| e.sessions), Some(0));
        let new = |email: &str| NewAccount {
            email: email.into(), password_hash: "$argon2id$x".into(), totp_secret: None, email_verified: true, now: env.now(),
        };
        let event = || AuditEvent::new(AuditKind::AccountCreated, None, env.now());
        let fresh = uuid::Uuid::new_v4().to_string();
        let created = state.db.accounts().create_with_ids(new("carol@example.com"), event(), [id.clone(), fresh.clone()]).await.unwrap();
        assert_eq!(created.id, fresh, "the retired id was passed over");
        assert!(state.db.accounts().create_with_ids(new("dan@example.com"), event(), [id.clone()]).await.is_err());
        assert!(state.db.accounts().find(&id).await.unwrap().is_none());
        // Closing it again finds nothing to close.
        let access = one_login_core::accounts::access::AccountAccess {
            sessions: &state.sessions, provider: &state.oidc, store: state.ephemeral.as_ref(), db: &state.db,
        };
        assert!(one_login_core::accounts::closure::close(&access, &id, state.clock.unix_millis()).await.unwrap().is_none());
        // Moving an account to another account's address is refused, whatever its case.
        let other = state.db.accounts().create(new("erin@example.com"), event()).await.unwrap();
        let moved = AuditEvent::new(AuditKind::EmailChanged, Some(&other.id), env.now());
        assert!(matches!(
            state.db.accounts().change_email(&other.id, "CAROL@example.com", &moved).await,
            Err(one_login_store::error::Error::Refused(one_login_store::error::Refusal::EmailTaken))
        ));
        assert_eq!(state.db.accounts().find(&other.id).await.unwrap().unwrap().email, "erin@example.com");
    }
}

fn app_mail_subjects(env: &Env, to: &str) -> Vec<String> {
    env.app.mail.to(to).into_iter().map(|m| m.subject).collect()
}

configured_backend_tests! {
    // Codes sent to one new address are limited whoever asks, not only per client address: the
    // account pages must not flood someone's inbox (checklist 80).
    #[config("[rate_limits]\nforms = 3")]
    async fn codes_to_one_new_address_are_limited_whoever_asks(app: TestApp) {
        let ada = app.create_account(EMAIL, PASSWORD).await;
        let bob = app.create_account("bob@example.com", PASSWORD).await;
        let mut first = Browser::new(app.router.clone(), "198.51.100.1:1000");
        first.sign_in(&app, EMAIL, PASSWORD, &ada).await;
        let mut second = Browser::new(app.router.clone(), "198.51.100.2:1000");
        app.next_totp_step();
        second.sign_in(&app, "bob@example.com", PASSWORD, &bob).await;
        let to = |email: &'static str| [("email", email)];
        for (browser, times) in [(&mut first, 2), (&mut second, 1)] {
            for _ in 0..times {
                browser.fill("/account/change-email", &to("target@example.com")).await.assert_redirect("/account/change-email/check-email");
            }
        }
        let refused = second.fill("/account/change-email", &to("target@example.com")).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
        assert_eq!(app.mail.to("target@example.com").len(), 3);
        // The same client address may still ask for a code to another address.
        second.fill("/account/change-email", &to("other@example.com")).await.assert_redirect("/account/change-email/check-email");
    }
}
