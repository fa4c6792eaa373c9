-- Want-To-Buy lists: order in the dashboard, API key bookkeeping, wanted items with the keys
-- they are matched on, and notifications (the first: a storefront listing matches a wanted item).

ALTER TABLE wtb_lists ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
-- Epoch milliseconds; the key itself is only ever stored as its HMAC (api_key_hash).
ALTER TABLE wtb_lists ADD COLUMN api_key_created_at BIGINT;
ALTER TABLE wtb_lists ADD COLUMN api_key_last_used_at BIGINT;
-- Bumped in the transaction of every change to the list's items: cached API pages of an
-- older version are never served.
ALTER TABLE wtb_lists ADD COLUMN items_version BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX wtb_lists_api_key ON wtb_lists (api_key_hash);
CREATE INDEX wtb_lists_owner_position ON wtb_lists (owner_user_id, position);

CREATE TABLE wtb_items (
    id          TEXT PRIMARY KEY NOT NULL,
    list_id     TEXT NOT NULL REFERENCES wtb_lists (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    product_id  TEXT,
    style_id    TEXT,
    size        TEXT,
    condition   TEXT,
    grade       TEXT,
    quantity    BIGINT NOT NULL CHECK (quantity >= 1),
    -- Minor units of `currency`; NULL = any price.
    max_price   BIGINT CHECK (max_price > 0),
    currency    TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    -- Bumped by every edit; the API's ETag.
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- Ids are UUIDv7 (time-ordered): pages walk (list_id, id).
CREATE INDEX wtb_items_list ON wtb_items (list_id, id);

-- `p:<catalog product id>` and `s:<style id part>` per wanted item.
CREATE TABLE wtb_item_keys (
    match_key  TEXT NOT NULL,
    item_id    TEXT NOT NULL REFERENCES wtb_items (id) ON DELETE CASCADE,
    PRIMARY KEY (match_key, item_id)
);
CREATE INDEX wtb_item_keys_item ON wtb_item_keys (item_id);

CREATE TABLE notifications (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    link        TEXT,
    data        TEXT NOT NULL DEFAULT '{}',
    -- One notification per event: a repeated event is not notified twice.
    dedupe_key  TEXT NOT NULL,
    read_at     BIGINT,
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC);
