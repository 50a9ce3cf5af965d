//! A cookie-keeping browser over real HTTP that follows redirects across the provider and the
//! services, and the citizen's steps on the provider's pages (signing in, agreeing to share,
//! proving an identity from the test data set).

use std::time::Duration;

/// The test citizen's password and authenticator secret.
pub const PASSWORD: &str = "correct horse battery staple";
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// What a page request ended with, after following redirects.
#[derive(Debug)]
pub struct Page {
    pub url: String,
    pub status: u16,
    pub body: String,
}

impl Page {
    /// The value of the form field `name` (a hidden input).
    pub fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no field {name} on {}:\n{}", self.url, self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap();
        self.body[start..start + end].to_owned()
    }

    /// The text of the element with `id`.
    pub fn text_of(&self, id: &str) -> String {
        let marker = format!("id=\"{id}\">");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no #{id} on {}:\n{}", self.url, self.body))
            + marker.len();
        let end = self.body[start..].find('<').unwrap();
        self.body[start..start + end].trim().to_owned()
    }

    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "{} ({}) lacks {text:?}:\n{}",
            self.url,
            self.status,
            self.body
        );
    }

    pub fn path(&self) -> String {
        url::Url::parse(&self.url).unwrap().path().to_owned()
    }
}

/// A browser: keeps cookies per host, follows redirects itself (so each hop is seen).
pub struct Browser {
    client: reqwest::Client,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    /// One connection per request, so a per-connection balancer spreads them.
    pub fn new_without_pooling() -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    async fn follow(&self, mut response: reqwest::Response, mut url: String) -> Page {
        for _ in 0..20 {
            if !response.status().is_redirection() {
                let status = response.status().as_u16();
                return Page {
                    url,
                    status,
                    body: response.text().await.unwrap(),
                };
            }
            let location = response.headers()[reqwest::header::LOCATION]
                .to_str()
                .unwrap()
                .to_owned();
            url = url::Url::parse(&url)
                .unwrap()
                .join(&location)
                .unwrap()
                .to_string();
            response = self.client.get(&url).send().await.unwrap();
        }
        panic!("too many redirects, last {url}");
    }

    pub async fn get(&self, url: &str) -> Page {
        let response = self.client.get(url).send().await.unwrap();
        self.follow(response, url.to_owned()).await
    }

    /// The first answer only, without following a redirect.
    pub async fn get_once(&self, url: &str) -> (u16, Option<String>) {
        let response = self.client.get(url).send().await.unwrap();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        (response.status().as_u16(), location)
    }

    pub async fn post(&self, url: &str, fields: &[(&str, &str)]) -> Page {
        let response = self.client.post(url).form(fields).send().await.unwrap();
        self.follow(response, url.to_owned()).await
    }

    /// Submits a form of `page` (at `action`, relative to it) with its CSRF token.
    pub async fn submit(&self, page: &Page, action: &str, fields: &[(&str, &str)]) -> Page {
        let token = page.field("csrf_token");
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let url = url::Url::parse(&page.url).unwrap().join(action).unwrap();
        self.post(url.as_str(), &all).await
    }
}

/// Signs in at the provider's pages from its sign-in page, then agrees to share if asked.
pub async fn sign_in_at_provider(browser: &Browser, page: Page, email: &str) -> Page {
    // A browser not yet signed in meets "Create your GOV.UK One Login or sign in" first.
    let page = if page.path() == "/" {
        let url = url::Url::parse(&page.url)
            .unwrap()
            .join("/sign-in")
            .unwrap();
        browser.get(url.as_str()).await
    } else {
        page
    };
    assert_eq!(page.path(), "/sign-in", "{page:?}");
    let page = browser
        .submit(
            &page,
            "/sign-in",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.path(), "/sign-in/authenticator-code", "{}", page.body);
    let code = one_login_core::accounts::totp::code_at(
        TOTP_SECRET,
        time::OffsetDateTime::now_utc().unix_timestamp(),
    )
    .unwrap();
    let page = browser
        .submit(&page, "/sign-in/authenticator-code", &[("code", &code)])
        .await;
    agree_if_asked(browser, page).await
}

/// The radios of group `name` as (value, label), in page order.
fn radios(page: &Page, name: &str) -> Vec<(String, String)> {
    let marker = format!("name=\"{name}\" type=\"radio\" value=\"");
    page.body
        .match_indices(&marker)
        .map(|(i, _)| {
            let start = i + marker.len();
            let end = page.body[start..].find('"').unwrap() + start;
            let label_start = page.body[end..].find("govuk-radios__label").unwrap() + end;
            let label_start = page.body[label_start..].find('>').unwrap() + label_start + 1;
            let label_end = page.body[label_start..].find("</label>").unwrap() + label_start;
            (
                page.body[start..end]
                    .replace("&#38;", "&")
                    .replace("&#39;", "'"),
                page.body[label_start..label_end].trim().to_owned(),
            )
        })
        .collect()
}

/// Kenneth Decerqueira's answers from the test data set (crates/identity-proofing/data).
const KENNETH_ANSWERS: [&str; 4] = ["Halifax", "Zopa", "Vodafone", "£401 to £700"];

/// Proves the identity of the test data set's Kenneth Decerqueira on the provider's pages, from
/// the photo ID choice to the "proved" panel, then continues to the service.
pub async fn prove_as_kenneth(browser: &Browser, page: Page) -> Page {
    assert_eq!(page.path(), "/identity/start", "{}", page.body);
    let page = browser
        .submit(&page, "/identity/start", &[("document", "passport")])
        .await;
    assert_eq!(page.path(), "/identity/passport", "{}", page.body);
    let page = browser
        .submit(
            &page,
            "/identity/passport",
            &[
                ("passport-number", "321654987"),
                ("surname", "Decerqueira"),
                ("given-names", "Kenneth"),
                ("birth-date-day", "8"),
                ("birth-date-month", "7"),
                ("birth-date-year", "1965"),
                ("expiry-date-day", "1"),
                ("expiry-date-month", "1"),
                ("expiry-date-year", "2030"),
            ],
        )
        .await;
    assert_eq!(page.path(), "/identity/address", "{}", page.body);
    let page = browser
        .submit(&page, "/identity/address", &[("postcode", "BA2 5AA")])
        .await;
    let (home, _) = radios(&page, "address")
        .into_iter()
        .find(|(_, label)| label.starts_with("8 Hadley Road"))
        .unwrap_or_else(|| panic!("no 8 Hadley Road in {}", page.body));
    let mut page = browser
        .submit(&page, "/identity/address/choose", &[("address", &home)])
        .await;
    while page.path() == "/identity/questions" {
        let question = page.field("question");
        let (answer, _) = radios(&page, "answer")
            .into_iter()
            .find(|(value, _)| KENNETH_ANSWERS.contains(&value.as_str()))
            .unwrap_or_else(|| panic!("no answer of Kenneth's in {}", page.body));
        page = browser
            .submit(
                &page,
                "/identity/questions",
                &[("question", &question), ("answer", &answer)],
            )
            .await;
    }
    page.assert_contains("You have proved your identity");
    let next = url::Url::parse(&page.url)
        .unwrap()
        .join("/authorize/continue")
        .unwrap();
    browser.get(next.as_str()).await
}

/// On the provider's "you have already proved your identity" page, continues; elsewhere,
/// returns the page as it is.
pub async fn reuse_if_asked(browser: &Browser, page: Page) -> Page {
    if page.path() == "/identity/reuse" {
        browser.submit(&page, "/identity/reuse", &[]).await
    } else {
        page
    }
}

/// On the consent page, agrees; elsewhere, returns the page as it is.
pub async fn agree_if_asked(browser: &Browser, page: Page) -> Page {
    if page.path() == "/authorize/consent" {
        browser
            .submit(&page, "/authorize/consent", &[("decision", "agree")])
            .await
    } else {
        page
    }
}
