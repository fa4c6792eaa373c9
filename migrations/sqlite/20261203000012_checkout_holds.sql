-- Nobody may hold a store's stock without limit: each order remembers who placed it (an
-- HMAC of the buyer's address, never the address itself) so the units one buyer holds in a
-- store at once can be capped, and a listing may cap the units of one order.
ALTER TABLE orders ADD COLUMN buyer_key TEXT;
ALTER TABLE listings ADD COLUMN max_per_order BIGINT;
CREATE INDEX orders_store_held ON orders (store_id, stock);
-- Idempotency keys belong to a store and remember who sent them (an HMAC of the address):
-- a replay from anyone else gets the answer without the buyer's private order link.
ALTER TABLE idempotency_keys ADD COLUMN client_key TEXT;
