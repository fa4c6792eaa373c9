//! Storefront and checkout load for `flipdesk bench --listings N [--checkouts]`: seeds a
//! store with N listings, and measures checkout session creation against a fake Stripe on
//! loopback and the Stripe webhook answering the resulting payments.

use axum::{Json, Router, extract::Path, routing::post};
use serde_json::{Value, json};
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};
use time::OffsetDateTime;

use crate::server::{
    crypto,
    db::{BeginWrite, Db, new_id},
    stripe,
};
use crate::with_db;

pub const WEBHOOK_SECRET: &str = "whsec_bench";
/// Listings with stock enough for every checkout of a run.
const DEEP_LISTINGS: usize = 20;

/// A Stripe stand-in: opens and expires Checkout Sessions instantly.
pub async fn fake_stripe() -> Result<String, String> {
    let counter = Arc::new(AtomicU64::new(0));
    let session = |id: String, order: String| {
        json!({"id": id, "object": "checkout.session", "automatic_tax": {"enabled": false, "liability": null, "provider": null, "status": null},
            "created": 1_700_000_000, "custom_fields": [], "custom_text": {"after_submit": null, "shipping_address": null, "submit": null,
            "terms_of_service_acceptance": null}, "expires_at": 1_700_001_800, "livemode": false, "mode": "payment",
            "payment_method_types": ["card"], "payment_status": "unpaid", "shipping_options": [], "status": "open",
            "client_reference_id": order, "url": "https://checkout.stripe.test/c/pay/bench"})
    };
    let app = Router::new()
        .route(
            "/v1/checkout/sessions",
            post(move |body: String| {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let order = body
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("client_reference_id="))
                    .unwrap_or_default()
                    .to_string();
                async move { Json(session(format!("cs_bench_{n}"), order)) }
            }),
        )
        .route(
            "/v1/checkout/sessions/{id}/expire",
            post(move |Path(id): Path<String>| async move { Json(session(id, String::new())) }),
        );
    super::serve_loopback(app).await
}

/// Lists `count` items of the bench owner's store (sneakers and cards, several brands, sets,
/// sizes and conditions); the first few have stock for any number of checkouts.
pub async fn seed_listings(
    db: &Db,
    owner_email: &str,
    count: usize,
) -> Result<Vec<String>, String> {
    let (owner, store): (String, String) = with_db!(db, pool => sqlx::query_as(
        "SELECT u.id, m.store_id FROM users u JOIN store_members m ON m.user_id = u.id WHERE u.email = $1")
        .bind(owner_email).fetch_one(pool).await).map_err(|e| e.to_string())?;
    let brands = ["Nike", "Adidas", "New Balance", "Asics"];
    let sets = ["Base Set", "Evolving Skies", "151", "Paldea Evolved"];
    let conditions = ["New", "Used", "Near Mint", "Lightly Played"];
    let now = OffsetDateTime::now_utc();
    let mut deep = Vec::new();
    let result: Result<(), sqlx::Error> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        for i in 0..count {
            let card = i % 3 == 0;
            let item = new_id();
            let listing = new_id();
            let quantity: i64 = if i < DEEP_LISTINGS { 1_000_000_000 } else { 1 + (i % 3) as i64 };
            let (name, brand, set, size) = if card {
                let set = sets[i % sets.len()];
                (format!("{set} card #{i}"), None, Some(set), None)
            } else {
                let brand = brands[i % brands.len()];
                (format!("{brand} runner {i}"), Some(brand), None, Some(format!("{}", 7 + i % 7)))
            };
            let kind = if card { "card" } else { "sneaker" };
            let search = crate::inventory::service::search_words(&name);
            sqlx::query(
                "INSERT INTO items (id, owner_user_id, kind, status, name, quantity, purchase_price, currency, tags, search_text, \
                 brand, card_set, size, acquired_on, acq_units, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'listed', $4, $5, $6, 'USD', '', $7, $8, $9, $10, '2026-01-01', $5, $11, $11)")
                .bind(&item).bind(&owner).bind(kind).bind(&name).bind(quantity).bind(5_000 + (i % 100) as i64 * 100)
                .bind(&search).bind(brand).bind(set).bind(&size).bind(now)
                .execute(&mut *tx).await?;
            let created = now - time::Duration::seconds(i as i64);
            sqlx::query(
                "INSERT INTO listings (id, store_id, owner_user_id, item_id, price, currency, available, status, condition, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, 'USD', $6, 'active', $7, $8, $8)")
                .bind(&listing).bind(&store).bind(&owner).bind(&item).bind(8_000 + (i % 200) as i64 * 150).bind(quantity)
                .bind(conditions[i % conditions.len()]).bind(created)
                .execute(&mut *tx).await?;
            if i < DEEP_LISTINGS {
                deep.push(listing);
            }
        }
        tx.commit().await
    }.await);
    result.map_err(|e| e.to_string())?;
    Ok(deep)
}

pub struct Timing {
    pub ok: u64,
    pub errors: u64,
    pub rps: f64,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "{:>7} ok {:>5} errors {:>8.0}/s   p50 {:>7.2} ms   p95 {:>7.2} ms   p99 {:>7.2} ms",
            self.ok,
            self.errors,
            self.rps,
            ms(self.p50),
            ms(self.p95),
            ms(self.p99)
        )
    }
}

pub(super) fn timing(mut latencies: Vec<Duration>, errors: u64, elapsed: Duration) -> Timing {
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Timing {
        ok: latencies.len() as u64,
        errors,
        rps: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
    }
}

/// Shoppers checking out one unit of the deep listings for `duration`: the created orders
/// and the timing of the 201 answers.
pub async fn checkouts(
    client: &reqwest::Client,
    base: &str,
    store: &str,
    listings: &[String],
    concurrency: usize,
    duration: Duration,
) -> (Vec<String>, Timing) {
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let orders = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (client, base, store, listings, orders, errors) = (
            client.clone(),
            base.to_string(),
            store.to_string(),
            listings.to_vec(),
            orders.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = 0usize;
            while Instant::now() < deadline {
                n += 1;
                let body = json!({"store": store, "lines": [{"listing_id": listings[(worker + n) % listings.len()], "quantity": 1}],
                    "email": format!("bench{worker}-{n}@example.com"), "shipping_address": {"country": "US"}});
                let t = Instant::now();
                let res = client
                    .post(format!("{base}/api/v1/checkout/session"))
                    .header("Idempotency-Key", format!("bench-{worker}-{n}-{}", crypto::random_token(8)))
                    .json(&body)
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let v: Value = r.json().await.unwrap_or_default();
                        latencies.push(t.elapsed());
                        if let Some(id) = v["order_id"].as_str() {
                            orders.lock().expect("orders").push(id.to_string());
                        }
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    let elapsed = started.elapsed();
    let orders = std::mem::take(&mut *orders.lock().expect("orders"));
    (orders, timing(all, errors.load(Ordering::Relaxed), elapsed))
}

/// Stripe delivering `checkout.session.completed` for each order (signed, as Stripe does).
pub async fn webhooks(
    client: &reqwest::Client,
    db: &Db,
    base: &str,
    orders: &[String],
    concurrency: usize,
) -> Timing {
    let started = Instant::now();
    let errors = Arc::new(AtomicU64::new(0));
    let queue = Arc::new(Mutex::new(orders.to_vec()));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, base, queue, errors, db) = (
            client.clone(),
            base.to_string(),
            queue.clone(),
            errors.clone(),
            db.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let Some(order) = queue.lock().expect("queue").pop() else { break };
                let total: i64 = with_db!(&db, pool => sqlx::query_scalar("SELECT total FROM orders WHERE id = $1")
                    .bind(&order).fetch_one(pool).await).unwrap_or(0);
                let event = json!({"id": format!("evt_{order}"), "type": "checkout.session.completed", "data": {"object": {
                    "id": format!("cs_{order}"), "client_reference_id": order, "payment_status": "paid", "amount_total": total,
                    "currency": "usd", "payment_intent": format!("pi_{order}")}}});
                let body = event.to_string();
                let signature = stripe::sign(body.as_bytes(), WEBHOOK_SECRET, OffsetDateTime::now_utc().unix_timestamp());
                let t = Instant::now();
                let res = client
                    .post(format!("{base}/api/v1/webhooks/stripe"))
                    .header("Stripe-Signature", signature)
                    .body(body)
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().is_success() => latencies.push(t.elapsed()),
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    timing(all, errors.load(Ordering::Relaxed), started.elapsed())
}

/// Waits for the job queue to apply every delivered payment (the webhook answers once the
/// event is stored) and says how long the whole run took, deliveries included.
pub async fn all_paid(db: &Db, orders: usize, started: Instant) -> Result<String, String> {
    loop {
        let unapplied: i64 = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM stripe_events WHERE applied_at IS NULL")
            .fetch_one(pool).await).map_err(|e| e.to_string())?;
        if unapplied == 0 {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            return Err(format!(
                "{unapplied} Stripe events still unapplied after 10 minutes"
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let paid: i64 = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE status = 'paid'")
        .fetch_one(pool).await).map_err(|e| e.to_string())?;
    if paid as usize != orders {
        return Err(format!(
            "{paid} of {orders} orders paid after their webhooks were applied"
        ));
    }
    Ok(format!(
        "payments applied by the job queue {paid:>7} orders in {:.2} s ({:.0}/s)",
        elapsed.as_secs_f64(),
        paid as f64 / elapsed.as_secs_f64()
    ))
}
