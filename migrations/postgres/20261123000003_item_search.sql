-- Full-text search over the stock table (name, SKU, style id, set, tags…).
ALTER TABLE items ADD COLUMN search_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX items_search ON items USING GIN (search_tsv);
