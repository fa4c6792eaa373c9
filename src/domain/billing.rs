//! Plans and what they limit, shared by the billing page (browser) and the quota guard
//! (server).

use serde::{Deserialize, Serialize};
use std::fmt;

string_enum!(
    /// What a reseller's account runs on. Beta is premium's limits, granted by an admin.
    Plan {
        Free => "free" / "Free",
        Premium => "premium" / "Premium",
        Beta => "beta" / "Beta",
    }
);

impl Plan {
    /// The `[plans.*]` table of `Leptos.toml` whose limits apply.
    pub fn limits_key(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Premium | Plan::Beta => "premium",
        }
    }
}

string_enum!(
    /// A limited resource, named as in `[plans.*]` of `Leptos.toml` and in the API's
    /// `quota_exceeded` details.
    Resource {
        Items => "items" / "Inventory items",
        SalesPerMonth => "sales_per_month" / "Sales this month",
        WtbLists => "wtb_lists" / "Want-To-Buy lists",
        MonitorKeywords => "monitor_keywords" / "Monitor keywords",
        ShipmentsPerMonth => "shipments_per_month" / "Shipments this month",
    }
);

impl Resource {
    /// How one of it is called in a sentence ("100 sales a month").
    pub fn counted(self, n: u64) -> String {
        let (one, many, per) = match self {
            Resource::Items => ("inventory item", "inventory items", ""),
            Resource::SalesPerMonth => ("sale", "sales", " a month"),
            Resource::WtbLists => ("Want-To-Buy list", "Want-To-Buy lists", ""),
            Resource::MonitorKeywords => ("monitor keyword", "monitor keywords", ""),
            Resource::ShipmentsPerMonth => ("shipment", "shipments", " a month"),
        };
        format!("{} {}{per}", grouped(n), if n == 1 { one } else { many })
    }
}

/// `100000` as "100,000".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How full one limit is, for the usage bars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub resource: Resource,
    pub used: u64,
    pub allowed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    Normal,
    /// 80 % or more: time to think about upgrading.
    Amber,
    /// At or past the limit: nothing new of this kind.
    Full,
}

impl Usage {
    pub fn fill(&self) -> Fill {
        if self.used >= self.allowed {
            Fill::Full
        } else if self.used * 5 >= self.allowed * 4 {
            Fill::Amber
        } else {
            Fill::Normal
        }
    }
}

/// How a refusal on the free plan ends; the page shows an "Upgrade" button next to it.
pub const UPGRADE_HINT: &str = "Upgrade to Premium for more room.";

/// The sentence shown when something would pass a limit.
pub fn over_limit_message(plan: Plan, resource: Resource, allowed: u64, used: u64) -> String {
    let room = resource.counted(allowed);
    let tail = if plan == Plan::Free {
        UPGRADE_HINT
    } else {
        "Remove some first, or contact us for more room."
    };
    format!(
        "Your {} plan has room for {room} and {used} {} already used. {tail}",
        plan.label(),
        if used == 1 { "is" } else { "are" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_turn_amber_at_80_and_full_at_100_percent() {
        let at = |used| Usage {
            resource: Resource::Items,
            used,
            allowed: 250,
        };
        assert_eq!(at(199).fill(), Fill::Normal);
        assert_eq!(at(200).fill(), Fill::Amber);
        assert_eq!(at(249).fill(), Fill::Amber);
        assert_eq!(at(250).fill(), Fill::Full);
        assert_eq!(at(300).fill(), Fill::Full);
    }

    #[test]
    fn messages_name_the_limit_and_the_way_out() {
        let m = over_limit_message(Plan::Free, Resource::SalesPerMonth, 100, 100);
        assert_eq!(
            m,
            "Your Free plan has room for 100 sales a month and 100 are already used. Upgrade to Premium for more room."
        );
        let m = over_limit_message(Plan::Beta, Resource::WtbLists, 1, 1);
        assert!(m.starts_with("Your Beta plan has room for 1 Want-To-Buy list and 1 is"));
        assert_eq!(Plan::Beta.limits_key(), "premium");
        assert_eq!(Resource::Items.counted(100_000), "100,000 inventory items");
        assert_eq!(
            Resource::parse("sales_per_month"),
            Some(Resource::SalesPerMonth)
        );
    }
}

/// The UTC calendar day of an epoch-seconds time, `YYYY-MM-DD` (Stripe's times, shown in
/// the browser without a date library).
pub fn day_of(epoch_secs: i64) -> String {
    // Days to civil date (H. Hinnant's algorithm).
    let z = epoch_secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod day_tests {
    use super::day_of;

    #[test]
    fn epoch_seconds_become_utc_days() {
        assert_eq!(day_of(0), "1970-01-01");
        assert_eq!(day_of(951_782_400), "2000-02-29");
        assert_eq!(day_of(1_796_083_199), "2026-11-30");
        assert_eq!(day_of(1_796_083_200), "2026-12-01");
    }
}
