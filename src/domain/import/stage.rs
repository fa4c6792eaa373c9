//! Rows of a file → staged items the reseller can fix: each row keeps only the fields its
//! columns feed (compact for 100,000-row files), normalised, then checked with the same
//! `validate_item` the server runs. Editing a cell re-normalises it and re-checks the row.

use serde::{Deserialize, Serialize};

use super::{
    mapping::{ColumnMapping, ImportField, Target},
    normalise::{self, DateCell, DateOrder},
    parse::Sheet,
};
use crate::domain::{
    Currency, FieldErrors,
    item::{CardCondition, ItemDraft, ItemInput, ItemKind, SneakerCondition, validate_item},
};

/// Choices for the whole file, made next to the column mapping.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FileOptions {
    /// For prices without a symbol or currency column.
    pub currency: Currency,
    /// For rows without a kind column (None: tell from the filled-in fields).
    pub kind: Option<ItemKind>,
    pub date_order: DateOrder,
}

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions {
            currency: Currency::Usd,
            kind: None,
            date_order: DateOrder::Auto,
        }
    }
}

/// One line of the file on its way in: the wire format of a commit batch too.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ImportLine {
    pub line: u32,
    pub values: Vec<(ImportField, String)>,
    /// The catalog product the reseller picked for this row in the grid (it wins over the
    /// catalog's own answer, and is remembered for the row's text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
}

impl ImportLine {
    pub fn get(&self, field: ImportField) -> &str {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    fn put(&mut self, field: ImportField, value: String) {
        match self.values.iter_mut().find(|(f, _)| *f == field) {
            Some(slot) => slot.1 = value,
            None => self.values.push((field, value)),
        }
    }

    fn take(&mut self, field: ImportField) -> Option<String> {
        let at = self.values.iter().position(|(f, _)| *f == field)?;
        Some(self.values.remove(at).1)
    }

    pub fn to_input(&self) -> ItemInput {
        let mut i = ItemInput::default();
        for (field, value) in &self.values {
            let slot = match field {
                ImportField::Name => &mut i.name,
                ImportField::Kind => &mut i.kind,
                ImportField::Sku => &mut i.sku,
                ImportField::Quantity => &mut i.quantity,
                ImportField::PurchasePrice => &mut i.purchase_price,
                ImportField::Currency => &mut i.currency,
                ImportField::PurchaseDate => &mut i.purchase_date,
                ImportField::PurchaseSource => &mut i.purchase_source,
                ImportField::StorageLocation => &mut i.storage_location,
                ImportField::Tags => &mut i.tags,
                ImportField::Notes => &mut i.notes,
                ImportField::ImageUrls => &mut i.image_urls,
                ImportField::Brand => &mut i.brand,
                ImportField::StyleId => &mut i.style_id,
                ImportField::Colorway => &mut i.colorway,
                ImportField::Size => &mut i.size,
                ImportField::SizeSystem => &mut i.size_system,
                ImportField::SneakerCondition => &mut i.sneaker_condition,
                ImportField::BoxCondition => &mut i.box_condition,
                ImportField::Game => &mut i.game,
                ImportField::CardSet => &mut i.card_set,
                ImportField::CardNumber => &mut i.card_number,
                ImportField::Language => &mut i.language,
                ImportField::Finish => &mut i.finish,
                ImportField::CardCondition => &mut i.card_condition,
                ImportField::GradingCompany => &mut i.grading_company,
                ImportField::Grade => &mut i.grade,
                ImportField::CertNumber => &mut i.cert_number,
                ImportField::Attributes => &mut i.attributes,
                // The row's sale, shipment, status and market price: see `sale::plan_row`.
                _ => continue,
            };
            slot.clone_from(value);
        }
        if let Some(product) = &self.product {
            i.catalog_product_id.clone_from(product);
        }
        i
    }

    /// Puts a typed or read value into `field`, normalised, updating the fields it implies
    /// (a "$" price sets the currency, "PSA 10" the grading company, "US 10.5" the system).
    pub fn set(&mut self, field: ImportField, raw: &str, options: &FileOptions) -> Option<String> {
        let raw = raw.trim();
        // Flipdesk's export (like spreadsheets) guards a cell that would run as a formula
        // with a leading apostrophe; it is not part of the value.
        let raw = match raw.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
            _ => raw,
        };
        let mut problem = None;
        let value = match field {
            ImportField::PurchasePrice if !raw.is_empty() => match normalise::price(raw) {
                Ok((amount, currency)) => {
                    if let Some(c) = currency {
                        self.put(ImportField::Currency, c.code().to_string());
                    }
                    amount
                }
                Err(_) => raw.to_string(),
            },
            ImportField::SalePrice
            | ImportField::Fees
            | ImportField::ShippingCharged
            | ImportField::ShippingPaid
            | ImportField::Refunded
            | ImportField::MarketPrice
                if !raw.is_empty() =>
            {
                normalise::price(raw).map_or_else(|_| raw.to_string(), |(amount, _)| amount)
            }
            ImportField::PurchaseDate
            | ImportField::SoldOn
            | ImportField::ShippedOn
            | ImportField::MarketPriceOn => match normalise::date(raw, options.date_order) {
                DateCell::Empty => String::new(),
                DateCell::Iso(d) => d,
                DateCell::Invalid(d) => d,
                DateCell::Ambiguous(day_first, month_first) => {
                    problem = Some(format!(
                        "\"{raw}\" could be {day_first} or {month_first}: type the date as YYYY-MM-DD, or choose the date order above."
                    ));
                    raw.to_string()
                }
            },
            ImportField::Size if !raw.is_empty() => {
                let (size, system) = normalise::size(raw);
                if let Some(system) = system {
                    self.put(ImportField::SizeSystem, system.to_string());
                }
                size
            }
            ImportField::Grade if !raw.is_empty() => {
                let (company, grade) = normalise::grade(raw);
                if let Some(c) = company {
                    self.put(ImportField::GradingCompany, c.as_str().to_string());
                }
                grade
            }
            // "PSA 10" in a condition column is a slab: grader and grade, no raw condition.
            ImportField::CardCondition => match normalise::grade(raw) {
                (Some(company), grade) if !grade.is_empty() => {
                    self.put(ImportField::GradingCompany, company.as_str().to_string());
                    self.put(ImportField::Grade, grade);
                    String::new()
                }
                _ => normalise::card_condition(raw),
            },
            ImportField::SaleChannel => normalise::channel(raw),
            ImportField::Status => normalise::status(raw),
            ImportField::Finish => normalise::finish(raw),
            ImportField::SneakerCondition => normalise::sneaker_condition(raw),
            ImportField::Kind => normalise::kind(raw),
            ImportField::Tags => normalise::tags(raw),
            ImportField::Currency => raw.to_ascii_uppercase(),
            _ => raw.to_string(),
        };
        self.put(field, value);
        problem
    }
}

/// A row of the grid: its values, what is wrong, and whether it is a possible duplicate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StagedRow {
    pub item: ImportLine,
    /// Problems per field, from normalising and from `validate_item`.
    pub errors: FieldErrors,
    /// Reported but not blocking (ragged rows).
    pub warnings: Vec<String>,
    /// Problems found while reading that no field edit clears (an ambiguous date stays one
    /// until the date cell is edited).
    pending: Vec<(ImportField, String)>,
    /// "Same as row 12" / "Already in your inventory".
    pub duplicate: Option<String>,
    /// Import this duplicate anyway.
    pub keep: bool,
}

impl StagedRow {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Goes in on commit: valid, and not a duplicate the reseller chose to skip.
    pub fn will_import(&self) -> bool {
        self.is_valid() && (self.duplicate.is_none() || self.keep)
    }

    /// Edits one cell: normalise it, then re-check the whole row (the draft when valid).
    pub fn edit(
        &mut self,
        field: ImportField,
        raw: &str,
        options: &FileOptions,
    ) -> Option<ItemDraft> {
        self.pending.retain(|(f, _)| *f != field);
        if let Some(problem) = self.item.set(field, raw, options) {
            self.pending.push((field, problem));
        }
        self.check()
    }

    /// Re-runs the shared validator; returns the draft when the row is valid.
    pub fn check(&mut self) -> Option<ItemDraft> {
        let result = validate_item(&self.item.to_input())
            .and_then(|draft| super::sale::plan_row(&self.item, draft.clone()).map(|_| draft));
        let (draft, mut errors) = match result {
            Ok(d) => (Some(d), FieldErrors::default()),
            Err(e) => (None, e),
        };
        for (field, message) in &self.pending {
            errors.0.insert(field.as_str().to_string(), message.clone());
        }
        self.errors = errors;
        if self.errors.is_empty() { draft } else { None }
    }
}

/// Same SKU (or style id) + size + purchase date + price: probably the same pair bought twice
/// or a file imported twice. Rows without a SKU or style id are never called duplicates.
pub fn duplicate_key(d: &ItemDraft) -> Option<String> {
    let ident = d.details.style_id.clone().or(d.sku.clone())?;
    Some(key_of(
        &ident,
        d.details.size.as_deref(),
        d.purchase_date.as_deref(),
        d.purchase_price.amount,
        d.purchase_price.currency.code(),
    ))
}

/// The key from stored columns (the server builds it from its rows the same way).
pub fn key_of(
    ident: &str,
    size: Option<&str>,
    date: Option<&str>,
    amount: i64,
    currency: &str,
) -> String {
    format!(
        "{}|{}|{}|{amount}{currency}",
        ident.trim().to_ascii_uppercase(),
        size.unwrap_or(""),
        date.unwrap_or("")
    )
}

/// Kind from the fields a row fills when the file has no kind column.
fn infer_kind(line: &ImportLine) -> ItemKind {
    let filled = |f| !line.get(f).trim().is_empty();
    if [
        ImportField::Grade,
        ImportField::CardSet,
        ImportField::CertNumber,
        ImportField::CardCondition,
        ImportField::Game,
    ]
    .into_iter()
    .any(filled)
    {
        ItemKind::Card
    } else if [
        ImportField::StyleId,
        ImportField::Size,
        ImportField::Colorway,
    ]
    .into_iter()
    .any(filled)
    {
        ItemKind::Sneaker
    } else {
        let name = line.get(ImportField::Name).to_lowercase();
        if ["booster", "box", "etb", "sealed", "pack", "tin"]
            .iter()
            .any(|w| name.contains(w))
        {
            ItemKind::Sealed
        } else {
            ItemKind::Other
        }
    }
}

/// Lets the file settle what the reseller left on "auto": a slash-date column follows one
/// order, and a day over 12 anywhere in it tells which.
pub fn settle_options(
    sheet: &Sheet,
    mapping: &ColumnMapping,
    options: &FileOptions,
) -> FileOptions {
    let mut options = *options;
    if options.date_order == DateOrder::Auto
        && let Some(col) = mapping.column_of(ImportField::PurchaseDate)
        && let Some(order) =
            normalise::detect_date_order((0..sheet.len()).map(|r| sheet.cell(r, col)))
    {
        options.date_order = order;
    }
    options
}

/// Normalises row `r` of the sheet into an item line (not yet checked: see `StagedRow::check`).
pub fn stage_row(
    sheet: &Sheet,
    r: usize,
    mapping: &ColumnMapping,
    options: &FileOptions,
) -> StagedRow {
    let headers = &sheet.headers;
    let mut row = StagedRow {
        item: ImportLine {
            line: sheet.line(r),
            values: Vec::with_capacity(mapping.0.len() + 2),
            product: None,
        },
        ..Default::default()
    };
    let mut notes: Vec<String> = Vec::new();
    for (col, target) in mapping.0.iter().enumerate() {
        let cell = if col < sheet.width() {
            sheet.cell(r, col)
        } else {
            ""
        };
        match target {
            Target::Ignore => {}
            Target::Notes if !cell.trim().is_empty() => {
                notes.push(format!("{}: {}", headers[col], cell.trim()))
            }
            Target::Notes => {}
            Target::Field(ImportField::Notes) => {
                if !cell.trim().is_empty() {
                    notes.insert(0, cell.trim().to_string());
                }
            }
            Target::Field(field) => {
                if let Some(problem) = row.item.set(*field, cell, options) {
                    row.pending.push((*field, problem));
                }
            }
        }
    }
    if !notes.is_empty() {
        row.item.put(ImportField::Notes, notes.join("\n"));
    }
    // A plain "Condition" column is read as a card condition; on a sneaker sheet its values
    // are sneaker conditions ("DS", "VNDS", "Used") and move there.
    let condition = row.item.get(ImportField::CardCondition);
    if !condition.is_empty() && CardCondition::parse(condition).is_none() {
        let sneaker = normalise::sneaker_condition(condition);
        if SneakerCondition::parse(&sneaker).is_some() {
            row.item.take(ImportField::CardCondition);
            row.item.put(ImportField::SneakerCondition, sneaker);
        }
    }
    if row.item.get(ImportField::Kind).is_empty() {
        let kind = options.kind.unwrap_or_else(|| infer_kind(&row.item));
        row.item.put(ImportField::Kind, kind.as_str().to_string());
    }
    if row.item.get(ImportField::Currency).is_empty() {
        row.item
            .put(ImportField::Currency, options.currency.code().to_string());
    }
    // A bare size on a sneaker is a US men's size unless the sheet says otherwise.
    if !row.item.get(ImportField::Size).is_empty()
        && row.item.get(ImportField::SizeSystem).is_empty()
    {
        row.item.put(ImportField::SizeSystem, "us_m".to_string());
    }
    if let Some(r) = sheet.ragged(r) {
        let mut message = format!(
            "This line has {} cells; the header has {}.",
            r.had,
            headers.len()
        );
        if !r.extra.is_empty() {
            message.push_str(&format!(" Left out: {}", r.extra.join(" | ")));
            if r.had > headers.len() + r.extra.len() {
                message.push_str(" …");
            }
        }
        row.warnings.push(message);
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::{parse::read_all, session::Session};

    fn staged(text: &str, options: FileOptions) -> Vec<StagedRow> {
        let sheet = read_all(text.to_string()).unwrap();
        let mapping = ColumnMapping::guess(&sheet.headers);
        let mut session = Session::new(sheet, mapping, &options);
        let len = session.len();
        session.check_rows(0..len);
        session.mark_duplicates();
        (0..len).map(|i| session.row(i)).collect()
    }

    #[test]
    fn a_messy_sneaker_sheet() {
        let text = "Product;Style Code;Size;Paid;Date Bought;Tags;Mystery\n\
            Jordan 1 Chicago;dz5485-612;US 10.5;€1.234,50;13/03/2026;grail|hype;x\n\
            Dunk Low Panda;DD1391-100;10M;€110;03/04/2026;;y\n\
            Broken row;DD1391-100;99;twelve;yesterday\n";
        let rows = staged(text, FileOptions::default());
        assert_eq!(rows.len(), 3);
        let a = &rows[0];
        assert!(a.is_valid(), "{:?}", a.errors);
        assert_eq!(a.item.get(ImportField::Kind), "sneaker");
        assert_eq!(a.item.get(ImportField::Currency), "EUR");
        assert_eq!(a.item.get(ImportField::PurchasePrice), "1234.50");
        assert_eq!(a.item.get(ImportField::PurchaseDate), "2026-03-13");
        assert_eq!(a.item.get(ImportField::SizeSystem), "us_m");
        assert_eq!(a.item.get(ImportField::Tags), "grail, hype");
        // The 13th settled day-first for the whole column, so 03/04 is 3 April.
        assert_eq!(rows[1].item.get(ImportField::PurchaseDate), "2026-04-03");
        let bad = &rows[2];
        assert!(bad.errors.get("size").is_some());
        assert!(bad.errors.get("purchase_price").is_some());
        assert!(bad.errors.get("purchase_date").is_some());
        assert_eq!(bad.warnings.len(), 1, "ragged row reported");
    }

    #[test]
    fn a_condition_column_on_a_sneaker_sheet() {
        let text =
            "Product,Style Code,Size,Paid,Condition\nDunk,DD1391-100,10,90,VNDS\nCard,,,5,NM\n";
        let rows = staged(text, FileOptions::default());
        assert_eq!(rows[0].item.get(ImportField::SneakerCondition), "used");
        assert_eq!(rows[0].item.get(ImportField::Kind), "sneaker");
        assert!(rows[0].is_valid(), "{:?}", rows[0].errors);
        assert_eq!(rows[1].item.get(ImportField::CardCondition), "NM");
        assert_eq!(rows[1].item.get(ImportField::Kind), "card");
    }

    #[test]
    fn ambiguous_dates_are_flagged_until_fixed() {
        let text = "name,cost,date\nCharizard PSA 9,100,03/04/2026\n";
        let mut rows = staged(text, FileOptions::default());
        let row = &mut rows[0];
        assert!(
            row.errors
                .get("purchase_date")
                .unwrap()
                .contains("could be 2026-04-03 or 2026-03-04")
        );
        row.edit(
            ImportField::PurchaseDate,
            "2026-04-03",
            &FileOptions::default(),
        );
        assert!(row.is_valid(), "{:?}", row.errors);
        // Choosing the order for the file resolves it too.
        let options = FileOptions {
            date_order: DateOrder::MonthFirst,
            ..Default::default()
        };
        let rows = staged(text, options);
        assert_eq!(rows[0].item.get(ImportField::PurchaseDate), "2026-03-04");
    }

    #[test]
    fn cards_with_grades_and_conditions() {
        let text = "Card Name,Set,Grade,Cert,Cost,Condition\n\
            Charizard,Base Set,PSA 10,12345678,$5000,\n\
            Pikachu,Jungle,,,$3,Near Mint\n\
            Mewtwo,Base Set,,123456,$4,\n";
        let rows = staged(text, FileOptions::default());
        assert!(rows[0].is_valid(), "{:?}", rows[0].errors);
        assert_eq!(rows[0].item.get(ImportField::GradingCompany), "PSA");
        assert_eq!(rows[0].item.get(ImportField::Kind), "card");
        assert!(rows[1].is_valid(), "{:?}", rows[1].errors);
        assert_eq!(rows[1].item.get(ImportField::CardCondition), "NM");
        assert!(
            rows[2].errors.get("cert_number").is_some(),
            "raw card with a cert number"
        );
    }

    #[test]
    fn formulas_and_html_stay_text() {
        let text =
            "name,cost\n\"=HYPERLINK(\"\"http://evil\"\")\",10\n<script>alert(1)</script>,5\n";
        let rows = staged(text, FileOptions::default());
        assert_eq!(
            rows[0].item.get(ImportField::Name),
            "=HYPERLINK(\"http://evil\")"
        );
        assert_eq!(
            rows[1].item.get(ImportField::Name),
            "<script>alert(1)</script>"
        );
    }
}
