//! The public catalog: stores, listings with filters and pages, item pages and cart pricing.
//! Reads only; every stock change happens in checkout.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use super::types::{
    CatalogPage, CatalogQuery, Facets, ListingDetail, PricedCart, PricedLine, PublicListing,
    PublicStore,
};
use crate::{
    checkout::service::StoreRow,
    domain::{
        Currency, Money,
        item::{ItemDetails, ItemKind},
        store::{CheckoutLine, ShippingPolicy, check_country},
    },
    error::AppError,
    server::{db::Db, store::push_list},
    with_db,
};

pub const PER_PAGE: u32 = 24;
const FACETS_TTL: Duration = Duration::from_secs(30);

#[derive(sqlx::FromRow)]
struct StoreFace {
    id: String,
    slug: String,
    name: String,
    tagline: String,
    currency: Currency,
    description: String,
    logo_url: Option<String>,
    policies: String,
    faq: String,
    ships_from: String,
    shipping_rates: String,
    free_shipping_over: Option<i64>,
}

fn money(amount: i64, currency: Currency) -> Money {
    Money::new(amount, currency)
}

/// Shipping in words for the store's pages.
pub fn shipping_lines(policy: &ShippingPolicy, currency: Currency) -> Vec<String> {
    let mut lines: Vec<String> = policy
        .rates
        .iter()
        .map(|r| {
            let price = if r.amount == 0 {
                "free".to_string()
            } else {
                money(r.amount, currency).to_string()
            };
            if r.region == "*" {
                format!("Everywhere else: {price}")
            } else {
                format!("{}: {price}", r.region)
            }
        })
        .collect();
    if lines.is_empty() {
        lines.push(format!("Ships within {} for free", policy.ships_from));
    }
    if let Some(free) = policy.free_over {
        lines.push(format!(
            "Free shipping on orders of {} or more",
            money(free, currency)
        ));
    }
    lines
}

/// Looks a store up by slug, or by id when the key is shaped like one: its id and public face.
pub async fn find_public_store(
    db: &Db,
    key: &str,
    pays_by_card: bool,
) -> Result<Option<(String, PublicStore)>, AppError> {
    let key = key.trim().to_lowercase();
    if key.is_empty() || key.len() > 64 {
        return Ok(None);
    }
    let column = if crate::domain::account::looks_like_id(&key) {
        "id"
    } else {
        "slug"
    };
    let sql = format!(
        "SELECT id, slug, name, tagline, currency, description, logo_url, policies, faq, ships_from, shipping_rates, free_shipping_over \
         FROM stores WHERE {column} = $1"
    );
    let row = with_db!(db, pool => sqlx::query_as::<_, StoreFace>(&sql).bind(&key).fetch_optional(pool).await)?;
    Ok(row.map(|r| {
        let policy = ShippingPolicy {
            ships_from: r.ships_from.clone(),
            rates: serde_json::from_str(&r.shipping_rates).unwrap_or_default(),
            free_over: r.free_shipping_over,
        };
        let store = PublicStore {
            shipping: shipping_lines(&policy, r.currency),
            slug: r.slug,
            name: r.name,
            tagline: r.tagline,
            currency: r.currency,
            description: r.description,
            logo_url: r.logo_url,
            policies: r.policies,
            faq: r.faq,
            pays_by_card,
            page_url: String::new(),
        };
        (r.id, store)
    }))
}

#[derive(sqlx::FromRow)]
struct ListingRow {
    id: String,
    price: i64,
    currency: Currency,
    available: i64,
    condition: Option<String>,
    name: String,
    kind: ItemKind,
    brand: Option<String>,
    card_set: Option<String>,
    size: Option<String>,
    image_urls: String,
    details: String,
    /// The item's first ready photo.
    cover_photo: Option<String>,
}

const LISTING_COLUMNS: &str = "l.id, l.price, l.currency, l.available, l.condition, i.name, i.kind, i.brand, i.card_set, i.size, \
    i.image_urls, i.details, (SELECT p.id FROM item_photos p WHERE p.item_id = i.id AND p.status = 'ready' \
    ORDER BY p.position LIMIT 1) AS cover_photo";

impl ListingRow {
    /// Its pictures: the cover photo first, then the item's image links.
    fn images(&self, size: &str) -> Vec<String> {
        let links: Vec<String> = serde_json::from_str(&self.image_urls).unwrap_or_default();
        self.cover_photo
            .iter()
            .map(|id| crate::photos::types::photo_url(id, size))
            .chain(links)
            .collect()
    }
}

fn grade_of(details: &ItemDetails) -> Option<String> {
    details
        .grade
        .as_ref()
        .map(|g| match details.grading_company {
            Some(company) => format!("{} {g}", company.label()),
            None => g.clone(),
        })
}

impl ListingRow {
    fn into_public(self, store_slug: &str) -> (PublicListing, ItemDetails) {
        let details: ItemDetails = serde_json::from_str(&self.details).unwrap_or_default();
        let images = self.images("card");
        let listing = PublicListing {
            url: format!("/s/{store_slug}/items/{}", self.id),
            title: self.name,
            kind: self.kind,
            price: money(self.price, self.currency),
            available: self.available,
            condition: self.condition,
            size_label: self.size.as_ref().map(|s| match details.size_system {
                Some(system) => format!("{} {s}", system.label()),
                None => format!("Size {s}"),
            }),
            size: self.size,
            grade: grade_of(&details),
            brand: self.brand,
            card_set: self.card_set,
            images,
            id: self.id,
        };
        (listing, details)
    }
}

enum Bind {
    Text(String),
    Int(i64),
}

/// The store's catalog page: only listings with units to sell.
pub async fn catalog(
    db: &Db,
    front: StoreFront,
    query: &CatalogQuery,
) -> Result<CatalogPage, AppError> {
    let per_page = PER_PAGE;
    let page = query.page.max(1);
    let (listings, has_next) = listings(
        db,
        &front.id,
        &front.store.slug,
        front.store.currency,
        query,
        per_page,
        (page - 1) * per_page,
    )
    .await?;
    Ok(CatalogPage {
        store: front.store,
        listings,
        page,
        per_page,
        has_next,
        facets: front.facets,
    })
}

/// A page of listings (`limit` from `offset`) and whether more follow.
pub async fn listings(
    db: &Db,
    store_id: &str,
    store_slug: &str,
    currency: Currency,
    query: &CatalogQuery,
    limit: u32,
    offset: u32,
) -> Result<(Vec<PublicListing>, bool), AppError> {
    let mut sql = format!(
        "SELECT {LISTING_COLUMNS} FROM listings l JOIN items i ON i.id = l.item_id \
         WHERE l.store_id = $1 AND l.status = 'active' AND l.available > 0"
    );
    let mut binds: Vec<Bind> = vec![Bind::Text(store_id.to_string())];
    // Appends a condition whose `?` is the next placeholder.
    fn filter(sql: &mut String, binds: &mut Vec<Bind>, clause: &str, bind: Bind) {
        binds.push(bind);
        sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
    }
    for word in crate::domain::search::terms(&query.q).into_iter().take(6) {
        filter(
            &mut sql,
            &mut binds,
            " AND i.search_text LIKE ?",
            Bind::Text(format!("%{word}%")),
        );
    }
    if let Some(kind) = ItemKind::parse(&query.kind) {
        filter(
            &mut sql,
            &mut binds,
            " AND i.kind = ?",
            Bind::Text(kind.as_str().to_string()),
        );
    }
    if !query.line.trim().is_empty() {
        binds.push(Bind::Text(query.line.trim().to_string()));
        let n = binds.len();
        sql.push_str(&format!(" AND (i.brand = ${n} OR i.card_set = ${n})"));
    }
    if !query.size.trim().is_empty() {
        filter(
            &mut sql,
            &mut binds,
            " AND i.size = ?",
            Bind::Text(query.size.trim().to_string()),
        );
    }
    if !query.condition.trim().is_empty() {
        filter(
            &mut sql,
            &mut binds,
            " AND l.condition = ?",
            Bind::Text(query.condition.trim().to_string()),
        );
    }
    if let Ok(min) = Money::parse(query.min_price.trim(), currency) {
        filter(
            &mut sql,
            &mut binds,
            " AND l.price >= ?",
            Bind::Int(min.amount),
        );
    }
    if let Ok(max) = Money::parse(query.max_price.trim(), currency) {
        filter(
            &mut sql,
            &mut binds,
            " AND l.price <= ?",
            Bind::Int(max.amount),
        );
    }
    sql.push_str(match query.sort.as_str() {
        "price" => " ORDER BY l.price ASC, l.id ASC",
        "-price" => " ORDER BY l.price DESC, l.id DESC",
        _ => " ORDER BY l.created_at DESC, l.id DESC",
    });
    sql.push_str(&format!(" LIMIT {} OFFSET {offset}", limit + 1));
    let rows = with_db!(db, pool => {
        let mut q = sqlx::query_as::<_, ListingRow>(&sql);
        for b in &binds {
            q = match b {
                Bind::Text(t) => q.bind(t.as_str()),
                Bind::Int(i) => q.bind(*i),
            };
        }
        q.fetch_all(pool).await
    })?;
    let has_next = rows.len() > limit as usize;
    let listings = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| r.into_public(store_slug).0)
        .collect();
    Ok((listings, has_next))
}

/// One listing's page; sold-out listings still show (as sold out), withdrawn ones do not.
pub async fn listing_detail(
    db: &Db,
    store: PublicStore,
    store_id: &str,
    listing_id: &str,
) -> Result<ListingDetail, AppError> {
    if listing_id.len() > 64 {
        return Err(AppError::NotFound);
    }
    let sql = format!(
        "SELECT {LISTING_COLUMNS} FROM listings l JOIN items i ON i.id = l.item_id WHERE l.store_id = $1 AND l.id = $2 AND l.status <> 'withdrawn'"
    );
    let row = with_db!(db, pool => sqlx::query_as::<_, ListingRow>(&sql).bind(store_id).bind(listing_id).fetch_optional(pool).await)?
        .ok_or(AppError::NotFound)?;
    let (listing, d) = row.into_public(&store.slug);
    let mut details: Vec<(String, String)> = Vec::new();
    let mut add = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            details.push((label.to_string(), v));
        }
    };
    add("Brand", d.brand.clone());
    add("Style id", d.style_id.clone());
    add("Colorway", d.colorway.clone());
    add("Size", listing.size_label.clone());
    add("Condition", listing.condition.clone());
    add("Box", d.box_condition.map(|b| b.label().to_string()));
    add("Game", d.game.clone());
    add("Set", d.card_set.clone());
    add("Number", d.card_number.clone());
    add("Language", d.language.clone());
    add("Finish", d.finish.clone());
    add("Grade", listing.grade.clone());
    add("Cert number", d.cert_number.clone());
    for (k, v) in &d.attributes {
        add(k, Some(v.clone()));
    }
    Ok(ListingDetail {
        store,
        listing,
        details,
    })
}

/// Prices a cart as it stands now (the browser keeps only ids and quantities).
pub async fn price_cart(
    db: &Db,
    store: &StoreRow,
    lines: &[CheckoutLine],
    country: &str,
) -> Result<PricedCart, AppError> {
    let cur = store.currency;
    let lines: Vec<&CheckoutLine> = lines
        .iter()
        .take(crate::domain::store::MAX_CHECKOUT_LINES)
        .collect();
    let mut priced = Vec::with_capacity(lines.len());
    if !lines.is_empty() {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            listing: ListingRow,
            status: String,
        }
        let rows = with_db!(db, pool => {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT {LISTING_COLUMNS}, l.status FROM listings l JOIN items i ON i.id = l.item_id WHERE l.store_id = "));
            q.push_bind(&store.id).push(" AND l.id IN ");
            push_list(&mut q, lines.iter().map(|l| l.listing_id.as_str()));
            q.build_query_as::<Row>().fetch_all(pool).await
        })?;
        for line in lines {
            let Some(row) = rows.iter().find(|r| r.listing.id == line.listing_id) else {
                continue;
            };
            let available = if row.status == "active" {
                row.listing.available
            } else {
                0
            };
            let quantity = line
                .quantity
                .clamp(1, crate::domain::store::MAX_LINE_QUANTITY);
            let problem = if available == 0 {
                Some("Sold out".to_string())
            } else if available < quantity {
                Some(format!("Only {available} left"))
            } else {
                None
            };
            priced.push(PricedLine {
                listing_id: row.listing.id.clone(),
                title: row.listing.name.clone(),
                unit_price: Money::new(row.listing.price, cur),
                quantity,
                available,
                image: row.listing.images("thumb").into_iter().next(),
                problem,
            });
        }
    }
    // Lines that can be bought count; the price is checkout's own computation.
    let country = check_country(country).ok();
    let total = crate::domain::store::price_order(
        priced
            .iter()
            .filter(|l| l.problem.is_none())
            .map(|l| (l.unit_price.amount, l.quantity)),
        &store.shipping(),
        country.as_deref(),
    )
    .map_err(|e| AppError::field("lines", e.to_string()))?;
    Ok(PricedCart {
        subtotal: Money::new(total.subtotal, cur),
        shipping: total.shipping.map(|s| Money::new(s, cur)),
        total: total.total.map(|t| Money::new(t, cur)),
        lines: priced,
    })
}

/// Kind, brand, set, size and condition of one listing.
type FacetRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// What every page of a store shows whatever the shopper asks: its id and public face (by the
/// slug or id in the address) and its filter values.
#[derive(Clone)]
pub struct StoreFront {
    pub id: String,
    pub store: PublicStore,
    pub facets: Facets,
}

/// Store faces and filter values, kept for a short while: every storefront page needs them,
/// and working the filters out reads every listing of the store. Saving store settings or
/// listings on this process forgets them at once; other processes catch up within the TTL.
#[derive(Default)]
pub struct StorefrontCache(Mutex<HashMap<String, (Instant, StoreFront)>>);

/// This process's storefront cache (plugged in by `storefront::plug`).
pub fn cache(state: &crate::server::state::AppState) -> &StorefrontCache {
    state.part::<StorefrontCache>()
}

/// Past this many stores the cache starts over rather than grow without bound.
const CACHED_STORES: usize = 10_000;

impl StorefrontCache {
    /// The store behind `key` (slug or id) with its filter values; `None` when there is none.
    pub async fn store(
        &self,
        db: &Db,
        key: &str,
        pays_by_card: bool,
        site: &str,
    ) -> Result<Option<StoreFront>, AppError> {
        let key = key.trim().to_lowercase();
        if let Some((at, front)) = self.0.lock().expect("storefront cache").get(&key)
            && at.elapsed() < FACETS_TTL
        {
            let mut front = front.clone();
            front.store.pays_by_card = pays_by_card;
            return Ok(Some(front));
        }
        let Some((id, mut store)) = find_public_store(db, &key, pays_by_card).await? else {
            return Ok(None);
        };
        store.page_url = format!("{}/s/{}", site.trim_end_matches('/'), store.slug);
        let facets = load_facets(db, &id).await?;
        let front = StoreFront { id, store, facets };
        let mut map = self.0.lock().expect("storefront cache");
        if map.len() >= CACHED_STORES {
            map.clear();
        }
        map.insert(key, (Instant::now(), front.clone()));
        Ok(Some(front))
    }

    /// Forgets every store after its settings or listings change.
    pub fn clear(&self) {
        self.0.lock().expect("storefront cache").clear();
    }
}

/// The filter values of a store's catalog: every kind, brand or set, size and condition on sale.
async fn load_facets(db: &Db, store_id: &str) -> Result<Facets, AppError> {
    let rows: Vec<FacetRow> = with_db!(db, pool => sqlx::query_as(
        "SELECT DISTINCT i.kind, i.brand, i.card_set, i.size, l.condition FROM listings l JOIN items i ON i.id = l.item_id \
         WHERE l.store_id = $1 AND l.status = 'active' AND l.available > 0")
        .bind(store_id).fetch_all(pool).await)?;
    let mut f = Facets::default();
    let push = |v: &mut Vec<String>, s: Option<&String>| {
        if let Some(s) = s.filter(|s| !s.is_empty())
            && !v.contains(s)
        {
            v.push(s.clone());
        }
    };
    for (kind, brand, set, size, condition) in &rows {
        push(&mut f.kinds, Some(kind));
        push(&mut f.lines, brand.as_ref());
        push(&mut f.lines, set.as_ref());
        push(&mut f.sizes, size.as_ref());
        push(&mut f.conditions, condition.as_ref());
    }
    f.kinds.sort();
    f.lines.sort();
    f.conditions.sort();
    f.sizes
        .sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.total_cmp(&y),
            _ => a.cmp(b),
        });
    Ok(f)
}
