//! Sales channels as the reseller types them, and what channels send Flipdesk: checked the
//! same way in the browser and on the server.

use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg(feature = "ssr")]
use super::Currency;
use super::{Money, alert_hook::host_of, validation::FieldErrors};

string_enum!(
    /// How Flipdesk and the channel talk.
    ChannelKind {
        Connected => "connected" / "Connected app",
        Manual => "manual" / "Listed by hand",
    }
);

pub const MAX_NAME_CHARS: usize = 60;
pub const MAX_URL_CHARS: usize = 500;
/// Longest idempotency key a channel may send.
pub const MAX_KEY_CHARS: usize = 255;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelInput {
    pub name: String,
    /// `connected` or `manual`.
    pub kind: String,
    /// Connected channels: where Flipdesk sends events (and asks for the channel's state).
    pub webhook_url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChannelDraft {
    pub name: String,
    pub kind: ChannelKind,
    pub webhook_url: Option<String>,
}

pub fn validate_channel(input: &ChannelInput) -> Result<ChannelDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let name = input.name.trim().to_string();
    if name.is_empty() {
        e.add("name", "Name the channel (\"eBay\", \"Whatnot shop\").");
    } else if name.chars().count() > MAX_NAME_CHARS {
        e.add(
            "name",
            format!("Names are at most {MAX_NAME_CHARS} characters."),
        );
    }
    let kind = ChannelKind::parse(input.kind.trim());
    if kind.is_none() {
        e.add(
            "kind",
            "Choose a connected app or a channel you list on by hand.",
        );
    }
    let url = input.webhook_url.trim();
    let webhook_url = match kind {
        Some(ChannelKind::Connected) if url.is_empty() => {
            e.add(
                "webhook_url",
                "Paste the address the app gave you for Flipdesk's events.",
            );
            None
        }
        Some(ChannelKind::Connected) if url.chars().count() > MAX_URL_CHARS => {
            e.add(
                "webhook_url",
                format!("Addresses are at most {MAX_URL_CHARS} characters."),
            );
            None
        }
        Some(ChannelKind::Connected) => match host_of(url) {
            Ok(_) => Some(url.to_string()),
            Err(message) => {
                e.add("webhook_url", message);
                None
            }
        },
        _ => None,
    };
    e.into_result(())?;
    Ok(ChannelDraft {
        name,
        kind: kind.unwrap_or(ChannelKind::Manual),
        webhook_url,
    })
}

/// A lock a channel asks for: units of an item its buyer is checking out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LockRequest {
    pub listing_id: Option<String>,
    pub item_id: Option<String>,
    pub quantity: Option<i64>,
    pub idempotency_key: String,
}

/// Checks a lock request; answers the listing or item named, and the units.
pub fn validate_lock(
    r: &LockRequest,
) -> Result<(Option<String>, Option<String>, i64), FieldErrors> {
    let mut e = FieldErrors::default();
    if r.listing_id.is_none() && r.item_id.is_none() {
        e.add(
            "item_id",
            "Name the item (item_id) or the listing (listing_id).",
        );
    }
    let quantity = r.quantity.unwrap_or(1);
    if !(1..=10_000).contains(&quantity) {
        e.add("quantity", "Lock from 1 to 10,000 units.");
    }
    check_key(&mut e, &r.idempotency_key);
    e.into_result((r.listing_id.clone(), r.item_id.clone(), quantity))
}

fn check_key(e: &mut FieldErrors, key: &str) {
    if key.trim().is_empty() || key.chars().count() > MAX_KEY_CHARS {
        e.add(
            "idempotency_key",
            format!("Send an idempotency key of 1 to {MAX_KEY_CHARS} characters."),
        );
    }
}

/// A sale a channel reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleReport {
    pub lock_id: Option<String>,
    pub item_id: String,
    pub quantity: Option<i64>,
    pub price: Money,
    pub idempotency_key: String,
    /// RFC 3339.
    pub sold_at: String,
}

/// A checked sale report: units, total price and the day it sold (UTC). Server only: the
/// channel protocol is not spoken from the browser.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSale {
    pub quantity: i64,
    pub price: Money,
    pub sold_on: String,
}

#[cfg(feature = "ssr")]
pub fn validate_sale_report(
    r: &SaleReport,
    currency: Currency,
) -> Result<CheckedSale, FieldErrors> {
    let mut e = FieldErrors::default();
    if r.item_id.trim().is_empty() {
        e.add("item_id", "Name the item that sold.");
    }
    let quantity = r.quantity.unwrap_or(1);
    if !(1..=10_000).contains(&quantity) {
        e.add("quantity", "A sale is of 1 to 10,000 units.");
    }
    if r.price.currency != currency {
        e.add(
            "price",
            format!("This store sells in {currency}; send the price in {currency}."),
        );
    } else if r.price.amount < 0 {
        e.add("price", "A price cannot be negative.");
    }
    check_key(&mut e, &r.idempotency_key);
    let sold_on = sold_day(&r.sold_at);
    if sold_on.is_none() {
        e.add(
            "sold_at",
            "Send when it sold as an RFC 3339 time, e.g. 2026-12-06T10:00:00Z.",
        );
    }
    e.into_result(CheckedSale {
        quantity,
        price: r.price,
        sold_on: sold_on.unwrap_or_default(),
    })
}

#[cfg(feature = "ssr")]
/// The UTC day of an RFC 3339 time (`2026-12-06T23:30:00-05:00` → `2026-12-07`).
fn sold_day(at: &str) -> Option<String> {
    let t = time::OffsetDateTime::parse(at.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?
        .to_offset(time::UtcOffset::UTC);
    Some(format!(
        "{:04}-{:02}-{:02}",
        t.year(),
        u8::from(t.month()),
        t.day()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_need_a_name_and_connected_ones_an_address() {
        let ok = validate_channel(&ChannelInput {
            name: " Whatnot shop ".into(),
            kind: "connected".into(),
            webhook_url: "https://shop.example/flipdesk".into(),
        })
        .unwrap();
        assert_eq!(ok.name, "Whatnot shop");
        assert_eq!(
            ok.webhook_url.as_deref(),
            Some("https://shop.example/flipdesk")
        );
        let e = validate_channel(&ChannelInput {
            name: "".into(),
            kind: "connected".into(),
            webhook_url: "ftp://x".into(),
        })
        .unwrap_err();
        assert!(
            e.0.contains_key("name") && e.0.contains_key("webhook_url"),
            "{e:?}"
        );
        let manual = validate_channel(&ChannelInput {
            name: "eBay".into(),
            kind: "manual".into(),
            webhook_url: "".into(),
        })
        .unwrap();
        assert_eq!(manual.webhook_url, None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn sale_reports_are_checked() {
        let report = SaleReport {
            lock_id: None,
            item_id: "i1".into(),
            quantity: None,
            price: Money::new(15_000, Currency::Usd),
            idempotency_key: "k".into(),
            sold_at: "2026-12-06T23:30:00-05:00".into(),
        };
        let sale = validate_sale_report(&report, Currency::Usd).unwrap();
        assert_eq!((sale.quantity, sale.sold_on.as_str()), (1, "2026-12-07"));
        let e = validate_sale_report(
            &SaleReport {
                sold_at: "yesterday".into(),
                idempotency_key: "".into(),
                ..report.clone()
            },
            Currency::Eur,
        )
        .unwrap_err();
        for field in ["sold_at", "idempotency_key", "price"] {
            assert!(e.0.contains_key(field), "{field}: {e:?}");
        }
    }
}
