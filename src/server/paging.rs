//! `?limit=` and `?cursor=` of the JSON API's lists (CONTRACT: limit 1–100, default 24).

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_default_and_stay_in_range() {
        assert_eq!(limit(None), Ok(24));
        assert_eq!(limit(Some("100")), Ok(100));
        for bad in ["0", "101", "-1", "ten"] {
            assert_eq!(limit(Some(bad)).unwrap_err().status(), 422, "{bad}");
        }
    }
}
