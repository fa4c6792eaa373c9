//! Item photos: checked by content, refused when too large before they are read, image bombs
//! refused from their header, sizes made in the background without the phone's metadata,
//! arranged and deleted by their owner only, served with a year-long cache lifetime.

use crate::{helpers::*, on_both_databases};
use flipdesk::server::db::Backend;
use image::{ImageEncoder, RgbImage, codecs::jpeg::JpegEncoder, codecs::png::PngEncoder};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 40])
    });
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A PNG whose header claims `w` × `h` pixels (its checksum fixed): an "image bomb" in a
/// few dozen bytes.
fn sized_as(mut png: Vec<u8>, w: u32, h: u32) -> Vec<u8> {
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A JPEG as a phone writes it: an EXIF block with a GPS position.
fn phone_jpeg() -> Vec<u8> {
    let img = RgbImage::from_pixel(1200, 900, image::Rgb([180, 20, 20]));
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .unwrap();
    let mut exif = b"Exif\0\0MM\0*\0\0\0\x08\0\0GPSLatitude 52.5200 N 13.4050 E".to_vec();
    exif.resize(64, 0);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

async fn upload(app: &TestApp, c: &Client, item: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let res = c
        .post(app.url(&format!("/app/items/{item}/photos")))
        .header("origin", app.url(""))
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn photos(app: &TestApp, c: &Client, item: &str) -> (StatusCode, Value) {
    app.rpc(c, "photos/list", json!({"item_id": item})).await
}

async fn new_item(app: &TestApp, c: &Client) -> String {
    let (code, id) = app
        .rpc(
            c,
            "inventory/create",
            json!({"input": sneaker_input("1", "DZ5485-612", "10"), "status": "in_stock"}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{id}");
    id.as_str().unwrap().to_string()
}

async fn photos_are_checked_processed_and_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("snapper").await;
    let item = new_item(&app, &c).await;

    // Not a photo, whatever its name; HEIC explained; a bomb refused from its header.
    let (code, body) = upload(&app, &c, &item, b"%PDF-1.7 this is a .jpg, honest".to_vec()).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a photo"),
        "{body}"
    );
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic00000000");
    let (code, body) = upload(&app, &c, &item, heic).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("HEIC"),
        "{body}"
    );
    let bomb = sized_as(png(1, 1), 30_000, 30_000);
    let (code, body) = upload(&app, &c, &item, bomb).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("30000 × 30000"),
        "{body}"
    );
    // Too large: refused from its declared length before the body is read (the server
    // answers 413 and may close while the client is still sending: also a refusal).
    for size in [16 * 1024 * 1024, 200 * 1024 * 1024] {
        let res = c
            .post(app.url(&format!("/app/items/{item}/photos")))
            .header("origin", app.url(""))
            .body(vec![0xFFu8; size])
            .send()
            .await;
        if let Ok(res) = res {
            assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        }
    }
    assert_eq!(
        photos(&app, &c, &item).await.1,
        json!([]),
        "nothing was kept"
    );

    // A phone photo: processing, then ready, without its EXIF.
    let (code, first) = upload(&app, &c, &item, phone_jpeg()).await;
    assert_eq!(code, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "processing");
    let (code, second) = upload(&app, &c, &item, png(300, 600)).await;
    assert_eq!(code, StatusCode::CREATED, "{second}");
    app.run_pending_jobs().await;
    let (_, list) = photos(&app, &c, &item).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "ready"),
        "{list}"
    );
    let first_id = first["id"].as_str().unwrap();
    for size in ["thumb", "card", "full"] {
        let res = client()
            .get(app.url(&format!("/photos/{first_id}/{size}.jpg")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let bytes = res.bytes().await.unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("GPS") && !text.contains("Exif"),
            "metadata stripped from {size}"
        );
        let img = image::load_from_memory(&bytes).unwrap();
        let side = img.width().max(img.height());
        assert_eq!(
            side,
            match size {
                "thumb" => 240,
                "card" => 640,
                _ => 1200,
            },
            "{size}"
        );
    }
    for missing in ["upload", "thumb.png", "../../secret.key"] {
        let res = client()
            .get(app.url(&format!("/photos/{first_id}/{missing}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{missing}");
    }

    // Arranged by the owner: the second becomes the cover. Another reseller gets "not found".
    let second_id = second["id"].as_str().unwrap();
    let (code, body) = app
        .rpc(
            &c,
            "photos/arrange",
            json!({"item_id": item, "ids": [second_id, first_id]}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(photos(&app, &c, &item).await.1[0]["id"], second_id);
    let (code, _) = app
        .rpc(
            &c,
            "photos/arrange",
            json!({"item_id": item, "ids": [first_id]}),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "an order must name every photo");
    let other = app.reseller("stranger").await;
    assert_eq!(photos(&app, &other, &item).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        upload(&app, &other, &item, png(10, 10)).await.0,
        StatusCode::NOT_FOUND
    );
    let (code, _) = app
        .rpc(
            &other,
            "photos/delete",
            json!({"item_id": item, "photo_id": first_id}),
        )
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let anonymous = upload(&app, &client(), &item, png(10, 10)).await.0;
    assert!(!anonymous.is_success(), "{anonymous}");

    // Deleted with its files.
    let (code, _) = app
        .rpc(
            &c,
            "photos/delete",
            json!({"item_id": item, "photo_id": first_id}),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let res = client()
        .get(app.url(&format!("/photos/{first_id}/card.jpg")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Ten per item, also when sent at once.
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (app_url, c, item, bytes) = (
            app.url(&format!("/app/items/{item}/photos")),
            c.clone(),
            item.clone(),
            png(20, 20),
        );
        let origin = app.url("");
        tasks.push(tokio::spawn(async move {
            c.post(app_url)
                .header("origin", origin)
                .body(bytes)
                .send()
                .await
                .unwrap()
                .status()
        }));
        let _ = item;
    }
    let mut created = 0;
    for t in tasks {
        let status = t.await.unwrap();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::CONFLICT,
            "{status}"
        );
        created += usize::from(status == StatusCode::CREATED);
    }
    assert_eq!(created, 9, "one was there already");
    assert_eq!(
        photos(&app, &c, &item).await.1.as_array().unwrap().len(),
        10
    );
}

/// A deleted item takes its photo files with it.
async fn deleting_an_item_removes_its_photo_files(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("tidy").await;
    let item = new_item(&app, &c).await;
    let (code, photo) = upload(&app, &c, &item, png(64, 64)).await;
    assert_eq!(code, StatusCode::CREATED, "{photo}");
    app.run_pending_jobs().await;
    let url = app.url(&format!(
        "/photos/{}/thumb.jpg",
        photo["id"].as_str().unwrap()
    ));
    assert_eq!(
        client().get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (code, body) = app
        .rpc(&c, "inventory/delete", json!({"ids": [item]}))
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(
        client().get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

/// The S3-compatible server the test command starts on loopback (moto's server mode).
fn s3_endpoint() -> String {
    std::env::var("TEST_S3_ENDPOINT").expect(
        "TEST_S3_ENDPOINT is not set: run scripts/test (it starts a throwaway S3-compatible \
         server) or point it at one",
    )
}

/// The keys in a bucket, read with a plain ListObjectsV2 request.
async fn keys_in(bucket_url: &str) -> Vec<String> {
    let xml = client()
        .get(format!("{bucket_url}?list-type=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    xml.split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_string()))
        .collect()
}

/// With `PHOTOS_S3_BUCKET` set, photo files live in the bucket: a photo uploaded to one
/// server is processed by a second one (sharing the database, as another process would)
/// and served by either; nothing is written to their disks; deleting it empties the bucket.
async fn photos_live_in_an_s3_bucket_shared_by_servers(backend: Backend) {
    let endpoint = s3_endpoint();
    let bucket = format!(
        "flipdesk-photos-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let bucket_url = format!("{endpoint}/{bucket}");
    let made = client().put(&bucket_url).send().await.unwrap();
    assert!(made.status().is_success(), "{}", made.status());
    let settings = [
        ("PHOTOS_S3_BUCKET", bucket.as_str()),
        ("PHOTOS_S3_ENDPOINT", endpoint.as_str()),
        ("PHOTOS_S3_ACCESS_KEY_ID", "test-key"),
        ("PHOTOS_S3_SECRET_ACCESS_KEY", "test-secret"),
    ];
    let first = spawn_app_with(backend, &settings).await;
    let second = spawn_beside(&first, &settings).await;
    let c = first.reseller("bucketeer").await;
    let item = new_item(&first, &c).await;

    let (code, photo) = upload(&first, &c, &item, phone_jpeg()).await;
    assert_eq!(code, StatusCode::CREATED, "{photo}");
    let id = photo["id"].as_str().unwrap().to_string();
    assert_eq!(keys_in(&bucket_url).await, vec![format!("{id}/upload")]);

    // The second server's worker makes the sizes from the bucket's copy.
    assert!(second.run_pending_jobs().await >= 1);
    let mut keys = keys_in(&bucket_url).await;
    keys.sort();
    let sizes = ["card.jpg", "full.jpg", "thumb.jpg"].map(|name| format!("{id}/{name}"));
    assert_eq!(keys, sizes);
    for app in [&first, &second] {
        let res = client()
            .get(app.url(&format!("/photos/{id}/thumb.jpg")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap();
        assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 240);
        assert!(!String::from_utf8_lossy(&bytes).contains("GPSLatitude"));
        assert!(!app.state.settings.data_dir.join("photos").exists());
    }
    assert_eq!(photos(&first, &c, &item).await.1[0]["status"], "ready");

    let (code, body) = first
        .rpc(
            &c,
            "photos/delete",
            json!({"item_id": item, "photo_id": id}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert!(keys_in(&bucket_url).await.is_empty());
    let gone = client()
        .get(second.url(&format!("/photos/{id}/card.jpg")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

on_both_databases!(
    photos_are_checked_processed_and_served,
    deleting_an_item_removes_its_photo_files,
    photos_live_in_an_s3_bucket_shared_by_servers
);
