//! Want-To-Buy lists and their items: the validators the dashboard form, the bot API and the
//! server share, and the rule that says whether a listed item is what a list wants.

use serde::{Deserialize, Serialize};

use super::{
    account::check_slug_of,
    item::{
        CardCondition, GradingCompany, SizeSystem, SneakerCondition, check_grade,
        normalize_style_id,
    },
    money::{Currency, Money},
    validation::FieldErrors,
};

pub const MAX_LIST_NAME_LEN: usize = 80;
pub const MAX_LIST_DESCRIPTION_LEN: usize = 500;
pub const MAX_WTB_NAME_LEN: usize = 200;
pub const MAX_WTB_NOTES_LEN: usize = 1000;
pub const MAX_WTB_QUANTITY: i64 = 1000;

/// A list's settings as the dashboard form sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WtbListInput {
    pub name: String,
    /// Empty: made from the name.
    pub slug: String,
    pub description: String,
    pub is_public: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WtbListDraft {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub is_public: bool,
}

fn clean_text(value: &str, max: usize, allow_newlines: bool) -> Result<String, String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(format!("At most {max} characters."));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\t')))
    {
        return Err("Remove the control characters.".into());
    }
    Ok(value.to_string())
}

pub fn validate_wtb_list(input: &WtbListInput) -> Result<WtbListDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", clean_text(&input.name, MAX_LIST_NAME_LEN, false));
    if name.as_deref() == Some("") {
        errors.add("name", "Give the list a name.");
    }
    let slug_text = if input.slug.trim().is_empty() {
        super::account::slug_from_name(&input.name)
    } else {
        input.slug.clone()
    };
    let slug = errors.check("slug", check_slug_of("list", &slug_text));
    let description = errors.check(
        "description",
        clean_text(&input.description, MAX_LIST_DESCRIPTION_LEN, true),
    );
    match (name, slug, description) {
        (Some(name), Some(slug), Some(description)) if errors.is_empty() => Ok(WtbListDraft {
            name,
            slug,
            description,
            is_public: input.is_public,
        }),
        _ => Err(errors),
    }
}

/// One wanted item as typed in the dashboard (all text). The bot API builds the same from
/// its JSON, so both are checked by one function.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WtbItemInput {
    pub name: String,
    pub product_id: String,
    pub style_id: String,
    pub size: String,
    pub condition: String,
    pub grade: String,
    /// Empty: 1.
    pub quantity: String,
    /// Decimal, in `currency`; empty: any price.
    pub max_price: String,
    pub currency: String,
    pub notes: String,
}

/// A validated wanted item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WtbItemDraft {
    pub name: String,
    pub product_id: Option<String>,
    pub style_id: Option<String>,
    pub size: Option<String>,
    pub condition: Option<String>,
    pub grade: Option<String>,
    pub quantity: i64,
    pub max_price: Option<Money>,
    pub currency: Currency,
    pub notes: String,
}

/// A wanted item as stored and shown (the API's item shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WtbItem {
    pub id: String,
    pub name: String,
    pub product_id: Option<String>,
    pub style_id: Option<String>,
    pub size: Option<String>,
    pub condition: Option<String>,
    pub grade: Option<String>,
    pub quantity: i64,
    pub max_price: Option<Money>,
    pub notes: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip)]
    pub version: i64,
}

impl WtbItem {
    /// The input that reproduces this item (edits start from it).
    pub fn to_input(&self, currency: Currency) -> WtbItemInput {
        WtbItemInput {
            name: self.name.clone(),
            product_id: self.product_id.clone().unwrap_or_default(),
            style_id: self.style_id.clone().unwrap_or_default(),
            size: self.size.clone().unwrap_or_default(),
            condition: self.condition.clone().unwrap_or_default(),
            grade: self.grade.clone().unwrap_or_default(),
            quantity: self.quantity.to_string(),
            max_price: self
                .max_price
                .map(|m| m.to_decimal_string())
                .unwrap_or_default(),
            currency: self
                .max_price
                .map(|m| m.currency)
                .unwrap_or(currency)
                .code()
                .to_string(),
            notes: self.notes.clone(),
        }
    }

    /// What a person reads for the wanted variant: "US 10.5 · New", "PSA 10".
    pub fn variant_label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(size) = &self.size {
            parts.push(if size.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                format!("Size {size}")
            } else {
                size.clone()
            });
        }
        if let Some(c) = &self.condition {
            parts.push(condition_label(c).to_string());
        }
        if let Some(g) = &self.grade {
            parts.push(if g.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                format!("Grade {g}")
            } else {
                g.clone()
            });
        }
        parts.join(" · ")
    }
}

/// Product ids from a catalog: letters, digits and `-_.:`, up to 64 characters.
pub fn check_product_id(input: &str) -> Result<String, String> {
    let id = input.trim();
    if id.is_empty() || id.len() > 64 {
        return Err("A product id has 1 to 64 characters.".into());
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
    {
        return Err("A product id has only letters, digits and - _ . :".into());
    }
    Ok(id.to_string())
}

/// Sizes: a shoe size ("10.5", "US 10.5", "44 2/3") is normalised like the inventory's; any
/// other size ("OS", "XL") is kept upper-case.
pub fn check_wtb_size(input: &str) -> Result<String, String> {
    let raw = input.trim();
    if raw.is_empty() || raw.chars().count() > 20 {
        return Err("A size has 1 to 20 characters.".into());
    }
    if raw.chars().any(|c| c.is_control()) {
        return Err("Remove the control characters.".into());
    }
    let upper = raw.to_ascii_uppercase();
    let number = ["US M ", "US W ", "US ", "EU ", "UK ", "M ", "W "]
        .iter()
        .find_map(|p| upper.strip_prefix(p))
        .unwrap_or(&upper)
        .trim();
    if number.starts_with(|c: char| c.is_ascii_digit()) {
        return SizeSystem::Eu
            .check_size(number)
            .or_else(|_| SizeSystem::UsM.check_size(number))
            .or_else(|_| SizeSystem::UsGs.check_size(number))
            .map_err(|_| format!("\"{raw}\" is not a shoe size."));
    }
    Ok(upper)
}

/// Conditions: a sneaker condition (`new`, `used`…) or a card condition (`NM`, `LP`…).
pub fn check_condition(input: &str) -> Result<String, String> {
    SneakerCondition::parse(input)
        .map(|c| c.as_str().to_string())
        .or_else(|| CardCondition::parse(input).map(|c| c.as_str().to_string()))
        .ok_or_else(|| {
            format!(
                "\"{}\" is not a condition (new, new_defects, used, NM, LP, MP, HP, DMG).",
                input.trim()
            )
        })
}

pub fn condition_label(stored: &str) -> &str {
    SneakerCondition::parse(stored)
        .map(|c| c.label())
        .or_else(|| CardCondition::parse(stored).map(|c| c.label()))
        .unwrap_or(stored)
}

/// Grades: "10", "9.5", or with the grading company: "PSA 10", "BGS 9.5".
pub fn check_wtb_grade(input: &str) -> Result<String, String> {
    let raw = input.trim();
    let (company, number) = match raw.split_once(char::is_whitespace) {
        Some((c, n)) => match GradingCompany::parse(c) {
            Some(c) => (Some(c), n.trim()),
            None => {
                return Err(format!(
                    "\"{c}\" is not a grading company (PSA, BGS, CGC, SGC, TAG)."
                ));
            }
        },
        None => (None, raw),
    };
    let grade = check_grade(number)?;
    Ok(match company {
        Some(c) => format!("{} {grade}", c.as_str()),
        None => grade,
    })
}

fn optional<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    check: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    if value.trim().is_empty() {
        None
    } else {
        errors.check(field, check(value))
    }
}

/// Checks a wanted item; `default_currency` applies when the input names none.
pub fn validate_wtb_item(
    input: &WtbItemInput,
    default_currency: Currency,
) -> Result<WtbItemDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", clean_text(&input.name, MAX_WTB_NAME_LEN, false));
    if name.as_deref() == Some("") {
        errors.add("name", "Say what you want to buy.");
    }
    let product_id = optional(
        &mut errors,
        "product_id",
        &input.product_id,
        check_product_id,
    );
    let style_id = optional(&mut errors, "style_id", &input.style_id, normalize_style_id);
    let size = optional(&mut errors, "size", &input.size, check_wtb_size);
    let condition = optional(&mut errors, "condition", &input.condition, check_condition);
    let grade = optional(&mut errors, "grade", &input.grade, check_wtb_grade);
    let quantity = if input.quantity.trim().is_empty() {
        Some(1)
    } else {
        errors.check(
            "quantity",
            input
                .quantity
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|q| (1..=MAX_WTB_QUANTITY).contains(q))
                .ok_or_else(|| format!("Want 1 to {MAX_WTB_QUANTITY} units.")),
        )
    };
    let currency = if input.currency.trim().is_empty() {
        Some(default_currency)
    } else {
        errors.check(
            "currency",
            Currency::parse(&input.currency).map_err(|_| {
                format!(
                    "\"{}\" is not a currency Flipdesk supports.",
                    input.currency.trim()
                )
            }),
        )
    };
    let max_price = match currency {
        Some(currency) if !input.max_price.trim().is_empty() => errors.check(
            "max_price",
            Money::parse(&input.max_price, currency)
                .map_err(|e| format!("Enter the most you would pay: {e}."))
                .and_then(|m| {
                    if m.amount > 0 {
                        Ok(Some(m))
                    } else {
                        Err("The most you would pay is more than zero.".into())
                    }
                }),
        ),
        _ => Some(None),
    };
    let notes = errors.check("notes", clean_text(&input.notes, MAX_WTB_NOTES_LEN, true));
    match (name, quantity, currency, max_price, notes) {
        (Some(name), Some(quantity), Some(currency), Some(max_price), Some(notes))
            if errors.is_empty() =>
        {
            Ok(WtbItemDraft {
                name,
                product_id,
                style_id,
                size,
                condition,
                grade,
                quantity,
                max_price,
                currency,
                notes,
            })
        }
        _ => Err(errors),
    }
}

/// A size run typed as "9, 9.5, 10" (or "9-10" in half sizes): one wanted item per size, each
/// checked like a single item. A single size (or none) gives the one item.
pub fn expand_size_run(
    input: &WtbItemInput,
    default_currency: Currency,
) -> Result<Vec<WtbItemDraft>, FieldErrors> {
    let sizes = size_run(&input.size).map_err(|m| FieldErrors::single("size", m))?;
    if sizes.len() <= 1 {
        return validate_wtb_item(input, default_currency).map(|d| vec![d]);
    }
    sizes
        .into_iter()
        .map(|size| {
            validate_wtb_item(
                &WtbItemInput {
                    size,
                    ..input.clone()
                },
                default_currency,
            )
        })
        .collect()
}

/// "9, 9.5, 10" → three sizes; "8-10" → 8 to 10 in half sizes; anything else is one size.
fn size_run(input: &str) -> Result<Vec<String>, String> {
    let text = input.trim();
    if text.contains(',') {
        let sizes: Vec<String> = text
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if sizes.len() > 30 {
            return Err("At most 30 sizes at once.".into());
        }
        return Ok(sizes);
    }
    if let Some((from, to)) = text.split_once('-')
        && let (Ok(from), Ok(to)) = (from.trim().parse::<f64>(), to.trim().parse::<f64>())
    {
        if from >= to
            || (to - from) > 15.0
            || (from * 2.0).fract() != 0.0
            || (to * 2.0).fract() != 0.0
        {
            return Err("A size run goes up in half sizes, like 8-11.".into());
        }
        let mut sizes = Vec::new();
        let mut s = from;
        while s <= to {
            sizes.push(format!("{s}"));
            s += 0.5;
        }
        return Ok(sizes);
    }
    Ok(vec![text.to_string()])
}

/// What a storefront listing offers, in the terms a wanted item is matched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub catalog_product_id: Option<String>,
    pub style_id: Option<String>,
    pub size: Option<String>,
    /// Stored form: `new`, `NM`…
    pub condition: Option<String>,
    /// The number alone ("10").
    pub grade: Option<String>,
    pub grading_company: Option<String>,
    pub price: Money,
}

/// The keys a wanted item (or an offer) is found by: its catalog product and each part of a
/// compound style id.
pub fn match_keys(product_id: Option<&str>, style_id: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = product_id.map(|p| format!("p:{p}")).into_iter().collect();
    if let Some(style) = style_id {
        keys.extend(
            style
                .split('/')
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty())
                .map(|s| format!("s:{s}")),
        );
    }
    keys
}

/// Whether an offer is what the wanted item asks for: same product (catalog id or style
/// id), the size, condition and grade it names, in its currency at or under its price.
pub fn offer_matches(wanted: &WtbItemDraft, offer: &Offer) -> bool {
    let wanted_keys = match_keys(wanted.product_id.as_deref(), wanted.style_id.as_deref());
    let offer_keys = match_keys(
        offer.catalog_product_id.as_deref(),
        offer.style_id.as_deref(),
    );
    if !wanted_keys.iter().any(|k| offer_keys.contains(k)) {
        return false;
    }
    if let Some(size) = &wanted.size
        && offer.size.as_deref() != Some(size.as_str())
    {
        return false;
    }
    if let Some(condition) = &wanted.condition
        && offer.condition.as_deref() != Some(condition.as_str())
    {
        return false;
    }
    if let Some(grade) = &wanted.grade {
        let (company, number) = match grade.split_once(' ') {
            Some((c, n)) => (Some(c), n),
            None => (None, grade.as_str()),
        };
        if offer.grade.as_deref() != Some(number) {
            return false;
        }
        if company.is_some() && offer.grading_company.as_deref() != company {
            return false;
        }
    }
    if offer.price.currency != wanted.currency {
        return false;
    }
    wanted
        .max_price
        .is_none_or(|max| offer.price.amount <= max.amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> WtbItemInput {
        WtbItemInput {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn lists_need_a_name_and_a_fitting_slug() {
        let draft = validate_wtb_list(&WtbListInput {
            name: "Grails 2026".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(draft.slug, "grails-2026");
        let errors = validate_wtb_list(&WtbListInput {
            name: " ".into(),
            slug: "ab".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(errors.get("name").is_some());
        assert_eq!(
            errors.get("slug"),
            Some("A list address has 3 to 60 characters.")
        );
    }

    #[test]
    fn items_are_normalised() {
        let draft = validate_wtb_item(
            &WtbItemInput {
                name: " Jordan 1 Chicago ".into(),
                style_id: "dz5485-612".into(),
                size: "US 10.5".into(),
                condition: "New".into(),
                grade: "psa 9.5".into(),
                quantity: "2".into(),
                max_price: "250".into(),
                currency: "usd".into(),
                ..Default::default()
            },
            Currency::Eur,
        )
        .unwrap();
        assert_eq!(draft.name, "Jordan 1 Chicago");
        assert_eq!(draft.style_id.as_deref(), Some("DZ5485-612"));
        assert_eq!(draft.size.as_deref(), Some("10.5"));
        assert_eq!(draft.condition.as_deref(), Some("new"));
        assert_eq!(draft.grade.as_deref(), Some("PSA 9.5"));
        assert_eq!(draft.quantity, 2);
        assert_eq!(draft.max_price, Some(Money::new(25_000, Currency::Usd)));
        let plain = validate_wtb_item(&input("Charizard"), Currency::Jpy).unwrap();
        assert_eq!(
            (plain.quantity, plain.currency, plain.max_price),
            (1, Currency::Jpy, None)
        );
        assert_eq!(check_wtb_size("os").unwrap(), "OS");
        assert_eq!(check_wtb_size("44 2/3").unwrap(), "44 2/3");
    }

    #[test]
    fn size_runs_expand_to_one_item_per_size() {
        let run = |size: &str| {
            expand_size_run(
                &WtbItemInput {
                    size: size.into(),
                    ..input("Dunk Low Panda")
                },
                Currency::Usd,
            )
            .map(|items| {
                items
                    .into_iter()
                    .map(|i| i.size.unwrap_or_default())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(run("9, 9.5,10").unwrap(), ["9", "9.5", "10"]);
        assert_eq!(run("8-9.5").unwrap(), ["8", "8.5", "9", "9.5"]);
        assert_eq!(run("10.5").unwrap(), ["10.5"]);
        assert!(run("9, 99").unwrap_err().get("size").is_some());
        assert!(run("11-8").unwrap_err().get("size").is_some());
        assert_eq!(
            expand_size_run(&input("Charizard"), Currency::Usd)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn bad_items_name_every_field() {
        let errors = validate_wtb_item(
            &WtbItemInput {
                name: "".into(),
                product_id: "a b".into(),
                size: "99".into(),
                condition: "mint-ish".into(),
                grade: "XYZ 10".into(),
                quantity: "0".into(),
                max_price: "-5".into(),
                currency: "USD".into(),
                ..Default::default()
            },
            Currency::Usd,
        )
        .unwrap_err();
        for field in [
            "name",
            "product_id",
            "size",
            "condition",
            "grade",
            "quantity",
            "max_price",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let errors = validate_wtb_item(
            &WtbItemInput {
                currency: "XXX".into(),
                max_price: "10".into(),
                ..input("x")
            },
            Currency::Usd,
        )
        .unwrap_err();
        assert!(errors.get("currency").is_some());
    }

    fn offer() -> Offer {
        Offer {
            catalog_product_id: None,
            style_id: Some("555088-101/DZ5485-612".into()),
            size: Some("10.5".into()),
            condition: Some("new".into()),
            grade: None,
            grading_company: None,
            price: Money::new(24_000, Currency::Usd),
        }
    }

    #[test]
    fn offers_match_product_variant_and_price() {
        let wanted = validate_wtb_item(
            &WtbItemInput {
                style_id: "DZ5485-612".into(),
                size: "10.5".into(),
                max_price: "250".into(),
                ..input("Chicago")
            },
            Currency::Usd,
        )
        .unwrap();
        assert!(offer_matches(&wanted, &offer()));
        let too_dear = Offer {
            price: Money::new(25_001, Currency::Usd),
            ..offer()
        };
        assert!(!offer_matches(&wanted, &too_dear));
        let other_size = Offer {
            size: Some("11".into()),
            ..offer()
        };
        assert!(!offer_matches(&wanted, &other_size));
        let other_currency = Offer {
            price: Money::new(100, Currency::Eur),
            ..offer()
        };
        assert!(!offer_matches(&wanted, &other_currency));
        let other_shoe = Offer {
            style_id: Some("CW2288-111".into()),
            ..offer()
        };
        assert!(!offer_matches(&wanted, &other_shoe));
    }

    #[test]
    fn graded_cards_match_on_company_and_grade() {
        let wanted = validate_wtb_item(
            &WtbItemInput {
                product_id: "pkm-base1-4".into(),
                grade: "PSA 10".into(),
                ..input("Charizard")
            },
            Currency::Usd,
        )
        .unwrap();
        let card = Offer {
            catalog_product_id: Some("pkm-base1-4".into()),
            style_id: None,
            size: None,
            condition: None,
            grade: Some("10".into()),
            grading_company: Some("PSA".into()),
            price: Money::new(1, Currency::Usd),
        };
        assert!(offer_matches(&wanted, &card));
        let bgs = Offer {
            grading_company: Some("BGS".into()),
            ..card.clone()
        };
        assert!(!offer_matches(&wanted, &bgs));
        let nine = Offer {
            grade: Some("9".into()),
            ..card
        };
        assert!(!offer_matches(&wanted, &nine));
    }
}
