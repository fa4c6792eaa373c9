-- A monitor whose words name a catalog product confidently also matches any listing of an
-- item linked to that product, however the listing is worded.
ALTER TABLE monitors ADD COLUMN catalog_product_id TEXT;
CREATE INDEX monitors_product ON monitors (catalog_product_id) WHERE catalog_product_id IS NOT NULL;
