//! How messy product text is read for the catalog: identifiers normalised so every way of
//! writing one finds it (compound style ids, card numbers with or without leading zeros or a
//! set total, set-code prefixes), and names reduced to the words of the product's identity —
//! sizes, grades, conditions and sale words are never part of it; nicknames and abbreviations
//! are spelled out. Shared by the catalog import, the resolver and the browser's type-ahead.

use serde::{Deserialize, Serialize};
use std::fmt;

string_enum!(
    /// What a catalog product is.
    ProductKind {
        Sneaker => "sneaker" / "Sneaker",
        Card => "card" / "Card",
        Sealed => "sealed" / "Sealed product",
        Other => "other" / "Other",
    }
);

/// Style ids as one key: upper case, letters and digits, with a single `-` between the
/// model and colour parts (`cw2288 111` = `CW2288-111`). A compound id gives each half.
pub fn style_ids(text: &str) -> Vec<String> {
    text.split(['/', ','])
        .filter_map(|part| {
            let mut groups = part
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|g| !g.is_empty())
                .map(str::to_ascii_uppercase);
            let first = groups.next()?;
            let rest: Vec<String> = groups.collect();
            Some(if rest.is_empty() {
                first
            } else {
                format!("{first}-{}", rest.join(""))
            })
        })
        .filter(|id| id.len() >= 5 && id.chars().any(|c| c.is_ascii_digit()))
        .collect()
}

/// Whether a word looks like a sneaker style id (`CW2288-111`, `DZ5485-612`, `FV5029-006`).
pub fn looks_like_style_id(word: &str) -> bool {
    let Some((model, colour)) = word.split_once('-') else {
        return false;
    };
    model.len() >= 5
        && model.len() <= 8
        && model.chars().all(|c| c.is_ascii_alphanumeric())
        && model.chars().any(|c| c.is_ascii_digit())
        && (3..=4).contains(&colour.len())
        && colour.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether a word looks like a style id written without a dash, as adidas and New Balance
/// print them (`B75806`, `CP9654`, `M990GL6`, `U9060BLK`): one or two letters, three to five
/// digits, then at most three letters or digits. Longer letter prefixes are card promo
/// numbers (`SWSH050`), not shoes.
pub fn looks_like_bare_style_id(word: &str) -> bool {
    let letters = word.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let digits = word[letters..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let rest = &word[letters + digits..];
    (6..=9).contains(&word.len())
        && (1..=2).contains(&letters)
        && (3..=5).contains(&digits)
        && rest.len() <= 3
        && rest.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A card number as one key: the number without leading zeros, upper case, without the set
/// total (`006/165` = `6/165` = `6`; `SV49/SV94` = `SV49`; `TG05` stays).
pub fn card_number(text: &str) -> Option<String> {
    let first = text.trim().split('/').next()?.trim();
    if first.is_empty() || !first.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let upper = first.to_ascii_uppercase();
    let prefix: String = upper.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let digits: String = upper[prefix.len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let suffix = &upper[prefix.len() + digits.len()..];
    let trimmed = digits.trim_start_matches('0');
    let number = if trimmed.is_empty() { "0" } else { trimmed };
    Some(format!("{prefix}{number}{suffix}"))
}

/// A set-code-and-number identifier as one key: `lob 001` = `LOB-001` = `LOB-EN001` →
/// `LOB-1`. `None` unless the text is a set code followed by a number.
pub fn set_number(code: &str, number: &str) -> Option<String> {
    let code: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    if code.len() < 2 || code.len() > 6 {
        return None;
    }
    // A number that repeats its set code (`LOB-001`, `OP05-119`) gives the part after it.
    let number = number.trim().to_ascii_uppercase();
    let number = number.rsplit('-').next().unwrap_or(&number).to_string();
    // Yu-Gi-Oh! numbers carry a language (`EN001`): the printing, not the card.
    let number = [
        "EN", "DE", "FR", "IT", "PT", "SP", "JP", "E", "G", "F", "I", "P", "S",
    ]
    .iter()
    .find_map(|lang| {
        number
            .strip_prefix(lang)
            .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    })
    .unwrap_or(&number);
    Some(format!("{code}-{}", card_number(number)?))
}

/// Whether `code`-`number` reads as a printed card number (`LOB-001`, `LOB-EN001`,
/// `OP05-119`), not a model (`Gel-1130`): three digits, or a code with a digit in it.
fn is_printed_number(code: &str, number: &str) -> bool {
    let digits = number.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    digits.chars().all(|c| c.is_ascii_digit())
        && (digits.len() == 3 || (code.chars().any(|c| c.is_ascii_digit()) && !digits.is_empty()))
}

/// Words that never identify a product: sizes, grades, conditions, sale talk.
const NOISE: &[&str] = &[
    "size",
    "sz",
    "us",
    "uk",
    "eu",
    "mens",
    "men",
    "new",
    "used",
    "ds",
    "vnds",
    "nib",
    "nwt",
    "og",
    "all",
    "with",
    "w",
    "box",
    "receipt",
    "psa",
    "bgs",
    "cgc",
    "sgc",
    "grade",
    "graded",
    "gem",
    "mint",
    "nm",
    "lp",
    "mp",
    "hp",
    "dmg",
    "near",
    "lightly",
    "moderately",
    "heavily",
    "played",
    "damaged",
    "condition",
    "raw",
    "wts",
    "wtb",
    "wtt",
    "sale",
    "sell",
    "selling",
    "for",
    "fs",
    "ft",
    "obo",
    "firm",
    "price",
    "shipped",
    "free",
    "ship",
    "the",
    "a",
    "an",
    "of",
    "and",
    "pair",
    "pairs",
    "card",
    "cards",
    "tcg",
    "holo",
    "n",
    "deadstock",
    "authentic",
    "brand",
    "sealed",
    "factory",
    "grail",
    "1st",
    "edition",
];

/// Language words, to the printing's language code (no language word: English).
const LANGUAGES: &[(&str, &str)] = &[
    ("english", "en"),
    ("eng", "en"),
    ("en", "en"),
    ("japanese", "ja"),
    ("japan", "ja"),
    ("jp", "ja"),
    ("jpn", "ja"),
    ("korean", "ko"),
    ("kr", "ko"),
    ("chinese", "zh"),
    ("german", "de"),
    ("deutsch", "de"),
    ("french", "fr"),
    ("italian", "it"),
    ("spanish", "es"),
    ("portuguese", "pt"),
];

/// A language code spelled out (`ja` → `Japanese`).
pub fn language_name(code: &str) -> &str {
    match code {
        "en" => "English",
        "ja" => "Japanese",
        "ko" => "Korean",
        "zh" => "Chinese",
        "de" => "German",
        "fr" => "French",
        "it" => "Italian",
        "es" => "Spanish",
        "pt" => "Portuguese",
        other => other,
    }
}

/// The language code of a language word or code (`Japanese`, `JP`, `ja`).
pub fn language_code(word: &str) -> Option<&'static str> {
    let lower = word.trim().to_lowercase();
    LANGUAGES
        .iter()
        .find(|(w, _)| *w == lower)
        .map(|(_, code)| *code)
        .or_else(|| {
            LANGUAGES
                .iter()
                .map(|(_, code)| *code)
                .find(|code| *code == lower)
        })
}

/// Nicknames and abbreviations resellers type, spelled out.
const EXPANSIONS: &[(&str, &str)] = &[
    ("af1", "air force 1"),
    ("nb", "new balance"),
    ("yzy", "yeezy"),
    ("etb", "elite trainer box"),
    ("bb", "booster box"),
    ("lnf", "lost and found"),
    ("unc", "university blue"),
    ("alt", "alternate"),
    ("aa", "alternate art"),
    ("zard", "charizard"),
];

/// Model numbers written short: `aj5` is the Air Jordan 5, `am90` the Air Max 90.
const MODEL_PREFIXES: &[(&str, &str)] = &[("aj", "air jordan"), ("am", "air max")];

/// A nickname, abbreviation or short model number spelled out.
fn spelled_out(word: &str) -> Option<String> {
    if let Some((_, long)) = EXPANSIONS.iter().find(|(short, _)| *short == word) {
        return Some(long.to_string());
    }
    MODEL_PREFIXES.iter().find_map(|(short, long)| {
        let number = word.strip_prefix(short)?;
        (!number.is_empty() && number.len() <= 3 && number.chars().all(|c| c.is_ascii_digit()))
            .then(|| format!("{long} {number}"))
    })
}

// Size-run markers: without one a product is the adult (men's / unisex) one.
string_enum!(
    /// Which size run of a shoe model.
    SizeRun {
        Adult => "adult" / "Adult",
        Women => "women" / "Women's",
        Grade => "gs" / "Grade school",
        Preschool => "ps" / "Preschool",
        Toddler => "td" / "Toddler",
    }
);

/// A query read for the catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// Identity words, lower case, in order (noise removed, abbreviations spelled out).
    pub words: Vec<String>,
    /// Style ids found in the text.
    pub style_ids: Vec<String>,
    /// Card numbers found (`4/102` → `4`), with the set total when given.
    pub numbers: Vec<(String, Option<String>)>,
    /// Set code + number keys (`LOB-1`).
    pub set_numbers: Vec<String>,
    /// A GTIN/UPC/EAN (8, 12, 13 or 14 digits).
    pub gtin: Option<String>,
    pub size_run: Option<SizeRun>,
    /// The printing's language when the text names one (`ja`, `de`…).
    pub language: Option<String>,
}

fn is_size(word: &str) -> bool {
    // 10, 10.5, 9y, 5.5y, 38, 42.5 (EU); cards' numbers come with a slash and are kept apart.
    let w = word.trim_end_matches(['y', 'c', 'w']);
    !w.is_empty()
        && w.len() <= 4
        && w.chars().all(|c| c.is_ascii_digit() || c == '.')
        && w.parse::<f32>().is_ok_and(|n| (1.0..=50.0).contains(&n))
        && (word.ends_with(['y', 'c', 'w']) || w.ends_with(".5"))
}

/// Words after which a bare number is a size (`sz 10`, `US 9`).
const SIZE_BEFORE: &[&str] = &[
    "size", "sz", "us", "uk", "eu", "wmns", "womens", "gs", "(w)",
];

/// Words before which a bare number is a size (`11 VNDS`, `12 w/ box`).
const SIZE_AFTER: &[&str] = &["ds", "vnds", "nib", "new", "used", "w/", "with", "worn"];

/// A bare whole number in a size's place: after a size word or before a condition word.
fn is_size_in_place(word: &str, before: Option<&str>, after: Option<&str>) -> bool {
    word.parse::<u8>()
        .is_ok_and(|n| (1..=18).contains(&n) || (34..=50).contains(&n))
        && (before.is_some_and(|b| SIZE_BEFORE.contains(&b))
            || after.is_some_and(|a| SIZE_AFTER.contains(&a)))
}

impl Query {
    pub fn parse(text: &str) -> Query {
        let mut q = Query::default();
        let lower = text.to_lowercase();
        // Women's markers before punctuation goes: "(w)", "wmns"; "w/ box" is not one.
        let tokens: Vec<&str> = lower.split_whitespace().collect();
        let trim = |raw: &str| -> String {
            raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '/' && c != '-' && c != '.')
                .to_string()
        };
        let mut skip = false;
        for (i, raw) in tokens.iter().enumerate() {
            if std::mem::take(&mut skip) {
                continue;
            }
            let t = trim(raw);
            let t = t.as_str();
            // A style id written with a space ("315122 111").
            if let Some(next) = tokens.get(i + 1) {
                let joined = format!("{}-{}", t.to_ascii_uppercase(), trim(next));
                if looks_like_style_id(&joined) && trim(next).chars().all(|c| c.is_ascii_digit()) {
                    q.style_ids.push(joined);
                    skip = true;
                    continue;
                }
            }
            if raw.contains("(w)") || matches!(t, "wmns" | "womens" | "women") {
                q.size_run = Some(SizeRun::Women);
                continue;
            }
            match t {
                "gs" => {
                    q.size_run = Some(SizeRun::Grade);
                    continue;
                }
                "ps" => {
                    q.size_run = Some(SizeRun::Preschool);
                    continue;
                }
                "td" => {
                    q.size_run = Some(SizeRun::Toddler);
                    continue;
                }
                _ => {}
            }
            // A grade ("PSA 9", "BGS 9.5") is the copy's, not the card's.
            if i > 0
                && matches!(tokens[i - 1], "psa" | "bgs" | "cgc" | "sgc" | "grade")
                && t.parse::<f32>().is_ok()
            {
                continue;
            }
            if t.len() >= 2 && t.ends_with('y') && t[..t.len() - 1].parse::<f32>().is_ok() {
                q.size_run.get_or_insert(SizeRun::Grade);
                continue;
            }
            if t.chars().all(|c| c.is_ascii_digit()) && [8, 12, 13, 14].contains(&t.len()) {
                q.gtin = Some(t.to_string());
                continue;
            }
            let ids = style_ids(t);
            if !ids.is_empty() && ids.iter().all(|s| looks_like_style_id(s)) {
                q.style_ids.extend(ids);
                continue;
            }
            // A dash-less style id is kept as a word too: a model number ("990") may be
            // part of the name.
            if looks_like_bare_style_id(t) {
                q.style_ids.push(t.to_ascii_uppercase());
            }
            if t.contains('/') {
                let (n, total) = t.split_once('/').unwrap_or((t, ""));
                if let Some(number) = card_number(n) {
                    let total = card_number(total);
                    q.numbers.push((number, total));
                    continue;
                }
            }
            // "lob 001", "lob-001", "op05-119": a set code and a number.
            if let Some((code, number)) = t.split_once('-')
                && is_printed_number(code, number)
                && let Some(key) = set_number(code, number)
            {
                q.set_numbers.push(key);
                continue;
            }
            // Space-separated ("lob 001") only with a short code, and the number stays a
            // word too: "dunk 1" must still read as a name.
            let before = if i > 0 { tokens[i - 1] } else { "" };
            if t.chars().all(|c| c.is_ascii_digit())
                && (2..=4).contains(&before.len())
                && before.chars().all(|c| c.is_ascii_alphanumeric())
                && before.chars().any(|c| c.is_ascii_alphabetic())
                && is_printed_number(before, t)
                && let Some(key) = set_number(before, t)
            {
                q.set_numbers.push(key);
            }
            if is_size(t)
                || is_size_in_place(
                    t,
                    i.checked_sub(1).map(|b| tokens[b]),
                    tokens.get(i + 1).copied(),
                )
            {
                continue;
            }
            for word in t
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                if NOISE.contains(&word) {
                    continue;
                }
                if let Some(code) = LANGUAGES.iter().find(|(w, _)| *w == word) {
                    q.language = Some(code.1.to_string());
                    continue;
                }
                match spelled_out(word) {
                    Some(long) => q.words.extend(
                        long.split(' ')
                            .filter(|w| !NOISE.contains(w))
                            .map(str::to_string),
                    ),
                    None => q.words.push(word.to_string()),
                }
            }
        }
        q
    }
}

/// What an item says about the product it is (its style id, name, set, number and language),
/// as one text to resolve: the import's grid and the server build it the same way.
pub fn item_text(d: &super::item::ItemDraft) -> String {
    details_text(&d.name, &d.details)
}

/// The text an item's name and fields make for the resolver (`item_text` of a stored item).
pub fn details_text(name: &str, x: &super::item::ItemDetails) -> String {
    [
        x.style_id.as_deref(),
        Some(name),
        x.card_set.as_deref(),
        x.card_number.as_deref(),
        x.language.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_have_one_key_however_written() {
        assert_eq!(
            style_ids("315122-111/CW2288-111"),
            vec!["315122-111", "CW2288-111"]
        );
        assert_eq!(style_ids("cw2288 111"), vec!["CW2288-111"]);
        assert_eq!(card_number("006/165"), card_number("6/165"));
        assert_eq!(card_number("6"), Some("6".into()));
        assert_eq!(card_number("SV49/SV94"), Some("SV49".into()));
        assert_eq!(card_number("TG05"), Some("TG5".into()));
        assert_eq!(card_number("promo"), None);
        assert_eq!(set_number("lob", "001"), Some("LOB-1".into()));
        assert_eq!(set_number("LOB", "EN001"), Some("LOB-1".into()));
        assert_eq!(set_number("OP05", "119"), Some("OP05-119".into()));
        assert_eq!(set_number("LOB", "LOB-EN001"), Some("LOB-1".into()));
    }

    #[test]
    fn noise_never_identifies_and_nicknames_are_spelled_out() {
        let q = Query::parse("jordan 1 chicago lost n found 10.5 DS w/ box");
        assert_eq!(q.words, ["jordan", "1", "chicago", "lost", "found"]);
        assert_eq!(q.size_run, None, "w/ box is not women's");
        let q = Query::parse("AJ1 Chicago LNF sz 9.5");
        assert_eq!(q.words, ["air", "jordan", "1", "chicago", "lost", "found"]);
        let q = Query::parse("Dunk Low Panda (W) 8.5");
        assert_eq!(q.size_run, Some(SizeRun::Women));
        let q = Query::parse("jordan 4 bred reimagined 5y");
        assert_eq!(q.size_run, Some(SizeRun::Grade));
        assert_eq!(q.words, ["jordan", "4", "bred", "reimagined"]);
        let q = Query::parse("Charizard base 4/102 PSA 9");
        assert_eq!(q.words, ["charizard", "base"]);
        assert_eq!(q.numbers, vec![("4".to_string(), Some("102".to_string()))]);
        let q = Query::parse("CW2288-111");
        assert_eq!(q.style_ids, ["CW2288-111"]);
        assert!(q.words.is_empty());
        let q = Query::parse("op05-119 alt art");
        assert_eq!(q.set_numbers, ["OP05-119"]);
        assert_eq!(q.words, ["alternate", "art"]);
        let q = Query::parse("Blue-Eyes LOB 001");
        assert_eq!(q.set_numbers, ["LOB-1"]);
        let q = Query::parse("aj3 bred toe 11 VNDS");
        assert_eq!(q.words, ["air", "jordan", "3", "bred", "toe"]);
        let q = Query::parse("aj5 fire red am90 zard");
        assert_eq!(
            q.words,
            [
                "air",
                "jordan",
                "5",
                "fire",
                "red",
                "air",
                "max",
                "90",
                "charizard"
            ]
        );
        let q = Query::parse("jordan 5 sz 12");
        assert_eq!(q.words, ["jordan", "5"]);
        let q = Query::parse("dunk high shadow 2.0 gs 10.5");
        assert_eq!(q.words, ["dunk", "high", "shadow", "2", "0"]);
        let q = Query::parse("asics gel-1130 oreo");
        assert!(q.set_numbers.is_empty());
        assert_eq!(q.words, ["asics", "gel", "1130", "oreo"]);
        let q = Query::parse("adidas yeezy 350 v2 zebra cp9654 sz 10");
        assert_eq!(q.style_ids, ["CP9654"]);
        let q = Query::parse("New Balance M990GL6 grey 10.5");
        assert_eq!(q.style_ids, ["M990GL6"]);
        assert!(q.words.contains(&"m990gl6".to_string()), "{:?}", q.words);
        for not_a_shoe in ["swsh050", "pikachu", "4/102", "1130", "op05"] {
            assert!(!looks_like_bare_style_id(not_a_shoe), "{not_a_shoe}");
        }
        for shoe in ["B75806", "U9060BLK", "ML574EVG", "BB550WT1"] {
            assert!(looks_like_bare_style_id(shoe), "{shoe}");
        }
        let q = Query::parse("upc 195244891234");
        assert_eq!(q.gtin.as_deref(), Some("195244891234"));
        let q = Query::parse("Pikachu 151 japanese");
        assert_eq!(q.language.as_deref(), Some("ja"));
        assert_eq!(q.words, ["pikachu", "151"]);
        assert_eq!(language_code("JP"), Some("ja"));
        assert_eq!(language_code("de"), Some("de"));
        assert_eq!(language_code("Klingon"), None);
    }
}
