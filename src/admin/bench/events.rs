//! `flipdesk bench --events N`: N live inbox streams (`GET /api/v1/events`) held open on the
//! server, 8 per seeded reseller, then notifications written for some of them. Reports how
//! far the process's heap rose for the idle streams (the load generator's side of the
//! connections shares the process, so this is an upper bound for the server) and how long a
//! notification took from its write to each of its reseller's streams.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use tokio::sync::mpsc;

use super::export::resident_kib;
use crate::{
    domain::inbox::Level,
    inbox::live::{Hub, STREAMS_PER_USER},
    server::{db::Db, notify::Notice, state::AppState},
    with_db,
};

/// Microseconds since the epoch: both processes read the same clock.
fn now_us() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000) as i64
}

/// One stream: prints the reseller's index and the time for every event it receives.
async fn hold(client: reqwest::Client, url: String, who: usize, tx: mpsc::UnboundedSender<usize>) {
    let Ok(mut res) = client.get(url).send().await else {
        return;
    };
    if !res.status().is_success() {
        return;
    }
    while let Ok(Some(chunk)) = res.chunk().await {
        // Each event carries one `data:` line; a keep-alive comment carries none.
        let events = chunk.windows(5).filter(|w| w == b"data:").count();
        for _ in 0..events {
            println!("event {who} {}", now_us());
            let _ = tx.send(who);
        }
    }
}

/// The other process's half (`flipdesk bench-streams`): logs the first `users` bench
/// resellers in, opens `streams` streams among them, says `open` once every stream has its
/// first event, then prints every event until it is stopped.
pub async fn hold_streams(base: &str, users: usize, streams: usize) -> Result<(), String> {
    let mut clients = Vec::with_capacity(users);
    for i in 0..users {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .map_err(|e| e.to_string())?;
        let res = client
            .post(format!("{base}/api/auth/login"))
            .form(&[
                ("email", format!("bench{i}@flipdesk.test").as_str()),
                ("password", "bench-password-1"),
            ])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !res.status().is_success() {
            return Err(format!("log-in of bench{i} failed: {}", res.status()));
        }
        clients.push(client);
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    for n in 0..streams {
        let who = n % users;
        tokio::spawn(hold(
            clients[who].clone(),
            format!("{base}/api/v1/events"),
            who,
            tx.clone(),
        ));
    }
    for _ in 0..streams {
        if rx.recv().await.is_none() {
            return Err("a stream ended".into());
        }
    }
    println!("open");
    while rx.recv().await.is_some() {}
    Ok(())
}

/// Opens the streams from another process (so this process's memory is the server's), then
/// writes notifications in rounds to 25 resellers at once and times each stream's event.
pub async fn measure(
    state: &AppState,
    db: &Db,
    base: &str,
    streams: usize,
    stores: usize,
) -> Result<String, String> {
    use tokio::io::AsyncBufReadExt;

    let users = streams.div_ceil(STREAMS_PER_USER);
    if users > stores {
        return Err(format!("--events {streams} needs --stores {users} or more"));
    }
    let mut ids = Vec::with_capacity(users);
    for i in 0..users {
        let id: String =
            with_db!(db, pool => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(format!("bench{i}@flipdesk.test")).fetch_one(pool).await)
            .map_err(|e| e.to_string())?;
        ids.push(id);
    }
    let per_user: Vec<usize> = (0..users)
        .map(|u| (0..streams).filter(|n| n % users == u).count())
        .collect();
    let before = resident_kib();
    let opened = Instant::now();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = tokio::process::Command::new(exe)
        .args([
            "bench-streams",
            "--base",
            base,
            "--users",
            &users.to_string(),
            "--streams",
            &streams.to_string(),
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start the stream holder: {e}"))?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let mut next = async || -> Result<String, String> {
        match tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await {
            Ok(Ok(Some(line))) => Ok(line),
            _ => Err("the stream holder stopped answering".to_string()),
        }
    };
    while next().await? != "open" {}
    let open_secs = opened.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let held = state.part::<Hub>().streams();
    let after = resident_kib();

    let mut latencies = Vec::new();
    let round_users = users.min(25);
    for round in 0..8 {
        let mut sent: HashMap<usize, i64> = HashMap::new();
        let mut waiting = 0;
        for k in 0..round_users {
            let who = (round * round_users + k) % users;
            if sent.contains_key(&who) {
                continue;
            }
            sent.insert(who, now_us());
            Notice::new(
                &ids[who],
                "bench",
                Level::Info,
                format!("Bench notice {round}"),
            )
            .write(db)
            .await
            .map_err(|e| e.to_string())?;
            waiting += per_user[who];
        }
        while waiting > 0 {
            let line = next().await?;
            let mut parts = line.split_whitespace().skip(1);
            let (Some(who), Some(at)) = (parts.next(), parts.next()) else {
                continue;
            };
            let (Ok(who), Ok(at)) = (who.parse::<usize>(), at.parse::<i64>()) else {
                continue;
            };
            if let Some(t0) = sent.get(&who) {
                latencies.push(Duration::from_micros((at - t0).max(0) as u64));
                waiting -= 1;
            }
        }
    }
    let _ = child.kill().await;
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(format!(
        "live inbox: {streams} streams for {users} resellers (held by another process) opened in {open_secs:.1} s; \
         the server holds {held}; server memory +{:.1} MB for them (RssAnon)\n\
         notification → stream: {} deliveries, p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms (poll every 500 ms)",
        (after.saturating_sub(before)) as f64 / 1024.0,
        latencies.len(),
        ms(pct(0.5)),
        ms(pct(0.95)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
    ))
}
