//! Feedback on the service (issue 15): the form every page's phase banner links to, what it
//! accepts, what of it is kept, and how `one-login feedback list` shows it.
//!
//! Anyone may send feedback, signed in or not. What is kept is what the citizen chose to give:
//! their account is linked only when they ask for a reply (see [`to_record`]).

use one_login_store::{Database, NewFeedback, StoredFeedback};

use crate::accounts::email_problem;
use crate::error::Result;
use crate::i18n::Language;

/// The longest feedback accepted, in characters, as the form's character count says.
pub const MAX_FEEDBACK_CHARS: usize = 1200;

/// The longest page path kept as where the citizen came from.
const MAX_PATH_CHARS: usize = 512;

/// What the feedback is about: the choices of "What would you like to tell us about?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    CreatingAccount,
    SigningIn,
    ProvingIdentity,
    YourAccount,
    SomethingElse,
}

impl Topic {
    /// In the order the form offers them.
    pub const ALL: [Topic; 5] = [
        Topic::CreatingAccount,
        Topic::SigningIn,
        Topic::ProvingIdentity,
        Topic::YourAccount,
        Topic::SomethingElse,
    ];

    /// The form's value and the stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::CreatingAccount => "creating-account",
            Topic::SigningIn => "signing-in",
            Topic::ProvingIdentity => "proving-identity",
            Topic::YourAccount => "your-account",
            Topic::SomethingElse => "something-else",
        }
    }

    /// The catalogue key of the choice's label.
    pub fn label_key(self) -> &'static str {
        match self {
            Topic::CreatingAccount => "feedback-topic-creating-account",
            Topic::SigningIn => "feedback-topic-signing-in",
            Topic::ProvingIdentity => "feedback-topic-proving-identity",
            Topic::YourAccount => "feedback-topic-your-account",
            Topic::SomethingElse => "feedback-topic-something-else",
        }
    }

    pub fn parse(value: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// The form as sent, each field as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sent<'a> {
    pub topic: &'a str,
    pub feedback: &'a str,
    /// `yes` asks for a reply; anything else, or nothing, does not.
    pub reply: &'a str,
    pub email: &'a str,
}

/// Feedback that passed the form's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub topic: Topic,
    pub text: String,
    /// Where to reply: only when the citizen asked for a reply.
    pub reply_to: Option<String>,
}

/// The feedback's text as the citizen's browser counted it: browsers send each line break as
/// CRLF, but the character count (and the citizen) counts it as one character. Control
/// characters other than line breaks and tabs, and the bidirectional overrides, are dropped:
/// `feedback list` prints the text to an operator's terminal, where an escape sequence or a
/// lone carriage return could forge a heading line or act on the terminal (checklist 78).
pub fn normalised_text(typed: &str) -> String {
    typed
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| !is_unprintable(c))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A character a terminal would act on rather than show: controls (but line feed and tab) and
/// the Unicode bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069).
fn is_unprintable(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// The text shown in a terminal: any unprintable character (from a row written before
/// [`normalised_text`] dropped them) as its escape, `\u{1b}`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_unprintable(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The form checked: the feedback, or each problem beside its field (the field's id, and the
/// message in English, shown in the citizen's language by the page).
pub fn check(sent: &Sent<'_>) -> std::result::Result<Feedback, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let topic = Topic::parse(sent.topic);
    if topic.is_none() {
        problems.push(("topic", "Select what your feedback is about".to_owned()));
    }
    let text = normalised_text(sent.feedback);
    if text.is_empty() {
        problems.push(("feedback", "Enter your feedback".to_owned()));
    } else if text.chars().count() > MAX_FEEDBACK_CHARS {
        problems.push((
            "feedback",
            "Your feedback must be 1,200 characters or fewer".to_owned(),
        ));
    }
    // An address typed without asking for a reply is dropped, never kept.
    let reply_to = (sent.reply == "yes").then(|| sent.email.trim().to_owned());
    if let Some(problem) = reply_to.as_deref().and_then(email_problem) {
        problems.push(("email", problem.to_owned()));
    }
    match topic {
        Some(topic) if problems.is_empty() => Ok(Feedback {
            topic,
            text,
            reply_to,
        }),
        _ => Err(problems),
    }
}

/// The page part of a local path: its query and fragment may hold an authorization
/// request's `state` or a service's parameters, which feedback has no business keeping.
fn page_only(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or_default()
}

/// `from` if it is a path on this site, else nothing: the thank-you page links back to it, so
/// it must never lead elsewhere (`//evil.example`, `/\evil.example`, `https://...`, or a
/// path whose tab or newline a browser would drop to make `//`).
pub fn local_path(from: &str) -> Option<&str> {
    let local = from.starts_with('/')
        && !from.starts_with("//")
        && from.chars().count() <= MAX_PATH_CHARS
        && !from
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    local.then_some(from)
}

/// The row to keep. Privacy: the account of a signed-in citizen is linked only when they asked
/// for a reply. Feedback is anonymous by default, and someone telling us what went wrong
/// should not have it tied to their account unless they chose to be contacted.
pub fn to_record(
    feedback: Feedback,
    came_from: Option<&str>,
    language: Language,
    signed_in_account: Option<&str>,
    now: i64,
) -> NewFeedback {
    let account_id = signed_in_account
        .filter(|_| feedback.reply_to.is_some())
        .map(str::to_owned);
    NewFeedback {
        topic: feedback.topic.as_str().to_owned(),
        message: feedback.text,
        came_from: came_from
            .and_then(local_path)
            .map(|path| page_only(path).to_owned()),
        language: language.code().to_owned(),
        reply_email: feedback.reply_to,
        account_id,
        created_at: now,
    }
}

/// Keeps the feedback (see [`to_record`] for what of it).
pub async fn record(
    db: &Database,
    feedback: Feedback,
    came_from: Option<&str>,
    language: Language,
    signed_in_account: Option<&str>,
    now: i64,
) -> Result<()> {
    let row = to_record(feedback, came_from, language, signed_in_account, now);
    db.feedback().record(&row).await?;
    Ok(())
}

/// `feedback list --since`: a day as `2026-12-01`, from its start in UTC, in unix seconds;
/// else why not (clap names the option).
pub fn parse_since(text: &str) -> std::result::Result<i64, String> {
    let refused = || format!("{text:?} is not a day: write it as 2026-12-01");
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [year, month, day] = parts[..] else {
        return Err(refused());
    };
    let digits = |part: &str, len: usize| {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u16>().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (digits(year, 4), digits(month, 2), digits(day, 2))
    else {
        return Err(refused());
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(refused)?;
    let day = u8::try_from(day).map_err(|_| refused())?;
    time::Date::from_calendar_date(i32::from(year), month, day)
        .map(|date| date.midnight().assume_utc().unix_timestamp())
        .map_err(|_| refused())
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// `feedback list --format text`: a heading line per piece of feedback, then its text indented.
pub fn as_text(list: &[StoredFeedback]) -> String {
    if list.is_empty() {
        return "no feedback\n".to_owned();
    }
    let mut out = String::new();
    for item in list {
        out.push_str(&format!(
            "{}  {}  {}  from {}",
            rfc3339(item.created_at),
            item.topic,
            item.language,
            printable(item.came_from.as_deref().unwrap_or("-"))
        ));
        if let Some(email) = &item.reply_email {
            out.push_str(&format!("  reply to {}", printable(email)));
        }
        if let Some(account) = &item.account_id {
            out.push_str(&format!("  account {account}"));
        }
        out.push('\n');
        for line in item.message.lines() {
            out.push_str("    ");
            out.push_str(&printable(line));
            out.push('\n');
        }
    }
    out
}

/// `feedback list --format json`: an array, newest first, times in RFC 3339.
pub fn as_json(list: &[StoredFeedback]) -> serde_json::Value {
    list.iter()
        .map(|item| {
            serde_json::json!({
                "id": item.id,
                "sent_at": rfc3339(item.created_at),
                "topic": item.topic,
                "feedback": item.message,
                "from": item.came_from,
                "language": item.language,
                "reply_email": item.reply_email,
                "account_id": item.account_id,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent<'a>(topic: &'a str, feedback: &'a str, reply: &'a str, email: &'a str) -> Sent<'a> {
        Sent {
            topic,
            feedback,
            reply,
            email,
        }
    }

    #[test]
    fn every_field_is_checked_at_once() {
        let problems = check(&sent("", "  ", "yes", "not an address")).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|(field, _)| *field).collect();
        assert_eq!(fields, ["topic", "feedback", "email"]);
        assert_eq!(problems[1].1, "Enter your feedback");
        let unknown = check(&sent("everything", "Fine", "", "")).unwrap_err();
        assert_eq!(
            unknown,
            [("topic", "Select what your feedback is about".into())]
        );
    }

    #[test]
    fn the_limit_counts_a_line_break_as_one_character() {
        let at_limit = format!("{}\r\n{}", "a".repeat(600), "b".repeat(599));
        let feedback = check(&sent("signing-in", &at_limit, "", "")).unwrap();
        assert_eq!(feedback.text.chars().count(), MAX_FEEDBACK_CHARS);
        let over = "é".repeat(MAX_FEEDBACK_CHARS + 1);
        let problems = check(&sent("signing-in", &over, "", "")).unwrap_err();
        assert_eq!(
            problems,
            [(
                "feedback",
                "Your feedback must be 1,200 characters or fewer".into()
            )]
        );
    }

    // The words state the limit: a new limit needs new words in both catalogues.
    #[test]
    fn the_words_state_the_limit() {
        assert_eq!(MAX_FEEDBACK_CHARS, 1_200);
        for language in Language::ALL {
            let stated = language.text("feedback-count-limit");
            assert!(stated.contains("1,200"), "{language:?}: {stated}");
            let refused = language.text("msg-your-feedback-must-be-1200");
            assert!(refused.contains("1,200"), "{language:?}: {refused}");
        }
    }

    #[test]
    fn an_address_is_kept_only_with_a_reply_asked_for() {
        let no_reply = check(&sent("something-else", "Hi", "no", "ada@example.com")).unwrap();
        assert_eq!(no_reply.reply_to, None);
        let unanswered = check(&sent("something-else", "Hi", "", "ada@example.com")).unwrap();
        assert_eq!(unanswered.reply_to, None);
        let reply = check(&sent("something-else", "Hi", "yes", " ada@example.com ")).unwrap();
        assert_eq!(reply.reply_to.as_deref(), Some("ada@example.com"));
        let missing = check(&sent("something-else", "Hi", "yes", "")).unwrap_err();
        assert_eq!(missing, [("email", "Enter your email address".into())]);
    }

    #[test]
    fn only_local_paths_are_kept_to_return_to() {
        for good in ["/", "/account", "/identity/passport?x=1", "/sign-in#top"] {
            assert_eq!(local_path(good), Some(good), "{good}");
        }
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "javascript:alert(1)",
            "account",
            "/a b",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(600))), None);
    }

    // Checklist 78: nothing in the text can act on the terminal `feedback list` prints to.
    #[test]
    fn terminal_controls_are_dropped_and_shown_escaped() {
        let typed = "Fine\r\n\u{1b}]52;c;aGk=\u{7}ok\rforged\u{202E}txt\tend";
        let text = check(&sent("signing-in", typed, "", "")).unwrap().text;
        assert_eq!(text, "Fine\n]52;c;aGk=okforgedtxt\tend");
        let stored = StoredFeedback {
            id: "f-1".into(),
            topic: "signing-in".into(),
            message: "a\u{1b}[2Jb\rc".into(),
            came_from: None,
            language: "en".into(),
            reply_email: Some("x\u{1b}@example.com".into()),
            account_id: None,
            created_at: 0,
        };
        let shown = as_text(&[stored]);
        assert!(!shown.contains(['\u{1b}', '\r']), "{shown:?}");
        assert!(shown.contains("a\\u{1b}[2Jb\\u{d}c"), "{shown}");
        assert!(shown.contains("reply to x\\u{1b}@example.com"), "{shown}");
    }

    #[test]
    fn only_the_page_of_where_they_came_from_is_kept() {
        let record = |from| to_record(feedback(None), Some(from), Language::En, None, 7).came_from;
        assert_eq!(
            record("/authorize?state=s3cret&x=1").as_deref(),
            Some("/authorize")
        );
        assert_eq!(record("/account#passkeys").as_deref(), Some("/account"));
    }

    fn feedback(reply_to: Option<&str>) -> Feedback {
        Feedback {
            topic: Topic::ProvingIdentity,
            text: "The questions were hard".into(),
            reply_to: reply_to.map(str::to_owned),
        }
    }

    // Privacy: a signed-in citizen's account is linked only when they asked for a reply.
    #[test]
    fn the_account_is_linked_only_with_a_reply_asked_for() {
        let anonymous = to_record(
            feedback(None),
            Some("/account"),
            Language::Cy,
            Some("acc-1"),
            7,
        );
        assert_eq!(anonymous.account_id, None);
        assert_eq!(anonymous.reply_email, None);
        assert_eq!(anonymous.language, "cy");
        assert_eq!(anonymous.topic, "proving-identity");
        assert_eq!(anonymous.came_from.as_deref(), Some("/account"));
        assert_eq!(anonymous.created_at, 7);
        let reply = to_record(
            feedback(Some("ada@example.com")),
            Some("https://evil.example"),
            Language::En,
            Some("acc-1"),
            7,
        );
        assert_eq!(reply.account_id.as_deref(), Some("acc-1"));
        assert_eq!(reply.reply_email.as_deref(), Some("ada@example.com"));
        assert_eq!(reply.came_from, None);
    }

    #[test]
    fn since_is_a_day() {
        assert_eq!(parse_since("2026-12-01"), Ok(1_796_083_200));
        assert_eq!(parse_since(" 2026-12-02 "), Ok(1_796_169_600));
        let refused = parse_since("yesterday").unwrap_err();
        assert_eq!(
            refused,
            "\"yesterday\" is not a day: write it as 2026-12-01"
        );
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "2026-1-01",
            "26-12-01",
            "2026-12-01T00:00Z",
        ] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn listings_show_every_field() {
        let item = StoredFeedback {
            id: "f-1".into(),
            topic: "signing-in".into(),
            message: "Line one\nLine two".into(),
            came_from: Some("/sign-in".into()),
            language: "en".into(),
            reply_email: Some("ada@example.com".into()),
            account_id: None,
            created_at: 1_796_083_200,
        };
        assert_eq!(
            as_text(std::slice::from_ref(&item)),
            "2026-12-01T00:00:00Z  signing-in  en  from /sign-in  reply to ada@example.com\n    Line one\n    Line two\n"
        );
        assert_eq!(as_text(&[]), "no feedback\n");
        let json = as_json(&[item]);
        assert_eq!(json[0]["sent_at"], "2026-12-01T00:00:00Z");
        assert_eq!(json[0]["feedback"], "Line one\nLine two");
        assert_eq!(json[0]["account_id"], serde_json::Value::Null);
    }
}
