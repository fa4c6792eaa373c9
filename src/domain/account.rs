//! Accounts: roles, the dashboard view choice and the sign-up validators that run in the
//! browser (before submit) and on the server (the decision that counts).

use serde::{Deserialize, Serialize};
use std::fmt;

use super::validation::FieldErrors;

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 128;
pub const MAX_EMAIL_LEN: usize = 254;
pub const MAX_STORE_NAME_LEN: usize = 80;

/// Platform role of an account. Store roles (owner/staff) live on the store membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    User,
    Ops,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Ops => "ops",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "user" => Ok(Role::User),
            "ops" => Ok(Role::Ops),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role \"{other}\" (expected user, ops or admin)"
            )),
        }
    }

    /// Platform staff may read every store's data.
    pub fn is_platform_staff(self) -> bool {
        matches!(self, Role::Ops | Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which half of the dashboard a reseller sees; remembered in the `flipdesk_view` cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum DashboardView {
    #[default]
    User,
    Store,
}

impl DashboardView {
    pub const COOKIE: &'static str = "flipdesk_view";

    pub fn as_str(self) -> &'static str {
        match self {
            DashboardView::User => "user",
            DashboardView::Store => "store",
        }
    }

    pub fn from_cookie_value(value: &str) -> Self {
        if value == "store" {
            DashboardView::Store
        } else {
            DashboardView::User
        }
    }

    /// Reads the view from a raw `Cookie:` header or `document.cookie` string.
    pub fn from_cookie_header(header: &str) -> Self {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == Self::COOKIE)
            .map(|(_, value)| Self::from_cookie_value(value.trim()))
            .unwrap_or_default()
    }

    pub fn other(self) -> Self {
        match self {
            DashboardView::User => DashboardView::Store,
            DashboardView::Store => DashboardView::User,
        }
    }

    pub fn home_path(self) -> &'static str {
        match self {
            DashboardView::User => "/app",
            DashboardView::Store => "/app/store",
        }
    }
}

/// An email address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let email = super::validation::lowercase(input.trim());
        if email.is_empty() {
            return Err("Enter your email address.".into());
        }
        if email.len() > MAX_EMAIL_LEN {
            return Err(format!(
                "An email address has at most {MAX_EMAIL_LEN} characters."
            ));
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !valid {
            return Err("That does not look like an email address.".into());
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a new password against the policy: length and the common-password list.
pub fn check_new_password(password: &str, email: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(format!(
            "Use at least {MIN_PASSWORD_LEN} characters for your password."
        ));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(format!(
            "A password has at most {MAX_PASSWORD_LEN} characters."
        ));
    }
    let lowered = password.to_lowercase();
    if super::common_passwords::is_common(&lowered) {
        return Err("That password is too common; choose one that is harder to guess.".into());
    }
    let local = email.trim().to_lowercase();
    let local = local.split('@').next().unwrap_or_default();
    if !local.is_empty() && lowered == local {
        return Err("Your password must not be your email address.".into());
    }
    if password
        .chars()
        .all(|c| c == password.chars().next().unwrap_or(' '))
    {
        return Err("A password of one repeated character is too easy to guess.".into());
    }
    Ok(())
}

/// Store slugs: lower-case `a-z0-9-`, 3–60 characters, never shaped like an id.
pub fn check_slug(input: &str) -> Result<String, String> {
    check_slug_of("store", input)
}

/// The slug rules for any public address (`noun` is "store", "list", …).
pub fn check_slug_of(noun: &str, input: &str) -> Result<String, String> {
    let slug = input.trim().to_lowercase();
    if slug.len() < 3 || slug.len() > 60 {
        return Err(format!("A {noun} address has 3 to 60 characters."));
    }
    if !slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err("Use only letters a–z, digits and dashes.".into());
    }
    if slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
        return Err("Dashes go between words, one at a time.".into());
    }
    if looks_like_id(&slug) {
        return Err("That address looks like an id; add a word to it.".into());
    }
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err("That address is reserved; choose another.".into());
    }
    Ok(slug)
}

const RESERVED_SLUGS: &[&str] = &[
    "api", "app", "admin", "ops", "login", "signup", "logout", "health", "pkg", "static", "new",
    "edit", "settings", "flipdesk", "www", "help", "support",
];

/// A UUID (hyphenated or not) or a pure number is an id, never a slug.
/// A `next` address after log-in, accepted only as a plain local path ("/app/inventory?page=2").
/// Browsers drop tabs and newlines inside URLs and read "\\" as "/", so "/\t/evil.example"
/// would leave the site: anything but visible ASCII, a backslash, or a second leading slash
/// is refused.
pub fn local_path(next: &str) -> Option<&str> {
    let plain = next.len() <= 2048 && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    let mut chars = next.chars();
    let rooted = chars.next() == Some('/') && chars.next() != Some('/');
    (plain && rooted).then_some(next)
}

pub fn looks_like_id(s: &str) -> bool {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    let uuid_like = hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
    let numeric = !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    uuid_like || numeric
}

pub fn check_store_name(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Err("Give your store a name.".into());
    }
    if name.chars().count() > MAX_STORE_NAME_LEN {
        return Err(format!(
            "A store name has at most {MAX_STORE_NAME_LEN} characters."
        ));
    }
    if name.chars().any(|c| c.is_control()) {
        return Err("Remove the control characters from the name.".into());
    }
    Ok(name.to_string())
}

/// Everything a sign-up form sends, validated field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupForm {
    pub email: Email,
    pub store_name: String,
    pub store_slug: String,
}

pub fn validate_signup(
    email: &str,
    password: &str,
    store_name: &str,
    store_slug: &str,
) -> Result<SignupForm, FieldErrors> {
    let mut errors = FieldErrors::default();
    let email = errors.check("email", Email::parse(email));
    errors.check(
        "password",
        check_new_password(password, email.as_ref().map(|e| e.as_str()).unwrap_or("")),
    );
    let store_name = errors.check("store_name", check_store_name(store_name));
    let store_slug = errors.check("store_slug", check_slug(store_slug));
    match (email, store_name, store_slug) {
        (Some(email), Some(store_name), Some(store_slug)) if errors.is_empty() => Ok(SignupForm {
            email,
            store_name,
            store_slug,
        }),
        _ => Err(errors),
    }
}

/// Suggests a slug from a store name: "Kicks & Cards NYC" → "kicks-cards-nyc".
pub fn slug_from_name(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    slug.chars()
        .take(60)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_beyond_ascii() {
        assert_eq!(
            Email::parse("  Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        assert_eq!(
            Email::parse("JÖRG@Müller.DE").unwrap().as_str(),
            "jörg@müller.de"
        );
    }

    #[test]
    fn only_plain_local_paths_are_followed_after_log_in() {
        for ok in [
            "/app",
            "/app/inventory?page=2&q=psa%2010",
            "/",
            "/lists/x#top",
        ] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "app",
            "",
            "/ /evil.example",
            "/\u{a0}/evil.example",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?} was accepted");
        }
    }

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Jo@Example.COM ").unwrap().as_str(),
            "jo@example.com"
        );
        for bad in [
            "",
            "jo",
            "jo@",
            "@x.com",
            "jo@x",
            "jo@@x.com",
            "j o@x.com",
            "jo@x.com.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn password_policy() {
        assert!(check_new_password("short", "a@b.co").is_err());
        assert!(check_new_password("password123", "a@b.co").is_err());
        assert!(check_new_password("aaaaaaaaaaaa", "a@b.co").is_err());
        assert!(check_new_password("jordanbred11", "jordanbred11@b.co").is_err());
        assert!(check_new_password(&"x1".repeat(70), "a@b.co").is_err());
        assert!(check_new_password("charizard-1st-ed", "a@b.co").is_ok());
    }

    #[test]
    fn slugs() {
        assert_eq!(check_slug(" Kicks-NYC ").unwrap(), "kicks-nyc");
        for bad in [
            "ab",
            "has space",
            "-lead",
            "trail-",
            "dou--ble",
            "12345",
            "0190a5d2-7c1e-7f00-8000-000000000000",
            "api",
            &"a".repeat(61),
        ] {
            assert!(check_slug(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(slug_from_name("Kicks & Cards NYC!"), "kicks-cards-nyc");
    }

    #[test]
    fn signup_reports_every_bad_field() {
        let errors = validate_signup("nope", "short", "", "x").unwrap_err();
        for field in ["email", "password", "store_name", "store_slug"] {
            assert!(errors.get(field).is_some(), "missing {field}");
        }
        assert!(validate_signup("a@b.co", "charizard-1st-ed", "Shop", "shop-one").is_ok());
    }

    #[test]
    fn view_cookie() {
        assert_eq!(
            DashboardView::from_cookie_header("a=1; flipdesk_view=store; b=2"),
            DashboardView::Store
        );
        assert_eq!(
            DashboardView::from_cookie_header("flipdesk_view=zzz"),
            DashboardView::User
        );
        assert_eq!(DashboardView::from_cookie_header(""), DashboardView::User);
        assert_eq!(Role::parse("ADMIN").unwrap(), Role::Admin);
        assert!(Role::parse("root").is_err());
    }
}
