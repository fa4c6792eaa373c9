//! The store view's own data: settings and listings. Listing an item moves it to `listed`
//! and offers its units; changing or withdrawing a listing never touches units that a
//! shopper holds in a reservation.

use time::OffsetDateTime;

use super::types::{ListingRow, StoreSettingsView};
use crate::server::store::sql;
use crate::{
    domain::{
        Currency, Money,
        item::ItemDetails,
        store::{ListingInput, StoreSettings, format_rates, validate_listing},
    },
    error::AppError,
    server::{
        db::{BeginWrite, Db, is_unique_violation, new_id},
        jobs::{self, BackgroundJob},
    },
    with_db,
};

/// The store a user owns (its id and currency); staff and platform accounts have none.
pub async fn owned_store(db: &Db, user: &str) -> Result<(String, Currency), AppError> {
    let row: Option<(String, Currency)> = with_db!(db, pool => sqlx::query_as(
        "SELECT s.id, s.currency FROM stores s JOIN store_members m ON m.store_id = s.id WHERE m.user_id = $1 AND m.role = 'owner'")
        .bind(user).fetch_optional(pool).await)?;
    row.ok_or(AppError::NotFound)
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    slug: String,
    name: String,
    tagline: String,
    description: String,
    logo_url: Option<String>,
    currency: Currency,
    ships_from: String,
    shipping_rates: String,
    free_shipping_over: Option<i64>,
    policies: String,
    faq: String,
    payment_instructions: String,
}

pub async fn settings(db: &Db, user: &str) -> Result<StoreSettingsView, AppError> {
    let (store_id, _) = owned_store(db, user).await?;
    let r = with_db!(db, pool => sqlx::query_as::<_, SettingsRow>(
        "SELECT slug, name, tagline, description, logo_url, currency, ships_from, shipping_rates, free_shipping_over, policies, faq, \
         payment_instructions FROM stores WHERE id = $1").bind(&store_id).fetch_one(pool).await)?;
    let currency = r.currency;
    let rates = serde_json::from_str::<Vec<crate::domain::store::ShippingRate>>(&r.shipping_rates)
        .unwrap_or_default();
    Ok(StoreSettingsView {
        slug: r.slug,
        input: crate::domain::store::StoreSettingsInput {
            name: r.name,
            tagline: r.tagline,
            description: r.description,
            logo_url: r.logo_url.unwrap_or_default(),
            currency: r.currency.code().to_string(),
            ships_from: r.ships_from,
            shipping_rates: format_rates(&rates, currency),
            free_shipping_over: r
                .free_shipping_over
                .map(|a| Money::new(a, currency).to_decimal_string())
                .unwrap_or_default(),
            policies: r.policies,
            faq: r.faq,
            payment_instructions: r.payment_instructions,
        },
    })
}

/// Saves validated settings; a new address must be free, and the currency can only change
/// while nothing is listed in the old one.
pub async fn save_settings(
    db: &Db,
    user: &str,
    slug: &str,
    s: &StoreSettings,
) -> Result<(), AppError> {
    let (store_id, currency) = owned_store(db, user).await?;
    if s.currency != currency {
        let listed: i64 = with_db!(db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM listings WHERE store_id = $1 AND status = 'active'").bind(&store_id).fetch_one(pool).await)?;
        if listed > 0 {
            return Err(AppError::field(
                "currency",
                "Withdraw your listings before changing the store's currency.",
            ));
        }
    }
    let rates = serde_json::to_string(&s.shipping.rates).unwrap_or_else(|_| "[]".into());
    let result = db.write(sql(
        "UPDATE stores SET slug = $1, name = $2, tagline = $3, description = $4, logo_url = $5, currency = $6, ships_from = $7, \
         shipping_rates = $8, free_shipping_over = $9, policies = $10, faq = $11, payment_instructions = $12, updated_at = $13 WHERE id = $14")
        .bind(slug).bind(&s.name).bind(&s.tagline).bind(&s.description).bind(&s.logo_url).bind(s.currency.code())
        .bind(&s.shipping.ships_from).bind(&rates).bind(s.shipping.free_over).bind(&s.policies).bind(&s.faq)
        .bind(&s.payment_instructions).bind(OffsetDateTime::now_utc()).bind(&store_id)
        ).await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(AppError::field(
            "slug",
            "That address is taken; choose another.",
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(sqlx::FromRow)]
struct ItemForListing {
    quantity: i64,
    currency: Currency,
    status: String,
    details: String,
}

/// The item's condition in the words shoppers filter by.
fn condition_of(details: &str) -> Option<String> {
    let d: ItemDetails = serde_json::from_str(details).unwrap_or_default();
    d.sneaker_condition
        .map(|c| c.label().to_string())
        .or_else(|| d.card_condition.map(|c| c.label().to_string()))
}

/// Units of a listing that unpaid orders hold right now.
// BIGINT on both: PostgreSQL's SUM of BIGINT is NUMERIC, which an i64 does not decode.
/// Sales channels' locks hold units the same way (`channels::locks`).
const RESERVED_UNITS: &str = "((SELECT CAST(COALESCE(SUM(ol.quantity), 0) AS BIGINT) FROM order_lines ol JOIN orders o ON o.id = ol.order_id \
     WHERE ol.listing_id = listings.id AND o.stock = 'reserved') \
     + (SELECT CAST(COALESCE(SUM(sl.quantity), 0) AS BIGINT) FROM sale_locks sl WHERE sl.listing_id = listings.id AND sl.state = 'held'))";

/// Unpaid orders holding units of the listing.
const HOLDING_ORDERS: &str = "(SELECT CAST(COUNT(DISTINCT o.id) AS BIGINT) FROM order_lines ol JOIN orders o ON o.id = ol.order_id \
     WHERE ol.listing_id = listings.id AND o.stock = 'reserved')";

/// Lists an item (or changes its listing) at a price, offering `quantity` units of it.
pub async fn list_item(
    db: &Db,
    user: &str,
    item_id: &str,
    input: &ListingInput,
) -> Result<String, AppError> {
    let (store_id, store_currency) = owned_store(db, user).await?;
    let item = with_db!(db, pool => sqlx::query_as::<_, ItemForListing>(
        "SELECT quantity, currency, status, details FROM items WHERE id = $1 AND owner_user_id = $2")
        .bind(item_id).bind(user).fetch_optional(pool).await)?
        .ok_or(AppError::NotFound)?;
    if !matches!(item.status.as_str(), "in_stock" | "listed") {
        return Err(AppError::field(
            "status",
            "Only items in stock can be listed. Mark it in stock first.",
        ));
    }
    if item.currency != store_currency {
        return Err(AppError::field(
            "price",
            format!(
                "This item is recorded in {}; your store sells in {store_currency}.",
                item.currency
            ),
        ));
    }
    let currency = store_currency;
    let draft = validate_listing(input, currency, item.quantity).map_err(AppError::validation)?;
    let (price, quantity) = (draft.price, draft.quantity);
    let now = OffsetDateTime::now_utc();
    let condition = condition_of(&item.details);
    let id = new_id();
    let sql = format!(
        "INSERT INTO listings (id, store_id, owner_user_id, item_id, price, currency, available, status, condition, created_at, updated_at, max_per_order) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $9, $10) \
         ON CONFLICT (item_id) DO UPDATE SET price = excluded.price, condition = excluded.condition, status = 'active', updated_at = excluded.updated_at, \
         max_per_order = excluded.max_per_order, \
         available = CASE WHEN excluded.available > {RESERVED_UNITS} THEN excluded.available - {RESERVED_UNITS} ELSE 0 END \
         RETURNING id, available"
    );
    let listing_id: String = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let before: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT price, available, status FROM listings WHERE item_id = $1")
            .bind(item_id).fetch_optional(&mut *tx).await?;
        let (id, available): (String, i64) = sqlx::query_as(&sql)
            .bind(&id).bind(&store_id).bind(user).bind(item_id).bind(price.amount).bind(currency.code())
            .bind(quantity).bind(&condition).bind(now).bind(draft.max_per_order).fetch_one(&mut *tx).await?;
        // Resellers whose store monitors hunt this hear about it (listed, back, or cheaper).
        let before = before.map(|(p, a, s)| (p, a, s == "active"));
        if let Some(event) = crate::monitors::service::ListingEvent::of(before, price.amount, available) {
            let job = crate::monitors::service::MatchMonitors {
                listing_id: id.clone(),
                event,
                at: now.unix_timestamp_nanos() as i64 / 1_000,
            };
            jobs::enqueue(&mut tx, &job.queued(Some(user))).await?;
        }
        sqlx::query("UPDATE items SET status = 'listed', version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'in_stock'")
            .bind(now).bind(item_id).execute(&mut *tx).await?;
        // Owners of public Want-To-Buy lists that want this item hear about it.
        jobs::enqueue(&mut tx, &crate::lists::matching::MatchWanted { listing_id: id.clone() }.queued(Some(user))).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    }.await)?;
    Ok(listing_id)
}

/// Takes a listing off the storefront; its item goes back in stock.
pub async fn withdraw(db: &Db, user: &str, listing_id: &str) -> Result<(), AppError> {
    let now = OffsetDateTime::now_utc();
    let changed = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let item: Option<String> = sqlx::query_scalar(
            "UPDATE listings SET status = 'withdrawn', available = 0, updated_at = $1 WHERE id = $2 AND owner_user_id = $3 AND status <> 'withdrawn' RETURNING item_id")
            .bind(now).bind(listing_id).bind(user).fetch_optional(&mut *tx).await?;
        if let Some(item) = &item {
            sqlx::query("UPDATE items SET status = 'in_stock', version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'listed'")
                .bind(now).bind(item).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(item.is_some())
    }.await)?;
    if changed {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn listings(db: &Db, user: &str) -> Result<Vec<ListingRow>, AppError> {
    listings_where(db, user, None).await
}

async fn listings_where(
    db: &Db,
    user: &str,
    item: Option<&str>,
) -> Result<Vec<ListingRow>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        item_id: String,
        name: String,
        price: i64,
        currency: Currency,
        available: i64,
        status: String,
        reserved: i64,
        holding_orders: i64,
        max_per_order: Option<i64>,
    }
    let sql = format!(
        "SELECT listings.id, listings.item_id, i.name, listings.price, listings.currency, listings.available, listings.status, \
         {RESERVED_UNITS} AS reserved, {HOLDING_ORDERS} AS holding_orders, listings.max_per_order \
         FROM listings JOIN items i ON i.id = listings.item_id \
         WHERE listings.owner_user_id = $1 AND listings.status <> 'withdrawn' AND ($2 = '' OR listings.item_id = $2) \
         ORDER BY listings.created_at DESC LIMIT 500"
    );
    let rows = with_db!(db, pool => sqlx::query_as::<_, Row>(&sql).bind(user).bind(item.unwrap_or("")).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ListingRow {
            price: Money::new(r.price, r.currency),
            id: r.id,
            item_id: r.item_id,
            title: r.name,
            available: r.available,
            reserved: r.reserved,
            holding_orders: r.holding_orders,
            max_per_order: r.max_per_order,
            status: r.status,
        })
        .collect())
}

/// The listing of an item, if it has one (for the item page).
pub async fn listing_of_item(
    db: &Db,
    user: &str,
    item_id: &str,
) -> Result<Option<ListingRow>, AppError> {
    Ok(listings(db, user)
        .await?
        .into_iter()
        .find(|l| l.item_id == item_id))
}
