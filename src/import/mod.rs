//! Spreadsheet import: parse, map, fix and commit in the browser; re-check and write on the
//! server in idempotent batches; history with undo.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;
