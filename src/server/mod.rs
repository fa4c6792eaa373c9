//! Server-only plumbing: configuration, database, sessions, HTTP, CLI and operations.

pub mod audit;
pub mod backup;
pub mod bench;
mod bench_analytics;
mod bench_browser;
mod bench_checkout;
mod bench_import;
mod bench_lists;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod errors;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod openapi;
pub mod paging;
pub mod rate_limit;
pub mod request;
pub mod seed;
pub mod serve;
pub mod sessions;
pub mod state;
pub mod stripe;
pub mod telemetry;
