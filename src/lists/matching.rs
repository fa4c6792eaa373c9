//! When a reseller lists an item on their storefront, the owners of public Want-To-Buy lists
//! that want it (same catalog product or style id, the size/condition/grade they name, at or
//! under their price) get a notification. Runs as a job (`wtb.match`) queued in the listing's
//! own transaction; a notification is written once per wanted item and listing.

use serde_json::json;

use super::items::{ITEM_COLUMNS, ItemRow};
use crate::{
    domain::{
        Currency, Money,
        inbox::Level,
        item::ItemDetails,
        wtb::{Offer, match_keys, offer_matches},
    },
    server::{
        db::Db,
        jobs::{BackgroundJob, Outcome},
        notify::Notice,
        state::AppState,
        store::push_list,
    },
    with_db,
};

#[derive(sqlx::FromRow)]
struct ListingRow {
    price: i64,
    currency: Currency,
    status: String,
    owner_user_id: String,
    store_slug: String,
    store_name: String,
    name: String,
    style_id: Option<String>,
    size: Option<String>,
    grade: Option<String>,
    details: String,
    catalog_product_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Candidate {
    #[sqlx(flatten)]
    item: ItemRow,
    list_owner: String,
    list_name: String,
    list_id: String,
}

/// Telling the wanters about a listing that just went up.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct MatchWanted {
    pub listing_id: String,
}

impl BackgroundJob for MatchWanted {
    const KIND: &'static str = "wtb.match";
    const LABEL: &'static str = "Tell Want-To-Buy lists about a new listing";

    async fn run(self, state: &AppState) -> Outcome {
        match_listing(state, &self.listing_id).await
    }
}

/// New wanted items: the listings already on sale that they match.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct MatchExisting {
    pub wanted_ids: Vec<String>,
}

impl BackgroundJob for MatchExisting {
    const KIND: &'static str = "wtb.match_existing";
    const LABEL: &'static str = "Look for listings that new Want-To-Buy items match";

    async fn run(self, state: &AppState) -> Outcome {
        match listings_for(&state.db, &self.wanted_ids).await {
            Ok(listings) => {
                for listing in listings {
                    if let Err(e) = notify_matches(&state.db, &listing).await {
                        return Outcome::Failed(e.to_string());
                    }
                }
                Outcome::Done
            }
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// Active listings whose item has one of the wanted items' keys (catalog product, or a part
/// of a compound style id), at most 200; each is then checked as a new listing is (a match
/// notified before is not notified again).
async fn listings_for(db: &Db, wanted: &[String]) -> sqlx::Result<Vec<String>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = with_db!(db, pool => {
        let mut q = sqlx::QueryBuilder::new("SELECT DISTINCT match_key FROM wtb_item_keys WHERE item_id IN ");
        push_list(&mut q, wanted);
        q.build_query_scalar().fetch_all(pool).await
    })?;
    let products: Vec<&str> = keys.iter().filter_map(|k| k.strip_prefix("p:")).collect();
    let styles: Vec<&str> = keys.iter().filter_map(|k| k.strip_prefix("s:")).collect();
    if products.is_empty() && styles.is_empty() {
        return Ok(Vec::new());
    }
    with_db!(db, pool => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT DISTINCT l.id FROM listings l JOIN items i ON i.id = l.item_id \
             WHERE l.status = 'active' AND l.available > 0 AND (1 = 0");
        if !products.is_empty() {
            q.push(" OR i.catalog_product_id IN ");
            push_list(&mut q, products.iter().copied());
        }
        for style in &styles {
            // The style id, or one part of a compound one ("315122-111/CW2288-111").
            q.push(" OR UPPER(i.style_id) = ").push_bind(*style);
            q.push(" OR UPPER(i.style_id) LIKE ").push_bind(format!("{style}/%"));
            q.push(" OR UPPER(i.style_id) LIKE ").push_bind(format!("%/{style}"));
            q.push(" OR UPPER(i.style_id) LIKE ").push_bind(format!("%/{style}/%"));
        }
        q.push(") LIMIT 200");
        q.build_query_scalar().fetch_all(pool).await
    })
}

pub async fn match_listing(state: &AppState, listing_id: &str) -> Outcome {
    match notify_matches(&state.db, listing_id).await {
        Ok(n) => {
            if n > 0 {
                tracing::info!(notified = n, "listing matched wanted items");
            }
            Outcome::Done
        }
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Writes a notification for every wanted item the listing satisfies; returns how many.
pub async fn notify_matches(db: &Db, listing_id: &str) -> Result<usize, sqlx::Error> {
    let listing = with_db!(db, pool => sqlx::query_as::<_, ListingRow>(
        "SELECT l.price, l.currency, l.status, l.owner_user_id, s.slug AS store_slug, s.name AS store_name, \
         i.name, i.style_id, i.size, i.grade, i.details, i.catalog_product_id \
         FROM listings l JOIN stores s ON s.id = l.store_id JOIN items i ON i.id = l.item_id WHERE l.id = $1")
        .bind(listing_id).fetch_optional(pool).await)?;
    let Some(listing) = listing.filter(|l| l.status == "active") else {
        return Ok(0);
    };
    let currency = listing.currency;
    let details: ItemDetails = serde_json::from_str(&listing.details).unwrap_or_default();
    let offer = Offer {
        catalog_product_id: listing.catalog_product_id.clone(),
        style_id: listing.style_id.clone(),
        size: listing.size.clone(),
        condition: details
            .sneaker_condition
            .map(|c| c.as_str().to_string())
            .or_else(|| details.card_condition.map(|c| c.as_str().to_string())),
        grade: listing.grade.clone(),
        grading_company: details.grading_company.map(|c| c.as_str().to_string()),
        price: Money::new(listing.price, currency),
    };
    let keys = match_keys(
        offer.catalog_product_id.as_deref(),
        offer.style_id.as_deref(),
    );
    if keys.is_empty() {
        return Ok(0);
    }
    let candidates = with_db!(db, pool => {
        let mut q = sqlx::QueryBuilder::new(format!(
            "SELECT DISTINCT {ITEM_COLUMNS}, wl.owner_user_id AS list_owner, wl.name AS list_name, wl.id AS list_id \
             FROM wtb_item_keys k JOIN wtb_items w ON w.id = k.item_id JOIN wtb_lists wl ON wl.id = w.list_id \
             WHERE k.match_key IN "));
        push_list(&mut q, &keys);
        q.push(" AND wl.is_public = TRUE AND wl.owner_user_id <> ").push_bind(&listing.owner_user_id);
        q.push(" AND w.currency = ").push_bind(currency.code());
        q.push(" AND (w.max_price IS NULL OR w.max_price >= ").push_bind(listing.price).push(")");
        q.build_query_as::<Candidate>().fetch_all(pool).await
    })?;
    let mut notified = 0;
    for c in candidates {
        let wanted = c.item.to_draft();
        if !offer_matches(&wanted, &offer) {
            continue;
        }
        let title = format!(
            "{} listed {} from your list “{}”",
            listing.store_name, c.item.name, c.list_name
        );
        let body = format!(
            "{} for {}{}. You want {} {}.",
            listing.name,
            offer.price,
            match wanted.max_price {
                Some(max) => format!(" (your limit: {max})"),
                None => String::new(),
            },
            wanted.quantity,
            if wanted.quantity == 1 {
                "unit"
            } else {
                "units"
            }
        );
        let link = format!("/s/{}/items/{listing_id}", listing.store_slug);
        let data = json!({
            "listing_id": listing_id,
            "wtb_item_id": c.item.id,
            "list_id": c.list_id,
            "price": offer.price,
        });
        let dedupe = format!("wtb_match:{}:{listing_id}", c.item.id);
        let inserted: bool = Notice::new(&c.list_owner, "wtb_match", Level::Info, title)
            .body(body)
            .link(link)
            .data(data)
            .once(dedupe)
            .write(db)
            .await?;
        notified += inserted as usize;
    }
    Ok(notified)
}
