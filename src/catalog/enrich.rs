//! "Enrich all": links a reseller's items that name no catalog product to the one their
//! fields name, through the whole cascade (local catalog, then the configured providers).
//! Items that read the same are asked about once, so an import of a thousand rows costs at
//! most one lookup per distinct product. A background job, one per reseller at a time, with
//! progress the stock table shows; an item linked already is never asked about again, so a
//! run that stopped half-way picks up where it was.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    resolve::{Lookup, SharedIndex, resolve},
    types::EnrichRun,
};
use crate::{
    domain::{catalog::details_text, inbox::Level, item::ItemDetails},
    error::AppError,
    server::{
        db::{BeginWrite, Db, new_id},
        jobs::{self, BackgroundJob, Outcome},
        notify::Notice,
        state::AppState,
        store::{placeholders, sql},
    },
    with_db,
};

/// The most items one run looks at (the rest wait for the next run).
const MOST_ITEMS: i64 = 20_000;

/// Links one reseller's items, as run `run_id` counts them.
#[derive(Debug, Serialize, Deserialize)]
pub struct EnrichAll {
    pub run_id: String,
}

impl BackgroundJob for EnrichAll {
    const KIND: &'static str = "catalog.enrich_all";
    const LABEL: &'static str = "Link your items to catalog products";
    const MAX_ATTEMPTS: i64 = 3;

    async fn run(self, state: &AppState) -> Outcome {
        match enrich(state, &self.run_id).await {
            Ok(()) => Outcome::Done,
            Err(e) => {
                let _ = state
                    .db
                    .write(
                        sql("UPDATE enrich_runs SET status = 'failed', error = $1, finished_at = $2 WHERE id = $3 AND status = 'running'")
                            .bind(e.to_string())
                            .bind(OffsetDateTime::now_utc())
                            .bind(self.run_id.as_str()),
                    )
                    .await;
                Outcome::Failed(e.to_string())
            }
        }
    }
}

/// Starts a run for `owner`, or answers the one already going.
pub async fn start(state: &AppState, owner: &str) -> Result<EnrichRun, AppError> {
    let id = new_id();
    let now = OffsetDateTime::now_utc();
    let started = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        // One run at a time: a second start while one runs adds nothing (the unique index).
        let added = sql("INSERT INTO enrich_runs (id, owner_user_id, status, started_at) VALUES ($1, $2, 'running', $3) \
             ON CONFLICT DO NOTHING")
            .bind(id.as_str()).bind(owner).bind(now).execute(&mut tx).await?;
        if added == 0 {
            return Ok::<_, sqlx::Error>(false);
        }
        jobs::enqueue(&mut tx, &EnrichAll { run_id: id.clone() }.queued(Some(owner))).await?;
        tx.commit().await?;
        Ok(true)
    }.await)?;
    if started {
        state.jobs_ready.notify_one();
    }
    latest(&state.db, owner).await?.ok_or(AppError::Internal)
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: String,
    status: String,
    items_total: i64,
    texts_total: i64,
    texts_done: i64,
    linked: i64,
    calls: i64,
    error: Option<String>,
}

/// `owner`'s latest run, if any.
pub async fn latest(db: &Db, owner: &str) -> Result<Option<EnrichRun>, AppError> {
    let row: Option<RunRow> = with_db!(db, pool => sqlx::query_as(
        "SELECT id, status, items_total, texts_total, texts_done, linked, calls, error FROM enrich_runs \
         WHERE owner_user_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1")
        .bind(owner).fetch_optional(pool).await)?;
    Ok(row.map(|r| EnrichRun {
        id: r.id,
        status: r.status,
        items_total: r.items_total,
        texts_total: r.texts_total,
        texts_done: r.texts_done,
        linked: r.linked,
        calls: r.calls,
        error: r.error,
    }))
}

async fn enrich(state: &AppState, run_id: &str) -> Result<(), AppError> {
    let owner: Option<(String, String)> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT owner_user_id, status FROM enrich_runs WHERE id = $1")
        .bind(run_id).fetch_optional(pool).await)?;
    let Some((owner, status)) = owner else {
        return Ok(());
    };
    if status != "running" {
        return Ok(());
    }
    let items: Vec<(String, String, String)> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT id, name, details FROM items WHERE owner_user_id = $1 AND catalog_product_id IS NULL \
         ORDER BY created_at, id LIMIT $2")
        .bind(&owner).bind(MOST_ITEMS).fetch_all(pool).await)?;
    // Items that read the same are one lookup (in the order they were added).
    let mut texts: Vec<(String, Vec<String>)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = Default::default();
    for (id, name, details) in &items {
        let details: ItemDetails = serde_json::from_str(details).unwrap_or_default();
        let text = details_text(name, &details);
        match at.get(&text) {
            Some(&n) => texts[n].1.push(id.clone()),
            None => {
                at.insert(text.clone(), texts.len());
                texts.push((text, vec![id.clone()]));
            }
        }
    }
    let progress = |done: usize, linked: i64, calls: u64| {
        sql("UPDATE enrich_runs SET items_total = $1, texts_total = $2, texts_done = $3, linked = $4, calls = $5 WHERE id = $6")
            .bind(items.len() as i64)
            .bind(texts.len() as i64)
            .bind(done as i64)
            .bind(linked)
            .bind(calls as i64)
            .bind(run_id)
    };
    state.db.write(progress(0, 0, 0)).await?;
    let index = state.part::<SharedIndex>();
    let lookup = state.part::<Lookup>();
    let providers = lookup.providers(&state.settings, &state.clock);
    let (mut linked, mut calls) = (0i64, 0u64);
    let mut told = std::time::Instant::now();
    for (n, (text, ids)) in texts.iter().enumerate() {
        let before = providers.total_calls();
        let answer = resolve(&state.db, index, lookup, providers, state.clock.now(), text).await?;
        calls += providers.total_calls().saturating_sub(before);
        if let Some(product) = answer.product_id {
            let list = placeholders(3, ids.len());
            let update = format!(
                "UPDATE items SET catalog_product_id = $1, version = version + 1, updated_at = $2 \
                 WHERE id IN ({list}) AND owner_user_id = ${} AND catalog_product_id IS NULL",
                ids.len() + 3
            );
            linked += state
                .db
                .write(
                    sql(update)
                        .bind(product)
                        .bind(OffsetDateTime::now_utc())
                        .bind_all(ids.iter().map(String::as_str))
                        .bind(owner.as_str()),
                )
                .await? as i64;
        }
        if told.elapsed() >= std::time::Duration::from_millis(500) {
            state.db.write(progress(n + 1, linked, calls)).await?;
            told = std::time::Instant::now();
        }
    }
    let now = OffsetDateTime::now_utc();
    let unlinked = items.len() as i64 - linked;
    let notice = Notice::new(
        &owner,
        "enrich_done",
        Level::Info,
        format!("{linked} of {} items linked to catalog products", items.len()),
    )
    .body(if unlinked > 0 {
        format!(
            "{unlinked} item(s) found no confident match: open them and pick the product, or give them a style id or set number and run Enrich all again."
        )
    } else {
        "Every item now names its catalog product, so its market price follows the market.".to_string()
    })
    .link("/app/inventory")
    .once(format!("enrich_done:{run_id}"));
    with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        progress(texts.len(), linked, calls).execute(&mut tx).await?;
        sql("UPDATE enrich_runs SET status = 'done', finished_at = $1 WHERE id = $2 AND status = 'running'")
            .bind(now).bind(run_id).execute(&mut tx).await?;
        notice.write_in(&mut tx).await?;
        tx.commit().await
    }.await)?;
    Ok(())
}
