//! Pure types and rules shared by the browser (WASM) and the server. No I/O here.

/// A closed set of values with a stored text and a label (needs `Serialize`, `Deserialize`
/// and `std::fmt` in scope where it is used).
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s) || v.label().eq_ignore_ascii_case(s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.label()) }
        }
    };
}

pub mod account;
pub mod address;
pub mod alert_hook;
pub mod billing;
pub mod catalog;
pub mod channels;
mod common_passwords;
pub mod import;
pub mod inbox;
pub mod inquiry;
pub mod item;
pub mod money;
pub mod monitor;
pub mod search;
pub mod store;
pub mod validation;
pub mod wtb;

pub use account::{DashboardView, Email, Role};
pub use money::{Currency, Money, MoneyError};
pub use validation::FieldErrors;
