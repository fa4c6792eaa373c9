-- Inventory: items with their lifecycle, sales and shipments.
-- Money is integer minor units with the item's currency; dates the reseller types are ISO text.

CREATE TABLE items (
    id                TEXT PRIMARY KEY NOT NULL,
    owner_user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('sneaker', 'card', 'sealed', 'other')),
    status            TEXT NOT NULL CHECK (status IN ('purchased', 'in_stock', 'listed', 'reserved', 'sold', 'shipped', 'returned')),
    name              TEXT NOT NULL,
    sku               TEXT,
    quantity          BIGINT NOT NULL CHECK (quantity >= 1),
    purchase_price    BIGINT NOT NULL CHECK (purchase_price >= 0),
    currency          TEXT NOT NULL,
    purchase_date     TEXT,
    purchase_source   TEXT,
    storage_location  TEXT,
    tags              TEXT NOT NULL DEFAULT '',
    notes             TEXT,
    image_urls        TEXT NOT NULL DEFAULT '[]',
    details           TEXT NOT NULL DEFAULT '{}',
    style_id          TEXT,
    size              TEXT,
    card_set          TEXT,
    grade             TEXT,
    search_text       TEXT NOT NULL DEFAULT '',
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX items_owner_created ON items (owner_user_id, created_at DESC, id DESC);
CREATE INDEX items_owner_status ON items (owner_user_id, status, created_at DESC);
CREATE INDEX items_owner_name ON items (owner_user_id, name);
CREATE INDEX items_owner_price ON items (owner_user_id, purchase_price);

CREATE TABLE sales (
    id                TEXT PRIMARY KEY NOT NULL,
    item_id           TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    owner_user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    quantity          BIGINT NOT NULL CHECK (quantity >= 1),
    channel           TEXT NOT NULL,
    currency          TEXT NOT NULL,
    sale_price        BIGINT NOT NULL CHECK (sale_price >= 0),
    shipping_charged  BIGINT NOT NULL DEFAULT 0 CHECK (shipping_charged >= 0),
    fees              BIGINT NOT NULL DEFAULT 0 CHECK (fees >= 0),
    shipping_paid     BIGINT NOT NULL DEFAULT 0 CHECK (shipping_paid >= 0),
    purchase_cost     BIGINT NOT NULL CHECK (purchase_cost >= 0),
    net_profit        BIGINT NOT NULL,
    sold_on           TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX sales_owner_sold ON sales (owner_user_id, sold_on DESC);
CREATE INDEX sales_item ON sales (item_id);

CREATE TABLE shipments (
    id                TEXT PRIMARY KEY NOT NULL,
    item_id           TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    owner_user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    carrier           TEXT NOT NULL,
    tracking_code     TEXT NOT NULL,
    shipped_on        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX shipments_owner ON shipments (owner_user_id, shipped_on DESC);
CREATE INDEX shipments_item ON shipments (item_id);
