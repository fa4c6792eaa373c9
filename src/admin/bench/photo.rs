//! `flipdesk bench --photo`: a 12-megapixel phone-sized JPEG (4032 × 3024, with detail that
//! compresses like a photo) made into its sizes, as the photo job does; best and median of
//! five runs, on one core (the job runs on a blocking thread). With `--items`, every item
//! also gets a cover photo first, so the stock table's routes are measured with thumbnails.

use std::time::{Duration, Instant};

use image::{RgbImage, codecs::jpeg::JpegEncoder};

use crate::{server::db::Db, with_db};

/// One ready cover photo per item of the bench owner, so the stock table's routes are
/// measured with thumbnails (compare with a run without `--photo`).
pub async fn seed_covers(db: &Db, owner_email: &str) -> Result<(), String> {
    let done: Result<u64, sqlx::Error> = with_db!(db, pool => sqlx::query(
        "INSERT INTO item_photos (id, item_id, owner_user_id, position, status, width, height, created_at) \
         SELECT 'ph' || i.id, i.id, i.owner_user_id, 0, 'ready', 1600, 1200, i.created_at \
         FROM items i JOIN users u ON u.id = i.owner_user_id WHERE u.email = $1")
        .bind(owner_email).execute(pool).await.map(|r| r.rows_affected()));
    done.map(|_| ()).map_err(|e| e.to_string())
}

pub fn measure() -> Result<String, String> {
    let (w, h) = (4032u32, 3024u32);
    let img = RgbImage::from_fn(w, h, |x, y| {
        let n = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663)) % 32;
        image::Rgb([
            ((x / 16) % 256) as u8 ^ n as u8,
            ((y / 12) % 256) as u8,
            ((x + y) / 28 % 256) as u8,
        ])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 88)
        .encode_image(&img)
        .map_err(|e| e.to_string())?;
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        crate::photos::process::variants(&jpeg).map_err(|e| e.to_string())?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(format!(
        "photo: a 12-megapixel JPEG ({:.1} MB) into its three sizes: best {} ms, median {} ms",
        jpeg.len() as f64 / 1e6,
        times[0].as_millis(),
        times[2].as_millis()
    ))
}
