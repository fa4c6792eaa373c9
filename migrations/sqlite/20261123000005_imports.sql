-- Spreadsheet imports: one row per import, one per committed batch (the idempotency record:
-- a batch sent twice is written once), and the import each item came from (for undo).
CREATE TABLE imports (
    id             TEXT PRIMARY KEY NOT NULL,
    owner_user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name      TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'undone')),
    rows_total     BIGINT NOT NULL,
    created_count  BIGINT NOT NULL DEFAULT 0,
    skipped_count  BIGINT NOT NULL DEFAULT 0,
    failed_count   BIGINT NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    finished_at    TEXT
);
CREATE INDEX imports_owner_created ON imports (owner_user_id, created_at DESC);

CREATE TABLE import_batches (
    import_id      TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    batch_no       BIGINT NOT NULL,
    created_count  BIGINT NOT NULL,
    PRIMARY KEY (import_id, batch_no)
);

ALTER TABLE items ADD COLUMN import_id TEXT REFERENCES imports (id) ON DELETE SET NULL;
CREATE INDEX items_import ON items (import_id) WHERE import_id IS NOT NULL;
-- Duplicate checks look items up by style id (SKUs are compared case-blind, without an index).
CREATE INDEX items_owner_style ON items (owner_user_id, style_id) WHERE style_id IS NOT NULL;
