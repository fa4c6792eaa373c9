//! Integration tests: the real server over HTTP, on SQLite and PostgreSQL.
//! Run with `cargo test --features ssr` (scripts/test provides TEST_DATABASE_URL).

mod accounts;
mod alerts;
mod analytics;
mod billing;
mod catalog;
mod channels;
mod checkout;
mod cli;
mod discord;
mod enrichment;
mod fake_catalog;
mod fake_discord;
mod fake_stripe;
mod health;
mod helpers;
mod imports;
mod inbox;
mod inquiries;
mod inventory;
mod jobs;
mod lists;
mod monitors;
mod photos;
mod premium;
mod roundtrip;
mod security;
mod shells;
