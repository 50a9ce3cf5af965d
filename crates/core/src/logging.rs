//! Log output on standard error: one line per event, times in UTC (RFC 3339), in the format
//! `log.format` names. Checklist 78 (ASVS 16.4.1): values that come from requests (emails,
//! client ids, user agents, error descriptions) cannot start a new line or drive a terminal.
//! JSON escapes by construction; the text format escapes every field value and message here,
//! in one place, rather than trusting each call site to.

use std::fmt::{self, Write as _};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::{FormatFields, Writer};
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;

/// Installs the process's logger: `RUST_LOG` if set, else `default_filter` ("info").
pub fn init(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Colours only for a person at a terminal, not in files and collectors.
    let colours = format == LogFormat::Text && std::io::stderr().is_terminal();
    // A second call (a command that loads the configuration twice) keeps the first logger.
    let _ = dispatch(format, filter, colours, std::io::stderr).try_init();
}

/// A logger in `format` writing to `writer`: what [`init`] installs, and what tests capture.
pub fn dispatch<W>(
    format: LogFormat,
    filter: EnvFilter,
    colours: bool,
    writer: W,
) -> tracing::Dispatch
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // The default timer writes RFC 3339 times in UTC ("2025-01-31T09:30:00.123456Z").
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colours)
        .with_writer(writer);
    match format {
        LogFormat::Text => tracing::Dispatch::new(builder.fmt_fields(EscapedFields).finish()),
        LogFormat::Json => tracing::Dispatch::new(builder.json().finish()),
    }
}

/// Text log output kept in memory, for tests that check what is logged.
#[derive(Clone, Default)]
pub struct MemoryLog(Arc<Mutex<Vec<u8>>>);

impl MemoryLog {
    /// Logs this thread's events here in `format` until the guard drops: in a test binary
    /// whose other tests run at the same time on other threads (async tests: current-thread).
    pub fn capture(&self, format: LogFormat) -> tracing::dispatcher::DefaultGuard {
        // With one registered dispatcher, tracing decides whether a call site is of interest
        // by asking the default of whichever thread reaches it first: another test's thread,
        // which has none, would silence it here too. A second one, kept for the process, makes
        // tracing ask every registered dispatcher (tracing-core's `Dispatchers::rebuilder`).
        static SECOND: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
        SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
        let dispatch = dispatch(format, EnvFilter::new("info"), false, self.clone());
        tracing::dispatcher::set_default(&dispatch)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl std::io::Write for MemoryLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> MakeWriter<'w> for MemoryLog {
    type Writer = MemoryLog;

    fn make_writer(&'w self) -> MemoryLog {
        self.clone()
    }
}

/// The text format's fields: `message name=value …` like tracing-subscriber's own, with every
/// value escaped by [`Escaping`].
pub struct EscapedFields;

impl<'writer> FormatFields<'writer> for EscapedFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = EscapingVisitor {
            writer,
            empty: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct EscapingVisitor<'writer> {
    writer: Writer<'writer>,
    empty: bool,
    result: fmt::Result,
}

impl Visit for EscapingVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let name = field.name();
        // Metadata of `log` records, already shown as the event's target.
        if self.result.is_err() || name.starts_with("log.") {
            return;
        }
        let separator = if self.empty { "" } else { " " };
        self.empty = false;
        let mut out = Escaping(&mut self.writer);
        self.result = match name {
            "message" => write!(out, "{separator}{value:?}"),
            name => write!(
                out,
                "{separator}{}={value:?}",
                name.strip_prefix("r#").unwrap_or(name)
            ),
        };
    }
}

/// Writes through to `W`, escaping what could end a line or reach the terminal: C0 and C1
/// control characters (newline, carriage return, escape…), DEL, and the Unicode line and
/// paragraph separators. `%` (Display) values are not escaped by tracing itself.
pub struct Escaping<'a, W: fmt::Write>(pub &'a mut W);

impl<W: fmt::Write> fmt::Write for Escaping<'_, W> {
    /// Runs of plain characters go through in one write (every request's span formats its id
    /// here, issue 13).
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut plain_from = 0;
        for (at, c) in s.char_indices() {
            let is_plain = !(c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'));
            if is_plain {
                continue;
            }
            self.0.write_str(&s[plain_from..at])?;
            match c {
                '\n' => self.0.write_str("\\n")?,
                '\r' => self.0.write_str("\\r")?,
                '\t' => self.0.write_str("\\t")?,
                c => write!(self.0, "\\u{{{:x}}}", u32::from(c))?,
            }
            plain_from = at + c.len_utf8();
        }
        self.0.write_str(&s[plain_from..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(format: LogFormat, emit: impl FnOnce()) -> String {
        let log = MemoryLog::default();
        let capturing = log.capture(format);
        emit();
        drop(capturing);
        log.text()
    }

    const FORGED: &str =
        "ada@example.com\n2030-01-01T00:00:00Z  INFO one_login: signed in account=admin\r\u{1b}[2J";

    // Checklist 78 (ASVS 16.4.1): a value from a request cannot add a log line, whether logged
    // with `%` (Display, which tracing does not escape), `?`, as a string, or in the message.
    #[test]
    fn request_values_cannot_forge_log_lines_in_text() {
        let text = logged(LogFormat::Text, || {
            tracing::info!(email = %FORGED, "sign-in failed");
            tracing::info!(email = ?FORGED, "sign-in failed");
            tracing::info!(email = FORGED, "sign-in failed");
            tracing::warn!("refused {FORGED}");
        });
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(text.lines().all(|line| !line.starts_with("2030")), "{text}");
        assert!(
            !text.contains('\u{1b}'),
            "terminal escapes pass through: {text}"
        );
        assert!(text.contains("email=ada@example.com\\n2030"), "{text}");
        assert!(text.contains("sign-in failed"), "{text}");
    }

    #[test]
    fn escaping_keeps_plain_runs_and_escapes_each_control_character() {
        let mut out = String::new();
        Escaping(&mut out)
            .write_str("é\tb\u{2028}ü\u{1b}[31mz\r\n")
            .unwrap();
        assert_eq!(out, "é\\tb\\u{2028}ü\\u{1b}[31mz\\r\\n");
    }

    #[test]
    fn json_lines_carry_values_escaped_and_times_in_utc() {
        let text = logged(LogFormat::Json, || {
            tracing::info!(email = %FORGED, "sign-in failed");
        });
        assert_eq!(text.lines().count(), 1, "{text}");
        let event: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(event["fields"]["email"], FORGED);
        assert_eq!(event["fields"]["message"], "sign-in failed");
        assert!(
            event["timestamp"].as_str().unwrap().ends_with('Z'),
            "{event}"
        );
    }

    #[test]
    fn text_times_are_utc() {
        let text = logged(LogFormat::Text, || tracing::info!("started"));
        // RFC 3339 in UTC: "2025-01-31T09:30:00.123456Z".
        let time = text.split_whitespace().next().unwrap();
        assert!(time.ends_with('Z'), "{text}");
        assert_eq!(time.as_bytes()[10], b'T', "{text}");
        assert!(time[..4].bytes().all(|b| b.is_ascii_digit()), "{text}");
    }
}
