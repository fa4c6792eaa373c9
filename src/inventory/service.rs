//! Inventory on the server: every query is scoped to the owner, so another user's item is
//! simply not found. Writes are conditional on the item's version (optimistic concurrency).

use time::OffsetDateTime;

pub(crate) use super::insert::{Insert, NewItemRow, acquisitions};
pub use super::listing::{COUNT_CAP, list_items, list_sales, list_shipments, overview};
use super::types::{ItemSummary, ItemView, PricePoint, SaleView, ShipmentView};
use crate::analytics::ledger::Scope;
use crate::billing::quota::{self, Claim};
use crate::{
    domain::{
        Currency, Money,
        item::{
            ItemDetails, ItemDraft, ItemKind, ItemStatus, SaleChannel, SaleDraft, ShipmentDraft,
        },
    },
    error::AppError,
    server::{
        config::Settings,
        db::{BeginWrite, Db, new_id},
        store::push_list,
    },
    with_db,
};

const ITEM_COLUMNS: &str = "id, kind, status, name, sku, quantity, purchase_price, currency, purchase_date, \
    purchase_source, storage_location, tags, notes, image_urls, details, style_id, size, card_set, grade, \
    version, created_at, updated_at";

pub(super) const SUMMARY_COLUMNS: &str = "id, kind, status, name, sku, quantity, purchase_price, currency, purchase_date, \
    style_id, size, card_set, grade, tags, version, details, (SELECT p.id FROM item_photos p WHERE p.item_id = items.id \
    AND p.status = 'ready' ORDER BY p.position LIMIT 1) AS cover_photo";

#[derive(sqlx::FromRow)]
pub(super) struct SummaryRow {
    id: String,
    kind: ItemKind,
    status: ItemStatus,
    name: String,
    sku: Option<String>,
    quantity: i64,
    purchase_price: i64,
    currency: Currency,
    purchase_date: Option<String>,
    style_id: Option<String>,
    size: Option<String>,
    card_set: Option<String>,
    grade: Option<String>,
    tags: String,
    version: i64,
    details: String,
    cover_photo: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: String,
    kind: ItemKind,
    status: ItemStatus,
    name: String,
    sku: Option<String>,
    quantity: i64,
    purchase_price: i64,
    currency: Currency,
    purchase_date: Option<String>,
    purchase_source: Option<String>,
    storage_location: Option<String>,
    tags: String,
    notes: Option<String>,
    image_urls: String,
    details: String,
    style_id: Option<String>,
    size: Option<String>,
    card_set: Option<String>,
    grade: Option<String>,
    version: i64,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct SaleRow {
    quantity: i64,
    channel: SaleChannel,
    currency: Currency,
    sale_price: i64,
    shipping_charged: i64,
    fees: i64,
    shipping_paid: i64,
    purchase_cost: i64,
    net_profit: i64,
    sold_on: String,
}

#[derive(sqlx::FromRow)]
struct ShipmentRow {
    carrier: String,
    tracking_code: String,
    shipped_on: String,
}

/// Tags are stored as ",a,b," so that one tag can be matched exactly with LIKE.
pub(super) fn encode_tags(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!(",{},", tags.join(","))
    }
}

fn decode_tags(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) fn search_text(d: &ItemDraft) -> String {
    let det = &d.details;
    let parts = [
        Some(d.name.as_str()),
        d.sku.as_deref(),
        det.brand.as_deref(),
        det.style_id.as_deref(),
        det.colorway.as_deref(),
        det.game.as_deref(),
        det.card_set.as_deref(),
        det.card_number.as_deref(),
        det.cert_number.as_deref(),
        d.storage_location.as_deref(),
    ];
    let mut text: Vec<String> = parts.into_iter().flatten().map(str::to_lowercase).collect();
    text.extend(d.tags.iter().cloned());
    text.extend(crate::domain::search::graded_size_words(
        det.grading_company,
        det.grade.as_deref(),
        det.size.as_deref(),
        det.size_system,
    ));
    search_words(&text.join(" "))
}

/// Letters and digits separated by single spaces: both full-text indexes then see
/// "555088-101" as the words "555088" and "101", like the search box does.
pub(crate) fn search_words(text: &str) -> String {
    crate::domain::search::index_words(text)
}

impl SummaryRow {
    pub(super) fn into_summary(self) -> ItemSummary {
        let currency = self.currency;
        ItemSummary {
            kind: self.kind,
            status: self.status,
            id: self.id,
            name: self.name,
            sku: self.sku,
            quantity: self.quantity,
            purchase_price: Money::new(self.purchase_price, currency),
            purchase_date: self.purchase_date,
            style_id: self.style_id,
            size: self.size,
            card_set: self.card_set,
            detail: detail_label(self.kind, &self.details),
            grade: self.grade,
            tags: decode_tags(&self.tags),
            version: self.version,
            cover_photo: self.cover_photo,
            listed_on: Vec::new(),
        }
    }
}

/// "US M 10.5" for a sneaker, "PSA 10" for a graded card, "Raw" for an ungraded one.
fn detail_label(kind: ItemKind, details: &str) -> String {
    serde_json::from_str::<ItemDetails>(details)
        .unwrap_or_default()
        .size_or_grade(kind)
}

/// Someone changed the item since the reseller loaded it.
pub fn changed_elsewhere() -> AppError {
    AppError::conflict(
        "changed_elsewhere",
        "This item was changed elsewhere (another tab or device). Reload it to see the latest version, then make your change again.",
    )
}

fn not_found_or_conflict(exists: bool) -> AppError {
    if exists {
        changed_elsewhere()
    } else {
        AppError::NotFound
    }
}

async fn item_exists(db: &Db, owner: &str, id: &str) -> Result<bool, AppError> {
    let found: Option<String> = with_db!(db, pool => sqlx::query_scalar("SELECT id FROM items WHERE id = $1 AND owner_user_id = $2")
        .bind(id).bind(owner).fetch_optional(pool).await)?;
    Ok(found.is_some())
}

pub async fn create_item(
    db: &Db,
    settings: &Settings,
    owner: &str,
    draft: &ItemDraft,
    status: ItemStatus,
) -> Result<String, AppError> {
    if !matches!(
        status,
        ItemStatus::Purchased | ItemStatus::InStock | ItemStatus::Listed
    ) {
        return Err(AppError::field(
            "status",
            "A new item starts as purchased, in stock or listed.",
        ));
    }
    let today = crate::analytics::service::owner_today(db, owner).await?;
    let row = NewItemRow::new(
        draft,
        owner,
        status,
        None,
        OffsetDateTime::now_utc(),
        &today,
    )?;
    let rows = std::slice::from_ref(&row);
    let insert = Insert::new(db.backend(), rows)?;
    let ledger = acquisitions(rows).write(db.backend(), owner);
    let written = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        if let Err(refused) = quota::check(&mut tx, settings, owner, &[Claim::items(1)]).await? {
            return Ok::<_, sqlx::Error>(Err(refused));
        }
        insert.sql().execute(&mut tx).await?;
        if let Some(w) = &ledger {
            w.sql().execute(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }.await)?;
    written?;
    Ok(row.id)
}

pub async fn update_item(
    db: &Db,
    owner: &str,
    id: &str,
    version: i64,
    draft: &ItemDraft,
) -> Result<(), AppError> {
    let now = OffsetDateTime::now_utc();
    let details = serde_json::to_string(&draft.details)
        .map_err(|e| crate::server::errors::internal("encoding details", e))?;
    let images = serde_json::to_string(&draft.image_urls)
        .map_err(|e| crate::server::errors::internal("encoding images", e))?;
    let sql = "UPDATE items SET kind = $1, name = $2, sku = $3, quantity = $4, purchase_price = $5, currency = $6, purchase_date = $7, \
        purchase_source = $8, storage_location = $9, tags = $10, notes = $11, image_urls = $12, details = $13, style_id = $14, \
        size = $15, card_set = $16, grade = $17, search_text = $18, version = version + 1, updated_at = $19, \
        brand = $23, acquired_on = COALESCE($7, acquired_on), \
        catalog_product_id = (SELECT c.id FROM catalog_products c WHERE c.id = $24), \
        market_unit = CASE WHEN currency = $6 THEN market_unit END \
        WHERE id = $20 AND owner_user_id = $21 AND version = $22 \
        AND (currency = $6 OR NOT EXISTS (SELECT 1 FROM sales s WHERE s.item_id = items.id))";
    let ids = [id.to_string()];
    // The item's cost, quantity, currency or date may have changed: its share of the worth
    // ledger is worked out again in the same transaction.
    let changed = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let before = crate::analytics::ledger::held_contributions(&mut tx, owner, &Scope::Items(&ids)).await?;
        let changed = sqlx::query(sql)
            .bind(draft.kind.as_str()).bind(&draft.name).bind(&draft.sku).bind(draft.quantity)
            .bind(draft.purchase_price.amount).bind(draft.purchase_price.currency.code()).bind(&draft.purchase_date)
            .bind(&draft.purchase_source).bind(&draft.storage_location).bind(encode_tags(&draft.tags)).bind(&draft.notes)
            .bind(&images).bind(&details).bind(&draft.details.style_id).bind(&draft.details.size)
            .bind(&draft.details.card_set).bind(&draft.details.grade).bind(search_text(draft)).bind(now)
            .bind(id).bind(owner).bind(version).bind(&draft.details.brand).bind(&draft.catalog_product_id)
            .execute(&mut *tx).await?.rows_affected();
        if changed > 0 {
            crate::analytics::ledger::restate(&mut tx, owner, &ids, before).await?;
            tx.commit().await?;
        }
        Ok::<_, sqlx::Error>(changed)
    }.await)?;
    if changed == 0 {
        if has_sales_in_other_currency(db, owner, id, draft.purchase_price.currency.code()).await? {
            return Err(AppError::field(
                "currency",
                "This item has sales in its currency; its currency cannot change.",
            ));
        }
        return Err(not_found_or_conflict(item_exists(db, owner, id).await?));
    }
    Ok(())
}

async fn has_sales_in_other_currency(
    db: &Db,
    owner: &str,
    id: &str,
    currency: &str,
) -> Result<bool, AppError> {
    let n: i64 = with_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM sales WHERE item_id = $1 AND owner_user_id = $2 AND currency <> $3")
        .bind(id).bind(owner).bind(currency).fetch_one(pool).await)?;
    Ok(n > 0)
}

pub async fn get_item(db: &Db, owner: &str, id: &str) -> Result<ItemView, AppError> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = $1 AND owner_user_id = $2");
    let row = with_db!(db, pool => sqlx::query_as::<_, ItemRow>(&sql).bind(id).bind(owner).fetch_optional(pool).await)?
        .ok_or(AppError::NotFound)?;
    let sales = with_db!(db, pool => sqlx::query_as::<_, SaleRow>(
        "SELECT quantity, channel, currency, sale_price, shipping_charged, fees, shipping_paid, purchase_cost, net_profit, sold_on \
         FROM sales WHERE item_id = $1 AND owner_user_id = $2 ORDER BY created_at")
        .bind(id).bind(owner).fetch_all(pool).await)?;
    let shipments = with_db!(db, pool => sqlx::query_as::<_, ShipmentRow>(
        "SELECT carrier, tracking_code, shipped_on FROM shipments WHERE item_id = $1 AND owner_user_id = $2 ORDER BY created_at")
        .bind(id).bind(owner).fetch_all(pool).await)?;
    // Market prices, newest first: the latest is the item's market price.
    let prices: Vec<(i64, String, OffsetDateTime)> = with_db!(db, pool => sqlx::query_as(
        "SELECT p.price, p.source, p.observed_at FROM market_prices p JOIN items i ON i.id = p.item_id \
         WHERE p.item_id = $1 AND i.owner_user_id = $2 ORDER BY p.observed_at DESC LIMIT 20")
        .bind(id).bind(owner).fetch_all(pool).await)?;
    let market_unit: Option<i64> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT market_unit FROM items WHERE id = $1 AND owner_user_id = $2")
        .bind(id).bind(owner).fetch_one(pool).await)?;
    let catalog_product: Option<(String, String)> = with_db!(db, pool => sqlx::query_as(
        "SELECT c.id, c.name FROM items i JOIN catalog_products c ON c.id = i.catalog_product_id \
         WHERE i.id = $1 AND i.owner_user_id = $2")
        .bind(id).bind(owner).fetch_optional(pool).await)?;
    let listing = crate::store::service::listing_of_item(db, owner, id).await?;
    let photos = crate::photos::service::list(db, owner, id).await?;
    let currency = row.currency;
    let fmt = |t: OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    Ok(ItemView {
        details: serde_json::from_str::<ItemDetails>(&row.details).unwrap_or_default(),
        image_urls: serde_json::from_str(&row.image_urls).unwrap_or_default(),
        purchase_source: row.purchase_source,
        storage_location: row.storage_location,
        notes: row.notes,
        market_price: market_unit.map(|a| Money::new(a, currency)),
        listing,
        photos,
        catalog_product,
        price_history: prices
            .into_iter()
            .map(|(price, source, at)| PricePoint {
                price: Money::new(price, currency),
                source,
                observed_at: fmt(at),
            })
            .collect(),
        created_at: fmt(row.created_at),
        updated_at: fmt(row.updated_at),
        sales: sales
            .into_iter()
            .map(|s| {
                let c = s.currency;
                SaleView {
                    quantity: s.quantity,
                    channel: s.channel,
                    sale_price: Money::new(s.sale_price, c),
                    shipping_charged: Money::new(s.shipping_charged, c),
                    fees: Money::new(s.fees, c),
                    shipping_paid: Money::new(s.shipping_paid, c),
                    purchase_cost: Money::new(s.purchase_cost, c),
                    net_profit: Money::new(s.net_profit, c),
                    sold_on: s.sold_on,
                }
            })
            .collect(),
        shipments: shipments
            .into_iter()
            .map(|s| ShipmentView {
                carrier: s.carrier,
                tracking_code: s.tracking_code,
                shipped_on: s.shipped_on,
            })
            .collect(),
        summary: ItemSummary {
            kind: row.kind,
            status: row.status,
            id: row.id,
            name: row.name,
            sku: row.sku,
            quantity: row.quantity,
            purchase_price: Money::new(row.purchase_price, currency),
            purchase_date: row.purchase_date,
            style_id: row.style_id,
            size: row.size,
            card_set: row.card_set,
            detail: detail_label(row.kind, &row.details),
            grade: row.grade,
            tags: decode_tags(&row.tags),
            version: row.version,
            cover_photo: None,
            listed_on: Vec::new(),
        },
    })
}

/// A sold item that comes back is held again: its units return to the worth ledger.
fn held_again(from: ItemStatus, to: ItemStatus) -> bool {
    !from.is_held() && to.is_held()
}

/// Moves an item along the lifecycle. Sold and shipped need their own records (a sale, a
/// shipment), so they go through `record_sale` and `record_shipment`.
pub async fn change_status(
    db: &Db,
    owner: &str,
    id: &str,
    version: i64,
    to: ItemStatus,
) -> Result<(), AppError> {
    if matches!(to, ItemStatus::Sold | ItemStatus::Shipped) {
        return Err(AppError::field(
            "status",
            "Use “Mark sold” or “Add tracking” so the sale or shipment is recorded.",
        ));
    }
    let item = get_item(db, owner, id).await?;
    if item.summary.version != version {
        return Err(not_found_or_conflict(true));
    }
    let from = item.summary.status;
    if from == to {
        return Ok(());
    }
    from.check_transition(to)
        .map_err(|m| AppError::field("status", m))?;
    let now = OffsetDateTime::now_utc();
    let ids = [id.to_string()];
    let changed = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let before = crate::analytics::ledger::held_contributions(&mut tx, owner, &Scope::Items(&ids)).await?;
        let changed = sqlx::query(
            "UPDATE items SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND owner_user_id = $4 AND version = $5 AND status = $6")
            .bind(to.as_str()).bind(now).bind(id).bind(owner).bind(version).bind(from.as_str())
            .execute(&mut *tx).await?.rows_affected();
        if changed > 0 && held_again(from, to) {
            crate::analytics::ledger::restate(&mut tx, owner, &ids, before).await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(changed)
    }.await)?;
    if changed == 0 {
        return Err(not_found_or_conflict(item_exists(db, owner, id).await?));
    }
    Ok(())
}

/// Records a sale. Selling every unit marks the item sold; selling some lowers its quantity.
pub async fn record_sale(
    db: &Db,
    settings: &Settings,
    owner: &str,
    id: &str,
    version: i64,
    sale: &SaleDraft,
    item_quantity: i64,
) -> Result<(), AppError> {
    let line = SaleLine {
        id: id.to_string(),
        version,
        item_quantity,
        sale: sale.clone(),
    };
    if !apply_sales(db, settings, owner, std::slice::from_ref(&line)).await? {
        return Err(sale_refusal(db, owner, id, version).await);
    }
    Ok(())
}

/// One item's sale as `apply_sales` records it.
struct SaleLine {
    id: String,
    /// The version the seller saw; a newer one means someone else changed the item.
    version: i64,
    item_quantity: i64,
    sale: SaleDraft,
}

/// Records sales in one transaction: selling every unit of an item marks it sold, selling
/// some lowers its quantity. Each item changes only if it is still sellable at the version
/// the seller saw; if any is not, nothing is written and the answer is `false`.
async fn apply_sales(
    db: &Db,
    settings: &Settings,
    owner: &str,
    lines: &[SaleLine],
) -> Result<bool, AppError> {
    let now = OffsetDateTime::now_utc();
    let backend = db.backend();
    let claims: Vec<Claim> = lines
        .iter()
        .map(|l| Claim::sales(&l.sale.sold_on, 1))
        .collect();
    let outcome: Result<Result<bool, AppError>, sqlx::Error> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        if let Err(refused) = quota::check(&mut tx, settings, owner, &claims).await? {
            return Ok(Err(refused));
        }
        let mut ledger = crate::analytics::ledger::Changes::default();
        for line in lines {
            let sale = &line.sale;
            // Market value per unit and the day the item joined the stock, before the sale.
            let held: Option<(i64, String)> = sqlx::query_as(
                "SELECT COALESCE(market_unit, purchase_price), acquired_on FROM items WHERE id = $1 AND owner_user_id = $2")
                .bind(&line.id).bind(owner).fetch_optional(&mut *tx).await?;
            let Some((unit_value, acquired_on)) = held else {
                return Ok(Ok(false));
            };
            let market_value = unit_value.saturating_mul(sale.quantity);
            let days_held = crate::analytics::periods::days_from(&acquired_on, &sale.sold_on);
            let sold_out = sale.quantity >= line.item_quantity;
            let changed = if sold_out {
                sqlx::query("UPDATE items SET status = 'sold', sold_out_on = $5, version = version + 1, updated_at = $1 \
                    WHERE id = $2 AND owner_user_id = $3 AND version = $4 AND status IN ('in_stock', 'listed', 'reserved')")
                    .bind(now).bind(&line.id).bind(owner).bind(line.version).bind(&sale.sold_on).execute(&mut *tx).await?.rows_affected()
            } else {
                sqlx::query("UPDATE items SET quantity = quantity - $1, version = version + 1, updated_at = $2 \
                    WHERE id = $3 AND owner_user_id = $4 AND version = $5 AND quantity > $1 AND status IN ('in_stock', 'listed', 'reserved')")
                    .bind(sale.quantity).bind(now).bind(&line.id).bind(owner).bind(line.version).execute(&mut *tx).await?.rows_affected()
            };
            if changed == 0 {
                return Ok(Ok(false)); // dropping the transaction rolls everything back
            }
            // Sold on another channel: the storefront never offers more than is left.
            let left = line.item_quantity - sale.quantity;
            sqlx::query("UPDATE listings SET available = CASE WHEN available > $1 THEN $1 ELSE available END, \
                status = CASE WHEN $1 <= 0 THEN 'sold_out' ELSE status END, updated_at = $2 WHERE item_id = $3 AND status = 'active'")
                .bind(left.max(0)).bind(now).bind(&line.id).execute(&mut *tx).await?;
            if left <= 0 {
                // Off every sales channel too, with a delist checklist for the manual ones.
                crate::channels::sales::sold_by_hand(&mut tx, owner, &line.id, sale.channel.label()).await?;
            }
            let f = &sale.figures;
            sqlx::query("INSERT INTO sales (id, item_id, owner_user_id, quantity, channel, currency, sale_price, shipping_charged, fees, \
                shipping_paid, purchase_cost, net_profit, sold_on, created_at, market_value, days_held) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
                .bind(new_id()).bind(&line.id).bind(owner).bind(sale.quantity).bind(sale.channel.as_str())
                .bind(f.sale_price.currency.code()).bind(f.sale_price.amount).bind(f.shipping_charged.amount)
                .bind(f.fees.amount).bind(f.shipping_paid.amount).bind(f.purchase_cost.amount)
                .bind(sale.net_profit.amount).bind(&sale.sold_on).bind(now).bind(market_value).bind(days_held)
                .execute(&mut *tx).await?;
            ledger.add(f.sale_price.currency.code(), &sale.sold_on, crate::analytics::ledger::Delta {
                cost: -f.purchase_cost.amount,
                market: -market_value,
                units: -sale.quantity,
                realised: sale.net_profit.amount,
                revenue: f.sale_price.amount + f.shipping_charged.amount,
                fees: f.fees.amount,
                sold_cost: f.purchase_cost.amount,
                sales: 1,
                units_sold: sale.quantity,
                held_days: days_held.unwrap_or(0),
                held_days_n: i64::from(days_held.is_some()),
                items_in: 0,
                items_out: i64::from(sold_out),
            });
        }
        if let Some(w) = ledger.write(backend, owner) {
            w.sql().execute(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(Ok(true))
    }.await);
    outcome?
}

async fn sale_refusal(db: &Db, owner: &str, id: &str, version: i64) -> AppError {
    match get_item(db, owner, id).await {
        Err(e) => e,
        Ok(item) if item.summary.version != version => not_found_or_conflict(true),
        Ok(item) => AppError::field(
            "status",
            format!(
                "An item that is {} cannot be sold; put it in stock first.",
                item.summary.status.label().to_lowercase()
            ),
        ),
    }
}

/// Sells several whole items at once, each at its own unit price (times the units it holds),
/// fees and shipping. Every line is validated first;
/// then one transaction sells them all, or none if any was sold or changed meanwhile.
pub async fn bulk_record_sales(
    db: &Db,
    settings: &Settings,
    owner: &str,
    lines: &[super::types::BulkSaleLine],
    channel: &str,
    sold_on: &str,
) -> Result<u64, AppError> {
    use crate::domain::item::{SaleInput, validate_sale};
    let ids: Vec<String> = lines.iter().map(|l| l.id.clone()).collect();
    check_selection(&ids)?;
    let mut sales = Vec::with_capacity(lines.len());
    for line in lines {
        let item = get_item(db, owner, &line.id).await?;
        let name = &item.summary.name;
        if !matches!(
            item.summary.status,
            ItemStatus::InStock | ItemStatus::Listed | ItemStatus::Reserved
        ) {
            return Err(AppError::field(
                "status",
                format!(
                    "{name} is {} and cannot be sold.",
                    item.summary.status.label().to_lowercase()
                ),
            ));
        }
        let input = SaleInput {
            quantity: item.summary.quantity.to_string(),
            channel: channel.to_string(),
            sale_price: line.sale_price.clone(),
            fees: line.fees.clone(),
            shipping_charged: line.shipping_charged.clone(),
            shipping_paid: line.shipping_paid.clone(),
            sold_on: sold_on.to_string(),
        };
        let sale = validate_sale(&input, item.summary.purchase_price, item.summary.quantity)
            .map_err(|fields| {
                let (field, message) = fields.0.into_iter().next().unwrap_or_default();
                AppError::field(&field, format!("{name}: {message}"))
            })?;
        sales.push(SaleLine {
            id: line.id.clone(),
            version: item.summary.version,
            item_quantity: item.summary.quantity,
            sale,
        });
    }
    if !apply_sales(db, settings, owner, &sales).await? {
        return Err(not_found_or_conflict(true));
    }
    Ok(sales.len() as u64)
}

/// Adds tracking to a sold item and marks it shipped.
pub async fn record_shipment(
    db: &Db,
    settings: &Settings,
    owner: &str,
    id: &str,
    version: i64,
    shipment: &ShipmentDraft,
) -> Result<(), AppError> {
    let now = OffsetDateTime::now_utc();
    let claim = [Claim::shipments(&shipment.shipped_on, 1)];
    let outcome: Result<Result<u64, AppError>, sqlx::Error> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        if let Err(refused) = quota::check(&mut tx, settings, owner, &claim).await? {
            return Ok(Err(refused));
        }
        let changed = sqlx::query("UPDATE items SET status = 'shipped', version = version + 1, updated_at = $1 \
            WHERE id = $2 AND owner_user_id = $3 AND version = $4 AND status = 'sold'")
            .bind(now).bind(id).bind(owner).bind(version).execute(&mut *tx).await?.rows_affected();
        if changed == 1 {
            sqlx::query("INSERT INTO shipments (id, item_id, owner_user_id, carrier, tracking_code, shipped_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(new_id()).bind(id).bind(owner).bind(&shipment.carrier).bind(&shipment.tracking_code)
                .bind(&shipment.shipped_on).bind(now).execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(Ok(changed))
    }.await);
    if outcome?? == 0 {
        return Err(match get_item(db, owner, id).await {
            Err(e) => e,
            Ok(item) if item.summary.version != version => not_found_or_conflict(true),
            Ok(_) => AppError::field("status", "Only a sold item can get tracking."),
        });
    }
    Ok(())
}

/// Deletes the owner's items among `ids`; returns how many went.
pub async fn delete_items(db: &Db, owner: &str, ids: &[String]) -> Result<u64, AppError> {
    if ids.is_empty() || ids.len() > 500 {
        return Err(AppError::field("ids", "Select between 1 and 500 items."));
    }
    let deleted = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        // Deleted items never happened: what they and their sales added leaves the ledger.
        crate::analytics::ledger::forget(&mut tx, owner, &Scope::Items(ids)).await?;
        let mut q = sqlx::QueryBuilder::new("DELETE FROM items WHERE owner_user_id = ");
        q.push_bind(owner).push(" AND id IN ");
        push_list(&mut q, ids);
        let deleted = q.build().execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok::<_, sqlx::Error>(deleted)
    }.await)?;
    Ok(deleted)
}

/// Changes one cell from the stock table: the whole item is re-validated with the new value,
/// then saved if nobody changed it meanwhile. Answers the new version.
pub async fn edit_cell(
    db: &Db,
    owner: &str,
    id: &str,
    version: i64,
    field: &str,
    value: &str,
) -> Result<i64, AppError> {
    let item = get_item(db, owner, id).await?;
    let mut input = item.to_input();
    match field {
        "name" => input.name = value.to_string(),
        "purchase_price" => input.purchase_price = value.to_string(),
        "storage_location" => input.storage_location = value.to_string(),
        _ => {
            return Err(AppError::field(
                "field",
                "That column cannot be edited here.",
            ));
        }
    }
    let draft = crate::domain::item::validate_item(&input).map_err(AppError::validation)?;
    update_item(db, owner, id, version, &draft).await?;
    Ok(version + 1)
}

/// Moves many items to `to` at once; items whose status cannot make that move are skipped.
/// Returns (changed, skipped).
pub async fn bulk_change_status(
    db: &Db,
    owner: &str,
    ids: &[String],
    to: ItemStatus,
) -> Result<(u64, u64), AppError> {
    check_selection(ids)?;
    if matches!(to, ItemStatus::Sold | ItemStatus::Shipped) {
        return Err(AppError::field(
            "status",
            "Use “Mark sold” or “Add tracking” so the sale or shipment is recorded.",
        ));
    }
    let from: Vec<&str> = ItemStatus::ALL
        .iter()
        .filter(|s| s.can_become(to))
        .map(|s| s.as_str())
        .collect();
    let now = OffsetDateTime::now_utc();
    let changed = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let before = crate::analytics::ledger::held_contributions(&mut tx, owner, &Scope::Items(ids)).await?;
        let mut q = sqlx::QueryBuilder::new("UPDATE items SET status = ");
        q.push_bind(to.as_str()).push(", version = version + 1, updated_at = ").push_bind(now);
        q.push(" WHERE owner_user_id = ").push_bind(owner).push(" AND status IN ");
        push_list(&mut q, from.iter().copied());
        q.push(" AND id IN ");
        push_list(&mut q, ids);
        let changed = q.build().execute(&mut *tx).await?.rows_affected();
        if changed > 0 && to == ItemStatus::Returned {
            crate::analytics::ledger::restate(&mut tx, owner, ids, before).await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(changed)
    }.await)?;
    Ok((changed, ids.len() as u64 - changed))
}

/// Adds one tag to many items (items that already carry it are left alone).
pub async fn bulk_add_tag(
    db: &Db,
    owner: &str,
    ids: &[String],
    tag: &str,
) -> Result<u64, AppError> {
    check_selection(ids)?;
    let tag = crate::domain::item::parse_tags(tag)
        .map_err(|m| AppError::field("tag", m))?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::field("tag", "Enter a tag."))?;
    let now = OffsetDateTime::now_utc();
    let escaped = tag
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%,{escaped},%");
    let words = search_words(&tag);
    let changed = with_db!(db, pool => {
        let mut q = sqlx::QueryBuilder::new("UPDATE items SET tags = CASE WHEN tags = '' THEN ',' || ");
        q.push_bind(&tag).push(" || ',' ELSE tags || ").push_bind(&tag).push(" || ',' END, search_text = search_text || ' ' || ");
        q.push_bind(&words).push(", version = version + 1, updated_at = ").push_bind(now);
        q.push(" WHERE owner_user_id = ").push_bind(owner).push(" AND tags NOT LIKE ").push_bind(&pattern);
        q.push(" ESCAPE '\\' AND id IN ");
        push_list(&mut q, ids);
        let mut tx = pool.begin_write().await?;
        let changed = q.build().execute(&mut *tx).await?.rows_affected();
        tx.commit().await.map(|_| changed)
    })?;
    Ok(changed)
}

fn check_selection(ids: &[String]) -> Result<(), AppError> {
    if ids.is_empty() || ids.len() > 500 {
        return Err(AppError::field("ids", "Select between 1 and 500 items."));
    }
    Ok(())
}
