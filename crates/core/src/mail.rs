//! Email to citizens. [`Outbox`] (the default) writes each message to a folder, so the demo
//! needs no mail server; [`Smtp`] sends through a real relay with lettre. Neither logs what a
//! message says: bodies carry codes (issue 11.9, checklist 77), so the log says only that a
//! message went, and the demo reads codes from the outbox files.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::{Config, MailTransport};
use crate::error::{Error, Result};

/// A plain-text message to one citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, email: Email) -> Result<()>;
}

fn build(from: &Mailbox, email: &Email) -> Result<Message> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| Error::Mail(format!("recipient: {e}")))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&email.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(email.body.clone())
        .map_err(|e| Error::Mail(e.to_string()))
}

/// Writes `<outbox>/<time>-<uuid>.eml`. A demo and test transport: the files hold the codes,
/// so configuration refuses it with an https issuer.
pub struct Outbox {
    dir: PathBuf,
    from: Mailbox,
}

impl Outbox {
    pub fn new(dir: PathBuf, from: Mailbox) -> Self {
        Outbox { dir, from }
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, email: Email) -> Result<()> {
        let message = build(&self.from, &email)?;
        let name = format!(
            "{}-{}.eml",
            time::OffsetDateTime::now_utc().unix_timestamp(),
            uuid::Uuid::new_v4()
        );
        let path = self.dir.join(name);
        // The messages hold codes: folder 0700, files 0600 (issue 11.8).
        let dir = self.dir.clone();
        let file = path.clone();
        tokio::task::spawn_blocking(move || {
            one_login_store::data_dir::create_private_dir(&dir)
                .map_err(|e| Error::Mail(format!("creating {}: {e}", dir.display())))?;
            one_login_store::data_dir::create_private_file(&file, &message.formatted())
                .map_err(|e| Error::Mail(format!("writing {}: {e}", file.display())))
        })
        .await
        .map_err(|e| Error::Internal(format!("outbox writer: {e}")))??;
        tracing::info!(path = %path.display(), "mail written to the outbox");
        Ok(())
    }
}

/// Sends through an SMTP relay.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

#[async_trait]
impl Mailer for Smtp {
    async fn send(&self, email: Email) -> Result<()> {
        let message = build(&self.from, &email)?;
        self.transport
            .send(message)
            .await
            .map_err(|e| Error::Mail(e.to_string()))?;
        tracing::info!("mail sent by SMTP");
        Ok(())
    }
}

/// The mailer the configuration names.
pub fn from_config(config: &Config) -> Result<Arc<dyn Mailer>> {
    let from: Mailbox = config
        .mail
        .from
        .parse()
        .map_err(|e| Error::config("mail.from", format!("{e}")))?;
    Ok(match config.mail.transport {
        MailTransport::Outbox => Arc::new(Outbox::new(config.outbox_dir(), from)),
        MailTransport::Smtp => {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.mail.smtp_url)
                .map_err(|e| Error::config("mail.smtp_url", e.to_string()))?
                .timeout(Some(std::time::Duration::from_secs(10)))
                .build();
            Arc::new(Smtp { transport, from })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outbox_writes_a_readable_message() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::new(
            dir.path().join("outbox"),
            "One Login <no-reply@localhost>".parse().unwrap(),
        );
        outbox
            .send(Email {
                to: "ada@example.com".into(),
                subject: "Your code".into(),
                body: "123456".into(),
            })
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .collect();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        assert!(text.contains("To: ada@example.com"), "{text}");
        assert!(text.contains("Subject: Your code"), "{text}");
        assert!(text.contains("123456"), "{text}");
        // Issue 11.8: the messages hold codes, for the service's user only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.path().join("outbox")), 0o700);
            assert_eq!(mode(&files[0].as_ref().unwrap().path()), 0o600);
        }
    }

    // Issue 11.9, checklist 77: the outbox keeps the message in its file, never in the log.
    #[tokio::test]
    async fn outbox_never_logs_what_a_message_says() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::new(
            dir.path().to_owned(),
            "One Login <no-reply@localhost>".parse().unwrap(),
        );
        let log = crate::logging::MemoryLog::default();
        let _capturing = log.capture(crate::config::LogFormat::Text);
        outbox
            .send(Email {
                to: "ada@example.com".into(),
                subject: "Your GOV.UK One Login security code".into(),
                body: "Your code is:\n\n493817\n".into(),
            })
            .await
            .unwrap();
        let logged = log.text();
        assert!(logged.contains("mail written to the outbox"), "{logged}");
        assert!(
            !logged.contains("493817"),
            "the code reached the log: {logged}"
        );
        assert!(!logged.contains("ada@example.com"), "{logged}");
    }

    #[tokio::test]
    async fn outbox_refuses_a_bad_recipient() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::new(
            dir.path().to_owned(),
            "One Login <no-reply@localhost>".parse().unwrap(),
        );
        let err = outbox
            .send(Email {
                to: "not an address".into(),
                subject: "x".into(),
                body: "y".into(),
            })
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Mail(_)));
    }
}
