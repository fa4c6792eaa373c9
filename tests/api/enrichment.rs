//! The enrichment cascade against fake providers on loopback, on both databases: each step
//! in order, provider answers cached into the catalog (the second lookup makes no call),
//! timeouts and 5xx falling through, the circuit breaker opening and closing, the rate limit,
//! remembered misses, and Cardmarket's files downloaded conditionally and imported.

use crate::fake_catalog::{FakeCatalog, Mode};
use crate::helpers::{
    TestApp, fresh_database_url, item_form, seed_catalog, settings_for, sneaker_input,
    spawn_app_with,
};
use crate::on_both_databases;
use flipdesk::catalog::{
    providers::{Providers, cardmarket::Fetched},
    resolve::{self, Lookup, SharedIndex},
};
use flipdesk::server::{
    clock::Clock,
    db::{Backend, Db},
};
use reqwest::StatusCode;
use serde_json::Value;
use serde_json::json;
use std::time::Duration;

/// A catalog, its providers pointed at the fakes, and the app's clock.
struct Rig {
    db: Db,
    clock: Clock,
    index: SharedIndex,
    lookup: Lookup,
    providers: Providers,
    fake: FakeCatalog,
    _dir: tempfile::TempDir,
}

const LOCAL: &str = r#"{"kind":"sneaker","name":"Nike Dunk Low Retro White Black Panda","brand":"Nike","style_id":"DD1391-100"}
{"kind":"card","name":"Charizard","game":"Pokémon","set":"Base","set_code":"BS","number":"4/102","rarity":"Holo Rare"}"#;

impl Rig {
    async fn new(backend: Backend, extra: &[(&'static str, &str)]) -> Rig {
        let fake = FakeCatalog::start().await;
        let dir = tempfile::tempdir().unwrap();
        let url = fresh_database_url(backend, dir.path()).await;
        let mut vars: Vec<(&str, String)> = fake.env();
        vars.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let settings = settings_for(&url, dir.path(), &pairs);
        let db = Db::connect(&settings.database).await.unwrap();
        db.migrate().await.unwrap();
        seed_catalog(&db, &LOCAL.lines().collect::<Vec<_>>()).await;
        let clock = Clock::default();
        let providers = Providers::from_settings(&settings, &clock);
        Rig {
            db,
            clock,
            index: SharedIndex::default(),
            lookup: Lookup::default(),
            providers,
            fake,
            _dir: dir,
        }
    }

    async fn resolve(&self, text: &str) -> Value {
        let r = resolve::resolve(
            &self.db,
            &self.index,
            &self.lookup,
            &self.providers,
            self.clock.now(),
            text,
        )
        .await
        .unwrap();
        serde_json::to_value(r).unwrap()
    }

    fn calls(&self, name: &str) -> u64 {
        self.providers
            .calls()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, c)| c)
    }
}

async fn each_step_in_order_and_answers_cached(backend: Backend) {
    let rig = Rig::new(backend, &[]).await;

    // Local by identifier, local by name: no provider is asked.
    let r = rig.resolve("DD1391-100 sz 10").await;
    assert_eq!(r["step"], "local_identifier", "{r}");
    let r = rig.resolve("charizard base 4/102 psa 9").await;
    assert_eq!(r["step"], "local_identifier", "{r}");
    let r = rig.resolve("nike dunk low panda white black sz 10").await;
    assert_eq!(r["step"], "local_name", "{r}");
    assert_eq!(rig.providers.total_calls(), 0);

    // A style id the catalog does not have: StockX by identifier, and it is kept.
    let r = rig.resolve("CW2288-111 size 11").await;
    assert_eq!(r["step"], "provider_identifier", "{r}");
    assert_eq!(r["name"], "Nike Air Force 1 Low '07 White");
    assert!(r["confidence"].as_f64().unwrap() >= 0.8, "{r}");
    assert_eq!(r["identifiers"]["external_ids"]["stockx"], "sx-af1", "{r}");
    assert_eq!(rig.calls("stockx"), 1);
    let again = rig.resolve("cw2288-111").await;
    assert_eq!(again["step"], "local_identifier", "{again}");
    assert_eq!(again["product_id"], r["product_id"]);
    assert_eq!(rig.calls("stockx"), 1, "the second lookup is local");

    // A set code + number: the Pokémon TCG API does not know MH2, Scryfall does.
    let r = rig.resolve("ragavan mh2 138 nm").await;
    assert_eq!(r["step"], "provider_identifier", "{r}");
    assert_eq!(r["name"], "Ragavan, Nimble Pilferer");
    assert_eq!(r["identifiers"]["external_ids"]["cardmarket"], "555001");
    assert_eq!(rig.calls("pokemontcg"), 1);
    assert_eq!(rig.calls("scryfall"), 1);
    assert_eq!(
        rig.calls("stockx"),
        1,
        "StockX is not asked about set numbers"
    );

    // A name and a card number: by name; StockX is not asked about single cards.
    let r = rig.resolve("pikachu 58/102 lp").await;
    assert_eq!(r["step"], "provider_name", "{r}");
    assert_eq!(r["name"], "Pikachu");
    assert_eq!(r["identifiers"]["number"], "58/102", "{r}");
    let asked = rig.fake.requests("ptcg");
    assert!(
        asked.last().unwrap().contains("number%3A%2258%22"),
        "{asked:?}"
    );
    assert_eq!(rig.calls("stockx"), 1);

    // A sneaker by name only.
    let r = rig.resolve("adidas samba og cloud white core black").await;
    assert_eq!(r["step"], "provider_name", "{r}");
    assert_eq!(r["identifiers"]["style_id"], "B75806");
    // Cached: adidas' dash-less style id now names it locally, without a call.
    let before = rig.providers.total_calls();
    let r = rig.resolve("b75806 sz 9").await;
    assert_eq!(r["step"], "local_identifier", "{r}");
    assert_eq!(r["name"], "adidas Samba OG Cloud White Core Black", "{r}");
    assert_eq!(rig.providers.total_calls(), before);

    // Nothing anywhere: candidates (none), and the miss is remembered.
    let before = rig.providers.total_calls();
    let r = rig.resolve("completely unknown gizmo").await;
    assert!(r["product_id"].is_null(), "{r}");
    assert!(rig.providers.total_calls() > before);
    let after_first = rig.providers.total_calls();
    let r = rig.resolve("Completely  unknown gizmo").await;
    assert!(r["product_id"].is_null(), "{r}");
    assert_eq!(
        rig.providers.total_calls(),
        after_first,
        "a remembered miss is not asked again"
    );

    // A provider product that does not validate (no name) is refused, never half-saved.
    let r = rig.resolve("ZZ0000-000").await;
    assert!(r["product_id"].is_null(), "{r}");

    // Everything that came from providers is in the catalog with its source.
    let sources: Vec<(String, i64)> = flipdesk::with_db!(&rig.db, pool => sqlx::query_as(
        "SELECT source, COUNT(*) FROM catalog_products GROUP BY source ORDER BY source")
        .fetch_all(pool)
        .await)
    .unwrap();
    assert!(sources.contains(&("stockx".into(), 2)), "{sources:?}");
    assert!(sources.contains(&("scryfall".into(), 1)), "{sources:?}");
    assert!(sources.contains(&("import".into(), 2)), "{sources:?}");
}

async fn failures_fall_through_to_the_next_step(backend: Backend) {
    let rig = Rig::new(
        backend,
        &[
            ("FLIPDESK__CATALOG__PROVIDER_TIMEOUT_MS", "300"),
            ("FLIPDESK__CATALOG__PROVIDER_ATTEMPTS", "2"),
        ],
    )
    .await;
    // StockX down (5xx): it is tried twice, then the Pokémon TCG API answers by name.
    rig.fake.set_mode("stockx", Mode::Down);
    let r = rig.resolve("pikachu mew").await;
    assert_eq!(r["step"], "provider_name", "{r}");
    assert_eq!(r["name"], "Pikachu", "{r}");
    assert_eq!(rig.calls("stockx"), 2, "one try and one retry");

    // StockX too slow: each try times out, then the same.
    rig.fake.set_mode("stockx", Mode::Slow(2_000));
    let started = std::time::Instant::now();
    let r = rig.resolve("CW2288-111").await;
    assert!(r["product_id"].is_null(), "{r}");
    assert_eq!(rig.calls("stockx"), 4);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "timeouts cut it short"
    );

    // An outage is not remembered as a miss: once StockX is back it is asked and answers.
    rig.fake.set_mode("stockx", Mode::Normal);
    let r = rig.resolve("CW2288-111").await;
    assert_eq!(r["step"], "provider_identifier", "{r}");
}

async fn breaker_opens_and_closes(backend: Backend) {
    let rig = Rig::new(
        backend,
        &[
            ("FLIPDESK__CATALOG__PROVIDER_ATTEMPTS", "1"),
            ("FLIPDESK__CATALOG__BREAKER_FAILURES", "2"),
            ("FLIPDESK__CATALOG__BREAKER_COOLDOWN_SECS", "60"),
            ("POKEMONTCG_API_BASE", "off"),
            ("SCRYFALL_API_BASE", "off"),
        ],
    )
    .await;
    rig.fake.set_mode("stockx", Mode::Down);
    rig.resolve("CW2288-111").await;
    rig.resolve("FV5029-006").await;
    assert_eq!(rig.calls("stockx"), 2);
    // Open: the next lookups do not reach StockX at all.
    rig.resolve("adidas samba").await;
    rig.resolve("air force 1 white").await;
    assert_eq!(rig.calls("stockx"), 2, "an open breaker sends nothing");

    // After the cooldown one trial goes out; it fails, so the breaker opens again.
    rig.clock.advance(Duration::from_secs(61));
    rig.resolve("adidas samba og").await;
    assert_eq!(rig.calls("stockx"), 3);
    rig.resolve("samba og").await;
    assert_eq!(rig.calls("stockx"), 3, "a failed trial opens it again");

    // StockX is back: the trial after the next cooldown closes it.
    rig.fake.set_mode("stockx", Mode::Normal);
    rig.clock.advance(Duration::from_secs(61));
    let r = rig.resolve("CW2288-111").await;
    assert_eq!(r["step"], "provider_identifier", "{r}");
    let r = rig.resolve("adidas samba og cloud white core black").await;
    assert_eq!(r["step"], "provider_name", "{r}");
    assert_eq!(rig.calls("stockx"), 5, "closed: calls go through again");
}

async fn rate_limit_is_respected(backend: Backend) {
    let rig = Rig::new(
        backend,
        &[
            ("FLIPDESK__CATALOG__STOCKX_PER_MINUTE", "2"),
            ("POKEMONTCG_API_BASE", "off"),
            ("SCRYFALL_API_BASE", "off"),
        ],
    )
    .await;
    let mut answered = 0;
    for style in [
        "CW2288-111",
        "FV5029-006",
        "AA1111-111",
        "BB2222-222",
        "CC3333-333",
    ] {
        let r = rig.resolve(style).await;
        answered += usize::from(r["product_id"].is_string());
    }
    assert_eq!(rig.calls("stockx"), 2, "two a minute, not more");
    assert_eq!(answered, 2);
    assert_eq!(rig.fake.requests("stockx").len(), 2);
    // Skipped for the limit is not a miss: the next minute asks again.
}

const SINGLES: &str = r#"{"version":1,"createdAt":"2026-12-04T02:35:48+0100","products":[
 {"idProduct":273699,"name":"Charizard","idCategory":51,"categoryName":"Pokémon Single","idExpansion":1,"idMetacard":5,"dateAdded":"2007-01-01 00:00:00"},
 {"name":"a record without its id","categoryName":"Pokémon Single"}
]}"#;

const SINGLES_NEXT_DAY: &str = r#"{"version":1,"createdAt":"2026-12-05T02:35:48+0100","products":[
 {"idProduct":273699,"name":"Charizard","idCategory":51,"categoryName":"Pokémon Single","idExpansion":1,"idMetacard":5,"dateAdded":"2007-01-01 00:00:00"},
 {"idProduct":9,"name":"Pikachu","idCategory":51,"categoryName":"Pokémon Single","idExpansion":1,"idMetacard":6,"dateAdded":"2007-01-01 00:00:00"}
]}"#;

const PRICES: &str = r#"{"version":1,"createdAt":"2026-12-04T02:35:48+0100","priceGuides":[
 {"idProduct":273699,"idCategory":51,"avg":300.5,"low":250.0,"trend":310.25}
]}"#;

async fn cardmarket_files_download_conditionally(backend: Backend) {
    let rig = Rig::new(backend, &[("FLIPDESK__CATALOG__CARDMARKET_GAMES", "[6]")]).await;
    rig.fake
        .put_file("products_singles_6.json", "\"etag-1\"", SINGLES);
    rig.fake
        .put_file("price_guide_6.json", "\"etag-p1\"", PRICES);
    let cardmarket = rig.providers.cardmarket.as_ref().expect("cardmarket is on");
    let data = tempfile::tempdir().unwrap();
    let done = cardmarket
        .refresh(&rig.db, data.path(), rig.clock.now_ms())
        .await
        .unwrap();
    let outcome = |name: &str| {
        done.iter()
            .find(|(p, _)| p.ends_with(name))
            .map(|(_, f)| f.clone())
            .unwrap()
    };
    let Fetched::Imported(singles) = outcome("products_singles_6.json") else {
        panic!("{done:?}")
    };
    assert!(singles.contains("created 1"), "{singles}");
    assert!(
        singles.contains("record 2: missing field `idProduct`") || singles.contains("record 2:"),
        "the malformed record is skipped and reported: {singles}"
    );
    assert_eq!(outcome("products_nonsingles_6.json"), Fetched::Missing);
    let Fetched::Imported(prices) = outcome("price_guide_6.json") else {
        panic!("{done:?}")
    };
    assert!(prices.contains("1 prices written"), "{prices}");
    assert_eq!(
        std::fs::read_dir(data.path().join("catalog-downloads"))
            .unwrap()
            .count(),
        0,
        "downloaded files are removed once imported"
    );

    // The next run asks conditionally; nothing changed, nothing is imported again.
    let again = cardmarket
        .refresh(&rig.db, data.path(), rig.clock.now_ms())
        .await
        .unwrap();
    assert_eq!(rig.fake.conditional_requests(), 2, "{again:?}");
    assert!(
        again
            .iter()
            .filter(|(p, _)| !p.contains("nonsingles"))
            .all(|(_, f)| *f == Fetched::NotModified),
        "{again:?}"
    );

    // A new file (new ETag) is imported.
    rig.fake
        .put_file("products_singles_6.json", "\"etag-2\"", SINGLES_NEXT_DAY);
    let third = cardmarket
        .refresh(&rig.db, data.path(), rig.clock.now_ms())
        .await
        .unwrap();
    assert!(
        matches!(&third[0].1, Fetched::Imported(s) if s.contains("created 1")),
        "{third:?}"
    );

    // Cardmarket down: the refresh fails (the job retries), what is known stays.
    rig.fake.set_mode("cm", Mode::Down);
    let failed = cardmarket
        .refresh(&rig.db, data.path(), rig.clock.now_ms())
        .await;
    assert!(failed.is_err());
    let prices: i64 = flipdesk::with_db!(&rig.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM market_prices WHERE source = 'cardmarket'")
        .fetch_one(pool)
        .await)
    .unwrap();
    assert_eq!(prices, 1);
}

/// A reseller's stock value in USD: the sum of the worth ledger's market column.
async fn worth(app: &TestApp, email: &str) -> i64 {
    flipdesk::with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(w.market), 0) AS BIGINT) FROM worth_days w JOIN users u ON u.id = w.owner_user_id \
         WHERE u.email = $1 AND w.currency = 'USD'")
        .bind(email).fetch_one(pool).await)
    .unwrap()
}

async fn create(app: &TestApp, c: &reqwest::Client, input: Value) -> String {
    let (status, body) = app
        .rpc(
            c,
            "inventory/create",
            json!({"input": input, "status": "in_stock"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_str().unwrap().to_string()
}

/// An app whose providers are the fakes (Cardmarket off), refreshing prices every 6 hours.
async fn priced_app(backend: Backend, fake: &FakeCatalog) -> TestApp {
    let mut env = fake.env();
    env.push(("CARDMARKET_API_BASE", "off".into()));
    env.push(("FLIPDESK__CATALOG__PRICE_REFRESH_HOURS", "6".into()));
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_with(backend, &pairs).await
}

async fn price_refresh_moves_net_worth_once_per_run(backend: Backend) {
    let fake = FakeCatalog::start().await;
    let app = priced_app(backend, &fake).await;
    let lookup = app.state.part::<Lookup>();
    let providers = lookup.providers(&app.state.settings, &app.state.clock);
    let index = app.state.part::<SharedIndex>();
    let app = &app;
    let resolve = |text: &'static str| async move {
        resolve::resolve(
            &app.db,
            index,
            lookup,
            providers,
            app.state.clock.now(),
            text,
        )
        .await
        .unwrap()
        .product_id
        .expect(text)
    };
    let pikachu = resolve("pikachu 58/102").await;
    let af1 = resolve("CW2288-111").await;
    fake.set_price("base1-58", 31.5);
    fake.set_price("sx-af1", 120.0);

    // Two resellers hold the same card; one also holds the sneaker. A forged product id
    // links nothing.
    let ana = app.reseller("ana").await;
    let bo = app.reseller("bo").await;
    let card = |qty: &str, product: &str| {
        item_form(
            "card",
            json!({"name": "Pikachu", "quantity": qty, "purchase_price": "10", "currency": "USD",
                   "game": "Pokémon", "card_set": "Base", "card_number": "58/102",
                   "catalog_product_id": product}),
        )
    };
    let ana_card = create(app, &ana, card("2", &pikachu)).await;
    create(app, &bo, card("1", &pikachu)).await;
    let mut shoe = sneaker_input("1", "CW2288-111", "10");
    shoe["catalog_product_id"] = json!(af1);
    create(app, &ana, shoe).await;
    let forged = create(app, &bo, card("1", "0000aaaa-0000-0000-0000-000000000000")).await;
    let (_, item) = app.rpc(&bo, "inventory/get", json!({"id": forged})).await;
    assert!(item["catalog_product"].is_null(), "{item}");
    let (status, body) = app
        .rpc(
            &bo,
            "inventory/create",
            json!({"input": card("1", "not an id!"), "status": "in_stock"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, item) = app
        .rpc(&ana, "inventory/get", json!({"id": ana_card}))
        .await;
    assert_eq!(item["catalog_product"][1], "Pikachu", "{item}");

    // At cost: 2 × 10 + 60.
    assert_eq!(worth(app, "ana@example.com").await, 8000);
    app.advance(Duration::from_secs(1)).await;
    let card_calls = |fake: &FakeCatalog| {
        fake.requests("ptcg")
            .iter()
            .filter(|p| p.starts_with("/ptcg/v2/cards/base1-58"))
            .count()
    };
    assert_eq!(card_calls(&fake), 1, "asked once for two resellers' cards");
    // 2 × 31.50 + 120 (the median of three sizes).
    assert_eq!(worth(app, "ana@example.com").await, 18300);
    assert_eq!(worth(app, "bo@example.com").await, 3150 + 1000);
    let (_, item) = app
        .rpc(&ana, "inventory/get", json!({"id": ana_card}))
        .await;
    assert_eq!(item["market_price"]["amount"], 3150, "{item}");
    assert_eq!(item["price_history"][0]["source"], "pokemontcg", "{item}");

    // The same run again writes nothing and moves nothing.
    let catalog_prices = || async move {
        flipdesk::with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM market_prices WHERE catalog_product_id IS NOT NULL AND item_id IS NULL AND variant_id IS NULL")
            .fetch_one(pool).await)
        .unwrap()
    };
    assert_eq!(catalog_prices().await, 2);
    let size_prices = || async move {
        flipdesk::with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM market_prices WHERE variant_id IS NOT NULL")
            .fetch_one(pool).await)
        .unwrap()
    };
    assert_eq!(
        size_prices().await,
        3,
        "the sneaker's three sizes with an ask"
    );
    let run_ms: i64 = flipdesk::with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT next_run_ms FROM catalog_schedule WHERE task = 'prices'")
        .fetch_one(pool).await)
    .unwrap();
    let run_at = time::OffsetDateTime::from_unix_timestamp_nanos(
        (run_ms - 6 * 3_600_000) as i128 * 1_000_000,
    )
    .unwrap();
    let again = flipdesk::catalog::prices::refresh(&app.db, providers, run_at)
        .await
        .unwrap();
    assert_eq!(again.repriced, 0);
    assert_eq!(
        catalog_prices().await,
        2,
        "keyed by product, source and run"
    );
    assert_eq!(size_prices().await, 3, "and size");
    assert_eq!(worth(app, "ana@example.com").await, 18300);

    // Not due again for six hours: nothing is asked.
    app.advance(Duration::from_secs(60)).await;
    assert_eq!(card_calls(&fake), 2, "only the repeated run above asked");

    // The next run: the card moved, the sneaker did not.
    fake.set_price("base1-58", 35.0);
    app.advance(Duration::from_secs(6 * 3600)).await;
    assert_eq!(card_calls(&fake), 3);
    assert_eq!(catalog_prices().await, 4, "history keeps every run");
    assert_eq!(worth(app, "ana@example.com").await, 18300 + 2 * 350);
    assert_eq!(worth(app, "bo@example.com").await, 3500 + 1000);

    // Ana prices her card by hand: the next run, with the market where it was, leaves her
    // price alone; once the market moves, the catalog price takes over again.
    let (_, item) = app
        .rpc(&ana, "inventory/get", json!({"id": ana_card}))
        .await;
    let (status, body) = app
        .rpc(
            &ana,
            "analytics/market-price",
            json!({"id": ana_card, "version": item["summary"]["version"], "price": "40"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(worth(app, "ana@example.com").await, 2 * 4000 + 12000);
    app.advance(Duration::from_secs(6 * 3600)).await;
    assert_eq!(card_calls(&fake), 4);
    assert_eq!(catalog_prices().await, 6);
    assert_eq!(
        worth(app, "ana@example.com").await,
        2 * 4000 + 12000,
        "set by hand"
    );
    let (_, item) = app
        .rpc(&ana, "inventory/get", json!({"id": ana_card}))
        .await;
    assert_eq!(item["market_price"]["amount"], 4000, "{item}");
    assert_eq!(worth(app, "bo@example.com").await, 3500 + 1000);
    fake.set_price("base1-58", 36.0);
    app.advance(Duration::from_secs(6 * 3600)).await;
    assert_eq!(
        worth(app, "ana@example.com").await,
        2 * 3600 + 12000,
        "the market moved"
    );
    assert_eq!(worth(app, "bo@example.com").await, 3600 + 1000);
}

async fn sneakers_are_priced_by_their_size(backend: Backend) {
    let fake = FakeCatalog::start().await;
    let app = priced_app(backend, &fake).await;
    let lookup = app.state.part::<Lookup>();
    let providers = lookup.providers(&app.state.settings, &app.state.clock);
    let index = app.state.part::<SharedIndex>();
    let af1 = resolve::resolve(
        &app.db,
        index,
        lookup,
        providers,
        app.state.clock.now(),
        "CW2288-111",
    )
    .await
    .unwrap()
    .product_id
    .unwrap();
    fake.set_price("sx-af1", 120.0);
    let ana = app.reseller("ana").await;
    // US M 9 and 10.5, EU 44.5 (US M 10.5 by StockX's chart), and a US M 13 nobody asks for.
    let shoe = |size: &str, system: &str| {
        let mut shoe = sneaker_input("1", "CW2288-111", size);
        shoe["size_system"] = json!(system);
        shoe["catalog_product_id"] = json!(af1);
        shoe
    };
    let nine = create(&app, &ana, shoe("9", "us_m")).await;
    create(&app, &ana, shoe("10.5", "us_m")).await;
    let eu = create(&app, &ana, shoe("44.5", "eu")).await;
    create(&app, &ana, shoe("13", "us_m")).await;
    assert_eq!(worth(&app, "ana@example.com").await, 4 * 6000);

    let stockx = |path: &'static str| {
        fake.requests("stockx")
            .iter()
            .filter(|p| p.contains(path))
            .count()
    };
    app.advance(Duration::from_secs(1)).await;
    assert_eq!((stockx("/market-data"), stockx("/variants")), (1, 1));
    // 100 (size 9) + 155 (10.5) + 155 (EU 44.5) + 120 (13: the median across sizes).
    assert_eq!(worth(&app, "ana@example.com").await, 53000);
    let (_, item) = app.rpc(&ana, "inventory/get", json!({"id": nine})).await;
    assert_eq!(item["market_price"]["amount"], 10000, "{item}");
    assert_eq!(
        item["price_history"][0]["source"], "stockx · US M 9",
        "{item}"
    );
    let (_, item) = app.rpc(&ana, "inventory/get", json!({"id": eu})).await;
    assert_eq!(item["market_price"]["amount"], 15500, "{item}");
    let stored: i64 = flipdesk::with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM catalog_variants WHERE catalog_product_id = $1")
        .bind(&af1).fetch_one(pool).await)
    .unwrap();
    assert_eq!(
        stored,
        4 * 3,
        "four sizes in US M, UK and EU; cm is not kept"
    );
    // Each size's box barcode was learned with it: a scan names the shoe and its size.
    let (_, scanned) = app
        .rpc(&ana, "catalog/suggest", json!({"text": "190000000002"}))
        .await;
    assert_eq!(scanned[0]["product_id"], json!(af1), "{scanned}");
    assert_eq!(scanned[0]["size"], json!(["us_m", "10.5"]), "{scanned}");
    assert!(scanned[0]["confidence"].as_f64().unwrap() >= 0.8);
    let local = resolve::local(&index.current(&app.db).await.unwrap(), "190000000000");
    assert_eq!(local.product_id.as_deref(), Some(af1.as_str()));
    let size = local.size.unwrap();
    assert_eq!((size.system, size.size.as_str()), ("us_m", "9"));
    let (_, unknown) = app
        .rpc(&ana, "catalog/suggest", json!({"text": "190000000009"}))
        .await;
    assert_eq!(unknown, json!([]), "a barcode nobody listed names nothing");

    // The next run knows the sizes: one call, and every size moves with the market.
    fake.set_price("sx-af1", 130.0);
    app.advance(Duration::from_secs(6 * 3600)).await;
    assert_eq!((stockx("/market-data"), stockx("/variants")), (2, 1));
    assert_eq!(
        worth(&app, "ana@example.com").await,
        11000 + 16500 + 16500 + 13000
    );

    // A wanted list shows what the market asks now: the wanted size's lowest ask, else the
    // product's price; an item linked to nothing shows none.
    let (_, list) = app
        .rpc(
            &ana,
            "lists/create",
            json!({"input": {"name": "Wants", "slug": "", "description": "", "is_public": false}}),
        )
        .await;
    let list_id = list["id"].as_str().unwrap();
    for (name, size, product) in [
        ("af1 10.5", "10.5", Some(af1.as_str())),
        ("af1 13", "13", Some(af1.as_str())),
        ("af1 any", "", Some(af1.as_str())),
        ("mystery", "9", None),
    ] {
        let (status, body) = app
            .rpc(
                &ana,
                "lists/items/save",
                json!({"list_id": list_id, "item_id": null, "input": {"name": name,
                    "product_id": product.unwrap_or(""), "style_id": "", "size": size,
                    "condition": "", "grade": "", "quantity": "1", "max_price": "",
                    "currency": "USD", "notes": ""}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, detail) = app
        .rpc(&ana, "lists/detail", json!({"list_id": list_id}))
        .await;
    let market_of = |name: &str| {
        let id = detail["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap()["id"]
            .clone();
        detail["market"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m[0] == id)
            .map(|m| (m[1]["price"]["amount"].clone(), m[1]["size"].clone()))
    };
    assert_eq!(
        market_of("af1 10.5"),
        Some((json!(16500), json!("10.5"))),
        "{detail}"
    );
    assert_eq!(
        market_of("af1 13"),
        Some((json!(13000), Value::Null)),
        "{detail}"
    );
    assert_eq!(
        market_of("af1 any"),
        Some((json!(13000), Value::Null)),
        "{detail}"
    );
    assert_eq!(market_of("mystery"), None, "{detail}");
    // Another reseller's list is not found.
    let bo = app.reseller("bo").await;
    let (status, _) = app
        .rpc(&bo, "lists/detail", json!({"list_id": list_id}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_item_form_looks_products_up_online(backend: Backend) {
    let fake = FakeCatalog::start().await;
    let env = fake.env();
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(backend, &pairs).await;
    let (status, _) = app
        .rpc(
            &crate::helpers::client(),
            "catalog/lookup",
            json!({"text": "CW2288-111"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let c = app.reseller("cleo").await;
    let (_, local) = app
        .rpc(&c, "catalog/suggest", json!({"text": "CW2288-111"}))
        .await;
    assert_eq!(local, json!([]), "not in the local catalog yet");
    let (status, found) = app
        .rpc(&c, "catalog/lookup", json!({"text": "CW2288-111 sz 9"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(
        found[0]["name"], "Nike Air Force 1 Low '07 White",
        "{found}"
    );
    assert_eq!(found[0]["style_id"], "CW2288-111");
    // Now it is local: the type-ahead finds it without a call.
    let calls = fake.requests("stockx").len();
    let (_, local) = app
        .rpc(&c, "catalog/suggest", json!({"text": "cw2288-111"}))
        .await;
    assert_eq!(local[0]["product_id"], found[0]["product_id"], "{local}");
    assert_eq!(fake.requests("stockx").len(), calls);

    // A box's barcode nobody stored: the search finds the shoe, its sizes (one more call)
    // name the size in the box, and the next scan is local.
    let (status, scanned) = app
        .rpc(&c, "catalog/lookup", json!({"text": "190100000001"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{scanned}");
    assert_eq!(
        scanned[0]["name"], "adidas Samba OG Cloud White Core Black",
        "{scanned}"
    );
    assert_eq!(scanned[0]["size"], json!(["us_m", "10"]), "{scanned}");
    let sent = fake.requests("stockx");
    assert_eq!(sent.len(), calls + 2, "a search and the sizes: {sent:?}");
    assert!(sent.last().unwrap().contains("/variants"), "{sent:?}");
    let (_, again) = app
        .rpc(&c, "catalog/suggest", json!({"text": "190100000003"}))
        .await;
    assert_eq!(again[0]["product_id"], scanned[0]["product_id"], "{again}");
    assert_eq!(again[0]["size"], json!(["us_m", "14"]), "{again}");
    assert_eq!(fake.requests("stockx").len(), calls + 2, "no call");

    // Ten lookups a minute per reseller: the calls cost money.
    let mut limited = 0;
    for n in 0..12 {
        let (status, _) = app
            .rpc(
                &c,
                "catalog/lookup",
                json!({"text": format!("mystery shoe {n}")}),
            )
            .await;
        limited += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(
        limited, 4,
        "2 (the name and the barcode) + 8 allowed, then 429"
    );

    // The import's batch matching: local only, in order, a limit per call.
    let (status, matched) = app
        .rpc(
            &c,
            "catalog/match",
            json!({"texts": ["CW2288-111 Air Force 1", "no such thing at all", "FV5029-006"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{matched}");
    assert_eq!(matched[0][1], "Nike Air Force 1 Low '07 White", "{matched}");
    assert!(matched[1].is_null(), "{matched}");
    assert!(matched[2].is_null(), "never a provider call: {matched}");
    let too_many: Vec<String> = (0..501).map(|n| format!("text {n}")).collect();
    let (status, _) = app
        .rpc(&c, "catalog/match", json!({"texts": too_many}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .rpc(
            &crate::helpers::client(),
            "catalog/match",
            json!({"texts": ["x"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

on_both_databases!(
    enrich_all_links_items_asking_once_per_text,
    a_resellers_pick_answers_the_same_text_next_time,
    the_item_form_looks_products_up_online,
    price_refresh_moves_net_worth_once_per_run,
    sneakers_are_priced_by_their_size,
    each_step_in_order_and_answers_cached,
    failures_fall_through_to_the_next_step,
    breaker_opens_and_closes,
    rate_limit_is_respected,
    cardmarket_files_download_conditionally,
);

/// A reseller's pick for a text answers that text for them next time (import matching,
/// type-ahead), and only for them; picking the catalog's own answer again forgets it.
async fn a_resellers_pick_answers_the_same_text_next_time(backend: Backend) {
    let app = spawn_app_with(backend, &[]).await;
    seed_catalog(&app.db, &[
        r#"{"kind":"sneaker","name":"Nike Dunk Low Retro White Black Panda","brand":"Nike","style_id":"DD1391-100"}"#,
        r#"{"kind":"sneaker","name":"Nike Dunk Low Grey Fog","brand":"Nike","style_id":"DD1391-103"}"#,
    ]).await;
    let ivy = app.reseller("ivy").await;
    let jon = app.reseller("jon").await;
    let text = "Nike Dunk Low Retro White Black Panda";
    let matched = |c: &reqwest::Client, texts: Value| {
        let c = c.clone();
        let app = &app;
        async move {
            let (status, body) = app.rpc(&c, "catalog/match", json!({"texts": texts})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let before = matched(&ivy, json!([text])).await;
    assert_eq!(
        before[0][1], "Nike Dunk Low Retro White Black Panda",
        "{before}"
    );
    let (_, offered) = app
        .rpc(
            &ivy,
            "catalog/suggest",
            json!({"text": "dunk low grey fog"}),
        )
        .await;
    let grey_fog = offered[0]["product_id"].as_str().unwrap().to_string();
    let panda = before[0][0].as_str().unwrap().to_string();
    assert_ne!(grey_fog, panda);

    // Ivy calls her Grey Fogs "Panda": she picks the Grey Fog for that text.
    let mut shoe = sneaker_input("1", "", "10");
    shoe["name"] = json!(text);
    shoe["style_id"] = json!("");
    shoe["catalog_product_id"] = json!(grey_fog);
    let item = create(&app, &ivy, shoe.clone()).await;

    // The same text, however written, now answers her pick; Jon still gets the catalog's.
    let after = matched(
        &ivy,
        json!([
            text,
            "NIKE dunk low retro white black panda sz 10 DS",
            "something else"
        ]),
    )
    .await;
    assert_eq!(after[0][0], grey_fog.as_str(), "{after}");
    assert_eq!(after[1][0], grey_fog.as_str(), "{after}");
    assert!(after[2].is_null(), "{after}");
    let (_, offered) = app
        .rpc(&ivy, "catalog/suggest", json!({"text": text}))
        .await;
    assert_eq!(offered[0]["product_id"], grey_fog.as_str(), "{offered}");
    assert_eq!(offered[0]["confidence"], 1.0);
    let theirs = matched(&jon, json!([text])).await;
    assert_eq!(theirs[0][0], panda.as_str(), "{theirs}");

    // Picking the catalog's own answer again forgets the override.
    let (_, got) = app.rpc(&ivy, "inventory/get", json!({"id": item})).await;
    let version = got["summary"]["version"].as_i64().unwrap();
    shoe["catalog_product_id"] = json!(panda);
    let (status, body) = app
        .rpc(
            &ivy,
            "inventory/update",
            json!({"id": item, "version": version, "input": shoe}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let again = matched(&ivy, json!([text])).await;
    assert_eq!(again[0][0], panda.as_str(), "{again}");
    assert_eq!(app.count("catalog_choices").await, 0);
}

async fn enrich_status(app: &TestApp, c: &reqwest::Client) -> Value {
    let (status, run) = app.rpc(c, "catalog/enrich_status", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    run
}

/// "Enrich all" links every item that names no product, through the whole cascade, asking
/// about each distinct text once; what nothing knows stays unlinked and is not asked about
/// again soon; one run at a time; another reseller's items and runs are untouched.
async fn enrich_all_links_items_asking_once_per_text(backend: Backend) {
    let fake = FakeCatalog::start().await;
    let env = fake.env();
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(backend, &pairs).await;
    seed_catalog(&app.db, &LOCAL.lines().collect::<Vec<_>>()).await;
    let c = app.reseller("ella").await;
    let other = app.reseller("otto").await;
    let (status, _) = app
        .rpc(&crate::helpers::client(), "catalog/enrich_start", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(enrich_status(&app, &c).await.is_null(), "no run yet");

    // Three pairs the local catalog knows, four only StockX knows, two nobody knows.
    let make = |style: &str, name: &str, size: &str| {
        let mut input = sneaker_input("1", style, size);
        input["name"] = json!(name);
        input
    };
    let mut inputs = Vec::new();
    for size in ["9", "10", "11"] {
        inputs.push(make("DD1391-100", "Dunk Low Panda", size));
    }
    for size in ["8", "9", "10", "12"] {
        inputs.push(make("CW2288-111", "AF1 white", size));
    }
    for size in ["9", "10"] {
        inputs.push(make("", "Grail from a dream", size));
    }
    for input in &inputs {
        create(&app, &c, input.clone()).await;
    }
    let theirs = create(&app, &other, make("CW2288-111", "AF1 white", "9")).await;

    let all_calls = || -> usize {
        ["stockx", "ptcg", "scryfall", "cm"]
            .iter()
            .map(|p| fake.requests(p).len())
            .sum()
    };
    let (before, stockx_before) = (all_calls(), fake.requests("stockx").len());
    let (status, run) = app.rpc(&c, "catalog/enrich_start", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["status"], "running");
    let (_, again) = app.rpc(&c, "catalog/enrich_start", json!({})).await;
    assert_eq!(again["id"], run["id"], "one run at a time");
    app.run_pending_jobs().await;
    let done = enrich_status(&app, &c).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["items_total"], 9, "{done}");
    assert_eq!(
        done["texts_total"], 3,
        "one lookup per distinct text: {done}"
    );
    assert_eq!(done["texts_done"], 3, "{done}");
    assert_eq!(done["linked"], 7, "{done}");
    assert_eq!(
        done["calls"],
        (all_calls() - before) as i64,
        "the calls it made are counted: {done}"
    );
    // StockX: the AF1 by its style id, the unknown pair by name; the local pairs cost none.
    assert_eq!(fake.requests("stockx").len() - stockx_before, 2);
    let linked: i64 = flipdesk::with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM items WHERE catalog_product_id IS NOT NULL AND name = 'AF1 white' AND id <> $1")
        .bind(&theirs).fetch_one(pool).await)
    .unwrap();
    assert_eq!(linked, 4);
    let (_, inbox) = app.rpc(&c, "inbox/list", json!({"query": {}})).await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "enrich_done"
                && n["title"] == "7 of 9 items linked to catalog products"),
        "{inbox}"
    );
    // The other reseller's pair is theirs to enrich.
    assert!(enrich_status(&app, &other).await.is_null());
    let untouched: Option<String> = flipdesk::with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT catalog_product_id FROM items WHERE id = $1").bind(&theirs).fetch_one(pool).await)
    .unwrap();
    assert_eq!(untouched, None);

    // Again: only the two unknown pairs are left, and nothing is asked about them so soon.
    let before = all_calls();
    app.rpc(&c, "catalog/enrich_start", json!({})).await;
    app.run_pending_jobs().await;
    let second = enrich_status(&app, &c).await;
    assert_eq!(second["status"], "done", "{second}");
    assert_eq!(second["items_total"], 2, "{second}");
    assert_eq!(second["linked"], 0, "{second}");
    assert_eq!(all_calls(), before, "a remembered miss costs no call");
    assert_eq!(second["calls"], 0, "{second}");
}
