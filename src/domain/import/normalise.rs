//! Spreadsheet spellings → the values the item validators accept: prices with symbols and
//! either decimal mark, dates in ISO / US / EU order (ambiguous ones are flagged, never
//! guessed), sizes with their system, grades with their company, conditions, tags.

use crate::domain::{
    Currency, MoneyError,
    item::GradingCompany,
    money::{WrittenCurrency, read_amount},
};

/// A price cell: "€1.234,50", "$1,234.50", "1234.5", "USD 90" → ("1234.50", currency?).
/// Read by the app's one money reader; "$" alone counts as US dollars in a sheet.
pub fn price(cell: &str) -> Result<(String, Option<Currency>), String> {
    let written = read_amount(cell, None).map_err(|e| match e {
        MoneyError::Ambiguous(_) => format!("{}.", e),
        _ => format!("\"{}\" is not a price.", cell.trim()),
    })?;
    let currency = written.currency.map(|c| match c {
        WrittenCurrency::Dollar => Currency::Usd,
        WrittenCurrency::Code(code) => code,
    });
    Ok((written.decimal, currency))
}

/// Order of day and month in slash dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Decide from the file (a day over 12 anywhere settles it); ambiguous dates are flagged.
    #[default]
    Auto,
    DayFirst,
    MonthFirst,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateCell {
    Empty,
    Iso(String),
    /// "03/04/2026": (day first, month first).
    Ambiguous(String, String),
    Invalid(String),
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn iso(y: u32, m: u32, d: u32) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn year(s: &str) -> Option<u32> {
    let y: u32 = s.parse().ok()?;
    match s.len() {
        2 => Some(2000 + y),
        4 => Some(y),
        _ => None,
    }
}

/// A date cell in any common spelling, resolved with `order` when the file settled it.
pub fn date(cell: &str, order: DateOrder) -> DateCell {
    let raw = cell.trim();
    if raw.is_empty() {
        return DateCell::Empty;
    }
    // Times after the date ("2026-03-04 14:22", "2026-03-04T14:22:00Z") are dropped.
    let day_part = raw.split(['T', ' ']).next().unwrap_or(raw);
    let parts: Vec<&str> = day_part.split(['-', '/', '.']).collect();
    let invalid = || DateCell::Invalid(raw.to_string());
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
        if parts[0].len() == 4 {
            return DateCell::Iso(iso(n[0], n[1], n[2]));
        }
        let Some(y) = year(parts[2]) else {
            return invalid();
        };
        // Dotted dates are European ("04.03.2026").
        let dotted = day_part.contains('.');
        let (a, b) = (n[0], n[1]);
        return match order {
            _ if dotted => DateCell::Iso(iso(y, b, a)),
            DateOrder::DayFirst => DateCell::Iso(iso(y, b, a)),
            DateOrder::MonthFirst => DateCell::Iso(iso(y, a, b)),
            DateOrder::Auto if a > 12 => DateCell::Iso(iso(y, b, a)),
            DateOrder::Auto if b > 12 || a == b => DateCell::Iso(iso(y, a, b)),
            DateOrder::Auto => DateCell::Ambiguous(iso(y, b, a), iso(y, a, b)),
        };
    }
    // "Mar 4, 2026", "4 March 2026", "04-Mar-2026".
    let words: Vec<String> = raw
        .split([' ', ',', '-', '/'])
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches('.').to_lowercase())
        .collect();
    if words.len() == 3 {
        let month = words
            .iter()
            .position(|w| w.len() >= 3 && MONTHS.iter().any(|m| w.starts_with(m)));
        if let Some(mi) = month {
            let m = MONTHS
                .iter()
                .position(|x| words[mi].starts_with(x))
                .unwrap_or(0) as u32
                + 1;
            let others: Vec<&String> = words
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != mi)
                .map(|(_, w)| w)
                .collect();
            let day = others[0]
                .trim_end_matches(|c: char| c.is_alphabetic())
                .parse::<u32>()
                .ok();
            if let (Some(d), Some(y)) = (day, year(others[1])) {
                return DateCell::Iso(iso(y, m, d));
            }
        }
    }
    invalid()
}

/// The order a whole column uses, when one of its slash dates settles it.
pub fn detect_date_order<'a>(cells: impl Iterator<Item = &'a str>) -> Option<DateOrder> {
    for cell in cells {
        let day_part = cell.trim().split(['T', ' ']).next().unwrap_or("");
        if day_part.contains('.') {
            continue;
        }
        let parts: Vec<u32> = day_part
            .split(['/', '-'])
            .filter_map(|p| p.parse().ok())
            .collect();
        if parts.len() == 3
            && day_part
                .split(['/', '-'])
                .next()
                .is_some_and(|p| p.len() <= 2)
        {
            if parts[0] > 12 && parts[1] <= 12 {
                return Some(DateOrder::DayFirst);
            }
            if parts[1] > 12 && parts[0] <= 12 {
                return Some(DateOrder::MonthFirst);
            }
        }
    }
    None
}

/// "US 10.5" → ("10.5", "us_m"); "10.5W" → us_w; "5.5Y"/"GS 5" → us_gs; "EU 44 2/3"; "UK 9".
pub fn size(cell: &str) -> (String, Option<&'static str>) {
    let raw = cell.trim();
    let upper = raw.to_ascii_uppercase();
    let prefixes: [(&str, &str); 6] = [
        ("US M", "us_m"),
        ("US W", "us_w"),
        ("US GS", "us_gs"),
        ("GS", "us_gs"),
        ("EU", "eu"),
        ("UK", "uk"),
    ];
    for (prefix, system) in prefixes {
        if let Some(rest) = upper.strip_prefix(prefix) {
            return (rest.trim().to_string(), Some(system));
        }
    }
    let (number, system) = if let Some(rest) = upper.strip_prefix("US") {
        (rest.trim(), None)
    } else {
        (upper.as_str(), None)
    };
    let suffixes: [(&str, &str); 5] = [
        ("GS", "us_gs"),
        ("Y", "us_gs"),
        ("W", "us_w"),
        ("M", "us_m"),
        ("C", "us_gs"),
    ];
    for (suffix, sys) in suffixes {
        if let Some(n) = number.strip_suffix(suffix) {
            return (n.trim().to_string(), Some(sys));
        }
    }
    let us = upper.starts_with("US");
    (number.to_string(), system.or(us.then_some("us_m")))
}

/// "PSA 10" → (PSA, "10"); "BGS 9.5"; "9" → (None, "9").
pub fn grade(cell: &str) -> (Option<GradingCompany>, String) {
    let raw = cell.trim();
    for company in GradingCompany::ALL {
        let code = company.as_str();
        if raw.len() > code.len() && raw[..code.len()].eq_ignore_ascii_case(code) {
            let rest = raw[code.len()..].trim_start_matches([' ', '-', ':']).trim();
            return (Some(*company), rest.replace(',', "."));
        }
    }
    (None, raw.replace(',', "."))
}

/// A cell as a lookup key: lower-case letters and digits only ("In-Stock" → "instock").
fn letters_and_digits(cell: &str) -> String {
    cell.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Card condition spellings → the codes the validator knows (NM, LP, MP, HP, DMG).
pub fn card_condition(cell: &str) -> String {
    let key = letters_and_digits(cell);
    let code = match key.as_str() {
        "nm" | "nearmint" | "mint" | "m" | "nmm" | "nmmint" => "NM",
        "lp" | "lightlyplayed" | "ex" | "excellent" | "sp" | "slightlyplayed" => "LP",
        "mp" | "moderatelyplayed" | "played" | "gd" | "good" => "MP",
        "hp" | "heavilyplayed" | "poor" => "HP",
        "dmg" | "damaged" => "DMG",
        _ => return cell.trim().to_string(),
    };
    code.to_string()
}

/// Sneaker condition spellings → new / new_defects / used.
pub fn sneaker_condition(cell: &str) -> String {
    let key = letters_and_digits(cell);
    let code = match key.as_str() {
        "new" | "ds" | "deadstock" | "bnib" | "brandnew" | "nib" => "new",
        "newdefects" | "newwithdefects" | "defect" | "b" | "bgrade" => "new_defects",
        "used" | "vnds" | "worn" | "preowned" | "padded" => "used",
        _ => return cell.trim().to_string(),
    };
    code.to_string()
}

/// Kind spellings → sneaker / card / sealed / other.
pub fn kind(cell: &str) -> String {
    let key = cell.trim().to_lowercase();
    let code = match key.as_str() {
        "sneaker" | "sneakers" | "shoe" | "shoes" | "footwear" | "kicks" => "sneaker",
        "card" | "cards" | "tcg" | "trading card" | "slab" | "single" | "singles"
        | "graded card" => "card",
        "sealed" | "sealed product" | "booster box" | "box" | "etb" | "booster" => "sealed",
        "other" | "apparel" | "accessory" | "collectible" => "other",
        _ => return cell.trim().to_string(),
    };
    code.to_string()
}

/// Channel spellings → the codes Flipdesk knows; anything else stays as typed (it is filed
/// under "other" with its name kept).
pub fn channel(cell: &str) -> String {
    let key = letters_and_digits(cell);
    let code = match key.as_str() {
        "stockx" => "stockx",
        "ebay" | "ebaycom" | "ebayde" | "ebaycouk" => "ebay",
        "cardmarket" | "mkm" | "magiccardmarket" => "cardmarket",
        "tcgplayer" | "tcgp" => "tcgplayer",
        "storefront" | "ownstorefront" | "flipdesk" | "website" | "ownstore" => "storefront",
        "inperson" | "local" | "cash" | "show" | "cardshow" | "meetup" => "in_person",
        "other" => "other",
        _ => return cell.trim().to_string(),
    };
    code.to_string()
}

/// Status spellings ("In stock", "in-stock", "Sold") → the status codes.
pub fn status(cell: &str) -> String {
    let key = letters_and_digits(cell);
    let code = match key.as_str() {
        "purchased" | "ordered" | "incoming" | "intransit" | "bought" => "purchased",
        "instock" | "stock" | "available" | "inventory" | "unsold" => "in_stock",
        "listed" => "listed",
        "reserved" => "reserved",
        "sold" => "sold",
        "shipped" | "delivered" => "shipped",
        "returned" => "returned",
        _ => return cell.trim().to_string(),
    };
    code.to_string()
}

/// A yes/no foil column (Cardmarket's `isFoil`) → "Foil" or nothing; other finishes as typed.
pub fn finish(cell: &str) -> String {
    match cell.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "x" => "Foil".into(),
        "0" | "false" | "no" | "n" | "-" => String::new(),
        _ => cell.trim().to_string(),
    }
}

/// "a; b | c" → "a, b, c" (tags are stored comma-separated).
pub fn tags(cell: &str) -> String {
    cell.split([';', '|', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_in_every_spelling() {
        let p = |s: &str| price(s).unwrap();
        assert_eq!(p("€1.234,50"), ("1234.50".into(), Some(Currency::Eur)));
        assert_eq!(p("$1,234.50"), ("1234.50".into(), Some(Currency::Usd)));
        assert_eq!(p("1234.5"), ("1234.5".into(), None));
        assert_eq!(p("1 234,50 €"), ("1234.50".into(), Some(Currency::Eur)));
        assert_eq!(p("1,234"), ("1234".into(), None));
        assert_eq!(p("12,5"), ("12.5".into(), None));
        assert_eq!(p("€1.234"), ("1234".into(), Some(Currency::Eur)));
        assert_eq!(p("USD 90"), ("90".into(), Some(Currency::Usd)));
        assert_eq!(p("90 eur"), ("90".into(), Some(Currency::Eur)));
        assert_eq!(
            p("£1,234,567.00"),
            ("1234567.00".into(), Some(Currency::Gbp))
        );
        assert_eq!(p("¥12,000"), ("12000".into(), Some(Currency::Jpy)));
        assert_eq!(p("(12.00)"), ("-12.00".into(), None));
        assert!(price("twelve bucks").is_err());
        assert!(price("").is_err());
        assert!(price("=HYPERLINK(\"x\")").is_err());
    }

    #[test]
    fn dates_in_every_order() {
        let a = DateOrder::Auto;
        assert_eq!(date("2026-03-04", a), DateCell::Iso("2026-03-04".into()));
        assert_eq!(
            date("2026/3/4 14:22", a),
            DateCell::Iso("2026-03-04".into())
        );
        assert_eq!(
            date("2026-03-04T10:00:00Z", a),
            DateCell::Iso("2026-03-04".into())
        );
        assert_eq!(date("04.03.2026", a), DateCell::Iso("2026-03-04".into()));
        assert_eq!(date("25/12/2025", a), DateCell::Iso("2025-12-25".into()));
        assert_eq!(date("12/25/25", a), DateCell::Iso("2025-12-25".into()));
        assert_eq!(
            date("03/04/2026", a),
            DateCell::Ambiguous("2026-04-03".into(), "2026-03-04".into())
        );
        assert_eq!(
            date("03/04/2026", DateOrder::MonthFirst),
            DateCell::Iso("2026-03-04".into())
        );
        assert_eq!(
            date("03/04/2026", DateOrder::DayFirst),
            DateCell::Iso("2026-04-03".into())
        );
        assert_eq!(date("Mar 4, 2026", a), DateCell::Iso("2026-03-04".into()));
        assert_eq!(date("4 March 2026", a), DateCell::Iso("2026-03-04".into()));
        assert_eq!(date("04-Mar-26", a), DateCell::Iso("2026-03-04".into()));
        assert_eq!(date("", a), DateCell::Empty);
        assert_eq!(date("soon", a), DateCell::Invalid("soon".into()));
        let column = ["03/04/2026", "", "13/04/2026"];
        assert_eq!(
            detect_date_order(column.into_iter()),
            Some(DateOrder::DayFirst)
        );
        assert_eq!(
            detect_date_order(["1/2/2026", "4/30/2026"].into_iter()),
            Some(DateOrder::MonthFirst)
        );
        assert_eq!(
            detect_date_order(["1/2/2026", "2026-01-30"].into_iter()),
            None
        );
    }

    #[test]
    fn sizes_with_their_system() {
        assert_eq!(size("US 10.5"), ("10.5".into(), Some("us_m")));
        assert_eq!(size("10.5M"), ("10.5".into(), Some("us_m")));
        assert_eq!(size("8W"), ("8".into(), Some("us_w")));
        assert_eq!(size("5.5Y"), ("5.5".into(), Some("us_gs")));
        assert_eq!(size("EU 44 2/3"), ("44 2/3".into(), Some("eu")));
        assert_eq!(size("uk 9"), ("9".into(), Some("uk")));
        assert_eq!(size("10"), ("10".into(), None));
    }

    #[test]
    fn grades_conditions_kinds_tags() {
        assert_eq!(grade("PSA 10"), (Some(GradingCompany::Psa), "10".into()));
        assert_eq!(grade("bgs 9,5"), (Some(GradingCompany::Bgs), "9.5".into()));
        assert_eq!(grade("CGC-9"), (Some(GradingCompany::Cgc), "9".into()));
        assert_eq!(grade("8.5"), (None, "8.5".into()));
        assert_eq!(card_condition("Near Mint"), "NM");
        assert_eq!(card_condition("nm"), "NM");
        assert_eq!(card_condition("Lightly Played"), "LP");
        assert_eq!(card_condition("Shiny"), "Shiny");
        assert_eq!(sneaker_condition("DS"), "new");
        assert_eq!(sneaker_condition("VNDS"), "used");
        assert_eq!(kind("Sneakers"), "sneaker");
        assert_eq!(kind("Booster Box"), "sealed");
        assert_eq!(tags("grail; hype | 2026"), "grail, hype, 2026");
    }
}
