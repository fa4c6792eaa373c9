//! The durable job queue against a real database with no server (so no worker) running:
//! concurrent workers claim each due job once, a lapsed lease is claimed again, failures
//! back off and end dead.

use crate::{helpers::*, on_both_databases};
use flipdesk::{
    server::{
        clock::Clock,
        db::{Backend, BeginWrite, Db},
        jobs::{self, NewJob, Outcome},
    },
    with_db,
};
use std::collections::HashSet;

async fn database(backend: Backend) -> (Db, tempfile::TempDir) {
    let (db, _, dir) = database_with_settings(backend).await;
    (db, dir)
}

async fn database_with_settings(
    backend: Backend,
) -> (Db, flipdesk::server::config::Settings, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(backend, dir.path()).await;
    let settings = settings_for(&url, dir.path(), &[]);
    let db = Db::connect(&settings.database).await.unwrap();
    db.migrate().await.unwrap();
    (db, settings, dir)
}

async fn add(db: &Db, n: usize, run_at_ms: i64) {
    with_db!(db, pool => async {
        let mut tx = pool.begin_write().await.unwrap();
        for i in 0..n {
            let job = NewJob { kind: "test.job", payload: serde_json::json!({ "n": i }).to_string(), owner: None, run_at_ms, max_attempts: 2 };
            jobs::enqueue(&mut tx, &job).await.unwrap();
        }
        tx.commit().await.unwrap();
    }.await)
}

on_both_databases!(
    workers_claim_each_job_once_and_failures_back_off,
    a_job_that_cannot_run_is_dead_at_once_with_its_reason
);

/// Jobs are typed: a payload that does not read as its kind's type, or a kind this version
/// does not know, is parked as dead at the first run with the reason (never a default value
/// that "succeeds"), and every kind has a label its owner can read.
async fn a_job_that_cannot_run_is_dead_at_once_with_its_reason(backend: Backend) {
    let (db, settings, _dir) = database_with_settings(backend).await;
    let state = flipdesk::capabilities::build_state(settings, db.clone()).unwrap();
    let bad = |kind: &'static str, payload: &str| NewJob {
        kind,
        payload: payload.to_string(),
        owner: None,
        run_at_ms: jobs::now_ms(),
        max_attempts: 8,
    };
    with_db!(&db, pool => async {
        let mut tx = pool.begin_write().await.unwrap();
        jobs::enqueue(&mut tx, &bad("order.expire", r#"{"order": 7}"#)).await.unwrap();
        jobs::enqueue(&mut tx, &bad("no.such.kind", "{}")).await.unwrap();
        tx.commit().await.unwrap();
    }.await);
    assert_eq!(jobs::run_due(&state).await, 2);
    let rows: Vec<(String, String, i64, Option<String>)> = with_db!(&db, pool => sqlx::query_as(
        "SELECT kind, status, attempts, last_error FROM jobs ORDER BY kind").fetch_all(pool).await)
    .unwrap();
    assert_eq!(rows.len(), 2);
    for (kind, status, attempts, error) in &rows {
        assert_eq!((status.as_str(), *attempts), ("dead", 1), "{kind}");
        let error = error.as_deref().unwrap_or_default();
        match kind.as_str() {
            "order.expire" => assert!(
                error.contains("does not read") && error.contains("order_id"),
                "{error}"
            ),
            _ => assert!(error.contains("no job kind no.such.kind"), "{error}"),
        }
    }
    assert_eq!(
        state.jobs.label("order.expire"),
        "Release an expired reservation"
    );
    let kinds: Vec<_> = state.jobs.kinds().collect();
    assert!(kinds.len() >= 6, "{kinds:?}");
    assert!(kinds.iter().all(|(_, label)| !label.is_empty()));
}

async fn workers_claim_each_job_once_and_failures_back_off(backend: Backend) {
    let (db, _dir) = database(backend).await;
    let clock = Clock::default();
    add(&db, 60, jobs::now_ms()).await;
    add(&db, 5, jobs::now_ms() + 3_600_000).await; // not due yet
    // Four workers claim at once until nothing is left.
    let mut workers = Vec::new();
    for _ in 0..4 {
        let db = db.clone();
        let clock = clock.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = jobs::claim(&db, &clock).await.unwrap();
                if claimed.is_empty() {
                    break mine;
                }
                mine.extend(claimed.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(
        (all.len(), unique.len()),
        (60, 60),
        "every due job exactly once"
    );

    // A worker that died: its lease runs out and another worker takes the job again.
    let id = all[0].clone();
    with_db!(&db, pool => sqlx::query("UPDATE jobs SET locked_until = 0 WHERE id = $1").bind(&id).execute(pool).await.map(|_| ())).unwrap();
    let again = jobs::claim(&db, &clock).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, id);
    assert_eq!(again[0].attempts, 2);

    // Its second failure is its last: dead, with the reason kept.
    jobs::settle(
        &db,
        &clock,
        &again[0],
        "Send a mail",
        Outcome::Failed("smtp down".into()),
    )
    .await
    .unwrap();
    let (status, error): (String, Option<String>) = with_db!(&db, pool => sqlx::query_as(
        "SELECT status, last_error FROM jobs WHERE id = $1").bind(&id).fetch_one(pool).await)
    .unwrap();
    assert_eq!(
        (status.as_str(), error.as_deref()),
        ("dead", Some("smtp down"))
    );

    // A first failure waits for the backoff before it is due again.
    let other = with_db!(&db, pool => sqlx::query_as::<_, jobs::Claimed>(
        "SELECT id, kind, payload, attempts, max_attempts, owner_user_id FROM jobs WHERE id = $1").bind(&all[1]).fetch_one(pool).await).unwrap();
    let first_try = jobs::Claimed {
        attempts: 1,
        ..other
    };
    jobs::settle(
        &db,
        &clock,
        &first_try,
        "Send a mail",
        Outcome::Failed("timeout".into()),
    )
    .await
    .unwrap();
    let (status, run_at): (String, i64) = with_db!(&db, pool => sqlx::query_as(
        "SELECT status, run_at FROM jobs WHERE id = $1").bind(&all[1]).fetch_one(pool).await)
    .unwrap();
    assert_eq!(status, "queued");
    assert!(run_at >= jobs::now_ms() + 1_000, "retried after a backoff");
    assert!(
        jobs::claim(&db, &clock).await.unwrap().is_empty(),
        "not due yet"
    );
    // Once the backoff has passed it is due again (and nothing else is).
    clock.advance(std::time::Duration::from_millis(jobs::backoff_ms(1) as u64));
    let retried = jobs::claim(&db, &clock).await.unwrap();
    assert_eq!(
        retried.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        [all[1].as_str()]
    );
}
