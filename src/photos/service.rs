//! Photos on the server: an upload is checked by its content, kept aside and queued; the
//! job makes its sizes (without metadata) and only then shows it. The owner arranges them
//! (the first is the cover) and deletes them; another reseller's item is "not found".

use std::sync::{Arc, OnceLock};

use time::OffsetDateTime;

use super::{
    process::{self, MAX_PHOTOS, PhotoError, Variant},
    storage::{BucketStore, LocalStore, PhotoStore},
    types::PhotoView,
};
use crate::{
    error::AppError,
    server::{
        db::{BeginWrite, Db, new_id},
        jobs::{self, BackgroundJob, Outcome},
        state::AppState,
    },
    with_db,
};

/// The photo files' store, made from the settings on first use.
#[derive(Default)]
pub struct Photos {
    store: OnceLock<Arc<dyn PhotoStore>>,
}

pub fn store(state: &AppState) -> Result<Arc<dyn PhotoStore>, AppError> {
    let photos = state.part::<Photos>();
    if let Some(store) = photos.store.get() {
        return Ok(store.clone());
    }
    let made: Arc<dyn PhotoStore> = match &state.settings.photo_bucket {
        Some(bucket) => Arc::new(
            BucketStore::new(bucket)
                .map_err(|e| crate::server::errors::internal("opening the photo bucket", e))?,
        ),
        None => Arc::new(LocalStore::new(state.settings.data_dir.join("photos"))),
    };
    Ok(photos.store.get_or_init(|| made).clone())
}

fn key(photo_id: &str, name: &str) -> String {
    format!("{photo_id}/{name}")
}

pub fn variant_key(photo_id: &str, variant: Variant) -> String {
    key(photo_id, &format!("{}.jpg", variant.name()))
}

fn refused(e: PhotoError) -> AppError {
    match e {
        PhotoError::TooLarge(_) => AppError::PayloadTooLarge,
        other => AppError::field("photo", other.to_string()),
    }
}

async fn owns_item(db: &Db, owner: &str, item_id: &str) -> Result<(), AppError> {
    let found: Option<String> = with_db!(db, pool => sqlx::query_scalar("SELECT id FROM items WHERE id = $1 AND owner_user_id = $2")
        .bind(item_id).bind(owner).fetch_optional(pool).await)?;
    found.map(|_| ()).ok_or(AppError::NotFound)
}

/// The item's photos, cover first.
pub async fn list(db: &Db, owner: &str, item_id: &str) -> Result<Vec<PhotoView>, AppError> {
    owns_item(db, owner, item_id).await?;
    let rows: Vec<(String, String, i64, i64)> = with_db!(db, pool => sqlx::query_as(
        "SELECT id, status, width, height FROM item_photos WHERE item_id = $1 AND owner_user_id = $2 ORDER BY position, id")
        .bind(item_id).bind(owner).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, status, width, height)| PhotoView {
            id,
            status,
            width,
            height,
        })
        .collect())
}

/// Takes an uploaded file for an item: checked by content (type, pixel count), kept aside,
/// and queued for processing in the same transaction that adds it.
pub async fn upload(
    state: &AppState,
    owner: &str,
    item_id: &str,
    bytes: Vec<u8>,
) -> Result<PhotoView, AppError> {
    owns_item(&state.db, owner, item_id).await?;
    let (width, height) = process::inspect(&bytes).map_err(refused)?;
    let id = new_id();
    let files = store(state)?;
    files
        .put(&key(&id, "upload"), bytes)
        .await
        .map_err(|e| crate::server::errors::internal("storing a photo", e))?;
    let job = ProcessPhoto {
        photo_id: id.clone(),
    };
    // The item's row is held while counting, so parallel uploads cannot pass the limit.
    let lock = format!(
        "SELECT 1 FROM items WHERE id = $1{}",
        crate::server::dialect::for_update(state.db.backend())
    );
    let added: Result<bool, sqlx::Error> = with_db!(&state.db, pool => async {
        let mut tx = pool.begin_write().await?;
        sqlx::query(&lock).bind(item_id).execute(&mut *tx).await?;
        let (count, last): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MAX(position) FROM item_photos WHERE item_id = $1")
            .bind(item_id).fetch_one(&mut *tx).await?;
        if count >= MAX_PHOTOS {
            return Ok(false);
        }
        sqlx::query("INSERT INTO item_photos (id, item_id, owner_user_id, position, status, width, height, created_at) \
            VALUES ($1, $2, $3, $4, 'processing', $5, $6, $7)")
            .bind(&id).bind(item_id).bind(owner).bind(last.map_or(0, |p| p + 1))
            .bind(i64::from(width)).bind(i64::from(height)).bind(OffsetDateTime::now_utc())
            .execute(&mut *tx).await?;
        jobs::enqueue(&mut tx, &job.queued(Some(owner))).await?;
        tx.commit().await?;
        Ok(true)
    }.await);
    match added {
        Ok(true) => {
            state.jobs_ready.notify_one();
            Ok(PhotoView {
                id,
                status: "processing".into(),
                width: width.into(),
                height: height.into(),
            })
        }
        outcome => {
            let _ = files.delete_photo(&id).await;
            outcome?;
            Err(AppError::conflict(
                "too_many_photos",
                format!("An item has up to {MAX_PHOTOS} photos; delete one to add another."),
            ))
        }
    }
}

/// Makes a photo's sizes from its upload, then shows it.
pub async fn make_variants(state: &AppState, photo_id: &str) -> Outcome {
    let files = match store(state) {
        Ok(files) => files,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let upload = match files.get(&key(photo_id, "upload")).await {
        Ok(Some(bytes)) => bytes,
        // Deleted meanwhile, or processed by an earlier attempt.
        Ok(None) => return Outcome::Done,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let made = tokio::task::spawn_blocking(move || process::variants(&upload)).await;
    let (status, size) = match made {
        Ok(Ok(made)) => {
            for (variant, bytes) in made.sizes {
                if let Err(e) = files.put(&variant_key(photo_id, variant), bytes).await {
                    return Outcome::Failed(e.to_string());
                }
            }
            ("ready", Some((made.width, made.height)))
        }
        Ok(Err(e)) => {
            tracing::warn!(photo_id, error = %e, "a photo could not be processed");
            ("failed", None)
        }
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let (w, h) = size.map_or((0, 0), |(w, h)| (i64::from(w), i64::from(h)));
    let written = state
        .db
        .write(
            crate::server::store::sql(
                "UPDATE item_photos SET status = $1, width = CASE WHEN $2 > 0 THEN $2 ELSE width END, \
                 height = CASE WHEN $3 > 0 THEN $3 ELSE height END WHERE id = $4",
            )
            .bind(status)
            .bind(w)
            .bind(h)
            .bind(photo_id),
        )
        .await;
    if let Err(e) = written {
        return Outcome::Failed(e.to_string());
    }
    // The file as sent (with its EXIF) is gone once the sizes exist.
    if let Err(e) = files.delete(&key(photo_id, "upload")).await {
        tracing::warn!(photo_id, error = %e, "a processed upload could not be removed");
    }
    Outcome::Done
}

/// Puts the item's photos in this order (the first is the cover); `ids` must be exactly
/// the item's photos.
pub async fn arrange(db: &Db, owner: &str, item_id: &str, ids: &[String]) -> Result<(), AppError> {
    let current = list(db, owner, item_id).await?;
    let mut have: Vec<&str> = current.iter().map(|p| p.id.as_str()).collect();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    have.sort_unstable();
    want.sort_unstable();
    if have != want {
        return Err(AppError::conflict(
            "photos_changed",
            "The photos changed meanwhile; reload the page and try again.",
        ));
    }
    let done: Result<(), sqlx::Error> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        for (position, id) in ids.iter().enumerate() {
            sqlx::query("UPDATE item_photos SET position = $1 WHERE id = $2 AND item_id = $3 AND owner_user_id = $4")
                .bind(position as i64).bind(id).bind(item_id).bind(owner).execute(&mut *tx).await?;
        }
        tx.commit().await
    }.await);
    Ok(done?)
}

pub async fn delete(
    state: &AppState,
    owner: &str,
    item_id: &str,
    photo_id: &str,
) -> Result<(), AppError> {
    owns_item(&state.db, owner, item_id).await?;
    let gone = state
        .db
        .write(
            crate::server::store::sql(
                "DELETE FROM item_photos WHERE id = $1 AND item_id = $2 AND owner_user_id = $3",
            )
            .bind(photo_id)
            .bind(item_id)
            .bind(owner),
        )
        .await?;
    if gone == 0 {
        return Err(AppError::NotFound);
    }
    store(state)?
        .delete_photo(photo_id)
        .await
        .map_err(|e| crate::server::errors::internal("deleting a photo", e))
}

/// The photos of the owner's items that are about to be deleted (some items, or an import's),
/// so their files can go once the rows have.
pub async fn photos_of(db: &Db, owner: &str, items: ItemsOf<'_>) -> Result<Vec<String>, AppError> {
    let rows: Vec<String> = match items {
        ItemsOf::Ids(ids) => with_db!(db, pool => {
            let mut q = sqlx::QueryBuilder::new("SELECT p.id FROM item_photos p WHERE p.owner_user_id = ");
            q.push_bind(owner).push(" AND p.item_id IN ");
            crate::server::store::push_list(&mut q, ids);
            q.build_query_scalar::<String>().fetch_all(pool).await
        })?,
        ItemsOf::Import(import_id) => with_db!(db, pool => sqlx::query_scalar(
            "SELECT p.id FROM item_photos p JOIN items i ON i.id = p.item_id WHERE p.owner_user_id = $1 AND i.import_id = $2")
            .bind(owner).bind(import_id).fetch_all(pool).await)?,
    };
    Ok(rows)
}

/// Whose photos: some items, or an import's.
pub enum ItemsOf<'a> {
    Ids(&'a [String]),
    Import(&'a str),
}

/// Removes the files of photos whose rows are gone (their items were deleted). A failure
/// is logged: the item is gone either way.
pub async fn remove_files(state: &AppState, photo_ids: &[String]) {
    let Ok(files) = store(state) else {
        tracing::warn!("deleted items' photo files stayed: the photo store is unavailable");
        return;
    };
    for id in photo_ids {
        if let Err(e) = files.delete_photo(id).await {
            tracing::warn!(photo_id = %id, error = %e, "a deleted item's photo files stayed");
        }
    }
}

/// A photo's sizes are made in the background.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct ProcessPhoto {
    pub photo_id: String,
}

impl BackgroundJob for ProcessPhoto {
    const KIND: &'static str = "photo.process";
    const LABEL: &'static str = "Prepare an uploaded photo";
    const MAX_ATTEMPTS: i64 = 5;

    async fn run(self, state: &AppState) -> Outcome {
        make_variants(state, &self.photo_id).await
    }
}
