//! What the browser gets from the catalog: products offered for a text as it is typed.

use serde::{Deserialize, Serialize};

/// A catalog product offered for a text (the item form's type-ahead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub product_id: String,
    /// `sneaker`, `card`, `sealed` or `other` (as items' kinds).
    pub kind: String,
    pub name: String,
    pub brand: Option<String>,
    pub style_id: Option<String>,
    pub colorway: Option<String>,
    pub game: Option<String>,
    pub set_name: Option<String>,
    pub set_code: Option<String>,
    pub number: Option<String>,
    /// The printing's language, spelled out ("Japanese"); none for English.
    pub language: Option<String>,
    pub image_url: Option<String>,
    /// 0–1; at or above 0.8 the text names this product.
    pub confidence: f32,
    /// A scanned box's barcode names the size in it: its size system (`us_m`…) and size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<(String, String)>,
}

impl Suggestion {
    /// What tells this product apart at a glance: style id, or set, number and language.
    pub fn details(&self) -> String {
        let parts: Vec<&str> = [
            self.style_id.as_deref(),
            self.colorway.as_deref(),
            self.set_name.as_deref(),
            self.number.as_deref(),
            self.language.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        parts.join(" · ")
    }
}

/// A reseller's "Enrich all" run and how far it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichRun {
    pub id: String,
    /// `running`, `done` or `failed`.
    pub status: String,
    /// Items that named no product when it started, and the distinct texts among them.
    pub items_total: i64,
    pub texts_total: i64,
    pub texts_done: i64,
    /// Items now linked to a product.
    pub linked: i64,
    /// Provider calls it made.
    pub calls: i64,
    pub error: Option<String>,
}

impl EnrichRun {
    pub fn running(&self) -> bool {
        self.status == "running"
    }
}
