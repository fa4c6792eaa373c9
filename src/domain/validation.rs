//! Field-level validation errors, shown next to the right input in forms and returned as
//! `{"error": {"fields": {...}}}` by the JSON API.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// "that is wrong" → "That is wrong": library messages at the start of a sentence.
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Lower case, as `str::to_lowercase`. In the browser, text that is not plain ASCII is
/// lower-cased by the JavaScript engine: Rust's Unicode case tables (24 KB) would otherwise
/// ride in the first download of every page that validates an email.
pub fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    #[cfg(feature = "hydrate")]
    {
        String::from(js_sys::JsString::from(s).to_lower_case())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        s.to_lowercase()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    /// Records the error of `result` under `field` and returns the value when valid.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `value` when nothing is wrong, these errors otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }
}
