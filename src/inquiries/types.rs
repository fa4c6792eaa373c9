//! What the contact page and the store's inquiries page show.

use serde::{Deserialize, Serialize};

use crate::domain::inquiry::InquiryStatus;

/// The contact page: the store, the item asked about (if any) and the form's signed start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactForm {
    pub store: crate::storefront::PublicStore,
    pub listing: Option<(String, String)>,
    pub started: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InquiryView {
    pub id: String,
    pub name: String,
    /// "sam@example.com" or "@sam on Instagram".
    pub contact: String,
    /// Set when the answer can go by mail.
    pub email: Option<String>,
    pub message: String,
    pub listing: Option<(String, String)>,
    pub status: InquiryStatus,
    pub reply: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub answered_at: Option<String>,
}
