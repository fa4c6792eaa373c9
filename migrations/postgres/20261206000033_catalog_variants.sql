-- A product's sizes as a provider sells them (StockX's variants): one row per size system the
-- size converts to, so an item's size in its own system finds the provider's variant.
CREATE TABLE catalog_variants (
    catalog_product_id  TEXT NOT NULL REFERENCES catalog_products (id) ON DELETE CASCADE,
    source              TEXT NOT NULL,
    variant_id          TEXT NOT NULL,
    size_system         TEXT NOT NULL,
    size                TEXT NOT NULL,
    PRIMARY KEY (catalog_product_id, source, size_system, size)
);

-- A catalog price for one size (the provider's variant id); NULL prices the product whole.
ALTER TABLE market_prices ADD COLUMN variant_id TEXT;
