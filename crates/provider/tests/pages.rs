//! The citizen's pages through the router (`oneshot`), each test on both storage pairs:
//! SQLite + memory and PostgreSQL + Redis.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use one_login_store::AuditKind;
use support::{Browser, TestApp};

const PASSWORD: &str = "correct horse battery staple";

/// Runs the create-account journey up to the authenticator page; returns its secret.
async fn create_until_authenticator(app: &TestApp, browser: &mut Browser, email: &str) -> String {
    browser
        .fill("/create-account", &[("email", email)])
        .await
        .assert_redirect("/create-account/check-email");
    let code = app.mail.last_code(email);
    browser
        .fill("/create-account/check-email", &[("code", &code)])
        .await
        .assert_redirect("/create-account/password");
    browser
        .fill(
            "/create-account/password",
            &[("password", PASSWORD), ("confirm-password", PASSWORD)],
        )
        .await
        .assert_redirect("/create-account/authenticator-app");
    let page = browser.get("/create-account/authenticator-app").await;
    page.assert(StatusCode::OK, "Set up an authenticator app")
        .assert(StatusCode::OK, "data:image/svg+xml;base64,");
    page.shown_secret()
}

/// The answer sends the citizen to the page that says how long to wait.
#[track_caller]
fn assert_waits(page: &support::Page) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "body:\n{}", page.body);
    assert!(
        page.location().starts_with("/sign-in/locked?until="),
        "{}",
        page.location()
    );
}

fn session_cookie(browser: &Browser) -> String {
    browser
        .cookies
        .get("one-login-session")
        .cloned()
        .unwrap_or_default()
}

async fn activity(app: &TestApp, email: &str) -> Vec<AuditKind> {
    let account = app
        .state
        .db
        .accounts()
        .find_by_email(email)
        .await
        .unwrap()
        .unwrap();
    app.state
        .db
        .audit()
        .recent(&account.id, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

backend_tests! {
    async fn start_page_and_headers(app: TestApp) {
        let mut browser = app.browser();
        let page = browser.get("/").await;
        page.assert(StatusCode::OK, "Create your GOV.UK One Login");
        assert_eq!(page.title(), "Create your GOV.UK One Login or sign in - GOV.UK One Login - GOV.UK");
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
        assert_eq!(page.headers["cache-control"], "no-store");
        assert_eq!(page.headers["referrer-policy"], "no-referrer");
        assert_eq!(page.headers["x-frame-options"], "DENY");
        assert!(!page.body.contains("<script>"), "no inline script");
    }

    async fn create_account_end_to_end(app: TestApp) {
        let mut browser = app.browser();
        let secret = create_until_authenticator(&app, &mut browser, "ada@example.com").await;
        let before = session_cookie(&browser);
        let done = browser.fill("/create-account/authenticator-app", &[("code", &app.totp_now(&secret))]).await;
        done.assert_redirect("/account");
        assert_ne!(session_cookie(&browser), before, "session id rotated at sign-in (ASVS 7.2.4)");
        let account = browser.get("/account").await;
        account.assert(StatusCode::OK, "ada@example.com").assert(StatusCode::OK, "Account created");
        assert!(account.body.contains("Signed in"));
        let stored = app.state.db.accounts().find_by_email("ada@example.com").await.unwrap().unwrap();
        assert!(stored.password_hash.starts_with("$argon2id$"));
        assert_eq!(stored.totp_secret.as_deref(), Some(secret.as_str()));
        assert!(stored.email_verified_at.is_some());
        assert_eq!(activity(&app, "ada@example.com").await, [AuditKind::SignedIn, AuditKind::AccountCreated]);
        // Signed in now: the start and sign-in pages send the citizen to their account.
        browser.get("/").await;
        assert_eq!(browser.get("/sign-in").await.location(), "/account");
    }

    async fn the_setup_code_cannot_sign_in_again(app: TestApp) {
        let mut browser = app.browser();
        let secret = create_until_authenticator(&app, &mut browser, "ada@example.com").await;
        let code = app.totp_now(&secret);
        browser.fill("/create-account/authenticator-app", &[("code", &code)]).await.assert_redirect("/account");
        let mut other = app.browser();
        other.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
        other.fill("/sign-in/authenticator-code", &[("code", &code)]).await.assert(StatusCode::BAD_REQUEST, "not correct");
    }

    async fn an_existing_address_gets_the_same_pages_and_a_warning_email(app: TestApp) {
        app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.fill("/create-account", &[("email", "ADA@example.com")]).await.assert_redirect("/create-account/check-email");
        browser.get("/create-account/check-email").await.assert(StatusCode::OK, "We have sent a code to");
        let mail = app.mail.to("ADA@example.com");
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].subject, "You already have a GOV.UK One Login");
        assert!(!mail[0].body.contains("code"), "no code to an existing account: {}", mail[0].body);
        for guess in ["000000", "123456"] {
            browser.fill("/create-account/check-email", &[("code", guess)]).await.assert(StatusCode::BAD_REQUEST, "not correct");
        }
        assert_eq!(app.state.db.accounts().count().await.unwrap(), 1);
    }

    async fn email_field_errors(app: TestApp) {
        let mut browser = app.browser();
        let empty = browser.fill("/create-account", &[("email", "  ")]).await;
        empty.assert(StatusCode::BAD_REQUEST, "Enter your email address");
        assert!(empty.title().starts_with("Error: "), "{}", empty.title());
        assert!(empty.body.contains("href=\"#email\""), "error summary links to the field");
        assert!(empty.body.contains("aria-describedby=\"email-hint email-error\""));
        let bad = browser.fill("/create-account", &[("email", "<script>alert(1)</script>")]).await;
        bad.assert(StatusCode::BAD_REQUEST, "Enter an email address in the correct format");
        assert!(!bad.body.contains("<script>alert(1)"), "reflected input is escaped");
        assert!(bad.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || bad.body.contains("&#60;script&#62;"));
        let long = format!("{}@example.com", "a".repeat(300));
        browser.fill("/create-account", &[("email", &long)]).await.assert(StatusCode::BAD_REQUEST, "256 characters or fewer");
        assert!(app.mail.sent.lock().unwrap().is_empty());
    }

    async fn email_code_errors_expiry_and_exhaustion(app: TestApp) {
        let mut browser = app.browser();
        browser.fill("/create-account", &[("email", "ada@example.com")]).await;
        let code = app.mail.last_code("ada@example.com");
        let wrong = if code == "999999" { "999998" } else { "999999" };
        browser.fill("/create-account/check-email", &[("code", "")]).await.assert(StatusCode::BAD_REQUEST, "Enter the code");
        browser.fill("/create-account/check-email", &[("code", "12ab")]).await.assert(StatusCode::BAD_REQUEST, "which is 6 digits");
        for _ in 0..4 {
            browser.fill("/create-account/check-email", &[("code", wrong)]).await.assert(StatusCode::BAD_REQUEST, "not correct");
        }
        browser.fill("/create-account/check-email", &[("code", wrong)]).await.assert(StatusCode::OK, "wrong code too many times");
        // The journey starts again; the old code is void.
        assert_eq!(browser.get("/create-account/check-email").await.location(), "/create-account");

        browser.fill("/create-account", &[("email", "ada@example.com")]).await;
        let code = app.mail.last_code("ada@example.com");
        app.clock.advance(Duration::from_secs(16 * 60));
        browser.fill("/create-account/check-email", &[("code", &code)]).await.assert(StatusCode::BAD_REQUEST, "expired");
    }

    // Issue 11.3 ("reserve, then verify"): twenty wrong codes posted at once on one session get
    // no more tries than the limit, and the right code after them no longer works. (Twenty:
    // under the per-address rate limit, which would otherwise answer first.)
    async fn parallel_wrong_email_codes_get_no_more_tries_than_the_limit(app: TestApp) {
        let mut browser = app.browser();
        browser.fill("/create-account", &[("email", "ada@example.com")]).await;
        let code = app.mail.last_code("ada@example.com");
        let wrong = if code == "999999" { "999998" } else { "999999" };
        let token = browser.get("/create-account/check-email").await.csrf();
        let guesses: Vec<_> = (0..20)
            .map(|_| {
                let mut tab = browser.twin();
                let token = token.clone();
                tokio::spawn(async move {
                    tab.post("/create-account/check-email", &[("csrf_token", &token), ("code", wrong)]).await
                })
            })
            .collect();
        let mut checked = 0;
        for guess in guesses {
            if guess.await.unwrap().body.contains("not correct") {
                checked += 1;
            }
        }
        assert!(checked < 5, "{checked} wrong codes were checked");
        let page = browser.post("/create-account/check-email", &[("csrf_token", &token), ("code", &code)]).await;
        // The code is void: the page says so, or the journey has already gone back to the start.
        assert!(page.body.contains("wrong code too many times") || page.location() == "/create-account", "{}", page.body);
        assert_eq!(browser.get("/create-account/password").await.location(), "/create-account");
    }

    // Issue 11.3: requests in flight when the citizen signs out (each refreshing "last seen")
    // cannot bring the session back.
    async fn a_sign_out_cannot_be_undone_by_requests_in_flight(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        for _ in 0..5 {
            let mut browser = app.browser();
            browser.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
            app.next_totp_step();
            // Due for a "last seen" write on every request.
            app.clock.advance(Duration::from_secs(61));
            let token = browser.get("/account").await.csrf();
            app.clock.advance(Duration::from_secs(61));
            let signed_in = browser.twin();
            let mut requests: Vec<_> = (0..12)
                .map(|_| {
                    let mut tab = browser.twin();
                    tokio::spawn(async move { tab.get("/account").await.status })
                })
                .collect();
            let mut out = browser.twin();
            requests.push(tokio::spawn(async move {
                out.post("/sign-out", &[("csrf_token", &token)]).await.status
            }));
            for request in requests {
                request.await.unwrap();
            }
            let mut stale = signed_in.twin();
            assert_eq!(stale.get("/account").await.location(), "/sign-in", "the session stays ended");
        }
    }

    async fn password_rules_on_the_page(app: TestApp) {
        let mut browser = app.browser();
        browser.fill("/create-account", &[("email", "ada@example.com")]).await;
        let code = app.mail.last_code("ada@example.com");
        browser.fill("/create-account/check-email", &[("code", &code)]).await;
        let cases = [
            ("short", "short", "at least 8 characters"),
            ("password1", "password1", "very common passwords"),
            (PASSWORD, "something else entirely", "Enter the same password in both fields"),
            ("", "", "Enter a password"),
        ];
        for (password, confirm, message) in cases {
            let page = browser.fill("/create-account/password", &[("password", password), ("confirm-password", confirm)]).await;
            page.assert(StatusCode::BAD_REQUEST, message);
            // Password fields are never filled back in.
            assert!(password.is_empty() || !page.body.contains(&format!("value=\"{password}\"")));
        }
    }

    async fn pages_out_of_order_send_you_to_your_step(app: TestApp) {
        let mut browser = app.browser();
        for path in ["/create-account/check-email", "/create-account/password", "/create-account/authenticator-app"] {
            assert_eq!(browser.get(path).await.location(), "/create-account", "{path}");
        }
        browser.fill("/create-account", &[("email", "ada@example.com")]).await;
        assert_eq!(browser.get("/create-account/password").await.location(), "/create-account/check-email");
        assert_eq!(browser.get("/sign-in/authenticator-code").await.location(), "/sign-in");
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
    }

    async fn a_wrong_setup_code_creates_nothing(app: TestApp) {
        let mut browser = app.browser();
        let secret = create_until_authenticator(&app, &mut browser, "ada@example.com").await;
        let right = app.totp_now(&secret);
        let wrong = if right == "000000" { "111111" } else { "000000" };
        browser.fill("/create-account/authenticator-app", &[("code", wrong)]).await.assert(StatusCode::BAD_REQUEST, "not correct");
        browser.fill("/create-account/authenticator-app", &[("code", "12")]).await.assert(StatusCode::BAD_REQUEST, "6 digits");
        assert_eq!(app.state.db.accounts().count().await.unwrap(), 0);
        // The back button then forward again: the same secret is shown, the journey goes on.
        assert_eq!(browser.get("/create-account/authenticator-app").await.shown_secret(), secret);
    }

    async fn sign_in_with_password_and_code(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.get("/sign-in").await;
        let anonymous = session_cookie(&browser);
        browser.fill("/sign-in", &[("email", " ADA@example.com"), ("password", PASSWORD)]).await.assert_redirect("/sign-in/authenticator-code");
        let after_password = session_cookie(&browser);
        assert_ne!(after_password, anonymous);
        // Password alone ("Cl") is not enough for the account page.
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
        browser.fill("/sign-in/authenticator-code", &[("code", &app.totp_now(&secret))]).await.assert_redirect("/account");
        assert_ne!(session_cookie(&browser), after_password);
        browser.get("/account").await.assert(StatusCode::OK, "Your GOV.UK One Login");
        assert_eq!(activity(&app, "ada@example.com").await[0], AuditKind::SignedIn);
    }

    async fn unknown_account_and_wrong_password_look_the_same(app: TestApp) {
        app.create_account("ada@example.com", PASSWORD).await;
        let mut one = app.browser();
        let wrong = one.fill("/sign-in", &[("email", "ada@example.com"), ("password", "not the password")]).await;
        let mut two = app.browser();
        let unknown = two.fill("/sign-in", &[("email", "bob@example.com"), ("password", "not the password")]).await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        assert_eq!(wrong.status, unknown.status);
        let normalise = |page: &support::Page, email: &str| page.body.replace(&page.csrf(), "TOKEN").replace(email, "EMAIL");
        assert_eq!(normalise(&wrong, "ada@example.com"), normalise(&unknown, "bob@example.com"));
        wrong.assert(StatusCode::BAD_REQUEST, "Incorrect email address or password");
    }

    async fn five_wrong_passwords_lock_sign_in(app: TestApp) {
        app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        for _ in 0..4 {
            browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", "wrong password")]).await.assert(StatusCode::BAD_REQUEST, "Incorrect");
        }
        let fifth = browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", "wrong password")]).await;
        assert_waits(&fifth);
        browser.get(fifth.location()).await.assert(StatusCode::OK, "You cannot sign in at the moment").assert(StatusCode::OK, "5 minutes");
        // Even the right password is refused while waiting, from any browser at that address.
        let mut other = app.browser();
        assert_waits(&other.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await);
        let kinds = activity(&app, "ada@example.com").await;
        assert_eq!(kinds.iter().filter(|k| **k == AuditKind::SignInFailed).count(), 5);
        assert!(kinds.contains(&AuditKind::Locked));
    }

    async fn an_address_without_an_account_locks_the_same_way(app: TestApp) {
        let mut browser = app.browser();
        for _ in 0..4 {
            browser.fill("/sign-in", &[("email", "nobody@example.com"), ("password", "wrong password")]).await.assert(StatusCode::BAD_REQUEST, "Incorrect");
        }
        assert_waits(&browser.fill("/sign-in", &[("email", "nobody@example.com"), ("password", "wrong password")]).await);
    }

    async fn five_wrong_codes_lock_sign_in(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
        let wrong = wrong_code(&app, &secret);
        for _ in 0..4 {
            browser.fill("/sign-in/authenticator-code", &[("code", wrong)]).await.assert(StatusCode::BAD_REQUEST, "not correct");
        }
        assert_waits(&browser.fill("/sign-in/authenticator-code", &[("code", wrong)]).await);
        // The session ended with the wait: the code page now sends you to sign in.
        assert_eq!(browser.get("/sign-in/authenticator-code").await.location(), "/sign-in");
        // The citizen is told to wait before giving the password again.
        assert_waits(&browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await);
        assert!(activity(&app, "ada@example.com").await.contains(&AuditKind::Locked));
    }

    async fn a_code_counts_once(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut first = app.browser();
        first.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
        let mut second = app.browser();
        second.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
        second.fill("/sign-in/authenticator-code", &[("code", &app.totp_now(&secret))]).await.assert(StatusCode::BAD_REQUEST, "not correct");
        app.next_totp_step();
        second.fill("/sign-in/authenticator-code", &[("code", &app.totp_now(&secret))]).await.assert_redirect("/account");
    }

    async fn an_account_without_an_app_sets_one_up_at_sign_in(app: TestApp) {
        app.create_account_with("ada@example.com", PASSWORD, None).await;
        let mut browser = app.browser();
        browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await.assert_redirect("/sign-in/set-up-authenticator-app");
        assert_eq!(browser.get("/sign-in/authenticator-code").await.location(), "/sign-in/set-up-authenticator-app");
        let page = browser.get("/sign-in/set-up-authenticator-app").await;
        let secret = page.shown_secret();
        browser.fill("/sign-in/set-up-authenticator-app", &[("code", "000")]).await.assert(StatusCode::BAD_REQUEST, "6 digits");
        browser.fill("/sign-in/set-up-authenticator-app", &[("code", &app.totp_now(&secret))]).await.assert_redirect("/account");
        let stored = app.state.db.accounts().find_by_email("ada@example.com").await.unwrap().unwrap();
        assert_eq!(stored.totp_secret.as_deref(), Some(secret.as_str()));
    }

    async fn forms_need_their_csrf_token(app: TestApp) {
        let mut browser = app.browser();
        // No session at all: the session has ended.
        browser.post("/sign-in", &[("email", "a@example.com"), ("password", "x")]).await.assert(StatusCode::FORBIDDEN, "Your session has timed out");
        browser.get("/sign-in").await;
        browser.post("/sign-in", &[("email", "a@example.com"), ("password", "x")]).await.assert(StatusCode::FORBIDDEN, "form has expired");
        browser.post("/sign-in", &[("csrf_token", "forged"), ("email", "a@example.com"), ("password", "x")]).await.assert(StatusCode::FORBIDDEN, "form has expired");
        // Another session's token is no good either.
        let mut attacker = app.browser();
        let token = attacker.get("/sign-in").await.csrf();
        browser.post("/create-account", &[("csrf_token", &token), ("email", "a@example.com")]).await.assert(StatusCode::FORBIDDEN, "form has expired");
        browser.post("/sign-out", &[("csrf_token", &token)]).await.assert(StatusCode::FORBIDDEN, "form has expired");
        assert!(app.mail.sent.lock().unwrap().is_empty());
    }

    async fn tampered_or_unknown_cookies_are_no_session(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
        let real = session_cookie(&browser);
        let mut tampered = real.clone();
        tampered.replace_range(0..1, if real.starts_with('A') { "B" } else { "A" });
        for value in [tampered, "x".into(), "%00%00".into(), "a".repeat(5000)] {
            browser.cookies.insert("one-login-session".into(), value);
            let page = browser.get("/account").await;
            assert_eq!(page.location(), "/sign-in");
        }
    }

    async fn sessions_expire_when_idle(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
        app.clock.advance(Duration::from_secs(29 * 60));
        browser.get("/account").await.assert(StatusCode::OK, "Your GOV.UK One Login");
        app.clock.advance(Duration::from_secs(29 * 60));
        browser.get("/account").await.assert(StatusCode::OK, "Your GOV.UK One Login");
        app.clock.advance(Duration::from_secs(31 * 60));
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
    }

    async fn sessions_end_at_their_maximum_age(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
        // Busy all day, never idle: still over at 12 hours.
        for _ in 0..(11 * 60 / 25) {
            app.clock.advance(Duration::from_secs(25 * 60));
            browser.get("/account").await.assert(StatusCode::OK, "Your GOV.UK One Login");
        }
        app.clock.advance(Duration::from_secs(60 * 60));
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
    }

    async fn sign_out_ends_the_session(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
        let old = session_cookie(&browser);
        let token = browser.get("/account").await.csrf();
        let out = browser.post("/sign-out", &[("csrf_token", &token)]).await;
        out.assert_redirect("/signed-out");
        assert!(out.set_cookies().iter().any(|c| c.starts_with("one-login-session=;") && c.contains("Max-Age=0")), "{:?}", out.set_cookies());
        browser.get("/signed-out").await.assert(StatusCode::OK, "You have signed out");
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
        // The old id is dead on the server too, not just forgotten by the browser.
        browser.cookies.insert("one-login-session".into(), old);
        assert_eq!(browser.get("/account").await.location(), "/sign-in");
        assert_eq!(activity(&app, "ada@example.com").await[0], AuditKind::SignedOut);
    }

    async fn session_cookie_attributes(app: TestApp) {
        app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        // A page view makes no session (issue 12.2), only the form cookie its CSRF token is
        // derived from.
        let page = browser.get("/sign-in").await;
        let [form_cookie] = &page.set_cookies()[..] else { panic!("{:?}", page.set_cookies()) };
        assert!(form_cookie.starts_with("one-login-form="), "{form_cookie}");
        let token = page.csrf();
        let signed_in = browser.post("/sign-in", &[("csrf_token", &token), ("email", "ada@example.com"), ("password", PASSWORD)]).await;
        signed_in.assert_redirect("/sign-in/authenticator-code");
        let cookie = &signed_in.set_cookies()[0];
        assert!(cookie.starts_with("one-login-session="), "{cookie}");
        for cookie in [cookie, form_cookie] {
            for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
                assert!(cookie.contains(attribute), "{cookie}");
            }
            assert!(!cookie.contains("Secure"), "http issuer on localhost: not Secure");
        }
        // 256 random bits, base64url.
        assert_eq!(session_cookie(&browser).len(), 43);
    }

    async fn rate_limit_per_client_address(app: TestApp) {
        let mut browser = app.browser();
        let token = browser.get("/sign-in").await.csrf();
        for _ in 0..30 {
            let page = browser.post("/sign-in", &[("csrf_token", &token), ("email", ""), ("password", "")]).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST);
        }
        let limited = browser.post("/sign-in", &[("csrf_token", &token), ("email", ""), ("password", "")]).await;
        limited.assert(StatusCode::TOO_MANY_REQUESTS, "Too many attempts");
        let retry_after: u64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}: the rest of the window");
        let mut elsewhere = Browser::new(app.router.clone(), "198.51.100.1:40000");
        elsewhere.fill("/sign-in", &[("email", ""), ("password", "")]).await.assert(StatusCode::BAD_REQUEST, "Enter your email address");
    }

    async fn malformed_requests_get_a_page_not_a_crash(app: TestApp) {
        let mut browser = app.browser();
        let token = browser.get("/sign-in").await.csrf();
        browser.post_raw("/sign-in", format!("csrf_token={token}&email=%zz&password=x")).await;
        let duplicated = browser.post_raw("/sign-in", format!("csrf_token={token}&email=a@b.com&email=c@d.com&password=x")).await;
        duplicated.assert(StatusCode::BAD_REQUEST, "could not be read");
        let not_a_form = browser.send(
            axum::http::Request::post("/sign-in").header("content-type", "application/json").body(axum::body::Body::from("{}")).unwrap(),
        ).await;
        not_a_form.assert(StatusCode::BAD_REQUEST, "could not be read");
        let huge = browser.post_raw("/sign-in", format!("csrf_token={token}&email={}", "a".repeat(40_000))).await;
        assert!(huge.status == StatusCode::PAYLOAD_TOO_LARGE || huge.status == StatusCode::BAD_REQUEST, "{}", huge.status);
        assert!(!huge.body.contains("panicked"));
        // An over-long password is refused without hashing it, like any wrong password.
        let long = "p".repeat(2_000);
        browser.post("/sign-in", &[("csrf_token", &token), ("email", "ada@example.com"), ("password", &long)]).await.assert(StatusCode::BAD_REQUEST, "Incorrect email address or password");
    }

    async fn unknown_pages_and_methods(app: TestApp) {
        let mut browser = app.browser();
        browser.get("/no-such-page").await.assert(StatusCode::NOT_FOUND, "Page not found");
        browser.get("/sign-out").await.assert(StatusCode::METHOD_NOT_ALLOWED, "does not accept that kind of request");
        browser.get("/assets/../Cargo.toml").await.assert(StatusCode::NOT_FOUND, "Page not found");
        for path in ["/accessibility", "/cookies", "/privacy", "/feedback"] {
            assert_eq!(browser.get(path).await.status, StatusCode::OK, "{path}");
        }
    }

    async fn assets_are_served_and_cached(app: TestApp) {
        let mut browser = app.browser();
        let css = browser.get("/assets/govuk-frontend.min.css").await;
        assert_eq!(css.status, StatusCode::OK);
        assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
        assert_eq!(css.headers["cache-control"], "public, max-age=86400");
        assert!(!css.body.contains("GDS Transport"));
        let js = browser.get("/assets/init.js").await;
        assert_eq!(js.headers["content-type"], "text/javascript; charset=utf-8");
    }

    async fn health_reports_both_stores(app: TestApp) {
        let mut browser = app.browser();
        browser.get("/healthz").await.assert(StatusCode::OK, r#""database":"ok""#).assert(StatusCode::OK, r#""ephemeral":"ok""#);
    }

    async fn a_dead_database_gives_a_page_and_503(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
        app.state.db.close().await;
        browser.get("/healthz").await.assert(StatusCode::SERVICE_UNAVAILABLE, r#""database":"unavailable""#);
        let page = browser.get("/account").await;
        page.assert(StatusCode::SERVICE_UNAVAILABLE, "Sorry, the service is unavailable");
        assert!(!page.body.contains("PoolClosed") && !page.body.contains("sqlx"), "no internals on the page");
        let token = browser.get("/sign-in").await;
        assert_eq!(token.location(), "/account", "session still readable from the short-lived store");
    }
}

#[tokio::test]
async fn https_issuer_uses_a_host_only_secure_cookie_and_hsts() {
    // An https issuer takes real mail and no outbound loopback (issues 11.9, 11.13).
    let app = TestApp::start_with(
        support::Backend::Embedded,
        "issuer = \"https://signin.example.gov.uk/\"\n\
         [mail]\ntransport = \"smtp\"\nsmtp_url = \"smtp://127.0.0.1:2525\"\n\
         [outbound]\nallow_loopback = false",
    )
    .await;
    app.create_account("ada@example.com", PASSWORD).await;
    let mut browser = app.browser();
    let page = browser.get("/sign-in").await;
    let form_cookie = page.set_cookies()[0].clone();
    assert!(
        form_cookie.starts_with("__Host-one-login-form="),
        "{form_cookie}"
    );
    let signed_in = browser
        .post(
            "/sign-in",
            &[
                ("csrf_token", &page.csrf()),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    signed_in.assert_redirect("/sign-in/authenticator-code");
    let cookie = &signed_in.set_cookies()[0];
    assert!(cookie.starts_with("__Host-one-login="), "{cookie}");
    for cookie in [cookie, &form_cookie] {
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert!(!cookie.contains("Domain"), "{cookie}");
    }
    assert_eq!(
        page.headers["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

/// A wrong code for `secret` now.
fn wrong_code(app: &TestApp, secret: &str) -> &'static str {
    if app.totp_now(secret) == "000000" {
        "111111"
    } else {
        "000000"
    }
}

/// POSTs `fields` (with the session's CSRF token) to `path` from `n` copies of `browser` at
/// once: one session, one client address, real concurrency.
async fn all_at_once(
    app: &TestApp,
    browser: &Browser,
    path: &str,
    csrf: &str,
    fields: &[(&str, &str)],
    n: usize,
) -> Vec<support::Page> {
    let mut body = vec![("csrf_token".to_owned(), csrf.to_owned())];
    body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let body = serde_urlencoded::to_string(&body).unwrap();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let mut copy = Browser::new(app.router.clone(), &browser.peer.to_string());
        copy.cookies = browser.cookies.clone();
        let (path, body, start) = (path.to_owned(), body.clone(), start.clone());
        tasks.spawn(async move {
            start.wait().await;
            copy.post_raw(&path, body).await
        });
    }
    tasks.join_all().await
}

/// How many wrong answers for `email` were checked (and recorded).
async fn failures(app: &TestApp, email: &str) -> usize {
    let account = app
        .state
        .db
        .accounts()
        .find_by_email(email)
        .await
        .unwrap()
        .unwrap();
    app.state
        .db
        .audit()
        .recent(&account.id, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == AuditKind::SignInFailed)
        .count()
}

/// POSTs a form from `browser` with an `X-Forwarded-For` header.
async fn post_forwarded(
    browser: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
    forwarded_for: &str,
) -> support::Page {
    let request = axum::http::Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded_for)
        .body(axum::body::Body::from(
            serde_urlencoded::to_string(fields).unwrap(),
        ))
        .unwrap();
    browser.send(request).await
}

backend_tests! {
    // Issue 11.12: wrong passwords from one address never make the citizen at another wait.
    async fn wrong_passwords_from_elsewhere_do_not_keep_the_citizen_out(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut attacker = Browser::new(app.router.clone(), "198.51.100.66:4000");
        for _ in 0..4 {
            attacker.fill("/sign-in", &[("email", "ada@example.com"), ("password", "guess")]).await.assert(StatusCode::BAD_REQUEST, "Incorrect");
        }
        assert_waits(&attacker.fill("/sign-in", &[("email", "ada@example.com"), ("password", "guess")]).await);
        // The attacker cannot use even the right password now; the citizen, elsewhere, can.
        assert_waits(&attacker.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await);
        let mut citizen = app.browser();
        citizen.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
    }

    // Issue 11.12 and checklist 52: waits grow with each wrong try after the free ones, and end;
    // issue 10 item 6: the wait page says how long is left, not the full wait.
    async fn waits_grow_and_the_page_says_how_long_is_left(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        for _ in 0..4 {
            browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", "wrong")]).await;
        }
        let first = browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", "wrong")]).await;
        assert_waits(&first);
        browser.get(first.location()).await.assert(StatusCode::OK, "you cannot sign in for 5 minutes");
        app.clock.advance(Duration::from_secs(2 * 60));
        browser.get(first.location()).await.assert(StatusCode::OK, "you cannot sign in for 3 minutes");
        // While waiting, even the right password is not checked.
        let refused = browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await;
        assert_waits(&refused);
        browser.get(refused.location()).await.assert(StatusCode::OK, "3 minutes");
        app.clock.advance(Duration::from_secs(3 * 60));
        browser.get(first.location()).await.assert(StatusCode::OK, "You can try again now");
        // One try after the wait; wrong, and the next wait is twice as long.
        let second = browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", "wrong")]).await;
        assert_waits(&second);
        browser.get(second.location()).await.assert(StatusCode::OK, "10 minutes");
        app.clock.advance(Duration::from_secs(10 * 60));
        browser.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
        // A wrong or edited address only changes what the page says, within the longest wait.
        browser.get("/sign-in/locked?until=soon&until=x").await.assert(StatusCode::OK, "for a while");
        browser.get("/sign-in/locked?until=99999999999").await.assert(StatusCode::OK, "for 1 hour");
        // A success starts the count again.
        browser.get("/sign-in").await;
        let mut again = app.browser();
        again.fill("/sign-in", &[("email", "ada@example.com"), ("password", "wrong")]).await.assert(StatusCode::BAD_REQUEST, "Incorrect");
    }

    // Issue 10 item 6: the password and code pages say how many tries are left once 2 or fewer
    // remain; checklist 51: the same for an address with no account.
    async fn tries_left_are_shown_from_two(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut known = app.browser();
        let mut unknown = Browser::new(app.router.clone(), "198.51.100.9:4000");
        for (attempt, warning) in [(1, None), (2, None), (3, Some("You have 2 tries left")), (4, Some("You have 1 try left"))] {
            let a = known.fill("/sign-in", &[("email", "ada@example.com"), ("password", "wrong")]).await;
            let b = unknown.fill("/sign-in", &[("email", "bob@example.com"), ("password", "wrong")]).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST);
            assert_eq!(a.body.contains("tries left") || a.body.contains("try left"), warning.is_some(), "try {attempt}");
            if let Some(warning) = warning {
                a.assert(StatusCode::BAD_REQUEST, warning);
            }
            let normalise = |page: &support::Page, email: &str| page.body.replace(&page.csrf(), "TOKEN").replace(email, "EMAIL");
            assert_eq!(normalise(&a, "ada@example.com"), normalise(&b, "bob@example.com"), "try {attempt}");
        }
        let mut browser = Browser::new(app.router.clone(), "192.0.2.50:4000");
        browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await.assert_redirect("/sign-in/authenticator-code");
        let wrong = wrong_code(&app, &secret);
        for _ in 0..2 {
            let page = browser.fill("/sign-in/authenticator-code", &[("code", wrong)]).await;
            assert!(!page.body.contains("tries left"));
        }
        browser.fill("/sign-in/authenticator-code", &[("code", wrong)]).await.assert(StatusCode::BAD_REQUEST, "You have 2 tries left before you have to wait to try again.");
        browser.fill("/sign-in/authenticator-code", &[("code", wrong)]).await.assert(StatusCode::BAD_REQUEST, "You have 1 try left before you have to wait to try again.");
    }
}

configured_backend_tests! {
    // Issue 11.3, reserve then verify: 50 wrong codes sent at once are checked no more than the
    // 5 allowed; the rest are refused unchecked.
    #[config("[rate_limits]\nsign_in = 1000")]
    async fn fifty_parallel_wrong_codes_cost_no_more_than_the_limit(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await.assert_redirect("/sign-in/authenticator-code");
        let csrf = browser.get("/sign-in/authenticator-code").await.csrf();
        let pages = all_at_once(&app, &browser, "/sign-in/authenticator-code", &csrf, &[("code", wrong_code(&app, &secret))], 50).await;
        assert!(pages.iter().all(|p| p.status != StatusCode::OK && p.status.as_u16() < 500), "{:?}", pages.iter().map(|p| p.status).collect::<Vec<_>>());
        assert_eq!(failures(&app, "ada@example.com").await, 5);
    }

    // Issue 11.3: the same for passwords.
    #[config("[rate_limits]\nsign_in = 1000")]
    async fn fifty_parallel_wrong_passwords_cost_no_more_than_the_limit(app: TestApp) {
        app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        let csrf = browser.get("/sign-in").await.csrf();
        let pages = all_at_once(&app, &browser, "/sign-in", &csrf, &[("email", "ada@example.com"), ("password", "wrong")], 50).await;
        let checked = pages.iter().filter(|p| p.status == StatusCode::BAD_REQUEST).count();
        assert!(checked <= 5, "{checked} answered as checked");
        assert_eq!(failures(&app, "ada@example.com").await, 5);
    }

    // Checklist 52: at most N wrong tries for an account across all addresses, then waits,
    // except where the citizen has signed in before; a success there starts the count again.
    #[config("[sign_in]\naccount_max_failed_attempts = 6")]
    async fn the_account_ceiling_holds_across_addresses_but_not_at_home(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut home = app.browser();
        home.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
        for i in 0..6 {
            let mut guesser = Browser::new(app.router.clone(), &format!("198.51.100.{i}:4000"));
            guesser.fill("/sign-in", &[("email", "ada@example.com"), ("password", "guess")]).await;
        }
        let mut travelling = Browser::new(app.router.clone(), "192.0.2.200:4000");
        assert_waits(&travelling.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await);
        let mut at_home = app.browser();
        app.next_totp_step();
        at_home.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
        travelling.fill("/sign-in", &[("email", "ada@example.com"), ("password", PASSWORD)]).await.assert_redirect("/sign-in/authenticator-code");
    }

    // Credential stuffing from one address: wrong tries across many email addresses make that
    // address wait; other addresses are unaffected.
    #[config("[sign_in]\naddress_max_failures = 4")]
    async fn stuffing_from_one_address_waits(app: TestApp) {
        let mut stuffer = Browser::new(app.router.clone(), "198.51.100.77:4000");
        for i in 0..3 {
            stuffer.fill("/sign-in", &[("email", &format!("user{i}@example.com")), ("password", "Password1")]).await.assert(StatusCode::BAD_REQUEST, "Incorrect");
        }
        assert_waits(&stuffer.fill("/sign-in", &[("email", "user3@example.com"), ("password", "Password1")]).await);
        assert_waits(&stuffer.fill("/sign-in", &[("email", "user4@example.com"), ("password", "Password1")]).await);
        let mut other = app.browser();
        other.fill("/sign-in", &[("email", "user4@example.com"), ("password", "Password1")]).await.assert(StatusCode::BAD_REQUEST, "Incorrect");
    }

    // Issue 11.12: a spike of failures across all accounts trips the breaker, which tightens the
    // per-address limit until it calms.
    #[config("[sign_in]\nbreaker_failures = 5\naddress_max_failures_under_attack = 1\nbreaker_cooldown = \"10m\"")]
    async fn the_breaker_tightens_limits_when_failures_spike(app: TestApp) {
        let mut before = Browser::new(app.router.clone(), "192.0.2.1:4000");
        before.fill("/sign-in", &[("email", "a@example.com"), ("password", "x")]).await.assert(StatusCode::BAD_REQUEST, "Incorrect");
        for i in 0..4 {
            let mut browser = Browser::new(app.router.clone(), &format!("198.51.100.{i}:4000"));
            browser.fill("/sign-in", &[("email", &format!("user{i}@example.com")), ("password", "x")]).await;
        }
        let throttle = one_login_core::accounts::Throttle::new(app.state.ephemeral.as_ref(), &app.state.config.sign_in);
        assert!(throttle.breaker_tripped(app.state.clock.unix()).await.unwrap());
        let mut during = Browser::new(app.router.clone(), "192.0.2.2:4000");
        assert_waits(&during.fill("/sign-in", &[("email", "b@example.com"), ("password", "x")]).await);
        app.clock.advance(Duration::from_secs(16 * 60));
        assert!(!throttle.breaker_tripped(app.state.clock.unix()).await.unwrap());
        let mut after = Browser::new(app.router.clone(), "192.0.2.3:4000");
        after.fill("/sign-in", &[("email", "c@example.com"), ("password", "x")]).await.assert(StatusCode::BAD_REQUEST, "Incorrect");
    }

    // Issue 11.11 and checklist 80: every POST route is rate-limited per client address, with
    // 429 and Retry-After: JSON for relying parties' servers, a page for people. Pages (GET),
    // and so single sign-on at /authorize, are not.
    #[config("[rate_limits]\nsign_in = 2\ncreate_account = 2\nproving = 2\nforms = 2\nfeedback = 2\nauthorize = 2\nclient_api = 2")]
    async fn every_post_route_is_rate_limited(app: TestApp) {
        let posts = [
            "/authorize", "/authorize/consent", "/token", "/revoke", "/userinfo", "/logout",
            "/create-account", "/create-account/check-email", "/create-account/password",
            "/create-account/authenticator-app", "/sign-in", "/sign-in/authenticator-code",
            "/sign-in/set-up-authenticator-app", "/identity/start", "/identity/passport",
            "/identity/driving-licence", "/identity/address", "/identity/address/choose",
            "/identity/questions", "/identity/reuse", "/identity/stop",
            "/account/withdraw-consent", "/sign-out", "/feedback",
        ];
        for (i, path) in posts.iter().enumerate() {
            let mut browser = Browser::new(app.router.clone(), &format!("10.1.{i}.1:4000"));
            for _ in 0..2 {
                let page = browser.post(path, &[("x", "y")]).await;
                assert_ne!(page.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
            }
            let limited = browser.post(path, &[("x", "y")]).await;
            assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{path}: {}", limited.body);
            assert!(limited.headers.contains_key("retry-after"), "{path}");
            if ["/token", "/revoke", "/userinfo"].contains(path) {
                let body: serde_json::Value = serde_json::from_str(&limited.body).unwrap();
                assert_eq!(body["error"], "temporarily_unavailable", "{path}");
                assert_eq!(limited.headers["cache-control"], "no-store");
            } else {
                limited.assert(StatusCode::TOO_MANY_REQUESTS, "Too many attempts");
            }
        }
        let mut browser = Browser::new(app.router.clone(), "10.2.0.1:4000");
        for _ in 0..5 {
            assert_ne!(browser.get("/authorize?client_id=x").await.status, StatusCode::TOO_MANY_REQUESTS);
            assert_ne!(browser.get("/sign-in").await.status, StatusCode::TOO_MANY_REQUESTS);
        }
    }

    // RFC 9700 §4.13, checklist 76: X-Forwarded-For is believed only from a configured proxy,
    // and then its right-most address that is not a proxy is the client. IPv6 counts per /64.
    #[config("[server]\ntrusted_proxies = [\"10.0.0.0/8\"]\n[rate_limits]\nsign_in = 2")]
    async fn client_addresses_behind_trusted_proxies_only(app: TestApp) {
        // Not a proxy: a forged header changes nothing.
        let mut spoofer = Browser::new(app.router.clone(), "203.0.113.7:4000");
        for i in 0..2 {
            let page = post_forwarded(&mut spoofer, "/sign-in", &[("x", "y")], &format!("192.0.2.{i}")).await;
            assert_ne!(page.status, StatusCode::TOO_MANY_REQUESTS);
        }
        assert_eq!(post_forwarded(&mut spoofer, "/sign-in", &[("x", "y")], "192.0.2.99").await.status, StatusCode::TOO_MANY_REQUESTS);
        // Behind the proxy: each citizen is counted apart; what they prepend is ignored.
        let mut proxy = Browser::new(app.router.clone(), "10.0.0.1:4000");
        for forged in ["1.1.1.1", "2.2.2.2"] {
            let page = post_forwarded(&mut proxy, "/sign-in", &[("x", "y")], &format!("{forged}, 198.51.100.1, 10.0.0.2")).await;
            assert_ne!(page.status, StatusCode::TOO_MANY_REQUESTS);
        }
        assert_eq!(post_forwarded(&mut proxy, "/sign-in", &[("x", "y")], "198.51.100.1").await.status, StatusCode::TOO_MANY_REQUESTS);
        assert_ne!(post_forwarded(&mut proxy, "/sign-in", &[("x", "y")], "198.51.100.2").await.status, StatusCode::TOO_MANY_REQUESTS);
        // The audit records the forwarded address.
        app.create_account("ada@example.com", PASSWORD).await;
        let mut citizen = Browser::new(app.router.clone(), "10.0.0.1:4000");
        let csrf = citizen.get("/sign-in").await.csrf();
        post_forwarded(&mut citizen, "/sign-in", &[("csrf_token", &csrf), ("email", "ada@example.com"), ("password", "wrong")], "198.51.100.3").await.assert(StatusCode::BAD_REQUEST, "Incorrect");
        let account = app.state.db.accounts().find_by_email("ada@example.com").await.unwrap().unwrap();
        let events = app.state.db.audit().recent(&account.id, 5).await.unwrap();
        assert_eq!(events[0].client_ip.as_deref(), Some("198.51.100.3"));
        // IPv6: one /64 is one client.
        let mut first = Browser::new(app.router.clone(), "[2001:db8:1:2::1]:4000");
        let mut second = Browser::new(app.router.clone(), "[2001:db8:1:2:ffff::9]:4000");
        let mut neighbour = Browser::new(app.router.clone(), "[2001:db8:1:3::1]:4000");
        first.post("/sign-in", &[("x", "y")]).await;
        first.post("/sign-in", &[("x", "y")]).await;
        assert_eq!(second.post("/sign-in", &[("x", "y")]).await.status, StatusCode::TOO_MANY_REQUESTS);
        assert_ne!(neighbour.post("/sign-in", &[("x", "y")]).await.status, StatusCode::TOO_MANY_REQUESTS);
    }
}

// Issue 10 items 1-3: getting back into an account.
backend_tests! {
    // No account enumeration (ASVS 6.3.8): an address without an account gets the same pages,
    // and an email that says there is none; no code it could be sent works.
    async fn recovery_pages_are_the_same_whether_or_not_an_account_exists(app: TestApp) {
        app.create_account("ada@example.com", PASSWORD).await;
        for start in ["/reset-password", "/lost-authenticator-app"] {
            let mut pages = Vec::new();
            for email in ["ada@example.com", "nobody@example.com"] {
                let mut browser = app.browser();
                let sent = app.mail.to(email).len();
                browser.fill(start, &[("email", email)]).await.assert_redirect(&format!("{start}/check-email"));
                assert_eq!(app.mail.to(email).len(), sent + 1, "one email either way");
                let page = browser.get(&format!("{start}/check-email")).await;
                page.assert(StatusCode::OK, "Check your email");
                pages.push(page.body.replace(email, "EMAIL").replace(&page.csrf(), "CSRF"));
                if email == "nobody@example.com" {
                    let mail = app.mail.to(email).pop().unwrap();
                    assert!(!mail.body.lines().any(|l| l.len() == 6 && l.bytes().all(|b| b.is_ascii_digit())), "no code: {mail:?}");
                    browser.fill(&format!("{start}/check-email"), &[("code", "123456")]).await.assert(StatusCode::BAD_REQUEST, "not correct");
                }
            }
            assert_eq!(pages[0], pages[1], "the same page for both");
        }
        // Only an address with an account has a reset request in its audit log.
        assert!(activity(&app, "ada@example.com").await.contains(&AuditKind::PasswordResetRequested));
    }

    // Bad input: the GOV.UK error summary and the field's own error, the value kept (up to 256).
    async fn recovery_forms_explain_bad_input(app: TestApp) {
        let mut browser = app.browser();
        for start in ["/reset-password", "/lost-authenticator-app"] {
            let long = format!("{}@example.com", "a".repeat(300));
            for (email, message) in [("", "Enter your email address"), ("ada", "Enter an email address in the correct format"),
                                     (long.as_str(), "256 characters or fewer")] {
                let page = browser.fill(start, &[("email", email)]).await;
                page.assert(StatusCode::BAD_REQUEST, "govuk-error-summary").assert(StatusCode::BAD_REQUEST, message);
                assert!(page.body.contains("govuk-error-message"), "inline error");
                assert!(page.title().starts_with("Error: "), "{}", page.title());
            }
        }
        app.create_account("ada@example.com", PASSWORD).await;
        browser.fill("/reset-password", &[("email", "ada@example.com")]).await;
        let code = app.mail.last_code("ada@example.com");
        browser.fill("/reset-password/check-email", &[("code", "")]).await.assert(StatusCode::BAD_REQUEST, "Enter the code");
        browser.fill("/reset-password/check-email", &[("code", "12ab")]).await.assert(StatusCode::BAD_REQUEST, "6 digits");
        browser.fill("/reset-password/check-email", &[("code", &code)]).await.assert_redirect("/reset-password/new-password");
        for (password, confirm, message) in [("", "", "Enter a password"), ("short", "short", "at least 8 characters"),
                                             ("password", "password", "stronger password"),
                                             ("a long new password", "a long new passwort", "same password in both"),
                                             (&"x".repeat(300), &"x".repeat(300), "256 characters or fewer")] {
            let page = browser.fill("/reset-password/new-password", &[("password", password), ("confirm-password", confirm)]).await;
            page.assert(StatusCode::BAD_REQUEST, "govuk-error-summary").assert(StatusCode::BAD_REQUEST, message);
        }
        // Pages out of order send the citizen to the step they are at.
        browser.get("/reset-password/authenticator-code").await.assert_redirect("/reset-password/new-password");
        browser.get("/lost-authenticator-app/password").await.assert_redirect("/lost-authenticator-app");
    }

    // The emailed code: single use, 5 wrong tries then a new one is needed, 15 minutes.
    async fn recovery_codes_follow_the_code_rules(app: TestApp) {
        app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.fill("/reset-password", &[("email", "ada@example.com")]).await;
        let code = app.mail.last_code("ada@example.com");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..4 {
            browser.fill("/reset-password/check-email", &[("code", wrong)]).await.assert(StatusCode::BAD_REQUEST, "not correct");
        }
        browser.fill("/reset-password/check-email", &[("code", wrong)]).await.assert(StatusCode::OK, "wrong code too many times");
        browser.get("/reset-password/check-email").await.assert_redirect("/reset-password");
        // A new code, which expires.
        browser.fill("/reset-password", &[("email", "ada@example.com")]).await;
        let code = app.mail.last_code("ada@example.com");
        app.clock.advance(Duration::from_secs(15 * 60));
        browser.fill("/reset-password/check-email", &[("code", &code)]).await.assert(StatusCode::BAD_REQUEST, "expired");
        // Five codes an hour to one address: a sixth is not sent, though the page is the same.
        for _ in 0..3 {
            browser.fill("/reset-password", &[("email", "ada@example.com")]).await.assert_redirect("/reset-password/check-email");
        }
        let sent = app.mail.to("ada@example.com").len();
        browser.fill("/reset-password", &[("email", "ada@example.com")]).await.assert_redirect("/reset-password/check-email");
        assert_eq!(app.mail.to("ada@example.com").len(), sent, "no more than 5 codes an hour");
    }

    // The password step of a lost app is throttled as sign-in is.
    async fn the_lost_app_password_is_throttled_like_sign_in(app: TestApp) {
        app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.fill("/lost-authenticator-app", &[("email", "ada@example.com")]).await;
        let code = app.mail.last_code("ada@example.com");
        browser.fill("/lost-authenticator-app/check-email", &[("code", &code)]).await.assert_redirect("/lost-authenticator-app/password");
        browser.fill("/lost-authenticator-app/password", &[("password", "")]).await.assert(StatusCode::BAD_REQUEST, "Enter your password");
        let mut last = None;
        for _ in 0..5 {
            let page = browser.fill("/lost-authenticator-app/password", &[("password", "not the password")]).await;
            if page.status == StatusCode::SEE_OTHER {
                last = Some(page);
                break;
            }
            page.assert(StatusCode::BAD_REQUEST, "The password is not correct");
        }
        assert_waits(&last.expect("a wait after five wrong passwords"));
        assert!(activity(&app, "ada@example.com").await.contains(&AuditKind::SignInFailed));
    }
}

/// Saving the session is the layer's job (issue 14), not each handler's: a handler that changes
/// the session has it saved and its cookie set without asking; a failed request's change is
/// dropped; a route without the layer cannot use sessions at all (500, never a silent loss).
#[tokio::test]
async fn the_session_layer_saves_what_handlers_change_unless_they_fail() {
    use axum::body::Body;
    use axum::http::Request;
    use axum::http::header::SET_COOKIE;
    use axum::routing::get;
    use axum::{Router, middleware};
    use one_login_core::sessions::SessionId;
    use one_login_provider::web::Visit;
    use one_login_provider::web::error::Error;
    use one_login_provider::web::visit::save_sessions;
    use tower::ServiceExt;

    async fn changes(mut visit: Visit) -> String {
        visit.session_mut().csrf_token.clone()
    }
    async fn fails(mut visit: Visit) -> Result<String, Error> {
        visit.session_mut();
        Err(Error::NotFound)
    }
    let app = TestApp::start(support::Backend::Embedded).await;
    let routes = Router::new()
        .route("/changes", get(changes))
        .route("/fails", get(fails));
    let layered = routes
        .clone()
        .layer(middleware::from_fn_with_state(
            app.state.clone(),
            save_sessions,
        ))
        .with_state(app.state.clone());
    let get_from = |router: Router, path: &'static str| async move {
        router
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap()
    };

    let changed = get_from(layered.clone(), "/changes").await;
    assert_eq!(changed.status(), StatusCode::OK);
    let cookie = changed.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    let id = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    let id = SessionId::parse(id).expect("a session id in the cookie");
    let now = app.state.clock.unix();
    assert!(
        app.state.sessions.load(&id, now).await.unwrap().is_some(),
        "saved"
    );

    let failed = get_from(layered, "/fails").await;
    assert_eq!(failed.status(), StatusCode::NOT_FOUND);
    assert!(
        failed.headers().get(SET_COOKIE).is_none(),
        "a failed request's session is dropped"
    );

    let unlayered = get_from(routes.with_state(app.state.clone()), "/changes").await;
    assert_eq!(unlayered.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

/// Issue 15: a sentence the code composes around a value (how long to wait, here) comes from
/// the catalogue with the value as an argument, so a Welsh page holds no English sentence.
#[tokio::test]
async fn sentences_composed_around_a_value_are_in_welsh() {
    use one_login_core::clock::Clock;
    let app = TestApp::start(support::Backend::Embedded).await;
    let mut browser = app.browser();
    let locked = format!("/sign-in/locked?until={}", app.clock.unix() + 5 * 60);
    browser.get(&locked).await.assert(
        StatusCode::OK,
        "For your security, you cannot sign in for 5 minutes. Try again after that.",
    );
    browser.cookies.insert("one-login-lang".into(), "cy".into());
    let page = browser.get(&locked).await;
    page.assert(
        StatusCode::OK,
        "Er eich diogelwch, ni allwch fewngofnodi am 5 munud. Rhowch gynnig arall arni ar ôl hynny.",
    );
    assert!(!page.body.contains("minutes"), "{}", page.body);
}

/// Issue 15: the pages' language comes from `ui_locales` (the first one offered, kept for the
/// journey), then the toggle's cookie, then `Accept-Language`; English otherwise.
#[tokio::test]
async fn pages_in_welsh_from_ui_locales_the_toggle_or_accept_language() {
    let rp = support::rp::RelyingParty::new("welsh-service", "127.0.0.1");
    let app =
        TestApp::start_with_clients(support::Backend::Embedded, "", &[rp.registration("")]).await;
    let lang = |page: &support::Page, code: &str| {
        assert!(
            page.body.contains(&format!("<html lang=\"{code}\"")),
            "expected lang {code}:\n{}",
            page.body
        );
    };

    let mut browser = app.browser();
    let page = browser.get("/sign-in").await;
    lang(&page, "en");
    page.assert(StatusCode::OK, "href=\"?lang=cy\"");

    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("scope", "openid email"),
        ("client_id", rp.client_id.as_str()),
        ("redirect_uri", rp.redirect_uri.as_str()),
        ("state", "s"),
        ("nonce", "n"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
        ("ui_locales", "fr cy en"),
    ])
    .unwrap();
    let answer = browser.get(&format!("/authorize?{query}")).await;
    answer.assert_redirect("/");
    let cookie = answer
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("one-login-lang=cy"))
        .expect("ui_locales remembered for the journey");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    // A first visit: "Create your GOV.UK One Login or sign in", in Welsh.
    let start = browser.get("/").await;
    lang(&start, "cy");
    start.assert(
        StatusCode::OK,
        "<h1 class=\"govuk-heading-l\">Creu eich GOV.UK One Login neu fewngofnodi</h1>",
    );
    let page = browser.get("/sign-in").await;
    lang(&page, "cy");
    page.assert(StatusCode::OK, "Yn ôl")
        .assert(StatusCode::OK, "href=\"?lang=en\"");

    // The toggle keeps the citizen on the page, now in English, and is remembered.
    browser
        .get("/sign-in?lang=en")
        .await
        .assert_redirect("/sign-in");
    lang(&browser.get("/sign-in").await, "en");
    lang(&browser.get("/create-account").await, "en");

    // No choice made: the browser's preference.
    let mut browser = app.browser();
    let page = browser
        .send(
            axum::http::Request::get("/sign-in")
                .header("accept-language", "cy-GB, en;q=0.8")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    lang(&page, "cy");
    page.assert(StatusCode::OK, "Mae hwn yn wasanaeth newydd")
        .assert(StatusCode::OK, "Mewngofnodi i’ch GOV.UK One Login")
        // The GOV.UK password input, its Show button in Welsh (revealed by govuk-frontend).
        .assert(StatusCode::OK, "data-module=\"govuk-password-input\"")
        .assert(
            StatusCode::OK,
            "aria-controls=\"password\" aria-label=\"Dangos cyfrinair\" hidden>Dangos</button>",
        );
    // The toggle's cookie, with no header: a form's errors, composed in English by the
    // rules, are shown in Welsh too.
    browser.cookies.insert("one-login-lang".into(), "cy".into());
    let csrf = page.csrf();
    let refused = browser
        .post("/create-account", &[("csrf_token", &csrf), ("email", "")])
        .await;
    refused
        .assert(StatusCode::BAD_REQUEST, "Mae problem")
        .assert(StatusCode::BAD_REQUEST, "Rhowch eich cyfeiriad e-bost")
        .assert(StatusCode::BAD_REQUEST, "<title>Gwall: ");
    assert!(!refused.body.contains("There is a problem"));
    // The email goes in the language of the page that sent it.
    browser
        .post(
            "/create-account",
            &[("csrf_token", &csrf), ("email", "cymraeg@example.com")],
        )
        .await
        .assert_redirect("/create-account/check-email");
    let sent = app.mail.to("cymraeg@example.com");
    assert_eq!(sent[0].subject, "Eich cod diogelwch GOV.UK One Login");
    assert!(
        sent[0]
            .body
            .starts_with("Eich cod i greu GOV.UK One Login yw:"),
        "{}",
        sent[0].body
    );
}

// Issue 16: every response has an X-Request-Id (the caller's when it is a sane short token),
// every log line of the request carries it in both log formats, and an error page shows it for
// the citizen to quote.
#[tokio::test]
async fn every_request_has_an_id_in_its_header_its_log_lines_and_its_error_page() {
    use axum::body::Body;
    use axum::http::Request;
    use one_login_core::config::LogFormat;
    use one_login_core::logging::MemoryLog;
    for format in [LogFormat::Text, LogFormat::Json] {
        let log = MemoryLog::default();
        let _capturing = log.capture(format);
        let app = TestApp::start(support::Backend::Embedded).await;
        let mut browser = app.browser();
        let page = browser.get("/no-such-page").await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        let id = page.headers["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 16, "{id}");
        assert!(
            page.body.contains(&format!(
                "quote this reference: <strong class=\"govuk-!-font-weight-bold\">{id}</strong>"
            )),
            "{}",
            page.body
        );
        let text = log.text();
        let refused: Vec<&str> = text
            .lines()
            .filter(|line| line.contains("request refused"))
            .collect();
        assert_eq!(refused.len(), 1, "{text}");
        match format {
            LogFormat::Text => assert!(
                refused[0].contains(&format!("request_id=\"{id}\"")),
                "{text}"
            ),
            LogFormat::Json => {
                let line: serde_json::Value = serde_json::from_str(refused[0]).unwrap();
                assert_eq!(line["span"]["request_id"], id.as_str(), "{line}");
            }
        }
        let other = browser.get("/healthz").await;
        assert_ne!(
            other.headers["x-request-id"],
            id.as_str(),
            "a fresh id each time"
        );

        let with_id = |value: &str| {
            Request::get("/healthz")
                .header("x-request-id", value)
                .body(Body::empty())
                .unwrap()
        };
        let kept = browser.send(with_id("lb-7f3a.9_x")).await;
        assert_eq!(kept.headers["x-request-id"], "lb-7f3a.9_x");
        for unfit in ["a b", "<b>", &"x".repeat(65)] {
            let replaced = browser.send(with_id(unfit)).await;
            let given = replaced.headers["x-request-id"].to_str().unwrap();
            assert!(given.len() == 16 && given != unfit, "{unfit:?}: {given}");
        }
    }
}

// server.metrics_listen = "main": /metrics beside the pages, in the Prometheus text format; by
// default (a listener of its own) the main listener has no such page.
#[tokio::test]
async fn metrics_on_the_main_listener_only_when_configured_so() {
    let app = TestApp::start_with(
        support::Backend::Embedded,
        "[server]\nmetrics_listen = \"main\"",
    )
    .await;
    let mut browser = app.browser();
    browser.get("/healthz").await;
    let page = browser.get("/metrics").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("one_login_http_requests_total{route=\"/healthz\",status=\"2xx\"}"),
        "{}",
        page.body
    );
    let default = TestApp::start(support::Backend::Embedded).await;
    let page = default.browser().get("/metrics").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

/// The feedback kept so far, newest first.
async fn kept_feedback(app: &TestApp) -> Vec<one_login_store::StoredFeedback> {
    app.state.db.feedback().newest(0, 100).await.unwrap()
}

// Issue 15: the phase banner's feedback link leads to a real form, whose feedback is kept for
// `one-login feedback list`; no sign-in needed.
backend_tests! {
    async fn feedback_is_kept_and_the_citizen_thanked(app: TestApp) {
        let mut browser = app.browser();
        let form = browser.get("/feedback?from=/sign-in").await;
        form.assert(StatusCode::OK, "What would you like to tell us about?")
            .assert(StatusCode::OK, "data-module=\"govuk-character-count\" data-maxlength=\"1200\"")
            // Without JavaScript the limit is stated under the box.
            .assert(StatusCode::OK, "You can enter up to 1,200 characters");
        assert_eq!(form.title(), "Give feedback on GOV.UK One Login - GOV.UK One Login - GOV.UK");
        assert_eq!(form.field("from").as_deref(), Some("/sign-in"));
        let csrf = form.csrf();
        let sent = browser.post("/feedback", &[
            ("csrf_token", csrf.as_str()), ("topic", "signing-in"),
            ("feedback", "The code came quickly.\r\nThank you."), ("reply", "no"),
            ("email", "ada@example.com"), ("from", "/sign-in"),
        ]).await;
        sent.assert_redirect("/feedback/sent?from=%2Fsign-in");
        let thanks = browser.get(sent.location()).await;
        thanks.assert(StatusCode::OK, "Thank you for your feedback")
            .assert(StatusCode::OK, "<a class=\"govuk-link\" href=\"/sign-in\">Return to where you were</a>");
        let kept = kept_feedback(&app).await;
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].topic, "signing-in");
        assert_eq!(kept[0].message, "The code came quickly.\nThank you.");
        assert_eq!(kept[0].came_from.as_deref(), Some("/sign-in"));
        assert_eq!(kept[0].language, "en");
        assert_eq!(kept[0].created_at, app.state.clock.unix());
        // No reply asked for: the address typed is not kept.
        assert_eq!((kept[0].reply_email.as_deref(), kept[0].account_id.as_deref()), (None, None));
    }

    async fn feedback_without_its_csrf_token_is_refused(app: TestApp) {
        let mut browser = app.browser();
        let form = browser.get("/feedback").await;
        let fields = [("topic", "signing-in"), ("feedback", "Fine")];
        let refused = browser.post("/feedback", &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let wrong = [("csrf_token", "not-the-token"), fields[0], fields[1]];
        assert_eq!(browser.post("/feedback", &wrong).await.status, StatusCode::FORBIDDEN);
        // A token from another browser's form is no good either.
        let mut other = app.browser();
        other.get("/feedback").await;
        let theirs = [("csrf_token", form.csrf()), ("topic", "signing-in".into()), ("feedback", "Fine".into())];
        let theirs: Vec<(&str, &str)> = theirs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(other.post("/feedback", &theirs).await.status, StatusCode::FORBIDDEN);
        assert!(kept_feedback(&app).await.is_empty());
    }

    async fn empty_feedback_shows_the_error_summary_in_english_and_welsh(app: TestApp) {
        let mut browser = app.browser();
        let page = browser.fill("/feedback?from=/account", &[("feedback", "  "), ("from", "/account")]).await;
        page.assert(StatusCode::BAD_REQUEST, "There is a problem")
            .assert(StatusCode::BAD_REQUEST, "<a href=\"#topic\">Select what your feedback is about</a>")
            .assert(StatusCode::BAD_REQUEST, "<a href=\"#feedback\">Enter your feedback</a>")
            .assert(StatusCode::BAD_REQUEST, "govuk-textarea--error")
            .assert(StatusCode::BAD_REQUEST, "aria-describedby=\"feedback-info feedback-hint feedback-error\"");
        assert!(page.title().starts_with("Error: Give feedback"), "{}", page.title());
        assert_eq!(page.field("from").as_deref(), Some("/account"), "kept for the next try");
        let long = "a".repeat(1_201);
        let page = browser.fill("/feedback", &[("topic", "something-else"), ("feedback", &long), ("reply", "yes")]).await;
        page.assert(StatusCode::BAD_REQUEST, "Your feedback must be 1,200 characters or fewer")
            .assert(StatusCode::BAD_REQUEST, "<a href=\"#email\">Enter your email address</a>")
            .assert(StatusCode::BAD_REQUEST, &long)
            .assert(StatusCode::BAD_REQUEST, "value=\"something-else\" checked");
        // Too long in four-byte characters (16.8 KB of form once encoded, past the 16 KiB
        // other forms allow with the rest): still the form's own answer, the text kept.
        let long = "😀".repeat(1_400);
        let page = browser.fill("/feedback", &[("topic", "something-else"), ("feedback", &long)]).await;
        page.assert(StatusCode::BAD_REQUEST, "Your feedback must be 1,200 characters or fewer")
            .assert(StatusCode::BAD_REQUEST, &long);

        browser.get("/feedback?lang=cy").await;
        let page = browser.fill("/feedback", &[("feedback", "")]).await;
        page.assert(StatusCode::BAD_REQUEST, "Mae problem")
            .assert(StatusCode::BAD_REQUEST, "<a href=\"#topic\">Dewiswch am beth mae eich adborth</a>")
            .assert(StatusCode::BAD_REQUEST, "<a href=\"#feedback\">Rhowch eich adborth</a>")
            .assert(StatusCode::BAD_REQUEST, "Gallwch roi hyd at 1,200 nod")
            .assert(StatusCode::BAD_REQUEST, "data-i18n.characters-under-limit.other=\"Mae gennych %{count} nod yn weddill\"");
        assert!(page.title().starts_with("Gwall: Rhoi adborth"), "{}", page.title());
        assert!(kept_feedback(&app).await.is_empty());
        // Welsh feedback is kept with its language.
        browser.fill("/feedback", &[("topic", "something-else"), ("feedback", "Da iawn")]).await
            .assert_redirect("/feedback/sent");
        browser.get("/feedback/sent").await.assert(StatusCode::OK, "Diolch am eich adborth");
        assert_eq!(kept_feedback(&app).await[0].language, "cy");
    }

    async fn feedback_never_sends_the_citizen_to_another_site(app: TestApp) {
        let mut browser = app.browser();
        for from in ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"] {
            let encoded: String = url::form_urlencoded::byte_serialize(from.as_bytes()).collect();
            let form = browser.get(&format!("/feedback?from={encoded}")).await;
            assert_eq!(form.field("from"), None, "{from}");
            let sent = browser.fill("/feedback", &[("topic", "signing-in"), ("feedback", "Hi"), ("from", from)]).await;
            sent.assert_redirect("/feedback/sent");
            let thanks = browser.get(&format!("/feedback/sent?from={encoded}")).await;
            thanks.assert(StatusCode::OK, "<a class=\"govuk-link\" href=\"/\">Go to the start of the service</a>");
            assert!(!thanks.body.contains("evil.example") && !thanks.body.contains("javascript:"), "{from}");
        }
        let kept = kept_feedback(&app).await;
        assert_eq!(kept.len(), 4);
        assert!(kept.iter().all(|f| f.came_from.is_none()));
    }

    // Privacy: a signed-in citizen's account is linked to their feedback only when they ask
    // for a reply; the form suggests their address for one.
    async fn a_signed_in_citizen_s_account_is_kept_only_with_a_reply(app: TestApp) {
        let secret = app.create_account("ada@example.com", PASSWORD).await;
        let mut browser = app.browser();
        browser.sign_in(&app, "ada@example.com", PASSWORD, &secret).await;
        browser.get("/feedback").await.assert(StatusCode::OK, "value=\"ada@example.com\"");
        browser.fill("/feedback", &[("topic", "your-account"), ("feedback", "Easy"), ("reply", "no"), ("email", "ada@example.com")]).await
            .assert_redirect("/feedback/sent");
        app.clock.advance(Duration::from_secs(1));
        browser.fill("/feedback", &[("topic", "your-account"), ("feedback", "Call me"), ("reply", "yes"), ("email", "ada@example.com")]).await
            .assert_redirect("/feedback/sent");
        let account = app.state.db.accounts().find_by_email("ada@example.com").await.unwrap().unwrap();
        let kept = kept_feedback(&app).await;
        assert_eq!(kept[0].message, "Call me");
        assert_eq!(kept[0].account_id.as_deref(), Some(account.id.as_str()));
        assert_eq!(kept[0].reply_email.as_deref(), Some("ada@example.com"));
        assert_eq!(kept[1].message, "Easy");
        assert_eq!((kept[1].account_id.as_deref(), kept[1].reply_email.as_deref()), (None, None));
    }
}
