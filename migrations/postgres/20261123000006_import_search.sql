-- (SQLite only: imported items are indexed for search per batch.) Kept so both backends have
-- the same migration versions.
SELECT 1;
