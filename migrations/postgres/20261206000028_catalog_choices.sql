-- A reseller's own answer for a text: the product they picked when it was not the catalog's
-- answer. `query_key` is the text as the resolver reads it (noise, order of ids and case
-- aside), so the same text written again finds the same pick.
CREATE TABLE catalog_choices (
    owner_user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    query_key     TEXT NOT NULL,
    product_id    TEXT NOT NULL REFERENCES catalog_products (id) ON DELETE CASCADE,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (owner_user_id, query_key)
);
