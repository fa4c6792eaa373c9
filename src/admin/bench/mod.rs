//! `flipdesk bench`: seeds a throwaway database of a chosen size, starts the server on
//! loopback and measures chosen routes with an in-process load generator (which shares the
//! machine's cores with the server — say so when quoting figures). `/health` is the baseline.

mod analytics;
mod browser;
mod bundle;
mod catalog;
mod channels;
mod checkout;
mod enrich;
mod events;
pub use events::hold_streams;
mod export;
mod import;
mod lists;
mod monitors;
mod photo;
mod quota;
mod real_world;
mod synthetic;
use clap::Args;
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};
use time::OffsetDateTime;

use crate::server::{
    config::Settings,
    crypto,
    db::{BeginWrite, Db, new_id},
    http,
};
use crate::with_db;

#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// Reseller accounts (each with a store) to seed.
    #[arg(long, default_value_t = 1000)]
    pub stores: usize,
    /// Seconds of load per route.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Database to seed (default: a fresh SQLite file in a temporary folder).
    /// A PostgreSQL URL must point at an empty database.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Inventory items to seed for one reseller (who the load generator is logged in as).
    #[arg(long, default_value_t = 0)]
    pub items: usize,
    /// Routes to measure (default: /health, /, the storefront of a random store, and with
    /// --items the stock table: first page, and a filtered + sorted + searched page).
    #[arg(long = "route")]
    pub routes: Vec<String>,
    /// Also drive the stock table in headless Chromium (needs --items, the release site built
    /// by `cargo leptos build --release`, node and end2end/node_modules): longest main-thread
    /// task and frame gap while paging and selecting, at 50 and 200 rows per page.
    #[arg(long)]
    pub browser: bool,
    /// What the browser downloads (needs the release site built with `--precompress`, node
    /// and end2end/node_modules): every built file's raw / gzip / brotli size, then the demo
    /// store's and dashboard's pages loaded on a throttled phone profile. Exits non-zero when
    /// the storefront is over its first-load budget.
    #[arg(long)]
    pub bundle: bool,
    /// Also time committing this many import rows through the batch endpoint (as the
    /// import page sends them), logged in as the bench owner.
    #[arg(long, default_value_t = 0)]
    pub import_rows: usize,
    /// Also seed one reseller with this many items (two years of purchases), time the
    /// dashboard's KPIs and series in the server.
    #[arg(long, default_value_t = 0)]
    pub analytics_items: usize,
    /// Sales among the analytics reseller's items (at most half of them).
    #[arg(long, default_value_t = 50_000)]
    pub analytics_sales: usize,
    /// Market-price points in the synthetic catalog behind those items.
    #[arg(long, default_value_t = 1_000_000)]
    pub analytics_prices: usize,
    /// Listings to seed in the bench owner's store (catalog pages and the listings API are
    /// then measured).
    #[arg(long, default_value_t = 0)]
    pub listings: usize,
    /// With --listings: also measure checkout session creation (against a fake Stripe on
    /// loopback) and the Stripe webhook paying those orders.
    #[arg(long)]
    pub checkouts: bool,
    /// Seed a public Want-To-Buy list with this many items (at most 1,000) and an API key,
    /// and measure the bot API with it (key check included).
    #[arg(long, default_value_t = 0)]
    pub wtb_items: usize,
    /// With --items: give the sold and shipped items their sales and tracking, then time
    /// downloading the whole stock export and watch the memory it takes.
    #[arg(long)]
    pub export: bool,
    /// Time making a 12-megapixel photo's sizes (as the photo job does); with --items, give
    /// every item a cover photo first (the stock table then shows thumbnails).
    #[arg(long)]
    pub photo: bool,
    /// What the plan's quota guard costs: the guard alone, item creation with and without it
    /// (interleaved); with --import-rows, the import commit with and without it.
    #[arg(long)]
    pub quota: bool,
    /// Hold this many live inbox streams open (8 per seeded reseller: needs --stores of at
    /// least a eighth of it), report the memory they take and how fast a notification
    /// reaches them.
    #[arg(long, default_value_t = 0)]
    pub events: usize,
    /// Seed this many store monitors that one listing's words find (the worst case), then
    /// time matching that listing against them.
    #[arg(long, default_value_t = 0)]
    pub monitors: usize,
    /// Generate a synthetic catalog of about this many products (25,000 or more for the
    /// issue's figures), time importing it, and measure resolution on a labelled set of messy
    /// inputs: accuracy, confident wrong answers, 10,000 resolutions. Nothing else is measured.
    #[arg(long, default_value_t = 0)]
    pub catalog: usize,
    /// Connect this many sales channels to the bench owner's store (16 for the issue's
    /// figures): all of them asking for locks at once for --duration, then the time from a
    /// sale on one channel to every other channel's withdrawal webhook.
    #[arg(long, default_value_t = 0)]
    pub channels: usize,
    /// Commit an import of this many rows (1,000 for the figure) where half the
    /// products are new to the local catalog, then run "Enrich all" against a StockX
    /// stand-in and count the provider calls.
    #[arg(long, default_value_t = 0)]
    pub enrich_rows: usize,
    /// Calls per analytics measurement.
    #[arg(long, default_value_t = 200)]
    pub analytics_runs: usize,
}

struct RouteResult {
    route: String,
    requests: u64,
    errors: u64,
    rps: f64,
    p50: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
}

pub async fn run(args: BenchArgs) -> Result<(), String> {
    if args.stores == 0 || args.concurrency == 0 || args.duration == 0 {
        return Err("--stores, --concurrency and --duration must be at least 1".into());
    }
    if args.browser && args.items < 500 {
        return Err("--browser needs --items 500 or more (it pages through 200-row pages)".into());
    }
    if args.export && args.items == 0 {
        return Err("--export needs --items".into());
    }
    if args.checkouts && args.listings == 0 {
        return Err("--checkouts needs --listings".into());
    }
    let tmp = tempdir()?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/bench.db", tmp.display()));
    let secret = crypto::random_token(48);
    let vars = [
        ("DATABASE_URL".to_string(), url.clone()),
        ("LEPTOS_SITE_ADDR".to_string(), "127.0.0.1:0".to_string()),
        ("FLIPDESK_SECRET".to_string(), secret.clone()),
        (
            "FLIPDESK__SERVER__DATA_DIR".to_string(),
            tmp.display().to_string(),
        ),
        (
            "FLIPDESK__DATABASE__MAX_CONNECTIONS".to_string(),
            "16".to_string(),
        ),
    ]
    .into_iter()
    .collect::<std::collections::BTreeMap<String, String>>();
    let mut vars = vars;
    // A benchmark measures Flipdesk, not the internet: the catalog providers stay off.
    for provider in [
        "STOCKX_API_BASE",
        "CARDMARKET_API_BASE",
        "POKEMONTCG_API_BASE",
        "SCRYFALL_API_BASE",
    ] {
        vars.insert(provider.into(), "off".into());
    }
    let stockx_searches = if args.enrich_rows > 0 {
        let (fake, searches) = enrich::fake_stockx(args.enrich_rows).await?;
        vars.insert("STOCKX_API_BASE".into(), fake);
        vars.insert("STOCKX_API_KEY".into(), "bench-key".into());
        Some(searches)
    } else {
        None
    };
    if args.checkouts {
        let fake = checkout::fake_stripe().await?;
        vars.insert("STRIPE_SECRET_KEY".into(), "sk_test_bench".into());
        vars.insert(
            "STRIPE_WEBHOOK_SECRET".into(),
            checkout::WEBHOOK_SECRET.into(),
        );
        vars.insert("STRIPE_API_BASE".into(), fake);
    }
    if args.checkouts {
        // Every benchmark shopper comes from loopback: the per-IP and per-buyer limits would
        // otherwise be what is measured.
        for (k, v) in [
            (
                "FLIPDESK__CHECKOUT__SESSIONS_PER_IP_PER_MINUTE",
                "1000000000",
            ),
            (
                "FLIPDESK__CHECKOUT__SESSIONS_PER_STORE_PER_MINUTE",
                "1000000000",
            ),
            (
                "FLIPDESK__CHECKOUT__MOST_UNITS_HELD_PER_BUYER",
                "1000000000",
            ),
        ] {
            vars.insert(k.into(), v.into());
        }
    }
    if args.events > 0 {
        // Hundreds of resellers log in from this one address.
        vars.insert(
            "FLIPDESK__AUTH__LOGIN_ATTEMPTS_PER_IP_PER_MINUTE".into(),
            "1000000000".into(),
        );
    }
    if args.wtb_items > 0 {
        // The per-key limit would otherwise be what is measured.
        vars.insert(
            "FLIPDESK__API__LIST_KEY_REQUESTS_PER_MINUTE".into(),
            "1000000000".into(),
        );
    }
    // The bench reseller is on the free plan with room for everything it seeds: the quota
    // check still runs (and counts) on every create, which is what is measured.
    for limit in ["ITEMS", "SALES_PER_MONTH", "SHIPMENTS_PER_MONTH"] {
        vars.insert(
            format!("FLIPDESK__PLANS__FREE__{limit}"),
            "100000000".into(),
        );
    }
    let settings = Settings::from_sources(None, &vars).map_err(|e| e.to_string())?;
    let db = Db::connect(&settings.database)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    if args.catalog > 0 {
        println!("{}", catalog::measure(&db, args.catalog, &tmp).await?);
        return Ok(());
    }

    eprintln!(
        "seeding {} stores into {} …",
        args.stores,
        crate::server::db::redact_url(&url)
    );
    let started = Instant::now();
    seed_stores(&db, args.stores).await?;
    if args.items > 0
        || args.import_rows > 0
        || args.listings > 0
        || args.quota
        || args.channels > 0
        || args.enrich_rows > 0
    {
        seed_items(&db, args.items).await?;
        if args.photo {
            photo::seed_covers(&db, BENCH_OWNER).await?;
        }
    }
    let deep_listings = if args.listings > 0 {
        checkout::seed_listings(&db, BENCH_OWNER, args.listings).await?
    } else {
        Vec::new()
    };
    let analyst = if args.analytics_items > 0 {
        let t = Instant::now();
        let id = analytics::seed(
            &db,
            args.analytics_items,
            args.analytics_sales,
            args.analytics_prices,
        )
        .await?;
        eprintln!(
            "seeded the analytics reseller in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        Some(id)
    } else {
        None
    };
    let wtb = if args.wtb_items > 0 {
        Some(
            lists::seed(
                &db,
                &settings,
                &crate::server::config::Secret::new(secret.clone()),
                args.wtb_items,
            )
            .await?,
        )
    } else {
        None
    };
    // Fresh planner statistics, as autovacuum / `PRAGMA optimize` would give a live database.
    with_db!(&db, pool => sqlx::query("ANALYZE").execute(pool).await.map(|_| ()))
        .map_err(|e| format!("ANALYZE failed: {e}"))?;
    // The seed went into SQLite's write-ahead log; a live database has most of its pages in
    // the main file (checkpoints), which reads go to through the memory map.
    if let Db::Sqlite(pool) = &db {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(pool)
            .await
            .map_err(|e| format!("checkpoint failed: {e}"))?;
    }
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());

    let quota_settings = settings.clone();
    let state =
        crate::capabilities::build_state(settings, db.clone()).map_err(|e| e.to_string())?;
    let site = state.leptos_options.clone();
    if args.bundle {
        crate::admin::seed::seed_demo(&state)
            .await
            .map_err(|e| format!("cannot seed the demo store: {e}"))?;
    }
    let server = http::start(state.clone(), "127.0.0.1:0".parse().expect("valid addr"))
        .await
        .map_err(|e| e.to_string())?;
    let base = format!("http://{}", server.addr);

    let routes = if args.routes.is_empty() {
        let mut routes = vec![
            "/health".to_string(),
            "/".to_string(),
            "/s/{store}".to_string(),
        ];
        if args.listings > 0 {
            routes.push("/s/bench-owner".to_string());
            routes.push("/s/bench-owner?kind=sneaker&line=Nike&sort=price&page=3".to_string());
            routes.push("/api/v1/stores/bench-owner/listings?limit=24".to_string());
        }
        if args.items > 0 {
            routes.push("/app/inventory".to_string());
            routes.push("/app/inventory?q=jordan&status=in_stock&sort=-cost&page=2".to_string());
        }
        routes
    } else {
        args.routes.clone()
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .cookie_store(true)
        .build()
        .map_err(|e| e.to_string())?;
    if args.items > 0 || args.import_rows > 0 || args.quota || args.enrich_rows > 0 {
        let res = client
            .post(format!("{base}/api/auth/login"))
            .form(&[("email", BENCH_OWNER), ("password", BENCH_PASSWORD)])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !res.status().is_success() {
            return Err(format!("bench log-in failed: {}", res.status()));
        }
    }

    let mut results = Vec::new();
    for route in &routes {
        // Warm-up so connection set-up is not measured.
        run_route(
            &client,
            &base,
            route,
            args.stores,
            args.concurrency,
            Duration::from_millis(500),
        )
        .await;
        results.push(
            run_route(
                &client,
                &base,
                route,
                args.stores,
                args.concurrency,
                Duration::from_secs(args.duration),
            )
            .await,
        );
    }
    if let Some((key, item)) = &wtb {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {key}")
                .parse()
                .map_err(|_| "bad key header")?,
        );
        let bot = reqwest::Client::builder()
            .pool_max_idle_per_host(args.concurrency)
            .default_headers(headers)
            .build()
            .map_err(|e| e.to_string())?;
        let list = lists::BENCH_LIST;
        for route in [
            format!("/api/v1/lists/{list}/items?limit=24"),
            format!("/api/v1/lists/{list}/items/{item}"),
            format!("/lists/{list}"),
        ] {
            run_route(
                &bot,
                &base,
                &route,
                args.stores,
                args.concurrency,
                Duration::from_millis(500),
            )
            .await;
            let result = run_route(
                &bot,
                &base,
                &route,
                args.stores,
                args.concurrency,
                Duration::from_secs(args.duration),
            )
            .await;
            results.push(result);
        }
    }
    let checkout = if args.checkouts {
        let shopper = reqwest::Client::builder()
            .pool_max_idle_per_host(args.concurrency)
            .build()
            .map_err(|e| e.to_string())?;
        let (orders, created) = checkout::checkouts(
            &shopper,
            &base,
            "bench-owner",
            &deep_listings,
            args.concurrency,
            Duration::from_secs(args.duration),
        )
        .await;
        let started = std::time::Instant::now();
        let paid = checkout::webhooks(&shopper, &db, &base, &orders, args.concurrency).await;
        let applied = checkout::all_paid(&db, orders.len(), started).await?;
        Some(format!(
            "checkout sessions (fake Stripe)  {created}\nStripe webhooks (payments)      {paid}\n{applied}"
        ))
    } else {
        None
    };
    let enrich_report = match &stockx_searches {
        Some(searches) => {
            enrich::seed_catalog(&db, args.enrich_rows).await?;
            Some(enrich::measure(&client, &base, &db, args.enrich_rows, searches).await?)
        }
        None => None,
    };
    let channel_report = if args.channels > 0 {
        Some(
            channels::measure(
                &state,
                &db,
                &base,
                BENCH_OWNER,
                args.channels,
                Duration::from_secs(args.duration),
            )
            .await?,
        )
    } else {
        None
    };
    let monitor_report = if args.monitors > 0 {
        Some(monitors::measure(&db, &quota_settings, args.monitors, args.stores).await?)
    } else {
        None
    };
    let events = if args.events > 0 {
        Some(events::measure(&state, &db, &base, args.events, args.stores).await?)
    } else {
        None
    };
    let export = if args.export {
        export::seed_sales(&db, BENCH_OWNER).await?;
        Some(export::measure(&client, &base, args.items).await?)
    } else {
        None
    };
    let import = if args.quota {
        Some(
            quota::measure(
                &client,
                &base,
                &db,
                &quota_settings,
                BENCH_OWNER,
                args.import_rows,
            )
            .await?,
        )
    } else if args.import_rows > 0 {
        Some(
            import::commit_rows(&client, &base, args.import_rows)
                .await?
                .0,
        )
    } else {
        None
    };
    let analytics = match &analyst {
        Some(owner) => Some(analytics::measure(&db, owner, args.analytics_runs).await?),
        None => None,
    };
    let browser = if args.browser {
        Some(browser::run(&base, BENCH_OWNER, BENCH_PASSWORD).await?)
    } else {
        None
    };
    let bundle = if args.bundle {
        let root = std::path::Path::new(site.site_root.as_ref());
        Some(bundle::report(root, &site.site_pkg_dir, &base).await)
    } else {
        None
    };
    server.shutdown(Duration::from_secs(5)).await;
    db.close().await;

    println!(
        "\nFlipdesk benchmark — {} stores, {} items, {} connections, {} s per route, backend {:?}",
        args.stores,
        args.items,
        args.concurrency,
        args.duration,
        db.backend()
    );
    println!(
        "(load generator and server share this machine's {} cores)\n",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "{:<40} {:>9} {:>7} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "route", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for r in &results {
        println!(
            "{:<40} {:>9} {:>7} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            r.route,
            r.requests,
            r.errors,
            r.rps,
            ms(r.p50),
            ms(r.p95),
            ms(r.p99),
            ms(r.max)
        );
    }
    if let Some(report) = checkout {
        println!("\n{report}");
    }
    if let Some(report) = enrich_report {
        println!("{report}");
    }
    if let Some(report) = channel_report {
        println!("\n{report}");
    }
    if let Some(report) = import {
        println!("{report}");
    }
    if let Some(report) = export {
        println!("{report}");
    }
    if let Some(report) = events {
        println!("{report}");
    }
    if let Some(report) = monitor_report {
        println!("{report}");
    }
    if args.photo {
        println!(
            "{}",
            tokio::task::spawn_blocking(photo::measure)
                .await
                .map_err(|e| e.to_string())??
        );
    }
    if let Some(report) = analytics {
        println!(
            "{report}  ({} items, {} sales, {} market prices)",
            args.analytics_items,
            args.analytics_sales.min(args.analytics_items / 2),
            args.analytics_prices
        );
    }
    if let Some(report) = browser {
        println!("{report}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
    match bundle {
        Some(Ok(report)) => println!("{report}"),
        Some(Err(over_budget)) => return Err(over_budget),
        None => {}
    }
    Ok(())
}

async fn run_route(
    client: &reqwest::Client,
    base: &str,
    route: &str,
    stores: usize,
    concurrency: usize,
    duration: Duration,
) -> RouteResult {
    let deadline = Instant::now() + duration;
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let client = client.clone();
        let base = base.to_string();
        let route = route.to_string();
        let errors = errors.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(4096);
            let mut n = worker;
            while Instant::now() < deadline {
                n = n
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let path = route.replace("{store}", &format!("bench-store-{}", (n >> 33) % stores));
                let start = Instant::now();
                let ok = match client.get(format!("{base}{path}")).send().await {
                    Ok(res) => {
                        let ok = res.status().is_success();
                        let _ = res.bytes().await;
                        ok
                    }
                    Err(_) => false,
                };
                latencies.push(start.elapsed());
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        if let Ok(mut l) = task.await {
            all.append(&mut l);
        }
    }
    all.sort_unstable();
    let pct = |p: f64| {
        if all.is_empty() {
            Duration::ZERO
        } else {
            all[((all.len() as f64 * p).ceil() as usize)
                .saturating_sub(1)
                .min(all.len() - 1)]
        }
    };
    RouteResult {
        route: route.to_string(),
        requests: all.len() as u64,
        errors: errors.load(Ordering::Relaxed),
        rps: all.len() as f64 / duration.as_secs_f64(),
        p50: pct(0.50),
        p95: pct(0.95),
        p99: pct(0.99),
        max: all.last().copied().unwrap_or_default(),
    }
}

/// Serves a benchmark's stand-in (a fake Stripe, a channel's webhook receiver) on a free
/// loopback port: its base address.
async fn serve_loopback(app: axum::Router) -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}"))
}

const BENCH_OWNER: &str = "bench-owner@flipdesk.test";
const BENCH_PASSWORD: &str = "bench-password-1";

/// `count` inventory items for one reseller, with a realistic mix of kinds and statuses.
async fn seed_items(db: &Db, count: usize) -> Result<(), String> {
    use crate::domain::{Email, Role, account::SignupForm};
    let form = SignupForm {
        email: Email::parse(BENCH_OWNER).map_err(|e| e.to_string())?,
        store_name: "Bench owner".into(),
        store_slug: "bench-owner".into(),
    };
    let owner =
        crate::auth::service::create_account(db, &form, BENCH_PASSWORD, Role::User, None, None)
            .await
            .map_err(|e| e.to_string())?;
    let models = [
        "Jordan 1 Retro High",
        "Dunk Low",
        "Yeezy 350 V2",
        "Air Max 1",
        "New Balance 550",
        "Charizard Holo",
        "Pikachu Illustrator",
        "Black Lotus",
        "Booster Box",
    ];
    let statuses = [
        "in_stock",
        "in_stock",
        "listed",
        "listed",
        "sold",
        "shipped",
        "purchased",
    ];
    let now = OffsetDateTime::now_utc();
    for chunk_start in (0..count).step_by(1000) {
        let chunk_end = (chunk_start + 1000).min(count);
        let result: Result<(), sqlx::Error> = with_db!(db, pool => async {
            let mut tx = pool.begin_write().await?;
            for i in chunk_start..chunk_end {
                let model = models[i % models.len()];
                let kind = if i % models.len() < 5 { "sneaker" } else if i % models.len() < 8 { "card" } else { "sealed" };
                let name = format!("{model} #{i}");
                let style = format!("ST{:06}-{:03}", i % 100_000, i % 1000);
                let tags = if i % 3 == 0 { ",grail," } else { "" };
                let search = crate::inventory::service::search_words(&format!("{} {} {}", name.to_lowercase(), style.to_lowercase(), tags.trim_matches(',')));
                let created = now - time::Duration::seconds((count - i) as i64);
                sqlx::query("INSERT INTO items (id, owner_user_id, kind, status, name, sku, quantity, purchase_price, currency, purchase_date, \
                    tags, style_id, size, search_text, version, created_at, updated_at) \
                    VALUES ($1, $2, $3, $4, $5, NULL, 1, $6, 'USD', $7, $8, $9, $10, $11, 1, $12, $12)")
                    .bind(new_id()).bind(&owner).bind(kind).bind(statuses[i % statuses.len()]).bind(&name)
                    .bind(((i * 7919) % 90_000 + 1_000) as i64)
                    .bind(format!("2026-{:02}-{:02}", i % 12 + 1, i % 28 + 1)).bind(tags)
                    .bind(if kind == "sneaker" { Some(style.clone()) } else { None })
                    .bind(if kind == "sneaker" { Some(format!("{}", 7 + i % 8)) } else { None })
                    .bind(&search).bind(created)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await
        }.await);
        result.map_err(|e| format!("seeding items failed: {e}"))?;
    }
    Ok(())
}

/// Bulk-inserts `count` resellers with a store each (one shared password hash: seeding
/// speed, not argon2, is what matters here).
async fn seed_stores(db: &Db, count: usize) -> Result<(), String> {
    let hash = crypto::hash_password("bench-password-1").map_err(|e| e.to_string())?;
    let now = OffsetDateTime::now_utc();
    for chunk_start in (0..count).step_by(500) {
        let chunk_end = (chunk_start + 500).min(count);
        let result: Result<(), sqlx::Error> = with_db!(db, pool => async {
            let mut tx = pool.begin_write().await?;
            for i in chunk_start..chunk_end {
                let user_id = new_id();
                let store_id = new_id();
                sqlx::query("INSERT INTO users (id, email, password_hash, role, plan, time_zone, created_at, updated_at) VALUES ($1, $2, $3, 'user', 'free', 'UTC', $4, $4)")
                    .bind(&user_id).bind(format!("bench{i}@flipdesk.test")).bind(&hash).bind(now)
                    .execute(&mut *tx).await?;
                sqlx::query("INSERT INTO stores (id, slug, name, tagline, currency, created_at, updated_at) VALUES ($1, $2, $3, 'Benchmark store', 'USD', $4, $4)")
                    .bind(&store_id).bind(format!("bench-store-{i}")).bind(format!("Bench store {i}")).bind(now)
                    .execute(&mut *tx).await?;
                sqlx::query("INSERT INTO store_members (store_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
                    .bind(&store_id).bind(&user_id).bind(now)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await
        }.await);
        result.map_err(|e| format!("seeding failed: {e}"))?;
    }
    Ok(())
}

fn tempdir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("flipdesk-bench-{}", crypto::random_token(8)));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}
