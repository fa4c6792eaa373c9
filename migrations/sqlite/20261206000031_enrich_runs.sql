-- "Enrich all": a reseller's run linking their items to catalog products, with its progress.
CREATE TABLE enrich_runs (
    id            TEXT PRIMARY KEY NOT NULL,
    owner_user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    -- Items that named no product when the run started, and their distinct texts.
    items_total   BIGINT NOT NULL DEFAULT 0,
    texts_total   BIGINT NOT NULL DEFAULT 0,
    texts_done    BIGINT NOT NULL DEFAULT 0,
    linked        BIGINT NOT NULL DEFAULT 0,
    -- Provider calls made while it ran (they cost money).
    calls         BIGINT NOT NULL DEFAULT 0,
    error         TEXT,
    -- Texts are done in order: the last one done, so a run that stopped goes on after it.
    cursor        TEXT,
    started_at    TEXT NOT NULL,
    finished_at   TEXT
);
CREATE INDEX enrich_runs_owner ON enrich_runs (owner_user_id, started_at);
-- One run at a time per reseller.
CREATE UNIQUE INDEX enrich_runs_one_running ON enrich_runs (owner_user_id) WHERE status = 'running';
