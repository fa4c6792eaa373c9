//! Store monitors: what a reseller hunts ("jordan 4 bred -kids", size 10, PSA 10, at most
//! $300) and whether a storefront listing is it. Keywords: every word must appear in the
//! listing's text, `"quoted phrases"` as written, `-word` must not appear.

use serde::{Deserialize, Serialize};

use super::{
    Currency, FieldErrors, Money,
    item::{ItemKind, check_price},
};

pub const MAX_TERMS: usize = 12;
pub const MAX_SIZES: usize = 12;
pub const MAX_STORES: usize = 10;

/// The monitor form, as typed (sizes and stores separated by commas).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonitorInput {
    pub keywords: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub sizes: String,
    /// A condition ("new", "NM") or a grade ("PSA 10").
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub max_price: String,
    #[serde(default)]
    pub currency: String,
    /// Store addresses (slugs); empty: every store.
    #[serde(default)]
    pub stores: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keywords {
    pub words: Vec<String>,
    pub phrases: Vec<String>,
    pub excluded: Vec<String>,
}

/// Lower-case words of letters and digits (how listings and keywords are compared).
pub fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A listing's words as every monitor's keywords are checked against them: a set for words,
/// and the words in order (space-separated, with a space at each end) for phrases.
pub struct ListingWords {
    set: std::collections::HashSet<String>,
    joined: String,
}

impl ListingWords {
    pub fn new(words: &[String]) -> ListingWords {
        ListingWords {
            set: words.iter().cloned().collect(),
            joined: format!(" {} ", words.join(" ")),
        }
    }
}

impl Keywords {
    pub fn parse(text: &str) -> Result<Keywords, String> {
        let mut k = Keywords::default();
        let mut rest = text.trim();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('"') {
                let (phrase, tail) = after.split_once('"').unwrap_or((after, ""));
                let phrase = words_of(phrase).join(" ");
                if !phrase.is_empty() {
                    k.phrases.push(phrase);
                }
                rest = tail.trim_start();
                continue;
            }
            let (token, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            rest = tail.trim_start();
            match token.strip_prefix('-') {
                Some(excluded) => k.excluded.extend(words_of(excluded)),
                None => k.words.extend(words_of(token)),
            }
        }
        k.words.dedup();
        if k.words.is_empty() && k.phrases.is_empty() {
            return Err(
                "Enter at least one word to look for (a word with - in front only excludes)."
                    .into(),
            );
        }
        if k.words.len() + k.phrases.len() + k.excluded.len() > MAX_TERMS {
            return Err(format!("Use at most {MAX_TERMS} words and phrases."));
        }
        Ok(k)
    }

    /// The longest word a listing must contain: monitors are found by it.
    pub fn anchor(&self) -> String {
        self.words
            .iter()
            .cloned()
            .chain(self.phrases.iter().flat_map(|p| words_of(p)))
            .max_by_key(|w| w.len())
            .unwrap_or_default()
    }

    pub fn matches(&self, text_words: &[String]) -> bool {
        self.matches_in(&ListingWords::new(text_words))
    }

    /// The same check against words prepared once for many monitors.
    pub fn matches_in(&self, listing: &ListingWords) -> bool {
        self.words.iter().all(|w| listing.set.contains(w.as_str()))
            && self.phrases.iter().all(|p| {
                listing.joined.match_indices(p.as_str()).any(|(at, _)| {
                    listing.joined[..at].ends_with(' ')
                        && listing.joined[at + p.len()..].starts_with(' ')
                })
            })
            && !self
                .excluded
                .iter()
                .any(|w| listing.set.contains(w.as_str()))
    }

    /// A listing of the monitor's catalog product matches however it is worded, unless it
    /// has a word the monitor excludes.
    pub fn excludes(&self, listing: &ListingWords) -> bool {
        self.excluded
            .iter()
            .any(|w| listing.set.contains(w.as_str()))
    }

    /// The words and phrases, for naming a catalog product (exclusions left out).
    pub fn product_text(&self) -> String {
        let mut parts: Vec<&str> = self.words.iter().map(String::as_str).collect();
        parts.extend(self.phrases.iter().map(String::as_str));
        parts.join(" ")
    }

    /// As the reseller would type it again.
    pub fn text(&self) -> String {
        let mut parts: Vec<String> = self.words.clone();
        parts.extend(self.phrases.iter().map(|p| format!("\"{p}\"")));
        parts.extend(self.excluded.iter().map(|w| format!("-{w}")));
        parts.join(" ")
    }
}

/// A checked monitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorDraft {
    pub keywords: Keywords,
    pub kind: Option<ItemKind>,
    pub sizes: Vec<String>,
    pub condition: Option<String>,
    pub max_price: Option<Money>,
    pub stores: Vec<String>,
}

fn list_of(text: &str) -> Vec<String> {
    let mut items: Vec<String> = text
        .split(',')
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    items.dedup();
    items
}

pub fn validate_monitor(
    input: &MonitorInput,
    default_currency: Currency,
) -> Result<MonitorDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let keywords = e.check("keywords", Keywords::parse(&input.keywords));
    let kind = match input.kind.trim() {
        "" => None,
        k => e.check(
            "kind",
            ItemKind::parse(k).ok_or_else(|| "Choose a kind.".to_string()),
        ),
    };
    let sizes = list_of(&input.sizes);
    if sizes.len() > MAX_SIZES {
        e.add("sizes", format!("Name at most {MAX_SIZES} sizes."));
    }
    let stores = list_of(&input.stores);
    if stores.len() > MAX_STORES {
        e.add("stores", format!("Name at most {MAX_STORES} stores."));
    }
    let currency = match input.currency.trim() {
        "" => Some(default_currency),
        c => e.check(
            "currency",
            Currency::parse(c).map_err(|_| "Choose a currency.".to_string()),
        ),
    };
    let max_price = match (input.max_price.trim(), currency) {
        ("", _) => None,
        (p, Some(c)) => e.check("max_price", check_price(p, c)),
        (_, None) => None,
    };
    let condition = Some(input.condition.trim().to_string()).filter(|c| !c.is_empty());
    match keywords {
        Some(keywords) if e.is_empty() => Ok(MonitorDraft {
            keywords,
            kind,
            sizes,
            condition,
            max_price,
            stores,
        }),
        _ => Err(e),
    }
}

/// A storefront listing as a monitor sees it.
#[derive(Debug, Clone)]
pub struct Seen<'a> {
    /// Name, brand, style id, set, number… everything a reseller might search by.
    pub text_words: &'a [String],
    pub kind: ItemKind,
    pub size: Option<&'a str>,
    pub condition: Option<&'a str>,
    /// ("PSA", "10")
    pub grade: Option<(&'a str, &'a str)>,
    pub price: Money,
    pub store_slug: &'a str,
}

impl MonitorDraft {
    pub fn matches(&self, seen: &Seen<'_>) -> bool {
        self.keywords.matches(seen.text_words) && self.filters_match(seen)
    }

    /// Everything but the keywords: kind, sizes, condition or grade, stores, top price.
    pub fn filters_match(&self, seen: &Seen<'_>) -> bool {
        if self.kind.is_some_and(|k| k != seen.kind) {
            return false;
        }
        if !self.sizes.is_empty()
            && !seen
                .size
                .is_some_and(|s| self.sizes.iter().any(|w| w.eq_ignore_ascii_case(s.trim())))
        {
            return false;
        }
        if let Some(wanted) = &self.condition {
            let words = words_of(wanted);
            let as_grade = match (words.first(), words.get(1), seen.grade) {
                (Some(company), Some(number), Some((c, n))) => {
                    company.eq_ignore_ascii_case(c) && number.as_str() == words_of(n).join("")
                }
                _ => false,
            };
            let as_condition = seen
                .condition
                .is_some_and(|c| c.eq_ignore_ascii_case(wanted));
            if !as_grade && !as_condition {
                return false;
            }
        }
        if !self.stores.is_empty() && !self.stores.iter().any(|s| s == seen.store_slug) {
            return false;
        }
        self.max_price.is_none_or(|max| {
            max.currency == seen.price.currency && seen.price.amount <= max.amount
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen<'a>(words: &'a [String], size: Option<&'a str>, price: i64) -> Seen<'a> {
        Seen {
            text_words: words,
            kind: ItemKind::Sneaker,
            size,
            condition: Some("new"),
            grade: None,
            price: Money::new(price, Currency::Usd),
            store_slug: "kicks",
        }
    }

    #[test]
    fn keywords_read_words_phrases_and_exclusions() {
        let k = Keywords::parse(r#"Jordan 4 "bred reimagined" -kids -GS"#).unwrap();
        assert_eq!(k.words, ["jordan", "4"]);
        assert_eq!(k.phrases, ["bred reimagined"]);
        assert_eq!(k.excluded, ["kids", "gs"]);
        assert_eq!(k.anchor(), "reimagined");
        assert_eq!(k.text(), r#"jordan 4 "bred reimagined" -kids -gs"#);
        assert!(Keywords::parse("  ").is_err());
        assert!(Keywords::parse("-kids").is_err(), "only exclusions");
        let many: Vec<String> = (0..13).map(|i| format!("w{i}")).collect();
        assert!(Keywords::parse(&many.join(" ")).is_err());
    }

    #[test]
    fn listings_match_or_not() {
        let input = MonitorInput {
            keywords: r#"jordan 4 "bred reimagined" -kids"#.into(),
            sizes: "10, 10.5".into(),
            max_price: "300".into(),
            ..Default::default()
        };
        let m = validate_monitor(&input, Currency::Usd).unwrap();
        let title = words_of("Air Jordan 4 Retro Bred Reimagined FV5029-006");
        assert!(m.matches(&seen(&title, Some("10"), 30_000)));
        assert!(!m.matches(&seen(&title, Some("9"), 30_000)), "another size");
        assert!(!m.matches(&seen(&title, Some("10"), 30_001)), "too dear");
        assert!(!m.matches(&seen(&title, None, 20_000)), "no size");
        let kids = words_of("Air Jordan 4 Bred Reimagined (Kids)");
        assert!(
            !m.matches(&seen(&kids, Some("10"), 10_000)),
            "excluded word"
        );
        let apart = words_of("Jordan 4 Reimagined Bred");
        assert!(
            !m.matches(&seen(&apart, Some("10"), 10_000)),
            "the phrase as written"
        );

        let slab = MonitorInput {
            keywords: "charizard".into(),
            condition: "PSA 10".into(),
            kind: "card".into(),
            ..Default::default()
        };
        let m = validate_monitor(&slab, Currency::Usd).unwrap();
        let words = words_of("Charizard Base Set 4/102");
        let mut card = seen(&words, None, 100_000);
        card.kind = ItemKind::Card;
        card.grade = Some(("PSA", "10"));
        assert!(m.matches(&card));
        card.grade = Some(("BGS", "10"));
        assert!(!m.matches(&card));
        let e = validate_monitor(
            &MonitorInput {
                keywords: "x".into(),
                max_price: "-1".into(),
                kind: "boat".into(),
                ..Default::default()
            },
            Currency::Usd,
        )
        .unwrap_err();
        assert!(e.get("max_price").is_some() && e.get("kind").is_some());
    }
}
