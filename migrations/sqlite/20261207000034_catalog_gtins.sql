-- The barcodes printed on a product's boxes, one per size (StockX lists a UPC/EAN for each
-- variant): a scanned box names the product and the size in it.
CREATE TABLE catalog_gtins (
    gtin                TEXT PRIMARY KEY,
    catalog_product_id  TEXT NOT NULL REFERENCES catalog_products (id) ON DELETE CASCADE,
    source              TEXT NOT NULL,
    variant_id          TEXT NOT NULL
);
CREATE INDEX catalog_gtins_product ON catalog_gtins (catalog_product_id, source);
