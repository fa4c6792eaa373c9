-- The reconciler: each connected channel is asked for its state now and then; what it
-- repaired and what needs the reseller is kept per channel, item and kind.
ALTER TABLE channels ADD COLUMN next_check_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN last_check_at TEXT;
ALTER TABLE channels ADD COLUMN last_check_error TEXT;

CREATE TABLE channel_findings (
    id            TEXT PRIMARY KEY NOT NULL,
    channel_id    TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    owner_user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id       TEXT NOT NULL,
    -- Repairs: withdrawal_resent, listing_resent. Needs the reseller: sold_twice, unreported_sale.
    kind          TEXT NOT NULL CHECK (kind IN ('withdrawal_resent', 'listing_resent', 'sold_twice', 'unreported_sale')),
    status        TEXT NOT NULL CHECK (status IN ('repaired', 'open', 'resolved')),
    times         BIGINT NOT NULL DEFAULT 1,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    UNIQUE (channel_id, item_id, kind)
);
CREATE INDEX channel_findings_owner ON channel_findings (owner_user_id, status);

-- Sign-in handoff tokens for connected apps: single-use, for one channel, valid 60 s.
CREATE TABLE handoff_tokens (
    jti           TEXT PRIMARY KEY NOT NULL,
    channel_id    TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Unix ms.
    expires_at_ms BIGINT NOT NULL,
    used_at_ms    BIGINT,
    created_at    TEXT NOT NULL
);
