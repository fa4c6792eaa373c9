//! What a row says beyond the item: that it sold (price, date, channel, fees, shipping),
//! shipped (carrier, tracking), is still on its way to the reseller ("purchased"), or has a
//! market price. Checked with the sale and shipment forms' own validators, in the browser
//! while the reseller fixes rows and again on the server before anything is written.

use serde::{Deserialize, Serialize};

use super::{mapping::ImportField, stage::ImportLine};
use crate::domain::{
    FieldErrors, Money,
    item::{
        ItemDraft, ItemStatus, SaleChannel, SaleDraft, SaleInput, ShipmentDraft, ShipmentInput,
        check_date, check_price, validate_sale, validate_shipment,
    },
};

/// A sale read from a row. `channel_name` keeps a channel Flipdesk does not know
/// ("Grailed") when the sale is filed under "other". A refund and returned units are
/// already settled in `sale`, as a storefront refund settles them: the refund comes off the
/// net profit; the returned units' cost comes off the sale's purchase cost (and back onto
/// its profit), their units back into stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowSale {
    pub sale: SaleDraft,
    pub channel_name: Option<String>,
    /// Money given back to the buyer.
    pub refunded: Money,
    /// Units the buyer sent back.
    pub returned: i64,
}

/// A row, fully checked: the item with the units of this row, and what happened to them.
#[derive(Debug, Clone, PartialEq)]
pub struct RowPlan {
    pub item: ItemDraft,
    /// Bought but not yet received (the file's status said so).
    pub purchased: bool,
    pub sale: Option<RowSale>,
    pub shipment: Option<ShipmentDraft>,
    /// Market price per unit and the day it was seen.
    pub market: Option<(Money, Option<String>)>,
}

const SALE_FIELDS: [ImportField; 9] = [
    ImportField::SalePrice,
    ImportField::SoldOn,
    ImportField::SaleChannel,
    ImportField::SoldQuantity,
    ImportField::Fees,
    ImportField::ShippingCharged,
    ImportField::ShippingPaid,
    ImportField::Refunded,
    ImportField::ReturnedQuantity,
];
const SHIPMENT_FIELDS: [ImportField; 3] = [
    ImportField::Carrier,
    ImportField::TrackingCode,
    ImportField::ShippedOn,
];

fn filled(line: &ImportLine, field: ImportField) -> bool {
    !line.get(field).trim().is_empty()
}

/// Reads a sale's refund and returned units and settles them into the sale. Errors go on
/// `e`; `None` when there were any.
fn settle_returns(
    line: &ImportLine,
    mut sale: SaleDraft,
    e: &mut FieldErrors,
) -> Option<(SaleDraft, Money, i64)> {
    let currency = sale.figures.sale_price.currency;
    let refunded = match line.get(ImportField::Refunded).trim() {
        "" => Some(Money::zero(currency)),
        text => e.check(ImportField::Refunded.as_str(), check_price(text, currency)),
    };
    let received = sale
        .figures
        .sale_price
        .amount
        .saturating_add(sale.figures.shipping_charged.amount);
    let refunded = refunded.filter(|r| {
        let fits = r.amount <= received;
        if !fits {
            e.add(
                ImportField::Refunded.as_str(),
                format!(
                    "The refund is more than the buyer paid ({}).",
                    Money::new(received, currency)
                ),
            );
        }
        fits
    });
    let returned = match line.get(ImportField::ReturnedQuantity).trim() {
        "" => Some(0),
        text => match text.parse::<i64>() {
            Ok(n) if (0..=sale.quantity).contains(&n) => Some(n),
            _ => {
                e.add(
                    ImportField::ReturnedQuantity.as_str(),
                    format!("Units returned: from 0 to the {} sold.", sale.quantity),
                );
                None
            }
        },
    };
    let (refunded, returned) = (refunded?, returned?);
    // The purchase cost is whole units' cost, so the returned units' share is exact.
    let cost_back = sale.figures.purchase_cost.amount / sale.quantity.max(1) * returned;
    sale.figures.purchase_cost.amount -= cost_back;
    sale.net_profit.amount = sale.net_profit.amount - refunded.amount + cost_back;
    Some((sale, refunded, returned))
}

/// Checks the sale, shipment, status and market price of a row whose item checked out as
/// `item`. Errors are keyed by the import fields' names, so they land on the right cells.
pub fn plan_row(line: &ImportLine, item: ItemDraft) -> Result<RowPlan, FieldErrors> {
    let mut e = FieldErrors::default();
    let currency = item.purchase_price.currency;
    let status = line.get(ImportField::Status).trim();
    let status = if status.is_empty() {
        None
    } else {
        match ItemStatus::parse(status) {
            Some(s) => Some(s),
            None => {
                e.add(
                    "status",
                    format!(
                        "\"{status}\" is not a status; use purchased, in stock, listed, sold or shipped."
                    ),
                );
                None
            }
        }
    };
    let sale = if SALE_FIELDS.iter().any(|f| filled(line, *f)) {
        let channel_text = line.get(ImportField::SaleChannel).trim();
        let known = SaleChannel::parse(channel_text);
        let channel_name = (known.is_none() && !channel_text.is_empty())
            .then(|| channel_text.chars().take(40).collect::<String>());
        let sold_quantity = line.get(ImportField::SoldQuantity).trim();
        let input = SaleInput {
            // A row that sold without a count sold all its units.
            quantity: if sold_quantity.is_empty() {
                item.quantity.to_string()
            } else {
                sold_quantity.to_string()
            },
            channel: known.unwrap_or(SaleChannel::Other).as_str().to_string(),
            sale_price: line.get(ImportField::SalePrice).to_string(),
            shipping_charged: line.get(ImportField::ShippingCharged).to_string(),
            fees: line.get(ImportField::Fees).to_string(),
            shipping_paid: line.get(ImportField::ShippingPaid).to_string(),
            sold_on: line.get(ImportField::SoldOn).to_string(),
        };
        match validate_sale(&input, item.purchase_price, item.quantity) {
            Ok(sale) => {
                if let Some(bought) = &item.purchase_date
                    && sale.sold_on < *bought
                {
                    e.add(
                        "sold_on",
                        format!(
                            "Sold on {} is before it was bought ({bought}).",
                            sale.sold_on
                        ),
                    );
                }
                settle_returns(line, sale, &mut e).map(|(sale, refunded, returned)| RowSale {
                    sale,
                    channel_name,
                    refunded,
                    returned,
                })
            }
            Err(errors) => {
                for (field, message) in errors.0 {
                    let field = match field.as_str() {
                        "quantity" => ImportField::SoldQuantity.as_str(),
                        "channel" => ImportField::SaleChannel.as_str(),
                        other => ImportField::ALL
                            .iter()
                            .map(|f| f.as_str())
                            .find(|f| *f == other)
                            .unwrap_or("sale_price"),
                    };
                    e.add(field, message);
                }
                None
            }
        }
    } else {
        if matches!(status, Some(ItemStatus::Sold | ItemStatus::Shipped)) {
            e.add(
                "sale_price",
                "This row says it sold: enter the sale price and date so profit counts it.",
            );
        }
        None
    };
    let shipment = if SHIPMENT_FIELDS.iter().any(|f| filled(line, *f)) {
        let input = ShipmentInput {
            carrier: line.get(ImportField::Carrier).to_string(),
            tracking_code: line.get(ImportField::TrackingCode).to_string(),
            shipped_on: line.get(ImportField::ShippedOn).to_string(),
        };
        match validate_shipment(&input) {
            Ok(s) => {
                match &sale {
                    Some(sold) if s.shipped_on < sold.sale.sold_on => e.add(
                        "shipped_on",
                        format!("Shipped on {} is before it sold ({}).", s.shipped_on, sold.sale.sold_on),
                    ),
                    Some(sold) if sold.sale.quantity < item.quantity => e.add(
                        "tracking_code",
                        "Only a row whose units all sold can carry tracking; split the unsold units into their own row.",
                    ),
                    None => e.add(
                        "tracking_code",
                        "Only a sold item ships: fill in the sale too.",
                    ),
                    _ => {}
                }
                Some(s)
            }
            Err(errors) => {
                for (field, message) in errors.0 {
                    e.add(&field, message);
                }
                None
            }
        }
    } else {
        None
    };
    let market = if filled(line, ImportField::MarketPrice) {
        let price = e.check(
            "market_price",
            check_price(line.get(ImportField::MarketPrice), currency),
        );
        let on = line.get(ImportField::MarketPriceOn).trim();
        let on = if on.is_empty() {
            None
        } else {
            e.check("market_price_on", check_date(on))
        };
        price.map(|p| (p, on))
    } else {
        None
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(RowPlan {
        purchased: status == Some(ItemStatus::Purchased) && sale.is_none(),
        item,
        sale,
        shipment,
        market,
    })
}

/// One item of a file. The export writes an item that sold in parts as several rows with
/// the same Flipdesk id (one per sale, one for the units still held); consecutive rows with
/// the same id come back as one item with all its sales.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemPlan {
    /// With every unit the rows bought (sold ones included).
    pub item: ItemDraft,
    /// Units still held after the sales.
    pub remaining: i64,
    pub purchased: bool,
    pub sales: Vec<RowSale>,
    pub shipments: Vec<ShipmentDraft>,
    pub market: Option<(Money, Option<String>)>,
    /// The file lines it came from.
    pub lines: Vec<u32>,
    /// Units returned on the last row so far. Returned units are back in stock, but when
    /// another row of the item follows, that row holds them (the export writes the units
    /// held, returned ones included, on a row of their own), so they count once.
    returned_last: i64,
}

impl ItemPlan {
    pub fn status(&self) -> ItemStatus {
        match (self.remaining, self.shipments.is_empty()) {
            (0, false) => ItemStatus::Shipped,
            (0, true) => ItemStatus::Sold,
            _ if self.purchased => ItemStatus::Purchased,
            _ => ItemStatus::InStock,
        }
    }

    /// What the item's quantity column holds: the units left, or — once sold out — the
    /// units of its last sale (as a sale through the form leaves it).
    pub fn stored_quantity(&self) -> i64 {
        match (self.remaining, self.sales.last()) {
            (0, Some(last)) => last.sale.quantity,
            _ => self.remaining,
        }
    }
}

/// The Flipdesk id a row carries, if any.
pub fn item_ref(line: &ImportLine) -> Option<&str> {
    Some(line.get(ImportField::ItemRef).trim()).filter(|r| !r.is_empty())
}

/// Checks every row and joins rows of one item. Errors are keyed "line N field".
pub fn plan_items(lines: &[ImportLine]) -> Result<Vec<ItemPlan>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut items: Vec<ItemPlan> = Vec::new();
    let mut last_ref: Option<&str> = None;
    for line in lines {
        let mut fail = |field: &str, message: String| {
            errors.add(
                &format!("line {} {field}", line.line),
                format!("Line {}: {message}", line.line),
            )
        };
        let plan = match crate::domain::item::validate_item(&line.to_input())
            .and_then(|item| plan_row(line, item))
        {
            Ok(plan) => plan,
            Err(e) => {
                for (field, message) in e.0 {
                    fail(&field, message);
                }
                last_ref = item_ref(line);
                continue;
            }
        };
        let this_ref = item_ref(line);
        let sold = plan.sale.as_ref().map_or(0, |s| s.sale.quantity);
        let returned = plan.sale.as_ref().map_or(0, |s| s.returned);
        let same_item = this_ref.is_some() && this_ref == last_ref;
        last_ref = this_ref;
        match items.last_mut() {
            Some(item) if same_item => {
                let (a, b) = (&item.item, &plan.item);
                if a.name != b.name || a.kind != b.kind || a.purchase_price != b.purchase_price {
                    fail(
                        "id",
                        format!(
                            "it has the Flipdesk id of line {} but another name, kind or price; give it its own id or none.",
                            item.lines[0]
                        ),
                    );
                    continue;
                }
                let Some(units) = item.item.quantity.checked_add(plan.item.quantity) else {
                    fail("quantity", "Too many units for one item.".into());
                    continue;
                };
                item.item.quantity = units;
                item.remaining += plan.item.quantity - sold + returned - item.returned_last;
                item.returned_last = returned;
                item.purchased |= plan.purchased;
                item.sales.extend(plan.sale);
                item.shipments.extend(plan.shipment);
                if plan.market.is_some() {
                    item.market = plan.market;
                }
                item.lines.push(line.line);
            }
            _ => items.push(ItemPlan {
                remaining: plan.item.quantity - sold + returned,
                returned_last: returned,
                item: plan.item,
                purchased: plan.purchased,
                sales: plan.sale.into_iter().collect(),
                shipments: plan.shipment.into_iter().collect(),
                market: plan.market,
                lines: vec![line.line],
            }),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        Currency,
        import::{FileOptions, stage::ImportLine},
        item::validate_item,
    };

    fn line(cells: &[(ImportField, &str)]) -> ImportLine {
        let mut l = ImportLine::default();
        let options = FileOptions::default();
        for (f, v) in cells {
            l.set(*f, v, &options);
        }
        l
    }

    fn plan(cells: &[(ImportField, &str)]) -> Result<RowPlan, FieldErrors> {
        let mut all = vec![
            (ImportField::Name, "Charizard ex 199/165"),
            (ImportField::Kind, "card"),
            (ImportField::PurchasePrice, "$40"),
            (ImportField::PurchaseDate, "2026-02-01"),
        ];
        all.extend_from_slice(cells);
        let l = line(&all);
        plan_row(&l, validate_item(&l.to_input()).expect("a valid item"))
    }

    #[test]
    fn a_sold_row_becomes_a_sale_with_profit() {
        use ImportField as F;
        let p = plan(&[
            (F::Quantity, "3"),
            (F::SoldQuantity, "2"),
            (F::SalePrice, "$75.50"),
            (F::SoldOn, "03/24/2026"),
            (F::SaleChannel, "eBay"),
            (F::Fees, "9.80"),
            (F::ShippingPaid, "4"),
        ])
        .unwrap();
        let sale = p.sale.unwrap();
        assert_eq!(sale.sale.quantity, 2);
        assert_eq!(sale.sale.channel, SaleChannel::Ebay);
        assert_eq!(sale.channel_name, None);
        assert_eq!(sale.sale.sold_on, "2026-03-24");
        assert_eq!(
            sale.sale.figures.sale_price,
            Money::new(15100, Currency::Usd)
        );
        // 151.00 − 9.80 − 4.00 − 2 × 40.00
        assert_eq!(sale.sale.net_profit, Money::new(5720, Currency::Usd));
        assert!(!p.purchased);
    }

    #[test]
    fn an_unknown_channel_is_other_with_its_name_and_a_blank_count_sells_the_row() {
        use ImportField as F;
        let p = plan(&[
            (F::Quantity, "2"),
            (F::SalePrice, "60"),
            (F::SoldOn, "2026-02-10"),
            (F::SaleChannel, "Grailed"),
        ])
        .unwrap();
        let sale = p.sale.unwrap();
        assert_eq!(sale.sale.channel, SaleChannel::Other);
        assert_eq!(sale.channel_name.as_deref(), Some("Grailed"));
        assert_eq!(sale.sale.quantity, 2);
    }

    #[test]
    fn bad_sales_are_flagged_on_their_cells() {
        use ImportField as F;
        let e = plan(&[(F::SalePrice, "50"), (F::SoldOn, "2026-01-15")]).unwrap_err();
        assert!(e.get("sold_on").unwrap().contains("before it was bought"));
        let e = plan(&[
            (F::SalePrice, "50"),
            (F::SoldOn, "2026-03-01"),
            (F::Fees, "-3"),
        ])
        .unwrap_err();
        assert!(e.get("fees").is_some(), "{e:?}");
        let e = plan(&[
            (F::SalePrice, "50"),
            (F::SoldOn, "2026-03-01"),
            (F::SoldQuantity, "4"),
        ])
        .unwrap_err();
        assert!(e.get("sold_quantity").is_some(), "{e:?}");
        let e = plan(&[(F::Status, "Sold")]).unwrap_err();
        assert!(e.get("sale_price").unwrap().contains("says it sold"));
        let e = plan(&[(F::Status, "lost in the mail")]).unwrap_err();
        assert!(e.get("status").is_some());
        let e = plan(&[
            (F::TrackingCode, "1Z999AA10123456784"),
            (F::Carrier, "UPS"),
            (F::ShippedOn, "2026-03-02"),
        ])
        .unwrap_err();
        assert!(e.get("tracking_code").unwrap().contains("Only a sold item"));
        let e = plan(&[
            (F::SalePrice, "50"),
            (F::SoldOn, "2026-03-05"),
            (F::Carrier, "UPS"),
            (F::TrackingCode, "1Z999AA10123456784"),
            (F::ShippedOn, "2026-03-02"),
        ])
        .unwrap_err();
        assert!(e.get("shipped_on").unwrap().contains("before it sold"));
    }

    #[test]
    fn purchased_shipped_and_market_price() {
        use ImportField as F;
        let p = plan(&[
            (F::Status, "purchased"),
            (F::MarketPrice, "55"),
            (F::MarketPriceOn, "2026-02-20"),
        ])
        .unwrap();
        assert!(p.purchased);
        assert_eq!(
            p.market,
            Some((
                Money::new(5500, Currency::Usd),
                Some("2026-02-20".to_string())
            ))
        );
        let p = plan(&[
            (F::SalePrice, "50"),
            (F::SoldOn, "2026-03-01"),
            (F::Carrier, "UPS"),
            (F::TrackingCode, "1z999aa10123456784"),
            (F::ShippedOn, "2026-03-02"),
        ])
        .unwrap();
        assert_eq!(p.shipment.unwrap().tracking_code, "1Z999AA10123456784");
    }

    #[test]
    fn refunds_and_returns_settle_into_the_sale() {
        use ImportField as F;
        // 2 sold at 75.50 (cost 40 each), 20 refunded, 1 unit sent back.
        let p = plan(&[
            (F::Quantity, "2"),
            (F::SalePrice, "75.50"),
            (F::SoldOn, "2026-03-24"),
            (F::Refunded, "$20"),
            (F::ReturnedQuantity, "1"),
        ])
        .unwrap();
        let sale = p.sale.unwrap();
        assert_eq!(sale.refunded, Money::new(2000, Currency::Usd));
        assert_eq!(sale.returned, 1);
        assert_eq!(sale.sale.quantity, 2);
        assert_eq!(
            sale.sale.figures.purchase_cost,
            Money::new(4000, Currency::Usd),
            "only the unit kept"
        );
        // 151.00 − 20.00 − 1 × 40.00
        assert_eq!(sale.sale.net_profit, Money::new(9100, Currency::Usd));

        let sold = [
            (F::Quantity, "1"),
            (F::SalePrice, "50"),
            (F::ShippingCharged, "5"),
            (F::SoldOn, "2026-03-01"),
        ];
        let with = |extra: (ImportField, &'static str)| {
            let mut cells = sold.to_vec();
            cells.push(extra);
            plan(&cells)
        };
        let e = with((F::Refunded, "55.01")).unwrap_err();
        assert!(
            e.get("refunded")
                .unwrap()
                .contains("more than the buyer paid"),
            "{e:?}"
        );
        assert!(with((F::Refunded, "55")).is_ok(), "price and shipping back");
        assert!(
            with((F::Refunded, "-1"))
                .unwrap_err()
                .get("refunded")
                .is_some()
        );
        let e = with((F::ReturnedQuantity, "2")).unwrap_err();
        assert!(
            e.get("units_returned")
                .unwrap()
                .contains("from 0 to the 1 sold"),
            "{e:?}"
        );
        assert!(
            with((F::ReturnedQuantity, "one"))
                .unwrap_err()
                .get("units_returned")
                .is_some()
        );
    }

    #[test]
    fn returned_units_count_once() {
        use ImportField as F;
        let row = |no: u32, extra: &[(ImportField, &str)]| {
            let mut cells = vec![
                (F::Name, "Jordan 4 Bred"),
                (F::Kind, "other"),
                (F::PurchasePrice, "200"),
                (F::PurchaseDate, "2026-01-05"),
                (F::ItemRef, "j4"),
            ];
            cells.extend_from_slice(extra);
            let mut l = line(&cells);
            l.line = no;
            l
        };
        let sold_back = row(
            2,
            &[
                (F::Quantity, "1"),
                (F::SalePrice, "300"),
                (F::SoldOn, "2026-02-01"),
                (F::Refunded, "300"),
                (F::ReturnedQuantity, "1"),
            ],
        );
        // A sheet's one row: the pair came back, so it is in stock again.
        let alone = plan_items(std::slice::from_ref(&sold_back)).unwrap();
        assert_eq!(alone[0].remaining, 1);
        assert_eq!(alone[0].status(), ItemStatus::InStock);
        // The export's rows: the held row already holds the returned pair.
        let held = row(3, &[(F::Quantity, "1"), (F::Status, "listed")]);
        let exported = plan_items(&[sold_back.clone(), held]).unwrap();
        assert_eq!(exported[0].remaining, 1);
        // Returned, then sold again: nothing is left.
        let resold = row(
            3,
            &[
                (F::Quantity, "1"),
                (F::SalePrice, "280"),
                (F::SoldOn, "2026-02-20"),
            ],
        );
        let again = plan_items(&[sold_back, resold]).unwrap();
        assert_eq!(again[0].remaining, 0);
        assert_eq!(again[0].status(), ItemStatus::Sold);
        assert_eq!(again[0].sales.len(), 2);
    }

    #[test]
    fn rows_with_one_id_make_one_item() {
        use ImportField as F;
        let base = [
            (F::Name, "Pokémon 151 Booster Bundle"),
            (F::Kind, "sealed"),
            (F::PurchasePrice, "25"),
            (F::PurchaseDate, "2026-01-05"),
        ];
        let row = |no: u32, extra: &[(ImportField, &str)]| {
            let mut cells = base.to_vec();
            cells.extend_from_slice(extra);
            let mut l = line(&cells);
            l.line = no;
            l
        };
        let lines = [
            row(
                2,
                &[
                    (F::ItemRef, "abc"),
                    (F::Quantity, "1"),
                    (F::SalePrice, "40"),
                    (F::SoldOn, "2026-02-01"),
                    (F::SaleChannel, "ebay"),
                ],
            ),
            row(
                3,
                &[
                    (F::ItemRef, "abc"),
                    (F::Quantity, "2"),
                    (F::SalePrice, "38"),
                    (F::SoldOn, "2026-02-03"),
                    (F::SaleChannel, "Whatnot"),
                ],
            ),
            row(
                4,
                &[
                    (F::ItemRef, "abc"),
                    (F::Quantity, "9"),
                    (F::Status, "in stock"),
                ],
            ),
            row(5, &[(F::ItemRef, "def"), (F::Quantity, "1")]),
            row(6, &[(F::Quantity, "1")]),
            row(7, &[(F::Quantity, "1")]),
        ];
        let items = plan_items(&lines).unwrap();
        assert_eq!(items.len(), 4, "rows without an id stay apart");
        let bundle = &items[0];
        assert_eq!(bundle.lines, [2, 3, 4]);
        assert_eq!(bundle.item.quantity, 12);
        assert_eq!(bundle.remaining, 9);
        assert_eq!(bundle.sales.len(), 2);
        assert_eq!(bundle.sales[1].channel_name.as_deref(), Some("Whatnot"));
        assert_eq!(bundle.status(), ItemStatus::InStock);
        assert_eq!(bundle.stored_quantity(), 9);

        let sold_out = plan_items(&lines[..2]).unwrap();
        assert_eq!(sold_out[0].status(), ItemStatus::Sold);
        assert_eq!(sold_out[0].stored_quantity(), 2, "the last sale's units");

        let mut other = row(3, &[(F::ItemRef, "abc"), (F::Quantity, "1")]);
        other.set(F::PurchasePrice, "26", &FileOptions::default());
        let e = plan_items(&[lines[0].clone(), other]).unwrap_err();
        assert!(
            e.get("line 3 id")
                .unwrap()
                .contains("Flipdesk id of line 2")
        );
    }
}
