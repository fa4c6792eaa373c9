-- Sales channels: the places besides the storefront where an item is offered. A connected
-- channel is another app speaking the channel protocol (its secret is derived from the
-- instance secret and `secret_generation`, never stored); a manual one is a marketplace the
-- reseller lists on by hand.
CREATE TABLE channels (
    id                TEXT PRIMARY KEY NOT NULL,
    store_id          TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    owner_user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('connected', 'manual')),
    -- Connected: where events go, sealed; shown as scheme and host only.
    sealed_webhook    TEXT,
    shown_webhook     TEXT,
    secret_generation BIGINT NOT NULL DEFAULT 1,
    -- The last time the channel called Flipdesk, or answered one of its calls.
    last_contact_at   TEXT,
    created_at        TEXT NOT NULL,
    UNIQUE (owner_user_id, name)
);

-- Where an item is offered, at what price. The item's storefront listing holds the units
-- every channel sells from, so a unit is never offered twice.
CREATE TABLE channel_listings (
    channel_id    TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    item_id       TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    owner_user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    price         BIGINT NOT NULL CHECK (price > 0),
    currency      TEXT NOT NULL,
    -- Manual channels: the listing's address there.
    url           TEXT,
    state         TEXT NOT NULL CHECK (state IN ('listed', 'withdrawn', 'sold')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (channel_id, item_id)
);
CREATE INDEX channel_listings_item ON channel_listings (item_id, state);

-- A channel's buyer checking out: units held for it (taken from the listing's available
-- units, like a storefront reservation) until it sells, is cancelled or expires.
CREATE TABLE sale_locks (
    id              TEXT PRIMARY KEY NOT NULL,
    channel_id      TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    listing_id      TEXT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    item_id         TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    quantity        BIGINT NOT NULL CHECK (quantity > 0),
    state           TEXT NOT NULL CHECK (state IN ('held', 'released', 'sold')),
    idempotency_key TEXT NOT NULL,
    -- Unix ms.
    expires_at      BIGINT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (channel_id, idempotency_key)
);
CREATE INDEX sale_locks_held ON sale_locks (listing_id) WHERE state = 'held';

-- What channels reported sold, kept with the answer given, so a replay answers the same.
-- A sale that could not be honoured stays here as a conflict for the reseller.
CREATE TABLE channel_sales (
    id              TEXT PRIMARY KEY NOT NULL,
    channel_id      TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    owner_user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id         TEXT NOT NULL,
    lock_id         TEXT,
    quantity        BIGINT NOT NULL,
    price           BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    sold_at         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('recorded', 'conflict')),
    sale_id         TEXT,
    idempotency_key TEXT NOT NULL,
    request_digest  TEXT NOT NULL,
    answer          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (channel_id, idempotency_key)
);

-- Events for connected channels, each sent once per channel and subject (`dedupe_key`),
-- signed, with retries.
CREATE TABLE channel_events (
    id          TEXT PRIMARY KEY NOT NULL,
    channel_id  TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    dedupe_key  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (channel_id, dedupe_key)
);
