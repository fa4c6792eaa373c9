-- A sale filed under "other" keeps the channel's own name ("Grailed", "Whatnot"): imports
-- and exports carry it.
ALTER TABLE sales ADD COLUMN channel_name TEXT;
