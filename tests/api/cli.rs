use crate::{helpers::*, on_both_databases};
use flipdesk::server::db::{Backend, Db};
use std::process::{Command, Output};
use tokio::io::AsyncBufReadExt;

pub(crate) struct Cli {
    database_url: String,
    dir: tempfile::TempDir,
}

impl Cli {
    pub(crate) async fn new(backend: Backend) -> Cli {
        let dir = tempfile::tempdir().unwrap();
        let database_url = fresh_database_url(backend, dir.path()).await;
        Cli { database_url, dir }
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    pub(crate) fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_flipdesk"));
        cmd.args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("FLIPDESK__SERVER__DATA_DIR", self.dir.path())
            .env("RUST_LOG", "warn")
            .env("STOCKX_API_BASE", "off")
            .env("CARDMARKET_API_BASE", "off")
            .env("POKEMONTCG_API_BASE", "off")
            .env("SCRYFALL_API_BASE", "off")
            .env_remove("FLIPDESK_ENV")
            .env_remove("FLIPDESK_SECRET");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run flipdesk")
    }

    pub(crate) fn dir_path(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub(crate) async fn db(&self) -> Db {
        let settings = settings_for(&self.database_url, self.dir.path(), &[]);
        Db::connect(&settings.database).await.unwrap()
    }
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn one_line_error(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected failure, got success: {}",
        stdout(o)
    );
    let err = String::from_utf8_lossy(&o.stderr).trim().to_string();
    assert_eq!(err.lines().count(), 1, "error must be one line: {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

pub(crate) async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    flipdesk::with_db!(db, pool => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await)
        .unwrap()
}

async fn user_create_and_its_errors(backend: Backend) {
    let cli = Cli::new(backend).await;
    let out = cli.run(&[
        "user",
        "create",
        "--email",
        "Ops@Example.com",
        "--password",
        "very-long-ops-pass",
        "--role",
        "ops",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = stdout(&out);
    assert_eq!(id.len(), 36, "prints the new id: {id}");
    let out = cli.run(&[
        "user",
        "create",
        "--email",
        "reseller@example.com",
        "--password",
        "very-long-user-pass",
    ]);
    assert!(out.status.success());

    let db = cli.db().await;
    let role: String = flipdesk::with_db!(&db, pool => sqlx::query_scalar("SELECT role FROM users WHERE email = 'ops@example.com'").fetch_one(pool).await).unwrap();
    assert_eq!(role, "ops");
    assert_eq!(
        count(&db, "stores").await,
        1,
        "resellers get a store, platform staff do not"
    );

    assert!(
        one_line_error(&cli.run(&[
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--password",
            "very-long-ops-pass"
        ]))
        .contains("already exists")
    );
    assert!(
        one_line_error(&cli.run(&[
            "user",
            "create",
            "--email",
            "x@example.com",
            "--password",
            "short"
        ]))
        .contains("--password")
    );
    assert!(
        one_line_error(&cli.run(&[
            "user",
            "create",
            "--email",
            "x@example.com",
            "--password",
            "very-long-x-pass",
            "--role",
            "root"
        ]))
        .contains("unknown role")
    );
    assert!(
        one_line_error(&cli.run(&["user", "create", "--email", "x@example.com"]))
            .contains("--password")
    );
    assert!(one_line_error(&cli.run(&["frobnicate"])).contains("frobnicate"));
    assert_eq!(count(&db, "users").await, 2);
}

async fn seed_demo_is_idempotent(backend: Backend) {
    let cli = Cli::new(backend).await;
    assert!(cli.run(&["migrate"]).status.success());
    let first = cli.run(&["seed-demo"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout(&first).contains("created demo account"));
    let second = cli.run(&["seed-demo"]);
    assert!(second.status.success());
    assert!(stdout(&second).contains("already exists"));
    let db = cli.db().await;
    assert_eq!(count(&db, "users").await, 1);
    assert_eq!(count(&db, "stores").await, 1);
    assert_eq!(count(&db, "wtb_lists").await, 1);
    // The story: a year of purchases, sales on several channels, market prices that moved,
    // and storefront orders in four states.
    let scalar = |sql: &'static str| {
        let db = db.clone();
        async move {
            flipdesk::with_db!(&db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)
                .unwrap()
        }
    };
    let items = count(&db, "items").await;
    assert!(items >= 30, "{items} items");
    let oldest: String = flipdesk::with_db!(&db, pool => sqlx::query_scalar("SELECT MIN(acquired_on) FROM items").fetch_one(pool).await).unwrap();
    let newest: String = flipdesk::with_db!(&db, pool => sqlx::query_scalar("SELECT MAX(acquired_on) FROM items").fetch_one(pool).await).unwrap();
    let span = oldest
        .parse::<jiff::civil::Date>()
        .unwrap()
        .until(newest.parse::<jiff::civil::Date>().unwrap())
        .unwrap()
        .get_days();
    assert!(span >= 330, "purchases from {oldest} to {newest}");
    assert!(scalar("SELECT COUNT(*) FROM sales").await >= 12);
    assert!(scalar("SELECT COUNT(DISTINCT channel) FROM sales").await >= 5);
    assert!(
        scalar("SELECT COUNT(DISTINCT sold_on) FROM sales").await >= 10,
        "sales spread over the year"
    );
    assert!(scalar("SELECT COUNT(*) FROM market_prices").await >= 8);
    assert!(
        scalar("SELECT COUNT(DISTINCT market_on) FROM items WHERE market_on IS NOT NULL").await
            >= 8,
        "market prices moved on many days"
    );
    assert_eq!(
        scalar("SELECT COUNT(*) FROM orders").await,
        4,
        "{}",
        stdout(&first)
    );
    let states: Vec<String> = flipdesk::with_db!(&db, pool => sqlx::query_scalar("SELECT status FROM orders ORDER BY status").fetch_all(pool).await).unwrap();
    assert_eq!(states, ["paid", "pending_payment", "shipped", "shipped"]);
    assert_eq!(scalar("SELECT COUNT(*) FROM refunds").await, 1);
    // The ledger it wrote change by change is the one worked out from scratch.
    let owner: String = flipdesk::with_db!(&db, pool => sqlx::query_scalar("SELECT id FROM users").fetch_one(pool).await).unwrap();
    let ledger = || {
        scalar(
            "SELECT CAST(SUM(cost) + SUM(market) * 3 + SUM(units) * 7 + SUM(realised) * 11 AS BIGINT) FROM worth_days",
        )
    };
    let before = ledger().await;
    flipdesk::analytics::ledger::rebuild(&db, &owner)
        .await
        .unwrap();
    assert_eq!(ledger().await, before);
    // One sealed listing: the case of six booster boxes the storefront tests buy from.
    let boxes: Vec<i64> = flipdesk::with_db!(&db, pool => sqlx::query_scalar(
        "SELECT l.available FROM listings l JOIN items i ON i.id = l.item_id WHERE i.kind = 'sealed' AND l.status = 'active'")
        .fetch_all(pool).await).unwrap();
    assert_eq!(boxes, [6]);
    assert!(count(&db, "listings").await >= 8);
    assert!(stdout(&second).contains("listed 0 demo items"));
    assert!(stdout(&second).contains("already has 4 orders"));
    assert_eq!(count(&db, "items").await, items);
    let slug: String = flipdesk::with_db!(&db, pool => sqlx::query_scalar("SELECT slug FROM stores").fetch_one(pool).await).unwrap();
    assert_eq!(slug, "demo");

    // The list key: shown once, stored only as a hash, replaced on regeneration.
    let out = cli.run(&["api-key", "regenerate", "--list", "demo-wants"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = stdout(&out);
    assert!(
        key.starts_with("fd_")
            && key.len() == 35
            && key[3..].chars().all(|c| c.is_ascii_alphanumeric()),
        "{key}"
    );
    let (prefix, hash): (String, String) = flipdesk::with_db!(&db, pool => sqlx::query_as("SELECT api_key_prefix, api_key_hash FROM wtb_lists").fetch_one(pool).await).unwrap();
    assert!(key.starts_with(&prefix));
    // Without FLIPDESK_SECRET a local secret was generated, readable only by its owner.
    use std::os::unix::fs::PermissionsExt;
    let key_file = cli.dir.path().join("secret.key");
    assert!(std::fs::read_to_string(&key_file).unwrap().len() >= 32);
    assert_eq!(
        std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o077,
        0
    );
    assert!(!hash.contains(&key[3..]));
    let again = stdout(&cli.run(&["api-key", "regenerate", "--list", "demo-wants"]));
    assert_ne!(again, key);
    let hash2: String = flipdesk::with_db!(&db, pool => sqlx::query_scalar("SELECT api_key_hash FROM wtb_lists").fetch_one(pool).await).unwrap();
    assert_ne!(hash, hash2, "the old key stops working");
    assert!(
        one_line_error(&cli.run(&["api-key", "regenerate", "--list", "nope-list"]))
            .contains("no WTB list")
    );
}

async fn backup_and_restore_round_trip(backend: Backend) {
    let cli = Cli::new(backend).await;
    assert!(cli.run(&["seed-demo"]).status.success());
    let file = cli.dir.path().join("backup.bin");
    let out = cli.run(&["backup", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Never overwrite an existing file.
    assert!(
        one_line_error(&cli.run(&["backup", file.to_str().unwrap()])).contains("already exists")
    );
    // Restoring over a database with data is refused.
    assert!(one_line_error(&cli.run(&["restore", file.to_str().unwrap()])).contains("not empty"));

    // Restore into a fresh, empty database of the same kind.
    let target = Cli::new(backend).await;
    let out = target.run(&["restore", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = target.db().await;
    assert_eq!(count(&db, "users").await, 1);
    assert_eq!(count(&db, "wtb_lists").await, 1);
    // And the restored database serves: migrate finds nothing to do, seed-demo finds everything.
    assert!(target.run(&["migrate"]).status.success());
    assert!(stdout(&target.run(&["seed-demo"])).contains("already exists"));

    let junk = cli.dir.path().join("junk.bin");
    std::fs::write(&junk, b"hello").unwrap();
    let empty = Cli::new(backend).await;
    assert!(one_line_error(&empty.run(&["restore", junk.to_str().unwrap()])).contains("not a"));
}

async fn bad_configuration_is_one_clear_line(backend: Backend) {
    let cli = Cli::new(backend).await;
    let err = one_line_error(&cli.run_with(
        &["migrate"],
        &[("FLIPDESK__CHECKOUT__RESERVATION_TTL_SECS", "soon")],
    ));
    assert!(err.contains("checkout.reservation_ttl_secs"), "{err}");
    let err = one_line_error(&cli.run_with(&["migrate"], &[("FLIPDESK_ENV", "production")]));
    assert!(err.contains("FLIPDESK_SECRET"), "{err}");
    let err = one_line_error(&cli.run_with(
        &["migrate"],
        &[(
            "DATABASE_URL",
            "postgres://flipdesk:s3cret@127.0.0.1:1/none",
        )],
    ));
    assert!(
        err.contains("cannot open") && !err.contains("s3cret"),
        "{err}"
    );
    let err = one_line_error(&cli.run_with(&["serve"], &[("LEPTOS_SITE_ADDR", "not-an-address")]));
    assert!(err.contains("LEPTOS_SITE_ADDR"), "{err}");

    // A taken port.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = one_line_error(&cli.run_with(&["serve"], &[("LEPTOS_SITE_ADDR", &addr)]));
    assert!(err.contains("already in use"), "{err}");
}

on_both_databases!(
    channel_add_prints_the_id_then_the_secret,
    user_create_and_its_errors,
    seed_demo_is_idempotent,
    backup_and_restore_round_trip,
    bad_configuration_is_one_clear_line,
);

/// The real binary in production mode: JSON log lines with a request id, no secrets in
/// them, and a clean stop on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_logs_safely_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let secret = "production-secret-production-secret-0123456789";
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_flipdesk"))
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/x.db", dir.path().display()),
        )
        .env("FLIPDESK__SERVER__DATA_DIR", dir.path())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("FLIPDESK_ENV", "production")
        .env("FLIPDESK_SECRET", secret)
        .env("RUST_LOG", "debug")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = client();
    // Its log says when it listens; everything it logs is kept for the checks at the end.
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut log = String::new();
    let listening = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            log.push_str(&line);
            log.push('\n');
            if line.contains("Flipdesk is listening") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(listening.ok(), Some(true), "server did not start: {log}");
    let rest = tokio::spawn(async move {
        let mut rest = String::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            rest.push_str(&line);
            rest.push('\n');
        }
        rest
    });
    let res = http
        .post(format!("{base}/api/auth/signup"))
        .form(&[
            ("email", "logs@example.com"),
            ("password", PASSWORD),
            ("store_name", "Logs"),
            ("store_slug", "logs-store"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let cookie = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("flipdesk_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("flipdesk_session=")
        .to_string();
    let res = client()
        .post(format!("{base}/api/auth/login"))
        .form(&[
            ("email", "logs@example.com"),
            ("password", "a-wrong-password-xyz"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED);
    let _ = http
        .get(format!("{base}/s/logs-store?token=super-secret-token"))
        .send()
        .await
        .unwrap();

    // SIGTERM, as a service manager stops the server.
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = child.wait().await.unwrap();
    assert!(status.success(), "exit status {status:?}");
    log.push_str(&rest.await.unwrap());
    assert!(log.contains("stopped"), "{log}");
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        if value["fields"]["message"] == "response" {
            assert!(
                value["span"]["request_id"]
                    .as_str()
                    .is_some_and(|id| id.len() == 36),
                "{line}"
            );
        }
    }
    for secret_text in [
        PASSWORD,
        "a-wrong-password-xyz",
        cookie.as_str(),
        secret,
        "super-secret-token",
    ] {
        assert!(!log.contains(secret_text), "log leaks {secret_text:?}");
    }
}

/// `channel add` (CONTRACT): the channel's id, then its secret; bad input is one clear line.
async fn channel_add_prints_the_id_then_the_secret(backend: Backend) {
    let cli = Cli::new(backend).await;
    let out = cli.run(&[
        "user",
        "create",
        "--email",
        "shop@example.com",
        "--password",
        "very-long-shop-pass",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = cli.db().await;
    let slug: String = flipdesk::with_db!(&db, pool => sqlx::query_scalar("SELECT slug FROM stores").fetch_one(pool).await).unwrap();
    let add = |name: &str, webhook: &str| {
        cli.run(&[
            "channel",
            "add",
            "--store",
            &slug,
            "--name",
            name,
            "--webhook",
            webhook,
        ])
    };
    let out = add("Live shop", "http://127.0.0.1:9/flipdesk");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 2, "{printed}");
    assert_eq!(lines[0].len(), 36, "the id first: {printed}");
    assert!(lines[1].starts_with("fdch_"), "then the secret: {printed}");
    assert_eq!(count(&db, "channels").await, 1);
    assert!(one_line_error(&add("Live shop", "http://127.0.0.1:9/flipdesk")).contains("already"));
    assert!(one_line_error(&add("Other", "ftp://nowhere")).contains("--webhook"));
    assert!(
        one_line_error(&cli.run(&[
            "channel",
            "add",
            "--store",
            "no-such-store",
            "--name",
            "X",
            "--webhook",
            "http://127.0.0.1:9/x"
        ]))
        .contains("--store")
    );
    assert_eq!(count(&db, "channels").await, 1);
}
