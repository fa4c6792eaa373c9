-- Analytics: what each item added to the daily worth ledger, market prices over time, and
-- the ledger itself (per owner, currency and local day: changes in cost basis, market value,
-- units held and realised profit; a running sum gives the worth on any day).

ALTER TABLE items ADD COLUMN brand TEXT;
ALTER TABLE items ADD COLUMN catalog_product_id TEXT;
-- The reseller's local day the item joined the stock (purchase date, else the day it was added).
ALTER TABLE items ADD COLUMN acquired_on TEXT NOT NULL DEFAULT '';
-- What the item's acquisition added to the ledger on acquired_on (reversed exactly on edit).
ALTER TABLE items ADD COLUMN acq_cost BIGINT NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN acq_market BIGINT NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN acq_units BIGINT NOT NULL DEFAULT 0;
-- Latest known market price per unit (NULL: valued at cost) and the day it was set.
ALTER TABLE items ADD COLUMN market_unit BIGINT;
ALTER TABLE items ADD COLUMN market_on TEXT;
-- Sum of the market changes its prices added to the ledger (placed on market_on when reversed).
ALTER TABLE items ADD COLUMN repriced BIGINT NOT NULL DEFAULT 0;
-- The day its last unit sold (NULL while any is held): what was held on a past day.
ALTER TABLE items ADD COLUMN sold_out_on TEXT;

-- Market value of the units when sold, and how long they were held.
ALTER TABLE sales ADD COLUMN market_value BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sales ADD COLUMN days_held BIGINT;

UPDATE items SET
    brand = details ->> '$.brand',
    acquired_on = COALESCE(purchase_date, substr(created_at, 1, 10));
UPDATE items SET
    acq_units = (CASE WHEN status IN ('purchased', 'in_stock', 'listed', 'reserved', 'returned') THEN quantity ELSE 0 END)
        + (SELECT COALESCE(SUM(s.quantity), 0) FROM sales s WHERE s.item_id = items.id),
    acq_cost = (CASE WHEN status IN ('purchased', 'in_stock', 'listed', 'reserved', 'returned') THEN quantity * purchase_price ELSE 0 END)
        + (SELECT COALESCE(SUM(s.purchase_cost), 0) FROM sales s WHERE s.item_id = items.id);
UPDATE items SET acq_market = acq_cost;
UPDATE items SET sold_out_on = (SELECT MAX(s.sold_on) FROM sales s WHERE s.item_id = items.id)
    WHERE status NOT IN ('purchased', 'in_stock', 'listed', 'reserved', 'returned');
UPDATE sales SET
    market_value = purchase_cost,
    days_held = (SELECT MAX(0, CAST(julianday(sales.sold_on) - julianday(i.acquired_on) AS INTEGER)) FROM items i WHERE i.id = sales.item_id);

CREATE TABLE worth_days (
    owner_user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    currency       TEXT NOT NULL,
    day            TEXT NOT NULL,
    cost           BIGINT NOT NULL DEFAULT 0,
    market         BIGINT NOT NULL DEFAULT 0,
    units          BIGINT NOT NULL DEFAULT 0,
    realised       BIGINT NOT NULL DEFAULT 0,
    -- Sales of the day: revenue (price + shipping charged), fees, cost of what sold, number
    -- of sales and units, and days held (sum, and how many sales know it).
    revenue        BIGINT NOT NULL DEFAULT 0,
    fees           BIGINT NOT NULL DEFAULT 0,
    sold_cost      BIGINT NOT NULL DEFAULT 0,
    sales          BIGINT NOT NULL DEFAULT 0,
    units_sold     BIGINT NOT NULL DEFAULT 0,
    held_days      BIGINT NOT NULL DEFAULT 0,
    held_days_n    BIGINT NOT NULL DEFAULT 0,
    -- Items that joined the stock, and items whose last unit sold, that day (for aging).
    items_in       BIGINT NOT NULL DEFAULT 0,
    items_out      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_user_id, currency, day)
);

INSERT INTO worth_days (owner_user_id, currency, day, cost, market, units, realised, revenue, fees, sold_cost, sales, units_sold, held_days, held_days_n, items_in, items_out)
SELECT owner_user_id, currency, day, SUM(cost), SUM(market), SUM(units), SUM(realised), SUM(revenue), SUM(fees), SUM(sold_cost),
    SUM(sales), SUM(units_sold), SUM(held_days), SUM(held_days_n), SUM(items_in), SUM(items_out) FROM (
    SELECT owner_user_id, currency, acquired_on AS day, acq_cost AS cost, acq_market AS market, acq_units AS units, 0 AS realised,
        0 AS revenue, 0 AS fees, 0 AS sold_cost, 0 AS sales, 0 AS units_sold, 0 AS held_days, 0 AS held_days_n,
        1 AS items_in, 0 AS items_out FROM items
    UNION ALL
    SELECT owner_user_id, currency, sold_out_on, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 FROM items WHERE sold_out_on IS NOT NULL
    UNION ALL
    SELECT owner_user_id, currency, sold_on, -purchase_cost, -market_value, -quantity, net_profit,
        sale_price + shipping_charged, fees, purchase_cost, 1, quantity, COALESCE(days_held, 0), CASE WHEN days_held IS NULL THEN 0 ELSE 1 END, 0, 0 FROM sales
) GROUP BY owner_user_id, currency, day;

-- Market prices as observed: per catalog product (enrichment) or per item (set by hand).
CREATE TABLE market_prices (
    id                  TEXT PRIMARY KEY NOT NULL,
    owner_user_id       TEXT REFERENCES users (id) ON DELETE CASCADE,
    item_id             TEXT REFERENCES items (id) ON DELETE CASCADE,
    catalog_product_id  TEXT,
    currency            TEXT NOT NULL,
    price               BIGINT NOT NULL CHECK (price >= 0),
    source              TEXT NOT NULL,
    observed_at         TEXT NOT NULL,
    CHECK (item_id IS NOT NULL OR catalog_product_id IS NOT NULL)
);
CREATE INDEX market_prices_item ON market_prices (item_id, observed_at) WHERE item_id IS NOT NULL;
CREATE INDEX market_prices_product ON market_prices (catalog_product_id, observed_at) WHERE catalog_product_id IS NOT NULL;

-- Aging and held stock on a past day, sales by channel in a period, per currency.
CREATE INDEX items_owner_worth ON items (owner_user_id, currency, acquired_on, sold_out_on, market_unit, status);
CREATE INDEX items_unpriced ON items (owner_user_id, currency, status) WHERE market_unit IS NULL;
CREATE INDEX sales_owner_currency_sold ON sales (owner_user_id, currency, sold_on, channel);
