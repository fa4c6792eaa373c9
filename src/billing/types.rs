//! What the billing pages show, shared by server and browser.

use serde::{Deserialize, Serialize};

use crate::domain::billing::{Plan, Usage};

/// The reseller's plan and how full each limit is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingOverview {
    pub plan: Plan,
    pub usage: Vec<Usage>,
    /// Premium's limits, for "what premium adds".
    pub premium: Vec<Usage>,
    /// Why an admin granted the plan, when they did.
    pub granted_reason: Option<String>,
    /// Whether this instance can take payments for premium (Stripe is configured).
    pub premium_for_sale: bool,
}

/// A reseller's account as an admin sees it on the plans page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPlan {
    pub user_id: String,
    pub email: String,
    pub overview: BillingOverview,
}
