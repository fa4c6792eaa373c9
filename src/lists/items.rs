//! Wanted items on the server, shared by the dashboard and the bot API: pages walk the
//! time-ordered ids, every edit bumps `version` (the API's ETag) with a conditional update,
//! and the keys an item is matched on are rewritten in the same transaction.

use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use crate::{
    domain::{
        Currency, Money,
        wtb::{WtbItem, WtbItemDraft, match_keys},
    },
    error::AppError,
    lists::types::WantedMarket,
    server::db::{BeginWrite, Db, new_id},
    with_db,
};

/// Most items a list keeps (the dashboard and the public page show them all).
pub const MAX_ITEMS_PER_LIST: i64 = 1000;

#[derive(sqlx::FromRow)]
pub(super) struct ItemRow {
    pub id: String,
    pub name: String,
    pub product_id: Option<String>,
    pub style_id: Option<String>,
    pub size: Option<String>,
    pub condition: Option<String>,
    pub grade: Option<String>,
    pub quantity: i64,
    pub max_price: Option<i64>,
    pub currency: Currency,
    pub notes: String,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

pub(super) const ITEM_COLUMNS: &str = "w.id, w.name, w.product_id, w.style_id, w.size, w.condition, w.grade, \
     w.quantity, w.max_price, w.currency, w.notes, w.version, w.created_at, w.updated_at";

fn rfc3339(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

impl ItemRow {
    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn into_item(self) -> WtbItem {
        let currency = self.currency();
        WtbItem {
            max_price: self.max_price.map(|a| Money::new(a, currency)),
            id: self.id,
            name: self.name,
            product_id: self.product_id,
            style_id: self.style_id,
            size: self.size,
            condition: self.condition,
            grade: self.grade,
            quantity: self.quantity,
            notes: self.notes,
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
            version: self.version,
        }
    }

    /// The item as the matcher reads it.
    pub fn to_draft(&self) -> WtbItemDraft {
        let currency = self.currency();
        WtbItemDraft {
            name: self.name.clone(),
            product_id: self.product_id.clone(),
            style_id: self.style_id.clone(),
            size: self.size.clone(),
            condition: self.condition.clone(),
            grade: self.grade.clone(),
            quantity: self.quantity,
            max_price: self.max_price.map(|a| Money::new(a, currency)),
            currency,
            notes: self.notes.clone(),
        }
    }
}

/// The market's latest price for each item of a list linked to a product: per item, its
/// size's price before the product's, and a price in the item's currency before another.
pub async fn market_prices(
    db: &Db,
    list_id: &str,
) -> Result<Vec<(String, WantedMarket)>, AppError> {
    // Only each source's latest run; a variant's row only when it is the item's size (in any
    // size system the provider's chart converts to).
    type Row = (String, String, i64, String, String, Option<String>);
    let rows: Vec<Row> = with_db!(db, pool => sqlx::query_as(
        "SELECT DISTINCT w.id, w.currency, mp.price, mp.currency, mp.source, v.size FROM wtb_items w \
         JOIN market_prices mp ON mp.catalog_product_id = w.product_id AND mp.item_id IS NULL \
         LEFT JOIN catalog_variants v ON v.catalog_product_id = mp.catalog_product_id AND v.source = mp.source \
           AND v.variant_id = mp.variant_id AND v.size = w.size \
         WHERE w.list_id = $1 AND (mp.variant_id IS NULL OR v.size IS NOT NULL) \
           AND mp.observed_at = (SELECT MAX(m2.observed_at) FROM market_prices m2 \
             WHERE m2.catalog_product_id = mp.catalog_product_id AND m2.source = mp.source AND m2.item_id IS NULL) \
         ORDER BY w.id, mp.source")
        .bind(list_id).fetch_all(pool).await)?;
    let mut best: Vec<(String, (bool, bool), WantedMarket)> = Vec::new();
    for (item, wanted_currency, price, currency, source, size) in rows {
        let Ok(currency) = Currency::parse(&currency) else {
            continue;
        };
        let rank = (size.is_some(), currency.code() == wanted_currency);
        let offer = WantedMarket {
            price: Money::new(price, currency),
            size,
            source,
        };
        match best.last_mut() {
            Some((id, had, kept)) if *id == item => {
                if rank > *had {
                    (*had, *kept) = (rank, offer);
                }
            }
            _ => best.push((item, rank, offer)),
        }
    }
    Ok(best.into_iter().map(|(id, _, m)| (id, m)).collect())
}

pub async fn all_items(db: &Db, list_id: &str) -> Result<Vec<WtbItem>, AppError> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM wtb_items w WHERE w.list_id = $1 ORDER BY w.id");
    let rows = with_db!(db, pool => sqlx::query_as::<_, ItemRow>(&sql).bind(list_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(ItemRow::into_item).collect())
}

/// Page `page` (from 1) of a list's items for the public page, and how many it has.
pub async fn public_page(
    db: &Db,
    list_id: &str,
    page: u32,
    per_page: u32,
) -> Result<(Vec<WtbItem>, i64), AppError> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM wtb_items w WHERE w.list_id = $1 ORDER BY w.id LIMIT $2 OFFSET $3"
    );
    let offset = (page.max(1) - 1) as i64 * per_page as i64;
    let rows = with_db!(db, pool => sqlx::query_as::<_, ItemRow>(&sql)
        .bind(list_id).bind(per_page as i64).bind(offset).fetch_all(pool).await)?;
    let total: i64 = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM wtb_items WHERE list_id = $1")
        .bind(list_id).fetch_one(pool).await)?;
    Ok((rows.into_iter().map(ItemRow::into_item).collect(), total))
}

/// A page of items after `cursor` (an item id; "" from the start) (an item id) and whether more follow.
pub async fn items_page(
    db: &Db,
    list_id: &str,
    limit: u32,
    cursor: &str,
) -> Result<(Vec<WtbItem>, Option<String>), AppError> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM wtb_items w WHERE w.list_id = $1 AND w.id > $2 ORDER BY w.id LIMIT $3"
    );
    let rows = with_db!(db, pool => sqlx::query_as::<_, ItemRow>(&sql)
        .bind(list_id).bind(cursor).bind(limit as i64 + 1).fetch_all(pool).await)?;
    let mut items: Vec<WtbItem> = rows.into_iter().map(ItemRow::into_item).collect();
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|i| i.id.clone())
    } else {
        None
    };
    Ok((items, next))
}

pub async fn get_item(db: &Db, list_id: &str, item_id: &str) -> Result<Option<WtbItem>, AppError> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM wtb_items w WHERE w.id = $1 AND w.list_id = $2");
    let row = with_db!(db, pool => sqlx::query_as::<_, ItemRow>(&sql).bind(item_id).bind(list_id).fetch_optional(pool).await)?;
    Ok(row.map(ItemRow::into_item))
}

/// Marks the list's items as changed (cached pages of the old version are dropped).
const BUMP_LIST: &str =
    "UPDATE wtb_lists SET items_version = items_version + 1, updated_at = $1 WHERE id = $2";

/// Rewrites the match keys of an item inside the caller's transaction.
macro_rules! write_keys {
    ($tx:expr, $item_id:expr, $draft:expr) => {{
        sqlx::query("DELETE FROM wtb_item_keys WHERE item_id = $1")
            .bind($item_id)
            .execute(&mut *$tx)
            .await?;
        for key in match_keys($draft.product_id.as_deref(), $draft.style_id.as_deref()) {
            sqlx::query(
                "INSERT INTO wtb_item_keys (match_key, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(key)
            .bind($item_id)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}

/// Fills in `product_id` from the local catalog where a wanted item has none and its style id
/// or name names a product confidently — so wanted items match listings of that product and
/// its market price is kept. Local only: a request never waits for a provider.
pub async fn link_products(
    state: &crate::server::state::AppState,
    drafts: &mut [WtbItemDraft],
) -> Result<(), AppError> {
    if drafts.iter().all(|d| d.product_id.is_some()) {
        return Ok(());
    }
    let index = state
        .part::<crate::catalog::resolve::SharedIndex>()
        .current(&state.db)
        .await?;
    for d in drafts.iter_mut().filter(|d| d.product_id.is_none()) {
        let text = match &d.style_id {
            Some(style) => format!("{style} {}", d.name),
            None => d.name.clone(),
        };
        d.product_id = crate::catalog::resolve::local(&index, &text).product_id;
    }
    Ok(())
}

/// Adds an item to a list (at most `MAX_ITEMS_PER_LIST`, counted under the write lock).
pub async fn create_item(
    db: &Db,
    list_id: &str,
    draft: &WtbItemDraft,
) -> Result<WtbItem, AppError> {
    let mut items = create_items(db, list_id, std::slice::from_ref(draft)).await?;
    items.pop().ok_or(AppError::Internal)
}

/// Adds several items in one transaction: all of them or none.
pub async fn create_items(
    db: &Db,
    list_id: &str,
    drafts: &[WtbItemDraft],
) -> Result<Vec<WtbItem>, AppError> {
    let ids: Vec<String> = drafts.iter().map(|_| new_id()).collect();
    let now = OffsetDateTime::now_utc();
    let added = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        // Locks the list row so parallel adds count one after the other.
        sqlx::query(BUMP_LIST).bind(now).bind(list_id).execute(&mut *tx).await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wtb_items WHERE list_id = $1")
            .bind(list_id).fetch_one(&mut *tx).await?;
        if count + drafts.len() as i64 > MAX_ITEMS_PER_LIST {
            return Ok(false);
        }
        for (id, draft) in ids.iter().zip(drafts) {
            sqlx::query(
                "INSERT INTO wtb_items (id, list_id, name, product_id, style_id, size, condition, grade, quantity, max_price, currency, notes, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)")
                .bind(id).bind(list_id).bind(&draft.name).bind(&draft.product_id).bind(&draft.style_id)
                .bind(&draft.size).bind(&draft.condition).bind(&draft.grade).bind(draft.quantity)
                .bind(draft.max_price.map(|m| m.amount)).bind(draft.currency.code()).bind(&draft.notes).bind(now)
                .execute(&mut *tx).await?;
            write_keys!(tx, id, draft);
        }
        // Listings already on sale are looked at now, not only the ones listed from now on.
        let job = super::matching::MatchExisting { wanted_ids: ids.clone() };
        crate::server::jobs::enqueue(&mut tx, &crate::server::jobs::BackgroundJob::queued(&job, None)).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(true)
    }.await)?;
    if !added {
        return Err(AppError::conflict(
            "list_full",
            format!("A list holds at most {MAX_ITEMS_PER_LIST} items; remove some first."),
        ));
    }
    let mut items = Vec::with_capacity(ids.len());
    for id in &ids {
        items.push(get_item(db, list_id, id).await?.ok_or(AppError::Internal)?);
    }
    Ok(items)
}

/// Replaces an item's fields. With `expected_version` the change applies only if nobody
/// changed the item since (else `PreconditionFailed`).
pub async fn update_item(
    db: &Db,
    list_id: &str,
    item_id: &str,
    draft: &WtbItemDraft,
    expected_version: Option<i64>,
) -> Result<WtbItem, AppError> {
    let now = OffsetDateTime::now_utc();
    let changed = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let done = sqlx::query(
            "UPDATE wtb_items SET name = $1, product_id = $2, style_id = $3, size = $4, condition = $5, grade = $6, \
             quantity = $7, max_price = $8, currency = $9, notes = $10, version = version + 1, updated_at = $11 \
             WHERE id = $12 AND list_id = $13 AND ($14 IS NULL OR version = $14)")
            .bind(&draft.name).bind(&draft.product_id).bind(&draft.style_id).bind(&draft.size)
            .bind(&draft.condition).bind(&draft.grade).bind(draft.quantity).bind(draft.max_price.map(|m| m.amount))
            .bind(draft.currency.code()).bind(&draft.notes).bind(now).bind(item_id).bind(list_id).bind(expected_version)
            .execute(&mut *tx).await?.rows_affected();
        if done == 0 {
            return Ok(false);
        }
        sqlx::query(BUMP_LIST).bind(now).bind(list_id).execute(&mut *tx).await?;
        write_keys!(tx, item_id, draft);
        tx.commit().await?;
        Ok::<_, sqlx::Error>(true)
    }.await)?;
    match get_item(db, list_id, item_id).await? {
        Some(item) if changed => Ok(item),
        Some(item) => Err(stale(&item)),
        None => Err(AppError::NotFound),
    }
}

pub fn etag(item: &WtbItem) -> String {
    format!("\"v{}\"", item.version)
}

pub fn stale(current: &WtbItem) -> AppError {
    AppError::PreconditionFailed {
        message: format!(
            "This item changed since you read it (its ETag is now {}); read it again and retry.",
            etag(current)
        ),
    }
}

/// Removes an item. With `expected_version` only that version is removed (else
/// `PreconditionFailed`), as an edit with `If-Match` would.
pub async fn delete_item(
    db: &Db,
    list_id: &str,
    item_id: &str,
    expected_version: Option<i64>,
) -> Result<(), AppError> {
    let now = OffsetDateTime::now_utc();
    let deleted = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let n = sqlx::query("DELETE FROM wtb_items WHERE id = $1 AND list_id = $2 AND ($3 IS NULL OR version = $3)")
            .bind(item_id).bind(list_id).bind(expected_version).execute(&mut *tx).await?.rows_affected();
        if n > 0 {
            sqlx::query(BUMP_LIST).bind(now).bind(list_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(n)
    }.await)?;
    if deleted == 0 {
        return match get_item(db, list_id, item_id).await? {
            Some(item) => Err(stale(&item)),
            None => Err(AppError::NotFound),
        };
    }
    Ok(())
}
