//! Where photo files live, behind one trait: the local disk under `data/photos` by default,
//! an S3-compatible bucket when `PHOTOS_S3_BUCKET` is set (several server processes). Keys are `{photo id}/{name}` (`upload` for the file as sent, until it is processed; then
//! `full.jpg`, `card.jpg`, `thumb.jpg`).

use std::{io, path::PathBuf};

use async_trait::async_trait;
use futures::TryStreamExt;
use object_store::{ObjectStore, PutPayload, aws::AmazonS3Builder, path::Path as ObjectPath};

use crate::server::config::PhotoBucket;

#[async_trait]
pub trait PhotoStore: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> io::Result<()>;
    /// `None` when there is no such file.
    async fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>>;
    async fn delete(&self, key: &str) -> io::Result<()>;
    /// Removes every file of one photo.
    async fn delete_photo(&self, photo_id: &str) -> io::Result<()>;
}

/// Files on the local disk (one server process, or several sharing the folder).
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: PathBuf) -> LocalStore {
        LocalStore { root }
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        Ok(self.root.join(checked(key)?))
    }
}

/// Keys are made by Flipdesk from ids it generated; a key that could leave the folder (or
/// the photo's prefix) is refused anyway.
fn checked(key: &str) -> io::Result<&str> {
    let safe = !key.is_empty()
        && key.split('/').all(|part| {
            !part.is_empty()
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if safe {
        Ok(key)
    } else {
        Err(io::Error::new(io::ErrorKind::InvalidInput, "bad photo key"))
    }
}

#[async_trait]
impl PhotoStore for LocalStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> io::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // Written aside and renamed: a reader never sees half a file.
        let partial = path.with_extension("partial");
        tokio::fs::write(&partial, bytes).await?;
        tokio::fs::rename(&partial, &path).await
    }

    async fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn delete(&self, key: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    async fn delete_photo(&self, photo_id: &str) -> io::Result<()> {
        match tokio::fs::remove_dir_all(self.path(photo_id)?).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Files in an S3-compatible bucket (Amazon S3, Cloudflare R2, MinIO): every server process
/// sees the same photos.
pub struct BucketStore {
    bucket: Box<dyn ObjectStore>,
}

impl BucketStore {
    pub fn new(settings: &PhotoBucket) -> io::Result<BucketStore> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(settings.secret_access_key.expose());
        if let Some(endpoint) = &settings.endpoint {
            // A self-hosted store on plain HTTP (MinIO inside the private network).
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let bucket = builder.build().map_err(io::Error::other)?;
        Ok(BucketStore {
            bucket: Box::new(bucket),
        })
    }

    fn path(key: &str) -> io::Result<ObjectPath> {
        Ok(ObjectPath::from(checked(key)?))
    }
}

#[async_trait]
impl PhotoStore for BucketStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> io::Result<()> {
        // One PUT: the object appears whole or not at all.
        self.bucket
            .put(&Self::path(key)?, PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(io::Error::other)
    }

    async fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        match self.bucket.get(&Self::path(key)?).await {
            Ok(found) => Ok(Some(
                found.bytes().await.map_err(io::Error::other)?.to_vec(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io::Error::other(e)),
        }
    }

    async fn delete(&self, key: &str) -> io::Result<()> {
        match self.bucket.delete(&Self::path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(io::Error::other(e)),
        }
    }

    async fn delete_photo(&self, photo_id: &str) -> io::Result<()> {
        let prefix = Self::path(photo_id)?;
        let keys: Vec<ObjectPath> = self
            .bucket
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(io::Error::other)?;
        for key in keys {
            match self.bucket.delete(&key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(io::Error::other(e)),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_round_trip_and_keys_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().to_path_buf());
        store.put("p1/thumb.jpg", b"abc".to_vec()).await.unwrap();
        assert_eq!(
            store.get("p1/thumb.jpg").await.unwrap(),
            Some(b"abc".to_vec())
        );
        assert_eq!(store.get("p1/card.jpg").await.unwrap(), None);
        assert!(store.get("../secret.key").await.is_err());
        assert!(store.put("p1/../../x", vec![]).await.is_err());
        store.put("p1/upload", b"raw".to_vec()).await.unwrap();
        store.delete("p1/upload").await.unwrap();
        assert_eq!(store.get("p1/upload").await.unwrap(), None);
        store.delete_photo("p1").await.unwrap();
        assert_eq!(store.get("p1/thumb.jpg").await.unwrap(), None);
        store.delete_photo("p1").await.unwrap();
    }
}
