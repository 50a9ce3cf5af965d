//! Identity proving through the router, on both storage pairs: from an authorization request
//! with `vtr=["Cl.Cm.P2"]` through the proving pages (the simulated sources over the
//! identity-proofing crate's test data set) to a core identity JWT at userinfo, checked
//! against `did.json`; reuse by a relying party in another sector; higher levels; failures
//! and return codes; tampered evidence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{DecodingKey, Validation};
use one_login_core::accounts::interventions::{Intervention, end_pending_access, intervene};
use one_login_store::AuditKind;
use one_login_test_support::pkce;
use serde_json::{Value, json};
use support::rp::{RelyingParty, client_params};
use support::wallet::TestWallet;
use support::{Backend, Browser, Page, TestApp};

const PASSWORD: &str = "correct horse battery staple";
const EMAIL: &str = "kenneth@example.com";
/// Another account, for the limits per document.
const SECOND: &str = "second@example.com";
const CORE_IDENTITY: &str = "https://vocab.account.gov.uk/v1/coreIdentityJWT";
const ADDRESS: &str = "https://vocab.account.gov.uk/v1/address";
const PASSPORT: &str = "https://vocab.account.gov.uk/v1/passport";
const RETURN_CODE: &str = "https://vocab.account.gov.uk/v1/returnCode";
const DRIVING_PERMIT: &str = "https://vocab.account.gov.uk/v1/drivingPermit";

/// A person of the test data set, as a citizen would type their details.
struct Person {
    passport: &'static str,
    surname: &'static str,
    given_names: &'static str,
    birth: (&'static str, &'static str, &'static str),
    passport_expiry: (&'static str, &'static str, &'static str),
    postcode: &'static str,
    /// Their line in the postcode's address list.
    address: &'static str,
    /// Answers from their records, one of which each question's options contain.
    answers: &'static [&'static str],
}

const KENNETH: Person = Person {
    passport: "321654987",
    surname: "Decerqueira",
    given_names: "Kenneth",
    birth: ("08", "07", "1965"),
    passport_expiry: ("01", "01", "2030"),
    postcode: "BA2 5AA",
    address: "8 Hadley Road",
    answers: &[
        "Halifax",
        "Zopa",
        "Vodafone",
        "650",
        "Octopus Energy",
        "Black Horse",
    ],
};

/// Passport reported lost or stolen: a blocking contra-indicator.
const MARY: Person = Person {
    passport: "123456789",
    surname: "Watson",
    given_names: "Mary Anne",
    birth: ("25", "02", "1952"),
    passport_expiry: ("30", "05", "2028"),
    postcode: "LS6 4BN",
    address: "Flat 2",
    answers: &["Nationwide", "EE"],
};

/// A Northern Ireland (DVA) driving licence and no passport.
const SARAH: Person = Person {
    passport: "",
    surname: "Jones",
    given_names: "Sarah",
    birth: ("28", "05", "1988"),
    passport_expiry: ("", "", ""),
    postcode: "BT7 1NN",
    address: "24 Botanic Avenue",
    answers: &[
        "Santander",
        "Tesco Bank",
        "O2",
        "£701 to £1,000",
        "Power NI",
        "Close Brothers Motor Finance",
    ],
};

struct Env {
    app: TestApp,
    /// Sector A.
    driving: RelyingParty,
    /// Sector B.
    benefits: RelyingParty,
    totp: String,
}

impl Env {
    async fn start(backend: Backend) -> Env {
        let driving = RelyingParty::new("driving", "www.driving.example.gov.uk");
        let benefits = RelyingParty::new("benefits", "benefits.example.gov.uk");
        let clients = vec![
            driving.identity_registration(),
            benefits.identity_registration(),
        ];
        let app = TestApp::start_with_clients(backend, "", &clients).await;
        let totp = app.create_account(EMAIL, PASSWORD).await;
        Env {
            app,
            driving,
            benefits,
            totp,
        }
    }

    fn issuer(&self) -> String {
        self.app.state.config.issuer.clone()
    }

    fn now(&self) -> i64 {
        self.app.state.clock.unix()
    }

    fn authorize_url(&self, rp: &RelyingParty, vtr: &str, claims: &[&str]) -> (String, String) {
        let userinfo: serde_json::Map<String, Value> = claims
            .iter()
            .map(|c| ((*c).to_owned(), Value::Null))
            .collect();
        self.authorize_url_with(rp, vtr, Value::Object(userinfo))
    }

    /// [`Env::authorize_url`] with the `claims` parameter's `userinfo` member as given.
    fn authorize_url_with(
        &self,
        rp: &RelyingParty,
        vtr: &str,
        userinfo: Value,
    ) -> (String, String) {
        let (verifier, challenge) = pkce();
        let params = [
            ("response_type", "code".to_owned()),
            ("scope", "openid email".to_owned()),
            ("client_id", rp.client_id.clone()),
            ("redirect_uri", rp.redirect_uri.clone()),
            ("state", "state-1".to_owned()),
            ("nonce", "nonce-1".to_owned()),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256".to_owned()),
            ("vtr", format!("[\"{vtr}\"]")),
            ("claims", json!({ "userinfo": userinfo }).to_string()),
        ];
        let query = serde_urlencoded::to_string(params).unwrap();
        (format!("/authorize?{query}"), verifier)
    }

    /// Authorize, sign in if asked, agree if asked: ends where the provider sends the browser
    /// next (a proving page, the reuse page, or the client).
    async fn begin(
        &self,
        browser: &mut Browser,
        rp: &RelyingParty,
        vtr: &str,
        claims: &[&str],
    ) -> (Page, String) {
        self.begin_as(browser, (EMAIL, &self.totp), rp, vtr, claims)
            .await
    }

    /// [`Env::begin`] for the account `(email, TOTP secret)`.
    async fn begin_as(
        &self,
        browser: &mut Browser,
        (email, totp): (&str, &str),
        rp: &RelyingParty,
        vtr: &str,
        claims: &[&str],
    ) -> (Page, String) {
        let (url, verifier) = self.authorize_url(rp, vtr, claims);
        let mut page = browser.get(&url).await;
        if page.location() == "/" {
            browser
                .fill("/sign-in", &[("email", email), ("password", PASSWORD)])
                .await
                .assert_redirect("/sign-in/authenticator-code");
            self.app.next_totp_step();
            let code = self.app.totp_now(totp);
            browser
                .fill("/sign-in/authenticator-code", &[("code", &code)])
                .await
                .assert_redirect("/authorize/continue");
            page = browser.get("/authorize/continue").await;
        }
        if page.location() == "/authorize/consent" {
            page = browser
                .fill("/authorize/consent", &[("decision", "agree")])
                .await;
        }
        (page, verifier)
    }

    /// For an identity already proven: `url` at the benefits service, the consent page
    /// (whose list of details is returned), agreement, reuse, tokens, then userinfo.
    async fn consent_then_reuse(
        &self,
        browser: &mut Browser,
        url: &str,
        verifier: &str,
    ) -> (String, Value) {
        browser.get(url).await.assert_redirect("/authorize/consent");
        let consent = browser.get("/authorize/consent").await;
        assert_eq!(consent.status, StatusCode::OK, "{}", consent.body);
        let listed = consent.body.split("govuk-list--bullet").nth(1).unwrap();
        let listed = listed.split("</ul>").next().unwrap().to_owned();
        for hidden in ["date of birth", "verified name", "Your address"] {
            assert!(
                !listed.contains(hidden),
                "{hidden} on the consent page: {listed}"
            );
        }
        browser
            .fill("/authorize/consent", &[("decision", "agree")])
            .await
            .assert_redirect("/identity/reuse");
        let reuse = browser.get("/identity/reuse").await;
        browser
            .post("/identity/reuse", &[("csrf_token", &reuse.csrf())])
            .await
            .assert_redirect("/authorize/continue");
        let params = self.back_to(browser, &self.benefits).await;
        let tokens = self
            .tokens(browser, &self.benefits, &params["code"], verifier)
            .await;
        (listed, self.userinfo(browser, &tokens).await)
    }

    /// Kenneth asks the driving service for P2, proves it through every page (signing in
    /// first if need be), and the service redeems its code: its tokens.
    async fn proved_at_driving(&self, browser: &mut Browser) -> Value {
        let (page, verifier) = self
            .begin(browser, &self.driving, "Cl.Cm.P2", &[CORE_IDENTITY])
            .await;
        page.assert_redirect("/identity/next");
        self.prove(browser, &KENNETH)
            .await
            .assert(StatusCode::OK, "You have proved your identity");
        let params = self.back_to(browser, &self.driving).await;
        self.tokens(browser, &self.driving, &params["code"], &verifier)
            .await
    }

    /// The proving pages for `person`, from the photo ID choice to the "proved" panel.
    async fn prove(&self, browser: &mut Browser, person: &Person) -> Page {
        self.to_the_questions(browser, person).await;
        self.answer_questions(browser, person).await;
        browser.get("/identity/next").await
    }

    async fn enter_passport(&self, browser: &mut Browser, person: &Person, number: &str) -> Page {
        browser
            .fill("/identity/passport", &passport_fields(person, number))
            .await
    }

    async fn give_address(&self, browser: &mut Browser, person: &Person) {
        browser
            .fill("/identity/address", &[("postcode", person.postcode)])
            .await
            .assert_redirect("/identity/address/choose");
        let list = browser.get("/identity/address/choose").await;
        let choice = radio_value_for(&list, "address", person.address);
        browser
            .post(
                "/identity/address/choose",
                &[("csrf_token", &list.csrf()), ("address", &choice)],
            )
            .await
            .assert_redirect("/identity/next");
    }

    /// Answers each question with the option the person's records support (or the first
    /// other option when `wrong`). Returns the ids of the questions asked.
    async fn answer_questions_with(
        &self,
        browser: &mut Browser,
        person: &Person,
        wrong: bool,
    ) -> Vec<String> {
        let mut asked = Vec::new();
        loop {
            let page = browser.get("/identity/questions").await;
            if page.status == StatusCode::SEE_OTHER {
                return asked;
            }
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            let question = hidden_value(&page, "question");
            asked.push(question.clone());
            let options = radio_values(&page, "answer");
            let right = options
                .iter()
                .find(|o| person.answers.iter().any(|a| option_matches(o, a)));
            let answer = match (wrong, right) {
                (false, Some(right)) => right.clone(),
                _ => options.iter().find(|o| Some(*o) != right).unwrap().clone(),
            };
            let answered = browser
                .post(
                    "/identity/questions",
                    &[
                        ("csrf_token", &page.csrf()),
                        ("question", &question),
                        ("answer", &answer),
                    ],
                )
                .await;
            assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
            if answered.location() == "/identity/next" {
                return asked;
            }
        }
    }

    async fn answer_questions(&self, browser: &mut Browser, person: &Person) {
        self.answer_questions_with(browser, person, false).await;
    }

    /// Follows the proved panel's link to the client; returns the redirect's parameters.
    async fn back_to(&self, browser: &mut Browser, rp: &RelyingParty) -> HashMap<String, String> {
        let page = browser.get("/authorize/continue").await;
        client_params(&page, rp)
    }

    async fn tokens(
        &self,
        browser: &mut Browser,
        rp: &RelyingParty,
        code: &str,
        verifier: &str,
    ) -> Value {
        let assertion = rp.assertion(&format!("{}token", self.issuer()), self.now());
        let page = browser
            .post(
                "/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", &rp.redirect_uri),
                    ("code_verifier", verifier),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        serde_json::from_str(&page.body).unwrap()
    }

    async fn userinfo(&self, browser: &mut Browser, tokens: &Value) -> Value {
        let request = Request::get("/userinfo")
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", tokens["access_token"].as_str().unwrap()),
            )
            .body(Body::empty())
            .unwrap();
        let page = browser.send(request).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        serde_json::from_str(&page.body).unwrap()
    }

    /// Another account ([`SECOND`]) signed in at the driving service for P2, at the document
    /// choice.
    async fn second_account_at_the_start(&self) -> Browser {
        let totp = self.app.create_account(SECOND, PASSWORD).await;
        let mut browser = self.app.browser();
        let (page, _) = self
            .begin_as(
                &mut browser,
                (SECOND, &totp),
                &self.driving,
                "Cl.Cm.P2",
                &[CORE_IDENTITY],
            )
            .await;
        page.assert_redirect("/identity/next");
        browser
            .get("/identity/next")
            .await
            .assert_redirect("/identity/start");
        browser
    }

    /// "Go back to the service" from `page` (a page with that button): the userinfo `rp` then
    /// gets for the code it is sent.
    async fn stop_and_userinfo(
        &self,
        browser: &mut Browser,
        rp: &RelyingParty,
        page: &Page,
        verifier: &str,
    ) -> Value {
        browser
            .post("/identity/stop", &[("csrf_token", &page.csrf())])
            .await
            .assert_redirect("/authorize/continue");
        let params = self.back_to(browser, rp).await;
        let tokens = self.tokens(browser, rp, &params["code"], verifier).await;
        self.userinfo(browser, &tokens).await
    }

    /// The ID token's claims (its signature is the protocol tests' business).
    fn id_token_claims(&self, tokens: &Value) -> Value {
        let token = tokens["id_token"].as_str().unwrap();
        let payload = token.split('.').nth(1).unwrap();
        use base64::Engine;
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    }

    /// Verifies a core identity JWT as a relying party does: the key named by its `kid` in
    /// the provider's `did.json`, ES256, issuer, audience.
    async fn verify_core_identity(
        &self,
        browser: &mut Browser,
        jwt: &str,
        audience: &str,
    ) -> Value {
        let did: Value =
            serde_json::from_str(&browser.get("/.well-known/did.json").await.body).unwrap();
        let header = jsonwebtoken::decode_header(jwt).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
        let kid = header.kid.unwrap();
        assert!(kid.starts_with("did:web:"), "{kid}");
        assert_eq!(did["id"].as_str().unwrap(), kid.split('#').next().unwrap());
        let method = did["assertionMethod"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == kid)
            .unwrap_or_else(|| panic!("{kid} not in did.json: {did}"));
        let jwk: Jwk = serde_json::from_value(method["publicKeyJwk"].clone()).unwrap();
        let mut validation = Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.set_issuer(&[self.issuer()]);
        validation.set_audience(&[audience]);
        jsonwebtoken::decode::<Value>(jwt, &DecodingKey::from_jwk(&jwk).unwrap(), &validation)
            .unwrap()
            .claims
    }

    async fn stored_credentials(&self) -> usize {
        self.checks_of(EMAIL, None).await
    }

    /// How many checks are recorded for the account of `email`, of `source` (all when `None`).
    async fn checks_of(&self, email: &str, source: Option<&str>) -> usize {
        let db = &self.app.state.db;
        let account = self.app.account(email).await;
        let stored = db
            .identity()
            .credentials(&account.id, self.now())
            .await
            .unwrap();
        stored
            .iter()
            .filter(|c| source.is_none_or(|s| c.source == s))
            .count()
    }

    /// The proving attempts stored, by outcome (`pending`, `failed`).
    async fn attempts_stored(&self, outcome: &str) -> i64 {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM proving_attempts WHERE outcome = $1")
            .bind(outcome)
            .fetch_one(self.app.state.db.pool())
            .await
            .unwrap();
        sqlx::Row::try_get(&row, "n").unwrap()
    }

    /// From the hub at the start of a journey to the first question: the passport, the
    /// address, the fraud check.
    async fn to_the_questions(&self, browser: &mut Browser, person: &Person) {
        browser
            .get("/identity/next")
            .await
            .assert_redirect("/identity/start");
        browser
            .fill("/identity/start", &[("document", "passport")])
            .await
            .assert_redirect("/identity/passport");
        self.enter_passport(browser, person, person.passport)
            .await
            .assert_redirect("/identity/next");
        browser
            .get("/identity/next")
            .await
            .assert_redirect("/identity/address");
        self.give_address(browser, person).await;
        // The fraud check runs without a page.
        browser
            .get("/identity/next")
            .await
            .assert_redirect("/identity/next");
        browser
            .get("/identity/next")
            .await
            .assert_redirect("/identity/questions");
    }
}

/// The passport form's fields for `person`, with passport `number`.
fn passport_fields<'a>(person: &'a Person, number: &'a str) -> [(&'static str, &'a str); 9] {
    [
        ("passport-number", number),
        ("surname", person.surname),
        ("given-names", person.given_names),
        ("birth-date-day", person.birth.0),
        ("birth-date-month", person.birth.1),
        ("birth-date-year", person.birth.2),
        ("expiry-date-day", person.passport_expiry.0),
        ("expiry-date-month", person.passport_expiry.1),
        ("expiry-date-year", person.passport_expiry.2),
    ]
}

/// The form fields of a wrong answer to the question on `page`.
fn wrong_answer(person: &Person, page: &Page) -> Fields {
    let options = radio_values(page, "answer");
    let wrong = options
        .iter()
        .find(|o| !person.answers.iter().any(|a| option_matches(o, a)))
        .unwrap()
        .clone();
    vec![
        ("csrf_token", page.csrf()),
        ("question", hidden_value(page, "question")),
        ("answer", wrong),
    ]
}

/// Form fields with values of their own, for requests sent from other tasks.
type Fields = Vec<(&'static str, String)>;

/// Sends each browser's fields to `path`, all at once; the pages in no particular order.
async fn post_at_once(sends: Vec<(Browser, Fields)>, path: &'static str) -> Vec<Page> {
    let mut tasks = tokio::task::JoinSet::new();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(sends.len()));
    for (mut browser, fields) in sends {
        let start = start.clone();
        tasks.spawn(async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            start.wait().await;
            browser.post(path, &fields).await
        });
    }
    tasks.join_all().await
}

/// `n` copies of `browser` (same cookies, so the same session), each to send `fields`.
fn same_session(
    browser: &Browser,
    router: &axum::Router,
    n: usize,
    fields: &Fields,
) -> Vec<(Browser, Fields)> {
    (0..n)
        .map(|_| {
            let mut copy = Browser::new(router.clone(), &browser.peer.to_string());
            copy.cookies = browser.cookies.clone();
            (copy, fields.clone())
        })
        .collect()
}

/// The passport form's fields for `person` with passport `number`, with the CSRF token of
/// `form`.
fn passport_form(form: &Page, person: &Person, number: &str) -> Fields {
    let mut fields = vec![("csrf_token", form.csrf())];
    fields.extend(passport_fields(person, number).map(|(k, v)| (k, v.to_owned())));
    fields
}

fn option_matches(option: &str, answer: &str) -> bool {
    if let Ok(amount) = answer.parse::<u32>() {
        // A range such as "£600 to £699".
        let numbers: Vec<u32> = option
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        return match numbers.as_slice() {
            [low, high] => (*low..=*high).contains(&amount),
            [low] if option.contains("over") || option.contains("more") => amount >= *low,
            [high] if option.contains("under") || option.contains("less") => amount < *high,
            _ => false,
        };
    }
    option == answer
}

fn hidden_value(page: &Page, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {}", page.body))
        + marker.len();
    let end = page.body[start..].find('"').unwrap() + start;
    page.body[start..end].to_owned()
}

/// The values of a radio group, in page order (askama escapes them; the test data has no
/// characters that need it except `&`, `£` passes through).
fn radio_values(page: &Page, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" type=\"radio\" value=\"");
    page.body
        .match_indices(&marker)
        .map(|(i, _)| {
            let start = i + marker.len();
            let end = page.body[start..].find('"').unwrap() + start;
            page.body[start..end]
                .replace("&amp;", "&")
                .replace("&#x27;", "'")
        })
        .collect()
}

/// The value of the radio whose label contains `text`.
fn radio_value_for(page: &Page, name: &str, text: &str) -> String {
    let values = radio_values(page, name);
    let labels: Vec<&str> = page.body.split("govuk-radios__label").skip(1).collect();
    values
        .iter()
        .zip(labels)
        .find(|(_, label)| label.split("</label>").next().unwrap().contains(text))
        .map(|(v, _)| v.clone())
        .unwrap_or_else(|| panic!("no {name} option with {text:?} in {}", page.body))
}

macro_rules! identity_tests {
    ($(async fn $name:ident($env:ident: Env) $body:block)*) => {$(
        mod $name {
            use super::*;
            async fn run($env: Env) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() { run(Env::start(Backend::Embedded).await).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_redis() {
                if support::real_servers_available(concat!("identity::", stringify!($name))).await {
                    run(Env::start(Backend::PostgresRedis).await).await
                }
            }
        }
    )*};
}

identity_tests! {
    // Issue 10 (account interventions): once an operator requires a new proof of identity, the
    // stored identity is no longer released (not even on a grant made before), the sessions
    // end, a service that asks only for sign-in is unaffected, and the next identity request
    // sends the citizen through proving again, after which the new evidence counts.
    async fn a_required_reproving_sends_the_citizen_through_proving_again(env: Env) {
        let mut browser = env.app.browser();
        let tokens = env.proved_at_driving(&mut browser).await;
        assert!(env.userinfo(&mut browser, &tokens).await[CORE_IDENTITY].is_string());
        let checks = env.stored_credentials().await;

        env.app.clock.advance(std::time::Duration::from_secs(1));
        let state = &env.app.state;
        intervene(&state.db, EMAIL, Intervention::RequireReproving, env.now()).await.unwrap();
        let info = env.userinfo(&mut browser, &tokens).await;
        assert!(info.get(CORE_IDENTITY).is_none(), "withheld at once: {info}");
        assert_eq!(end_pending_access(&state.account_access(), state.clock.unix_millis()).await.unwrap(), 1);
        assert_eq!(browser.get("/account").await.location(), "/sign-in", "the session ended");

        env.app.clock.advance(std::time::Duration::from_secs(1));
        let (page, _) = env.begin(&mut browser, &env.benefits, "Cl.Cm", &[]).await;
        assert!(client_params(&page, &env.benefits).contains_key("code"), "sign-in only: no proving");
        let account = browser.get("/account").await;
        account.assert(StatusCode::OK, "Your account");
        assert!(!account.body.contains("You have proved your identity."), "no proven identity shown");

        let tokens = env.proved_at_driving(&mut browser).await;
        assert!(env.stored_credentials().await > checks, "checked again");
        assert!(env.userinfo(&mut browser, &tokens).await[CORE_IDENTITY].is_string());
        browser.get("/account").await.assert(StatusCode::OK, "You have proved your identity.");
    }

    // The contract's P2 web journey: passport, address, fraud check, questions; then the core
    // identity JWT at userinfo, verified with the key that did.json names.
    async fn proving_to_p2_gives_a_core_identity_that_did_json_verifies(env: Env) {
        let mut browser = env.app.browser();
        let claims = [CORE_IDENTITY, ADDRESS, PASSPORT];
        let (page, verifier) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &claims).await;
        page.assert_redirect("/identity/next");
        let proved = env.prove(&mut browser, &KENNETH).await;
        proved.assert(StatusCode::OK, "You have proved your identity");
        assert!(proved.body.contains("Kenneth Decerqueira"));
        let params = env.back_to(&mut browser, &env.driving).await;
        let tokens = env.tokens(&mut browser, &env.driving, &params["code"], &verifier).await;
        let id = env.id_token_claims(&tokens);
        assert_eq!(id["vot"], "Cl.Cm", "the ID token's vot is the credential level only");
        let info = env.userinfo(&mut browser, &tokens).await;
        assert_eq!(info["sub"], id["sub"]);
        let core = env
            .verify_core_identity(&mut browser, info[CORE_IDENTITY].as_str().unwrap(), "driving")
            .await;
        assert_eq!(core["sub"], id["sub"]);
        assert_eq!(core["vot"], "P2");
        assert_eq!(core["vtm"], format!("{}trustmark", env.issuer()));
        let subject = &core["vc"]["credentialSubject"];
        assert_eq!(subject["birthDate"], json!([{ "value": "1965-07-08" }]));
        let parts = &subject["name"][0]["nameParts"];
        assert_eq!(parts, &json!([{"value": "Kenneth", "type": "GivenName"}, {"value": "Decerqueira", "type": "FamilyName"}]));
        assert_eq!(core["vc"]["type"], json!(["VerifiableCredential", "VerifiableIdentityCredential"]));
        assert_eq!(info[ADDRESS][0]["postalCode"], "BA2 5AA");
        assert_eq!(info[PASSPORT][0]["documentNumber"], "321654987");
        assert!(info.get(RETURN_CODE).is_none(), "not asked for");
        // The account page shows the proven identity and who received it.
        let account = browser.get("/account").await;
        account.assert(StatusCode::OK, "You have proved your identity.");
        assert!(account.body.contains("UK passport, checked"));
        assert!(account.body.contains("Service driving, last on"));
    }

    // Checklist 72 (Core §17.2, ASVS 16.2.5): each release of identity claims at userinfo is
    // audited with the service, the citizen and the claim names, never the values; a plain
    // userinfo answer records nothing.
    async fn identity_releases_are_audited_by_claim_name_never_value(env: Env) {
        let mut browser = env.app.browser();
        let claims = [CORE_IDENTITY, ADDRESS];
        let (page, verifier) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &claims).await;
        page.assert_redirect("/identity/next");
        env.prove(&mut browser, &KENNETH).await.assert(StatusCode::OK, "You have proved your identity");
        let params = env.back_to(&mut browser, &env.driving).await;
        let tokens = env.tokens(&mut browser, &env.driving, &params["code"], &verifier).await;
        let account = env.app.account(EMAIL).await;
        let released = || async {
            env.app.state.db.audit().details_of(&account.id, AuditKind::IdentityReleased).await.unwrap()
        };
        assert!(released().await.is_empty(), "nothing released before userinfo");
        env.userinfo(&mut browser, &tokens).await;
        env.userinfo(&mut browser, &tokens).await;
        let events = released().await;
        assert_eq!(events.len(), 2, "each release: {events:?}");
        let mut names: Vec<&str> = events[0].0.split(' ').collect();
        assert_eq!(names.remove(0), "driving");
        names.sort_unstable();
        assert_eq!(names, [ADDRESS, CORE_IDENTITY]);
        for (detail, _) in &events {
            for value in ["Kenneth", "Decerqueira", "BA2 5AA", "Hadley", "1965", "eyJ"] {
                assert!(!detail.contains(value), "a value in the audit: {detail}");
            }
        }
        // The same citizen at a service without identity: no release, no event.
        let (page, verifier) = env.begin(&mut browser, &env.benefits, "Cl.Cm", &[]).await;
        let params = client_params(&page, &env.benefits);
        let tokens = env.tokens(&mut browser, &env.benefits, &params["code"], &verifier).await;
        env.userinfo(&mut browser, &tokens).await;
        assert_eq!(released().await.len(), 2);
    }

    // Reuse: a service in another sector asks for P2; the citizen signs in once (single
    // sign-on), agrees, confirms the reuse, and no check runs again. Same person, other `sub`.
    async fn a_second_service_reuses_the_identity_without_new_checks(env: Env) {
        let mut browser = env.app.browser();
        let (page, verifier) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        env.prove(&mut browser, &KENNETH).await.assert(StatusCode::OK, "You have proved your identity");
        let params = env.back_to(&mut browser, &env.driving).await;
        let first = env.tokens(&mut browser, &env.driving, &params["code"], &verifier).await;
        let first_info = env.userinfo(&mut browser, &first).await;
        let checks = env.stored_credentials().await;

        let (page, verifier) = env.begin(&mut browser, &env.benefits, "Cl.Cm.P2", &[CORE_IDENTITY, "verified_claims"]).await;
        page.assert_redirect("/identity/reuse");
        let reuse = browser.get("/identity/reuse").await;
        reuse.assert(StatusCode::OK, "You have already proved your identity");
        assert!(reuse.body.contains("Kenneth Decerqueira") && reuse.body.contains("8 July 1965"));
        browser
            .post("/identity/reuse", &[("csrf_token", &reuse.csrf())])
            .await
            .assert_redirect("/authorize/continue");
        let params = env.back_to(&mut browser, &env.benefits).await;
        let second = env.tokens(&mut browser, &env.benefits, &params["code"], &verifier).await;
        let second_info = env.userinfo(&mut browser, &second).await;
        assert_ne!(first_info["sub"], second_info["sub"], "pairwise subjects differ by sector");
        let a = env.verify_core_identity(&mut browser, first_info[CORE_IDENTITY].as_str().unwrap(), "driving").await;
        let b = env.verify_core_identity(&mut browser, second_info[CORE_IDENTITY].as_str().unwrap(), "benefits").await;
        assert_eq!(a["vc"]["credentialSubject"], b["vc"]["credentialSubject"]);
        assert_eq!(b["sub"], second_info["sub"]);
        assert_eq!(env.stored_credentials().await, checks, "no new check ran");
        // The same identity in the standard form (OpenID Connect for Identity Assurance).
        let verified = &second_info["verified_claims"];
        assert_eq!(verified["verification"]["trust_framework"], "uk_tfida");
        assert_eq!(verified["claims"]["family_name"], "Decerqueira");
        assert_eq!(verified["claims"]["birthdate"], "1965-07-08");

        // The next visit, consent already given: the reuse page again (confirmed per
        // authorization), and it leads back to the service, not to the account page.
        let (page, verifier) = env.begin(&mut browser, &env.benefits, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/reuse");
        let reuse = browser.get("/identity/reuse").await;
        reuse.assert(StatusCode::OK, "You have already proved your identity");
        browser
            .post("/identity/reuse", &[("csrf_token", &reuse.csrf())])
            .await
            .assert_redirect("/authorize/continue");
        let params = env.back_to(&mut browser, &env.benefits).await;
        let third = env.tokens(&mut browser, &env.benefits, &params["code"], &verifier).await;
        let third_info = env.userinfo(&mut browser, &third).await;
        assert_eq!(third_info["sub"], second_info["sub"]);
        assert!(third_info[CORE_IDENTITY].is_string());
    }

    // Issue 17 §2: a service asks only whether the citizen is over 18 (and 21). The consent
    // page names only that; userinfo answers booleans derived from the proven birth date, with
    // neither the birth date nor the core identity JWT. Then the same selected inside
    // verified_claims (OIDC4IDA §6): only the age comes back, with the trust framework.
    async fn a_service_asking_only_for_an_age_is_told_only_the_age(env: Env) {
        let mut browser = env.app.browser();
        env.proved_at_driving(&mut browser).await;
        let (url, verifier) = env.authorize_url(&env.benefits, "Cl.Cm.P2", &["age_over_18", "age_over_21"]);
        let (listed, info) = env.consent_then_reuse(&mut browser, &url, &verifier).await;
        assert!(listed.contains("Whether you are over 18") && listed.contains("Whether you are over 21"), "{listed}");
        assert_eq!(info["age_over_18"], true, "{info}");
        assert_eq!(info["age_over_21"], true, "{info}");
        let mut names: Vec<&String> = info.as_object().unwrap().keys().collect();
        names.sort_unstable();
        assert_eq!(names, ["age_over_18", "age_over_21", "email", "email_verified", "sub"], "nothing else");
        assert!(!info.to_string().contains("1965"), "no birth date: {info}");

        let selection = json!({"verified_claims": {
            "verification": {"trust_framework": null},
            "claims": {"age_over_18": null}}});
        let (url, verifier) = env.authorize_url_with(&env.benefits, "Cl.Cm.P2", selection);
        let (listed, info) = env.consent_then_reuse(&mut browser, &url, &verifier).await;
        assert!(listed.contains("Whether you are over 18") && !listed.contains("over 21"), "{listed}");
        let verified = &info["verified_claims"];
        assert_eq!(verified["claims"], json!({"age_over_18": true}), "{info}");
        assert_eq!(verified["verification"]["trust_framework"], "uk_tfida");
        assert!(info.get(CORE_IDENTITY).is_none() && info.get("age_over_18").is_none(), "{info}");
        assert!(!info.to_string().contains("1965"), "no birth date: {info}");
    }

    // Issue 17 §3: the account page offers the proven identity to a wallet (OID4VCI 1.0,
    // pre-authorized code); the test wallet redeems the code once, proves its key with a
    // fresh nonce, and receives an SD-JWT VC; a department's verifier (the kit's) accepts a
    // presentation of age_over_18 alone, and refuses a tampered disclosure, a replayed
    // pre-authorized code, a reused nonce, and, once the identity is lost, the revoked credential.
    async fn a_wallet_receives_the_identity_and_a_verifier_checks_only_the_age(env: Env) {
        let mut browser = env.app.browser();
        env.proved_at_driving(&mut browser).await;
        let metadata: Value = serde_json::from_str(&browser.get("/.well-known/openid-credential-issuer").await.body).unwrap();
        let issuer = metadata["credential_issuer"].as_str().unwrap().to_owned();
        assert_eq!(format!("{issuer}/"), env.issuer());
        let account = browser.get("/account").await;
        let offer = browser.post("/account/wallet", &[("csrf_token", &account.csrf())]).await;
        offer.assert(StatusCode::OK, "Add your proven identity to a wallet");
        assert!(offer.body.contains("data:image/svg+xml;base64,"), "a QR code");
        let link = offer.body.split("id=\"credential-offer\" href=\"").nth(1).unwrap().split('"').next().unwrap();
        let link = ["&#x2F;", "&#x2f;", "&#47;"].iter().fold(link.replace("&amp;", "&"), |l, e| l.replace(e, "/"));
        let (offered_issuer, code) = TestWallet::read_offer(&link);
        assert_eq!(offered_issuer, issuer);

        let grant = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
        let token = browser.post("/token", &[("grant_type", grant), ("pre-authorized_code", &code)]).await;
        assert_eq!(token.status, StatusCode::OK, "{}", token.body);
        let token: Value = serde_json::from_str(&token.body).unwrap();
        let replayed = browser.post("/token", &[("grant_type", grant), ("pre-authorized_code", &code)]).await;
        assert_eq!(replayed.status, StatusCode::BAD_REQUEST, "a replayed code");
        assert!(replayed.body.contains("invalid_grant"), "{}", replayed.body);

        let wallet = TestWallet::new();
        let nonce_of = |page: Page| -> String {
            let value: Value = serde_json::from_str(&page.body).unwrap();
            value["c_nonce"].as_str().unwrap().to_owned()
        };
        let nonce = nonce_of(browser.post("/nonce", &[]).await);
        let request = json!({"credential_configuration_id": "UKIdentityCredential",
                             "proofs": {"jwt": [wallet.proof(&issuer, &nonce, env.now())]}});
        let ask = |body: &Value| {
            Request::post("/credential")
                .header(header::AUTHORIZATION, format!("Bearer {}", token["access_token"].as_str().unwrap()))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let issued = browser.send(ask(&request)).await;
        assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
        let issued: Value = serde_json::from_str(&issued.body).unwrap();
        let credential = issued["credentials"][0]["credential"].as_str().unwrap().to_owned();
        // One credential per access token, even with a fresh nonce (a used nonce: the unit test
        // `wallet::tests::key_proofs_need_an_audience_a_public_key_and_a_sane_iat`).
        let nonce = nonce_of(browser.post("/nonce", &[]).await);
        let again = json!({"credential_configuration_id": "UKIdentityCredential",
                           "proofs": {"jwt": [wallet.proof(&issuer, &nonce, env.now())]}});
        let reused = browser.send(ask(&again)).await;
        assert_eq!(reused.status, StatusCode::UNAUTHORIZED, "a used access token");
        assert!(reused.body.contains("invalid_token"), "{}", reused.body);

        let did: one_login_rp::identity::DidDocument =
            serde_json::from_str(&browser.get("/.well-known/did.json").await.body).unwrap();
        let check = |presentation: &str, status: &str| {
            one_login_rp::wallet::verify_presentation(
                presentation,
                &did,
                status,
                &one_login_rp::wallet::PresentationRequest {
                    issuer: &issuer, audience: "https://shop.example/", nonce: "shop-nonce", now: env.now(),
                },
            )
        };
        let status = browser.get("/status/identity").await;
        assert_eq!(status.status, StatusCode::OK);
        let presentation = wallet.present(&credential, &["age_over_18"], "https://shop.example/", "shop-nonce", env.now());
        let verified = check(&presentation, &status.body).unwrap();
        assert_eq!(verified.age_over_18(), Some(true));
        for hidden in ["given_name", "family_name", "birthdate", "address"] {
            assert!(!verified.claims.contains_key(hidden), "{hidden} disclosed");
        }
        // A tampered disclosure: the holder's own claim in place of the issuer's.
        let mut parts: Vec<String> = presentation.split('~').map(str::to_owned).collect();
        parts[1] = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            r#"["c2FsdA","age_over_18",true]"#,
        );
        assert!(check(&parts.join("~"), &status.body).is_err(), "a tampered disclosure");

        // The identity is lost (an operator requires it proven again): the credential is revoked.
        intervene(&env.app.state.db, EMAIL, Intervention::RequireReproving, env.now()).await.unwrap();
        let status = browser.get("/status/identity").await;
        let refused = check(&presentation, &status.body).unwrap_err();
        assert!(refused.to_string().contains("revoked"), "{refused}");
    }

    // A higher level than the one proven asks only for what is missing: no new passport.
    async fn a_higher_level_asks_only_for_more_evidence(env: Env) {
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        env.prove(&mut browser, &KENNETH).await.assert(StatusCode::OK, "You have proved your identity");
        let (page, _) = env.begin(&mut browser, &env.benefits, "Cl.Cm.P3", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        let next = browser.get("/identity/next").await;
        assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
        assert_ne!(next.location(), "/identity/address", "the address is known");
        assert_ne!(next.location(), "/identity/reuse", "P2 evidence does not meet P3");
    }

    // The driving licence route (GPG 45 M1B): a Northern Ireland licence, then address, fraud
    // check and questions.
    async fn a_driving_licence_proves_p2_too(env: Env) {
        let mut browser = env.app.browser();
        let (page, verifier) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY, DRIVING_PERMIT]).await;
        page.assert_redirect("/identity/next");
        browser.get("/identity/next").await.assert_redirect("/identity/start");
        browser
            .fill("/identity/start", &[("document", "driving-licence")])
            .await
            .assert_redirect("/identity/driving-licence");
        browser
            .fill(
                "/identity/driving-licence",
                &[
                    ("licence-number", "58210963"),
                    ("surname", "Jones"),
                    ("given-names", "Sarah"),
                    ("birth-date-day", "28"),
                    ("birth-date-month", "5"),
                    ("birth-date-year", "1988"),
                    ("issue-date-day", "2"),
                    ("issue-date-month", "4"),
                    ("issue-date-year", "2019"),
                    ("expiry-date-day", "1"),
                    ("expiry-date-month", "4"),
                    ("expiry-date-year", "2029"),
                    ("postcode", "BT7 1NN"),
                ],
            )
            .await
            .assert_redirect("/identity/next");
        browser.get("/identity/next").await.assert_redirect("/identity/address");
        env.give_address(&mut browser, &SARAH).await;
        browser.get("/identity/next").await.assert_redirect("/identity/next");
        browser.get("/identity/next").await.assert_redirect("/identity/questions");
        env.answer_questions(&mut browser, &SARAH).await;
        browser.get("/identity/next").await.assert(StatusCode::OK, "Sarah Jones");
        let params = env.back_to(&mut browser, &env.driving).await;
        let tokens = env.tokens(&mut browser, &env.driving, &params["code"], &verifier).await;
        let info = env.userinfo(&mut browser, &tokens).await;
        assert_eq!(info[DRIVING_PERMIT][0]["personalNumber"], "58210963");
        let core = env.verify_core_identity(&mut browser, info[CORE_IDENTITY].as_str().unwrap(), "driving").await;
        assert_eq!(core["vc"]["credentialSubject"]["birthDate"][0]["value"], "1988-05-28");
    }

    // "These details are wrong": the citizen declines the reuse and the service is told.
    async fn the_citizen_can_decline_to_reuse_their_identity(env: Env) {
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        env.prove(&mut browser, &KENNETH).await.assert(StatusCode::OK, "You have proved your identity");
        let (page, _) = env.begin(&mut browser, &env.benefits, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/reuse");
        let reuse = browser.get("/identity/reuse").await;
        reuse.assert(StatusCode::OK, "These details are wrong or have changed");
        browser
            .post("/identity/stop", &[("csrf_token", &reuse.csrf())])
            .await
            .assert_redirect("/authorize/continue");
        let params = client_params(&browser.get("/authorize/continue").await, &env.benefits);
        assert_eq!(params["error"], "access_denied");
    }

    // A passport reported lost or stolen blocks the journey; the service gets access_denied.
    async fn a_blocked_identity_is_refused_with_access_denied(env: Env) {
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        browser.get("/identity/next").await.assert_redirect("/identity/start");
        env.enter_passport(&mut browser, &MARY, MARY.passport).await.assert_redirect("/identity/next");
        let failed = browser.get("/identity/next").await;
        failed.assert(StatusCode::OK, "We could not confirm your identity");
        assert!(!failed.body.to_lowercase().contains("stolen"), "the reason is not revealed");
        browser
            .post("/identity/stop", &[("csrf_token", &failed.csrf())])
            .await
            .assert_redirect("/authorize/continue");
        let params = env.back_to(&mut browser, &env.driving).await;
        assert_eq!(params["error"], "access_denied");
        assert_eq!(params["state"], "state-1");
    }

    // The contract's return codes: a client that asked for them gets a code, and userinfo
    // says why in a code, with no identity.
    async fn return_codes_replace_access_denied_when_asked_for(env: Env) {
        let mut browser = env.app.browser();
        let (page, verifier) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY, RETURN_CODE]).await;
        page.assert_redirect("/identity/next");
        let start = browser.get("/identity/start").await;
        let stopped = browser
            .post("/identity/start", &[("csrf_token", &start.csrf()), ("document", "none")])
            .await;
        stopped.assert(StatusCode::OK, "You have not proved your identity");
        let info = env.stop_and_userinfo(&mut browser, &env.driving, &stopped, &verifier).await;
        assert_eq!(info[RETURN_CODE], json!([{ "code": "S" }]));
        assert!(info.get(CORE_IDENTITY).is_none());
    }

    // The back button, an old tab or a typed address: the page of a step that is done (or not
    // yet due) sends the citizen to the step they are at, and a form sent again from an old
    // page checks nothing twice.
    async fn pages_of_other_steps_send_the_citizen_to_the_step_they_are_at(env: Env) {
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        // Signed in and agreed: those pages go on with the authorization.
        for done in ["/sign-in", "/sign-in/authenticator-code", "/authorize/consent"] {
            browser.get(done).await.assert_redirect("/authorize/continue");
        }
        browser.get("/authorize/continue").await.assert_redirect("/identity/next");
        browser.get("/identity/next").await.assert_redirect("/identity/start");
        for not_yet in ["/identity/address", "/identity/address/choose", "/identity/questions"] {
            browser.get(not_yet).await.assert_redirect("/identity/next");
        }
        browser
            .fill("/identity/start", &[("document", "passport")])
            .await
            .assert_redirect("/identity/passport");
        let old_tab = browser.get("/identity/passport").await;
        old_tab.assert(StatusCode::OK, "Enter your details exactly as they appear on your UK passport");
        env.enter_passport(&mut browser, &KENNETH, KENNETH.passport).await.assert_redirect("/identity/next");
        let checks = env.stored_credentials().await;
        for done in ["/identity/start", "/identity/passport", "/identity/questions"] {
            browser.get(done).await.assert_redirect("/identity/next");
        }
        let token = old_tab.csrf();
        let mut fields = vec![("csrf_token", token.as_str())];
        fields.extend(passport_fields(&KENNETH, KENNETH.passport));
        browser.post("/identity/passport", &fields).await.assert_redirect("/identity/next");
        assert_eq!(env.stored_credentials().await, checks, "the passport is not checked again");
        browser.get("/identity/next").await.assert_redirect("/identity/address");
        env.give_address(&mut browser, &KENNETH).await;
        for done in ["/identity/address", "/identity/address/choose", "/identity/passport"] {
            browser.get(done).await.assert_redirect("/identity/next");
        }
        browser.get("/identity/next").await.assert_redirect("/identity/next"); // the fraud check
        browser.get("/identity/next").await.assert_redirect("/identity/questions");
        env.answer_questions(&mut browser, &KENNETH).await;
        browser.get("/identity/next").await.assert(StatusCode::OK, "You have proved your identity");
        // Marked: no new questions.
        browser.get("/identity/questions").await.assert_redirect("/identity/next");
        browser.get("/identity/next").await.assert(StatusCode::OK, "You have proved your identity");
    }

    // Wrong details are not a match: the form again with a warning, then the limit page.
    // Issue 11.5: the failures are counted per account in the database, across sessions and
    // journeys, for `identity.attempt_window`; a client that asked for return codes gets `L`.
    async fn failed_document_checks_are_limited_per_account_across_sessions(env: Env) {
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        browser.get("/identity/next").await.assert_redirect("/identity/start");
        let max = env.app.state.config.identity.max_attempts;
        for attempt in 1..max {
            let again = env.enter_passport(&mut browser, &KENNETH, "999999999").await;
            again.assert(StatusCode::OK, "We could not match these details to a passport");
            let left = max - attempt;
            assert!(again.body.contains(&format!("You have {left} tr")), "{}", again.body);
        }
        env.enter_passport(&mut browser, &KENNETH, "999999999").await.assert_redirect("/identity/next");
        let limited = browser.get("/identity/next").await;
        limited.assert(StatusCode::OK, "You cannot prove your identity online right now");
        assert!(limited.body.contains("You can try again online in 24 hours"), "{}", limited.body);
        assert_eq!(env.attempts_stored("failed").await, i64::from(max));
        assert_eq!(env.attempts_stored("pending").await, 0);

        // Another browser (a new session) and another service: still limited, no page of the
        // journey is served, and the service that asked for return codes is told why.
        let mut other = env.app.browser();
        let (page, verifier) = env.begin(&mut other, &env.benefits, "Cl.Cm.P2", &[CORE_IDENTITY, RETURN_CODE]).await;
        page.assert_redirect("/identity/next");
        other.get("/identity/next").await.assert(StatusCode::OK, "You cannot prove your identity online right now");
        for page in ["/identity/start", "/identity/passport", "/identity/driving-licence"] {
            other.get(page).await.assert_redirect("/identity/next");
        }
        let checks = env.stored_credentials().await;
        let fields = passport_form(&other.get("/identity/next").await, &KENNETH, KENNETH.passport);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        other.post("/identity/passport", &fields).await.assert_redirect("/identity/next");
        assert_eq!(env.stored_credentials().await, checks, "no check runs at the limit");
        let limited = other.get("/identity/next").await;
        let info = env.stop_and_userinfo(&mut other, &env.benefits, &limited, &verifier).await;
        assert_eq!(info[RETURN_CODE], json!([{ "code": "L" }]));
        assert!(info.get(CORE_IDENTITY).is_none());

        // A client that did not ask for return codes gets access_denied.
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        let limited = browser.get("/identity/next").await;
        browser.post("/identity/stop", &[("csrf_token", &limited.csrf())]).await;
        assert_eq!(env.back_to(&mut browser, &env.driving).await["error"], "access_denied");

        // Once the failures leave the window, the citizen may try again.
        env.app.clock.advance(std::time::Duration::from_secs(24 * 3600));
        let mut later = env.app.browser();
        let (page, _) = env.begin(&mut later, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        later.get("/identity/next").await.assert_redirect("/identity/start");
        env.prove(&mut later, &KENNETH).await.assert(StatusCode::OK, "You have proved your identity");
    }

    // Issue 11.5: attempts count per document too (by a keyed hash of its number, never the
    // number), so a second account gets no tries at a passport another has used up.
    async fn a_second_account_is_limited_at_the_same_document(env: Env) {
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        let max = env.app.state.config.identity.max_attempts;
        for _ in 0..max {
            env.enter_passport(&mut browser, &KENNETH, "999999999").await;
        }
        let keys: Vec<String> = sqlx::query("SELECT document_key FROM proving_attempts")
            .fetch_all(env.app.state.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|row| sqlx::Row::try_get(row, "document_key").unwrap())
            .collect();
        assert_eq!(keys.len(), max as usize);
        assert!(keys.iter().all(|k| k == &keys[0] && !k.contains("999999999")), "{keys:?}");

        let mut other = env.second_account_at_the_start().await;
        env.enter_passport(&mut other, &KENNETH, "999999999").await.assert_redirect("/identity/next");
        other.get("/identity/next").await.assert(StatusCode::OK, "You cannot prove your identity online right now");
        assert_eq!(env.checks_of(SECOND, None).await, 0, "no check ran");
    }

    // Issue 11.3, "reserve, then verify": wrong passport details sent many times at once in
    // one session run no more checks than the limit; the rest see the limit page.
    async fn a_burst_of_passport_submissions_gets_no_more_checks_than_the_limit(env: Env) {
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        let fields = passport_form(&browser.get("/identity/passport").await, &KENNETH, "999999999");
        let pages = post_at_once(same_session(&browser, &env.app.router, 12, &fields), "/identity/passport").await;
        for page in &pages {
            // A request whose session another changed first is sent to the page again.
            assert!(
                page.status == StatusCode::OK && page.body.contains("We could not match these details")
                    || page.status == StatusCode::SEE_OTHER && ["/identity/next", "/identity/passport"].contains(&page.location()),
                "{} {}",
                page.status,
                page.body
            );
        }
        let max = env.app.state.config.identity.max_attempts as usize;
        assert_eq!(env.checks_of(EMAIL, Some("passport")).await, max);
        assert_eq!(env.attempts_stored("failed").await, max as i64);
        assert_eq!(env.attempts_stored("pending").await, 0);
        browser.get("/identity/next").await.assert(StatusCode::OK, "You cannot prove your identity online right now");
    }

    // The other side of counting attempts in flight: several accounts sending the same real
    // passport at once are not refused, they wait for each other's checks (the load tool
    // proves many accounts as Kenneth this way).
    async fn checks_of_one_document_at_once_wait_for_each_other(env: Env) {
        let mut sends = Vec::new();
        for n in 0..6 {
            let email = format!("citizen{n}@example.com");
            let totp = env.app.create_account(&email, PASSWORD).await;
            let mut browser = env.app.browser();
            let (page, _) = env.begin_as(&mut browser, (&email, &totp), &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
            page.assert_redirect("/identity/next");
            let fields = passport_form(&browser.get("/identity/passport").await, &KENNETH, KENNETH.passport);
            sends.push((browser, fields));
        }
        for page in post_at_once(sends, "/identity/passport").await {
            page.assert_redirect("/identity/next");
        }
        for n in 0..6 {
            assert_eq!(env.checks_of(&format!("citizen{n}@example.com"), Some("passport")).await, 1);
        }
        assert_eq!(env.attempts_stored("failed").await + env.attempts_stored("pending").await, 0);
    }

    // Issue 11.5: the questions are no unlimited oracle. A failed set is followed by a set of
    // other questions; sets are counted like documents, per account and per document (a second
    // account with the same passport is limited too), and the final answer sent many times at
    // once is marked no more often than the limit allows (issue 11.3).
    async fn failed_question_sets_are_limited_and_vary(env: Env) {
        let mut browser = env.app.browser();
        let (page, verifier) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY, RETURN_CODE]).await;
        page.assert_redirect("/identity/next");
        env.to_the_questions(&mut browser, &KENNETH).await;
        let max = env.app.state.config.identity.max_attempts as usize;
        let mut sets: Vec<Vec<String>> = Vec::new();
        for _ in 1..max {
            sets.push(env.answer_questions_with(&mut browser, &KENNETH, true).await);
            browser.get("/identity/next").await.assert_redirect("/identity/questions");
        }
        assert_eq!(sets.len(), 2);
        assert_ne!(sets[0], sets[1], "the second set asks other questions");
        let shared = sets[1].iter().filter(|id| sets[0].contains(id)).count();
        assert!(shared <= 2, "{sets:?}");

        // The last set: every answer but the last, then the last one many times at once.
        let mut last = browser.get("/identity/questions").await;
        for _ in 1..4 {
            let fields = wrong_answer(&KENNETH, &last);
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            browser.post("/identity/questions", &fields).await.assert_redirect("/identity/questions");
            last = browser.get("/identity/questions").await;
        }
        let fields = wrong_answer(&KENNETH, &last);
        let pages = post_at_once(same_session(&browser, &env.app.router, 10, &fields), "/identity/questions").await;
        // Each is marked, or (its session changed first by another) sent to the page again.
        assert!(pages.iter().all(|p| ["/identity/next", "/identity/questions"].contains(&p.location())), "{pages:?}");
        assert_eq!(env.checks_of(EMAIL, Some("knowledge")).await, max, "marked no more than the limit");
        let limited = browser.get("/identity/next").await;
        limited.assert(StatusCode::OK, "You cannot prove your identity online right now");
        let info = env.stop_and_userinfo(&mut browser, &env.driving, &limited, &verifier).await;
        assert_eq!(info[RETURN_CODE], json!([{ "code": "L" }]));

        // Another account with the same passport: its document checks are its own, but the
        // question sets at this passport are used up.
        let mut other = env.second_account_at_the_start().await;
        env.enter_passport(&mut other, &KENNETH, KENNETH.passport).await.assert_redirect("/identity/next");
        other.get("/identity/next").await.assert_redirect("/identity/address");
        env.give_address(&mut other, &KENNETH).await;
        other.get("/identity/next").await.assert_redirect("/identity/next");
        other.get("/identity/next").await.assert(StatusCode::OK, "You cannot prove your identity online right now");
        other.get("/identity/questions").await.assert_redirect("/identity/next");
    }

    // Bad input: impossible dates and scripts are answered on the page, escaped, never stored.
    async fn bad_details_are_shown_back_escaped(env: Env) {
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        let form = browser.get("/identity/passport").await;
        let answer = browser
            .post(
                "/identity/passport",
                &[
                    ("csrf_token", &form.csrf()),
                    ("passport-number", "12345"),
                    ("surname", "<script>alert(1)</script>"),
                    ("given-names", "Zoë-Ngọc O'Brien"),
                    ("birth-date-day", "31"),
                    ("birth-date-month", "2"),
                    ("birth-date-year", "1990"),
                ],
            )
            .await;
        answer.assert(StatusCode::BAD_REQUEST, "There is a problem");
        assert!(!answer.body.contains("<script>alert"));
        assert!(answer.body.contains("&#60;script&#62;alert"), "{}", answer.body);
        assert!(answer.body.contains("must be a real date"));
        assert!(answer.body.contains("9 numbers"));
        assert!(!answer.body.contains("given-names-error"), "letters of any script are names");
        assert_eq!(env.stored_credentials().await, 0);
    }

    // Stored evidence is re-checked: a tampered sealed credential does not count.
    async fn tampered_evidence_is_rejected(env: Env) {
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        env.prove(&mut browser, &KENNETH).await.assert(StatusCode::OK, "You have proved your identity");
        sqlx::query("UPDATE identity_credentials SET sealed = replace(sealed, 'A', 'B') WHERE source = 'passport'")
            .execute(env.app.state.db.pool())
            .await
            .unwrap();
        let (page, _) = env.begin(&mut browser, &env.benefits, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        browser.get("/identity/next").await.assert_redirect("/identity/start");
    }

    // Issue 11.6, checklist 37, 68 and 69: the core identity JWT is signed with the identity
    // key (published in did.json only, never in the JWKS), typed, with a jti; the ID token's
    // key is never in did.json.
    async fn the_core_identity_is_signed_with_its_own_typed_key(env: Env) {
        let mut browser = env.app.browser();
        let (page, verifier) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        env.prove(&mut browser, &KENNETH).await.assert(StatusCode::OK, "You have proved your identity");
        let params = env.back_to(&mut browser, &env.driving).await;
        let tokens = env.tokens(&mut browser, &env.driving, &params["code"], &verifier).await;
        let info = env.userinfo(&mut browser, &tokens).await;
        let jwt = info[CORE_IDENTITY].as_str().unwrap();
        let core = env.verify_core_identity(&mut browser, jwt, "driving").await;
        assert!(core["jti"].as_str().unwrap().starts_with("urn:uuid:"), "{core}");
        assert!(core["iat"].as_i64().unwrap() <= env.now() && core["exp"].as_i64().unwrap() <= env.now() + 3600);
        let header = jsonwebtoken::decode_header(jwt).unwrap();
        assert_eq!(header.typ.as_deref(), Some("core-identity+jwt"));
        let core_key = header.kid.unwrap().rsplit('#').next().unwrap().to_owned();
        let id_key = jsonwebtoken::decode_header(tokens["id_token"].as_str().unwrap()).unwrap().kid.unwrap();
        assert_ne!(core_key, id_key);
        let jwks: Value = serde_json::from_str(&browser.get("/.well-known/jwks.json").await.body).unwrap();
        let jwks_kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
        assert!(jwks_kids.contains(&id_key.as_str()) && !jwks_kids.contains(&core_key.as_str()), "{jwks}");
        let did: Value = serde_json::from_str(&browser.get("/.well-known/did.json").await.body).unwrap();
        let methods = did["assertionMethod"].as_array().unwrap();
        assert_eq!(methods.len(), 1, "only the identity key: {did}");
        assert!(!methods.iter().any(|m| m["id"].as_str().unwrap().ends_with(&format!("#{id_key}"))));
    }

    // Checklist 69 (RFC 8725 §3.12): `keys rotate` rotates the identity key with overlap: the
    // new key is in did.json before it signs, the old one after, and evidence the old key signed
    // keeps counting long after it left did.json.
    async fn the_identity_key_rotates_with_overlap_and_old_evidence_still_counts(env: Env) {
        use one_login_core::oidc::keys::{KeyPurpose, Keys};
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        env.prove(&mut browser, &KENNETH).await.assert(StatusCode::OK, "You have proved your identity");
        let state = &env.app.state;
        let did_kids = |did: &Value| -> Vec<String> {
            did["assertionMethod"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect()
        };
        let before = did_kids(&serde_json::from_str(&browser.get("/.well-known/did.json").await.body).unwrap());
        let jwks_before = browser.get("/.well-known/jwks.json").await.body;
        let made = Keys::rotate_purpose(&state.db, &state.config.keys, KeyPurpose::Identity, env.now()).await.unwrap();
        assert_eq!(made.len(), 1);
        state.oidc.keys.reload(&state.db).await.unwrap();
        assert_eq!(browser.get("/.well-known/jwks.json").await.body, jwks_before, "token keys untouched");
        let during = did_kids(&serde_json::from_str(&browser.get("/.well-known/did.json").await.body).unwrap());
        assert_eq!(during.len(), 2, "published before it signs: {during:?}");
        assert!(during.contains(&before[0]));
        env.app.clock.advance(state.config.keys.publish_before_use + std::time::Duration::from_secs(1));
        // Another service gets the identity by reuse: signed with the new key, from evidence
        // the old one signed.
        let (page, verifier) = env.begin(&mut browser, &env.benefits, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/reuse");
        let reuse = browser.get("/identity/reuse").await;
        browser.post("/identity/reuse", &[("csrf_token", &reuse.csrf())]).await.assert_redirect("/authorize/continue");
        let params = env.back_to(&mut browser, &env.benefits).await;
        let tokens = env.tokens(&mut browser, &env.benefits, &params["code"], &verifier).await;
        let jwt = env.userinfo(&mut browser, &tokens).await[CORE_IDENTITY].as_str().unwrap().to_owned();
        env.verify_core_identity(&mut browser, &jwt, "benefits").await;
        let kid = jsonwebtoken::decode_header(&jwt).unwrap().kid.unwrap();
        assert_ne!(kid, before[0], "the new key signs now");
        assert!(during.contains(&kid));
        // Past the retention the old key leaves did.json; its evidence still verifies.
        env.app.clock.advance(state.config.keys.publish_after_retirement + std::time::Duration::from_secs(1));
        let after = did_kids(&serde_json::from_str(&browser.get("/.well-known/did.json").await.body).unwrap());
        assert_eq!(after, [kid]);
        let account = env.app.account(EMAIL).await;
        let evidence = state.identity.evidence(&state.db, &state.oidc.keys.set(), &account.id, env.now()).await.unwrap();
        assert_eq!(evidence.len(), env.stored_credentials().await);
        assert!(evidence.len() >= 3, "{evidence:?}");
    }

    // Issue 15: the addresses at a postcode in house-number order, and "My address is not
    // listed": an address typed by hand is recorded as such (the stored evidence's source),
    // and the fraud check is not given it, so it raises no score (1 where the register's
    // address gives Kenneth 2).
    async fn an_address_typed_by_hand_is_recorded_as_unchecked(env: Env) {
        let mut browser = env.app.browser();
        let (page, _) = env.begin(&mut browser, &env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]).await;
        page.assert_redirect("/identity/next");
        browser.get("/identity/next").await.assert_redirect("/identity/start");
        browser.fill("/identity/start", &[("document", "passport")]).await.assert_redirect("/identity/passport");
        env.enter_passport(&mut browser, &KENNETH, KENNETH.passport).await.assert_redirect("/identity/next");
        browser.get("/identity/next").await.assert_redirect("/identity/address");
        browser.fill("/identity/address", &[("postcode", "ba2 5aa")]).await.assert_redirect("/identity/address/choose");
        let list = browser.get("/identity/address/choose").await;
        let at = |text: &str| list.body.find(text).unwrap_or_else(|| panic!("{text}:\n{}", list.body));
        assert!(at(">6 Hadley Road") < at(">8 Hadley Road"), "{}", list.body);
        assert!(at(">8 Hadley Road") < at(">10 Hadley Road"), "2 before 10: {}", list.body);
        list.assert(StatusCode::OK, "<a class=\"govuk-link\" href=\"/identity/address/manual\">My address is not listed</a>");

        browser.get("/identity/address/manual").await.assert(StatusCode::OK, "Enter your address");
        let refused = browser
            .fill("/identity/address/manual", &[("address-line-1", " "), ("address-town", ""), ("address-postcode", "nowhere")])
            .await;
        refused
            .assert(StatusCode::BAD_REQUEST, "Enter the first line of your address")
            .assert(StatusCode::BAD_REQUEST, "Enter your town or city")
            .assert(StatusCode::BAD_REQUEST, "Enter a real postcode, like SW1A 2AA");
        browser
            .fill(
                "/identity/address/manual",
                &[("address-line-1", "8 Hadley Road"), ("address-line-2", ""), ("address-town", "Bath"), ("address-postcode", "ba2 5aa")],
            )
            .await
            .assert_redirect("/identity/next");
        assert_eq!(env.checks_of(EMAIL, Some("address-manual")).await, 1, "recorded as typed by hand");
        assert_eq!(env.checks_of(EMAIL, Some("address")).await, 0, "not as checked by the register");

        // The fraud check runs without a page: without the typed address, Kenneth scores 1.
        browser.get("/identity/next").await.assert_redirect("/identity/next");
        let state = &env.app.state;
        let account = env.app.account(EMAIL).await;
        let evidence = state.identity.evidence(&state.db, &state.oidc.keys.set(), &account.id, env.now()).await.unwrap();
        let fraud: Vec<_> = evidence.iter().flat_map(|c| &c.evidence).filter_map(|e| e.identity_fraud_score).collect();
        assert_eq!(fraud, [1], "{evidence:?}");
        let typed = evidence.iter().find(|c| !c.credential_subject.address.is_empty()).unwrap();
        assert_eq!(typed.credential_subject.address[0].one_line(), "8 Hadley Road, Bath, BA2 5AA");
        assert_eq!(typed.credential_subject.address[0].uprn, None, "not matched to the register");
    }

    // prompt=none cannot show the proving pages (Core §3.1.2.6).
    async fn prompt_none_needs_interaction_for_identity(env: Env) {
        let mut browser = env.app.browser();
        browser.sign_in(&env.app, EMAIL, PASSWORD, &env.totp).await;
        let (url, _) = env.authorize_url(&env.driving, "Cl.Cm.P2", &[CORE_IDENTITY]);
        let page = browser.get(&format!("{url}&prompt=none")).await;
        let params = client_params(&page, &env.driving);
        assert!(
            ["interaction_required", "consent_required"].contains(&params["error"].as_str()),
            "{params:?}"
        );
    }
}

/// Joan Ellis, another person of the test data set, with a good passport.
const JOAN: Person = Person {
    passport: "707456123",
    surname: "Ellis",
    given_names: "Joan Margaret",
    birth: ("12", "12", "1958"),
    passport_expiry: ("14", "08", "2033"),
    postcode: "",
    address: "",
    answers: &[],
};

impl Env {
    /// Kenneth proves his identity for the driving licence service, then loses his app: the
    /// lost-app journey up to the passport it asks for.
    async fn lose_the_app_after_proving(&self) -> Browser {
        let mut browser = self.app.browser();
        let (page, _) = self
            .begin(&mut browser, &self.driving, "Cl.Cm.P2", &[CORE_IDENTITY])
            .await;
        page.assert_redirect("/identity/next");
        self.prove(&mut browser, &KENNETH)
            .await
            .assert(StatusCode::OK, "You have proved your identity");
        let mut lost = self.app.browser();
        lost.fill("/sign-in", &[("email", EMAIL), ("password", PASSWORD)])
            .await
            .assert_redirect("/sign-in/authenticator-code");
        lost.get("/sign-in/authenticator-code")
            .await
            .assert(StatusCode::OK, "href=\"/lost-authenticator-app\"");
        let start = lost.get("/lost-authenticator-app").await;
        assert!(
            start.body.contains(&format!("value=\"{EMAIL}\"")),
            "the address given at sign-in"
        );
        lost.fill("/lost-authenticator-app", &[("email", EMAIL)])
            .await
            .assert_redirect("/lost-authenticator-app/check-email");
        let code = self.app.mail.last_code(EMAIL);
        lost.fill("/lost-authenticator-app/check-email", &[("code", &code)])
            .await
            .assert_redirect("/lost-authenticator-app/password");
        lost.fill(
            "/lost-authenticator-app/password",
            &[("password", PASSWORD)],
        )
        .await
        .assert_redirect("/lost-authenticator-app/passport");
        // No new app before the identity is proven again.
        lost.get("/lost-authenticator-app/authenticator-app")
            .await
            .assert_redirect("/lost-authenticator-app/passport");
        lost
    }

    async fn stored_secret(&self) -> Option<String> {
        self.app.account(EMAIL).await.totp_secret
    }
}

identity_tests! {
    // Issue 10 item 2: an account with a proven identity gets a new app only after the same
    // person proves it again (ClaimedIdentity::same_person); the identity is kept.
    async fn a_lost_app_is_replaced_once_the_same_person_proves_their_identity_again(env: Env) {
        let mut lost = env.lose_the_app_after_proving().await;
        let form = lost.get("/lost-authenticator-app/passport").await;
        form.assert(StatusCode::OK, "prove it again with your UK passport");
        // A typing mistake matches no record: the form again, with the tries left.
        let typo = lost.fill("/lost-authenticator-app/passport", &passport_fields(&KENNETH, "321654988")).await;
        typo.assert(StatusCode::OK, "We could not match these details");
        lost.fill("/lost-authenticator-app/passport", &passport_fields(&KENNETH, KENNETH.passport)).await
            .assert_redirect("/lost-authenticator-app/authenticator-app");
        let secret = lost.get("/lost-authenticator-app/authenticator-app").await.shown_secret();
        env.app.next_totp_step();
        lost.fill("/lost-authenticator-app/authenticator-app", &[("code", &env.app.totp_now(&secret))]).await
            .assert_redirect("/account");
        assert_eq!(env.stored_secret().await.as_deref(), Some(secret.as_str()));
        let account = lost.get("/account").await;
        account.assert(StatusCode::OK, "You have proved your identity.").assert(StatusCode::OK, "Authenticator app replaced");
    }

    // Someone who knows Kenneth's password and reads his email cannot take his proven identity
    // with their own passport: the journey ends, his identity and app stay, and it is audited.
    async fn someone_elses_passport_is_refused_when_replacing_the_app(env: Env) {
        let before = env.stored_secret().await;
        let mut lost = env.lose_the_app_after_proving().await;
        let refused = lost.fill("/lost-authenticator-app/passport", &passport_fields(&JOAN, JOAN.passport)).await;
        refused.assert(StatusCode::OK, "We could not confirm it is you").assert(StatusCode::OK, "Post Office");
        lost.get("/lost-authenticator-app/authenticator-app").await.assert_redirect("/lost-authenticator-app");
        assert_eq!(env.stored_secret().await, before, "the old app stays");
        let account = env.app.account(EMAIL).await;
        assert!(env.app.state.db.identity().record(&account.id).await.unwrap().is_some(), "the identity stays");
        let kinds: Vec<_> = env.app.state.db.audit().recent(&account.id, 30).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&AuditKind::ReprovingMismatch), "{kinds:?}");
        assert!(!kinds.contains(&AuditKind::AuthenticatorAppReplaced), "{kinds:?}");
    }
}
