//! `spawn_app()`: the real server in-process on a random port with a fresh database on the
//! chosen backend, and an HTTP client that keeps cookies.

use flipdesk::server::{
    config::Settings,
    db::{Backend, Db},
    http::{self, RunningServer},
};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use std::{collections::BTreeMap, time::Duration};

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub db: Db,
    /// The server's state, for calling services directly (seeding the demo).
    pub state: flipdesk::server::state::AppState,
    pub server: Option<RunningServer>,
    pub database_url: String,
    pub _dir: tempfile::TempDir,
}

/// A fresh database URL on the backend: a SQLite file in `dir`, or a new PostgreSQL
/// database in the cluster of `TEST_DATABASE_URL`.
pub async fn fresh_database_url(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}/flipdesk.db", dir.display()),
        Backend::Postgres => {
            let base = std::env::var("TEST_DATABASE_URL").expect(
                "TEST_DATABASE_URL is not set: run scripts/test (it starts a throwaway PostgreSQL) \
                 or point it at a PostgreSQL server",
            );
            let name = format!("flipdesk_test_{}", uuid_like());
            let admin = sqlx::PgPool::connect(&base)
                .await
                .expect("connect to TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .expect("create test database");
            admin.close().await;
            let (prefix, _) = base.rsplit_once('/').expect("URL has a database name");
            format!("{prefix}/{name}")
        }
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn settings_for(database_url: &str, dir: &std::path::Path, extra: &[(&str, &str)]) -> Settings {
    let mut vars: BTreeMap<String, String> = [
        ("DATABASE_URL", database_url),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
        (
            "FLIPDESK_SECRET",
            "test-secret-test-secret-test-secret-0123",
        ),
        ("FLIPDESK__SERVER__DATA_DIR", dir.to_str().unwrap()),
        // Every test shopper comes from 127.0.0.1: the checkout limits are tested on their own.
        ("FLIPDESK__CHECKOUT__SESSIONS_PER_IP_PER_MINUTE", "100000"),
        (
            "FLIPDESK__CHECKOUT__SESSIONS_PER_STORE_PER_MINUTE",
            "100000",
        ),
        ("FLIPDESK__CHECKOUT__MOST_UNITS_HELD_PER_BUYER", "100000"),
        // Imports and sales of many rows on a free account: the plan limits (and the one
        // WTB list) are tested on their own, in billing.rs.
        ("FLIPDESK__PLANS__FREE__ITEMS", "100000"),
        ("FLIPDESK__PLANS__FREE__SALES_PER_MONTH", "100000"),
        ("FLIPDESK__PLANS__FREE__SHIPMENTS_PER_MONTH", "100000"),
        // Nothing in the tests reaches the internet: a test that needs a catalog provider
        // points it at its own fake.
        ("STOCKX_API_BASE", "off"),
        ("CARDMARKET_API_BASE", "off"),
        ("POKEMONTCG_API_BASE", "off"),
        ("SCRYFALL_API_BASE", "off"),
        // The scheduled price refresh is tested on its own (enrichment.rs).
        ("FLIPDESK__CATALOG__PRICE_REFRESH_HOURS", "0"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    Settings::from_sources(None, &vars).expect("test settings are valid")
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    spawn_app_editing(backend, extra, |_| ()).await
}

/// A test server whose state `edit` changes before it starts (e.g. where its built assets are).
pub async fn spawn_app_editing(
    backend: Backend,
    extra: &[(&str, &str)],
    edit: impl FnOnce(&mut flipdesk::server::state::AppState),
) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        flipdesk::server::telemetry::init(false);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(backend, dir.path()).await;
    start_on(database_url, dir, extra, edit).await
}

/// A second server on the same database (as a second process would be), with its own data
/// folder: what the servers share goes through the database (or the photo bucket).
pub async fn spawn_beside(app: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    start_on(app.database_url.clone(), dir, extra, |_| ()).await
}

async fn start_on(
    database_url: String,
    dir: tempfile::TempDir,
    extra: &[(&str, &str)],
    edit: impl FnOnce(&mut flipdesk::server::state::AppState),
) -> TestApp {
    let settings = settings_for(&database_url, dir.path(), extra);
    let db = Db::connect(&settings.database).await.expect("connect");
    db.migrate().await.expect("migrate");
    let mut state = flipdesk::capabilities::build_state(settings, db.clone()).expect("state");
    edit(&mut state);
    // No job worker: a test runs due jobs itself (`run_pending_jobs`), after moving the clock.
    let server = http::start_with(
        state.clone(),
        "127.0.0.1:0".parse().unwrap(),
        http::JobWorker::Off,
    )
    .await
    .expect("start");
    let address = format!("http://{}", server.addr);
    TestApp {
        client: client(),
        address,
        db,
        state,
        server: Some(server),
        database_url,
        _dir: dir,
    }
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

pub struct Signup<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub store_name: &'a str,
    pub store_slug: &'a str,
}

impl TestApp {
    /// Runs every job that is due now, and what they queue that is due at once.
    pub async fn run_pending_jobs(&self) -> usize {
        flipdesk::server::jobs::run_until_idle(&self.state).await
    }

    /// Moves the app's clock forward (a hold, a link or a backoff runs out) and runs the
    /// periodic work and the jobs that are then due, as the worker would.
    pub async fn advance(&self, by: Duration) {
        self.state.clock.advance(by);
        flipdesk::server::jobs::housekeeping(&self.state).await;
        self.run_pending_jobs().await;
    }

    /// The body of a GET as `c` sees it (a page, an export).
    pub async fn text(&self, c: &Client, path: &str) -> String {
        c.get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Calls a server function the way the browser does (form-encoded POST).
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .form(form)
            .send()
            .await
            .expect("server function call")
    }

    pub async fn signup_with(&self, client: &Client, s: &Signup<'_>) -> Response {
        self.call(
            client,
            "auth/signup",
            &[
                ("email", s.email),
                ("password", s.password),
                ("store_name", s.store_name),
                ("store_slug", s.store_slug),
            ],
        )
        .await
    }

    /// Signs up `name@example.com` with store `name-store` on the app's own client.
    pub async fn signup(&self, name: &str) -> Response {
        let email = format!("{name}@example.com");
        let slug = format!("{name}-store");
        self.signup_with(
            &self.client,
            &Signup {
                email: &email,
                password: PASSWORD,
                store_name: &format!("{name} kicks"),
                store_slug: &slug,
            },
        )
        .await
    }

    pub async fn login(&self, client: &Client, email: &str, password: &str) -> Response {
        self.call(
            client,
            "auth/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        flipdesk::with_db!(&self.db, pool => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await).unwrap()
    }
}

pub const PASSWORD: &str = "grail-hunter-2026";

pub async fn json(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    let value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, value)
}

/// Runs one async test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(flipdesk::server::db::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(flipdesk::server::db::Backend::Postgres).await
                }
            }
        )*
    };
}

impl TestApp {
    /// Calls a JSON-encoded server function.
    pub async fn call_json(&self, client: &Client, endpoint: &str, body: Value) -> Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .json(&body)
            .send()
            .await
            .expect("server function call")
    }

    /// Calls a JSON server function and reads its JSON answer.
    pub async fn rpc(&self, client: &Client, endpoint: &str, body: Value) -> (StatusCode, Value) {
        json(self.call_json(client, endpoint, body).await).await
    }

    /// A signed-in client of a new reseller `name`.
    pub async fn reseller(&self, name: &str) -> Client {
        let c = client();
        let email = format!("{name}@example.com");
        let slug = format!("{name}-store");
        let res = self
            .signup_with(
                &c,
                &Signup {
                    email: &email,
                    password: PASSWORD,
                    store_name: name,
                    store_slug: &slug,
                },
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "sign-up of {name}");
        c
    }
}

/// The add-item form of a `kind` with every field empty but those in `fields`: the one place
/// tests spell out the form.
pub fn item_form(kind: &str, fields: Value) -> Value {
    let mut form = serde_json::json!({
        "kind": kind, "name": "", "sku": "", "quantity": "", "purchase_price": "", "currency": "",
        "purchase_date": "", "purchase_source": "", "storage_location": "", "tags": "", "notes": "", "image_urls": "",
        "brand": "", "style_id": "", "colorway": "", "size": "", "size_system": "", "sneaker_condition": "",
        "box_condition": "", "game": "", "card_set": "", "card_number": "", "language": "", "finish": "", "card_condition": "",
        "grading_company": "", "grade": "", "cert_number": "", "attributes": "", "catalog_product_id": ""
    });
    for (key, value) in fields.as_object().expect("fields are an object") {
        assert!(form.get(key).is_some(), "the item form has no field {key}");
        form[key] = value.clone();
    }
    form
}

/// The add-item form of a sneaker (new, US M `size`, bought for 60 USD).
pub fn sneaker_input(qty: &str, style_id: &str, size: &str) -> Value {
    item_form(
        "sneaker",
        serde_json::json!({"name": "Jordan 1 Chicago", "quantity": qty, "purchase_price": "60", "currency": "USD",
            "purchase_date": "2026-01-05", "brand": "Nike", "style_id": style_id, "size": size, "size_system": "us_m",
            "sneaker_condition": "new"}),
    )
}

impl TestApp {
    /// A shopper's order of `units` from a listing of `store`, to be paid by the store's
    /// instructions (`key`: the checkout's idempotency key): the order id.
    pub async fn manual_order(&self, store: &str, listing: &str, units: i64, key: &str) -> String {
        let cart = serde_json::json!({"store": store, "lines": [{"listing_id": listing, "quantity": units}],
            "email": "b@example.com", "shipping_address": {"name": "Sam Buyer", "line1": "1 Main St",
            "city": "Austin", "postal_code": "73301", "region": "TX", "country": "US"}});
        let res = self
            .client
            .post(self.url("/api/v1/checkout/session"))
            .header("Idempotency-Key", key)
            .json(&cart)
            .send()
            .await
            .unwrap();
        let (code, created) = json(res).await;
        assert_eq!(code, StatusCode::CREATED, "{created}");
        created["order_id"].as_str().unwrap().to_string()
    }

    /// Adds the item to the reseller's stock and lists it at `price`: (item id, listing id).
    pub async fn list_in_store(&self, c: &Client, input: Value, price: &str) -> (String, String) {
        let (status, item) = self
            .rpc(
                c,
                "inventory/create",
                serde_json::json!({"input": input, "status": "in_stock"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{item}");
        let item = item.as_str().unwrap().to_string();
        let (status, listing) = self
            .rpc(
                c,
                "store/listings/save",
                serde_json::json!({"item_id": item, "input": {"price": price, "quantity": ""}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{listing}");
        (item, listing.as_str().unwrap().to_string())
    }
}

impl TestApp {
    /// The usage counters the quota guard reads (kept by triggers) agree with counting the
    /// rows themselves, for every reseller.
    pub async fn assert_usage_counts_agree(&self) {
        let actual: Vec<(String, String, String, i64)> = flipdesk::with_db!(&self.db, pool => sqlx::query_as(
            "SELECT owner_user_id, 'items', '', COUNT(*) FROM items GROUP BY owner_user_id \
             UNION ALL SELECT owner_user_id, 'wtb_lists', '', COUNT(*) FROM wtb_lists GROUP BY owner_user_id \
             UNION ALL SELECT owner_user_id, 'monitor_keywords', '', COUNT(*) FROM monitors GROUP BY owner_user_id \
             UNION ALL SELECT owner_user_id, 'sales_per_month', substr(sold_on, 1, 7), COUNT(*) FROM sales GROUP BY owner_user_id, substr(sold_on, 1, 7) \
             UNION ALL SELECT owner_user_id, 'shipments_per_month', substr(shipped_on, 1, 7), COUNT(*) FROM shipments GROUP BY owner_user_id, substr(shipped_on, 1, 7) \
             ORDER BY 1, 2, 3").fetch_all(pool).await)
        .unwrap();
        let kept: Vec<(String, String, String, i64)> = flipdesk::with_db!(&self.db, pool => sqlx::query_as(
            "SELECT user_id, resource, period, used FROM usage_counts WHERE used <> 0 ORDER BY 1, 2, 3")
            .fetch_all(pool).await)
        .unwrap();
        assert_eq!(kept, actual, "usage counters against the rows");
    }
}

/// Puts catalog products (Flipdesk catalog lines, as `catalog import` reads them) into `db`.
pub async fn seed_catalog(db: &Db, lines: &[&str]) {
    let products = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<flipdesk::catalog::product::CatalogLine>(l)
                .unwrap()
                .into_product()
                .unwrap()
        })
        .collect();
    flipdesk::catalog::store::save_products(
        db,
        products,
        "import",
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
}
