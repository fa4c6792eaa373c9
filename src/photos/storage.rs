//! Where photo files live, behind one trait: the local disk under `data/photos` by default.
//! Keys are `{photo id}/{name}` (`upload` for the file as sent, until it is processed; then
//! `full.jpg`, `card.jpg`, `thumb.jpg`).

use std::{io, path::PathBuf};

use async_trait::async_trait;

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

    /// Keys are made by Flipdesk from ids it generated; a key that could leave the folder is
    /// refused anyway.
    fn path(&self, key: &str) -> io::Result<PathBuf> {
        let safe = !key.is_empty()
            && key.split('/').all(|part| {
                !part.is_empty()
                    && part != ".."
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            });
        if !safe {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "bad photo key"));
        }
        Ok(self.root.join(key))
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
