//! The durable job queue: rows in `jobs`, added in the same transaction as the change that
//! needs them, claimed by any number of server processes (PostgreSQL: `FOR UPDATE SKIP
//! LOCKED`; SQLite: the write lock), run at least once, retried with exponential backoff,
//! and parked as `dead` (visible to the reseller) after their last attempt. A claim is a
//! lease: a process that dies mid-job leaves it to be claimed again when the lease ends.
//!
//! Each kind of job is a type implementing [`BackgroundJob`] (its kind name, payload, label
//! and handler), registered by the capability that owns it in a [`JobRegistry`]; the queue
//! itself knows no capability.

use futures::{StreamExt, future::BoxFuture};
use serde::{Serialize, de::DeserializeOwned};
use std::{collections::HashMap, future::Future, time::Duration};
use time::OffsetDateTime;
use tokio::sync::watch;

use super::{
    clock::Clock,
    db::{Backend, BeginWrite, Db, new_id},
    notify::Notice,
    state::AppState,
    store::{Store, Tx, sql},
};
use crate::{domain::inbox::Level, with_db};

/// How long a claimed job may run before another worker may take it over.
const LEASE_MS: i64 = 5 * 60 * 1000;
/// First retry after this long, doubling per attempt, capped at an hour.
const BACKOFF_BASE_MS: i64 = 2_000;
const BACKOFF_CAP_MS: i64 = 60 * 60 * 1000;
const CLAIM_BATCH: i64 = 16;
/// How many claimed jobs one worker runs at the same time.
const RUN_AT_ONCE: usize = 4;

/// The system clock in milliseconds: "due now" for new work. What is due, leases and backoff
/// are measured against the app's [`Clock`], which is never behind it.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A kind of background work. The value is the job's payload (stored as JSON); `KIND` names it
/// in the queue, `LABEL` is what its owner reads if it failed for good, and `run` does it.
pub trait BackgroundJob: Serialize + DeserializeOwned + Send + Sync + 'static {
    const KIND: &'static str;
    const LABEL: &'static str;
    /// Attempts before the job is parked as dead (backoff doubles from 2 s).
    const MAX_ATTEMPTS: i64 = 8;

    fn run(self, state: &AppState) -> impl Future<Output = Outcome> + Send;

    /// This job, due now, belonging to `owner` (who sees it if it fails for good).
    fn queued<'a>(&self, owner: Option<&'a str>) -> NewJob<'a> {
        NewJob {
            kind: Self::KIND,
            payload: serde_json::to_string(self).unwrap_or_default(),
            owner,
            run_at_ms: now_ms(),
            max_attempts: Self::MAX_ATTEMPTS,
        }
    }
}

/// A job to add. `run_at_ms` lets work wait (a reservation's expiry).
pub struct NewJob<'a> {
    pub kind: &'static str,
    pub payload: String,
    pub owner: Option<&'a str>,
    pub run_at_ms: i64,
    pub max_attempts: i64,
}

impl NewJob<'_> {
    /// The same job, due at `run_at_ms` instead of now.
    pub fn at(mut self, run_at_ms: i64) -> Self {
        self.run_at_ms = run_at_ms;
        self
    }
}

type Handler = fn(AppState, String) -> BoxFuture<'static, Outcome>;
type Periodic = fn(AppState) -> BoxFuture<'static, ()>;

/// Every kind of job the process runs, registered by the capabilities that own them, and
/// the periodic work they need (run by the worker's housekeeping).
#[derive(Default)]
pub struct JobRegistry {
    kinds: HashMap<&'static str, (Handler, &'static str)>,
    periodic: Vec<Periodic>,
}

fn run_typed<J: BackgroundJob>(state: AppState, payload: String) -> BoxFuture<'static, Outcome> {
    Box::pin(async move {
        match serde_json::from_str::<J>(&payload) {
            Ok(job) => job.run(&state).await,
            // Retrying cannot make it decode: park it with the reason.
            Err(e) => Outcome::Dead(format!("the {} job's payload does not read: {e}", J::KIND)),
        }
    })
}

impl JobRegistry {
    pub fn register<J: BackgroundJob>(&mut self) -> &mut Self {
        let previous = self.kinds.insert(J::KIND, (run_typed::<J>, J::LABEL));
        assert!(previous.is_none(), "job kind {} registered twice", J::KIND);
        self
    }

    /// Work to run every housekeeping round (e.g. a sweeper that catches what a lost job missed).
    pub fn every_round(&mut self, work: Periodic) -> &mut Self {
        self.periodic.push(work);
        self
    }

    /// Every registered kind with its label.
    pub fn kinds(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.kinds.iter().map(|(kind, (_, label))| (*kind, *label))
    }

    /// What the owner reads for a job of `kind`.
    pub fn label(&self, kind: &str) -> &'static str {
        self.kinds
            .get(kind)
            .map(|(_, label)| *label)
            .unwrap_or("Background work of a kind this version no longer runs")
    }

    async fn run(&self, state: &AppState, kind: &str, payload: String) -> Outcome {
        match self.kinds.get(kind) {
            Some((handler, _)) => handler(state.clone(), payload).await,
            None => Outcome::Dead(format!("no job kind {kind} in this version")),
        }
    }
}

/// Adds a job inside the caller's transaction: it exists exactly when the change does.
pub async fn enqueue<DB: Store>(tx: &mut Tx<DB>, job: &NewJob<'_>) -> sqlx::Result<()> {
    let now = OffsetDateTime::now_utc();
    sql("INSERT INTO jobs (id, kind, payload, owner_user_id, status, attempts, max_attempts, run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $7, $7)")
    .bind(new_id())
    .bind(job.kind)
    .bind(job.payload.as_str())
    .bind(job.owner)
    .bind(job.max_attempts)
    .bind(job.run_at_ms)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(())
}

/// What a job handler reports.
pub enum Outcome {
    Done,
    /// Not failed, just not yet: run again at this time (does not count as a failure).
    Later(i64),
    /// Failed; retried with backoff until its attempts run out.
    Failed(String),
    /// Can never succeed (its payload does not read, its kind is unknown): dead at once.
    Dead(String),
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub owner_user_id: Option<String>,
}

fn claim_sql(backend: Backend) -> String {
    format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $1, updated_at = $2 \
         WHERE id IN (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3) \
         ORDER BY run_at LIMIT $4{}) \
         RETURNING id, kind, payload, attempts, max_attempts, owner_user_id",
        super::dialect::skip_locked(backend)
    )
}

/// Takes up to a batch of due jobs (and jobs whose lease ran out) for this worker.
pub async fn claim(db: &Db, clock: &Clock) -> sqlx::Result<Vec<Claimed>> {
    let stamp = clock.now();
    let now = clock.now_ms();
    match db {
        Db::Sqlite(pool) => {
            // Job writes queue with the order writes instead of racing them for SQLite's lock.
            let mut tx = pool.begin_write().await?;
            let sql = claim_sql(Backend::Sqlite);
            let rows = sqlx::query_as::<_, Claimed>(&sql)
                .bind(now + LEASE_MS)
                .bind(stamp)
                .bind(now)
                .bind(CLAIM_BATCH)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(rows)
        }
        Db::Postgres(pool) => {
            let sql = claim_sql(Backend::Postgres);
            sqlx::query_as::<_, Claimed>(&sql)
                .bind(now + LEASE_MS)
                .bind(stamp)
                .bind(now)
                .bind(CLAIM_BATCH)
                .fetch_all(pool)
                .await
        }
    }
}

pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 30) - 1;
    BACKOFF_BASE_MS
        .saturating_mul(1_i64 << exp)
        .min(BACKOFF_CAP_MS)
}

/// Records how a claimed job went.
/// `label` says what the job did, in the reseller's words.
pub async fn settle(
    db: &Db,
    clock: &Clock,
    job: &Claimed,
    label: &str,
    outcome: Outcome,
) -> sqlx::Result<()> {
    let stamp = clock.now();
    let now = clock.now_ms();
    let (text, run_at, error): (&str, i64, Option<String>) = match outcome {
        Outcome::Done => (
            "UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = $1, run_at = $2, last_error = $3 WHERE id = $4",
            now,
            None,
        ),
        Outcome::Later(at) => (
            // Waiting is not an attempt.
            "UPDATE jobs SET status = 'queued', attempts = attempts - 1, locked_until = NULL, updated_at = $1, run_at = $2, last_error = $3 WHERE id = $4",
            at,
            None,
        ),
        Outcome::Dead(reason) => {
            tracing::error!(job = %job.id, kind = %job.kind, error = %reason, "job cannot run: dead");
            (
                "UPDATE jobs SET status = 'dead', locked_until = NULL, updated_at = $1, run_at = $2, last_error = $3 WHERE id = $4",
                now,
                Some(reason),
            )
        }
        Outcome::Failed(reason) if job.attempts >= job.max_attempts => {
            tracing::error!(job = %job.id, kind = %job.kind, attempts = job.attempts, error = %reason, "job failed for the last time: dead");
            (
                "UPDATE jobs SET status = 'dead', locked_until = NULL, updated_at = $1, run_at = $2, last_error = $3 WHERE id = $4",
                now,
                Some(reason),
            )
        }
        Outcome::Failed(reason) => {
            tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, error = %reason, "job failed; will retry");
            (
                "UPDATE jobs SET status = 'queued', locked_until = NULL, updated_at = $1, run_at = $2, last_error = $3 WHERE id = $4",
                now + backoff_ms(job.attempts),
                Some(reason),
            )
        }
    };
    let dead = text.contains("'dead'");
    let update = sql(text)
        .bind(stamp)
        .bind(run_at)
        .bind(error.clone())
        .bind(job.id.as_str());
    match (&job.owner_user_id, dead) {
        // Work done for a reseller that failed for good: they hear of it in their inbox, in
        // the same transaction (the orders page lists it with a retry button).
        (Some(owner), true) => {
            let notice = Notice::new(
                owner,
                "job_failed",
                Level::Error,
                format!("Failed: {label}"),
            )
            .body(format!(
                "Flipdesk tried {} time(s) and gave up: {}. You can try it again.",
                job.attempts,
                error.unwrap_or_default()
            ))
            .link("/app/store/orders")
            .data(serde_json::json!({ "job_id": job.id, "kind": job.kind }))
            .once(format!("job_failed:{}:{now}", job.id));
            with_db!(db, pool => async {
                let mut tx = pool.begin_write().await?;
                update.execute(&mut tx).await?;
                notice.write_in(&mut tx).await?;
                tx.commit().await
            }.await)?;
        }
        // One statement: no transaction, but on SQLite still its turn in the write queue.
        _ => {
            db.write(update).await?;
        }
    }
    Ok(())
}

/// Claims and runs what is due; returns how many jobs ran.
pub async fn run_due(state: &AppState) -> usize {
    let jobs = match claim(&state.db, &state.clock).await {
        Ok(jobs) => jobs,
        Err(e) => {
            tracing::warn!(error = %e, "cannot claim jobs");
            return 0;
        }
    };
    let count = jobs.len();
    // A few at once: their reads, mail and Stripe calls overlap (writes still take turns).
    futures::stream::iter(jobs)
        .for_each_concurrent(RUN_AT_ONCE, |job| async move {
            let outcome = state.jobs.run(state, &job.kind, job.payload.clone()).await;
            if let Err(e) = settle(&state.db, &state.clock, &job, state.jobs.label(&job.kind), outcome).await {
                tracing::warn!(job = %job.id, error = %e, "cannot record the job's outcome; it will run again");
            }
        })
        .await;
    count
}

/// Runs due jobs, and the work they queue that is due at once, until nothing is due: what a
/// test calls after the clock moved instead of waiting for a worker. Returns how many ran.
pub async fn run_until_idle(state: &AppState) -> usize {
    let mut total = 0;
    // Bounded: a job that keeps asking to run again "now" must not hang the caller.
    for _ in 0..100 {
        match run_due(state).await {
            0 => break,
            ran => total += ran,
        }
    }
    total
}

/// Periodic work that is not tied to one row: what the capabilities registered (e.g. the
/// reservation sweeper, which catches any reservation whose expiry job was lost) and clearing
/// old jobs and idempotency keys.
pub async fn housekeeping(state: &AppState) {
    for work in &state.jobs.periodic {
        work(state.clone()).await;
    }
    let now = state.clock.now_ms();
    let week_ago = now - 7 * 24 * 3600 * 1000;
    let _ = state
        .db
        .write(sql("DELETE FROM jobs WHERE status = 'done' AND run_at < $1").bind(week_ago))
        .await;
    let _ = state
        .db
        .write(sql("DELETE FROM idempotency_keys WHERE expires_at < $1").bind(now))
        .await;
}

/// The worker: polls for due jobs until `stop` turns true.
pub fn spawn_worker(
    state: AppState,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let poll = Duration::from_millis(state.settings.jobs.poll_interval_ms.max(10));
    tokio::spawn(async move {
        let mut last_housekeeping = std::time::Instant::now() - Duration::from_secs(3600);
        loop {
            if *stop.borrow() {
                break;
            }
            if last_housekeeping.elapsed()
                >= Duration::from_millis(state.settings.jobs.sweep_interval_ms)
            {
                housekeeping(&state).await;
                last_housekeeping = std::time::Instant::now();
            }
            // Keep going while there is work; rest for one poll interval when there is none.
            if run_due(&state).await == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = state.jobs_ready.notified() => {}
                    _ = stop.changed() => {}
                }
            }
        }
    })
}

/// Dead jobs of a reseller, newest first, for the store view.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeadJob {
    pub id: String,
    pub kind: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

pub async fn dead_jobs(db: &Db, owner: &str) -> sqlx::Result<Vec<DeadJob>> {
    with_db!(db, pool => sqlx::query_as::<_, DeadJob>(
        "SELECT id, kind, attempts, last_error FROM jobs WHERE owner_user_id = $1 AND status = 'dead' ORDER BY updated_at DESC LIMIT 50")
        .bind(owner).fetch_all(pool).await)
}

/// Puts a dead job back in the queue with fresh attempts.
pub async fn retry_dead(db: &Db, owner: &str, id: &str) -> sqlx::Result<bool> {
    let stamp = OffsetDateTime::now_utc();
    let n = db.write(sql(
        "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $1, updated_at = $2 WHERE id = $3 AND owner_user_id = $4 AND status = 'dead'")
        .bind(now_ms()).bind(stamp).bind(id).bind(owner)).await?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_ms(1), 2_000);
        assert_eq!(backoff_ms(2), 4_000);
        assert_eq!(backoff_ms(5), 32_000);
        assert_eq!(backoff_ms(40), BACKOFF_CAP_MS);
    }
}
