//! `flipdesk bench --items N --export`: the bench owner's sold and shipped items get their
//! sales and tracking, then the stock export is downloaded whole, as the Export CSV button
//! does. Reports the time to the last byte, the size, and how far the process's heap (its
//! anonymous resident memory) rose while it streamed (sampled every 20 ms; the load generator shares the process).

use std::time::{Duration, Instant};

use crate::{
    server::db::{Backend, BeginWrite, Db},
    with_db,
};

/// The process's own (anonymous) resident memory: its heap. Not `VmRSS`, which also counts
/// the database file's pages SQLite maps into every connection (`mmap_size`).
pub(super) fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("RssAnon:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Sales (and shipments) for the seeded sold and shipped items.
pub async fn seed_sales(db: &Db, owner_email: &str) -> Result<(), String> {
    let day = match db.backend() {
        Backend::Sqlite => "date('now', '-3 days')",
        Backend::Postgres => "to_char(current_date - 3, 'YYYY-MM-DD')",
    };
    let sales = format!(
        "INSERT INTO sales (id, item_id, owner_user_id, quantity, channel, currency, sale_price, shipping_charged, fees, \
         shipping_paid, purchase_cost, net_profit, sold_on, created_at, market_value, days_held) \
         SELECT 's' || i.id, i.id, i.owner_user_id, i.quantity, 'ebay', i.currency, i.purchase_price * i.quantity * 13 / 10, 0, \
         i.purchase_price * i.quantity / 10, 0, i.purchase_price * i.quantity, \
         i.purchase_price * i.quantity * 13 / 10 - i.purchase_price * i.quantity / 10 - i.purchase_price * i.quantity, \
         {day}, i.created_at, i.purchase_price * i.quantity, 3 \
         FROM items i JOIN users u ON u.id = i.owner_user_id WHERE u.email = $1 AND i.status IN ('sold', 'shipped')"
    );
    let shipments = format!(
        "INSERT INTO shipments (id, item_id, owner_user_id, carrier, tracking_code, shipped_on, created_at) \
         SELECT 'h' || i.id, i.id, i.owner_user_id, 'UPS', '1Z' || i.id, {day}, i.created_at \
         FROM items i JOIN users u ON u.id = i.owner_user_id WHERE u.email = $1 AND i.status = 'shipped'"
    );
    let done: Result<(), sqlx::Error> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        sqlx::query(&sales).bind(owner_email).execute(&mut *tx).await?;
        sqlx::query(&shipments).bind(owner_email).execute(&mut *tx).await?;
        tx.commit().await
    }.await);
    done.map_err(|e| e.to_string())
}

/// Downloads the whole stock export three times (the client is logged in as the bench
/// owner). Memory is flat when the later downloads add nothing: what the first one grew is
/// the database connections' page caches filling up to their fixed size, not the rows.
pub async fn measure(client: &reqwest::Client, base: &str, items: usize) -> Result<String, String> {
    let start = resident_kib();
    let mut report = Vec::new();
    for run in 1..=3 {
        report.push(download(client, base, items, run, start).await?);
    }
    Ok(report.join("\n"))
}

async fn download(
    client: &reqwest::Client,
    base: &str,
    items: usize,
    run: usize,
    start: u64,
) -> Result<String, String> {
    let before = resident_kib();
    let started = Instant::now();
    let mut res = client
        .get(format!("{base}/app/inventory/export.csv"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("export answered {}", res.status()));
    }
    let first_byte = started.elapsed();
    let (mut bytes, mut lines, mut peak) = (0usize, 0usize, before);
    let mut last_sample = Instant::now();
    while let Some(chunk) = res.chunk().await.map_err(|e| e.to_string())? {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        if last_sample.elapsed() >= Duration::from_millis(20) {
            peak = peak.max(resident_kib());
            last_sample = Instant::now();
        }
    }
    let total = started.elapsed();
    peak = peak.max(resident_kib());
    Ok(format!(
        "stock export {run} of {items} items: {} lines (header, rows and multi-line cells), {:.1} MB in {:.2} s \
         (first byte after {} ms); heap (RssAnon) {} MB before, peak {} MB (+{} MB this run, +{} MB since the first)",
        lines,
        bytes as f64 / 1e6,
        total.as_secs_f64(),
        first_byte.as_millis(),
        before / 1024,
        peak / 1024,
        peak.saturating_sub(before) / 1024,
        peak.saturating_sub(start) / 1024
    ))
}
