-- The catalog: products resellers' text resolves to (enrichment). `identity` is what a
-- re-import of the same product finds it by (an external id, a style id, a GTIN, a card's
-- set + number + printing, or kind + name), so `catalog import` is idempotent.
CREATE TABLE catalog_products (
    id              TEXT PRIMARY KEY NOT NULL,
    identity        TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    brand           TEXT,
    model           TEXT,
    colorway        TEXT,
    style_id        TEXT,
    gtin            TEXT,
    game            TEXT,
    set_name        TEXT,
    set_code        TEXT,
    number          TEXT,
    rarity          TEXT,
    language        TEXT,
    release_date    TEXT,
    retail_price    BIGINT,
    retail_currency TEXT,
    image_url       TEXT,
    -- {"stockx": "…", "cardmarket": 273699, …}
    external_ids    TEXT NOT NULL DEFAULT '{}',
    -- Where the product came from: `import`, `cardmarket`, `stockx`, …
    source          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX catalog_products_style ON catalog_products (style_id) WHERE style_id IS NOT NULL;

-- Bumped by every catalog change: a server's in-memory search index is rebuilt when the
-- number it was built at is behind.
CREATE TABLE catalog_state (
    id          INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    generation  BIGINT NOT NULL
);
INSERT INTO catalog_state (id, generation) VALUES (1, 0);
