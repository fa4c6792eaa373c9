//! The catalog's scheduled work: Cardmarket's daily files and the market price refresh. Each
//! runs as a background job (retried with backoff when a provider is down); the housekeeping
//! round queues it when due. A server queues a run only when it moves the task's next run
//! forward first, so two servers on one database never both run it.

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::resolve::Lookup;
use crate::server::{
    db::{BeginWrite, Db},
    jobs::{self, BackgroundJob, Outcome},
    state::AppState,
    store::sql,
};
use crate::with_db;

/// Downloads Cardmarket's changed files and imports them.
#[derive(Debug, Serialize, Deserialize)]
pub struct RefreshCardmarket {}

impl BackgroundJob for RefreshCardmarket {
    const KIND: &'static str = "catalog.refresh_cardmarket";
    const LABEL: &'static str = "Download Cardmarket's daily product and price files";

    async fn run(self, state: &AppState) -> Outcome {
        let lookup = state.part::<Lookup>();
        let providers = lookup.providers(&state.settings, &state.clock);
        let Some(cardmarket) = &providers.cardmarket else {
            return Outcome::Done;
        };
        match cardmarket
            .refresh(&state.db, &state.settings.data_dir, state.clock.now_ms())
            .await
        {
            Ok(_) => Outcome::Done,
            Err(why) => Outcome::Failed(why),
        }
    }
}

/// Refreshes the market prices of the products resellers hold, list or want; `run_ms` names
/// the run, so a repeated job writes nothing twice.
#[derive(Debug, Serialize, Deserialize)]
pub struct RefreshPrices {
    pub run_ms: i64,
}

impl BackgroundJob for RefreshPrices {
    const KIND: &'static str = "catalog.refresh_prices";
    const LABEL: &'static str = "Refresh market prices from the catalog";

    async fn run(self, state: &AppState) -> Outcome {
        let lookup = state.part::<Lookup>();
        let providers = lookup.providers(&state.settings, &state.clock);
        let at = time::OffsetDateTime::from_unix_timestamp_nanos(self.run_ms as i128 * 1_000_000)
            .unwrap_or_else(|_| state.clock.now());
        match super::prices::refresh(&state.db, providers, at).await {
            Ok(super::prices::Report {
                unavailable: Some(why),
                ..
            }) => Outcome::Failed(why),
            Ok(report) => {
                tracing::info!(
                    quoted = report.quoted,
                    repriced = report.repriced,
                    "market prices refreshed"
                );
                Outcome::Done
            }
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// Claims `task` when it is due: moves its next run `every_ms` on, in the transaction that
/// queues its job. `false` when it is not due (or another server claimed it first).
async fn claim(
    db: &Db,
    task: &str,
    now_ms: i64,
    every_ms: i64,
    job: jobs::NewJob<'_>,
) -> sqlx::Result<bool> {
    with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        sql("INSERT INTO catalog_schedule (task, next_run_ms) VALUES ($1, $2) ON CONFLICT (task) DO NOTHING")
            .bind(task.to_string())
            .bind(now_ms)
            .execute(&mut tx)
            .await?;
        let claimed = sql("UPDATE catalog_schedule SET next_run_ms = $1 WHERE task = $2 AND next_run_ms <= $3")
            .bind(now_ms + every_ms)
            .bind(task.to_string())
            .bind(now_ms)
            .execute(&mut tx)
            .await?
            == 1;
        if claimed {
            jobs::enqueue(&mut tx, &job).await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }.await)
}

/// The housekeeping round: queues whichever scheduled catalog work is due.
pub fn round(state: AppState) -> BoxFuture<'static, ()> {
    Box::pin(async move {
        let c = &state.settings.catalog;
        let now = state.clock.now_ms();
        let hour = 3_600_000i64;
        let cardmarket_on = !state.settings.providers.cardmarket_api_base.is_empty();
        if cardmarket_on && c.cardmarket_refresh_hours > 0 {
            let job = RefreshCardmarket {}.queued(None).at(now);
            let every = c.cardmarket_refresh_hours as i64 * hour;
            if let Err(e) = claim(&state.db, "cardmarket", now, every, job).await {
                tracing::warn!("scheduling the Cardmarket download: {e}");
            }
        }
        if c.price_refresh_hours > 0 {
            let job = RefreshPrices { run_ms: now }.queued(None).at(now);
            let every = c.price_refresh_hours as i64 * hour;
            if let Err(e) = claim(&state.db, "prices", now, every, job).await {
                tracing::warn!("scheduling the price refresh: {e}");
            }
        }
    })
}
