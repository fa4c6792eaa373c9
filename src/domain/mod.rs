//! Pure types and rules shared by the browser (WASM) and the server. No I/O here.

pub mod account;
mod common_passwords;
pub mod import;
pub mod item;
pub mod money;
pub mod validation;

pub use account::{DashboardView, Email, Role};
pub use money::{Currency, Money, MoneyError};
pub use validation::FieldErrors;
