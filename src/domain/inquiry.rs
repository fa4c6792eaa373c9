//! A shopper's question to a store (the storefront's contact form): who asks, how to reach
//! them (an email address or an Instagram handle), the message, and the rules the browser
//! and the server both check.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{Email, FieldErrors};

pub const MAX_NAME: usize = 80;
pub const MAX_MESSAGE: usize = 2_000;
pub const MAX_REPLY: usize = 4_000;
/// A person takes a few seconds to write; a bot posting at once is refused.
pub const MIN_FILL_SECS: i64 = 3;
/// A form left open longer than this is sent again from a fresh page.
pub const MAX_FORM_AGE_SECS: i64 = 24 * 3600;
/// Questions one address may send per hour, to any store (per server process).
pub const PER_IP_PER_HOUR: u32 = 5;
/// Questions one store takes per day; more wait until tomorrow.
pub const PER_STORE_PER_DAY: i64 = 50;

/// The contact form, as typed. `website` is a field people never see (bots fill it in).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InquiryInput {
    pub name: String,
    pub contact: String,
    pub message: String,
    #[serde(default)]
    pub listing_id: Option<String>,
    #[serde(default)]
    pub website: String,
    /// The form's signed start time, from the page.
    #[serde(default)]
    pub started: String,
}

/// How the store answers: by mail, or on Instagram (by hand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Contact {
    Email(Email),
    Instagram(String),
}

impl Contact {
    pub fn parse(input: &str) -> Result<Contact, String> {
        let text = input.trim();
        if text.is_empty() {
            return Err(
                "Enter your email address or Instagram handle so the store can answer.".into(),
            );
        }
        if text.contains('@') && !text.starts_with('@') {
            return Email::parse(text).map(Contact::Email);
        }
        let handle = text
            .trim_start_matches("https://")
            .trim_start_matches("www.")
            .trim_start_matches("instagram.com/")
            .trim_start_matches('@')
            .trim_end_matches('/');
        let ok = (1..=30).contains(&handle.len())
            && handle
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
        if ok {
            Ok(Contact::Instagram(handle.to_lowercase()))
        } else {
            Err(
                "Enter an email address (name@example.com) or an Instagram handle (@yourname)."
                    .into(),
            )
        }
    }

    pub fn email(&self) -> Option<&str> {
        match self {
            Contact::Email(e) => Some(e.as_str()),
            Contact::Instagram(_) => None,
        }
    }
}

impl fmt::Display for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Contact::Email(e) => f.write_str(e.as_str()),
            Contact::Instagram(h) => write!(f, "@{h} on Instagram"),
        }
    }
}

/// A checked question (spam rules apart: those need the server).
#[derive(Debug, Clone, PartialEq)]
pub struct InquiryDraft {
    pub name: String,
    pub contact: Contact,
    pub message: String,
}

fn no_controls(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .replace("\r\n", "\n")
}

pub fn validate_inquiry(input: &InquiryInput) -> Result<InquiryDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let name = input.name.trim();
    if name.is_empty() {
        e.add("name", "Enter your name.");
    } else if name.chars().count() > MAX_NAME {
        e.add("name", format!("A name has at most {MAX_NAME} characters."));
    }
    let contact = e.check("contact", Contact::parse(&input.contact));
    let message = no_controls(input.message.trim());
    let length = message.chars().count();
    if length == 0 {
        e.add("message", "Write your question.");
    } else if length > MAX_MESSAGE {
        e.add(
            "message",
            format!("A message has at most {MAX_MESSAGE} characters (this one has {length})."),
        );
    }
    match (contact, e.is_empty()) {
        (Some(contact), true) => Ok(InquiryDraft {
            name: no_controls(name).replace('\n', " "),
            contact,
            message,
        }),
        _ => Err(e),
    }
}

pub fn validate_reply(text: &str) -> Result<String, String> {
    let reply = no_controls(text.trim());
    let length = reply.chars().count();
    if length == 0 {
        Err("Write your answer.".into())
    } else if length > MAX_REPLY {
        Err(format!("An answer has at most {MAX_REPLY} characters."))
    } else {
        Ok(reply)
    }
}

string_enum!(
    InquiryStatus {
        New => "new" / "New",
        Answered => "answered" / "Answered",
        Archived => "archived" / "Archived",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, contact: &str, message: &str) -> InquiryInput {
        InquiryInput {
            name: name.into(),
            contact: contact.into(),
            message: message.into(),
            ..Default::default()
        }
    }

    #[test]
    fn contacts_are_an_email_or_a_handle() {
        assert_eq!(
            Contact::parse(" Sam@Example.com ").unwrap().email(),
            Some("sam@example.com")
        );
        assert_eq!(
            Contact::parse("@kicks.by_sam").unwrap(),
            Contact::Instagram("kicks.by_sam".into())
        );
        assert_eq!(
            Contact::parse("https://instagram.com/KicksBySam/").unwrap(),
            Contact::Instagram("kicksbysam".into())
        );
        assert!(Contact::parse("call me maybe").is_err());
        assert!(Contact::parse("").is_err());
    }

    #[test]
    fn questions_are_checked() {
        let ok =
            validate_inquiry(&input("Sam", "sam@example.com", " Is it DS?\r\nThanks ")).unwrap();
        assert_eq!(ok.message, "Is it DS?\nThanks");
        let e = validate_inquiry(&input("", "not an address!", &"x".repeat(10_000))).unwrap_err();
        assert!(e.get("name").is_some());
        assert!(e.get("contact").is_some());
        assert!(e.get("message").unwrap().contains("10000"));
        // Markup is kept as the text it is (shown as text everywhere).
        let html = validate_inquiry(&input("<b>Sam</b>", "@sam", "<script>x</script>")).unwrap();
        assert_eq!(html.message, "<script>x</script>");
        assert!(validate_reply("  ").is_err());
        assert!(validate_reply(&"y".repeat(4_001)).is_err());
    }
}
