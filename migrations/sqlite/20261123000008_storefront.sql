-- Storefront and checkout: store settings, listings with their available units, orders and
-- their lines, idempotency keys, Stripe events seen, the durable job queue, order events
-- (audit, HMAC-signed), the mail outbox and guest order links.
-- Timers the server compares (expiry, job run times, leases) are epoch milliseconds.

ALTER TABLE stores ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN logo_url TEXT;
ALTER TABLE stores ADD COLUMN policies TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN faq TEXT NOT NULL DEFAULT '';
-- Where the store ships from (its domestic rate) and its rates: JSON [{"region","amount"}],
-- region a country code or "*" for everywhere else.
ALTER TABLE stores ADD COLUMN ships_from TEXT NOT NULL DEFAULT 'US';
ALTER TABLE stores ADD COLUMN shipping_rates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE stores ADD COLUMN free_shipping_over BIGINT;
ALTER TABLE stores ADD COLUMN payment_instructions TEXT NOT NULL DEFAULT '';

CREATE TABLE listings (
    id             TEXT PRIMARY KEY NOT NULL,
    store_id       TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    owner_user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id        TEXT NOT NULL UNIQUE REFERENCES items (id) ON DELETE CASCADE,
    price          BIGINT NOT NULL CHECK (price > 0),
    currency       TEXT NOT NULL,
    -- Units a shopper can reserve now; a reservation takes from it, a release gives back.
    available      BIGINT NOT NULL CHECK (available >= 0),
    status         TEXT NOT NULL CHECK (status IN ('active', 'sold_out', 'withdrawn')),
    -- The item's condition as shoppers filter it (copied when listed).
    condition      TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX listings_store_catalog ON listings (store_id, status, created_at DESC, id DESC);
CREATE INDEX listings_store_price ON listings (store_id, status, price);

CREATE TABLE orders (
    id                     TEXT PRIMARY KEY NOT NULL,
    store_id               TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    owner_user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status                 TEXT NOT NULL CHECK (status IN ('pending_payment', 'payment_processing', 'paid', 'paid_needs_attention', 'shipped', 'cancelled', 'expired', 'refunded')),
    -- The reserved units: held for the shopper, given back, or taken by the sale.
    stock                  TEXT NOT NULL CHECK (stock IN ('reserved', 'released', 'taken')),
    payment_method         TEXT NOT NULL CHECK (payment_method IN ('stripe', 'manual')),
    email                  TEXT NOT NULL,
    shipping_address       TEXT NOT NULL DEFAULT '{}',
    currency               TEXT NOT NULL,
    subtotal               BIGINT NOT NULL,
    shipping               BIGINT NOT NULL,
    total                  BIGINT NOT NULL,
    refunded               BIGINT NOT NULL DEFAULT 0,
    stripe_session_id      TEXT UNIQUE,
    stripe_payment_intent  TEXT,
    checkout_url           TEXT,
    expires_at             BIGINT NOT NULL,
    carrier                TEXT,
    tracking_code          TEXT,
    attention              TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX orders_store_created ON orders (store_id, created_at DESC);
CREATE INDEX orders_reserved_expiry ON orders (expires_at) WHERE stock = 'reserved';
CREATE INDEX orders_payment_intent ON orders (stripe_payment_intent);

CREATE TABLE order_lines (
    id          TEXT PRIMARY KEY NOT NULL,
    order_id    TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    -- No foreign keys to listings or items: an order keeps its lines when they go.
    listing_id  TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    title       TEXT NOT NULL,
    unit_price  BIGINT NOT NULL,
    quantity    BIGINT NOT NULL CHECK (quantity >= 1),
    position    BIGINT NOT NULL,
    -- The sale recorded when the order was paid (removed again by a refund that restocks).
    sale_id     TEXT
);
CREATE INDEX order_lines_order ON order_lines (order_id, position);

CREATE TABLE refunds (
    id            TEXT PRIMARY KEY NOT NULL,
    order_id      TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    restock       INTEGER NOT NULL,
    stripe_refund TEXT,
    created_by    TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id);

CREATE TABLE idempotency_keys (
    key           TEXT PRIMARY KEY NOT NULL,
    request_hash  TEXT NOT NULL,
    -- NULL while the first request runs; then its answer, replayed to retries.
    status_code   BIGINT,
    body          TEXT,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE stripe_events (
    id           TEXT PRIMARY KEY NOT NULL,
    type         TEXT NOT NULL,
    received_at  TEXT NOT NULL
);

CREATE TABLE jobs (
    id             TEXT PRIMARY KEY NOT NULL,
    kind           TEXT NOT NULL,
    payload        TEXT NOT NULL,
    -- The reseller the job works for (to show them dead jobs); NULL for platform work.
    owner_user_id  TEXT REFERENCES users (id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
    attempts       BIGINT NOT NULL DEFAULT 0,
    max_attempts   BIGINT NOT NULL,
    run_at         BIGINT NOT NULL,
    locked_until   BIGINT,
    last_error     TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_owner_dead ON jobs (owner_user_id, status);

CREATE TABLE order_events (
    id          TEXT PRIMARY KEY NOT NULL,
    order_id    TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    before      TEXT,
    after       TEXT,
    detail      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    -- HMAC-SHA256 under FLIPDESK_SECRET of the event's other fields.
    signature   TEXT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, created_at);

CREATE TABLE outbox (
    id          TEXT PRIMARY KEY NOT NULL,
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    order_id    TEXT REFERENCES orders (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    sent_at     TEXT
);
CREATE INDEX outbox_order ON outbox (order_id, kind);

-- Guest links: only the HMAC of the token is kept.
CREATE TABLE order_links (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    order_id    TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX order_links_order ON order_links (order_id);
