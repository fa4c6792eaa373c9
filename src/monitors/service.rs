//! Monitors: kept per reseller (each one of the plan's monitor keywords, through the quota
//! guard), and matched against a listing that was just listed, restocked or made cheaper —
//! in a job queued by the listing's own transaction, never in the request. A monitor is found
//! by its anchor word among the listing's words, then checked whole (`domain::monitor`).

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use super::types::{MonitorView, MonitorsPage};
use crate::{
    billing::quota::{self, Claim},
    domain::{
        Currency, Money,
        billing::Resource,
        inbox::Level,
        item::{ItemDetails, ItemKind},
        monitor::{
            Keywords, ListingWords, MonitorDraft, MonitorInput, Seen, validate_monitor, words_of,
        },
    },
    error::AppError,
    server::{
        config::Settings,
        db::{BeginWrite, Db, new_id},
        jobs::{BackgroundJob, Outcome},
        notify::Notice,
        state::AppState,
        store::{placeholders, sql},
    },
    with_db,
};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    owner_user_id: String,
    keywords: String,
    kind: Option<String>,
    sizes: String,
    condition: Option<String>,
    max_price: Option<i64>,
    currency: Currency,
    stores: String,
    /// The catalog product its words name, if they name one confidently.
    catalog_product_id: Option<String>,
    /// Left out of matching's read (decoding 10,000 timestamps is most of its cost).
    #[sqlx(default)]
    created_at: Option<OffsetDateTime>,
    /// The product's name, for the page.
    #[sqlx(default)]
    product_name: Option<String>,
}

const COLUMNS: &str = "id, owner_user_id, keywords, kind, sizes, condition, max_price, currency, stores, catalog_product_id, created_at, \
     (SELECT p.name FROM catalog_products p WHERE p.id = monitors.catalog_product_id) AS product_name";
/// What matching needs of a monitor.
const MATCH_COLUMNS: &str = "id, owner_user_id, keywords, kind, sizes, condition, max_price, currency, stores, catalog_product_id";

impl Row {
    /// The stored monitor, read with the form's own rules.
    fn draft(&self) -> Option<MonitorDraft> {
        let input = MonitorInput {
            keywords: self.keywords.clone(),
            kind: self.kind.clone().unwrap_or_default(),
            sizes: self.sizes.clone(),
            condition: self.condition.clone().unwrap_or_default(),
            max_price: self
                .max_price
                .map(|p| Money::new(p, self.currency).to_decimal_string())
                .unwrap_or_default(),
            currency: self.currency.code().to_string(),
            stores: self.stores.clone(),
        };
        validate_monitor(&input, self.currency).ok()
    }

    /// A cheap first look (keywords, sizes and stores on the stored text, no full parse) that
    /// rules out most candidates; what passes is checked whole with `draft`.
    /// `product`: the listing's item is linked to the monitor's product, so its wording does
    /// not matter (only the words the monitor excludes).
    fn may_match(
        &self,
        words: &ListingWords,
        size: Option<&str>,
        store: &str,
        product: bool,
    ) -> bool {
        let listed = |list: &str, value: &str| {
            list.trim().is_empty()
                || list
                    .split(',')
                    .any(|v| v.trim().eq_ignore_ascii_case(value.trim()))
        };
        listed(&self.sizes, size.unwrap_or("\u{0}"))
            && listed(&self.stores, store)
            && Keywords::parse(&self.keywords).is_ok_and(|k| {
                if product {
                    !k.excludes(words)
                } else {
                    k.matches_in(words)
                }
            })
    }

    fn same_product(&self, listed: Option<&str>) -> bool {
        listed.is_some() && self.catalog_product_id.as_deref() == listed
    }

    fn view(&self) -> MonitorView {
        let mut filters = Vec::new();
        if let Some(d) = self.draft() {
            if let Some(k) = d.kind {
                filters.push(k.label().to_string());
            }
            if !d.sizes.is_empty() {
                filters.push(format!("sizes {}", d.sizes.join(", ")));
            }
            if let Some(c) = d.condition {
                filters.push(c);
            }
            if let Some(max) = d.max_price {
                filters.push(format!("up to {max}"));
            }
            if !d.stores.is_empty() {
                filters.push(format!("only {}", d.stores.join(", ")));
            }
        }
        MonitorView {
            id: self.id.clone(),
            keywords: self.keywords.clone(),
            product: self.product_name.clone(),
            filters: if filters.is_empty() {
                "Any kind, size and price, in every store".into()
            } else {
                filters.join(" · ")
            },
            created_at: self
                .created_at
                .and_then(|at| at.format(&Rfc3339).ok())
                .unwrap_or_default(),
        }
    }
}

pub async fn page(db: &Db, settings: &Settings, owner: &str) -> Result<MonitorsPage, AppError> {
    let sql_text = format!(
        "SELECT {COLUMNS} FROM monitors WHERE owner_user_id = $1 ORDER BY created_at DESC, id"
    );
    let rows: Vec<Row> =
        with_db!(db, pool => sqlx::query_as(&sql_text).bind(owner).fetch_all(pool).await)?;
    let plan = crate::billing::standing::standing(db, settings.billing.grace_days, owner)
        .await?
        .plan;
    Ok(MonitorsPage {
        monitors: rows.iter().map(Row::view).collect(),
        allowed: quota::limit_of(quota::limits(settings, plan), Resource::MonitorKeywords),
    })
}

async fn currency_of(db: &Db, owner: &str) -> Currency {
    match crate::store::service::owned_store(db, owner).await {
        Ok((_, currency)) => currency,
        Err(_) => Currency::Usd,
    }
}

/// Adds a monitor; `name_product` names the catalog product its words name confidently
/// (the local catalog), if any.
pub async fn create(
    db: &Db,
    settings: &Settings,
    owner: &str,
    input: &MonitorInput,
    name_product: impl FnOnce(&str) -> Option<String>,
) -> Result<String, AppError> {
    let draft =
        validate_monitor(input, currency_of(db, owner).await).map_err(AppError::validation)?;
    let product = name_product(&draft.keywords.product_text());
    let currency = draft.max_price.map_or(
        Currency::parse(&input.currency).unwrap_or(Currency::Usd),
        |m| m.currency,
    );
    let id = new_id();
    let now = OffsetDateTime::now_utc();
    let refused = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        if let Err(refused) = quota::check(&mut tx, settings, owner, &[Claim::monitor_keywords(1)]).await? {
            return Ok::<_, sqlx::Error>(Some(refused));
        }
        sql("INSERT INTO monitors (id, owner_user_id, keywords, anchor, kind, sizes, condition, max_price, currency, stores, created_at, catalog_product_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
            .bind(id.as_str()).bind(owner).bind(draft.keywords.text()).bind(draft.keywords.anchor())
            .bind(draft.kind.map(|k| k.as_str().to_string())).bind(draft.sizes.join(", "))
            .bind(draft.condition.clone()).bind(draft.max_price.map(|m| m.amount)).bind(currency.code())
            .bind(draft.stores.join(", ")).bind(now).bind(product.as_deref())
            .execute(&mut tx).await?;
        tx.commit().await?;
        Ok(None)
    }.await)?;
    match refused {
        Some(refused) => Err(refused),
        None => Ok(id),
    }
}

pub async fn delete(db: &Db, owner: &str, id: &str) -> Result<(), AppError> {
    let n = db
        .write(
            sql("DELETE FROM monitors WHERE id = $1 AND owner_user_id = $2")
                .bind(id)
                .bind(owner),
        )
        .await?;
    if n == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// What happened to a listing that monitors may care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingEvent {
    Listed,
    Restocked,
    PriceDrop,
}

impl ListingEvent {
    /// From the listing before (price, available, active) and after a change.
    pub fn of(
        before: Option<(i64, i64, bool)>,
        price: i64,
        available: i64,
    ) -> Option<ListingEvent> {
        if available == 0 {
            return None;
        }
        match before {
            None | Some((_, _, false)) => Some(ListingEvent::Listed),
            Some((_, 0, true)) => Some(ListingEvent::Restocked),
            Some((was, _, true)) if price < was => Some(ListingEvent::PriceDrop),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ListingEvent::Listed => "listed",
            ListingEvent::Restocked => "restocked",
            ListingEvent::PriceDrop => "price_drop",
        }
    }
}

/// A listing changed: tell the monitors that match it (queued in the listing's transaction;
/// `at` names the change, so a job run twice notifies once).
#[derive(Serialize, Deserialize)]
pub struct MatchMonitors {
    pub listing_id: String,
    pub event: ListingEvent,
    pub at: i64,
}

impl BackgroundJob for MatchMonitors {
    const KIND: &'static str = "monitors.match";
    const LABEL: &'static str = "Tell store monitors about a listing";

    async fn run(self, state: &AppState) -> Outcome {
        match notify_monitors(&state.db, &self).await {
            Ok(_) => Outcome::Done,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Listed {
    price: i64,
    currency: Currency,
    status: String,
    available: i64,
    owner_user_id: String,
    store_slug: String,
    store_name: String,
    name: String,
    kind: ItemKind,
    details: String,
    catalog_product_id: Option<String>,
}

/// Everything a reseller might search a listing by: name, brand, style id, colourway, set,
/// number, game, language, finish.
fn words_of_listing(name: &str, d: &ItemDetails) -> Vec<String> {
    let mut text = name.to_string();
    for part in [
        &d.brand,
        &d.style_id,
        &d.colorway,
        &d.card_set,
        &d.card_number,
        &d.game,
        &d.language,
        &d.finish,
    ]
    .into_iter()
    .flatten()
    {
        text.push(' ');
        text.push_str(part);
    }
    // In order: phrases are matched as written.
    words_of(&text)
}

/// Writes a notification for every monitor the listing matches; answers how many.
pub async fn notify_monitors(db: &Db, job: &MatchMonitors) -> sqlx::Result<usize> {
    let listing: Option<Listed> = with_db!(db, pool => sqlx::query_as(
        "SELECT l.price, l.currency, l.status, l.available, l.owner_user_id, s.slug AS store_slug, s.name AS store_name, \
         i.name, i.kind, i.details, i.catalog_product_id FROM listings l JOIN stores s ON s.id = l.store_id JOIN items i ON i.id = l.item_id WHERE l.id = $1")
        .bind(&job.listing_id).fetch_optional(pool).await)?;
    let Some(l) = listing.filter(|l| l.status == "active" && l.available > 0) else {
        return Ok(0);
    };
    let details: ItemDetails = serde_json::from_str(&l.details).unwrap_or_default();
    let words = words_of_listing(&l.name, &details);
    let mut anchors = words.clone();
    anchors.sort();
    anchors.dedup();
    anchors.truncate(100);
    if anchors.is_empty() && l.catalog_product_id.is_none() {
        return Ok(0);
    }
    // The anchor finds the candidates; kind, currency, top price and sizes are checked by the
    // database too, so only those left are read and checked whole. Sizes are stored lower case
    // as "10, 10.5"; a listing without a size matches only monitors without sizes.
    let size_pattern = match serde_json::from_str::<ItemDetails>(&l.details)
        .ok()
        .and_then(|d| d.size)
    {
        Some(size) => format!(
            "%,{},%",
            size.to_lowercase()
                .chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, '%' | '_' | ','))
                .collect::<String>()
        ),
        None => "-".to_string(),
    };
    let n = anchors.len();
    let candidates_sql = format!(
        "SELECT {MATCH_COLUMNS} FROM monitors WHERE (anchor IN ({}) OR catalog_product_id = ${}) AND owner_user_id <> ${} \
         AND (kind IS NULL OR kind = ${}) AND (max_price IS NULL OR (currency = ${} AND max_price >= ${})) \
         AND (sizes = '' OR (',' || REPLACE(sizes, ' ', '') || ',') LIKE ${})",
        if n == 0 {
            "''".to_string()
        } else {
            placeholders(1, n)
        },
        n + 1,
        n + 2,
        n + 3,
        n + 4,
        n + 5,
        n + 6
    );
    let candidates: Vec<Row> = with_db!(db, pool => {
        let mut q = sqlx::query_as(&candidates_sql);
        for w in &anchors {
            q = q.bind(w);
        }
        // A listing of no product matches monitors by their words only.
        q.bind(l.catalog_product_id.as_deref().unwrap_or("")).bind(&l.owner_user_id).bind(l.kind.as_str()).bind(l.currency.code()).bind(l.price).bind(&size_pattern)
            .fetch_all(pool).await
    })?;
    let condition = details
        .sneaker_condition
        .map(|c| c.as_str().to_string())
        .or_else(|| details.card_condition.map(|c| c.as_str().to_string()));
    let company = details.grading_company.map(|c| c.as_str());
    let seen = Seen {
        text_words: &words,
        kind: l.kind,
        size: details.size.as_deref(),
        condition: condition.as_deref(),
        grade: company.zip(details.grade.as_deref()),
        price: Money::new(l.price, l.currency),
        store_slug: &l.store_slug,
    };
    let price = Money::new(l.price, l.currency);
    let (level, what) = match job.event {
        ListingEvent::Listed => (Level::Info, format!("Just listed at {}.", l.store_name)),
        ListingEvent::Restocked => (Level::Info, format!("Back in stock at {}.", l.store_name)),
        ListingEvent::PriceDrop => (
            Level::Success,
            format!("The price dropped to {price} at {}.", l.store_name),
        ),
    };
    // Keywords first (cheap, and what rules most candidates out), then the whole monitor.
    let listing_words = ListingWords::new(&words);
    let alerts: Vec<Notice> = candidates
        .iter()
        .filter(|m| {
            let product = m.same_product(l.catalog_product_id.as_deref());
            m.may_match(&listing_words, seen.size, &l.store_slug, product)
                && m.draft().is_some_and(|d| {
                    if product {
                        d.filters_match(&seen)
                    } else {
                        d.matches(&seen)
                    }
                })
        })
        .map(|m| {
            Notice::new(&m.owner_user_id, "monitor_alert", level, format!("“{}”: {} for {price}", m.keywords, l.name))
                .body(what.clone())
                .link(format!("/s/{}/items/{}", l.store_slug, job.listing_id))
                .data(serde_json::json!({"monitor_id": m.id, "listing_id": job.listing_id, "event": job.event.as_str()}))
                .once(format!("monitor:{}:{}:{}:{}", m.id, job.listing_id, job.event.as_str(), job.at))
        })
        .collect();
    if alerts.is_empty() {
        return Ok(0);
    }
    // Every alert of the listing in one write.
    let notified = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        let mut notified = 0;
        for alert in alerts {
            notified += usize::from(alert.write_in(&mut tx).await?);
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(notified)
    }.await)?;
    Ok(notified)
}
