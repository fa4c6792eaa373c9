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
    Attributes,
    Status,
    MarketPrice,
    MarketPriceOn,
    ItemRef,
    SoldQuantity,
    SalePrice,
    SoldOn,
    SaleChannel,
    Fees,
    ShippingCharged,
    ShippingPaid,
    Refunded,
    ReturnedQuantity,
    Carrier,
    TrackingCode,
    ShippedOn,
}

impl ImportField {
    pub const ALL: [ImportField; 45] = [
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
        ImportField::Attributes,
        ImportField::Status,
        ImportField::MarketPrice,
        ImportField::MarketPriceOn,
        ImportField::ItemRef,
        ImportField::SoldQuantity,
        ImportField::SalePrice,
        ImportField::SoldOn,
        ImportField::SaleChannel,
        ImportField::Fees,
        ImportField::ShippingCharged,
        ImportField::ShippingPaid,
        ImportField::Refunded,
        ImportField::ReturnedQuantity,
        ImportField::Carrier,
        ImportField::TrackingCode,
        ImportField::ShippedOn,
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
            ImportField::Attributes => "attributes",
            ImportField::Status => "status",
            ImportField::MarketPrice => "market_price",
            ImportField::MarketPriceOn => "market_price_on",
            ImportField::ItemRef => "id",
            ImportField::SoldQuantity => "sold_quantity",
            ImportField::SalePrice => "sale_price",
            ImportField::SoldOn => "sold_on",
            ImportField::SaleChannel => "sale_channel",
            ImportField::Fees => "fees",
            ImportField::ShippingCharged => "shipping_charged",
            ImportField::ShippingPaid => "shipping_paid",
            ImportField::Refunded => "refunded",
            ImportField::ReturnedQuantity => "units_returned",
            ImportField::Carrier => "carrier",
            ImportField::TrackingCode => "tracking_code",
            ImportField::ShippedOn => "shipped_on",
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
            ImportField::Attributes => "Attributes (name: value)",
            ImportField::Status => "Status",
            ImportField::MarketPrice => "Market price",
            ImportField::MarketPriceOn => "Market price date",
            ImportField::ItemRef => "Flipdesk id (rows of one item)",
            ImportField::SoldQuantity => "Units sold",
            ImportField::SalePrice => "Sale price (per unit)",
            ImportField::SoldOn => "Sold date",
            ImportField::SaleChannel => "Sold on (channel)",
            ImportField::Fees => "Fees",
            ImportField::ShippingCharged => "Shipping charged",
            ImportField::ShippingPaid => "Shipping paid",
            ImportField::Refunded => "Refunded",
            ImportField::ReturnedQuantity => "Units returned",
            ImportField::Carrier => "Carrier",
            ImportField::TrackingCode => "Tracking code",
            ImportField::ShippedOn => "Shipped date",
        }
    }

    pub fn parse(s: &str) -> Option<ImportField> {
        ImportField::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Header spellings (lower case, letters and digits only) that mean this field.
    fn synonyms(self) -> &'static [&'static str] {
        super::synonyms::of(self)
    }
}

/// A column of the stock export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportColumn {
    Field(ImportField),
    /// Worked out from the sale; an import reads it as ignored, not as data.
    NetProfit,
}

impl ExportColumn {
    pub fn header(self) -> &'static str {
        match self {
            ExportColumn::Field(f) => f.as_str(),
            ExportColumn::NetProfit => "net_profit",
        }
    }
}

/// The stock export's columns, in order: every import field, so that the file maps back onto
/// itself and an export imported into an empty account recreates the same stock and sales.
pub const EXPORT_COLUMNS: [ExportColumn; 46] = [
    ExportColumn::Field(ImportField::ItemRef),
    ExportColumn::Field(ImportField::Name),
    ExportColumn::Field(ImportField::Kind),
    ExportColumn::Field(ImportField::Status),
    ExportColumn::Field(ImportField::Sku),
    ExportColumn::Field(ImportField::Quantity),
    ExportColumn::Field(ImportField::PurchasePrice),
    ExportColumn::Field(ImportField::Currency),
    ExportColumn::Field(ImportField::PurchaseDate),
    ExportColumn::Field(ImportField::PurchaseSource),
    ExportColumn::Field(ImportField::StorageLocation),
    ExportColumn::Field(ImportField::Tags),
    ExportColumn::Field(ImportField::Notes),
    ExportColumn::Field(ImportField::ImageUrls),
    ExportColumn::Field(ImportField::Brand),
    ExportColumn::Field(ImportField::StyleId),
    ExportColumn::Field(ImportField::Colorway),
    ExportColumn::Field(ImportField::Size),
    ExportColumn::Field(ImportField::SizeSystem),
    ExportColumn::Field(ImportField::SneakerCondition),
    ExportColumn::Field(ImportField::BoxCondition),
    ExportColumn::Field(ImportField::Game),
    ExportColumn::Field(ImportField::CardSet),
    ExportColumn::Field(ImportField::CardNumber),
    ExportColumn::Field(ImportField::Language),
    ExportColumn::Field(ImportField::Finish),
    ExportColumn::Field(ImportField::CardCondition),
    ExportColumn::Field(ImportField::GradingCompany),
    ExportColumn::Field(ImportField::Grade),
    ExportColumn::Field(ImportField::CertNumber),
    ExportColumn::Field(ImportField::Attributes),
    ExportColumn::Field(ImportField::MarketPrice),
    ExportColumn::Field(ImportField::MarketPriceOn),
    ExportColumn::Field(ImportField::SoldQuantity),
    ExportColumn::Field(ImportField::SalePrice),
    ExportColumn::Field(ImportField::SoldOn),
    ExportColumn::Field(ImportField::SaleChannel),
    ExportColumn::Field(ImportField::Fees),
    ExportColumn::Field(ImportField::ShippingCharged),
    ExportColumn::Field(ImportField::ShippingPaid),
    ExportColumn::Field(ImportField::Refunded),
    ExportColumn::Field(ImportField::ReturnedQuantity),
    ExportColumn::NetProfit,
    ExportColumn::Field(ImportField::Carrier),
    ExportColumn::Field(ImportField::TrackingCode),
    ExportColumn::Field(ImportField::ShippedOn),
];

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

    /// Columns whose values go nowhere (the mapping step says how many, so nothing is
    /// dropped without a word).
    pub fn ignored(&self) -> usize {
        self.0.iter().filter(|t| **t == Target::Ignore).count()
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
        let headers: Vec<String> = EXPORT_COLUMNS
            .iter()
            .map(|c| c.header().to_string())
            .collect();
        let m = ColumnMapping::guess(&headers);
        for (column, target) in EXPORT_COLUMNS.iter().zip(&m.0) {
            match column {
                ExportColumn::Field(f) => assert_eq!(*target, Target::Field(*f), "{f:?}"),
                ExportColumn::NetProfit => assert_eq!(*target, Target::Ignore),
            }
        }
        // Every field is exported once.
        for f in ImportField::ALL {
            let n = EXPORT_COLUMNS
                .iter()
                .filter(|c| **c == ExportColumn::Field(f))
                .count();
            assert_eq!(n, 1, "{f:?}");
        }
        assert_eq!(m.missing(), None);
    }

    #[test]
    fn a_spelling_means_one_field() {
        let mut seen = std::collections::HashMap::new();
        for f in ImportField::ALL {
            for s in f.synonyms() {
                assert_eq!(simplify(s), *s, "{s} is not simplified");
                if let Some(other) = seen.insert(*s, f) {
                    panic!("{s} means both {other:?} and {f:?}");
                }
            }
        }
    }

    #[test]
    fn sheets_in_other_languages() {
        let m = ColumnMapping::guess(&h(&[
            "Bezeichnung",
            "Menge",
            "Einkaufspreis",
            "Kaufdatum",
            "Zustand",
            "Note",
            "Grading",
            "Zertifikat",
            "Erweiterung",
            "Sprache",
            "Größe",
        ]));
        assert_eq!(m.0[0], Target::Field(ImportField::Name));
        assert_eq!(m.0[1], Target::Field(ImportField::Quantity));
        assert_eq!(m.0[2], Target::Field(ImportField::PurchasePrice));
        assert_eq!(m.0[3], Target::Field(ImportField::PurchaseDate));
        assert_eq!(m.0[4], Target::Field(ImportField::CardCondition));
        assert_eq!(
            m.0[5],
            Target::Field(ImportField::Notes),
            "Note is a note in English sheets"
        );
        assert_eq!(m.0[6], Target::Field(ImportField::Grade));
        assert_eq!(m.0[7], Target::Field(ImportField::CertNumber));
        assert_eq!(m.0[8], Target::Field(ImportField::CardSet));
        assert_eq!(m.0[9], Target::Field(ImportField::Language));
        assert_eq!(m.0[10], Target::Field(ImportField::Size));
        for (headers, field) in [
            (["Nom", "Prix", "Quantité"], ImportField::Quantity),
            (["Nombre", "Precio", "Cantidad"], ImportField::Quantity),
            (["Nome", "Prezzo", "Quantità"], ImportField::Quantity),
            (["Naam", "Prijs", "Aantal"], ImportField::Quantity),
            (["商品名", "価格", "数量"], ImportField::Quantity),
        ] {
            let m = ColumnMapping::guess(&h(&headers));
            assert_eq!(m.0[0], Target::Field(ImportField::Name), "{headers:?}");
            assert_eq!(
                m.0[1],
                Target::Field(ImportField::PurchasePrice),
                "{headers:?}"
            );
            assert_eq!(m.0[2], Target::Field(field), "{headers:?}");
        }
    }

    #[test]
    fn marketplace_collection_exports() {
        // Cardmarket's stock export.
        let m = ColumnMapping::guess(&h(&[
            "idProduct",
            "Count",
            "Name",
            "Expansion",
            "Language",
            "Condition",
            "isFoil",
            "isSigned",
            "Comments",
            "Price",
        ]));
        assert_eq!(m.column_of(ImportField::Quantity), Some(1));
        assert_eq!(m.column_of(ImportField::CardSet), Some(3));
        assert_eq!(m.column_of(ImportField::Finish), Some(6));
        assert_eq!(m.column_of(ImportField::Notes), Some(8));
        assert_eq!(m.ignored(), 1, "isSigned");
        // TCGplayer's collection export.
        let m = ColumnMapping::guess(&h(&[
            "Quantity",
            "Name",
            "Simple Name",
            "Set",
            "Card Number",
            "Set Code",
            "Printing",
            "Condition",
            "Language",
            "Rarity",
            "Product ID",
            "SKU",
        ]));
        assert_eq!(m.column_of(ImportField::Name), Some(1));
        assert_eq!(m.column_of(ImportField::CardNumber), Some(4));
        assert_eq!(m.column_of(ImportField::Finish), Some(6));
        // ManaBox.
        let m = ColumnMapping::guess(&h(&[
            "Name",
            "Set code",
            "Set name",
            "Collector number",
            "Foil",
            "Quantity",
            "Purchase price",
            "Condition",
            "Language",
            "Purchase price currency",
        ]));
        assert_eq!(m.column_of(ImportField::CardSet), Some(1));
        assert_eq!(m.column_of(ImportField::Currency), Some(9));
        assert_eq!(m.column_of(ImportField::PurchasePrice), Some(6));
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
