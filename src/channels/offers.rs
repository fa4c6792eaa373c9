//! Offering an item on a channel, and taking it off. An item is offered on channels next to
//! its storefront listing, whose units every channel sells from.

use serde_json::json;
use time::OffsetDateTime;

use super::{events, types::ChannelOffer};
use crate::{
    domain::{Currency, Money},
    error::AppError,
    server::{
        db::{BeginWrite, Db},
        store::{placeholders, sql},
    },
    with_db,
};

/// Offers `item_id` on `channel_id` at `price` (for a manual channel, with the listing's
/// address there). The item must be listed in the store: its units are the channel's too.
pub async fn offer(
    db: &Db,
    owner: &str,
    channel_id: &str,
    item_id: &str,
    price: &str,
    url: Option<&str>,
) -> Result<(), AppError> {
    let listed: Option<(String, String, String)> = with_db!(db, pool => sqlx::query_as(
        "SELECT l.currency, i.name, c.kind FROM listings l JOIN items i ON i.id = l.item_id \
         JOIN channels c ON c.id = $3 AND c.owner_user_id = $2 \
         WHERE l.item_id = $1 AND l.owner_user_id = $2 AND l.status = 'active'")
        .bind(item_id).bind(owner).bind(channel_id).fetch_optional(pool).await)?;
    let Some((currency, name, kind)) = listed else {
        return Err(not_offerable(db, owner, channel_id, item_id).await?);
    };
    let currency = Currency::parse(&currency).unwrap_or(Currency::Usd);
    let price = match Money::parse(price.trim(), currency) {
        Ok(m) if m.amount > 0 => m,
        Ok(_) => return Err(AppError::field("price", "Set a price above zero.")),
        Err(e) => return Err(AppError::field("price", e.to_string())),
    };
    let url = url.map(str::trim).filter(|u| !u.is_empty());
    if let Some(u) = url
        && (crate::domain::alert_hook::host_of(u).is_err() || u.chars().count() > 500)
    {
        return Err(AppError::field(
            "url",
            "Paste the listing's whole address, starting with https://.",
        ));
    }
    let now = OffsetDateTime::now_utc();
    with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        sql("INSERT INTO channel_listings (channel_id, item_id, owner_user_id, price, currency, url, state, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'listed', $7, $7) \
             ON CONFLICT (channel_id, item_id) DO UPDATE SET price = excluded.price, url = excluded.url, state = 'listed', updated_at = excluded.updated_at")
            .bind(channel_id).bind(item_id).bind(owner).bind(price.amount).bind(price.currency.code())
            .bind(url).bind(now)
            .execute(&mut tx).await?;
        if kind == "connected" {
            let available: i64 = sql("SELECT available FROM listings WHERE item_id = $1")
                .bind(item_id).scalar(&mut tx).await?;
            events::send_to(&mut tx, channel_id, owner, "listing.published",
                &format!("{item_id}:{}", now.unix_timestamp_nanos()),
                &json!({"item_id": item_id, "title": name, "price": price, "available": available})).await?;
        }
        tx.commit().await
    }.await)?;
    Ok(())
}

/// Why an item cannot be offered: no such channel or item (404), or not listed in the store.
async fn not_offerable(
    db: &Db,
    owner: &str,
    channel_id: &str,
    item_id: &str,
) -> Result<AppError, AppError> {
    let (channels, items): (i64, i64) = with_db!(db, pool => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM channels WHERE id = $1 AND owner_user_id = $3), \
                (SELECT COUNT(*) FROM items WHERE id = $2 AND owner_user_id = $3)")
        .bind(channel_id).bind(item_id).bind(owner).fetch_one(pool).await)?;
    Ok(if channels == 0 || items == 0 {
        AppError::NotFound
    } else {
        AppError::field(
            "channel",
            "List the item in your store first: its units there are the ones every channel sells.",
        )
    })
}

/// Takes the item off one channel (connected channels are told).
pub async fn withdraw(
    db: &Db,
    owner: &str,
    channel_id: &str,
    item_id: &str,
) -> Result<(), AppError> {
    let now = OffsetDateTime::now_utc();
    let changed = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let kind: Option<(String,)> = sql(
            "SELECT c.kind FROM channel_listings cl JOIN channels c ON c.id = cl.channel_id \
             WHERE cl.channel_id = $1 AND cl.item_id = $2 AND cl.owner_user_id = $3 AND cl.state = 'listed'")
            .bind(channel_id).bind(item_id).bind(owner).fetch_optional(&mut tx).await?;
        let Some((kind,)) = kind else {
            return Ok::<_, sqlx::Error>(false);
        };
        sql("UPDATE channel_listings SET state = 'withdrawn', updated_at = $1 WHERE channel_id = $2 AND item_id = $3")
            .bind(now).bind(channel_id).bind(item_id).execute(&mut tx).await?;
        if kind == "connected" {
            events::send_to(&mut tx, channel_id, owner, "listing.withdrawn",
                &format!("{item_id}:{}", now.unix_timestamp_nanos()),
                &json!({"item_id": item_id, "reason": "withdrawn"})).await?;
        }
        tx.commit().await?;
        Ok(true)
    }.await)?;
    if changed {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Where an item is offered, for the item page and the stock table's "Listed on".
pub async fn offers_of(db: &Db, owner: &str, item_id: &str) -> Result<Vec<ChannelOffer>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        name: String,
        kind: String,
        price: i64,
        currency: String,
        url: Option<String>,
        state: String,
    }
    let rows: Vec<Row> = with_db!(db, pool => sqlx::query_as(
        "SELECT c.id, c.name, c.kind, cl.price, cl.currency, cl.url, cl.state FROM channel_listings cl \
         JOIN channels c ON c.id = cl.channel_id WHERE cl.item_id = $1 AND cl.owner_user_id = $2 ORDER BY LOWER(c.name), c.id")
        .bind(item_id).bind(owner).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ChannelOffer {
            channel_id: r.id,
            channel_name: r.name,
            connected: r.kind == "connected",
            price: Money::new(
                r.price,
                Currency::parse(&r.currency).unwrap_or(Currency::Usd),
            ),
            url: r.url,
            state: r.state,
        })
        .collect())
}

/// Where each of `item_ids` is offered now, for the stock table's "Listed on": "Storefront"
/// first, then the channels by name.
pub async fn places_of(
    db: &Db,
    owner: &str,
    item_ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<String>>, AppError> {
    let mut places: std::collections::HashMap<String, Vec<String>> = Default::default();
    if item_ids.is_empty() {
        return Ok(places);
    }
    let list = placeholders(2, item_ids.len());
    let text = format!(
        "SELECT item_id, 'Storefront' AS place, 0 AS ord FROM listings \
           WHERE owner_user_id = $1 AND status = 'active' AND item_id IN ({list}) \
         UNION ALL SELECT cl.item_id, c.name, 1 FROM channel_listings cl JOIN channels c ON c.id = cl.channel_id \
           WHERE cl.owner_user_id = $1 AND cl.state = 'listed' AND cl.item_id IN ({list}) \
         ORDER BY 3"
    );
    let rows: Vec<(String, String, i32)> = with_db!(db, pool => {
        let mut query = sqlx::query_as(&text).bind(owner);
        for id in item_ids {
            query = query.bind(id);
        }
        query.fetch_all(pool).await
    })?;
    for (item, place, _) in rows {
        places.entry(item).or_default().push(place);
    }
    // Storefront first (the query's order), then the channels by name, whatever their case.
    for list in places.values_mut() {
        let store = usize::from(list.first().is_some_and(|p| p == "Storefront"));
        list[store..].sort_by_key(|name| name.to_lowercase());
    }
    Ok(places)
}

/// The reseller's channels (id, name), by name.
pub async fn channel_names(db: &Db, owner: &str) -> Result<Vec<(String, String)>, AppError> {
    Ok(with_db!(db, pool => sqlx::query_as(
        "SELECT id, name FROM channels WHERE owner_user_id = $1 ORDER BY LOWER(name), id")
        .bind(owner).fetch_all(pool).await)?)
}
