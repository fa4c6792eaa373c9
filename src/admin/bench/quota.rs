//! `flipdesk bench --quota`: what the plan's quota guard costs. The guard alone, timed in
//! its transaction; item creation through the add form's endpoint with the guard and without
//! it (interleaved, in the same run); and with `--import-rows`, the import commit counted
//! (guard and counting trigger) against a baseline with neither, in alternating runs.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use serde_json::json;

use crate::{
    billing::quota::{self, BENCH_SKIP, Claim},
    server::{config::Settings, db::Db, store::BeginWrite},
    with_db,
};

fn at(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn figures(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    (at(&times, 0.5), at(&times, 0.95), at(&times, 0.99))
}

/// The guard alone, `runs` times, each in a write transaction that is rolled back.
async fn guard_alone(
    db: &Db,
    settings: &Settings,
    owner: &str,
    runs: usize,
) -> Result<(f64, f64, f64), String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let took = with_db!(db, pool => async {
            let mut tx = pool.begin_write().await?;
            let t = Instant::now();
            let fits = quota::check(&mut tx, settings, owner, &[Claim::items(1)]).await?;
            let took = t.elapsed();
            tx.rollback().await?;
            Ok::<_, sqlx::Error>((took, fits.is_ok()))
        }.await)
        .map_err(|e| e.to_string())?;
        if !took.1 {
            return Err("the bench owner is over its item limit".into());
        }
        times.push(took.0);
    }
    Ok(figures(times))
}

async fn create_item(client: &reqwest::Client, base: &str, n: usize) -> Result<Duration, String> {
    let input = json!({"kind": "sneaker", "name": format!("Quota bench Dunk #{n}"), "sku": "", "quantity": "1",
        "purchase_price": "120", "currency": "USD", "purchase_date": "2026-11-01", "purchase_source": "",
        "storage_location": "", "tags": "", "notes": "", "image_urls": "", "style_id": "DD1391-100",
        "size": "10", "size_system": "us_m", "sneaker_condition": "new", "brand": "Nike", "colorway": "",
        "box_condition": "", "game": "", "card_set": "", "card_number": "", "language": "", "finish": "",
        "card_condition": "", "grading_company": "", "grade": "", "cert_number": "", "attributes": ""});
    let t = Instant::now();
    let res = client
        .post(format!("{base}/api/inventory/create"))
        .json(&json!({"input": input, "status": "in_stock"}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let body = res.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("inventory/create answered {status}: {body}"));
    }
    Ok(t.elapsed())
}

/// Turns the trigger that counts items on or off (the baseline has none).
async fn counting(db: &Db, on: bool) -> Result<(), String> {
    match db {
        Db::Postgres(pool) => {
            let verb = if on { "ENABLE" } else { "DISABLE" };
            sqlx::query(&format!("ALTER TABLE items {verb} TRIGGER items_counted_in"))
                .execute(pool)
                .await
                .map(|_| ())
        }
        Db::Sqlite(pool) => {
            // SQLite cannot disable a trigger: keep its text, drop it, make it again.
            static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let text = match TEXT.get() {
                Some(t) => t.clone(),
                None => {
                    let t: String = sqlx::query_scalar(
                        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'items_count_in'",
                    )
                    .fetch_one(pool)
                    .await
                    .map_err(|e| e.to_string())?;
                    TEXT.get_or_init(|| t).clone()
                }
            };
            let exists: Option<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = 'items_count_in'",
            )
            .fetch_optional(pool)
            .await
            .map_err(|e| e.to_string())?;
            match (on, exists.is_some()) {
                (true, false) => sqlx::query(&text).execute(pool).await.map(|_| ()),
                (false, true) => sqlx::query("DROP TRIGGER items_count_in")
                    .execute(pool)
                    .await
                    .map(|_| ()),
                _ => Ok(()),
            }
        }
    }
    .map_err(|e| e.to_string())
}

pub async fn measure(
    client: &reqwest::Client,
    base: &str,
    db: &Db,
    settings: &Settings,
    owner_email: &str,
    import_rows: usize,
) -> Result<String, String> {
    let owner: String =
        with_db!(db, pool => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(owner_email).fetch_one(pool).await)
        .map_err(|e| e.to_string())?;
    let items: i64 = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE owner_user_id = $1")
        .bind(&owner).fetch_one(pool).await)
    .map_err(|e| e.to_string())?;
    let (g50, g95, g99) = guard_alone(db, settings, &owner, 2_000).await?;

    // Warm-up, then blocks of 25 creates with and without the guard, one at a time.
    for n in 0..20 {
        create_item(client, base, n).await?;
    }
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for block in 0..24 {
        let skip = block % 2 == 1;
        BENCH_SKIP.store(skip, Ordering::Relaxed);
        for n in 0..25 {
            let took = create_item(client, base, 1_000 + block * 25 + n).await;
            let took = match took {
                Ok(t) => t,
                Err(e) => {
                    BENCH_SKIP.store(false, Ordering::Relaxed);
                    return Err(e);
                }
            };
            if skip { &mut without } else { &mut with }.push(took);
        }
    }
    BENCH_SKIP.store(false, Ordering::Relaxed);
    let (w50, w95, w99) = figures(with);
    let (o50, o95, o99) = figures(without);
    let mut report = format!(
        "\nQuota guard (owner with {items} items; ms p50 / p95 / p99):\n\
         {:<44} {g50:>7.3} {g95:>7.3} {g99:>7.3}\n\
         {:<44} {o50:>7.3} {o95:>7.3} {o99:>7.3}\n\
         {:<44} {w50:>7.3} {w95:>7.3} {w99:>7.3}\n\
         {:<44} {:>+7.3} {:>+7.3} {:>+7.3}",
        "the guard alone (in its transaction, 2000×)",
        "item creation without the guard (300×)",
        "item creation with the guard (300×)",
        "difference",
        w50 - o50,
        w95 - o95,
        w99 - o99,
    );
    if import_rows > 0 {
        // Baseline: as before plans were counted (no guard, no counting trigger on items).
        // Runs alternate baseline, counted, counted, baseline, so neither side gets only
        // the smaller or only the larger table.
        let mut runs = Vec::new();
        for counted in [false, true, true, false] {
            counting(db, counted).await?;
            BENCH_SKIP.store(!counted, Ordering::Relaxed);
            let run = super::import::commit_rows(client, base, import_rows).await;
            BENCH_SKIP.store(false, Ordering::Relaxed);
            counting(db, true).await?;
            runs.push((counted, run?.1));
        }
        let total = |counted: bool| -> f64 {
            runs.iter()
                .filter(|(c, _)| *c == counted)
                .map(|(_, s)| s)
                .sum::<f64>()
                / 2.0
        };
        let (off, on) = (total(false), total(true));
        let each: Vec<String> = runs
            .iter()
            .map(|(c, s)| format!("{} {s:.2} s", if *c { "counted" } else { "baseline" }))
            .collect();
        report.push_str(&format!(
            "\nImport commit of {import_rows} rows, baseline (no guard, no counting trigger) {off:.2} s, \
             counted (guard and trigger) {on:.2} s: {:+.1} %  (runs: {})",
            (on - off) / off * 100.0,
            each.join(", ")
        ));
    }
    Ok(report)
}
