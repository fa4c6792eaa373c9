//! `flipdesk bench --import-rows N`: commits N valid rows through the import endpoints the
//! way the import page does (start, batches two at a time, finish) and reports the time.

use std::time::Instant;

use serde_json::{Value, json};

use crate::domain::import::{BATCH_ROWS, IN_FLIGHT};

async fn call(client: &reqwest::Client, url: String, body: Value) -> Result<Value, String> {
    let res = client
        .post(&url)
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let value: Value = res.json().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}: {value}"));
    }
    Ok(value)
}

async fn call_raw(client: &reqwest::Client, url: String, body: Vec<u8>) -> Result<(), String> {
    let res = client
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("{url} answered {}", res.status()));
    }
    Ok(())
}

fn line(i: usize) -> Value {
    json!({"line": i + 2, "values": [
        ["name", format!("Imported Dunk Low #{i}")], ["kind", "sneaker"],
        ["purchase_price", format!("{}.{:02}", 50 + i % 400, i % 100)], ["currency", "USD"],
        ["style_id", format!("IM{:06}-{:03}", i % 1_000_000, i % 1000)], ["size", format!("{}", 7 + i % 8)],
        ["size_system", "us_m"], ["purchase_date", format!("2026-{:02}-{:02}", i % 12 + 1, i % 28 + 1)],
        ["tags", if i.is_multiple_of(3) { "grail, import" } else { "import" }], ["sneaker_condition", "new"]
    ]})
}

pub async fn commit_rows(
    client: &reqwest::Client,
    base: &str,
    rows: usize,
) -> Result<(String, f64), String> {
    commit_lines(client, base, rows, line).await
}

/// Commits `rows` import rows made by `line` (row number → the row's cells).
pub async fn commit_lines(
    client: &reqwest::Client,
    base: &str,
    rows: usize,
    line: fn(usize) -> Value,
) -> Result<(String, f64), String> {
    eprintln!("committing {rows} import rows …");
    let id = call(
        client,
        format!("{base}/api/import/start"),
        json!({"file_name": "bench.csv", "rows_total": rows}),
    )
    .await?;
    // The batches are built before the clock starts: in real use the browser builds them on
    // its own machine, and here the load generator shares the server's two cores.
    let bodies = (0..rows)
        .step_by(BATCH_ROWS)
        .enumerate()
        .map(|(batch, start)| {
            let lines: Vec<Value> = (start..(start + BATCH_ROWS).min(rows)).map(line).collect();
            serde_json::to_vec(&json!({"import_id": id, "batch": batch, "lines": lines}))
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let mut slowest = 0f64;
    // Two batches in flight, as the import page sends them.
    let mut bodies = bodies.into_iter();
    loop {
        let pair: Vec<Vec<u8>> = bodies.by_ref().take(IN_FLIGHT).collect();
        if pair.is_empty() {
            break;
        }
        let t = Instant::now();
        futures::future::try_join_all(
            pair.into_iter()
                .map(|body| call_raw(client, format!("{base}/api/import/batch"), body)),
        )
        .await?;
        slowest = slowest.max(t.elapsed().as_secs_f64() * 1000.0);
    }
    let summary = call(
        client,
        format!("{base}/api/import/finish"),
        json!({"import_id": id, "skipped": 0, "failed": 0, "cancelled": false}),
    )
    .await?;
    let elapsed = started.elapsed().as_secs_f64();
    if summary["created"].as_u64() != Some(rows as u64) {
        return Err(format!(
            "the import created {} items, not {rows}",
            summary["created"]
        ));
    }
    Ok((
        format!(
            "\nImport commit: {rows} rows in {} batches of {BATCH_ROWS} — {elapsed:.2} s ({:.0} rows/s), slowest pair of batches {slowest:.0} ms",
            rows.div_ceil(BATCH_ROWS),
            rows as f64 / elapsed
        ),
        elapsed,
    ))
}
