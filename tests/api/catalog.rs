//! `flipdesk catalog import` and `flipdesk catalog resolve` (CONTRACT), on both databases:
//! counts with line numbers, idempotent re-imports, Cardmarket files streamed with bad
//! records skipped and reported, prices recorded once per file day, and resolution output.

use crate::cli::{Cli, count, stdout};
use crate::helpers::spawn_app;
use crate::on_both_databases;
use flipdesk::server::db::Backend;
use serde_json::Value;
use serde_json::json;

const CATALOG: &str = r#"{"kind":"sneaker","name":"Air Jordan 1 Retro High OG Chicago Lost and Found","brand":"Jordan","style_id":"DZ5485-612","retail_price":{"amount":18000,"currency":"USD"},"external_ids":{"stockx":"air-jordan-1-lnf"}}
{"kind":"sneaker","name":"Air Jordan 1 Retro High OG Chicago Lost and Found (GS)","brand":"Jordan","style_id":"FD1437-612"}
{"kind":"sneaker","name":"Nike Dunk Low Panda","brand":"Nike","style_id":"DD1391-100"}
{"kind":"sneaker","name":"Nike Dunk Low Reverse Panda","brand":"Nike","style_id":"FD9064-011"}
{"kind":"shoe","name":"Not a kind"}
{"kind":"card","name":"Charizard","game":"Pokémon","set":"Base Set","set_code":"BS","number":"4/102","rarity":"Holo Rare","external_ids":{"cardmarket":273699}}
{"kind":"card","name":"Charizard","game":"Pokémon","set":"Base Set 2","set_code":"B2","number":"4/130","rarity":"Holo Rare"}
this is not json
{"kind":"card","name":"Blue-Eyes White Dragon","game":"Yu-Gi-Oh!","set":"Legend of Blue Eyes White Dragon","set_code":"LOB","number":"LOB-EN001","rarity":"Ultra Rare"}
"#;

const PRODUCTS: &str = r#"{"version":1,"createdAt":"2026-12-04T02:35:48+0100","products":[
 {"idProduct":273699,"name":"Charizard","idCategory":51,"categoryName":"Pokémon Single","idExpansion":1,"idMetacard":5,"dateAdded":"2007-01-01 00:00:00"},
 {"idProduct":5001,"name":"Evolving Skies Booster Box","idCategory":52,"categoryName":"Pokémon Display","idExpansion":3,"idMetacard":null,"dateAdded":"2021-08-27 00:00:00"},
 {"name":"a record without its id","categoryName":"Pokémon Single"}
]}"#;

const PRICES: &str = r#"{"version":1,"createdAt":"2026-12-04T02:35:48+0100","priceGuides":[
 {"idProduct":273699,"idCategory":51,"avg":300.5,"low":250.0,"trend":310.25,"avg1":null,"avg7":null,"avg30":null,"avg-foil":null,"low-foil":null,"trend-foil":null,"avg1-foil":null,"avg7-foil":null,"avg30-foil":null},
 {"idProduct":5001,"idCategory":52,"avg":null,"low":null,"trend":null},
 {"idProduct":424242,"idCategory":51,"trend":1.0},
 {"idProduct":"not a number","trend":2.0}
]}"#;

fn lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

async fn import_counts_lines_and_is_idempotent(backend: Backend) {
    let cli = Cli::new(backend).await;
    let file = cli_path(&cli, "catalog.jsonl", CATALOG);
    let out = cli.run(&["catalog", "import", &file]);
    assert!(
        !out.status.success(),
        "rejected lines make the exit code non-zero"
    );
    let text = stdout(&out);
    assert!(
        text.contains("created 7, updated 0, unchanged 0, rejected 2"),
        "{text}"
    );
    assert!(
        text.contains("line 5: kind \"shoe\" is not one of"),
        "{text}"
    );
    assert!(text.contains("line 8: not a JSON object"), "{text}");
    let db = cli.db().await;
    assert_eq!(count(&db, "catalog_products").await, 7);

    // The same file again changes nothing; a newer line fills in without erasing.
    let text = stdout(&cli.run(&["catalog", "import", &file]));
    assert!(
        text.contains("created 0, updated 0, unchanged 7, rejected 2"),
        "{text}"
    );
    let newer = cli_path(
        &cli,
        "newer.jsonl",
        r#"{"kind":"sneaker","name":"Nike Dunk Low Panda","brand":"Nike","style_id":"DD1391-100","image_url":"https://images.example/panda.png"}"#,
    );
    let out = cli.run(&["catalog", "import", &newer]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("created 0, updated 1, unchanged 0, rejected 0"));
    assert_eq!(count(&db, "catalog_products").await, 7);

    // Cardmarket's product list: the known product gains nothing it lacks, the new one is
    // created, the bad record is skipped with its position.
    let products = cli_path(&cli, "products_singles_6.json", PRODUCTS);
    let text = stdout(&cli.run(&["catalog", "import", &products]));
    assert!(
        text.contains("cardmarket product list: created 1, updated 1, unchanged 0, rejected 1"),
        "{text}"
    );
    assert!(
        text.contains("record 3: missing field `idProduct`"),
        "{text}"
    );
    assert_eq!(count(&db, "catalog_products").await, 8);

    // The price guide: one price per product and file day, however often it is imported.
    let prices = cli_path(&cli, "price_guide_6.json", PRICES);
    let text = stdout(&cli.run(&["catalog", "import", &prices]));
    assert!(
        text.contains(
            "1 prices written, 0 already known, 1 for products not in the catalog, 2 rejected"
        ),
        "{text}"
    );
    assert!(
        text.contains("record 2: product 5001 has no price"),
        "{text}"
    );
    let text = stdout(&cli.run(&["catalog", "import", &prices]));
    assert!(text.contains("0 prices written, 1 already known"), "{text}");
    let price: (i64, String, String) = flipdesk::with_db!(&db, pool => sqlx::query_as(
        "SELECT price, currency, source FROM market_prices WHERE catalog_product_id IS NOT NULL")
        .fetch_one(pool).await)
    .unwrap();
    assert_eq!(price, (31025, "EUR".to_string(), "cardmarket".to_string()));

    // A missing file or an unreadable one is one clear line, before anything is written.
    let out = cli.run(&["catalog", "import", "/nonexistent/catalog.jsonl"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file"));
    let junk = cli_path(&cli, "junk.txt", "hello\nworld\n");
    let out = cli.run(&["catalog", "import", &junk]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither a Flipdesk catalog"));
}

async fn resolve_prints_one_object_per_query(backend: Backend) {
    let cli = Cli::new(backend).await;
    let file = cli_path(&cli, "catalog.jsonl", CATALOG);
    cli.run(&["catalog", "import", &file]);
    let out = cli.run(&[
        "catalog",
        "resolve",
        "--local-only",
        "jordan 1 high chicago lost n found 10.5 DS",
        "dz5485 612",
        "Charizard base 4/102 PSA 9",
        "lob 001",
        "dunk low panda",
        "charizard holo",
        "ps5 console",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers = lines(&stdout(&out));
    assert_eq!(answers.len(), 7);
    let name = |i: usize| answers[i]["name"].as_str().unwrap_or("").to_string();
    assert_eq!(name(0), "Air Jordan 1 Retro High OG Chicago Lost and Found");
    assert_eq!(answers[0]["step"], "local_name");
    assert_eq!(answers[1]["step"], "local_identifier");
    assert_eq!(answers[1]["identifiers"]["style_id"], "DZ5485-612");
    assert_eq!(
        answers[1]["identifiers"]["external_ids"]["stockx"],
        "air-jordan-1-lnf"
    );
    assert!(answers[1]["confidence"].as_f64().unwrap() >= 0.9);
    assert_eq!(name(2), "Charizard");
    assert_eq!(answers[2]["identifiers"]["set_code"], "BS");
    assert_eq!(name(3), "Blue-Eyes White Dragon");
    assert_eq!(name(4), "Nike Dunk Low Panda");
    // Two Charizards: a choice, never a silent guess.
    assert!(answers[5]["product_id"].is_null());
    assert_eq!(answers[5]["candidates"].as_array().unwrap().len(), 2);
    assert!(answers[6]["product_id"].is_null());
    assert_eq!(answers[6]["query"], "ps5 console");
    for a in &answers {
        for key in [
            "query",
            "product_id",
            "name",
            "confidence",
            "step",
            "identifiers",
        ] {
            assert!(a.get(key).is_some(), "{key} missing in {a}");
        }
    }
}

async fn type_ahead_offers_products_and_follows_catalog_changes(backend: Backend) {
    use flipdesk::catalog::{product::CatalogLine, store::save_products};
    let app = spawn_app(backend).await;
    let add = |lines: &str| -> Vec<flipdesk::catalog::product::Product> {
        lines
            .lines()
            .filter_map(|l| serde_json::from_str::<CatalogLine>(l).ok())
            .filter_map(|l| l.into_product().ok())
            .collect()
    };
    let now = time::OffsetDateTime::now_utc();
    save_products(&app.db, add(CATALOG), "import", now)
        .await
        .unwrap();

    // Only for someone logged in.
    let anonymous = app
        .call_json(&app.client, "catalog/suggest", json!({"text": "dunk low"}))
        .await;
    assert_eq!(anonymous.status(), 401);
    app.signup("finder").await;
    let suggest = async |text: &str| -> Vec<Value> {
        let res = app
            .call_json(&app.client, "catalog/suggest", json!({ "text": text }))
            .await;
        assert_eq!(res.status(), 200);
        res.json::<Vec<Value>>().await.unwrap()
    };
    // The unfinished last word is read as a beginning.
    let found = suggest("dunk low reve").await;
    assert_eq!(found[0]["name"], "Nike Dunk Low Reverse Panda");
    assert_eq!(found[0]["kind"], "sneaker");
    assert_eq!(found[0]["style_id"], "FD9064-011");
    let found = suggest("charizard base 4/102").await;
    assert_eq!(found[0]["set_name"], "Base Set");
    assert_eq!(found[0]["number"], "4/102");
    assert!(suggest("x").await.is_empty(), "one letter asks for nothing");
    assert!(suggest("lego millennium falcon").await.is_empty());

    // A product imported while the server runs is found at the next keystroke.
    save_products(
        &app.db,
        add(r#"{"kind":"sealed","name":"Evolving Skies Booster Box","game":"Pokémon","set":"Evolving Skies","set_code":"EVS"}"#),
        "import",
        now,
    )
    .await
    .unwrap();
    let found = suggest("evolving skies booster").await;
    assert_eq!(found[0]["name"], "Evolving Skies Booster Box");
}

fn cli_path(cli: &Cli, name: &str, text: &str) -> String {
    let path = cli.dir_path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

on_both_databases!(
    import_counts_lines_and_is_idempotent,
    resolve_prints_one_object_per_query,
    type_ahead_offers_products_and_follows_catalog_changes,
);
