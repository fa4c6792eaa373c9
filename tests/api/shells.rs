use crate::{helpers::*, on_both_databases};
use flipdesk::server::db::Backend;
use reqwest::StatusCode;

async fn storefront_shell_and_friendly_404(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.signup("hana").await.status(), StatusCode::OK);
    let anonymous = client();
    let res = anonymous
        .get(app.url("/s/hana-store"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("hana kicks"));
    assert!(html.contains("Nothing for sale right now"));
    // The catalog is plain HTML, sent without the app's code; the cart and the dashboard's
    // pages hydrate.
    let code = |html: &str| html.contains(".wasm") || html.contains("modulepreload");
    assert!(!code(&html), "{html}");
    for page in ["/s/hana-store/cart", "/login"] {
        let html = app.text(&anonymous, page).await;
        assert!(code(&html), "{page}: {html}");
    }

    // The store id works as well as the slug.
    let id: String = flipdesk::with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM stores").fetch_one(pool).await).unwrap();
    let res = anonymous
        .get(app.url(&format!("/s/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let res = anonymous
        .get(app.url("/s/not-a-store"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Store not found"));

    let res = anonymous
        .get(app.url("/lists/no-such-list"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = anonymous
        .get(app.url("/nowhere/at/all"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Page not found"));
}

async fn public_list_shell(backend: Backend) {
    let app = spawn_app(backend).await;
    flipdesk::admin::seed::seed_demo(&app.state).await.unwrap();
    let res = client()
        .get(app.url("/lists/demo-wants"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Demo wants"));
    assert!(html.contains("/s/demo"));
    // Private lists do not exist for the public.
    flipdesk::with_db!(&app.db, pool => sqlx::query("UPDATE wtb_lists SET is_public = FALSE").execute(pool).await.map(|_| ())).unwrap();
    let res = client()
        .get(app.url("/lists/demo-wants"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// The storefront's search reads grades and sizes as shoppers type them (the demo store's
/// Charizard is a PSA 9, its Blastoise a BGS 8.5).
async fn storefront_search_reads_grades_and_sizes(backend: Backend) {
    let app = spawn_app(backend).await;
    flipdesk::admin::seed::seed_demo(&app.state).await.unwrap();
    let titles = |q: &'static str| {
        let url = app.url(&format!("/api/v1/stores/demo/listings?q={q}"));
        async move {
            let body: serde_json::Value = client()
                .get(url)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
        }
    };
    for q in ["PSA%209", "psa9", "grade%209", "74839201"] {
        assert_eq!(titles(q).await, ["Charizard Holo"], "{q}");
    }
    assert_eq!(titles("bgs%208.5").await, ["Blastoise Holo"]);
    assert!(titles("PSA%207").await.is_empty());
    let sized = titles("us%2010.5").await;
    assert!(!sized.is_empty() && sized.len() < 5, "{sized:?}");
}

on_both_databases!(
    storefront_shell_and_friendly_404,
    public_list_shell,
    storefront_search_reads_grades_and_sizes
);
