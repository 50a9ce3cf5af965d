//! Passkeys through the router (issue 17 §1), on both storage pairs, with a software
//! authenticator (`accounts::soft_authenticator`) in place of the browser's: adding one on the
//! account pages, signing in with it alone and as the second factor, and the refusals a browser
//! test cannot reach (a replayed response, a ceremony for another account, no response at all).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use one_login_core::accounts::soft_authenticator::SoftAuthenticator;
use one_login_store::AuditKind;
use serde_json::Value;
use sqlx::Row;
use support::{Browser, Page, TestApp};

const PASSWORD: &str = "correct horse battery staple";
const EMAIL: &str = "ada@example.com";

fn origin(app: &TestApp) -> String {
    app.state.config.issuer.trim_end_matches('/').to_owned()
}

/// POSTs to an options endpoint with the CSRF token of `page`; the ceremony id and options.
async fn options(browser: &mut Browser, path: &str, page: &Page) -> (String, Value) {
    let answer = browser.post(path, &[("csrf_token", &page.csrf())]).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    let json: Value = serde_json::from_str(&answer.body).unwrap();
    (
        json["ceremony"].as_str().unwrap().to_owned(),
        json["options"].clone(),
    )
}

/// Adds a passkey named `name` on the account pages of a signed-in browser.
async fn add_passkey(browser: &mut Browser, authenticator: &mut SoftAuthenticator, name: &str) {
    let page = browser.get("/account/passkeys").await;
    page.assert(StatusCode::OK, "Add a passkey");
    let (ceremony, options) = options(browser, "/account/passkeys/options", &page).await;
    let response = authenticator.create(&options).unwrap().to_string();
    let fields = [
        ("csrf_token", page.csrf()),
        ("name", name.to_owned()),
        ("ceremony", ceremony),
        ("credential", response),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser
        .post("/account/passkeys", &fields)
        .await
        .assert_redirect("/account/passkeys");
}

/// The passkey form of `page` (a sign-in page) answered by `authenticator`: the fields to post.
async fn assertion(
    browser: &mut Browser,
    authenticator: &mut SoftAuthenticator,
    page: &Page,
) -> Vec<(String, String)> {
    let (ceremony, options) = options(browser, "/sign-in/passkey/options", page).await;
    let response = authenticator.get(&options).unwrap().to_string();
    vec![
        ("csrf_token".into(), page.csrf()),
        ("ceremony".into(), ceremony),
        ("credential".into(), response),
    ]
}

async fn post_owned(browser: &mut Browser, path: &str, fields: &[(String, String)]) -> Page {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post(path, &fields).await
}

/// The details of the audit events of `kind` of the account of `email`, oldest first.
async fn audit_details_of(app: &TestApp, email: &str, kind: AuditKind) -> Vec<String> {
    let account = app.account(email).await;
    let rows = sqlx::query(
        "SELECT detail FROM audit_events WHERE account_id = $1 AND kind = $2 ORDER BY id",
    )
    .bind(&account.id)
    .bind(kind.as_str())
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|row| {
            row.try_get::<Option<String>, _>("detail")
                .unwrap()
                .unwrap_or_default()
        })
        .collect()
}

/// The details of Ada's audit events of `kind`, oldest first.
async fn audit_details(app: &TestApp, kind: AuditKind) -> Vec<String> {
    audit_details_of(app, EMAIL, kind).await
}

backend_tests! {
    async fn a_passkey_signs_in_alone_once_per_response_and_a_cloned_one_is_refused(app: TestApp) {
        let totp = app.create_account(EMAIL, PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, EMAIL, PASSWORD, &totp).await;

        // The creation options: a discoverable credential, verified, no attestation, for the
        // issuer's host.
        let page = browser.get("/account/passkeys").await;
        let (_, creation) = options(&mut browser, "/account/passkeys/options", &page).await;
        let key = &creation["publicKey"];
        assert_eq!(key["rp"]["id"], "localhost");
        assert_eq!(key["attestation"], "none");
        assert_eq!(key["authenticatorSelection"]["residentKey"], "required");
        assert_eq!(key["authenticatorSelection"]["userVerification"], "required");

        let mut authenticator = SoftAuthenticator::new(&origin(&app)).unwrap();
        add_passkey(&mut browser, &mut authenticator, "My phone").await;
        browser.get("/account/passkeys").await.assert(StatusCode::OK, "My phone");
        assert_eq!(audit_details(&app, AuditKind::PasskeyAdded).await, [authenticator.credential_id()]);

        // Alone, on a new browser: signed in at Cl.Cm (the account page demands it).
        let mut other = app.browser();
        let page = other.get("/sign-in").await;
        page.assert(StatusCode::OK, "Sign in with a passkey");
        let fields = assertion(&mut other, &mut authenticator, &page).await;
        post_owned(&mut other, "/sign-in/passkey", &fields).await.assert_redirect("/account");
        other.get("/account").await.assert(StatusCode::OK, "Passkeys");

        // The same response again, from another browser (with its own CSRF token): its
        // ceremony is used up.
        let mut replayer = app.browser();
        let page = replayer.get("/sign-in").await;
        let mut fields = fields;
        fields[0].1 = page.csrf();
        post_owned(&mut replayer, "/sign-in/passkey", &fields)
            .await
            .assert(StatusCode::BAD_REQUEST, "We could not check that passkey");
        replayer.get("/account").await.assert_redirect("/sign-in");

        // A copy of the key whose counter is behind the one stored: refused, and recorded.
        let mut clone = authenticator.clone();
        clone.counter = 0;
        let page = replayer.get("/sign-in").await;
        let fields = assertion(&mut replayer, &mut clone, &page).await;
        post_owned(&mut replayer, "/sign-in/passkey", &fields)
            .await
            .assert(StatusCode::BAD_REQUEST, "We could not check that passkey");
        replayer.get("/account").await.assert_redirect("/sign-in");
        let failed = audit_details(&app, AuditKind::SignInFailed).await;
        assert!(failed.iter().any(|d| d.contains("cloned")), "{failed:?}");

        // The genuine authenticator still signs in.
        let page = replayer.get("/sign-in").await;
        let fields = assertion(&mut replayer, &mut authenticator, &page).await;
        post_owned(&mut replayer, "/sign-in/passkey", &fields).await.assert_redirect("/account");
    }

    async fn a_passkey_is_the_second_factor_after_the_password_of_its_own_account(app: TestApp) {
        let totp = app.create_account(EMAIL, PASSWORD).await;
        let bob_totp = app.create_account("bob@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, EMAIL, PASSWORD, &totp).await;
        let mut ada = SoftAuthenticator::new(&origin(&app)).unwrap();
        add_passkey(&mut browser, &mut ada, "Laptop").await;

        // Bob's password, then Ada's passkey: refused.
        let mut bob = app.browser();
        bob.fill("/sign-in", &[("email", "bob@example.com"), ("password", PASSWORD)])
            .await
            .assert_redirect("/sign-in/authenticator-code");
        let page = bob.get("/sign-in/authenticator-code").await;
        assert!(!page.body.contains("Use a passkey"), "Bob has no passkey to offer");
        let fields = assertion(&mut bob, &mut ada, &page).await;
        post_owned(&mut bob, "/sign-in/passkey", &fields)
            .await
            .assert(StatusCode::BAD_REQUEST, "We could not check that passkey");
        bob.get("/account").await.assert_redirect("/sign-in");
        let _ = bob_totp;
        // Refused before its use was recorded: Ada's passkey has its counter as it was, and
        // the failure is Bob's second factor.
        let stored = app.state.db.passkeys().find(&ada.credential_id()).await.unwrap().unwrap();
        assert_eq!((stored.sign_count, stored.last_used_at), (0, None));
        let failed = audit_details_of(&app, "bob@example.com", AuditKind::SignInFailed).await;
        assert_eq!(failed, ["passkey: another account's passkey after this one's password"]);

        // Ada's password, then her passkey instead of the code.
        let mut again = app.browser();
        again.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)])
            .await
            .assert_redirect("/sign-in/authenticator-code");
        let page = again.get("/sign-in/authenticator-code").await;
        page.assert(StatusCode::OK, "Use a passkey");
        let fields = assertion(&mut again, &mut ada, &page).await;
        post_owned(&mut again, "/sign-in/passkey", &fields).await.assert_redirect("/account");
        again.get("/account").await.assert(StatusCode::OK, EMAIL);
    }

    async fn removing_a_passkey_needs_a_recent_sign_in_and_ends_its_use(app: TestApp) {
        let totp = app.create_account(EMAIL, PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, EMAIL, PASSWORD, &totp).await;
        let mut authenticator = SoftAuthenticator::new(&origin(&app)).unwrap();
        add_passkey(&mut browser, &mut authenticator, "Phone").await;
        let page = browser.get("/account/passkeys").await;
        let csrf = page.csrf();

        app.clock.advance(Duration::from_secs(16 * 60));
        let id = authenticator.credential_id();
        let remove = [("csrf_token", csrf.as_str()), ("credential_id", id.as_str())];
        browser
            .post("/account/passkeys/remove", &remove)
            .await
            .assert_redirect("/account/confirm-password?next=/account/passkeys");
        browser
            .fill("/account/confirm-password", &[("password", PASSWORD), ("next", "/account/passkeys")])
            .await
            .assert_redirect("/account/passkeys");
        let page = browser.get("/account/passkeys").await;
        let remove = [("csrf_token", page.csrf()), ("credential_id", id.clone())];
        let remove: Vec<(&str, &str)> = remove.iter().map(|(k, v)| (*k, v.as_str())).collect();
        browser.post("/account/passkeys/remove", &remove).await.assert_redirect("/account/passkeys");
        browser.get("/account/passkeys").await.assert(StatusCode::OK, "You have not added a passkey yet");
        assert_eq!(audit_details(&app, AuditKind::PasskeyRemoved).await, [id]);

        let mut other = app.browser();
        let page = other.get("/sign-in").await;
        let fields = assertion(&mut other, &mut authenticator, &page).await;
        post_owned(&mut other, "/sign-in/passkey", &fields)
            .await
            .assert(StatusCode::BAD_REQUEST, "We could not check that passkey");
    }

    // Like a new password or app (`replace_credential`): adding or removing a passkey ends
    // every other session and tells the citizen by email, in the language of their page.
    async fn adding_or_removing_a_passkey_ends_other_sessions_and_emails_the_citizen(app: TestApp) {
        let totp = app.create_account(EMAIL, PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, EMAIL, PASSWORD, &totp).await;
        let mut elsewhere = app.browser();
        app.next_totp_step();
        elsewhere.sign_in(&app, EMAIL, PASSWORD, &totp).await;

        let mut authenticator = SoftAuthenticator::new(&origin(&app)).unwrap();
        add_passkey(&mut browser, &mut authenticator, "My phone").await;
        let told = app.mail.to(EMAIL).pop().unwrap();
        assert_eq!(told.subject, "A passkey was added to your GOV.UK One Login");
        assert!(told.body.contains("A passkey called “My phone” was added"), "{}", told.body);
        elsewhere.get("/account").await.assert_redirect("/sign-in");
        browser.get("/account").await.assert(StatusCode::OK, "Passkeys");

        // Signed in elsewhere again, with the passkey; then it is removed, on a Welsh page.
        let page = elsewhere.get("/sign-in").await;
        let fields = assertion(&mut elsewhere, &mut authenticator, &page).await;
        post_owned(&mut elsewhere, "/sign-in/passkey", &fields).await.assert_redirect("/account");
        browser.get("/account/passkeys?lang=cy").await.assert_redirect("/account/passkeys");
        let page = browser.get("/account/passkeys").await;
        let remove = [("csrf_token", page.csrf()), ("credential_id", authenticator.credential_id())];
        let remove: Vec<(&str, &str)> = remove.iter().map(|(k, v)| (*k, v.as_str())).collect();
        browser.post("/account/passkeys/remove", &remove).await.assert_redirect("/account/passkeys");
        let told = app.mail.to(EMAIL).pop().unwrap();
        assert_eq!(told.subject, "Mae allwedd mynediad wedi’i thynnu o’ch GOV.UK One Login");
        assert!(told.body.contains("Cafodd yr allwedd mynediad o’r enw “My phone” ei thynnu"), "{}", told.body);
        elsewhere.get("/account").await.assert_redirect("/sign-in");
        assert_eq!(browser.get("/account").await.status, StatusCode::OK, "the session in use stays");

        // Removing it again (as another browser might have, first): nothing to tell.
        let sent = app.mail.to(EMAIL).len();
        browser.post("/account/passkeys/remove", &remove).await.assert_redirect("/account/passkeys");
        assert_eq!(app.mail.to(EMAIL).len(), sent);
    }

    // A passkey signs in on its own: reporting the activity of its addition as not recognised
    // removes it, so whoever added it cannot sign straight back in.
    async fn reporting_a_passkey_not_recognised_removes_it(app: TestApp) {
        let totp = app.create_account(EMAIL, PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, EMAIL, PASSWORD, &totp).await;
        let mut authenticator = SoftAuthenticator::new(&origin(&app)).unwrap();
        add_passkey(&mut browser, &mut authenticator, "Not mine").await;
        let added: i64 = sqlx::query("SELECT id FROM audit_events WHERE kind = $1")
            .bind(AuditKind::PasskeyAdded.as_str())
            .fetch_one(app.state.db.pool())
            .await
            .unwrap()
            .try_get("id")
            .unwrap();
        let confirm = browser.get(&format!("/account/report?event={added}")).await;
        browser
            .post("/account/report", &[("csrf_token", &confirm.csrf()), ("event", &added.to_string())])
            .await
            .assert_redirect("/account/changed/reported");
        assert_eq!(audit_details(&app, AuditKind::PasskeyRemoved).await, ["1 passkeys removed"]);

        let mut other = app.browser();
        let page = other.get("/sign-in").await;
        let fields = assertion(&mut other, &mut authenticator, &page).await;
        post_owned(&mut other, "/sign-in/passkey", &fields)
            .await
            .assert(StatusCode::BAD_REQUEST, "We could not check that passkey");
        other.get("/account").await.assert_redirect("/sign-in");
    }

    async fn without_a_response_the_pages_say_passkeys_need_javascript(app: TestApp) {
        let totp = app.create_account(EMAIL, PASSWORD).await;
        let mut browser = app.browser();
        let page = browser.get("/sign-in").await;
        let csrf = page.csrf();
        browser
            .post("/sign-in/passkey", &[("csrf_token", &csrf), ("ceremony", ""), ("credential", "")])
            .await
            .assert(StatusCode::BAD_REQUEST, "Passkeys need JavaScript");
        // Nor does a response that is not JSON, or one for no ceremony, sign anyone in.
        browser
            .post("/sign-in/passkey", &[("csrf_token", &csrf), ("ceremony", "nope"), ("credential", "{")])
            .await
            .assert(StatusCode::BAD_REQUEST, "We could not check that passkey");
        // Without the CSRF token, not even the options.
        let refused = browser.post("/sign-in/passkey/options", &[]).await;
        assert_ne!(refused.status, StatusCode::OK);

        browser.sign_in(&app, EMAIL, PASSWORD, &totp).await;
        let page = browser.get("/account/passkeys").await;
        browser
            .post(
                "/account/passkeys",
                &[("csrf_token", &page.csrf()), ("name", "Phone"), ("ceremony", ""), ("credential", "")],
            )
            .await
            .assert(StatusCode::BAD_REQUEST, "Passkeys need JavaScript");
        browser
            .post(
                "/account/passkeys",
                &[("csrf_token", &page.csrf()), ("name", " "), ("ceremony", ""), ("credential", "")],
            )
            .await
            .assert(StatusCode::BAD_REQUEST, "Enter a name for your passkey");
        // The script is served, as JavaScript, from this origin.
        let script = browser.get("/assets/passkeys.js").await;
        assert_eq!(script.status, StatusCode::OK);
        assert!(script.body.contains("navigator.credentials"));
    }

    async fn a_registration_ceremony_is_the_account_s_own_and_used_once(app: TestApp) {
        let ada_totp = app.create_account(EMAIL, PASSWORD).await;
        let bob_totp = app.create_account("bob@example.com", PASSWORD).await;
        let mut ada = app.browser();
        ada.sign_in(&app, EMAIL, PASSWORD, &ada_totp).await;
        let mut bob = app.browser();
        app.next_totp_step();
        bob.sign_in(&app, "bob@example.com", PASSWORD, &bob_totp).await;

        // Ada's ceremony, answered, posted by Bob: not added to either account.
        let page = ada.get("/account/passkeys").await;
        let (ceremony, creation) = options(&mut ada, "/account/passkeys/options", &page).await;
        let mut authenticator = SoftAuthenticator::new(&origin(&app)).unwrap();
        let response = authenticator.create(&creation).unwrap().to_string();
        let bob_page = bob.get("/account/passkeys").await;
        let fields = [
            ("csrf_token", bob_page.csrf()),
            ("name", "Stolen".to_owned()),
            ("ceremony", ceremony.clone()),
            ("credential", response.clone()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        bob.post("/account/passkeys", &fields)
            .await
            .assert(StatusCode::BAD_REQUEST, "We could not add that passkey");
        // And the ceremony is spent: Ada cannot finish it now either.
        let fields = [
            ("csrf_token", page.csrf()),
            ("name", "Mine".to_owned()),
            ("ceremony", ceremony),
            ("credential", response),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        ada.post("/account/passkeys", &fields)
            .await
            .assert(StatusCode::BAD_REQUEST, "We could not add that passkey");
        assert!(audit_details(&app, AuditKind::PasskeyAdded).await.is_empty());
    }
}
