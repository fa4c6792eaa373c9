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
            Ok(true) => Outcome::Done,
            // The rest in the next slice, at once.
            Ok(false) => Outcome::Later(state.clock.now_ms()),
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

/// How long one run of the job works before it hands over to the next (a job's lease is
/// five minutes; provider rate limits can make a big run take longer).
const SLICE: std::time::Duration = std::time::Duration::from_secs(60);

/// How long to wait for a provider that could not be asked, and how many times per text.
const WAIT: std::time::Duration = std::time::Duration::from_secs(5);
const PATIENCE: u32 = 3;

#[derive(sqlx::FromRow)]
struct Progress {
    owner_user_id: String,
    status: String,
    items_total: i64,
    texts_done: i64,
    linked: i64,
    calls: i64,
    cursor: Option<String>,
}

/// One slice of a run: the texts after its cursor, in text order, for up to `SLICE`.
/// `false` when there is more to do.
async fn enrich(state: &AppState, run_id: &str) -> Result<bool, AppError> {
    let run: Option<Progress> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT owner_user_id, status, items_total, texts_done, linked, calls, cursor FROM enrich_runs WHERE id = $1")
        .bind(run_id).fetch_optional(pool).await)?;
    let Some(run) = run.filter(|r| r.status == "running") else {
        return Ok(true);
    };
    let owner = run.owner_user_id.as_str();
    let items: Vec<(String, String, String)> = with_db!(&state.db, pool => sqlx::query_as(
        "SELECT id, name, details FROM items WHERE owner_user_id = $1 AND catalog_product_id IS NULL \
         ORDER BY created_at, id LIMIT $2")
        .bind(owner).bind(MOST_ITEMS).fetch_all(pool).await)?;
    // Items that read the same are one lookup; texts in order, so a cursor can say where the
    // run is.
    let mut texts: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (id, name, details) in &items {
        let details: ItemDetails = serde_json::from_str(details).unwrap_or_default();
        texts
            .entry(details_text(name, &details))
            .or_default()
            .push(id.clone());
    }
    let first = run.cursor.is_none() && run.texts_done == 0;
    let items_total = if first {
        items.len() as i64
    } else {
        run.items_total
    };
    if first {
        state
            .db
            .write(
                sql("UPDATE enrich_runs SET items_total = $1, texts_total = $2 WHERE id = $3")
                    .bind(items_total)
                    .bind(texts.len() as i64)
                    .bind(run_id),
            )
            .await?;
    }
    let progress = |done: i64, linked: i64, calls: i64, cursor: &str| {
        sql("UPDATE enrich_runs SET texts_done = $1, linked = $2, calls = $3, cursor = $4 WHERE id = $5")
            .bind(done)
            .bind(linked)
            .bind(calls)
            .bind(cursor.to_string())
            .bind(run_id)
    };
    let index = state.part::<SharedIndex>();
    let lookup = state.part::<Lookup>();
    let providers = lookup.providers(&state.settings, &state.clock);
    let (mut done, mut linked, mut calls) = (run.texts_done, run.linked, run.calls);
    let started = std::time::Instant::now();
    let mut told = started;
    let mut last = run.cursor.unwrap_or_default();
    let todo =
        texts.range::<String, _>((std::ops::Bound::Excluded(&last), std::ops::Bound::Unbounded));
    for (text, ids) in todo {
        if started.elapsed() >= SLICE {
            state.db.write(progress(done, linked, calls, &last)).await?;
            return Ok(false);
        }
        let before = providers.total_calls();
        let mut answer =
            resolve(&state.db, index, lookup, providers, state.clock.now(), text).await?;
        // A provider over its rate limit (or paused): wait a little and ask again, a few
        // times, rather than leave the item unlinked; the slice hands over when it is up.
        let mut waits = 0;
        while answer.unavailable && answer.product_id.is_none() && waits < PATIENCE {
            if started.elapsed() + WAIT >= SLICE {
                calls += providers.total_calls().saturating_sub(before) as i64;
                state.db.write(progress(done, linked, calls, &last)).await?;
                return Ok(false);
            }
            tokio::time::sleep(WAIT).await;
            waits += 1;
            answer = resolve(&state.db, index, lookup, providers, state.clock.now(), text).await?;
        }
        calls += providers.total_calls().saturating_sub(before) as i64;
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
                        .bind(owner),
                )
                .await? as i64;
        }
        done += 1;
        last = text.clone();
        if told.elapsed() >= std::time::Duration::from_millis(500) {
            state.db.write(progress(done, linked, calls, &last)).await?;
            told = std::time::Instant::now();
        }
    }
    let now = OffsetDateTime::now_utc();
    let unlinked = items_total - linked;
    let notice = Notice::new(
        owner,
        "enrich_done",
        Level::Info,
        format!("{linked} of {items_total} items linked to catalog products"),
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
        progress(done, linked, calls, &last).execute(&mut tx).await?;
        sql("UPDATE enrich_runs SET status = 'done', finished_at = $1 WHERE id = $2 AND status = 'running'")
            .bind(now).bind(run_id).execute(&mut tx).await?;
        notice.write_in(&mut tx).await?;
        tx.commit().await
    }.await)?;
    Ok(true)
}
