-- What each downloaded catalog file (Cardmarket's daily lists) last answered, so the next
-- download is conditional (If-None-Match / If-Modified-Since) and an unchanged file is not
-- fetched or imported again.
CREATE TABLE catalog_downloads (
    url             TEXT PRIMARY KEY NOT NULL,
    etag            TEXT,
    last_modified   TEXT,
    checked_at_ms   BIGINT NOT NULL,
    changed_at_ms   BIGINT,
    -- What the last check did: `imported: …`, `not modified`, `failed: …`.
    outcome         TEXT NOT NULL
);

-- Scheduled catalog work (Cardmarket downloads, price refresh): a server runs a task when it
-- moves `next_run_ms` forward first, so two servers on one database never both run it.
CREATE TABLE catalog_schedule (
    task            TEXT PRIMARY KEY NOT NULL,
    next_run_ms     BIGINT NOT NULL
);
