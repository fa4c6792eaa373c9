-- A refund is money, a return is stock. A refund lowers the sales of its order by the amount
-- (sales.refunded; net_profit drops by it) and the sale stays; units come back to stock only
-- when the owner records them as returned, per line (order_lines.returned, sales.returned:
-- the sale's purchase cost and market value shrink by the returned units).
ALTER TABLE sales ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sales ADD COLUMN returned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN returned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN returned_units BIGINT NOT NULL DEFAULT 0;
