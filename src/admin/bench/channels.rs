//! Sales channels under load for `flipdesk bench --channels N`: N connected channels of the
//! bench owner (their webhooks on a receiver on loopback) offer the same unique items. First
//! all N ask for locks at once for `--duration` (each lock given back as soon as it is won);
//! then sales reported on one channel, one every 50 ms, each timed until every other channel
//! has received its `listing.withdrawn`.

use axum::{Router, extract::Path, routing::post};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use time::OffsetDateTime;

use super::checkout::{Timing, timing};
use crate::{
    channels::service::{SEAL_PURPOSE, channel_secret},
    server::{
        crypto,
        db::{BeginWrite, Db, new_id},
        state::AppState,
    },
    with_db,
};

/// Items each channel's buyers pick from while locking (all channels offer all of them).
const LOCK_ITEMS_PER_CHANNEL: usize = 50;
/// Sales timed from the report to the last channel's withdrawal.
const SALES: usize = 100;
const SALE_EVERY: Duration = Duration::from_millis(50);

/// When each item's `listing.withdrawn` reached each channel.
type Arrivals = Arc<Mutex<HashMap<String, Vec<Instant>>>>;

async fn receiver() -> Result<(String, Arrivals), String> {
    let arrivals: Arrivals = Default::default();
    let seen = arrivals.clone();
    let app = Router::new().route(
        "/{channel}",
        post(move |Path(_channel): Path<String>, body: String| {
            let seen = seen.clone();
            async move {
                let event: Value = serde_json::from_str(&body).unwrap_or_default();
                if event["type"] == "listing.withdrawn"
                    && let Some(item) = event["data"]["item_id"].as_str()
                {
                    seen.lock()
                        .expect("arrivals")
                        .entry(item.to_string())
                        .or_default()
                        .push(Instant::now());
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    Ok((super::serve_loopback(app).await?, arrivals))
}

/// The channels (id, secret) and the unique items they all offer.
async fn seed(
    state: &AppState,
    db: &Db,
    owner_email: &str,
    url: &str,
    channels: usize,
    items: usize,
) -> Result<(Vec<(String, String)>, Vec<String>), String> {
    let (owner, store): (String, String) = with_db!(db, pool => sqlx::query_as(
        "SELECT u.id, m.store_id FROM users u JOIN store_members m ON m.user_id = u.id WHERE u.email = $1")
        .bind(owner_email).fetch_one(pool).await).map_err(|e| e.to_string())?;
    let now = OffsetDateTime::now_utc();
    let secret = state.secret.expose();
    let made: Vec<(String, String)> = (0..channels)
        .map(|_| {
            let id = new_id();
            let key = channel_secret(secret, &id, 1);
            (id, key)
        })
        .collect();
    let item_ids: Vec<String> = (0..items).map(|_| new_id()).collect();
    let result: Result<(), sqlx::Error> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        for (i, (id, _)) in made.iter().enumerate() {
            let hook = format!("{url}/{i}");
            sqlx::query(
                "INSERT INTO channels (id, store_id, owner_user_id, name, kind, sealed_webhook, shown_webhook, next_check_ms, created_at) \
                 VALUES ($1, $2, $3, $4, 'connected', $5, $6, $7, $8)")
                .bind(id).bind(&store).bind(&owner).bind(format!("Bench channel {i}"))
                .bind(crypto::seal(secret, SEAL_PURPOSE, &hook)).bind(url).bind(i64::MAX).bind(now)
                .execute(&mut *tx).await?;
        }
        for (n, item) in item_ids.iter().enumerate() {
            let name = format!("Bench slab {n}");
            sqlx::query(
                "INSERT INTO items (id, owner_user_id, kind, status, name, quantity, purchase_price, currency, tags, search_text, \
                 card_set, acquired_on, acq_units, created_at, updated_at) \
                 VALUES ($1, $2, 'card', 'listed', $3, 1, 10000, 'USD', '', $4, 'Base Set', '2026-01-01', 1, $5, $5)")
                .bind(item).bind(&owner).bind(&name)
                .bind(crate::inventory::service::search_words(&name)).bind(now)
                .execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO listings (id, store_id, owner_user_id, item_id, price, currency, available, status, condition, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 20000, 'USD', 1, 'active', 'Near Mint', $5, $5)")
                .bind(new_id()).bind(&store).bind(&owner).bind(item).bind(now)
                .execute(&mut *tx).await?;
            for (channel, _) in &made {
                sqlx::query(
                    "INSERT INTO channel_listings (channel_id, item_id, owner_user_id, price, currency, state, created_at, updated_at) \
                     VALUES ($1, $2, $3, 21000, 'USD', 'listed', $4, $4)")
                    .bind(channel).bind(item).bind(&owner).bind(now)
                    .execute(&mut *tx).await?;
            }
        }
        tx.commit().await
    }.await);
    result.map_err(|e| e.to_string())?;
    Ok((made, item_ids))
}

/// Every channel's buyers asking for locks at once: the latency of each answer (201 or 409).
async fn locks(
    base: &str,
    channels: &[(String, String)],
    items: &[String],
    duration: Duration,
) -> (Timing, u64, u64) {
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (worker, (channel, secret)) in channels.iter().enumerate() {
        let (base, channel, secret, items) = (
            base.to_string(),
            channel.clone(),
            secret.clone(),
            items.to_vec(),
        );
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let (mut latencies, mut won, mut refused, mut errors) = (Vec::new(), 0u64, 0u64, 0u64);
            let mut n = worker * 7919;
            while Instant::now() < deadline {
                n += 1;
                // Buyers on every channel reach for the same few items: most asks collide.
                let item = &items[(n * 31) % items.len()];
                let t = Instant::now();
                let res = client
                    .post(format!("{base}/api/v1/channels/{channel}/locks"))
                    .bearer_auth(&secret)
                    .json(&json!({"item_id": item, "quantity": 1, "idempotency_key": format!("{worker}-{n}")}))
                    .send()
                    .await;
                let answered = t.elapsed();
                match res {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                        latencies.push(answered);
                        won += 1;
                        let lock: Value = r.json().await.unwrap_or_default();
                        let id = lock["lock_id"].as_str().unwrap_or_default();
                        let _ = client
                            .delete(format!("{base}/api/v1/channels/{channel}/locks/{id}"))
                            .bearer_auth(&secret)
                            .send()
                            .await;
                    }
                    Ok(r) if r.status() == reqwest::StatusCode::CONFLICT => {
                        latencies.push(answered);
                        refused += 1;
                    }
                    _ => errors += 1,
                }
            }
            (latencies, won, refused, errors)
        }));
    }
    let (mut all, mut won, mut refused, mut errors) = (Vec::new(), 0, 0, 0);
    for task in tasks {
        if let Ok((l, w, r, e)) = task.await {
            all.extend(l);
            won += w;
            refused += r;
            errors += e;
        }
    }
    (timing(all, errors, started.elapsed()), won, refused)
}

/// Sales on the first channel, one every `SALE_EVERY`: from each report to the last other
/// channel's withdrawal arriving.
async fn sales(
    base: &str,
    channels: &[(String, String)],
    items: &[String],
    arrivals: &Arrivals,
) -> Result<(Vec<Duration>, usize), String> {
    let client = reqwest::Client::new();
    let (channel, secret) = &channels[0];
    let mut started = HashMap::new();
    for (n, item) in items.iter().enumerate() {
        let t = Instant::now();
        let res = client
            .post(format!("{base}/api/v1/channels/{channel}/sales"))
            .bearer_auth(secret)
            .json(&json!({"item_id": item, "quantity": 1, "price": {"amount": 21000, "currency": "USD"},
                "idempotency_key": format!("sale-{n}"), "sold_at": "2026-12-06T12:00:00Z"}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if res.status() != reqwest::StatusCode::CREATED {
            return Err(format!("a bench sale answered {}", res.status()));
        }
        started.insert(item.clone(), t);
        tokio::time::sleep(SALE_EVERY.saturating_sub(t.elapsed())).await;
    }
    let others = channels.len() - 1;
    let give_up = Instant::now() + Duration::from_secs(60);
    loop {
        let done = {
            let seen = arrivals.lock().expect("arrivals");
            items
                .iter()
                .filter(|i| seen.get(*i).is_some_and(|a| a.len() >= others))
                .count()
        };
        if done == items.len() || Instant::now() > give_up {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = arrivals.lock().expect("arrivals");
    let mut latencies = Vec::new();
    let mut missing = 0;
    for item in items {
        match seen.get(item) {
            Some(a) if a.len() >= others => {
                let last = a.iter().max().copied().unwrap_or_else(Instant::now);
                latencies.push(last.duration_since(started[item]));
            }
            _ => missing += 1,
        }
    }
    latencies.sort();
    Ok((latencies, missing))
}

pub async fn measure(
    state: &AppState,
    db: &Db,
    base: &str,
    owner_email: &str,
    channels: usize,
    duration: Duration,
) -> Result<String, String> {
    if channels < 2 {
        return Err("--channels needs at least 2 channels".into());
    }
    let (url, arrivals) = receiver().await?;
    let lock_items = channels * LOCK_ITEMS_PER_CHANNEL;
    let (made, items) = seed(state, db, owner_email, &url, channels, lock_items + SALES).await?;
    let (lockable, sold) = items.split_at(lock_items);
    // Warm-up: connections and caches.
    locks(base, &made, lockable, Duration::from_millis(500)).await;
    let (lock_timing, won, refused) = locks(base, &made, lockable, duration).await;
    // Every hold and release was told to the other channels: the queue drains first, so
    // the sales below are timed on their own.
    let drain = Instant::now();
    loop {
        let waiting: i64 = with_db!(db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind IN ('channels.fan_out', 'channels.deliver') AND status IN ('queued', 'running')")
            .fetch_one(pool).await).map_err(|e| e.to_string())?;
        if waiting == 0 || drain.elapsed() > Duration::from_secs(600) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let drained = drain.elapsed();
    let events: i64 = with_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM channel_events WHERE status = 'delivered'").fetch_one(pool).await)
    .map_err(|e| e.to_string())?;
    let free: i64 = with_db!(db, pool => sqlx::query_scalar(
        "SELECT COALESCE(CAST(SUM(available) AS BIGINT), 0) FROM listings l JOIN channel_listings cl ON cl.item_id = l.item_id AND cl.channel_id = $1")
        .bind(&made[0].0).fetch_one(pool).await).map_err(|e| e.to_string())?;
    let (latencies, missing) = sales(base, &made, sold, &arrivals).await?;
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Ok(format!(
        "channel locks ({channels} channels at once) {lock_timing}\n\
         \x20 {won} won (each given back at once), {refused} refused as held elsewhere; units free afterwards {free} of {}\n\
         \x20 {events} unit.locked / unit.unlocked events delivered to the other channels; the queue was empty {:.1} s after the last lock\n\
         sale → withdrawal at {} other channels  p50 {:.1} ms   p95 {:.1} ms   max {:.1} ms   ({} sales, one every {} ms; {missing} not withdrawn everywhere within 60 s)",
        lockable.len() + sold.len(),
        drained.as_secs_f64(),
        channels - 1,
        at(0.50),
        at(0.95),
        at(1.0),
        latencies.len(),
        SALE_EVERY.as_millis(),
    ))
}
