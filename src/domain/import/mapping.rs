//! Which column of the file feeds which item field. Headers are matched by name and common
//! synonyms (Flipdesk's own export, sneaker sheets, card sheets); the reseller corrects the
//! guess and may save it for files with the same header.

use serde::{Deserialize, Serialize};

/// Item fields a column can feed. The names are `ItemInput`'s, so validation errors land on
/// the right column of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportField {
    Name,
    Kind,
    Sku,
    Quantity,
    PurchasePrice,
    Currency,
    PurchaseDate,
    PurchaseSource,
    StorageLocation,
    Tags,
    Notes,
    ImageUrls,
    Brand,
    StyleId,
    Colorway,
    Size,
    SizeSystem,
    SneakerCondition,
    BoxCondition,
    Game,
    CardSet,
    CardNumber,
    Language,
    Finish,
    CardCondition,
    GradingCompany,
    Grade,
    CertNumber,
}

impl ImportField {
    pub const ALL: [ImportField; 28] = [
        ImportField::Name,
        ImportField::Kind,
        ImportField::Sku,
        ImportField::Quantity,
        ImportField::PurchasePrice,
        ImportField::Currency,
        ImportField::PurchaseDate,
        ImportField::PurchaseSource,
        ImportField::StorageLocation,
        ImportField::Tags,
        ImportField::Notes,
        ImportField::ImageUrls,
        ImportField::Brand,
        ImportField::StyleId,
        ImportField::Colorway,
        ImportField::Size,
        ImportField::SizeSystem,
        ImportField::SneakerCondition,
        ImportField::BoxCondition,
        ImportField::Game,
        ImportField::CardSet,
        ImportField::CardNumber,
        ImportField::Language,
        ImportField::Finish,
        ImportField::CardCondition,
        ImportField::GradingCompany,
        ImportField::Grade,
        ImportField::CertNumber,
    ];

    /// The `ItemInput` field name (and validation error key).
    pub fn as_str(self) -> &'static str {
        match self {
            ImportField::Name => "name",
            ImportField::Kind => "kind",
            ImportField::Sku => "sku",
            ImportField::Quantity => "quantity",
            ImportField::PurchasePrice => "purchase_price",
            ImportField::Currency => "currency",
            ImportField::PurchaseDate => "purchase_date",
            ImportField::PurchaseSource => "purchase_source",
            ImportField::StorageLocation => "storage_location",
            ImportField::Tags => "tags",
            ImportField::Notes => "notes",
            ImportField::ImageUrls => "image_urls",
            ImportField::Brand => "brand",
            ImportField::StyleId => "style_id",
            ImportField::Colorway => "colorway",
            ImportField::Size => "size",
            ImportField::SizeSystem => "size_system",
            ImportField::SneakerCondition => "sneaker_condition",
            ImportField::BoxCondition => "box_condition",
            ImportField::Game => "game",
            ImportField::CardSet => "card_set",
            ImportField::CardNumber => "card_number",
            ImportField::Language => "language",
            ImportField::Finish => "finish",
            ImportField::CardCondition => "card_condition",
            ImportField::GradingCompany => "grading_company",
            ImportField::Grade => "grade",
            ImportField::CertNumber => "cert_number",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportField::Name => "Name",
            ImportField::Kind => "Kind",
            ImportField::Sku => "SKU",
            ImportField::Quantity => "Quantity",
            ImportField::PurchasePrice => "Purchase price",
            ImportField::Currency => "Currency",
            ImportField::PurchaseDate => "Purchase date",
            ImportField::PurchaseSource => "Bought from",
            ImportField::StorageLocation => "Storage location",
            ImportField::Tags => "Tags",
            ImportField::Notes => "Notes",
            ImportField::ImageUrls => "Image links",
            ImportField::Brand => "Brand",
            ImportField::StyleId => "Style id",
            ImportField::Colorway => "Colorway",
            ImportField::Size => "Size",
            ImportField::SizeSystem => "Size system",
            ImportField::SneakerCondition => "Condition (sneaker)",
            ImportField::BoxCondition => "Box",
            ImportField::Game => "Game",
            ImportField::CardSet => "Set",
            ImportField::CardNumber => "Card number",
            ImportField::Language => "Language",
            ImportField::Finish => "Printing / finish",
            ImportField::CardCondition => "Condition",
            ImportField::GradingCompany => "Grading company",
            ImportField::Grade => "Grade",
            ImportField::CertNumber => "Cert number",
        }
    }

    pub fn parse(s: &str) -> Option<ImportField> {
        ImportField::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Header spellings (lower case, letters and digits only) that mean this field.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            ImportField::Name => &[
                "name",
                "item",
                "itemname",
                "product",
                "productname",
                "title",
                "description",
                "cardname",
                "shoe",
                "sneaker",
                "model",
            ],
            ImportField::Kind => &["kind", "type", "category", "itemtype", "producttype"],
            ImportField::Sku => &[
                "sku",
                "productid",
                "itemid",
                "articlenumber",
                "mpn",
                "upc",
                "ean",
            ],
            ImportField::Quantity => &["quantity", "qty", "count", "units", "amount", "stock"],
            ImportField::PurchasePrice => &[
                "purchaseprice",
                "cost",
                "paid",
                "pricepaid",
                "buyprice",
                "costbasis",
                "purchasecost",
                "costprice",
                "unitcost",
                "price",
                "einkaufspreis",
                "prix",
                "costusd",
                "costeur",
                "purchase",
            ],
            ImportField::Currency => &["currency", "curr", "ccy", "currencycode"],
            ImportField::PurchaseDate => &[
                "purchasedate",
                "datepurchased",
                "bought",
                "boughton",
                "date",
                "buydate",
                "orderdate",
                "datebought",
                "purchased",
                "acquired",
                "dateacquired",
            ],
            ImportField::PurchaseSource => &[
                "purchasesource",
                "source",
                "boughtfrom",
                "store",
                "seller",
                "vendor",
                "supplier",
                "retailer",
                "where",
            ],
            ImportField::StorageLocation => &[
                "storagelocation",
                "location",
                "bin",
                "shelf",
                "storage",
                "box",
            ],
            ImportField::Tags => &["tags", "tag", "labels", "label"],
            ImportField::Notes => &["notes", "note", "comment", "comments", "remarks"],
            ImportField::ImageUrls => &[
                "imageurls",
                "image",
                "images",
                "imageurl",
                "photo",
                "photos",
                "picture",
            ],
            ImportField::Brand => &["brand", "make", "manufacturer"],
            ImportField::StyleId => &[
                "styleid",
                "stylecode",
                "style",
                "styleno",
                "stylenumber",
                "sku2",
                "productcode",
            ],
            ImportField::Colorway => &["colorway", "colourway", "color", "colour", "cw"],
            ImportField::Size => &["size", "shoesize", "sizeus", "ussize", "sizeeu", "eusize"],
            ImportField::SizeSystem => &["sizesystem", "sizetype", "sizeunit"],
            ImportField::SneakerCondition => &["sneakercondition", "shoecondition"],
            ImportField::BoxCondition => &["boxcondition", "boxstate"],
            ImportField::Game => &["game", "tcg"],
            ImportField::CardSet => &[
                "set",
                "cardset",
                "setname",
                "expansion",
                "edition",
                "series",
            ],
            ImportField::CardNumber => &["number", "cardnumber", "cardno", "no", "collectornumber"],
            ImportField::Language => &["language", "lang"],
            ImportField::Finish => &["finish", "printing", "foil", "variant", "holo"],
            ImportField::CardCondition => &["condition", "cardcondition", "cond"],
            ImportField::GradingCompany => &["gradingcompany", "grader", "gradedby", "company"],
            ImportField::Grade => &[
                "grade",
                "psagrade",
                "bgsgrade",
                "cgcgrade",
                "sgcgrade",
                "gradedscore",
                "score",
            ],
            ImportField::CertNumber => &[
                "certnumber",
                "cert",
                "certno",
                "certificate",
                "certificationnumber",
                "serial",
            ],
        }
    }
}

/// Where one column of the file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", content = "field", rename_all = "snake_case")]
pub enum Target {
    Ignore,
    /// Appended to the item's notes as "Header: value".
    Notes,
    Field(ImportField),
}

/// One target per column of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ColumnMapping(pub Vec<Target>);

fn simplify(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl ColumnMapping {
    /// Guesses a target per header; each field is taken by the first header that names it,
    /// and headers nobody recognises are ignored.
    pub fn guess(headers: &[String]) -> ColumnMapping {
        let mut taken = Vec::new();
        let targets = headers
            .iter()
            .map(|h| {
                let key = simplify(h);
                let field = ImportField::ALL
                    .into_iter()
                    .find(|f| !taken.contains(f) && f.synonyms().contains(&key.as_str()));
                match field {
                    Some(f) => {
                        taken.push(f);
                        Target::Field(f)
                    }
                    None => Target::Ignore,
                }
            })
            .collect();
        ColumnMapping(targets)
    }

    /// The column that feeds `field`, if any.
    pub fn column_of(&self, field: ImportField) -> Option<usize> {
        self.0.iter().position(|t| *t == Target::Field(field))
    }

    /// A short key for "files with this header" (FNV-1a of the simplified header), to find
    /// a saved mapping again.
    pub fn header_signature(headers: &[String]) -> String {
        let text = headers
            .iter()
            .map(|h| simplify(h))
            .collect::<Vec<_>>()
            .join("|");
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{hash:016x}")
    }

    /// What still has to be mapped before rows can be checked.
    pub fn missing(&self) -> Option<String> {
        (self.column_of(ImportField::Name).is_none())
            .then(|| "Choose the column that holds each item's name.".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flipdesk_export_maps_itself() {
        let headers = h(&crate::domain::item::EXPORT_HEADER);
        let m = ColumnMapping::guess(&headers);
        assert_eq!(m.0[0], Target::Ignore);
        assert_eq!(m.0[3], Target::Ignore, "status is not imported");
        assert_eq!(m.column_of(ImportField::StyleId), Some(5));
        assert_eq!(m.column_of(ImportField::CardSet), Some(7));
        assert_eq!(m.column_of(ImportField::PurchasePrice), Some(10));
        assert_eq!(m.column_of(ImportField::PurchaseDate), Some(12));
        assert_eq!(m.missing(), None);
    }

    #[test]
    fn sneaker_and_card_sheets() {
        let m = ColumnMapping::guess(&h(&[
            "Product",
            "Style Code",
            "Colourway",
            "Size (US)",
            "Price Paid",
            "Date Bought",
            "Where",
        ]));
        assert_eq!(
            m.0,
            [
                Target::Field(ImportField::Name),
                Target::Field(ImportField::StyleId),
                Target::Field(ImportField::Colorway),
                Target::Field(ImportField::Size),
                Target::Field(ImportField::PurchasePrice),
                Target::Field(ImportField::PurchaseDate),
                Target::Field(ImportField::PurchaseSource),
            ]
        );
        let m = ColumnMapping::guess(&h(&[
            "Card Name",
            "Set",
            "PSA Grade",
            "Cert #",
            "Cost",
            "Condition",
            "Mystery",
        ]));
        assert_eq!(m.column_of(ImportField::Grade), Some(2));
        assert_eq!(m.column_of(ImportField::CertNumber), Some(3));
        assert_eq!(m.column_of(ImportField::CardCondition), Some(5));
        assert_eq!(m.0[6], Target::Ignore);
        let m = ColumnMapping::guess(&h(&["SKU", "Product ID", "Paid"]));
        assert_eq!(m.0[0], Target::Field(ImportField::Sku));
        assert_eq!(m.0[1], Target::Ignore, "a field is taken once");
        assert_eq!(
            m.missing().unwrap(),
            "Choose the column that holds each item's name."
        );
    }
}
