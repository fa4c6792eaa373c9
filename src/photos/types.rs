//! A photo as the browser sees it, and where its sizes are served.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoView {
    pub id: String,
    /// `processing` until its sizes are made, then `ready` (or `failed`).
    pub status: String,
    pub width: i64,
    pub height: i64,
}

/// The URL of one size (`thumb`, `card`, `full`) of a photo. Photos never change once made,
/// so these are cached for a year.
pub fn photo_url(id: &str, size: &str) -> String {
    format!("/photos/{id}/{size}.jpg")
}

/// Every size with its width bound, for an `<img srcset>` (the browser picks by layout).
pub fn photo_srcset(id: &str) -> String {
    format!(
        "{} 240w, {} 640w, {} 1600w",
        photo_url(id, "thumb"),
        photo_url(id, "card"),
        photo_url(id, "full")
    )
}

/// The `srcset` of a Flipdesk photo's URL (`/photos/{id}/{size}.jpg`); `None` for other links.
pub fn srcset_of_url(url: &str) -> Option<String> {
    let id = url.strip_prefix("/photos/")?.split('/').next()?;
    Some(photo_srcset(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_links() {
        assert_eq!(photo_url("p1", "card"), "/photos/p1/card.jpg");
        assert_eq!(
            srcset_of_url("/photos/p1/card.jpg").unwrap(),
            "/photos/p1/thumb.jpg 240w, /photos/p1/card.jpg 640w, /photos/p1/full.jpg 1600w"
        );
        assert_eq!(srcset_of_url("https://img.example/a.jpg"), None);
    }
}
