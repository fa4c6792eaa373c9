//! What the dashboard asks for and gets back: KPIs for a period compared with the period
//! before, and the series its charts draw. Money is minor units of one currency — amounts
//! in different currencies are never added; the reseller switches currency instead.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodKind {
    Week,
    #[default]
    Month,
    Quarter,
    Year,
    Custom,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 5] = [
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::Year,
        PeriodKind::Custom,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PeriodKind::Week => "This week",
            PeriodKind::Month => "This month",
            PeriodKind::Quarter => "This quarter",
            PeriodKind::Year => "This year",
            PeriodKind::Custom => "Custom",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
            PeriodKind::Custom => "custom",
        }
    }

    pub fn from_key(key: &str) -> Option<PeriodKind> {
        PeriodKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// The period (custom: `from`/`to` as YYYY-MM-DD) and the currency (empty: the usual one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodQuery {
    pub kind: PeriodKind,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub currency: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    pub from: String,
    pub to: String,
}

/// A figure now (end of the period, or over it) and in the period before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compare {
    pub now: i64,
    pub before: i64,
}

/// A ratio that may not exist (nothing to divide by), e.g. ROI in basis points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRatio {
    pub now: Option<i64>,
    pub before: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpis {
    pub currency: String,
    /// Every currency the reseller has stock or sales in.
    pub currencies: Vec<String>,
    pub time_zone: String,
    pub today: String,
    pub period: DateRange,
    pub previous: DateRange,
    /// Held stock at the end of each period (from the ledger).
    pub units_held: Compare,
    pub cost_value: Compare,
    pub market_value: Compare,
    pub unrealised: Compare,
    /// Held items with no market price yet (valued at cost), now.
    pub valued_at_cost: i64,
    /// Sales within each period.
    pub revenue: Compare,
    pub fees: Compare,
    pub net_profit: Compare,
    pub sales: Compare,
    pub units_sold: Compare,
    /// Net profit over the cost of what sold, in basis points (1% = 100).
    pub roi_bp: CompareRatio,
    /// Units sold over units sold plus units held at the end, in basis points.
    pub sell_through_bp: CompareRatio,
    /// Average days from joining the stock to the sale, in tenths of a day.
    pub days_to_sell_tenths: CompareRatio,
    /// Held items older than 30, 60 and 90 days at the end of each period.
    pub aging: [Compare; 3],
}

/// One day of the net-worth chart: what was held at cost and at market value at the end of
/// the day, and the profit realised since the start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorthPoint {
    pub day: String,
    pub cost: i64,
    pub market: i64,
    pub realised: i64,
}

/// Realised net profit of a week (starting Monday) or a month.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfitBucket {
    pub start: String,
    pub label: String,
    pub profit: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub channel: String,
    pub sales: i64,
    pub revenue: i64,
    pub profit: i64,
}

/// Held stock in one group (a kind, a brand, a set) at cost and at market value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueSlice {
    pub label: String,
    pub units: i64,
    pub cost: i64,
    pub market: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charts {
    pub currency: String,
    pub period: DateRange,
    pub worth: Vec<WorthPoint>,
    pub weekly: Vec<ProfitBucket>,
    pub monthly: Vec<ProfitBucket>,
    pub channels: Vec<ChannelRow>,
    pub by_kind: Vec<ValueSlice>,
    pub by_brand: Vec<ValueSlice>,
    pub by_set: Vec<ValueSlice>,
}

/// How far back the portfolio headline looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorthRange {
    Week,
    #[default]
    Month,
    Quarter,
    Year,
    All,
}

impl WorthRange {
    pub const ALL: [WorthRange; 5] = [
        WorthRange::Week,
        WorthRange::Month,
        WorthRange::Quarter,
        WorthRange::Year,
        WorthRange::All,
    ];

    /// The chip's text, as portfolio apps write it.
    pub fn label(self) -> &'static str {
        match self {
            WorthRange::Week => "1W",
            WorthRange::Month => "1M",
            WorthRange::Quarter => "3M",
            WorthRange::Year => "1Y",
            WorthRange::All => "All",
        }
    }

    /// For screen readers and the change line: "past month".
    pub fn spoken(self) -> &'static str {
        match self {
            WorthRange::Week => "past week",
            WorthRange::Month => "past month",
            WorthRange::Quarter => "past 3 months",
            WorthRange::Year => "past year",
            WorthRange::All => "since your first item",
        }
    }
}

/// The market value of what the reseller holds, today and day by day over a range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Portfolio {
    pub currency: String,
    pub range: WorthRange,
    /// Whether the reseller has any stock or sales at all (if not, there is no headline).
    pub has_history: bool,
    /// Market value at the end of today.
    pub value: i64,
    /// Market value at the end of the range's first day.
    pub start: i64,
    pub points: Vec<WorthPoint>,
}
