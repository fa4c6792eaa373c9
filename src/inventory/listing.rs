//! Reading the stock table: filters, full-text search (one implementation per backend),
//! whitelisted sort orders, capped counts and pages; the same query feeds the CSV export.

use super::{
    service::{SUMMARY_COLUMNS, SummaryRow},
    types::{
        InventoryOverview, ItemPage, ItemQuery, ItemSort, SalePage, SaleQuery, SaleRow, SaleSort,
        ShipmentPage, ShipmentRow,
    },
};
use crate::{
    domain::{
        Currency, Money,
        item::{ItemStatus, SaleChannel},
    },
    error::AppError,
    server::{
        db::{Backend, Db},
        dialect,
    },
    with_db,
};

/// Search words as the full-text indexes tokenise them: lower-case letters and digits.
fn search_tokens(search: &str) -> Vec<String> {
    crate::domain::search::terms(search)
}

/// WHERE clause and parameters for a stock-table query (parameters are all text).
pub(super) fn filter_sql(backend: Backend, owner: &str, q: &ItemQuery) -> (String, Vec<String>) {
    let mut clauses = vec!["owner_user_id = $1".to_string()];
    let mut params = vec![owner.to_string()];
    if let Some(status) = q.status {
        params.push(status.as_str().to_string());
        clauses.push(format!("status = ${}", params.len()));
    }
    if let Some(kind) = q.kind {
        params.push(kind.as_str().to_string());
        clauses.push(format!("kind = ${}", params.len()));
    }
    const IN_STORE: &str = "SELECT item_id FROM listings WHERE status = 'active'";
    const ON_CHANNEL: &str = "SELECT item_id FROM channel_listings WHERE state = 'listed'";
    match q.listed_on.as_deref() {
        None => {}
        Some("store") => clauses.push(format!("id IN ({IN_STORE})")),
        Some("nowhere") => clauses.push(format!(
            "id NOT IN ({IN_STORE}) AND id NOT IN ({ON_CHANNEL})"
        )),
        Some(channel) => {
            params.push(channel.to_string());
            clauses.push(format!(
                "id IN ({ON_CHANNEL} AND channel_id = ${})",
                params.len()
            ));
        }
    }
    let tokens = search_tokens(&q.search);
    if !tokens.is_empty() {
        params.push(dialect::full_text_query(backend, &tokens));
        clauses.push(dialect::full_text_match(backend, params.len()));
    } else if !q.search.trim().is_empty() {
        // Only punctuation: nothing can match.
        clauses.push("1 = 0".to_string());
    }
    (clauses.join(" AND "), params)
}

/// Counting stops here: past it the table says "10,000+" instead of scanning everything.
pub const COUNT_CAP: i64 = 10_000;

pub(super) fn order_sql(sort: ItemSort) -> &'static str {
    match sort {
        ItemSort::Newest => "created_at DESC, id DESC",
        ItemSort::Oldest => "created_at ASC, id ASC",
        ItemSort::NameAsc => "name ASC, id ASC",
        ItemSort::NameDesc => "name DESC, id DESC",
        ItemSort::CostAsc => "purchase_price ASC, id ASC",
        ItemSort::CostDesc => "purchase_price DESC, id DESC",
        ItemSort::PurchasedAsc => "purchase_date ASC NULLS LAST, id ASC",
        ItemSort::PurchasedDesc => "purchase_date DESC NULLS LAST, id DESC",
        ItemSort::Status => {
            "CASE status WHEN 'purchased' THEN 1 WHEN 'in_stock' THEN 2 WHEN 'listed' THEN 3 \
            WHEN 'reserved' THEN 4 WHEN 'sold' THEN 5 WHEN 'shipped' THEN 6 ELSE 7 END, created_at DESC, id DESC"
        }
    }
}

pub async fn list_items(db: &Db, owner: &str, q: &ItemQuery) -> Result<ItemPage, AppError> {
    let (filter, params) = filter_sql(db.backend(), owner, q);
    let per_page = q.per_page();
    let page = q.page();
    let offset = (page as u64 - 1) * per_page as u64;
    let count_sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM items WHERE {filter} LIMIT {}) AS capped",
        COUNT_CAP + 1
    );
    let rows_sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM items WHERE {filter} ORDER BY {} LIMIT {per_page} OFFSET {offset}",
        order_sql(q.sort)
    );
    let total: i64 = with_db!(db, pool => {
        let mut query = sqlx::query_scalar(&count_sql);
        for p in &params {
            query = query.bind(p);
        }
        query.fetch_one(pool).await
    })?;
    let rows: Vec<SummaryRow> = with_db!(db, pool => {
        let mut query = sqlx::query_as::<_, SummaryRow>(&rows_sql);
        for p in &params {
            query = query.bind(p);
        }
        query.fetch_all(pool).await
    })?;
    let mut items: Vec<_> = rows.into_iter().map(SummaryRow::into_summary).collect();
    let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
    let mut places = crate::channels::offers::places_of(db, owner, &ids).await?;
    for item in &mut items {
        item.listed_on = places.remove(&item.id).unwrap_or_default();
    }
    Ok(ItemPage {
        items,
        channels: crate::channels::offers::channel_names(db, owner).await?,
        total: total.min(COUNT_CAP),
        total_is_capped: total > COUNT_CAP,
        page,
        per_page,
    })
}

#[derive(sqlx::FromRow)]
struct SaleDbRow {
    item_id: String,
    item_name: String,
    channel: SaleChannel,
    quantity: i64,
    currency: Currency,
    sale_price: i64,
    fees: i64,
    net_profit: i64,
    sold_on: String,
}

/// The owner's sales, newest first by default, with the net profit of all that match.
pub async fn list_sales(db: &Db, owner: &str, q: &SaleQuery) -> Result<SalePage, AppError> {
    let mut filter = "s.owner_user_id = $1".to_string();
    let mut params = vec![owner.to_string()];
    if let Some(channel) = q.channel {
        params.push(channel.as_str().to_string());
        filter.push_str(&format!(" AND s.channel = ${}", params.len()));
    }
    let order = match q.sort {
        SaleSort::NewestSold => "s.sold_on DESC, s.created_at DESC, s.id DESC",
        SaleSort::OldestSold => "s.sold_on ASC, s.created_at ASC, s.id ASC",
        SaleSort::ProfitDesc => "s.net_profit DESC, s.id DESC",
        SaleSort::ProfitAsc => "s.net_profit ASC, s.id ASC",
    };
    let per_page = SaleQuery::PER_PAGE;
    let offset = (q.page() as u64 - 1) * per_page as u64;
    let rows_sql = format!(
        "SELECT s.item_id, i.name AS item_name, s.channel, s.quantity, s.currency, s.sale_price, s.fees, s.net_profit, s.sold_on \
         FROM sales s JOIN items i ON i.id = s.item_id WHERE {filter} ORDER BY {order} LIMIT {per_page} OFFSET {offset}"
    );
    let totals_sql = format!(
        "SELECT s.currency, COUNT(*), CAST(COALESCE(SUM(s.net_profit), 0) AS BIGINT) FROM sales s WHERE {filter} GROUP BY s.currency ORDER BY s.currency"
    );
    let rows: Vec<SaleDbRow> = with_db!(db, pool => {
        let mut query = sqlx::query_as::<_, SaleDbRow>(&rows_sql);
        for p in &params {
            query = query.bind(p);
        }
        query.fetch_all(pool).await
    })?;
    let totals: Vec<(Currency, i64, i64)> = with_db!(db, pool => {
        let mut query = sqlx::query_as::<_, (Currency, i64, i64)>(&totals_sql);
        for p in &params {
            query = query.bind(p);
        }
        query.fetch_all(pool).await
    })?;
    Ok(SalePage {
        rows: rows
            .into_iter()
            .map(|r| {
                let c = r.currency;
                SaleRow {
                    item_id: r.item_id,
                    item_name: r.item_name,
                    channel: r.channel,
                    quantity: r.quantity,
                    sale_price: Money::new(r.sale_price, c),
                    fees: Money::new(r.fees, c),
                    net_profit: Money::new(r.net_profit, c),
                    sold_on: r.sold_on,
                }
            })
            .collect(),
        total: totals.iter().map(|t| t.1).sum(),
        page: q.page(),
        per_page,
        net_profit: totals.iter().map(|t| Money::new(t.2, t.0)).collect(),
    })
}

#[derive(sqlx::FromRow)]
struct ShipmentDbRow {
    item_id: String,
    item_name: String,
    carrier: String,
    tracking_code: String,
    shipped_on: String,
    item_status: ItemStatus,
}

/// The owner's shipments, most recent first.
pub async fn list_shipments(db: &Db, owner: &str, page: u32) -> Result<ShipmentPage, AppError> {
    const PER_PAGE: u32 = 50;
    let page = page.max(1);
    let offset = (page as u64 - 1) * PER_PAGE as u64;
    let sql = format!(
        "SELECT s.item_id, i.name AS item_name, s.carrier, s.tracking_code, s.shipped_on, i.status AS item_status \
         FROM shipments s JOIN items i ON i.id = s.item_id WHERE s.owner_user_id = $1 \
         ORDER BY s.shipped_on DESC, s.created_at DESC, s.id DESC LIMIT {PER_PAGE} OFFSET {offset}"
    );
    let rows: Vec<ShipmentDbRow> = with_db!(db, pool => sqlx::query_as::<_, ShipmentDbRow>(&sql).bind(owner).fetch_all(pool).await)?;
    let total: i64 = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM shipments WHERE owner_user_id = $1")
        .bind(owner).fetch_one(pool).await)?;
    Ok(ShipmentPage {
        rows: rows
            .into_iter()
            .map(|r| ShipmentRow {
                item_status: r.item_status,
                item_id: r.item_id,
                item_name: r.item_name,
                carrier: r.carrier,
                tracking_code: r.tracking_code,
                shipped_on: r.shipped_on,
            })
            .collect(),
        total,
        page,
        per_page: PER_PAGE,
    })
}

/// Units held and listed, held cost and realised profit per currency, sales awaiting tracking.
pub async fn overview(db: &Db, owner: &str) -> Result<InventoryOverview, AppError> {
    let held: Vec<(Currency, i64, i64, i64)> = with_db!(db, pool => sqlx::query_as::<_, (Currency, i64, i64, i64)>(
        "SELECT currency, CAST(COALESCE(SUM(quantity), 0) AS BIGINT), \
                CAST(COALESCE(SUM(CASE WHEN status = 'listed' THEN quantity ELSE 0 END), 0) AS BIGINT), \
                CAST(COALESCE(SUM(quantity * purchase_price), 0) AS BIGINT) \
         FROM items WHERE owner_user_id = $1 AND status IN ('purchased', 'in_stock', 'listed', 'reserved', 'returned') \
         GROUP BY currency ORDER BY currency")
        .bind(owner).fetch_all(pool).await)?;
    let sold: Vec<(Currency, i64, i64)> = with_db!(db, pool => sqlx::query_as::<_, (Currency, i64, i64)>(
        "SELECT currency, COUNT(*), CAST(COALESCE(SUM(net_profit), 0) AS BIGINT) FROM sales WHERE owner_user_id = $1 GROUP BY currency ORDER BY currency")
        .bind(owner).fetch_all(pool).await)?;
    let awaiting: i64 = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE owner_user_id = $1 AND status = 'sold'")
        .bind(owner).fetch_one(pool).await)?;
    Ok(InventoryOverview {
        units_held: held.iter().map(|h| h.1).sum(),
        units_listed: held.iter().map(|h| h.2).sum(),
        held_cost: held.iter().map(|h| Money::new(h.3, h.0)).collect(),
        sales: sold.iter().map(|s| s.1).sum(),
        net_profit: sold.iter().map(|s| Money::new(s.2, s.0)).collect(),
        awaiting_shipment: awaiting,
    })
}
