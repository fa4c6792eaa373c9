//! `?limit=` and `?cursor=` of the JSON API's lists (CONTRACT: limit 1–100, default 24).

use super::config::Secret;
use crate::error::AppError;

pub const DEFAULT_LIMIT: u32 = 24;

pub fn limit(raw: Option<&str>) -> Result<u32, AppError> {
    match raw.map(|s| s.trim().parse::<u32>()) {
        None => Ok(DEFAULT_LIMIT),
        Some(Ok(n)) if (1..=100).contains(&n) => Ok(n),
        Some(_) => Err(AppError::field("limit", "Use a limit from 1 to 100.")),
    }
}

pub fn bad_cursor() -> AppError {
    AppError::field("cursor", "This cursor is not one we gave out.")
}

/// An opaque cursor for the page after `last_id` of `scope` (a list id): the id with a short
/// HMAC, so only cursors the server gave out are taken — a made-up one cannot fill caches or
/// start a scan of its own.
pub fn issue_cursor(secret: &Secret, scope: &str, last_id: &str) -> String {
    format!("{last_id}.{}", cursor_tag(secret, scope, last_id))
}

/// The id a cursor of `scope` stands for, or `bad_cursor()` when the server did not issue it.
pub fn read_cursor<'a>(secret: &Secret, scope: &str, cursor: &'a str) -> Result<&'a str, AppError> {
    let (id, tag) = cursor.rsplit_once('.').ok_or_else(bad_cursor)?;
    let expected = cursor_tag(secret, scope, id);
    let same = tag.len() == expected.len()
        && tag
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same { Ok(id) } else { Err(bad_cursor()) }
}

fn cursor_tag(secret: &Secret, scope: &str, id: &str) -> String {
    let full = super::crypto::hmac_hex(secret.expose(), &format!("cursor:{scope}:{id}"));
    full[..20].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_issued_cursors_are_read() {
        let secret = Secret::new("k".repeat(32));
        let c = issue_cursor(&secret, "list-a", "0190-item");
        assert_eq!(read_cursor(&secret, "list-a", &c).unwrap(), "0190-item");
        assert!(
            read_cursor(&secret, "list-b", &c).is_err(),
            "another list's cursor"
        );
        for made_up in ["0", "00", "0190-item", "0190-item.0000", ""] {
            assert!(
                read_cursor(&secret, "list-a", made_up).is_err(),
                "{made_up}"
            );
        }
    }

    #[test]
    fn limits_default_and_stay_in_range() {
        assert_eq!(limit(None), Ok(24));
        assert_eq!(limit(Some("100")), Ok(100));
        for bad in ["0", "101", "-1", "ten"] {
            assert_eq!(limit(Some(bad)).unwrap_err().status(), 422, "{bad}");
        }
    }
}
