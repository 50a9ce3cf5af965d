//! Renders pages that extend templates/govuk/layout.html and use every macro of
//! templates/govuk/macros.html (see tests/templates/).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use askama::Template;
use govuk_assets::words::filters;

struct FieldError {
    field: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignIn {
    errors: Vec<FieldError>,
    email: String,
    email_error: String,
    code_error: String,
    csrf_token: String,
    back_url: &'static str,
}

#[derive(Template)]
#[template(path = "plain.html")]
struct Plain;

fn sign_in(with_errors: bool) -> String {
    let (errors, email_error, code_error) = if with_errors {
        (
            vec![
                FieldError {
                    field: "email",
                    message: "Enter an email address in the correct format, like name@example.com"
                        .to_owned(),
                },
                FieldError {
                    field: "code",
                    message: "Enter the 6 digit <code>".to_owned(),
                },
            ],
            "Enter an email address in the correct format, like name@example.com".to_owned(),
            "Enter the 6 digit <code>".to_owned(),
        )
    } else {
        (Vec::new(), String::new(), String::new())
    };
    SignIn {
        errors,
        email: r#""><script>alert(1)</script>"#.to_owned(),
        email_error,
        code_error,
        csrf_token: "tok&en".to_owned(),
        back_url: "/start?a=1&b=2",
    }
    .render()
    .unwrap()
}

/// The text of the document's <title> (the first one: the header logo's SVG has its own).
fn title(html: &str) -> &str {
    let start = html.find("<title>").unwrap() + "<title>".len();
    let end = start + html[start..].find("</title>").unwrap();
    &html[start..end]
}

/// The start tag of the element with `id="<id>"`.
fn tag_with_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!(r#" id="{id}""#))
        .unwrap_or_else(|| panic!("no id {id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap() + 1;
    &html[start..end]
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_csp_safe(html: &str) {
    // Every <script> has a src (no inline script) and nothing uses style=.
    for piece in html.split("<script").skip(1) {
        let tag = &piece[..piece.find('>').unwrap()];
        assert!(
            tag.contains(" src=\"/assets/"),
            "inline script: <script{tag}>"
        );
        assert!(piece[piece.find('>').unwrap() + 1..].starts_with("</script>"));
    }
    assert!(!html.contains("style="), "style attribute");
    assert!(!html.contains("<style"), "style element");
    for handler in [
        " onclick=",
        " onload=",
        " onerror=",
        " onsubmit=",
        "javascript:",
    ] {
        assert!(!html.contains(handler), "{handler}");
    }
}

#[test]
fn layout_markup() {
    let html = sign_in(false);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">"));
    assert_eq!(title(&html), "Sign in - Demo service - GOV.UK");
    for expected in [
        r#"<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">"#,
        r##"<meta name="theme-color" content="#1d70b8">"##,
        r#"<link rel="icon" sizes="48x48" href="/assets/images/favicon.ico">"#,
        r#"<link rel="apple-touch-icon" href="/assets/images/govuk-icon-180.png">"#,
        r#"<link rel="manifest" href="/assets/manifest.json">"#,
        r#"<link rel="stylesheet" href="/assets/govuk-frontend.min.css">"#,
        r#"<meta name="robots" content="noindex">"#,
        r#"<body class="govuk-template__body">"#,
        r##"<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">Skip to main content</a>"##,
        r#"<header class="govuk-template__header">"#,
        r#"<div class="govuk-header">"#,
        r#"class="govuk-header__logotype" aria-label="GOV.UK""#,
        r#"<section aria-label="Service information" class="govuk-service-navigation" data-module="govuk-service-navigation">"#,
        r#"<a href="/demo" class="govuk-service-navigation__link">"#,
        r#"<strong class="govuk-tag govuk-phase-banner__content__tag">"#,
        r#"<a href="/feedback" class="govuk-link">feedback</a>"#,
        r#"<a href="/start?a=1&#38;b=2" class="govuk-back-link">Back</a>"#,
        r#"<main class="govuk-main-wrapper" id="main-content">"#,
        r#"<div class="govuk-grid-column-two-thirds">"#,
        r#"<footer class="govuk-template__footer">"#,
        r#"<a class="govuk-footer__link" href="/accessibility">Accessibility statement</a>"#,
        r#"<a class="govuk-footer__link" href="/cookies">Cookies</a>"#,
        r#"<a class="govuk-footer__link" href="/privacy">Privacy</a>"#,
        r#"<script type="module" src="/assets/init.js"></script>"#,
    ] {
        assert!(html.contains(expected), "missing {expected}\n{html}");
    }
    // The service name, escaped, in the service navigation too.
    let nav = &html[html.find(r#"<a href="/demo""#).unwrap()..];
    assert!(squash(&nav[..nav.find("</a>").unwrap()]).ends_with("Demo service"));
    // The back link comes before <main>, the script at the very end of <body>.
    assert!(html.find("govuk-back-link").unwrap() < html.find("<main").unwrap());
    assert!(
        squash(&html)
            .ends_with(r#"<script type="module" src="/assets/init.js"></script> </body> </html>"#)
    );
    assert_csp_safe(&html);
}

#[test]
fn layout_defaults() {
    let html = Plain.render().unwrap();
    assert_eq!(title(&html), "Cookies - One Login - GOV.UK");
    assert!(html.contains(r#"<a href="/" class="govuk-service-navigation__link">"#));
    assert!(html.contains(
        r#"<div class="govuk-grid-column-full"><h1 class="govuk-heading-l">Cookies</h1>"#
    ));
    assert!(!html.contains("govuk-grid-column-two-thirds"));
    assert!(!html.contains("govuk-back-link"));
    // No navigation: no empty <nav> landmark.
    assert!(!html.contains("<nav"));
    assert_csp_safe(&html);
}

#[test]
fn service_navigation() {
    let html = sign_in(false);
    let nav = squash(&html[html.find("<nav").unwrap()..html.find("</nav>").unwrap()]);
    assert!(
        nav.starts_with(r#"<nav aria-label="Menu" class="govuk-service-navigation__wrapper">"#)
    );
    assert!(nav.contains(r#"<ul class="govuk-service-navigation__list" id="navigation">"#));
    assert!(nav.contains(
        r#"<li class="govuk-service-navigation__item govuk-service-navigation__item--active"> <a class="govuk-service-navigation__link" href="/demo/account" aria-current="page"><strong class="govuk-service-navigation__active-fallback">Your account</strong></a> </li>"#
    ), "{nav}");
    assert!(nav.contains(
        r#"<li class="govuk-service-navigation__item"> <a class="govuk-service-navigation__link" href="/demo/sign-out">Sign out</a> </li>"#
    ), "{nav}");
}

#[test]
fn form_without_errors() {
    let html = sign_in(false);
    assert_eq!(title(&html), "Sign in - Demo service - GOV.UK");
    assert!(!html.contains("govuk-error-summary"));
    assert!(!html.contains("govuk-error-message"));
    assert!(!html.contains("--error"));
    assert!(!html.contains("Error:"));

    assert_eq!(
        tag_with_id(&html, "email"),
        r#"<input class="govuk-input" id="email" name="email" type="email" spellcheck="false" value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;" aria-describedby="email-hint" autocomplete="email">"#
    );
    assert_eq!(
        squash(tag_with_id(&html, "email-hint")),
        r#"<div id="email-hint" class="govuk-hint">"#
    );
    assert!(squash(&html).contains(
        r#"<div class="govuk-form-group"> <h1 class="govuk-label-wrapper"> <label class="govuk-label govuk-label--l" for="email"> Email address </label> </h1> <div id="email-hint" class="govuk-hint"> We will send a code to this address </div> <input class="govuk-input" id="email""#
    ));
    assert_eq!(
        tag_with_id(&html, "code"),
        r#"<input class="govuk-input govuk-input--width-5 govuk-input--extra-letter-spacing" id="code" name="code" type="text" spellcheck="false" autocomplete="one-time-code" inputmode="numeric">"#
    );
    assert!(squash(&html).contains(
        r#"<div class="govuk-form-group"> <label class="govuk-label" for="code"> Security code </label> <input"#
    ));
    assert_eq!(
        tag_with_id(&html, "password"),
        r#"<input class="govuk-input govuk-password-input__input govuk-js-password-input-input" id="password" name="password" type="password" autocomplete="current-password" autocapitalize="none">"#
    );
    // A password field is the GOV.UK password input: its Show button waits for govuk-frontend.
    assert!(squash(&html).contains(
        r#"<div class="govuk-input__wrapper govuk-password-input__wrapper"> <input class="govuk-input govuk-password-input__input"#
    ));
    assert!(html.contains(
        r#"<button type="button" class="govuk-button govuk-button--secondary govuk-password-input__toggle govuk-js-password-input-toggle" data-module="govuk-button" aria-controls="password" aria-label="Show password" hidden>Show</button>"#
    ));
    assert!(html.contains(r#"data-module="govuk-password-input" data-i18n.show-password="Show""#));
    assert!(html.contains(r#"<input type="hidden" name="csrf_token" value="tok&#38;en">"#));
    assert!(squash(&html).contains(
        r#"<button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true"> Continue </button>"#
    ));
    // The value containing <script> is escaped.
    assert!(!html.contains("<script>alert"));
    assert_csp_safe(&html);
}

#[test]
fn form_with_errors() {
    let html = sign_in(true);
    assert_eq!(title(&html), "Error: Sign in - Demo service - GOV.UK");

    let summary = squash(
        &html[html.find(r#"<div class="govuk-error-summary""#).unwrap()
            ..html.find("<form").unwrap()],
    );
    assert_eq!(
        summary,
        r##"<div class="govuk-error-summary" data-module="govuk-error-summary"> <div role="alert"> <h2 class="govuk-error-summary__title"> There is a problem </h2> <div class="govuk-error-summary__body"> <ul class="govuk-list govuk-error-summary__list"> <li> <a href="#email">Enter an email address in the correct format, like name@example.com</a> </li> <li> <a href="#code">Enter the 6 digit &#60;code&#62;</a> </li> </ul> </div> </div> </div>"##
    );

    // Each link of the summary goes to an input.
    for field in ["email", "code"] {
        assert!(tag_with_id(&html, field).starts_with("<input "));
    }

    assert_eq!(
        tag_with_id(&html, "email"),
        r#"<input class="govuk-input govuk-input--error" id="email" name="email" type="email" spellcheck="false" value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;" aria-describedby="email-hint email-error" autocomplete="email">"#
    );
    assert!(squash(&html).contains(
        r#"<p id="email-error" class="govuk-error-message"> <span class="govuk-visually-hidden">Error:</span> Enter an email address in the correct format, like name@example.com </p>"#
    ));
    assert_eq!(
        tag_with_id(&html, "code"),
        r#"<input class="govuk-input govuk-input--width-5 govuk-input--extra-letter-spacing govuk-input--error" id="code" name="code" type="text" spellcheck="false" aria-describedby="code-error" autocomplete="one-time-code" inputmode="numeric">"#
    );
    assert!(squash(&html).contains(
        r#"<p id="code-error" class="govuk-error-message"> <span class="govuk-visually-hidden">Error:</span> Enter the 6 digit &#60;code&#62; </p>"#
    ));
    assert_eq!(html.matches("govuk-form-group--error").count(), 2);
    assert!(html.contains(r#"<div class="govuk-form-group govuk-form-group--error">"#));
    // The password input has no error.
    assert_eq!(
        tag_with_id(&html, "password"),
        r#"<input class="govuk-input govuk-password-input__input govuk-js-password-input-input" id="password" name="password" type="password" autocomplete="current-password" autocapitalize="none">"#
    );
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<code>"));
    assert_csp_safe(&html);
}

struct Form<'a> {
    errors: &'a [FieldError],
    name: &'a str,
    label: String,
    value: String,
    error: &'a str,
    heading: bool,
    token: String,
}

/// Macro arguments given as fields and references rather than literals.
#[derive(Template)]
#[template(path = "arguments.html")]
struct Arguments<'a> {
    form: Form<'a>,
    hint: &'a str,
    nav_href: String,
    nav_text: &'a str,
    nav_current: bool,
    button_text: String,
}

#[test]
fn arguments_from_fields() {
    let errors = [FieldError {
        field: "full-name",
        message: "Enter your full name".to_owned(),
    }];
    let render = |errors: &[FieldError], heading: bool, current: bool| {
        Arguments {
            form: Form {
                errors,
                name: "full-name",
                label: "Full name".to_owned(),
                value: "A & B".to_owned(),
                error: errors.first().map_or("", |e| e.message.as_str()),
                heading,
                token: "t".to_owned(),
            },
            hint: "",
            nav_href: "/x".to_owned(),
            nav_text: "X",
            nav_current: current,
            button_text: "Save".to_owned(),
        }
        .render()
        .unwrap()
    };

    let html = render(&errors, true, true);
    assert_eq!(title(&html), "Error: Arguments - One Login - GOV.UK");
    assert!(html.contains(r##"<a href="#full-name">Enter your full name</a>"##));
    assert_eq!(
        tag_with_id(&html, "full-name"),
        r#"<input class="govuk-input govuk-input--error" id="full-name" name="full-name" type="text" value="A &#38; B" aria-describedby="full-name-error">"#
    );
    assert!(html.contains("govuk-label--l"));
    assert!(html.contains(r#"aria-current="page""#));
    assert!(html.contains(r#"<input type="hidden" name="csrf_token" value="t">"#));
    assert_csp_safe(&html);

    let html = render(&[], false, false);
    assert_eq!(title(&html), "Arguments - One Login - GOV.UK");
    assert!(!html.contains("govuk-error-summary"));
    assert!(!html.contains("govuk-label--l"));
    assert!(!html.contains("aria-current"));
    assert!(!html.contains("aria-describedby"));
}
