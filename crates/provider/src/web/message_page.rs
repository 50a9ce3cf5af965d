//! The page that only tells the citizen something, in a module of its own: the error mapping
//! renders it, so it must not need anything the errors need.

use askama::Template;

use crate::web::language::{filters, from_english};

pub struct Link {
    pub href: String,
    pub text: String,
}

/// A page that only tells the citizen something: errors, confirmations, information.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub title: String,
    pub paragraphs: Vec<String>,
    /// Each in a paragraph of its own, after the text.
    pub links: Vec<Link>,
    /// The request id on an error page, for the citizen to quote.
    pub reference: Option<String>,
}

impl MessagePage {
    /// The title, paragraphs and links are the code's English; the page shows them in the
    /// citizen's language.
    pub fn new(title: impl Into<String>) -> Self {
        MessagePage {
            title: from_english(&title.into()),
            paragraphs: Vec::new(),
            links: Vec::new(),
            reference: None,
        }
    }

    /// Shows `reference` (the request id) for the citizen to quote.
    pub fn reference(mut self, reference: Option<String>) -> Self {
        self.reference = reference;
        self
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.paragraphs.push(from_english(&text.into()));
        self
    }

    pub fn link(mut self, href: impl Into<String>, text: impl Into<String>) -> Self {
        self.links.push(Link {
            href: href.into(),
            text: from_english(&text.into()),
        });
        self
    }
}
