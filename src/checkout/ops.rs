//! The order transactions of `tx.rs`, compiled once per backend (the file is written
//! against a `DB` type, so no generic bounds are needed), and the values they take.

/// A priced line about to be reserved.
pub struct NewLine {
    pub listing_id: String,
    pub item_id: String,
    pub title: String,
    pub unit_price: i64,
    pub quantity: i64,
}

pub struct NewOrder {
    pub id: String,
    pub store_id: String,
    pub owner: String,
    pub payment_method: crate::domain::store::PaymentMethod,
    pub email: String,
    pub address_json: String,
    pub currency: crate::domain::Currency,
    pub subtotal: i64,
    pub shipping: i64,
    pub total: i64,
    pub expires_at_ms: i64,
    /// Manual payment: when to remind the buyer that the hold is ending.
    pub reminder_at_ms: Option<i64>,
    /// Who placed it (an HMAC of the buyer's IP address) and the most units one buyer may
    /// hold in the store at once, counted by this key or the email.
    pub buyer_key: String,
    pub most_units_held: i64,
    pub lines: Vec<NewLine>,
    /// The buyer's link (HMAC of its token) answered to the checkout and, for manual payment,
    /// the mail with a link of its own.
    pub link: GuestLink,
    pub mail: Option<(String, String)>,
    pub mail_link: Option<GuestLink>,
}

pub struct GuestLink {
    pub token_hash: String,
    pub expires_at_ms: i64,
    /// Sent by mail to the buyer's address (opening it confirms the address wants the
    /// store's mail), rather than answered to whoever placed the order.
    pub mailed: bool,
}

/// A payment that arrived (Stripe) or that the owner confirmed (manual).
pub struct Payment<'a> {
    pub order_id: &'a str,
    pub actor: super::audit::Actor<'a>,
    /// What was paid, when the payer says (Stripe): checked against the order.
    pub amount: Option<(i64, String)>,
    pub payment_intent: Option<&'a str>,
    /// The parcel's address as Stripe's page collected it (when the order came without one).
    pub collected_address: Option<crate::domain::store::ShippingAddress>,
    /// The seller's local day (the sale's date).
    pub sold_on: &'a str,
    /// The confirmation mail and the link it carries.
    pub link: GuestLink,
    pub mail: (String, String),
}

#[derive(Debug, PartialEq, Eq)]
pub enum PaymentOutcome {
    Paid,
    NeedsAttention,
    AlreadyPaid,
    NotFound,
}

/// What a Stripe event asks for, with the order it is about.
pub enum EventEffect<'a> {
    Paid(Box<Payment<'a>>),
    Processing {
        order_id: &'a str,
    },
    PaymentFailed {
        order_id: &'a str,
    },
    SessionExpired {
        order_id: &'a str,
    },
    Refunded {
        order_id: Option<&'a str>,
        payment_intent: Option<&'a str>,
        amount_refunded: i64,
    },
    Disputed {
        order_id: Option<&'a str>,
        payment_intent: Option<&'a str>,
        reason: String,
    },
    Ignored,
}

/// Whether a Stripe event was received (or applied) for the first time, or was seen before
/// and changed nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum EventSeen {
    First,
    Duplicate,
}

/// Why an order was not placed (nothing was written).
#[derive(Debug, PartialEq, Eq)]
pub enum Unplaced {
    /// This listing has fewer units available than the line asks for.
    Short(String),
    /// The buyer already holds this many units in the store's unpaid orders.
    BuyerHolds(i64),
}

#[derive(Debug, PartialEq, Eq)]
pub enum Refunded {
    Done,
    /// This refund (its id) was recorded before: nothing changed.
    Duplicate,
    /// The id names a refund of another order.
    IdTaken,
    TooMuch,
    /// A line cannot take back that many units (returned meanwhile, or never sold).
    TooManyReturned,
    NotRefundable,
}

/// A refund the owner asked for, checked: the money, the units going back on sale per
/// order line, and the buyer's mail (subject, body).
pub struct RefundRequest<'a> {
    pub refund_id: &'a str,
    pub amount: i64,
    pub returns: &'a [(String, i64)],
    pub actor: super::audit::Actor<'a>,
    pub stripe_refund: Option<&'a str>,
    pub mail: (String, String),
}
