//! Alert webhooks as the reseller types them: an address and the types of notification to
//! send there. Checked the same way in the browser and on the server; the server then also
//! checks where the address leads (`server::outbound`).

use serde::{Deserialize, Serialize};

use super::{inbox::Level, validation::FieldErrors};

pub const MAX_URL_CHARS: usize = 500;
/// How many alert webhooks one reseller may keep.
pub const MAX_HOOKS: usize = 5;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HookInput {
    pub url: String,
    pub levels: Vec<Level>,
}

/// A checked alert webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct HookDraft {
    pub url: String,
    pub host: String,
    /// A Discord channel webhook: sent as a Discord message, without a signature.
    pub discord: bool,
    pub levels: Vec<Level>,
}

const DISCORD_HOSTS: [&str; 5] = [
    "discord.com",
    "discordapp.com",
    "ptb.discord.com",
    "canary.discord.com",
    "ptb.discordapp.com",
];

/// The host of an `http(s)://` address (lower case, without port or brackets' contents
/// changed), or why there is none.
pub fn host_of(url: &str) -> Result<(&str, String), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("Paste the whole address, starting with https://.")?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "https" => "https",
        "http" => "http",
        _ => return Err("The address must start with https://.".into()),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("Leave user names and passwords out of the address.".into());
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace()) {
        return Err("The address has no host name.".into());
    }
    Ok((scheme, host.to_ascii_lowercase()))
}

pub fn is_discord_host(host: &str) -> bool {
    DISCORD_HOSTS.contains(&host)
}

pub fn validate_hook(input: &HookInput) -> Result<HookDraft, FieldErrors> {
    let mut e = FieldErrors::default();
    let url = input.url.trim().to_string();
    let host = if url.is_empty() {
        e.add("url", "Paste the webhook's address.");
        None
    } else if url.chars().count() > MAX_URL_CHARS {
        e.add(
            "url",
            format!("Addresses are at most {MAX_URL_CHARS} characters."),
        );
        None
    } else if url.contains(|c: char| c.is_whitespace()) {
        e.add("url", "The address cannot contain spaces.");
        None
    } else {
        match host_of(&url) {
            // Plain http is for loopback in development; the server decides (`outbound`).
            Ok((_, host)) => Some(host),
            Err(message) => {
                e.add("url", message);
                None
            }
        }
    };
    let mut levels: Vec<Level> = Vec::new();
    for level in &input.levels {
        if !levels.contains(level) {
            levels.push(*level);
        }
    }
    if levels.is_empty() {
        e.add(
            "levels",
            "Choose at least one type of notification to send.",
        );
    }
    let discord = host.as_deref().is_some_and(is_discord_host);
    if discord && !url.contains("/api/webhooks/") {
        e.add(
            "url",
            "That is not a Discord webhook address: copy it from the channel's Integrations → Webhooks.",
        );
    }
    match host {
        Some(host) if e.is_empty() => Ok(HookDraft {
            url,
            host,
            discord,
            levels,
        }),
        _ => Err(e),
    }
}

/// The address as the page shows it: enough to recognise, without the path's tokens
/// (`https://discord.com/api/webhooks/…`).
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return String::new();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let path = &rest[authority.len()..];
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let first = segments.next();
    let second = segments.next();
    let mut shown = format!("{scheme}://{authority}");
    match (first, second) {
        (Some(a), Some(b)) if a == "api" => shown.push_str(&format!("/{a}/{b}/…")),
        (Some(_), _) => shown.push_str("/…"),
        _ => {}
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str) -> HookInput {
        HookInput {
            url: url.into(),
            levels: vec![Level::Error, Level::Error, Level::Warning],
        }
    }

    #[test]
    fn addresses_are_checked_and_levels_deduplicated() {
        let d = validate_hook(&input(" https://hooks.example.com/in/abc ")).unwrap();
        assert_eq!(d.host, "hooks.example.com");
        assert!(!d.discord);
        assert_eq!(d.levels, vec![Level::Error, Level::Warning]);
        let d = validate_hook(&input("https://Discord.com/api/webhooks/1/tok")).unwrap();
        assert!(d.discord);
        assert_eq!(
            validate_hook(&input("http://[::1]:8080/x")).unwrap().host,
            "::1"
        );
        for bad in [
            "",
            "hooks.example.com",
            "ftp://example.com/x",
            "https://user:pw@example.com/x",
            "https:///x",
            "https://exa mple.com",
            "https://discord.com/channels/1/2",
        ] {
            assert!(
                validate_hook(&input(bad)).unwrap_err().get("url").is_some(),
                "{bad}"
            );
        }
        let long = format!("https://example.com/{}", "a".repeat(600));
        assert!(validate_hook(&input(&long)).is_err());
        let none = HookInput {
            url: "https://example.com".into(),
            levels: vec![],
        };
        assert!(validate_hook(&none).unwrap_err().get("levels").is_some());
    }

    #[test]
    fn shown_addresses_hide_tokens() {
        assert_eq!(
            shown_url("https://discord.com/api/webhooks/123/secret-token"),
            "https://discord.com/api/webhooks/…"
        );
        assert_eq!(
            shown_url("https://example.com/hook/secret?x=1"),
            "https://example.com/…"
        );
        assert_eq!(shown_url("https://example.com"), "https://example.com");
    }
}
