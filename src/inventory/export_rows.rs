//! An item as rows of the stock export: one row while it has no sale; once it has sales, one
//! row per sale and one for the units still held, all with the item's id, so that importing
//! the file recreates the same item with the same sales (`domain::import::sale::plan_items`).
//! Cells are written as the import reads them back.

use crate::domain::{
    Currency, Money,
    import::{ExportColumn, ImportField, mapping::EXPORT_COLUMNS},
    item::{ItemDetails, ItemKind, ItemStatus, SaleChannel},
};

/// The item columns the export reads.
#[derive(sqlx::FromRow)]
pub struct ExportItem {
    pub id: String,
    pub kind: ItemKind,
    pub status: ItemStatus,
    pub name: String,
    pub sku: Option<String>,
    pub quantity: i64,
    pub purchase_price: i64,
    pub currency: Currency,
    pub purchase_date: Option<String>,
    pub purchase_source: Option<String>,
    pub storage_location: Option<String>,
    pub tags: String,
    pub notes: Option<String>,
    pub image_urls: String,
    pub details: String,
    pub market_unit: Option<i64>,
    pub market_on: Option<String>,
}

pub const EXPORT_ITEM_COLUMNS: &str = "id, kind, status, name, sku, quantity, purchase_price, currency, purchase_date, \
    purchase_source, storage_location, tags, notes, image_urls, details, market_unit, market_on";

#[derive(sqlx::FromRow)]
pub struct ExportSale {
    pub item_id: String,
    pub quantity: i64,
    pub channel: SaleChannel,
    pub channel_name: Option<String>,
    pub sale_price: i64,
    pub shipping_charged: i64,
    pub fees: i64,
    pub shipping_paid: i64,
    pub net_profit: i64,
    pub sold_on: String,
    pub refunded: i64,
    pub returned: i64,
}

pub const EXPORT_SALE_COLUMNS: &str = "item_id, quantity, channel, channel_name, sale_price, shipping_charged, fees, \
    shipping_paid, net_profit, sold_on, refunded, returned";

#[derive(sqlx::FromRow)]
pub struct ExportShipment {
    pub item_id: String,
    pub carrier: String,
    pub tracking_code: String,
    pub shipped_on: String,
}

/// A channel as the file shows it: its name, or the name kept for an "other" channel.
pub fn channel_text(channel: SaleChannel, name: Option<&str>) -> String {
    match (channel, name) {
        (SaleChannel::Other, Some(name)) if !name.is_empty() => name.to_string(),
        (c, _) => c.label().to_string(),
    }
}

/// The rows of one item (its sales and shipments in the order they were recorded).
pub fn item_rows(
    item: &ExportItem,
    sales: &[&ExportSale],
    shipments: &[&ExportShipment],
) -> Vec<Vec<String>> {
    let details: ItemDetails = serde_json::from_str(&item.details).unwrap_or_default();
    let images: Vec<String> = serde_json::from_str(&item.image_urls).unwrap_or_default();
    let money = |amount: i64| Money::new(amount, item.currency).to_decimal_string();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let common = |field: ImportField| -> String {
        use ImportField as F;
        match field {
            F::ItemRef => item.id.clone(),
            F::Name => item.name.clone(),
            F::Kind => item.kind.as_str().into(),
            F::Sku => opt(&item.sku),
            F::PurchasePrice => money(item.purchase_price),
            F::Currency => item.currency.code().into(),
            F::PurchaseDate => opt(&item.purchase_date),
            F::PurchaseSource => opt(&item.purchase_source),
            F::StorageLocation => opt(&item.storage_location),
            F::Tags => item
                .tags
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            F::Notes => opt(&item.notes),
            F::ImageUrls => images.join(" "),
            F::Brand => opt(&details.brand),
            F::StyleId => opt(&details.style_id),
            F::Colorway => opt(&details.colorway),
            F::Size => opt(&details.size),
            F::SizeSystem => details
                .size_system
                .map(|s| s.as_str().into())
                .unwrap_or_default(),
            F::SneakerCondition => details
                .sneaker_condition
                .map(|s| s.as_str().into())
                .unwrap_or_default(),
            F::BoxCondition => details
                .box_condition
                .map(|s| s.as_str().into())
                .unwrap_or_default(),
            F::Game => opt(&details.game),
            F::CardSet => opt(&details.card_set),
            F::CardNumber => opt(&details.card_number),
            F::Language => opt(&details.language),
            F::Finish => opt(&details.finish),
            F::CardCondition => details
                .card_condition
                .map(|s| s.as_str().into())
                .unwrap_or_default(),
            F::GradingCompany => details
                .grading_company
                .map(|s| s.as_str().into())
                .unwrap_or_default(),
            F::Grade => opt(&details.grade),
            F::CertNumber => opt(&details.cert_number),
            F::Attributes => details
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("\n"),
            F::MarketPrice => item.market_unit.map(money).unwrap_or_default(),
            F::MarketPriceOn => item
                .market_unit
                .and(item.market_on.clone())
                .unwrap_or_default(),
            _ => String::new(),
        }
    };
    let row = |status: &str,
               quantity: i64,
               sale: Option<&ExportSale>,
               shipment: Option<&ExportShipment>| {
        EXPORT_COLUMNS
            .iter()
            .map(|column| {
                use ImportField as F;
                let field = match column {
                    ExportColumn::NetProfit => {
                        return sale.map(|s| money(s.net_profit)).unwrap_or_default();
                    }
                    ExportColumn::Field(f) => *f,
                };
                match (field, sale, shipment) {
                    (F::Status, ..) => status.to_string(),
                    (F::Quantity, ..) => quantity.to_string(),
                    (F::SoldQuantity, Some(s), _) => s.quantity.to_string(),
                    // The file carries the unit price, as the sale form takes it.
                    (F::SalePrice, Some(s), _) => money(s.sale_price / s.quantity.max(1)),
                    (F::SoldOn, Some(s), _) => s.sold_on.clone(),
                    (F::SaleChannel, Some(s), _) => {
                        channel_text(s.channel, s.channel_name.as_deref())
                    }
                    (F::Fees, Some(s), _) => money(s.fees),
                    (F::ShippingCharged, Some(s), _) => money(s.shipping_charged),
                    (F::ShippingPaid, Some(s), _) => money(s.shipping_paid),
                    (F::Refunded, Some(s), _) if s.refunded > 0 => money(s.refunded),
                    (F::ReturnedQuantity, Some(s), _) if s.returned > 0 => s.returned.to_string(),
                    (F::Carrier, _, Some(t)) => t.carrier.clone(),
                    (F::TrackingCode, _, Some(t)) => t.tracking_code.clone(),
                    (F::ShippedOn, _, Some(t)) => t.shipped_on.clone(),
                    (
                        F::SoldQuantity
                        | F::SalePrice
                        | F::SoldOn
                        | F::SaleChannel
                        | F::Fees
                        | F::ShippingCharged
                        | F::ShippingPaid
                        | F::Refunded
                        | F::ReturnedQuantity
                        | F::Carrier
                        | F::TrackingCode
                        | F::ShippedOn,
                        ..,
                    ) => String::new(),
                    (f, ..) => common(f),
                }
            })
            .collect::<Vec<String>>()
    };
    let mut rows = Vec::with_capacity(sales.len() + 1);
    // Tracking goes on the last sales (an item ships after its last unit sold).
    let first_shipped = sales.len().saturating_sub(shipments.len());
    for (n, sale) in sales.iter().enumerate() {
        let shipment = n
            .checked_sub(first_shipped)
            .and_then(|k| shipments.get(k))
            .copied();
        let status = if shipment.is_some() {
            "shipped"
        } else {
            "sold"
        };
        rows.push(row(status, sale.quantity, Some(sale), shipment));
    }
    if item.status.is_held() || sales.is_empty() {
        rows.push(row(item.status.as_str(), item.quantity, None, None));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(field: ImportField) -> usize {
        EXPORT_COLUMNS
            .iter()
            .position(|c| *c == ExportColumn::Field(field))
            .unwrap()
    }

    #[test]
    fn an_item_sold_in_parts_is_a_row_per_sale_and_one_for_the_rest() {
        let item = ExportItem {
            id: "it1".into(),
            kind: ItemKind::Sealed,
            status: ItemStatus::InStock,
            name: "Booster Bundle".into(),
            sku: None,
            quantity: 9,
            purchase_price: 2500,
            currency: Currency::Usd,
            purchase_date: Some("2026-01-05".into()),
            purchase_source: None,
            storage_location: None,
            tags: "pokemon,151".into(),
            notes: Some("-dented".into()),
            image_urls: "[]".into(),
            details: r#"{"attributes":[["Language","EN"]]}"#.into(),
            market_unit: Some(3000),
            market_on: Some("2026-02-01".into()),
        };
        let sale = ExportSale {
            item_id: "it1".into(),
            quantity: 2,
            channel: SaleChannel::Other,
            channel_name: Some("Whatnot".into()),
            sale_price: 7600,
            shipping_charged: 0,
            fees: 500,
            shipping_paid: 0,
            net_profit: 2100,
            sold_on: "2026-02-03".into(),
            refunded: 0,
            returned: 0,
        };
        let rows = item_rows(&item, &[&sale], &[]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][column(ImportField::Status)], "sold");
        assert_eq!(rows[0][column(ImportField::SalePrice)], "38.00");
        assert_eq!(rows[0][column(ImportField::SaleChannel)], "Whatnot");
        assert_eq!(rows[1][column(ImportField::Quantity)], "9");
        assert_eq!(rows[1][column(ImportField::SalePrice)], "");
        assert_eq!(rows[1][column(ImportField::Tags)], "pokemon, 151");
        assert_eq!(rows[1][column(ImportField::Attributes)], "Language: EN");
        assert_eq!(rows[1][column(ImportField::MarketPrice)], "30.00");
        assert!(
            rows.iter()
                .all(|r| r[column(ImportField::ItemRef)] == "it1")
        );
    }
}
