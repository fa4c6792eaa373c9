//! Inventory items: kinds with their own fields, the lifecycle state machine, sizes, card
//! grades, style ids — and the validators the browser and the server both run.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{
    money::{Currency, Money},
    validation::FieldErrors,
};

pub const MAX_NAME_LEN: usize = 200;
pub const MAX_TEXT_LEN: usize = 2000;
pub const MAX_SHORT_LEN: usize = 100;
pub const MAX_TAGS: usize = 20;
pub const MAX_QUANTITY: i64 = 100_000;

string_enum!(
    /// What an item is; each kind has its own fields.
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    ItemKind {
        Sneaker => "sneaker" / "Sneaker",
        Card => "card" / "Card",
        Sealed => "sealed" / "Sealed product",
        Other => "other" / "Other",
    }
);

string_enum!(
    /// Where an item is in its life, from purchase to (maybe) return.
    ItemStatus {
        Purchased => "purchased" / "Purchased",
        InStock => "in_stock" / "In stock",
        Listed => "listed" / "Listed",
        Reserved => "reserved" / "Reserved",
        Sold => "sold" / "Sold",
        Shipped => "shipped" / "Shipped",
        Returned => "returned" / "Returned",
    }
);

impl ItemStatus {
    /// The allowed next states. Anything else is refused, e.g. sold → in stock needs a return.
    pub fn next(self) -> &'static [ItemStatus] {
        use ItemStatus::*;
        match self {
            Purchased => &[InStock],
            InStock => &[Listed, Sold],
            Listed => &[InStock, Reserved, Sold],
            Reserved => &[Listed, Sold],
            Sold => &[Shipped, Returned],
            Shipped => &[Returned],
            Returned => &[InStock],
        }
    }

    pub fn can_become(self, to: ItemStatus) -> bool {
        self.next().contains(&to)
    }

    pub fn check_transition(self, to: ItemStatus) -> Result<(), String> {
        if self == to || self.can_become(to) {
            Ok(())
        } else {
            let allowed: Vec<&str> = self.next().iter().map(|s| s.label()).collect();
            Err(format!(
                "An item that is {} cannot become {}; it can become: {}.",
                self.label().to_lowercase(),
                to.label().to_lowercase(),
                allowed.join(", ").to_lowercase()
            ))
        }
    }

    /// Still owned by the reseller (counts towards stock value).
    pub fn is_held(self) -> bool {
        matches!(
            self,
            ItemStatus::Purchased
                | ItemStatus::InStock
                | ItemStatus::Listed
                | ItemStatus::Reserved
                | ItemStatus::Returned
        )
    }
}

string_enum!(
    SizeSystem {
        UsM => "us_m" / "US M",
        UsW => "us_w" / "US W",
        UsGs => "us_gs" / "US GS",
        Eu => "eu" / "EU",
        Uk => "uk" / "UK",
    }
);

impl SizeSystem {
    fn range(self) -> (f64, f64) {
        match self {
            SizeSystem::UsM => (3.5, 18.0),
            SizeSystem::UsW => (4.0, 16.0),
            SizeSystem::UsGs => (3.5, 7.0),
            SizeSystem::Eu => (33.0, 53.0),
            SizeSystem::Uk => (2.5, 17.0),
        }
    }

    /// Normalises a size in this system ("10.5", "44 2/3") or says why it is not one.
    pub fn check_size(self, input: &str) -> Result<String, String> {
        let raw = input.trim().trim_end_matches(['Y', 'y']).trim();
        let bad = || format!("\"{}\" is not a {} size.", input.trim(), self.label());
        // EU sizes may come in thirds: "44 2/3", "44⅔".
        let raw = raw.replace('⅓', " 1/3").replace('⅔', " 2/3");
        let (whole, third) = match raw.split_once(' ') {
            Some((w, f)) if self == SizeSystem::Eu && (f.trim() == "1/3" || f.trim() == "2/3") => {
                (w.to_string(), Some(f.trim().to_string()))
            }
            Some(_) => return Err(bad()),
            None => (raw.clone(), None),
        };
        let value: f64 = whole.parse().map_err(|_| bad())?;
        if !value.is_finite() || (value * 2.0).fract() != 0.0 {
            return Err(bad());
        }
        if third.is_some() && value.fract() != 0.0 {
            return Err(bad());
        }
        let (min, max) = self.range();
        if value < min || value > max {
            return Err(format!("{} sizes run from {min} to {max}.", self.label()));
        }
        let base = if value.fract() == 0.0 {
            format!("{}", value as i64)
        } else {
            format!("{value}")
        };
        Ok(match third {
            Some(t) => format!("{base} {t}"),
            None => base,
        })
    }
}

string_enum!(
    SneakerCondition {
        New => "new" / "New",
        NewDefects => "new_defects" / "New with defects",
        Used => "used" / "Used",
    }
);

string_enum!(
    BoxCondition {
        Good => "good" / "Good box",
        Damaged => "damaged" / "Damaged box",
        Replacement => "replacement" / "Replacement box",
        NoBox => "no_box" / "No box",
    }
);

string_enum!(
    CardCondition {
        NearMint => "NM" / "Near mint",
        LightlyPlayed => "LP" / "Lightly played",
        ModeratelyPlayed => "MP" / "Moderately played",
        HeavilyPlayed => "HP" / "Heavily played",
        Damaged => "DMG" / "Damaged",
    }
);

string_enum!(
    GradingCompany {
        Psa => "PSA" / "PSA",
        Bgs => "BGS" / "BGS",
        Cgc => "CGC" / "CGC",
        Sgc => "SGC" / "SGC",
        Tag => "TAG" / "TAG",
    }
);

impl ItemDetails {
    /// What tells units of a product apart, as resellers say it: "US M 10.5" for a sneaker,
    /// "PSA 10" (or "Grade 9" without a grader) for a graded card, "Raw" for an ungraded one.
    pub fn size_or_grade(&self, kind: ItemKind) -> String {
        match kind {
            ItemKind::Sneaker => match (&self.size, self.size_system) {
                (Some(size), Some(system)) => format!("{} {size}", system.label()),
                (Some(size), None) => size.clone(),
                _ => String::new(),
            },
            ItemKind::Card => match (self.grading_company, &self.grade) {
                (Some(g), Some(grade)) => format!("{} {grade}", g.label()),
                (None, Some(grade)) => format!("Grade {grade}"),
                (Some(g), None) => g.label().to_string(),
                (None, None) => "Raw".into(),
            },
            _ => String::new(),
        }
    }
}

string_enum!(
    SaleChannel {
        Storefront => "storefront" / "Own storefront",
        StockX => "stockx" / "StockX",
        Ebay => "ebay" / "eBay",
        Cardmarket => "cardmarket" / "Cardmarket",
        Tcgplayer => "tcgplayer" / "TCGplayer",
        InPerson => "in_person" / "In person",
        Other => "other" / "Other",
    }
);

/// Style ids are upper-cased; compound ids keep each part: "315122-111/CW2288-111".
pub fn normalize_style_id(input: &str) -> Result<String, String> {
    let parts: Vec<String> = input
        .split('/')
        .map(|p| p.trim().to_ascii_uppercase().replace(' ', "-"))
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err("Enter the style id printed on the box label.".into());
    }
    for part in &parts {
        let ok = (3..=24).contains(&part.len())
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return Err(format!(
                "\"{part}\" is not a style id (letters, digits and dashes)."
            ));
        }
    }
    Ok(parts.join("/"))
}

/// Grades run 1–10 in half steps ("9.5"), as the grading companies use them.
pub fn check_grade(input: &str) -> Result<String, String> {
    let value: f64 = input
        .trim()
        .parse()
        .map_err(|_| format!("\"{}\" is not a grade (1 to 10).", input.trim()))?;
    if !(1.0..=10.0).contains(&value) || (value * 2.0).fract() != 0.0 {
        return Err("A grade runs from 1 to 10 in half steps.".into());
    }
    Ok(if value.fract() == 0.0 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    })
}

pub fn check_cert_number(input: &str) -> Result<String, String> {
    let cert = input.trim().to_ascii_uppercase();
    if !(5..=20).contains(&cert.len()) || !cert.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("A cert number has 5 to 20 letters and digits.".into());
    }
    Ok(cert)
}

/// Kind-specific fields of an item. Stored as JSON without the empty fields (most are empty
/// for any one kind), so a row stays small.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ItemDetails {
    // sneakers
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colorway: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_system: Option<SizeSystem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sneaker_condition: Option<SneakerCondition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub box_condition: Option<BoxCondition>,
    // cards
    #[serde(skip_serializing_if = "Option::is_none")]
    pub game: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_set: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finish: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_condition: Option<CardCondition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grading_company: Option<GradingCompany>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_number: Option<String>,
    // sealed / other: free attributes
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<(String, String)>,
}

/// What a reseller types into the add/edit form (all text, as typed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ItemInput {
    pub kind: String,
    pub name: String,
    pub sku: String,
    pub quantity: String,
    pub purchase_price: String,
    pub currency: String,
    pub purchase_date: String,
    pub purchase_source: String,
    pub storage_location: String,
    pub tags: String,
    pub notes: String,
    pub image_urls: String,
    pub brand: String,
    pub style_id: String,
    pub colorway: String,
    pub size: String,
    pub size_system: String,
    pub sneaker_condition: String,
    pub box_condition: String,
    pub game: String,
    pub card_set: String,
    pub card_number: String,
    pub language: String,
    pub finish: String,
    pub card_condition: String,
    pub grading_company: String,
    pub grade: String,
    pub cert_number: String,
    /// "key: value" per line.
    pub attributes: String,
    /// The catalog product this item is (picked in the form); empty: none. Market prices
    /// follow it.
    #[serde(default)]
    pub catalog_product_id: String,
}

/// A validated item, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDraft {
    pub kind: ItemKind,
    pub name: String,
    pub sku: Option<String>,
    pub quantity: i64,
    /// Per unit.
    pub purchase_price: Money,
    /// ISO date (YYYY-MM-DD).
    pub purchase_date: Option<String>,
    pub purchase_source: Option<String>,
    pub storage_location: Option<String>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub image_urls: Vec<String>,
    pub details: ItemDetails,
    #[serde(default)]
    pub catalog_product_id: Option<String>,
}

fn opt_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.chars().count() > max {
        errors.add(field, format!("At most {max} characters."));
        return None;
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.add(field, "Remove the control characters.");
        return None;
    }
    Some(value.to_string())
}

fn opt_enum<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Option<T> {
    if value.trim().is_empty() {
        return None;
    }
    let parsed = parse(value);
    if parsed.is_none() {
        errors.add(field, format!("Choose a {what} from the list."));
    }
    parsed
}

/// Checks a YYYY-MM-DD date (not in the far future).
pub fn check_date(input: &str) -> Result<String, String> {
    let s = input.trim();
    let parts: Vec<&str> = s.split('-').collect();
    let valid = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
    if !valid {
        return Err("Use a date like 2026-03-14.".into());
    }
    let (y, m, d): (i32, u32, u32) = (
        parts[0].parse().unwrap_or(0),
        parts[1].parse().unwrap_or(0),
        parts[2].parse().unwrap_or(0),
    );
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    };
    if !(1990..=2100).contains(&y) || d == 0 || d > days_in_month {
        return Err("That date does not exist.".into());
    }
    Ok(s.to_string())
}

/// Parses a non-negative amount in `currency`; `field` names the input for errors.
pub fn check_price(input: &str, currency: Currency) -> Result<Money, String> {
    let money = Money::parse(input, currency).map_err(|e| match e {
        super::MoneyError::NotAnAmount(_) => format!(
            "\"{}\" is not a price; use digits like 120.00.",
            input.trim()
        ),
        other => format!("{}.", super::validation::capitalise(&other.to_string())),
    })?;
    if money.amount < 0 {
        return Err("A price cannot be negative.".into());
    }
    Ok(money)
}

pub fn parse_tags(input: &str) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in input
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        if tag.chars().count() > 40 {
            return Err("A tag has at most 40 characters.".into());
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("At most {MAX_TAGS} tags."));
    }
    Ok(tags)
}

fn parse_image_urls(input: &str) -> Result<Vec<String>, String> {
    let urls: Vec<String> = input.split_whitespace().map(str::to_string).collect();
    for url in &urls {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 500 {
            return Err(format!("\"{url}\" is not an image link (https://…)."));
        }
    }
    if urls.len() > 12 {
        return Err("At most 12 images.".into());
    }
    Ok(urls)
}

fn parse_attributes(input: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for line in input.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| format!("Write \"{line}\" as name: value."))?;
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || k.len() > 40 || v.len() > 200 {
            return Err(format!("\"{line}\" is not a valid name: value pair."));
        }
        out.push((k.to_string(), v.to_string()));
    }
    if out.len() > 30 {
        return Err("At most 30 attributes.".into());
    }
    Ok(out)
}

/// Validates an add/edit form. Every problem is reported against its field.
pub fn validate_item(input: &ItemInput) -> Result<ItemDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let kind = ItemKind::parse(&input.kind);
    if kind.is_none() {
        e.add("kind", "Choose what kind of item this is.");
    }
    let name = input.name.trim();
    if name.is_empty() {
        e.add("name", "Give the item a name.");
    } else if name.chars().count() > MAX_NAME_LEN {
        e.add(
            "name",
            format!("A name has at most {MAX_NAME_LEN} characters."),
        );
    } else if name.chars().any(char::is_control) {
        e.add("name", "Remove the control characters from the name.");
    }
    let currency = if input.currency.trim().is_empty() {
        Some(Currency::Usd)
    } else {
        e.check(
            "currency",
            Currency::parse(&input.currency)
                .map_err(|err| format!("{}.", super::validation::capitalise(&err.to_string()))),
        )
    };
    let quantity = if input.quantity.trim().is_empty() {
        Some(1)
    } else {
        match input.quantity.trim().parse::<i64>() {
            Ok(q) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
            _ => {
                e.add(
                    "quantity",
                    format!("Quantity is a whole number from 1 to {MAX_QUANTITY}."),
                );
                None
            }
        }
    };
    let purchase_price = match currency {
        Some(c) if input.purchase_price.trim().is_empty() => Some(Money::zero(c)),
        Some(c) => e.check("purchase_price", check_price(&input.purchase_price, c)),
        None => None,
    };
    let purchase_date = if input.purchase_date.trim().is_empty() {
        None
    } else {
        e.check("purchase_date", check_date(&input.purchase_date))
    };
    let sku = opt_text(&mut e, "sku", &input.sku, 64);
    let purchase_source = opt_text(
        &mut e,
        "purchase_source",
        &input.purchase_source,
        MAX_SHORT_LEN,
    );
    let storage_location = opt_text(
        &mut e,
        "storage_location",
        &input.storage_location,
        MAX_SHORT_LEN,
    );
    let notes = opt_text(&mut e, "notes", &input.notes, MAX_TEXT_LEN);
    let tags = e.check("tags", parse_tags(&input.tags)).unwrap_or_default();
    let catalog_product_id = match input.catalog_product_id.trim() {
        "" => None,
        id if id.len() <= 64 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') => {
            Some(id.to_string())
        }
        _ => {
            e.add(
                "catalog_product_id",
                "That catalog product is not one Flipdesk knows: pick it again.",
            );
            None
        }
    };
    let image_urls = e
        .check("image_urls", parse_image_urls(&input.image_urls))
        .unwrap_or_default();

    let mut d = ItemDetails::default();
    match kind {
        Some(ItemKind::Sneaker) => {
            d.brand = opt_text(&mut e, "brand", &input.brand, MAX_SHORT_LEN);
            d.colorway = opt_text(&mut e, "colorway", &input.colorway, MAX_SHORT_LEN);
            if !input.style_id.trim().is_empty() {
                d.style_id = e.check("style_id", normalize_style_id(&input.style_id));
            }
            d.size_system = opt_enum(
                &mut e,
                "size_system",
                &input.size_system,
                SizeSystem::parse,
                "size system",
            );
            if !input.size.trim().is_empty() {
                match d.size_system {
                    Some(system) => d.size = e.check("size", system.check_size(&input.size)),
                    None if input.size_system.trim().is_empty() => {
                        e.add("size_system", "Choose the size system (US M, US W, EU…).")
                    }
                    None => {}
                }
            }
            d.sneaker_condition = opt_enum(
                &mut e,
                "sneaker_condition",
                &input.sneaker_condition,
                SneakerCondition::parse,
                "condition",
            );
            d.box_condition = opt_enum(
                &mut e,
                "box_condition",
                &input.box_condition,
                BoxCondition::parse,
                "box condition",
            );
        }
        Some(ItemKind::Card) => {
            d.game = opt_text(&mut e, "game", &input.game, MAX_SHORT_LEN);
            d.card_set = opt_text(&mut e, "card_set", &input.card_set, MAX_SHORT_LEN);
            d.card_number = opt_text(&mut e, "card_number", &input.card_number, 20);
            d.language = opt_text(&mut e, "language", &input.language, 40);
            d.finish = opt_text(&mut e, "finish", &input.finish, 60);
            d.card_condition = opt_enum(
                &mut e,
                "card_condition",
                &input.card_condition,
                CardCondition::parse,
                "condition",
            );
            d.grading_company = opt_enum(
                &mut e,
                "grading_company",
                &input.grading_company,
                GradingCompany::parse,
                "grading company",
            );
            let graded = d.grading_company.is_some();
            if !input.grade.trim().is_empty() {
                if graded {
                    d.grade = e.check("grade", check_grade(&input.grade));
                } else {
                    e.add(
                        "grade",
                        "A raw card has no grade; choose the grading company first.",
                    );
                }
            } else if graded {
                e.add("grade", "Enter the grade on the slab.");
            }
            if !input.cert_number.trim().is_empty() {
                if graded {
                    d.cert_number = e.check("cert_number", check_cert_number(&input.cert_number));
                } else {
                    e.add(
                        "cert_number",
                        "A raw card has no cert number; only graded slabs do.",
                    );
                }
            }
            if graded && d.card_condition.is_some() {
                e.add(
                    "card_condition",
                    "A graded card's condition is its grade; leave this empty.",
                );
            }
        }
        Some(ItemKind::Sealed) | Some(ItemKind::Other) => {
            d.attributes = e
                .check("attributes", parse_attributes(&input.attributes))
                .unwrap_or_default();
        }
        None => {}
    }
    if kind != Some(ItemKind::Sneaker) && !input.size.trim().is_empty() && kind.is_some() {
        e.add("size", "Only sneakers have a size.");
    }
    if kind != Some(ItemKind::Card) && kind.is_some() && !input.cert_number.trim().is_empty() {
        e.add("cert_number", "Only graded cards have a cert number.");
    }
    if kind == Some(ItemKind::Card) && quantity.is_some_and(|q| q > 1) && d.cert_number.is_some() {
        e.add("quantity", "A graded slab with a cert number is one item.");
    }

    match (kind, quantity, purchase_price) {
        (Some(kind), Some(quantity), Some(purchase_price)) if e.is_empty() => Ok(ItemDraft {
            kind,
            name: name.to_string(),
            sku,
            quantity,
            purchase_price,
            purchase_date,
            purchase_source,
            storage_location,
            tags,
            notes,
            image_urls,
            details: d,
            catalog_product_id,
        }),
        _ => Err(e),
    }
}

/// The numbers of one sale. Net profit is computed here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleFigures {
    pub sale_price: Money,
    pub shipping_charged: Money,
    pub fees: Money,
    pub shipping_paid: Money,
    /// Purchase cost of the units sold.
    pub purchase_cost: Money,
}

impl SaleFigures {
    /// Net profit = sale price + shipping charged − fees − shipping paid − purchase cost.
    pub fn net_profit(&self) -> Result<Money, super::MoneyError> {
        self.sale_price
            .checked_add(self.shipping_charged)?
            .checked_sub(self.fees)?
            .checked_sub(self.shipping_paid)?
            .checked_sub(self.purchase_cost)
    }
}

/// The "mark sold" form, as typed. `sale_price` is the price of one unit; fees and shipping
/// are for the whole sale. A blank quantity sells one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SaleInput {
    pub quantity: String,
    pub channel: String,
    pub sale_price: String,
    pub shipping_charged: String,
    pub fees: String,
    pub shipping_paid: String,
    pub sold_on: String,
}

/// A validated sale: amounts in the item's currency, purchase cost of the units sold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleDraft {
    pub quantity: i64,
    pub channel: SaleChannel,
    pub figures: SaleFigures,
    pub net_profit: Money,
    pub sold_on: String,
}

/// Validates a sale of up to `item_quantity` units bought at `unit_cost` each. The figures'
/// `sale_price` is the total: the unit price typed times the units sold.
pub fn validate_sale(
    input: &SaleInput,
    unit_cost: Money,
    item_quantity: i64,
) -> Result<SaleDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let currency = unit_cost.currency;
    let quantity = if input.quantity.trim().is_empty() {
        Some(1)
    } else {
        match input.quantity.trim().parse::<i64>() {
            Ok(q) if q >= 1 && q <= item_quantity => Some(q),
            _ => {
                e.add("quantity", format!("Sell from 1 to {item_quantity} units."));
                None
            }
        }
    };
    let channel = SaleChannel::parse(&input.channel);
    if channel.is_none() {
        e.add("channel", "Choose where it sold.");
    }
    let sale_price = if input.sale_price.trim().is_empty() {
        e.add("sale_price", "Enter the sale price.");
        None
    } else {
        e.check("sale_price", check_price(&input.sale_price, currency))
    };
    let mut optional = |field: &str, value: &str| {
        if value.trim().is_empty() {
            Some(Money::zero(currency))
        } else {
            e.check(field, check_price(value, currency))
        }
    };
    let shipping_charged = optional("shipping_charged", &input.shipping_charged);
    let fees = optional("fees", &input.fees);
    let shipping_paid = optional("shipping_paid", &input.shipping_paid);
    let sold_on = e.check("sold_on", check_date(&input.sold_on));
    let (
        Some(quantity),
        Some(channel),
        Some(sale_price),
        Some(shipping_charged),
        Some(fees),
        Some(shipping_paid),
        Some(sold_on),
    ) = (
        quantity,
        channel,
        sale_price,
        shipping_charged,
        fees,
        shipping_paid,
        sold_on,
    )
    else {
        return Err(e);
    };
    let times = |m: Money| {
        m.amount
            .checked_mul(quantity)
            .map(|a| Money::new(a, currency))
    };
    let (Some(purchase_cost), Some(sale_price)) = (times(unit_cost), times(sale_price)) else {
        return Err(FieldErrors::single(
            "quantity",
            "The amounts are too large.",
        ));
    };
    let figures = SaleFigures {
        sale_price,
        shipping_charged,
        fees,
        shipping_paid,
        purchase_cost,
    };
    let net_profit = figures
        .net_profit()
        .map_err(|_| FieldErrors::single("sale_price", "The amounts are too large."))?;
    if !e.is_empty() {
        return Err(e);
    }
    Ok(SaleDraft {
        quantity,
        channel,
        figures,
        net_profit,
        sold_on,
    })
}

/// The "add tracking" form, as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ShipmentInput {
    pub carrier: String,
    pub tracking_code: String,
    pub shipped_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentDraft {
    pub carrier: String,
    pub tracking_code: String,
    pub shipped_on: String,
}

pub fn validate_shipment(input: &ShipmentInput) -> Result<ShipmentDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let carrier = input.carrier.trim();
    if carrier.is_empty() {
        e.add("carrier", "Enter the carrier (UPS, USPS, DHL…).");
    } else if carrier.chars().count() > 40 {
        e.add("carrier", "At most 40 characters.");
    }
    let tracking = input
        .tracking_code
        .trim()
        .to_ascii_uppercase()
        .replace(' ', "");
    if tracking.len() < 6
        || tracking.len() > 40
        || !tracking
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        e.add(
            "tracking_code",
            "A tracking code has 6 to 40 letters and digits.",
        );
    }
    let shipped_on = e.check("shipped_on", check_date(&input.shipped_on));
    match shipped_on {
        Some(shipped_on) if e.is_empty() => Ok(ShipmentDraft {
            carrier: carrier.to_string(),
            tracking_code: tracking,
            shipped_on,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sneaker() -> ItemInput {
        ItemInput {
            kind: "sneaker".into(),
            name: "Jordan 1 Retro High OG Chicago".into(),
            quantity: "1".into(),
            purchase_price: "180".into(),
            currency: "USD".into(),
            style_id: " 555088-101 ".into(),
            size: "10.5".into(),
            size_system: "us_m".into(),
            ..Default::default()
        }
    }

    #[test]
    fn state_machine_allows_only_listed_transitions() {
        use ItemStatus::*;
        assert!(Purchased.can_become(InStock));
        assert!(InStock.can_become(Listed));
        assert!(Listed.can_become(Reserved));
        assert!(Reserved.can_become(Sold));
        assert!(Sold.can_become(Shipped));
        assert!(Shipped.can_become(Returned));
        assert!(Returned.can_become(InStock));
        assert!(!Sold.can_become(InStock), "sold → in stock needs a return");
        assert!(!Shipped.can_become(Listed));
        assert!(!Purchased.can_become(Sold));
        let err = Sold.check_transition(InStock).unwrap_err();
        assert!(err.contains("shipped, returned"), "{err}");
        assert!(Sold.check_transition(Sold).is_ok());
        for s in ItemStatus::ALL {
            assert_eq!(ItemStatus::parse(s.as_str()), Some(*s));
        }
    }

    #[test]
    fn net_profit_formula() {
        let usd = |a| Money::new(a, Currency::Usd);
        let f = SaleFigures {
            sale_price: usd(30000),
            shipping_charged: usd(1500),
            fees: usd(2850),
            shipping_paid: usd(1200),
            purchase_cost: usd(18000),
        };
        assert_eq!(f.net_profit().unwrap(), usd(9450));
        let mixed = SaleFigures {
            fees: Money::new(100, Currency::Eur),
            ..f
        };
        assert!(mixed.net_profit().is_err(), "currencies are never mixed");
    }

    #[test]
    fn sizes_follow_their_system() {
        assert_eq!(SizeSystem::UsM.check_size("10.5").unwrap(), "10.5");
        assert_eq!(SizeSystem::UsM.check_size("10").unwrap(), "10");
        assert_eq!(SizeSystem::UsGs.check_size("5.5Y").unwrap(), "5.5");
        assert_eq!(SizeSystem::Eu.check_size("44 2/3").unwrap(), "44 2/3");
        assert_eq!(SizeSystem::Eu.check_size("44⅔").unwrap(), "44 2/3");
        assert!(SizeSystem::UsM.check_size("10.25").is_err());
        assert!(SizeSystem::UsM.check_size("25").is_err());
        assert!(SizeSystem::UsGs.check_size("9").is_err());
        assert!(SizeSystem::UsM.check_size("44 2/3").is_err());
        assert!(SizeSystem::Eu.check_size("huge").is_err());
    }

    #[test]
    fn style_ids_are_normalised() {
        assert_eq!(
            normalize_style_id("315122-111 / cw2288-111").unwrap(),
            "315122-111/CW2288-111"
        );
        assert_eq!(normalize_style_id("dz5485 612").unwrap(), "DZ5485-612");
        assert!(normalize_style_id("<script>").is_err());
        assert!(normalize_style_id("  ").is_err());
    }

    #[test]
    fn a_valid_sneaker() {
        let draft = validate_item(&sneaker()).unwrap();
        assert_eq!(draft.kind, ItemKind::Sneaker);
        assert_eq!(draft.purchase_price, Money::new(18000, Currency::Usd));
        assert_eq!(draft.details.style_id.as_deref(), Some("555088-101"));
        assert_eq!(draft.details.size.as_deref(), Some("10.5"));
    }

    #[test]
    fn bad_input_is_reported_per_field() {
        let mut input = sneaker();
        input.purchase_price = "-5".into();
        input.size = "30".into();
        input.quantity = "zero".into();
        input.purchase_date = "2026-02-30".into();
        let errors = validate_item(&input).unwrap_err();
        for f in ["purchase_price", "size", "quantity", "purchase_date"] {
            assert!(errors.get(f).is_some(), "missing {f}: {errors:?}");
        }
        let mut input = sneaker();
        input.purchase_price = "abc".into();
        assert!(
            validate_item(&input)
                .unwrap_err()
                .get("purchase_price")
                .unwrap()
                .contains("not a price")
        );
    }

    #[test]
    fn raw_cards_have_no_cert_number_or_grade() {
        let raw = ItemInput {
            kind: "card".into(),
            name: "Charizard".into(),
            cert_number: "12345678".into(),
            grade: "9".into(),
            ..Default::default()
        };
        let errors = validate_item(&raw).unwrap_err();
        assert!(errors.get("cert_number").is_some());
        assert!(errors.get("grade").is_some());
        let slab = ItemInput {
            kind: "card".into(),
            name: "Charizard".into(),
            grading_company: "PSA".into(),
            cert_number: "12345678".into(),
            grade: "9.5".into(),
            ..Default::default()
        };
        let draft = validate_item(&slab).unwrap();
        assert_eq!(draft.details.grade.as_deref(), Some("9.5"));
        let bad_grade = ItemInput {
            grade: "11".into(),
            ..slab
        };
        assert!(
            validate_item(&bad_grade)
                .unwrap_err()
                .get("grade")
                .is_some()
        );
    }

    #[test]
    fn names_keep_html_as_text_and_refuse_control_characters() {
        let mut input = sneaker();
        input.name = "<script>alert(1)</script> Dunk".into();
        assert_eq!(
            validate_item(&input).unwrap().name,
            "<script>alert(1)</script> Dunk"
        );
        input.name = "bad\u{0007}name".into();
        assert!(validate_item(&input).unwrap_err().get("name").is_some());
        input.name = "x".repeat(201);
        assert!(validate_item(&input).unwrap_err().get("name").is_some());
    }

    #[test]
    fn zero_decimal_currency_prices() {
        let mut input = sneaker();
        input.currency = "JPY".into();
        input.purchase_price = "25000".into();
        assert_eq!(
            validate_item(&input).unwrap().purchase_price,
            Money::new(25000, Currency::Jpy)
        );
        input.purchase_price = "250.5".into();
        assert!(validate_item(&input).is_err());
    }

    #[test]
    fn a_multi_unit_sale_is_priced_per_unit() {
        let input = SaleInput {
            quantity: "3".into(),
            channel: "ebay".into(),
            sale_price: "100".into(),
            fees: "30".into(),
            shipping_charged: "0".into(),
            shipping_paid: "15".into(),
            sold_on: "2026-11-20".into(),
        };
        let sale = validate_sale(&input, Money::new(6000, Currency::Usd), 5).unwrap();
        assert_eq!(sale.quantity, 3);
        assert_eq!(sale.figures.sale_price, Money::new(30000, Currency::Usd));
        assert_eq!(sale.figures.purchase_cost, Money::new(18000, Currency::Usd));
        // 3 × 100 − 30 fees − 15 shipping − 3 × 60 cost
        assert_eq!(sale.net_profit, Money::new(7500, Currency::Usd));
        let one = SaleInput {
            quantity: String::new(),
            ..input.clone()
        };
        let sale = validate_sale(&one, Money::new(6000, Currency::Usd), 5).unwrap();
        assert_eq!(sale.quantity, 1, "units sold defaults to one, not all");
        assert_eq!(sale.net_profit, Money::new(-500, Currency::Usd));
        let too_many = SaleInput {
            quantity: "6".into(),
            ..input
        };
        assert!(validate_sale(&too_many, Money::new(6000, Currency::Usd), 5).is_err());
    }

    #[test]
    fn sales_compute_profit_and_check_their_fields() {
        let input = SaleInput {
            channel: "ebay".into(),
            sale_price: "300".into(),
            shipping_charged: "15".into(),
            fees: "28.50".into(),
            shipping_paid: "12".into(),
            sold_on: "2026-11-20".into(),
            ..Default::default()
        };
        let sale = validate_sale(&input, Money::new(18000, Currency::Usd), 1).unwrap();
        assert_eq!(sale.net_profit, Money::new(9450, Currency::Usd));
        assert_eq!(sale.quantity, 1);
        let bad = SaleInput {
            quantity: "3".into(),
            sale_price: "-1".into(),
            channel: "moon".into(),
            sold_on: "yesterday".into(),
            ..Default::default()
        };
        let errors = validate_sale(&bad, Money::new(100, Currency::Usd), 2).unwrap_err();
        for f in ["quantity", "sale_price", "channel", "sold_on"] {
            assert!(errors.get(f).is_some(), "missing {f}");
        }
        let partial = SaleInput {
            quantity: "2".into(),
            ..input
        };
        assert_eq!(
            validate_sale(&partial, Money::new(1000, Currency::Usd), 5)
                .unwrap()
                .figures
                .purchase_cost
                .amount,
            2000
        );
    }

    #[test]
    fn shipments_need_a_carrier_and_a_tracking_code() {
        let ok = validate_shipment(&ShipmentInput {
            carrier: "UPS".into(),
            tracking_code: "1z 999 aa1".into(),
            shipped_on: "2026-11-21".into(),
        })
        .unwrap();
        assert_eq!(ok.tracking_code, "1Z999AA1");
        let errors = validate_shipment(&ShipmentInput::default()).unwrap_err();
        assert!(
            errors.get("carrier").is_some()
                && errors.get("tracking_code").is_some()
                && errors.get("shipped_on").is_some()
        );
    }

    #[test]
    fn tags_are_deduplicated_and_lowercased() {
        assert_eq!(
            parse_tags("Grail, grail , OG").unwrap(),
            vec!["grail", "og"]
        );
    }
}
