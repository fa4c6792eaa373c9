//! CSV exports: the stock (every field of every item, with its sales and shipments, in the
//! table's filters and order), the sales and the shipments. Streamed a page at a time, so
//! 100,000 items take the memory of one page; safe to open in a spreadsheet (cells a
//! spreadsheet would run as a formula are defused).

use axum::{
    body::{Body, Bytes},
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use std::collections::HashMap;
use tower_sessions::Session;

use super::{
    export_rows::{
        EXPORT_ITEM_COLUMNS, EXPORT_SALE_COLUMNS, ExportItem, ExportSale, ExportShipment,
        channel_text, item_rows,
    },
    listing::{filter_sql, order_sql},
    types::ItemQuery,
};
use crate::{
    domain::{
        Currency, Money,
        import::mapping::EXPORT_COLUMNS,
        item::{ItemStatus, SaleChannel},
    },
    error::AppError,
    server::{db::Db, state::AppState, store::push_list},
    with_db,
};

/// Items per page of the stock export (and sales/shipments per page of theirs).
const PAGE: i64 = 1000;

/// A leading `=`, `+`, `-`, `@`, tab or carriage return makes spreadsheets evaluate the cell.
pub fn defuse_formula(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn csv_chunk(header: Option<&[&str]>, rows: &[Vec<String>]) -> Result<Bytes, AppError> {
    let fail = |e: csv::Error| crate::server::errors::internal("writing CSV", e);
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 256));
    if let Some(header) = header {
        w.write_record(header).map_err(fail)?;
    }
    for row in rows {
        w.write_record(row.iter().map(|c| defuse_formula(c)))
            .map_err(fail)?;
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| fail(csv::Error::from(e.into_error())))
}

/// Which items: the selected ones, or the table's filters.
enum Selection {
    Ids(Vec<String>),
    Query(ItemQuery),
}

async fn item_page(
    db: &Db,
    owner: &str,
    selection: &Selection,
    page: i64,
) -> Result<Vec<ExportItem>, AppError> {
    Ok(match selection {
        Selection::Ids(ids) => {
            if page > 0 {
                return Ok(Vec::new());
            }
            with_db!(db, pool => {
                let mut q = sqlx::QueryBuilder::new(format!("SELECT {EXPORT_ITEM_COLUMNS} FROM items WHERE owner_user_id = "));
                q.push_bind(owner).push(" AND id IN ");
                push_list(&mut q, ids);
                q.push(" ORDER BY created_at DESC, id DESC");
                q.build_query_as::<ExportItem>().fetch_all(pool).await
            })?
        }
        Selection::Query(query) => {
            let (filter, params) = filter_sql(db.backend(), owner, query);
            let sql = format!(
                "SELECT {EXPORT_ITEM_COLUMNS} FROM items WHERE {filter} ORDER BY {} LIMIT {PAGE} OFFSET {}",
                order_sql(query.sort),
                page * PAGE
            );
            with_db!(db, pool => {
                let mut q = sqlx::query_as::<_, ExportItem>(&sql);
                for p in &params {
                    q = q.bind(p);
                }
                q.fetch_all(pool).await
            })?
        }
    })
}

/// One page of the stock export, as CSV.
async fn stock_chunk(
    db: &Db,
    owner: &str,
    selection: &Selection,
    page: i64,
) -> Result<Option<Bytes>, AppError> {
    let items = item_page(db, owner, selection, page).await?;
    if items.is_empty() && page > 0 {
        return Ok(None);
    }
    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    let (sales, shipments): (Vec<ExportSale>, Vec<ExportShipment>) = if ids.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let sales = with_db!(db, pool => {
            let mut q = sqlx::QueryBuilder::new(format!("SELECT {EXPORT_SALE_COLUMNS} FROM sales WHERE owner_user_id = "));
            q.push_bind(owner).push(" AND item_id IN ");
            push_list(&mut q, &ids);
            q.push(" ORDER BY created_at, id");
            q.build_query_as::<ExportSale>().fetch_all(pool).await
        })?;
        let shipments = with_db!(db, pool => {
            let mut q = sqlx::QueryBuilder::new("SELECT item_id, carrier, tracking_code, shipped_on FROM shipments WHERE owner_user_id = ");
            q.push_bind(owner).push(" AND item_id IN ");
            push_list(&mut q, &ids);
            q.push(" ORDER BY created_at, id");
            q.build_query_as::<ExportShipment>().fetch_all(pool).await
        })?;
        (sales, shipments)
    };
    let mut sales_of: HashMap<&str, Vec<&ExportSale>> = HashMap::new();
    for s in &sales {
        sales_of.entry(&s.item_id).or_default().push(s);
    }
    let mut shipments_of: HashMap<&str, Vec<&ExportShipment>> = HashMap::new();
    for s in &shipments {
        shipments_of.entry(&s.item_id).or_default().push(s);
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .flat_map(|item| {
            let id = item.id.as_str();
            item_rows(
                item,
                sales_of.get(id).map_or(&[][..], Vec::as_slice),
                shipments_of.get(id).map_or(&[][..], Vec::as_slice),
            )
        })
        .collect();
    let header: Vec<&str> = EXPORT_COLUMNS.iter().map(|c| c.header()).collect();
    csv_chunk((page == 0).then_some(header.as_slice()), &rows).map(Some)
}

/// Sends pages as they are read; a failure after the first page cuts the download short
/// (the browser reports it failed) rather than ending it as if complete.
fn stream_pages<F, Fut>(next: F) -> Body
where
    F: Fn(i64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Option<Bytes>, AppError>> + Send + 'static,
{
    let stream = futures::stream::unfold(Some(0i64), move |page| {
        let chunk = page.map(&next);
        async move {
            let page = page?;
            match chunk?.await {
                Ok(Some(bytes)) => Some((Ok::<_, std::io::Error>(bytes), Some(page + 1))),
                Ok(None) => None,
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    Body::from_stream(stream)
}

fn csv_response(file_name: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// `GET /app/inventory/export.csv?q=&status=&kind=&sort=` (or `?ids=`) for the signed-in reseller.
pub async fn export_csv(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let user = match crate::auth::service::current_user(&state.db, &session).await {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    // `ids=a,b,c` exports the selected rows; otherwise the filtered table.
    let selection = match params.get("ids") {
        Some(ids) => {
            let ids: Vec<String> = ids
                .split(',')
                .filter(|id| !id.is_empty())
                .map(str::to_string)
                .collect();
            if ids.is_empty() || ids.len() > 500 {
                return AppError::field("ids", "Select between 1 and 500 items.").into_response();
            }
            Selection::Ids(ids)
        }
        None => Selection::Query(ItemQuery::from_pairs(|k| params.get(k).cloned())),
    };
    let selection = std::sync::Arc::new(selection);
    let (db, owner) = (state.db.clone(), user.id);
    let body = stream_pages(move |page| {
        let (db, owner, selection) = (db.clone(), owner.clone(), selection.clone());
        async move { stock_chunk(&db, &owner, &selection, page).await }
    });
    csv_response("flipdesk-inventory.csv", body)
}

#[derive(sqlx::FromRow)]
struct SaleLine {
    sold_on: String,
    item_id: String,
    item_name: String,
    channel: SaleChannel,
    channel_name: Option<String>,
    quantity: i64,
    currency: Currency,
    sale_price: i64,
    shipping_charged: i64,
    fees: i64,
    shipping_paid: i64,
    purchase_cost: i64,
    net_profit: i64,
    refunded: i64,
    returned: i64,
}

const SALES_HEADER: [&str; 15] = [
    "sold_on",
    "item_id",
    "item",
    "channel",
    "units",
    "currency",
    "sale_price",
    "shipping_charged",
    "fees",
    "shipping_paid",
    "purchase_cost",
    "net_profit",
    "refunded",
    "units_returned",
    "unit_price",
];

async fn sales_chunk(db: &Db, owner: &str, page: i64) -> Result<Option<Bytes>, AppError> {
    let sql = format!(
        "SELECT s.sold_on, s.item_id, i.name AS item_name, s.channel, s.channel_name, s.quantity, s.currency, s.sale_price, \
         s.shipping_charged, s.fees, s.shipping_paid, s.purchase_cost, s.net_profit, s.refunded, s.returned \
         FROM sales s JOIN items i ON i.id = s.item_id WHERE s.owner_user_id = $1 \
         ORDER BY s.sold_on, s.created_at, s.id LIMIT {PAGE} OFFSET {}",
        page * PAGE
    );
    let lines: Vec<SaleLine> = with_db!(db, pool => sqlx::query_as::<_, SaleLine>(&sql).bind(owner).fetch_all(pool).await)?;
    if lines.is_empty() && page > 0 {
        return Ok(None);
    }
    let rows: Vec<Vec<String>> = lines
        .into_iter()
        .map(|s| {
            let m = |a: i64| Money::new(a, s.currency).to_decimal_string();
            vec![
                s.sold_on.clone(),
                s.item_id.clone(),
                s.item_name.clone(),
                channel_text(s.channel, s.channel_name.as_deref()),
                s.quantity.to_string(),
                s.currency.code().to_string(),
                m(s.sale_price),
                m(s.shipping_charged),
                m(s.fees),
                m(s.shipping_paid),
                m(s.purchase_cost),
                m(s.net_profit),
                m(s.refunded),
                s.returned.to_string(),
                m(s.sale_price / s.quantity.max(1)),
            ]
        })
        .collect();
    csv_chunk((page == 0).then_some(&SALES_HEADER[..]), &rows).map(Some)
}

/// `GET /app/sales/export.csv`: every sale, oldest first (for the books and taxes).
pub async fn export_sales_csv(State(state): State<AppState>, session: Session) -> Response {
    owner_download(
        state,
        session,
        "flipdesk-sales.csv",
        |db, owner, page| async move { sales_chunk(&db, &owner, page).await },
    )
    .await
}

/// A download of the signed-in reseller's pages of CSV.
async fn owner_download<F, Fut>(
    state: AppState,
    session: Session,
    file_name: &str,
    chunk: F,
) -> Response
where
    F: Fn(Db, String, i64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Option<Bytes>, AppError>> + Send + 'static,
{
    let user = match crate::auth::service::current_user(&state.db, &session).await {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let (db, owner) = (state.db.clone(), user.id);
    csv_response(
        file_name,
        stream_pages(move |page| chunk(db.clone(), owner.clone(), page)),
    )
}

#[derive(sqlx::FromRow)]
struct ShipmentLine {
    shipped_on: String,
    item_id: String,
    item_name: String,
    carrier: String,
    tracking_code: String,
    item_status: ItemStatus,
}

async fn shipments_chunk(db: &Db, owner: &str, page: i64) -> Result<Option<Bytes>, AppError> {
    let sql = format!(
        "SELECT s.shipped_on, s.item_id, i.name AS item_name, s.carrier, s.tracking_code, i.status AS item_status \
         FROM shipments s JOIN items i ON i.id = s.item_id WHERE s.owner_user_id = $1 \
         ORDER BY s.shipped_on, s.created_at, s.id LIMIT {PAGE} OFFSET {}",
        page * PAGE
    );
    let lines: Vec<ShipmentLine> = with_db!(db, pool => sqlx::query_as::<_, ShipmentLine>(&sql).bind(owner).fetch_all(pool).await)?;
    if lines.is_empty() && page > 0 {
        return Ok(None);
    }
    let rows: Vec<Vec<String>> = lines
        .into_iter()
        .map(|s| {
            vec![
                s.shipped_on,
                s.item_id,
                s.item_name,
                s.carrier,
                s.tracking_code,
                s.item_status.as_str().to_string(),
            ]
        })
        .collect();
    let header = [
        "shipped_on",
        "item_id",
        "item",
        "carrier",
        "tracking_code",
        "item_status",
    ];
    csv_chunk((page == 0).then_some(&header[..]), &rows).map(Some)
}

/// `GET /app/shipments/export.csv`: every shipment, oldest first.
pub async fn export_shipments_csv(State(state): State<AppState>, session: Session) -> Response {
    owner_download(
        state,
        session,
        "flipdesk-shipments.csv",
        |db, owner, page| async move { shipments_chunk(&db, &owner, page).await },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse_formula("+1"), "'+1");
        assert_eq!(defuse_formula("Jordan 1"), "Jordan 1");
    }
}
