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

use crate::{
    domain::inbox::Level,
    inbox::live::{Hub, STREAMS_PER_USER},
    server::{db::Db, notify::Notice, state::AppState},
    with_db,
};

fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("RssAnon:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// One stream: reports the reseller's index for every event it receives.
async fn hold(
    client: reqwest::Client,
    url: String,
    who: usize,
    tx: mpsc::UnboundedSender<(usize, Instant)>,
) {
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
            let _ = tx.send((who, Instant::now()));
        }
    }
}

pub async fn measure(
    state: &AppState,
    db: &Db,
    base: &str,
    streams: usize,
    stores: usize,
) -> Result<String, String> {
    let users = streams.div_ceil(STREAMS_PER_USER);
    if users > stores {
        return Err(format!("--events {streams} needs --stores {users} or more"));
    }
    let mut clients = Vec::with_capacity(users);
    let mut ids = Vec::with_capacity(users);
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
        let id: String =
            with_db!(db, pool => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(format!("bench{i}@flipdesk.test")).fetch_one(pool).await)
            .map_err(|e| e.to_string())?;
        clients.push(client);
        ids.push(id);
    }
    let before = resident_kib();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut per_user = vec![0usize; users];
    for n in 0..streams {
        let who = n % users;
        per_user[who] += 1;
        tokio::spawn(hold(
            clients[who].clone(),
            format!("{base}/api/v1/events"),
            who,
            tx.clone(),
        ));
    }
    // Every stream first says the count as it is.
    let opened = Instant::now();
    let mut first = 0;
    while first < streams {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(_)) => first += 1,
            _ => return Err(format!("only {first} of {streams} streams opened")),
        }
    }
    let open_secs = opened.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let held = state.part::<Hub>().streams();
    let after = resident_kib();

    // Rounds of notifications to 25 resellers at once; each of their streams reports it.
    let mut latencies = Vec::new();
    let round_users = users.min(25);
    for round in 0..8 {
        let mut sent: HashMap<usize, Instant> = HashMap::new();
        let mut waiting = 0;
        for k in 0..round_users {
            let who = (round * round_users + k) % users;
            if sent.contains_key(&who) {
                continue;
            }
            sent.insert(who, Instant::now());
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
            match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
                Ok(Some((who, at))) => {
                    if let Some(t0) = sent.get(&who) {
                        latencies.push(at.duration_since(*t0));
                        waiting -= 1;
                    }
                }
                _ => {
                    return Err(format!(
                        "{waiting} streams did not hear of their notification within 5 s"
                    ));
                }
            }
        }
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(format!(
        "live inbox: {streams} streams for {users} resellers opened in {open_secs:.1} s; the server holds {held}; \
         memory +{:.1} MB for them (RssAnon, server and client sides)\n\
         notification → stream: {} deliveries, p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms (poll every 500 ms)",
        (after.saturating_sub(before)) as f64 / 1024.0,
        latencies.len(),
        ms(pct(0.5)),
        ms(pct(0.95)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
    ))
}
