//! Server-only plumbing: configuration, database, sessions, HTTP, jobs, mail and payments
//! client. Nothing here names a capability: capabilities plug their jobs, routes, state and
//! middleware in through `plugins` (collected by `crate::capabilities`).

pub mod assets;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod dialect;
pub mod discord;
pub mod errors;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod notify;
pub mod openapi;
pub mod outbound;
pub mod paging;
pub mod plugins;
pub mod rate_limit;
pub mod request;
pub mod serve;
pub mod sessions;
pub mod state;
pub mod store;
pub mod stored;
pub mod stripe;
pub mod telemetry;
