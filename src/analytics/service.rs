//! KPIs and chart series, aggregated in SQL: the held stock and its worth come from the daily
//! ledger (a few hundred rows per reseller and currency), sales figures from the sales of the
//! two periods, aging and breakdowns from one pass over the held items' index.

use jiff::civil::Date;

use super::{
    periods::{self, Days, add_days, week_of},
    types::{
        ChannelRow, Charts, Compare, CompareRatio, Kpis, PeriodQuery, Portfolio, ProfitBucket,
        ValueSlice, WorthPoint, WorthRange,
    },
};
use crate::server::store::sql;
use crate::{domain::Currency, error::AppError, server::db::Db, with_db};

/// Statuses of items the reseller still owns (`ItemStatus::is_held`).
pub const HELD: &str = "('purchased', 'in_stock', 'listed', 'reserved', 'returned')";

/// Today in the reseller's time zone, as stored days are written (YYYY-MM-DD).
pub async fn owner_today(db: &Db, owner: &str) -> Result<String, AppError> {
    let tz: Option<String> = with_db!(db, pool => sqlx::query_scalar("SELECT time_zone FROM users WHERE id = $1")
        .bind(owner).fetch_optional(pool).await)?;
    Ok(periods::user_today(tz.as_deref()))
}

pub async fn set_time_zone(db: &Db, owner: &str, name: &str) -> Result<String, AppError> {
    let name = periods::check_zone(name)?;
    db.write(
        sql("UPDATE users SET time_zone = $1, updated_at = $2 WHERE id = $3")
            .bind(&name)
            .bind(time::OffsetDateTime::now_utc())
            .bind(owner),
    )
    .await
    .map(|_| ())?;
    Ok(name)
}

/// Who is asking, about which days and which currency.
pub struct Context {
    pub time_zone: String,
    pub today: Date,
    pub currency: String,
    pub currencies: Vec<String>,
    pub now: Days,
    pub before: Days,
}

pub async fn context(db: &Db, owner: &str, query: &PeriodQuery) -> Result<Context, AppError> {
    let time_zone: Option<String> = with_db!(db, pool => sqlx::query_scalar("SELECT time_zone FROM users WHERE id = $1")
        .bind(owner).fetch_optional(pool).await)?;
    let time_zone = time_zone.ok_or(AppError::NotFound)?;
    let today = periods::today(&periods::zone(&time_zone));
    let (now, before) = periods::periods(query, today)?;
    let currencies: Vec<String> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT DISTINCT currency FROM worth_days WHERE owner_user_id = $1 ORDER BY currency")
        .bind(owner).fetch_all(pool).await)?;
    let currency = if query.currency.trim().is_empty() {
        let store: Option<String> = with_db!(db, pool => sqlx::query_scalar(
            "SELECT s.currency FROM stores s JOIN store_members m ON m.store_id = s.id \
             WHERE m.user_id = $1 AND m.role = 'owner' LIMIT 1")
            .bind(owner).fetch_optional(pool).await)?;
        match store {
            Some(c) if currencies.contains(&c) || currencies.is_empty() => c,
            _ => currencies
                .first()
                .cloned()
                .unwrap_or_else(|| "USD".to_string()),
        }
    } else {
        Currency::parse(query.currency.trim())
            .map_err(|e| AppError::field("currency", e.to_string()))?
            .code()
            .to_string()
    };
    Ok(Context {
        time_zone,
        today,
        currency,
        currencies,
        now,
        before,
    })
}

fn ratio(part: i64, whole: i64, scale: i64) -> Option<i64> {
    (whole != 0).then(|| ((part as i128 * scale as i128) / whole as i128) as i64)
}

/// Held stock per (kind, brand, set): units, cost, market value.
type Group = (String, String, String, i64, i64, i64);

/// Running sums of the ledger at the end of the period and of the one before, and the sums
/// of each period's sales days: one pass over the reseller's ledger days.
const LEDGER_KPIS: &str = "SELECT \
    CAST(COALESCE(SUM(units), 0) AS BIGINT), CAST(COALESCE(SUM(cost), 0) AS BIGINT), CAST(COALESCE(SUM(market), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $4 THEN units ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $4 THEN cost ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $4 THEN market ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day >= $5 THEN revenue ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day >= $6 AND day <= $4 THEN revenue ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day >= $5 THEN fees ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day >= $6 AND day <= $4 THEN fees ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day >= $5 THEN realised ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day >= $6 AND day <= $4 THEN realised ELSE 0 END), 0) AS BIGINT) \
    FROM worth_days WHERE owner_user_id = $1 AND currency = $2 AND day <= $3";

const LEDGER_COUNTS: &str = "SELECT \
    CAST(COALESCE(SUM(CASE WHEN day >= $5 THEN sold_cost ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $4 THEN sold_cost ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day >= $5 THEN sales ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $4 THEN sales ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day >= $5 THEN units_sold ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $4 THEN units_sold ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day >= $5 THEN held_days ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $4 THEN held_days ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day >= $5 THEN held_days_n ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $4 THEN held_days_n ELSE 0 END), 0) AS BIGINT) \
    FROM worth_days WHERE owner_user_id = $1 AND currency = $2 AND day <= $3 AND day >= $6";

/// Items held at the end of a period `E` that joined before a limit `L` (E − 30, 60, 90
/// days): those that joined by `L` (ledger `items_in`), minus those sold out by `E` (ledger
/// `items_out`), plus those among them that joined after `L` (a small index range).
const AGING_LEDGER: &str = "SELECT \
    CAST(COALESCE(SUM(CASE WHEN day <= $3 THEN items_in ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $4 THEN items_in ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $5 THEN items_in ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN day <= $6 THEN items_out ELSE 0 END), 0) AS BIGINT) \
    FROM worth_days WHERE owner_user_id = $1 AND currency = $2 AND day <= $6";

const SOLD_OUT_SINCE: &str = "SELECT \
    CAST(COALESCE(SUM(CASE WHEN acquired_on > $3 THEN 1 ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN acquired_on > $4 THEN 1 ELSE 0 END), 0) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN acquired_on > $5 THEN 1 ELSE 0 END), 0) AS BIGINT) \
    FROM items WHERE owner_user_id = $1 AND currency = $2 AND acquired_on > $5 AND acquired_on <= $6 \
    AND sold_out_on <= $6";

/// Items held at the end of `end` older than 30, 60 and 90 days.
async fn aging(db: &Db, owner: &str, currency: &str, end: Date) -> Result<[i64; 3], AppError> {
    let l = [30, 60, 90].map(|n| add_days(end, -n).to_string());
    let end = end.to_string();
    let (in30, in60, in90, out): (i64, i64, i64, i64) = with_db!(db, pool => sqlx::query_as(AGING_LEDGER)
        .bind(owner).bind(currency).bind(&l[0]).bind(&l[1]).bind(&l[2]).bind(&end)
        .fetch_one(pool).await)?;
    let (r30, r60, r90): (i64, i64, i64) = with_db!(db, pool => sqlx::query_as(SOLD_OUT_SINCE)
        .bind(owner).bind(currency).bind(&l[0]).bind(&l[1]).bind(&l[2]).bind(&end)
        .fetch_one(pool).await)?;
    Ok([in30 - out + r30, in60 - out + r60, in90 - out + r90].map(|n| n.max(0)))
}

type Twelve = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
type Ten = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

pub async fn kpis(db: &Db, owner: &str, query: &PeriodQuery) -> Result<Kpis, AppError> {
    let cx = context(db, owner, query).await?;
    let (now, before) = (cx.now, cx.before);
    let (now_to, before_to) = (now.to.to_string(), before.to.to_string());
    let (now_from, before_from) = (now.from.to_string(), before.from.to_string());

    let l: Twelve = with_db!(db, pool => sqlx::query_as(LEDGER_KPIS)
        .bind(owner).bind(&cx.currency).bind(&now_to).bind(&before_to).bind(&now_from).bind(&before_from)
        .fetch_one(pool).await)?;
    let n: Ten = with_db!(db, pool => sqlx::query_as(LEDGER_COUNTS)
        .bind(owner).bind(&cx.currency).bind(&now_to).bind(&before_to).bind(&now_from).bind(&before_from)
        .fetch_one(pool).await)?;

    // Aging at the end of each period (today, for a period still running).
    let aging_now = aging(db, owner, &cx.currency, now.to.min(cx.today)).await?;
    let aging_before = aging(db, owner, &cx.currency, before.to).await?;
    let valued_at_cost: i64 = with_db!(db, pool => sqlx::query_scalar(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM items WHERE owner_user_id = $1 AND currency = $2 AND market_unit IS NULL AND status IN {HELD}"))
        .bind(owner).bind(&cx.currency).fetch_one(pool).await)?;

    let c = |now: i64, before: i64| Compare { now, before };
    let units_held = c(l.0, l.3);
    let units_sold = c(n.4, n.5);
    Ok(Kpis {
        currency: cx.currency.clone(),
        currencies: cx.currencies.clone(),
        time_zone: cx.time_zone.clone(),
        today: cx.today.to_string(),
        period: now.range(),
        previous: before.range(),
        units_held,
        cost_value: c(l.1, l.4),
        market_value: c(l.2, l.5),
        unrealised: c(l.2 - l.1, l.5 - l.4),
        valued_at_cost,
        revenue: c(l.6, l.7),
        fees: c(l.8, l.9),
        net_profit: c(l.10, l.11),
        sales: c(n.2, n.3),
        units_sold,
        roi_bp: CompareRatio {
            now: ratio(l.10, n.0, 10_000),
            before: ratio(l.11, n.1, 10_000),
        },
        sell_through_bp: CompareRatio {
            now: ratio(units_sold.now, units_sold.now + units_held.now, 10_000),
            before: ratio(
                units_sold.before,
                units_sold.before + units_held.before,
                10_000,
            ),
        },
        days_to_sell_tenths: CompareRatio {
            now: ratio(n.6, n.8, 10),
            before: ratio(n.7, n.9, 10),
        },
        aging: [0, 1, 2].map(|i| c(aging_now[i], aging_before[i])),
    })
}

/// The net-worth series for every day of `days`: running sums of the ledger (a window
/// function over the reseller's ledger days), carried over days without changes.
pub async fn worth_series(
    db: &Db,
    owner: &str,
    currency: &str,
    days: Days,
) -> Result<Vec<WorthPoint>, AppError> {
    let rows: Vec<(String, i64, i64, i64)> = with_db!(db, pool => sqlx::query_as(
        "SELECT day, CAST(SUM(cost) OVER w AS BIGINT), CAST(SUM(market) OVER w AS BIGINT), CAST(SUM(realised) OVER w AS BIGINT) \
         FROM worth_days WHERE owner_user_id = $1 AND currency = $2 AND day <= $3 \
         WINDOW w AS (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) ORDER BY day")
        .bind(owner).bind(currency).bind(days.to.to_string())
        .fetch_all(pool).await)?;
    let mut out = Vec::with_capacity(periods::days_between(days.from, days.to) as usize + 1);
    let mut rows = rows.into_iter().peekable();
    let mut last = (0, 0, 0);
    let mut day = days.from;
    let from = days.from.to_string();
    // Everything before the first day is the starting point.
    while let Some((d, ..)) = rows.peek() {
        if *d >= from {
            break;
        }
        let (_, c, m, r) = rows.next().unwrap_or_default();
        last = (c, m, r);
    }
    while day <= days.to {
        let key = day.to_string();
        if rows.peek().is_some_and(|(d, ..)| *d == key) {
            let (_, c, m, r) = rows.next().unwrap_or_default();
            last = (c, m, r);
        }
        out.push(WorthPoint {
            day: key,
            cost: last.0,
            market: last.1,
            realised: last.2,
        });
        day = add_days(day, 1);
    }
    Ok(out)
}

/// Realised profit per day from `from` to `to` (ledger rows, not sales).
async fn profit_days(
    db: &Db,
    owner: &str,
    currency: &str,
    from: Date,
    to: Date,
) -> Result<Vec<(String, i64)>, AppError> {
    Ok(with_db!(db, pool => sqlx::query_as(
        "SELECT day, realised FROM worth_days WHERE owner_user_id = $1 AND currency = $2 AND day >= $3 AND day <= $4 AND realised <> 0 ORDER BY day")
        .bind(owner).bind(currency).bind(from.to_string()).bind(to.to_string())
        .fetch_all(pool).await)?)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Folds daily profit into weeks (from Monday) and months covering `days`, with at least
/// twelve of each ending at the period's end.
pub fn buckets(days: Days, daily: &[(String, i64)]) -> (Vec<ProfitBucket>, Vec<ProfitBucket>) {
    let mut weeks = Vec::new();
    let mut start = week_of(days.from).min(add_days(week_of(days.to), -7 * 11));
    while start <= days.to {
        weeks.push(ProfitBucket {
            start: start.to_string(),
            label: format!("{} {}", start.day(), MONTHS[(start.month() - 1) as usize]),
            profit: 0,
        });
        start = add_days(start, 7);
    }
    let mut months = Vec::new();
    let twelve_back = days
        .to
        .first_of_month()
        .saturating_sub(jiff::Span::new().months(11));
    let mut m = days.from.first_of_month().min(twelve_back);
    while m <= days.to {
        months.push(ProfitBucket {
            start: m.to_string(),
            label: format!("{} {}", MONTHS[(m.month() - 1) as usize], m.year()),
            profit: 0,
        });
        m = m.saturating_add(jiff::Span::new().months(1));
    }
    for (day, profit) in daily {
        for list in [&mut weeks, &mut months] {
            if let Some(b) = list
                .iter_mut()
                .rev()
                .find(|b| b.start.as_str() <= day.as_str())
            {
                b.profit += profit;
            }
        }
    }
    (weeks, months)
}

/// The portfolio headline: market value today and each day over `range` (up to today).
pub async fn portfolio(
    db: &Db,
    owner: &str,
    range: WorthRange,
    currency: &str,
) -> Result<Portfolio, AppError> {
    let query = PeriodQuery {
        currency: currency.to_string(),
        ..Default::default()
    };
    let cx = context(db, owner, &query).await?;
    let today = cx.today;
    let back = |span: jiff::Span| today.saturating_sub(span);
    let from = match range {
        WorthRange::Week => add_days(today, -7),
        WorthRange::Month => back(jiff::Span::new().months(1)),
        WorthRange::Quarter => back(jiff::Span::new().months(3)),
        WorthRange::Year => back(jiff::Span::new().years(1)),
        WorthRange::All => {
            let first: Option<String> = with_db!(db, pool => sqlx::query_scalar(
                "SELECT MIN(day) FROM worth_days WHERE owner_user_id = $1 AND currency = $2")
                .bind(owner).bind(&cx.currency).fetch_one(pool).await)?;
            first
                .and_then(|d| d.parse::<Date>().ok())
                .map_or(today, |d| d.min(today))
        }
    };
    let points = worth_series(db, owner, &cx.currency, Days { from, to: today }).await?;
    Ok(Portfolio {
        currency: cx.currency.clone(),
        range,
        has_history: !cx.currencies.is_empty(),
        value: points.last().map_or(0, |p| p.market),
        start: points.first().map_or(0, |p| p.market),
        points,
    })
}

pub async fn charts(db: &Db, owner: &str, query: &PeriodQuery) -> Result<Charts, AppError> {
    let cx = context(db, owner, query).await?;
    // Nothing is drawn past today: a period still running ends at today on the charts.
    let days = Days {
        from: cx.now.from,
        to: cx.now.to.min(cx.today).max(cx.now.from),
    };
    let currency = cx.currency.as_str();
    let worth = if cx.now.from > cx.today {
        Vec::new()
    } else {
        worth_series(db, owner, currency, days).await?
    };
    let earliest = week_of(days.from)
        .min(add_days(week_of(days.to), -7 * 11))
        .min(
            days.to
                .first_of_month()
                .saturating_sub(jiff::Span::new().months(11)),
        );
    let daily = profit_days(db, owner, currency, earliest, days.to).await?;
    let (weekly, monthly) = buckets(days, &daily);

    let channels: Vec<(String, i64, i64, i64)> = with_db!(db, pool => sqlx::query_as(
        "SELECT channel, CAST(COUNT(*) AS BIGINT), CAST(SUM(sale_price + shipping_charged - refunded) AS BIGINT), CAST(SUM(net_profit) AS BIGINT) \
         FROM sales WHERE owner_user_id = $1 AND currency = $2 AND sold_on >= $3 AND sold_on <= $4 \
         GROUP BY channel ORDER BY 3 DESC, 1")
        .bind(owner).bind(currency).bind(days.from.to_string()).bind(days.to.to_string())
        .fetch_all(pool).await)?;

    // One pass over the held items, grouped finely; folded into the three breakdowns here.
    let groups: Vec<Group> = with_db!(db, pool => sqlx::query_as(&format!(
        "SELECT kind, COALESCE(brand, ''), COALESCE(card_set, ''), CAST(SUM(quantity) AS BIGINT), \
         CAST(SUM(purchase_price * quantity) AS BIGINT), CAST(SUM(COALESCE(market_unit, purchase_price) * quantity) AS BIGINT) \
         FROM items WHERE owner_user_id = $1 AND currency = $2 AND status IN {HELD} GROUP BY kind, brand, card_set"))
        .bind(owner).bind(currency).fetch_all(pool).await)?;
    let fold = |key: &dyn Fn(&Group) -> Option<String>| {
        let mut map = std::collections::BTreeMap::<String, ValueSlice>::new();
        for g in &groups {
            if let Some(label) = key(g) {
                let s = map.entry(label.clone()).or_insert_with(|| ValueSlice {
                    label,
                    ..Default::default()
                });
                s.units += g.3;
                s.cost += g.4;
                s.market += g.5;
            }
        }
        top(map.into_values().collect(), 8)
    };
    let by_kind = fold(&|g| Some(kind_label(&g.0).to_string()));
    let by_brand = fold(&|g| (g.0 != "card").then(|| or_unknown(&g.1, "No brand")));
    let by_set = fold(&|g| (g.0 == "card").then(|| or_unknown(&g.2, "No set")));

    Ok(Charts {
        currency: cx.currency.clone(),
        period: cx.now.range(),
        worth,
        weekly,
        monthly,
        channels: channels
            .into_iter()
            .map(|(channel, sales, revenue, profit)| ChannelRow {
                channel: crate::domain::item::SaleChannel::parse(&channel)
                    .map(|c| c.label().to_string())
                    .unwrap_or(channel),
                sales,
                revenue,
                profit,
            })
            .collect(),
        by_kind,
        by_brand,
        by_set,
    })
}

fn or_unknown(s: &str, unknown: &str) -> String {
    if s.trim().is_empty() {
        unknown.to_string()
    } else {
        s.to_string()
    }
}

fn kind_label(kind: &str) -> &'static str {
    crate::domain::item::ItemKind::parse(kind)
        .map(|k| k.label())
        .unwrap_or("Other")
}

/// The `n` largest slices by market value, the rest summed as "Everything else".
fn top(mut slices: Vec<ValueSlice>, n: usize) -> Vec<ValueSlice> {
    slices.sort_by(|a, b| b.market.cmp(&a.market).then(a.label.cmp(&b.label)));
    if slices.len() > n {
        let rest = slices.split_off(n - 1);
        slices.push(rest.into_iter().fold(
            ValueSlice {
                label: "Everything else".into(),
                ..Default::default()
            },
            |mut acc, s| {
                acc.units += s.units;
                acc.cost += s.cost;
                acc.market += s.market;
                acc
            },
        ));
    }
    slices
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profit_folds_into_weeks_and_months() {
        let days = Days {
            from: "2026-03-01".parse().unwrap(),
            to: "2026-03-31".parse().unwrap(),
        };
        let daily = vec![
            ("2025-12-31".to_string(), 7), // before the first week shown: only in December
            ("2026-03-01".to_string(), 100), // a Sunday: week of 23 Feb
            ("2026-03-02".to_string(), 50),
            ("2026-03-08".to_string(), -20),
            ("2026-03-31".to_string(), 5),
        ];
        let (weeks, months) = buckets(days, &daily);
        assert_eq!(weeks.len(), 12);
        assert_eq!(weeks.last().unwrap().start, "2026-03-30");
        let w = |s: &str| weeks.iter().find(|b| b.start == s).unwrap().profit;
        assert_eq!(
            (w("2026-02-23"), w("2026-03-02"), w("2026-03-30")),
            (100, 30, 5)
        );
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].start, "2025-04-01");
        let m = |s: &str| months.iter().find(|b| b.start == s).unwrap().profit;
        assert_eq!((m("2025-12-01"), m("2026-03-01")), (7, 135));
        assert_eq!(months.last().unwrap().label, "Mar 2026");
    }

    #[test]
    fn small_slices_are_grouped() {
        let slices = (0..10)
            .map(|i| ValueSlice {
                label: format!("b{i}"),
                units: 1,
                cost: i,
                market: i,
            })
            .collect();
        let t = top(slices, 4);
        assert_eq!(t.len(), 4);
        assert_eq!(t[0].label, "b9");
        assert_eq!(t[3].label, "Everything else");
        assert_eq!(t[3].market, (0..7).sum::<i64>());
    }
}
