//! Cardmarket's public daily files (no credentials): per game, the product lists (singles and
//! sealed) and the price guide. Each is downloaded with a conditional GET (the last answer's
//! ETag and Last-Modified), streamed to a file in the data folder — a 20 MB file is never
//! held in memory — and imported like `flipdesk catalog import` does, product lists first so
//! the prices find their products.

use std::path::{Path, PathBuf};

use reqwest::{
    StatusCode,
    header::{ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED},
};
use tokio::io::AsyncWriteExt;

use super::{Endpoint, ProviderError};
use crate::catalog::import;
use crate::server::{clock::Clock, config::CatalogSettings, db::Db, store::sql};
use crate::with_db;

const DOWNLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

pub struct Cardmarket {
    pub endpoint: Endpoint,
    games: Vec<u32>,
}

/// What one file's check did.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    /// The file changed and was imported; the import's summary.
    Imported(String),
    NotModified,
    /// Cardmarket has no such file (404).
    Missing,
}

/// A downloaded file waiting for its import, and the validators to remember once it is in.
struct Downloaded {
    etag: Option<String>,
    last_modified: Option<String>,
}

impl Cardmarket {
    pub fn new(base: &str, c: &CatalogSettings, clock: Clock) -> Self {
        Cardmarket {
            endpoint: Endpoint::new(
                "cardmarket",
                base,
                HeaderMap::new(),
                c.cardmarket_per_minute,
                c,
                clock,
            ),
            games: c.cardmarket_games.clone(),
        }
    }

    /// The files to fetch, in import order: every game's product lists, then its price guide.
    pub fn paths(&self) -> Vec<String> {
        let mut paths = Vec::new();
        for g in &self.games {
            paths.push(format!(
                "/productCatalog/productList/products_singles_{g}.json"
            ));
            paths.push(format!(
                "/productCatalog/productList/products_nonsingles_{g}.json"
            ));
        }
        for g in &self.games {
            paths.push(format!("/productCatalog/priceGuide/price_guide_{g}.json"));
        }
        paths
    }

    /// Checks every file and imports the ones that changed. One file failing does not stop
    /// the others; the first failure is returned after all were tried (the job retries).
    pub async fn refresh(
        &self,
        db: &Db,
        data_dir: &Path,
        now_ms: i64,
    ) -> Result<Vec<(String, Fetched)>, String> {
        let folder = data_dir.join("catalog-downloads");
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(|e| format!("{}: {e}", folder.display()))?;
        let mut done = Vec::new();
        let mut first_failure = None;
        for path in self.paths() {
            match self.fetch(db, &folder, &path, now_ms).await {
                Ok(fetched) => done.push((path, fetched)),
                Err(why) => {
                    tracing::warn!(path, "Cardmarket file: {why}");
                    let url = self.endpoint.url(&path);
                    let _ = remember(db, &url, None, now_ms, &format!("failed: {why}")).await;
                    first_failure.get_or_insert(why);
                }
            }
        }
        match first_failure {
            Some(why) => Err(why),
            None => Ok(done),
        }
    }

    async fn fetch(
        &self,
        db: &Db,
        folder: &Path,
        path: &str,
        now_ms: i64,
    ) -> Result<Fetched, String> {
        let url = self.endpoint.url(path);
        let known = validators(db, &url).await.map_err(|e| e.to_string())?;
        let file: PathBuf = folder.join(format!(
            "{}.part",
            path.rsplit('/').next().unwrap_or("download")
        ));
        let answer = self
            .endpoint
            .call(
                || {
                    // A whole file takes longer than one API answer.
                    let mut r = self.endpoint.http().get(&url).timeout(DOWNLOAD_TIMEOUT);
                    if let Some(etag) = &known.0 {
                        r = r.header(IF_NONE_MATCH, etag);
                    }
                    if let Some(lm) = &known.1 {
                        r = r.header(IF_MODIFIED_SINCE, lm);
                    }
                    r
                },
                path,
                |response| save_to(response, file.clone(), self.endpoint.name),
            )
            .await
            .map_err(|e: ProviderError| e.to_string())?;
        let Some(answer) = answer else {
            remember(db, &url, None, now_ms, "missing (404)")
                .await
                .map_err(|e| e.to_string())?;
            return Ok(Fetched::Missing);
        };
        let Some(downloaded) = answer else {
            remember(db, &url, None, now_ms, "not modified")
                .await
                .map_err(|e| e.to_string())?;
            return Ok(Fetched::NotModified);
        };
        let report = import::import_file(db, &file, "cardmarket").await;
        let _ = tokio::fs::remove_file(&file).await;
        let report = report.map_err(|e| e.to_string())?;
        let summary = report.to_string();
        remember(
            db,
            &url,
            Some(&downloaded),
            now_ms,
            &format!("imported: {}", summary.lines().next().unwrap_or_default()),
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(Fetched::Imported(summary))
    }
}

/// Streams a 200 answer into `file`; `None` for 304 Not Modified.
async fn save_to(
    response: reqwest::Response,
    file: PathBuf,
    name: &'static str,
) -> Result<Option<Downloaded>, ProviderError> {
    if response.status() == StatusCode::NOT_MODIFIED {
        return Ok(None);
    }
    let header = |h| {
        response
            .headers()
            .get(h)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let downloaded = Downloaded {
        etag: header(ETAG),
        last_modified: header(LAST_MODIFIED),
    };
    let failed = |e: String| ProviderError::Unavailable(name, e);
    let mut out = tokio::fs::File::create(&file)
        .await
        .map_err(|e| failed(format!("{}: {e}", file.display())))?;
    let mut response = response;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| failed(format!("the download broke off: {e}")))?
    {
        out.write_all(&chunk)
            .await
            .map_err(|e| failed(format!("{}: {e}", file.display())))?;
    }
    out.flush()
        .await
        .map_err(|e| failed(format!("{}: {e}", file.display())))?;
    Ok(Some(downloaded))
}

/// The ETag and Last-Modified of the last good download of `url`.
async fn validators(db: &Db, url: &str) -> sqlx::Result<(Option<String>, Option<String>)> {
    let row: Option<(Option<String>, Option<String>)> = with_db!(db, pool => sqlx::query_as(
        "SELECT etag, last_modified FROM catalog_downloads WHERE url = $1"
    )
    .bind(url)
    .fetch_optional(pool)
    .await)?;
    Ok(row.unwrap_or_default())
}

/// Records a check of `url`; the validators change only with a new download.
async fn remember(
    db: &Db,
    url: &str,
    downloaded: Option<&Downloaded>,
    now_ms: i64,
    outcome: &str,
) -> sqlx::Result<()> {
    let q = match downloaded {
        Some(d) => sql(
            "INSERT INTO catalog_downloads (url, etag, last_modified, checked_at_ms, changed_at_ms, outcome) \
             VALUES ($1, $2, $3, $4, $4, $5) \
             ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, \
             checked_at_ms = excluded.checked_at_ms, changed_at_ms = excluded.changed_at_ms, outcome = excluded.outcome",
        )
        .bind(url)
        .bind(d.etag.clone())
        .bind(d.last_modified.clone())
        .bind(now_ms)
        .bind(outcome.to_string()),
        None => sql(
            "INSERT INTO catalog_downloads (url, checked_at_ms, outcome) VALUES ($1, $2, $3) \
             ON CONFLICT (url) DO UPDATE SET checked_at_ms = excluded.checked_at_ms, outcome = excluded.outcome",
        )
        .bind(url)
        .bind(now_ms)
        .bind(outcome.to_string()),
    };
    db.write(q).await.map(|_| ())
}
