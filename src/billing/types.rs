//! What the billing pages show, shared by server and browser.

use serde::{Deserialize, Serialize};

use crate::domain::billing::{Plan, Usage};

/// Where the reseller's plan comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanSource {
    Free,
    /// An admin granted it, saying why.
    Grant {
        reason: String,
    },
    /// A Stripe subscription pays for it.
    Subscription,
    /// Premium days (a referral trial or reward) until `until` (epoch seconds).
    Days {
        reason: String,
        until: i64,
    },
}

/// A Stripe subscription as its newest event described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    /// Stripe's status: active, trialing, past_due, unpaid, canceled, incomplete…
    pub status: String,
    pub price_id: String,
    /// End of the paid period (epoch seconds): the renewal, or the end when cancelling.
    pub renews_at: Option<i64>,
    pub cancel_at_period_end: bool,
    /// A renewal failed: premium holds until then (epoch seconds), then the plan is free.
    pub grace_until: Option<i64>,
}

/// The plan and what it stands on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub plan: Plan,
    pub source: PlanSource,
    pub subscription: Option<SubscriptionView>,
}

/// One invoice Stripe reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRow {
    pub id: String,
    /// Epoch seconds.
    pub created: i64,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    /// `paid` or `payment_failed`.
    pub status: String,
    pub hosted_url: Option<String>,
}

/// Premium's prices on this instance: which intervals are sold (both `false`: premium is not
/// for sale here — no Stripe keys or no prices configured).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForSale {
    pub monthly: bool,
    pub yearly: bool,
}

impl ForSale {
    pub fn any(self) -> bool {
        self.monthly || self.yearly
    }
}

/// A reseller's referral link and what it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub link: String,
    pub trial_days: u32,
    pub reward_days: u32,
    /// Resellers who signed up through the link, and how many of them have paid.
    pub signed_up: u64,
    pub rewarded: u64,
}

/// The reseller's plan and how full each limit is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingOverview {
    pub plan: Plan,
    pub standing: Standing,
    pub usage: Vec<Usage>,
    /// Premium's limits, for "what premium adds".
    pub premium: Vec<Usage>,
    pub for_sale: ForSale,
    /// The reseller has a Stripe customer: the Customer Portal can open.
    pub can_manage: bool,
    pub invoices: Vec<InvoiceRow>,
    /// `None` for an admin's look at someone else's account.
    pub referral: Option<Referral>,
}

/// A reseller's account as an admin sees it on the plans page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPlan {
    pub user_id: String,
    pub email: String,
    pub overview: BillingOverview,
}

/// Which price an upgrade buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Monthly,
    Yearly,
}
