//! Store settings, shipping, listings and checkout requests: the rules the browser checks
//! as the reseller or shopper types and the server checks again before anything is written.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{Currency, Email, FieldErrors, Money};

string_enum!(
    /// Where an order is, from the shopper's reservation to the parcel (CONTRACT: Orders).
    OrderStatus {
        PendingPayment => "pending_payment" / "Awaiting payment",
        PaymentProcessing => "payment_processing" / "Payment processing",
        Paid => "paid" / "Paid",
        PaidNeedsAttention => "paid_needs_attention" / "Paid — needs attention",
        Shipped => "shipped" / "Shipped",
        Cancelled => "cancelled" / "Cancelled",
        Expired => "expired" / "Expired",
        Refunded => "refunded" / "Refunded",
    }
);

impl OrderStatus {
    /// Where an order may go from here; the order core refuses any other move. A payment may
    /// still arrive after a reservation was cancelled or expired, and a bank may dispute a
    /// charge whatever happened since (shipped or refunded).
    pub fn next(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            PendingPayment => &[
                PaymentProcessing,
                Paid,
                PaidNeedsAttention,
                Refunded,
                Cancelled,
                Expired,
            ],
            PaymentProcessing => &[Paid, PaidNeedsAttention, Refunded, Cancelled, Expired],
            Paid => &[PaidNeedsAttention, Shipped, Refunded],
            PaidNeedsAttention => &[Shipped, Refunded],
            Shipped => &[PaidNeedsAttention, Refunded],
            Cancelled | Expired => &[Paid, PaidNeedsAttention, Refunded],
            Refunded => &[PaidNeedsAttention],
        }
    }

    /// Staying put is always allowed; moving only along the table.
    pub fn can_become(self, to: OrderStatus) -> bool {
        self == to || self.next().contains(&to)
    }

    /// The shopper's money was taken (whatever happened after): refunds, disputes and
    /// shipping apply, and a late payment event changes nothing.
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            OrderStatus::Paid
                | OrderStatus::PaidNeedsAttention
                | OrderStatus::Shipped
                | OrderStatus::Refunded
        )
    }
}

string_enum!(
    /// What an order does to the units it is for: held while the shopper pays, taken by the
    /// payment (sold), or given back to the listing.
    OrderStock {
        Reserved => "reserved" / "Reserved",
        Taken => "taken" / "Taken",
        Released => "released" / "Released",
    }
);

string_enum!(
    PaymentMethod {
        Stripe => "stripe" / "Card (Stripe)",
        Manual => "manual" / "Manual payment",
    }
);

/// Most lines and units one checkout may hold (a cart, not a warehouse order).
pub const MAX_CHECKOUT_LINES: usize = 50;
pub const MAX_LINE_QUANTITY: i64 = 99;

/// A flat shipping rate for a country (ISO 3166 alpha-2) or `*` for everywhere else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingRate {
    pub region: String,
    pub amount: i64,
}

/// How a store charges shipping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingPolicy {
    pub ships_from: String,
    pub rates: Vec<ShippingRate>,
    /// Orders whose subtotal reaches this ship free.
    pub free_over: Option<i64>,
}

impl ShippingPolicy {
    /// Shipping for an order of `subtotal` to `country` (the store's own country when the
    /// shopper has not said yet); `None` when the store does not ship there.
    pub fn cost(&self, country: Option<&str>, subtotal: i64) -> Option<i64> {
        let country = country.unwrap_or(&self.ships_from);
        let rate = self
            .rates
            .iter()
            .find(|r| r.region.eq_ignore_ascii_case(country))
            .or_else(|| self.rates.iter().find(|r| r.region == "*"));
        match (rate, self.free_over) {
            (Some(_), Some(free)) if subtotal >= free => Some(0),
            (Some(rate), _) => Some(rate.amount),
            // A store without any rate ships free to its own country only.
            (None, _)
                if self.rates.is_empty() && country.eq_ignore_ascii_case(&self.ships_from) =>
            {
                Some(0)
            }
            (None, _) => None,
        }
    }
}

/// What an order costs. The cart shows exactly what checkout charges: both are this one
/// computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priced {
    pub subtotal: i64,
    /// `None`: the store does not ship to that country.
    pub shipping: Option<i64>,
    pub total: Option<i64>,
}

/// An order too large to price in minor units (never wrapped or capped into another figure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("The order total is too large.")
    }
}

/// Prices lines of (unit price, quantity) in minor units and their shipping to `country`
/// (the store's own when `None`) under `policy`.
pub fn price_order(
    lines: impl IntoIterator<Item = (i64, i64)>,
    policy: &ShippingPolicy,
    country: Option<&str>,
) -> Result<Priced, TooLarge> {
    let subtotal = lines.into_iter().try_fold(0i64, |sum, (unit, quantity)| {
        unit.checked_mul(quantity)
            .and_then(|line| sum.checked_add(line))
            .ok_or(TooLarge)
    })?;
    let shipping = policy.cost(country, subtotal);
    let total = match shipping {
        Some(s) => Some(subtotal.checked_add(s).ok_or(TooLarge)?),
        None => None,
    };
    Ok(Priced {
        subtotal,
        shipping,
        total,
    })
}

/// A two-letter country code, upper-cased.
pub fn check_country(input: &str) -> Result<String, String> {
    let code = input.trim().to_ascii_uppercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("Use a two-letter country code, like US or DE.".into())
    }
}

/// Rates as the reseller types them, one per line: `US 8.00`, `CA 15`, `* 30.00`.
pub fn parse_rates(input: &str, currency: Currency) -> Result<Vec<ShippingRate>, String> {
    let mut rates: Vec<ShippingRate> = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (region, amount) = line
            .split_once(|c: char| c.is_whitespace() || c == ':' || c == '=')
            .ok_or_else(|| {
                format!(
                    "Line {}: write a country code and a price, like “US 8.00”.",
                    n + 1
                )
            })?;
        let region = if region.trim() == "*" {
            "*".to_string()
        } else {
            check_country(region).map_err(|e| format!("Line {}: {e}", n + 1))?
        };
        let amount =
            Money::parse(amount.trim(), currency).map_err(|e| format!("Line {}: {e}", n + 1))?;
        if amount.amount < 0 {
            return Err(format!("Line {}: a rate cannot be negative.", n + 1));
        }
        if rates.iter().any(|r| r.region == region) {
            return Err(format!("Line {}: {region} has two rates.", n + 1));
        }
        rates.push(ShippingRate {
            region,
            amount: amount.amount,
        });
    }
    if rates.len() > 250 {
        return Err("At most 250 rates.".into());
    }
    Ok(rates)
}

/// Rates back in the form's text shape.
pub fn format_rates(rates: &[ShippingRate], currency: Currency) -> String {
    rates
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.region,
                Money::new(r.amount, currency).to_decimal_string()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The store settings form, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StoreSettingsInput {
    pub name: String,
    pub tagline: String,
    pub description: String,
    pub logo_url: String,
    pub currency: String,
    pub ships_from: String,
    pub shipping_rates: String,
    pub free_shipping_over: String,
    pub policies: String,
    pub faq: String,
    pub payment_instructions: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSettings {
    pub name: String,
    pub tagline: String,
    pub description: String,
    pub logo_url: Option<String>,
    pub currency: Currency,
    pub shipping: ShippingPolicy,
    pub policies: String,
    pub faq: String,
    pub payment_instructions: String,
}

fn long_text(e: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        e.add(field, format!("At most {max} characters."));
    }
    value.to_string()
}

pub fn validate_store_settings(input: &StoreSettingsInput) -> Result<StoreSettings, FieldErrors> {
    let mut e = FieldErrors::default();
    let name = e.check("name", super::account::check_store_name(&input.name));
    let tagline = long_text(&mut e, "tagline", &input.tagline, 140);
    let description = long_text(&mut e, "description", &input.description, 4000);
    let policies = long_text(&mut e, "policies", &input.policies, 8000);
    let faq = long_text(&mut e, "faq", &input.faq, 8000);
    let payment_instructions = long_text(
        &mut e,
        "payment_instructions",
        &input.payment_instructions,
        2000,
    );
    let logo = input.logo_url.trim();
    let logo_url = if logo.is_empty() {
        None
    } else if logo.len() > 500 || !(logo.starts_with("https://") || logo.starts_with('/')) {
        e.add("logo_url", "Use an https:// address (or leave it empty).");
        None
    } else {
        Some(logo.to_string())
    };
    let currency = e.check(
        "currency",
        Currency::parse(&input.currency).map_err(|err| err.to_string()),
    );
    let ships_from = e.check("ships_from", check_country(&input.ships_from));
    let (rates, free_over) = match currency {
        Some(c) => {
            let rates = e.check("shipping_rates", parse_rates(&input.shipping_rates, c));
            let free = input.free_shipping_over.trim();
            let free_over = if free.is_empty() {
                None
            } else {
                match Money::parse(free, c) {
                    Ok(m) if m.amount > 0 => Some(m.amount),
                    Ok(_) => {
                        e.add(
                            "free_shipping_over",
                            "Use an amount above zero, or leave it empty.",
                        );
                        None
                    }
                    Err(err) => {
                        e.add("free_shipping_over", err.to_string());
                        None
                    }
                }
            };
            (rates, free_over)
        }
        None => (None, None),
    };
    match (name, currency, ships_from, rates) {
        (Some(name), Some(currency), Some(ships_from), Some(rates)) if e.is_empty() => {
            Ok(StoreSettings {
                name,
                tagline,
                description,
                logo_url,
                currency,
                shipping: ShippingPolicy {
                    ships_from,
                    rates,
                    free_over,
                },
                policies,
                faq,
                payment_instructions,
            })
        }
        _ => Err(e),
    }
}

/// The "list in store" form, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListingInput {
    pub price: String,
    pub quantity: String,
    /// The most units one order may take ("" = no limit beyond what is offered).
    #[serde(default)]
    pub max_per_order: String,
}

/// A checked listing: the unit price, the units offered and the most one order may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingDraft {
    pub price: Money,
    pub quantity: i64,
    pub max_per_order: Option<i64>,
}

/// Checks a listing of up to `held` units at a price in `currency`.
pub fn validate_listing(
    input: &ListingInput,
    currency: Currency,
    held: i64,
) -> Result<ListingDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let price = match Money::parse(input.price.trim(), currency) {
        Ok(m) if m.amount > 0 => Some(m),
        Ok(_) => {
            e.add("price", "Set a price above zero.");
            None
        }
        Err(err) if input.price.trim().is_empty() => {
            let _ = err;
            e.add("price", "Set the price shoppers pay.");
            None
        }
        Err(err) => {
            e.add("price", err.to_string());
            None
        }
    };
    let quantity = if input.quantity.trim().is_empty() {
        Some(held)
    } else {
        match input.quantity.trim().parse::<i64>() {
            Ok(q) if (1..=held).contains(&q) => Some(q),
            _ => {
                e.add("quantity", format!("List from 1 to {held} units."));
                None
            }
        }
    };
    let max_per_order = match input.max_per_order.trim() {
        "" => Some(None),
        text => match text.parse::<i64>() {
            Ok(m) if (1..=MAX_LINE_QUANTITY).contains(&m) => Some(Some(m)),
            _ => {
                e.add(
                    "max_per_order",
                    format!(
                        "Enter a whole number from 1 to {MAX_LINE_QUANTITY}, or leave it empty."
                    ),
                );
                None
            }
        },
    };
    match (price, quantity, max_per_order) {
        (Some(price), Some(quantity), Some(max_per_order)) => Ok(ListingDraft {
            price,
            quantity,
            max_per_order,
        }),
        _ => Err(e),
    }
}

/// Where the parcel goes. `country` is required; the rest is checked when given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ShippingAddress {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postal_code: String,
    pub region: String,
    pub country: String,
}

impl ShippingAddress {
    /// One line per part, as the post of its country writes it: "Austin, TX 73301" in North
    /// America and Australia, "10115 Berlin" (region on its own line) elsewhere.
    pub fn lines(&self) -> Vec<String> {
        let join = |parts: &[&str], sep: &str| {
            parts
                .iter()
                .filter(|s| !s.trim().is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(sep)
        };
        let (city, region) = if matches!(self.country.as_str(), "US" | "CA" | "AU") {
            let tail = join(&[&self.region, &self.postal_code], " ");
            (join(&[&self.city, &tail], ", "), String::new())
        } else {
            (
                join(&[&self.postal_code, &self.city], " "),
                self.region.clone(),
            )
        };
        [
            self.name.clone(),
            self.line1.clone(),
            self.line2.clone(),
            city,
            region,
            self.country.clone(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckoutLine {
    pub listing_id: String,
    pub quantity: i64,
}

/// `POST /api/v1/checkout/session` body (CONTRACT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckoutRequest {
    pub store: String,
    pub lines: Vec<CheckoutLine>,
    pub email: String,
    #[serde(default)]
    pub shipping_address: Option<ShippingAddress>,
}

/// A checked checkout: lines merged per listing, email normalised, address trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCheckout {
    pub store: String,
    pub lines: Vec<CheckoutLine>,
    pub email: Email,
    pub shipping_address: Option<ShippingAddress>,
}

/// Checks a checkout. The parcel needs a complete address (checked per country), unless the
/// payment page collects it (`address_collected_at_payment`, Stripe): then the address may
/// be left out, or be a country alone to price the shipping.
pub fn validate_checkout(
    req: &CheckoutRequest,
    address_collected_at_payment: bool,
) -> Result<CheckedCheckout, FieldErrors> {
    let mut e = FieldErrors::default();
    let email = e.check("email", Email::parse(&req.email));
    let mut lines: Vec<CheckoutLine> = Vec::new();
    if req.lines.is_empty() {
        e.add("lines", "The cart is empty.");
    } else if req.lines.len() > MAX_CHECKOUT_LINES {
        e.add(
            "lines",
            format!("At most {MAX_CHECKOUT_LINES} lines per order."),
        );
    }
    for (n, line) in req.lines.iter().enumerate() {
        let id = line.listing_id.trim();
        if id.is_empty() || id.len() > 64 {
            e.add(&format!("lines[{n}].listing_id"), "Unknown listing.");
            continue;
        }
        if !(1..=MAX_LINE_QUANTITY).contains(&line.quantity) {
            e.add(
                &format!("lines[{n}].quantity"),
                format!("Buy from 1 to {MAX_LINE_QUANTITY} units."),
            );
            continue;
        }
        match lines.iter_mut().find(|l| l.listing_id == id) {
            Some(existing) => {
                existing.quantity = (existing.quantity + line.quantity).min(MAX_LINE_QUANTITY)
            }
            None => lines.push(CheckoutLine {
                listing_id: id.to_string(),
                quantity: line.quantity,
            }),
        }
    }
    let shipping_address = match &req.shipping_address {
        None if address_collected_at_payment => None,
        None => {
            e.add("shipping_address", "Enter the address the order ships to.");
            None
        }
        Some(a) if address_collected_at_payment && only_country(a) => Some(ShippingAddress {
            country: e
                .check("shipping_address.country", check_country(&a.country))
                .unwrap_or_default(),
            ..Default::default()
        }),
        Some(a) => Some(super::address::check_full_address(
            &mut e,
            "shipping_address",
            a,
        )),
    };
    // Store addresses are ASCII (`check_slug`).
    let store = req.store.trim().to_ascii_lowercase();
    if store.is_empty() || store.len() > 64 {
        e.add("store", "Unknown store.");
    }
    match email {
        Some(email) if e.is_empty() => Ok(CheckedCheckout {
            store,
            lines,
            email,
            shipping_address,
        }),
        _ => Err(e),
    }
}

fn only_country(a: &ShippingAddress) -> bool {
    [
        &a.name,
        &a.line1,
        &a.line2,
        &a.city,
        &a.postal_code,
        &a.region,
    ]
    .iter()
    .all(|s| s.trim().is_empty())
}

/// A refund as the owner types it: the amount (empty = what is left) and, per order line,
/// how many units came back (or, unshipped, stay here) and go back on sale. A refund is
/// money, a return is stock: no unit goes back on sale unless it is named here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RefundInput {
    pub amount: String,
    #[serde(default)]
    pub returns: Vec<LineReturn>,
}

/// Units of one order line that go back on sale, as typed ("" = none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LineReturn {
    pub line_id: String,
    pub quantity: String,
}

/// An order line as a refund sees it: how many units can still come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnableLine {
    pub id: String,
    pub title: String,
    pub returnable: i64,
}

/// A checked refund: minor units to give back and units per line going back on sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundDraft {
    pub amount: i64,
    pub returns: Vec<(String, i64)>,
}

/// Checks a refund of an order that has `refundable` minor units left to give back.
pub fn validate_refund(
    input: &RefundInput,
    currency: Currency,
    refundable: i64,
    lines: &[ReturnableLine],
) -> Result<RefundDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let amount = if refundable <= 0 {
        e.add("amount", "This order has been refunded in full.");
        0
    } else if input.amount.trim().is_empty() {
        refundable
    } else {
        match Money::parse(input.amount.trim(), currency) {
            Ok(m) if m.amount > 0 && m.amount <= refundable => m.amount,
            Ok(_) => {
                e.add(
                    "amount",
                    format!(
                        "Refund between {} and {}.",
                        Money::new(1, currency),
                        Money::new(refundable, currency)
                    ),
                );
                0
            }
            Err(err) => {
                e.add(
                    "amount",
                    format!("{}.", super::validation::capitalise(&err.to_string())),
                );
                0
            }
        }
    };
    let mut returns = Vec::new();
    for r in &input.returns {
        let text = r.quantity.trim();
        if text.is_empty() || text == "0" {
            continue;
        }
        let Some(line) = lines.iter().find(|l| l.id == r.line_id) else {
            e.add(
                "returns",
                "That line is not part of this order; reload the page.",
            );
            continue;
        };
        match text.parse::<i64>() {
            Ok(q) if q >= 1 && q <= line.returnable => returns.push((line.id.clone(), q)),
            _ if line.returnable == 0 => e.add(
                "returns",
                format!("Every unit of {} is back already.", line.title),
            ),
            _ => e.add(
                "returns",
                format!(
                    "{}: put back from 0 to {} unit(s).",
                    line.title, line.returnable
                ),
            ),
        }
    }
    if e.is_empty() {
        Ok(RefundDraft { amount, returns })
    } else {
        Err(e)
    }
}

/// "10 minutes", "1 hour", "3 days": a hold's length for people (whole units, rounded down).
pub fn describe_duration(secs: u64) -> String {
    let (n, unit) = if secs >= 86_400 && secs.is_multiple_of(86_400) {
        (secs / 86_400, "day")
    } else if secs >= 3_600 {
        (secs / 3_600, "hour")
    } else if secs >= 60 {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Shares `amount` out over `capacities` in proportion, never more than a share's capacity;
/// what rounding leaves goes to the first shares with room. Used to put a refund against
/// the sales of an order.
pub fn share_out(amount: i64, capacities: &[i64]) -> Vec<i64> {
    let total: i64 = capacities.iter().map(|c| (*c).max(0)).sum();
    let amount = amount.clamp(0, total);
    if total == 0 {
        return vec![0; capacities.len()];
    }
    let mut shares: Vec<i64> = capacities
        .iter()
        .map(|c| ((i128::from((*c).max(0)) * i128::from(amount)) / i128::from(total)) as i64)
        .collect();
    let mut left = amount - shares.iter().sum::<i64>();
    for (share, cap) in shares.iter_mut().zip(capacities) {
        let room = (*cap).max(0) - *share;
        let take = room.min(left);
        *share += take;
        left -= take;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rated_policy(free_over: Option<i64>) -> ShippingPolicy {
        ShippingPolicy {
            ships_from: "US".into(),
            rates: vec![
                ShippingRate {
                    region: "US".into(),
                    amount: 1_200,
                },
                ShippingRate {
                    region: "*".into(),
                    amount: 4_500,
                },
            ],
            free_over,
        }
    }

    #[test]
    fn carts_and_orders_are_priced_alike() {
        let p = rated_policy(Some(50_000));
        // Two lines, shipped abroad: the rest-of-the-world rate.
        let priced = price_order([(10_000, 2), (5_000, 1)], &p, Some("DE")).unwrap();
        assert_eq!(
            priced,
            Priced {
                subtotal: 25_000,
                shipping: Some(4_500),
                total: Some(29_500)
            }
        );
        // No country yet: the store's own.
        assert_eq!(
            price_order([(100, 1)], &p, None).unwrap().shipping,
            Some(1_200)
        );
        // The threshold itself ships free; a cent under it does not.
        assert_eq!(
            price_order([(50_000, 1)], &p, Some("US")).unwrap().total,
            Some(50_000)
        );
        assert_eq!(
            price_order([(49_999, 1)], &p, Some("US")).unwrap().total,
            Some(51_199)
        );
        // A zero-decimal currency is priced in whole yen the same way.
        assert_eq!(
            price_order([(1_500, 3)], &rated_policy(None), Some("JP"))
                .unwrap()
                .total,
            Some(9_000)
        );
        // A store that ships only at home.
        let home = ShippingPolicy {
            ships_from: "US".into(),
            rates: vec![],
            free_over: None,
        };
        assert_eq!(
            price_order([(100, 1)], &home, Some("US")).unwrap().total,
            Some(100)
        );
        assert_eq!(
            price_order([(100, 1)], &home, Some("FR")).unwrap(),
            Priced {
                subtotal: 100,
                shipping: None,
                total: None
            }
        );
        // Overflow anywhere is an error, never a capped or wrapped figure.
        assert_eq!(price_order([(i64::MAX / 2, 3)], &p, None), Err(TooLarge));
        assert_eq!(
            price_order([(i64::MAX / 2, 1), (i64::MAX / 2, 1), (10, 1)], &p, None),
            Err(TooLarge)
        );
        assert_eq!(
            price_order([(i64::MAX - 100, 1)], &rated_policy(None), Some("FR")),
            Err(TooLarge)
        );
        assert_eq!(price_order([], &p, None).unwrap().subtotal, 0);
    }

    #[test]
    fn addresses_read_as_their_country_writes_them() {
        let us = ShippingAddress {
            name: "Sam Buyer".into(),
            line1: "1 Main St".into(),
            city: "Austin".into(),
            postal_code: "73301".into(),
            region: "TX".into(),
            country: "US".into(),
            ..Default::default()
        };
        assert_eq!(
            us.lines(),
            ["Sam Buyer", "1 Main St", "Austin, TX 73301", "US"]
        );
        let de = ShippingAddress {
            name: "Lea Käufer".into(),
            line1: "Hauptstraße 1".into(),
            city: "Berlin".into(),
            postal_code: "10115".into(),
            country: "DE".into(),
            ..Default::default()
        };
        assert_eq!(
            de.lines(),
            ["Lea Käufer", "Hauptstraße 1", "10115 Berlin", "DE"]
        );
        let only_country = ShippingAddress {
            country: "CA".into(),
            ..Default::default()
        };
        assert_eq!(only_country.lines(), ["CA"]);
    }

    #[test]
    fn refunds_read_money_and_returns_per_line() {
        let lines = vec![
            ReturnableLine {
                id: "a".into(),
                title: "Dunk".into(),
                returnable: 2,
            },
            ReturnableLine {
                id: "b".into(),
                title: "Box".into(),
                returnable: 0,
            },
        ];
        let input = |amount: &str, returns: &[(&str, &str)]| RefundInput {
            amount: amount.into(),
            returns: returns
                .iter()
                .map(|(l, q)| LineReturn {
                    line_id: (*l).into(),
                    quantity: (*q).into(),
                })
                .collect(),
        };
        let ok = validate_refund(&input("1,00", &[]), Currency::Usd, 10_000, &lines).unwrap();
        assert_eq!(
            ok,
            RefundDraft {
                amount: 100,
                returns: vec![]
            },
            "1,00 is one dollar"
        );
        let all = validate_refund(
            &input("", &[("a", "2"), ("b", "")]),
            Currency::Usd,
            5_000,
            &lines,
        )
        .unwrap();
        assert_eq!(
            all,
            RefundDraft {
                amount: 5_000,
                returns: vec![("a".into(), 2)]
            }
        );
        for bad in [
            input("50.01", &[]),
            input("0", &[]),
            input("1", &[("a", "3")]),
            input("1", &[("b", "1")]),
            input("1", &[("zz", "1")]),
            input("1", &[("a", "-1")]),
        ] {
            assert!(
                validate_refund(&bad, Currency::Usd, 5_000, &lines).is_err(),
                "{bad:?}"
            );
        }
        assert!(validate_refund(&input("", &[]), Currency::Usd, 0, &lines).is_err());
    }

    #[test]
    fn hold_lengths_read_as_people_say_them() {
        assert_eq!(describe_duration(600), "10 minutes");
        assert_eq!(describe_duration(3 * 86_400), "3 days");
        assert_eq!(describe_duration(3_600), "1 hour");
        assert_eq!(describe_duration(90_000), "25 hours");
        assert_eq!(describe_duration(1), "1 second");
    }

    #[test]
    fn refunds_are_shared_out_over_sales_in_proportion() {
        assert_eq!(share_out(5_000, &[100_000, 2_200]), vec![4_893, 107]);
        assert_eq!(share_out(3, &[1, 1, 1]), vec![1, 1, 1]);
        assert_eq!(share_out(2, &[1, 1, 1]), vec![1, 1, 0]);
        assert_eq!(
            share_out(10, &[0, 5]),
            vec![0, 5],
            "never more than a sale holds"
        );
        assert_eq!(share_out(7, &[]), Vec::<i64>::new());
        let shares = share_out(99_999, &[33_333, 33_333, 33_334]);
        assert_eq!(shares.iter().sum::<i64>(), 99_999);
    }

    #[test]
    fn order_statuses_move_only_along_the_table() {
        use OrderStatus::*;
        // Unpaid orders may be paid, released or refunded; released ones may still be paid.
        assert!(PendingPayment.can_become(PaymentProcessing));
        assert!(PaymentProcessing.can_become(Expired));
        assert!(Expired.can_become(Paid) && Cancelled.can_become(PaidNeedsAttention));
        // Paid money is never "released", and an order is not shipped before it is paid.
        for paid in [Paid, PaidNeedsAttention, Shipped, Refunded] {
            assert!(!paid.can_become(Cancelled) && !paid.can_become(Expired));
            assert!(!paid.can_become(PendingPayment));
        }
        for unpaid in [PendingPayment, PaymentProcessing, Cancelled, Expired] {
            assert!(!unpaid.can_become(Shipped), "{unpaid:?}");
        }
        assert!(!Expired.can_become(Cancelled));
        assert!(!Shipped.can_become(Paid));
        // A dispute reaches the owner whatever happened since.
        assert!(Shipped.can_become(PaidNeedsAttention) && Refunded.can_become(PaidNeedsAttention));
        // Every status names itself as a place it may stay.
        for s in OrderStatus::ALL {
            assert!(s.can_become(*s));
            assert!(!s.next().contains(s), "{s:?} lists itself");
        }
    }

    fn policy() -> ShippingPolicy {
        ShippingPolicy {
            ships_from: "US".into(),
            rates: parse_rates("US 8.00\nCA 15\n* 30", Currency::Usd).unwrap(),
            free_over: Some(20_000),
        }
    }

    #[test]
    fn shipping_by_country_with_a_free_threshold() {
        let p = policy();
        assert_eq!(p.cost(None, 5_000), Some(800));
        assert_eq!(p.cost(Some("ca"), 5_000), Some(1_500));
        assert_eq!(p.cost(Some("DE"), 5_000), Some(3_000));
        assert_eq!(p.cost(Some("DE"), 20_000), Some(0));
        let domestic_only = ShippingPolicy {
            rates: parse_rates("US 5", Currency::Usd).unwrap(),
            ..p
        };
        assert_eq!(domestic_only.cost(Some("FR"), 100), None);
    }

    #[test]
    fn rates_are_checked_line_by_line() {
        assert!(
            parse_rates("USA 8", Currency::Usd)
                .unwrap_err()
                .contains("Line 1")
        );
        assert!(
            parse_rates("US 8\nUS 9", Currency::Usd)
                .unwrap_err()
                .contains("two rates")
        );
        assert!(parse_rates("US abc", Currency::Usd).is_err());
        let jpy = parse_rates("JP 800", Currency::Jpy).unwrap();
        assert_eq!(jpy[0].amount, 800);
        assert_eq!(format_rates(&jpy, Currency::Jpy), "JP 800");
    }

    #[test]
    fn checkout_merges_lines_and_names_bad_fields() {
        let req = CheckoutRequest {
            store: "Demo".into(),
            lines: vec![
                CheckoutLine {
                    listing_id: "a".into(),
                    quantity: 1,
                },
                CheckoutLine {
                    listing_id: "a".into(),
                    quantity: 2,
                },
            ],
            email: " Buyer@Example.com ".into(),
            shipping_address: Some(ShippingAddress {
                country: "de".into(),
                ..Default::default()
            }),
        };
        // A country alone is enough only when the payment page collects the address.
        let e = validate_checkout(&req, false).unwrap_err();
        assert!(e.get("shipping_address.postal_code").is_some());
        assert!(e.get("shipping_address.name").is_some());
        let none = CheckoutRequest {
            shipping_address: None,
            ..req.clone()
        };
        assert!(
            validate_checkout(&none, false)
                .unwrap_err()
                .get("shipping_address")
                .is_some()
        );
        assert!(validate_checkout(&none, true).is_ok());
        let ok = validate_checkout(&req, true).unwrap();
        assert_eq!(ok.shipping_address.as_ref().unwrap().country, "DE");
        assert_eq!(
            ok.lines,
            vec![CheckoutLine {
                listing_id: "a".into(),
                quantity: 3
            }]
        );
        assert_eq!(ok.email.as_str(), "buyer@example.com");
        assert_eq!(ok.store, "demo");
        let bad = CheckoutRequest {
            lines: vec![CheckoutLine {
                listing_id: "a".into(),
                quantity: 0,
            }],
            email: "nope".into(),
            shipping_address: Some(ShippingAddress {
                country: "Germany".into(),
                ..Default::default()
            }),
            ..req
        };
        let e = validate_checkout(&bad, true).unwrap_err();
        assert!(e.get("email").is_some());
        assert!(e.get("lines[0].quantity").is_some());
        assert!(e.get("shipping_address.country").is_some());
    }

    #[test]
    fn listing_and_refund_amounts() {
        let ok = validate_listing(
            &ListingInput {
                price: "120".into(),
                quantity: "".into(),
                max_per_order: "".into(),
            },
            Currency::Usd,
            3,
        )
        .unwrap();
        assert_eq!(
            ok,
            ListingDraft {
                price: Money::new(12_000, Currency::Usd),
                quantity: 3,
                max_per_order: None
            }
        );
        let capped = ListingInput {
            price: "120".into(),
            quantity: "3".into(),
            max_per_order: "2".into(),
        };
        let capped = validate_listing(&capped, Currency::Usd, 3).unwrap();
        assert_eq!(capped.max_per_order, Some(2));
        let e = validate_listing(
            &ListingInput {
                price: "0".into(),
                quantity: "4".into(),
                max_per_order: "0".into(),
            },
            Currency::Usd,
            3,
        )
        .unwrap_err();
        assert!(e.get("price").is_some() && e.get("quantity").is_some());
        assert!(e.get("max_per_order").is_some());
        assert_eq!(
            validate_refund(&RefundInput::default(), Currency::Usd, 500, &[]).map(|d| d.amount),
            Ok(500)
        );
        let six = RefundInput {
            amount: "6".into(),
            returns: vec![],
        };
        assert!(validate_refund(&six, Currency::Usd, 500, &[]).is_err());
        assert!(validate_refund(&RefundInput::default(), Currency::Usd, 0, &[]).is_err());
    }
}
