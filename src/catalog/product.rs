//! A catalog product as stored, and the Flipdesk catalog line (`catalog import`'s JSON lines)
//! it is read from: validated field by field, identifiers normalised, so a bad line is
//! rejected with a reason and never half-imported.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::domain::catalog::{self, ProductKind};
use crate::domain::money::Currency;

/// External ids per provider: `{"stockx": "…", "cardmarket": 273699}` (ids as text).
pub type ExternalIds = BTreeMap<String, String>;

/// A catalog product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    pub identity: String,
    pub kind: ProductKind,
    pub name: String,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub colorway: Option<String>,
    pub style_id: Option<String>,
    pub gtin: Option<String>,
    pub game: Option<String>,
    pub set_name: Option<String>,
    pub set_code: Option<String>,
    pub number: Option<String>,
    pub rarity: Option<String>,
    pub language: Option<String>,
    pub release_date: Option<String>,
    pub retail_price: Option<i64>,
    pub retail_currency: Option<String>,
    pub image_url: Option<String>,
    pub external_ids: ExternalIds,
}

/// A money amount in a catalog line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    pub amount: i64,
    pub currency: String,
}

/// One line of a Flipdesk catalog file, as written (CONTRACT `catalog import`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogLine {
    pub kind: String,
    pub name: String,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub colorway: Option<String>,
    pub style_id: Option<String>,
    pub gtin: Option<String>,
    pub game: Option<String>,
    pub set: Option<String>,
    pub set_code: Option<String>,
    pub number: Option<String>,
    pub rarity: Option<String>,
    pub language: Option<String>,
    pub release_date: Option<String>,
    pub retail_price: Option<Amount>,
    pub image_url: Option<String>,
    #[serde(default)]
    pub external_ids: BTreeMap<String, serde_json::Value>,
}

fn text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, String> {
    let Some(value) = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(format!("{field} is longer than {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{field} has control characters"));
    }
    Ok(Some(value))
}

impl CatalogLine {
    /// The product this line describes (its `id` empty until stored), or why it is refused.
    pub fn into_product(self) -> Result<Product, String> {
        let kind = ProductKind::parse(self.kind.trim()).ok_or_else(|| {
            format!(
                "kind \"{}\" is not one of sneaker, card, sealed, other",
                self.kind
            )
        })?;
        let name = text("name", Some(self.name), 300)?.ok_or("name is empty")?;
        let style_id = match text("style_id", self.style_id, 60)? {
            None => None,
            Some(raw) => {
                let ids = catalog::style_ids(&raw);
                if ids.is_empty() {
                    return Err(format!("style_id \"{raw}\" is not a style id"));
                }
                Some(ids.join("/"))
            }
        };
        let gtin = match text("gtin", self.gtin, 20)? {
            None => None,
            Some(g)
                if g.chars().all(|c| c.is_ascii_digit()) && [8, 12, 13, 14].contains(&g.len()) =>
            {
                Some(g)
            }
            Some(g) => return Err(format!("gtin \"{g}\" is not 8, 12, 13 or 14 digits")),
        };
        let language = match text("language", self.language, 20)? {
            None => None,
            Some(l) => Some(
                catalog::language_code(&l)
                    .ok_or_else(|| format!("language \"{l}\" is not a language Flipdesk knows"))?
                    .to_string(),
            ),
        };
        let release_date = match text("release_date", self.release_date, 10)? {
            None => None,
            Some(d) => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                time::Date::parse(&d, &format)
                    .map_err(|_| format!("release_date \"{d}\" is not a date (YYYY-MM-DD)"))?;
                Some(d)
            }
        };
        let (retail_price, retail_currency) = match self.retail_price {
            None => (None, None),
            Some(a) => {
                let currency = Currency::parse(&a.currency)
                    .map_err(|e| format!("retail_price currency: {e}"))?;
                if a.amount < 0 {
                    return Err("retail_price amount is negative".into());
                }
                (Some(a.amount), Some(currency.code().to_string()))
            }
        };
        let image_url = match text("image_url", self.image_url, 2000)? {
            Some(u) if !(u.starts_with("https://") || u.starts_with("http://")) => {
                return Err(format!("image_url \"{u}\" is not an http(s) address"));
            }
            other => other,
        };
        let mut external_ids = ExternalIds::new();
        for (provider, id) in self.external_ids {
            let provider = provider.trim().to_ascii_lowercase();
            if provider.is_empty()
                || !provider
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(format!(
                    "external_ids has a bad provider name \"{provider}\""
                ));
            }
            let id = match id {
                serde_json::Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
                serde_json::Value::Number(n) if n.is_u64() => n.to_string(),
                other => return Err(format!("external_ids.{provider} is not an id: {other}")),
            };
            external_ids.insert(provider, id);
        }
        let number = text("number", self.number, 20)?;
        if let Some(n) = &number
            && catalog::card_number(n).is_none()
        {
            return Err(format!("number \"{n}\" has no digits"));
        }
        let mut product = Product {
            id: String::new(),
            identity: String::new(),
            kind,
            name,
            brand: text("brand", self.brand, 100)?,
            model: text("model", self.model, 200)?,
            colorway: text("colorway", self.colorway, 200)?,
            style_id,
            gtin,
            game: text("game", self.game, 100)?,
            set_name: text("set", self.set, 200)?,
            set_code: text("set_code", self.set_code, 20)?.map(|c| c.to_ascii_uppercase()),
            number,
            rarity: text("rarity", self.rarity, 100)?,
            language,
            release_date,
            retail_price,
            retail_currency,
            image_url,
            external_ids,
        };
        product.identity = product.identity_key();
        Ok(product)
    }
}

impl Product {
    /// What a re-import finds this product by, most specific first: a style id, a GTIN, an
    /// external id, a card's set + number + rarity + language, else kind + maker + name.
    pub fn identity_key(&self) -> String {
        if let Some(style) = self.style_id.as_deref().and_then(|s| s.split('/').next()) {
            return format!("style:{style}");
        }
        if let Some(gtin) = &self.gtin {
            return format!("gtin:{gtin}");
        }
        if let Some((provider, id)) = self.external_ids.iter().next() {
            return format!("x:{provider}:{id}");
        }
        let lower = |v: &Option<String>| v.as_deref().unwrap_or("").to_lowercase();
        if let (Some(code), Some(number)) = (&self.set_code, &self.number)
            && let Some(key) = catalog::set_number(code, number)
        {
            return format!(
                "card:{key}:{}:{}",
                lower(&self.rarity),
                self.language.as_deref().unwrap_or("en")
            );
        }
        format!(
            "name:{}:{}:{}:{}",
            self.kind.as_str(),
            lower(&self.brand.clone().or(self.game.clone())),
            lower(&self.set_name),
            self.name.to_lowercase()
        )
    }

    /// This product with what `newer` knows laid over it: fields `newer` leaves empty keep
    /// their value, external ids are merged.
    pub fn merged_with(&self, newer: &Product) -> Product {
        let pick = |old: &Option<String>, new: &Option<String>| new.clone().or(old.clone());
        let mut external_ids = self.external_ids.clone();
        external_ids.extend(newer.external_ids.clone());
        Product {
            id: self.id.clone(),
            identity: self.identity.clone(),
            kind: newer.kind,
            name: newer.name.clone(),
            brand: pick(&self.brand, &newer.brand),
            model: pick(&self.model, &newer.model),
            colorway: pick(&self.colorway, &newer.colorway),
            style_id: pick(&self.style_id, &newer.style_id),
            gtin: pick(&self.gtin, &newer.gtin),
            game: pick(&self.game, &newer.game),
            set_name: pick(&self.set_name, &newer.set_name),
            set_code: pick(&self.set_code, &newer.set_code),
            number: pick(&self.number, &newer.number),
            rarity: pick(&self.rarity, &newer.rarity),
            language: pick(&self.language, &newer.language),
            release_date: pick(&self.release_date, &newer.release_date),
            retail_price: newer.retail_price.or(self.retail_price),
            retail_currency: pick(&self.retail_currency, &newer.retail_currency),
            image_url: pick(&self.image_url, &newer.image_url),
            external_ids,
        }
    }

    /// The identifiers `catalog resolve` prints.
    pub fn identifiers(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        for (key, value) in [
            ("style_id", &self.style_id),
            ("gtin", &self.gtin),
            ("set_code", &self.set_code),
            ("number", &self.number),
        ] {
            if let Some(v) = value {
                out.insert(key.into(), v.clone().into());
            }
        }
        if !self.external_ids.is_empty() {
            out.insert(
                "external_ids".into(),
                serde_json::to_value(&self.external_ids).unwrap_or_default(),
            );
        }
        serde_json::Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(json: &str) -> Result<Product, String> {
        serde_json::from_str::<CatalogLine>(json)
            .map_err(|e| e.to_string())?
            .into_product()
    }

    #[test]
    fn a_line_is_validated_and_normalised() {
        let p = line(r#"{"kind":"sneaker","name":"Air Jordan 1 Retro High OG 'Chicago Lost and Found'","brand":"Jordan","style_id":"dz5485 612","retail_price":{"amount":18000,"currency":"usd"},"external_ids":{"stockx":"abc","goat":12}}"#).unwrap();
        assert_eq!(p.style_id.as_deref(), Some("DZ5485-612"));
        assert_eq!(p.identity, "style:DZ5485-612");
        assert_eq!(p.retail_currency.as_deref(), Some("USD"));
        assert_eq!(p.external_ids["goat"], "12");
        let card = line(r#"{"kind":"card","name":"Charizard","game":"Pokémon","set":"Base Set","set_code":"bs","number":"004/102","rarity":"Holo Rare"}"#).unwrap();
        assert_eq!(card.identity, "card:BS-4:holo rare:en");
        assert_eq!(card.set_code.as_deref(), Some("BS"));
    }

    #[test]
    fn bad_lines_say_why() {
        for (json, reason) in [
            (r#"{"kind":"shoe","name":"x"}"#, "kind"),
            (r#"{"kind":"card","name":"  "}"#, "name is empty"),
            (r#"{"kind":"card","name":"x","gtin":"12ab"}"#, "gtin"),
            (
                r#"{"kind":"card","name":"x","release_date":"2024-13-01"}"#,
                "release_date",
            ),
            (
                r#"{"kind":"card","name":"x","language":"klingon"}"#,
                "language",
            ),
            (
                r#"{"kind":"card","name":"x","retail_price":{"amount":-1,"currency":"USD"}}"#,
                "negative",
            ),
            (
                r#"{"kind":"card","name":"x","image_url":"javascript:alert(1)"}"#,
                "image_url",
            ),
            (
                r#"{"kind":"card","name":"x","external_ids":{"stockx":{"a":1}}}"#,
                "external_ids",
            ),
            (r#"{"kind":"card","name":"x","number":"promo"}"#, "number"),
            (
                r#"{"kind":"card","name":"x","colour":"red"}"#,
                "unknown field",
            ),
        ] {
            let err = line(json).unwrap_err();
            assert!(err.contains(reason), "{json}: {err}");
        }
    }

    #[test]
    fn a_newer_line_fills_in_without_erasing() {
        let old = line(r#"{"kind":"card","name":"Charizard","set":"Base Set","external_ids":{"cardmarket":273699}}"#).unwrap();
        let new = line(r#"{"kind":"card","name":"Charizard","image_url":"https://img.example/c.png","external_ids":{"cardmarket":273699,"tcgplayer":"42"}}"#).unwrap();
        let merged = old.merged_with(&new);
        assert_eq!(merged.set_name.as_deref(), Some("Base Set"));
        assert_eq!(
            merged.image_url.as_deref(),
            Some("https://img.example/c.png")
        );
        assert_eq!(merged.external_ids.len(), 2);
        assert_eq!(old.identity, new.identity);
    }
}
