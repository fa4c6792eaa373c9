//! What Discord's pages and controls show.

use serde::{Deserialize, Serialize};

/// The account page's Discord card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscordStatus {
    /// Discord is configured on this instance (else every control is hidden).
    pub enabled: bool,
    /// The linked Discord account's name.
    pub linked_as: Option<String>,
    /// False while Discord is the only way into the account (no password yet).
    pub can_unlink: bool,
    /// Notification types also sent as DMs (subscription news always is).
    pub dm_levels: Vec<crate::domain::inbox::Level>,
}

/// The log-in and sign-up pages' Discord part: the button, and a Discord account that came
/// back and waits for a password (to link) or a store (to sign up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscordEntry {
    pub enabled: bool,
    pub pending: Option<PendingView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingView {
    pub username: String,
    pub email: String,
    pub signup: bool,
}

/// What a `discord_error` in the log-in page's address means, in words.
pub fn login_problem(code: &str) -> Option<&'static str> {
    Some(match code {
        "expired" => "That Discord sign-in expired or was already used. Try again.",
        "denied" => "Discord sign-in was cancelled. Nothing was changed.",
        "unavailable" => {
            "Discord is not answering right now, so nothing was created. Try again in a minute, or log in with your password."
        }
        "unverified" => {
            "Your Discord account has no verified email address. Verify it in Discord, then try again."
        }
        "off" => "Discord sign-in is not available here.",
        _ => return None,
    })
}
