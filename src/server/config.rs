//! Typed settings: the embedded `Leptos.toml` defaults, then a `Leptos.toml` on disk, then
//! `FLIPDESK__SECTION__KEY` variables, then the named variables of the contract.
//! Validated once at start; every problem is a one-line message naming the setting.

use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
};
use serde::Deserialize;
use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf};

const DEFAULTS: &str = include_str!("../../Leptos.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub site_addr: String,
    pub public_url: String,
    pub env: String,
    pub body_limit_bytes: usize,
    pub shutdown_grace_secs: u64,
    pub header_read_timeout_secs: u64,
    pub idle_timeout_secs: u64,
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
    pub acquire_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    pub session_days: i64,
    pub login_attempts_per_ip_per_minute: u32,
    pub login_failures_per_account: u32,
    pub login_failure_window_secs: u64,
    pub signup_attempts_per_ip_per_hour: u32,
    pub signup_attempts_per_email_per_hour: u32,
    pub password_min_length: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSettings {
    pub reservation_ttl_secs: u64,
    pub manual_payment_hold_hours: u64,
    pub manual_payment_reminder_hours: u64,
    pub sessions_per_ip_per_minute: u32,
    pub sessions_per_store_per_minute: u32,
    pub most_units_held_per_buyer: i64,
    pub guest_order_link_days: u64,
    pub idempotency_key_hours: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JobSettings {
    /// How often an idle worker looks for due jobs.
    pub poll_interval_ms: u64,
    /// How often the reservation sweeper and clean-up run.
    pub sweep_interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ApiSettings {
    pub list_key_requests_per_minute: u32,
    pub key_regenerations_per_list_per_hour: u32,
    pub key_regenerations_per_account_per_hour: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PlanLimits {
    pub items: u64,
    pub sales_per_month: u64,
    pub wtb_lists: u64,
    pub monitor_keywords: u64,
    pub shipments_per_month: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BillingSettings {
    /// Stripe price ids; empty when that interval is not sold.
    pub premium_monthly_price: String,
    pub premium_yearly_price: String,
    pub grace_days: u32,
    pub referral_trial_days: u32,
    pub referral_reward_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProviderSettings {
    pub stripe_api_base: String,
    pub discord_api_base: String,
    pub stockx_api_base: String,
    pub cardmarket_api_base: String,
    pub pokemontcg_api_base: String,
    pub scryfall_api_base: String,
    /// Keys of the catalog providers (`<PROVIDER>_API_KEY`); never in the file.
    #[serde(skip)]
    pub stockx_api_key: Option<Secret>,
    /// StockX's OAuth2 bearer token (`STOCKX_ACCESS_TOKEN`), sent with the API key.
    #[serde(skip)]
    pub stockx_access_token: Option<Secret>,
    #[serde(skip)]
    pub pokemontcg_api_key: Option<Secret>,
}

/// `[catalog]`: how the enrichment providers are called and how often the scheduled catalog
/// work runs.
#[derive(Debug, Clone, Deserialize)]
pub struct CatalogSettings {
    /// One HTTP request to a provider gives up after this long.
    pub provider_timeout_ms: u64,
    /// Tries per call (the first plus retries with backoff) on timeouts, 429 and 5xx.
    pub provider_attempts: u32,
    /// Failed calls in a row that open a provider's circuit breaker…
    pub breaker_failures: u32,
    /// …for this long; then one trial call decides whether it closes.
    pub breaker_cooldown_secs: u64,
    /// Requests per minute each provider is sent at most.
    pub stockx_per_minute: u32,
    pub pokemontcg_per_minute: u32,
    pub scryfall_per_minute: u32,
    pub cardmarket_per_minute: u32,
    /// Cardmarket games whose daily files are downloaded (1 Magic, 3 Yu-Gi-Oh!, 6 Pokémon).
    pub cardmarket_games: Vec<u32>,
    /// Hours between two downloads of Cardmarket's files; 0: never.
    pub cardmarket_refresh_hours: u64,
    /// Hours between two market price refreshes; 0: never.
    pub price_refresh_hours: u64,
}

#[derive(Debug, Clone, Deserialize)]
struct FileSettings {
    server: ServerSettings,
    database: DatabaseSettings,
    auth: AuthSettings,
    checkout: CheckoutSettings,
    jobs: JobSettings,
    api: ApiSettings,
    billing: BillingSettings,
    plans: BTreeMap<String, PlanLimits>,
    providers: ProviderSettings,
    catalog: CatalogSettings,
    channels: ChannelSettings,
    discord: DiscordOptions,
}

/// `[channels]`: sales channels.
#[derive(Debug, Clone, Deserialize)]
pub struct ChannelSettings {
    /// Minutes between two state checks of each connected channel.
    pub reconcile_minutes: u64,
}

/// `[discord]`: the guild roles that mirror each plan (role ids; empty: that plan has no
/// role), the reconciler's pace and the bot's answer window.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiscordOptions {
    pub free_role: String,
    pub premium_role: String,
    pub beta_role: String,
    /// Minutes between two runs of the role reconciler.
    pub reconcile_minutes: u64,
    /// How long a bot command may take before its answer is deferred (Discord waits 3 s).
    pub answer_within_ms: u64,
}

/// Discord login, roles, DMs and the bot (all of `DISCORD_*`, or none).
#[derive(Debug, Clone)]
pub struct DiscordSettings {
    pub client_id: String,
    pub client_secret: Secret,
    pub bot_token: Secret,
    pub guild_id: String,
    /// The application's Ed25519 public key that signs interactions.
    pub public_key: [u8; 32],
    pub options: DiscordOptions,
}

/// A secret that never shows up in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct StripeSettings {
    pub secret_key: Secret,
    pub webhook_secret: Secret,
}

/// Photos in an S3-compatible bucket instead of `data/photos` (several server processes).
#[derive(Debug, Clone)]
pub struct PhotoBucket {
    pub bucket: String,
    /// `None` is Amazon S3 itself; MinIO, R2 and other stores give their URL.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub env: Environment,
    pub site_addr: SocketAddr,
    pub public_url: String,
    pub body_limit_bytes: usize,
    pub shutdown_grace_secs: u64,
    pub header_read_timeout_secs: u64,
    pub idle_timeout_secs: u64,
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub checkout: CheckoutSettings,
    pub jobs: JobSettings,
    pub api: ApiSettings,
    pub billing: BillingSettings,
    pub plans: BTreeMap<String, PlanLimits>,
    pub providers: ProviderSettings,
    pub catalog: CatalogSettings,
    pub channels: ChannelSettings,
    /// `None` until resolved: explicit `FLIPDESK_SECRET`, or (development) a generated file.
    pub secret: Option<Secret>,
    pub stripe: Option<StripeSettings>,
    /// `None`: Discord is off and every Discord control is hidden.
    pub discord: Option<DiscordSettings>,
    pub smtp_url: Option<Secret>,
    /// `None`: photo files on the local disk under `data_dir`.
    pub photo_bucket: Option<PhotoBucket>,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

fn bad(setting: &str, why: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("{setting}: {why}"))
}

impl Settings {
    /// Loads settings from the process environment and `./Leptos.toml` (or `FLIPDESK_CONFIG`).
    pub fn load() -> Result<Self, ConfigError> {
        let vars: BTreeMap<String, String> = std::env::vars().collect();
        let file = std::env::var("FLIPDESK_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from("Leptos.toml"));
        Self::from_sources(file.exists().then_some(file), &vars)
    }

    /// Pure loader used by `load` and the unit tests: optional file plus a variable map.
    pub fn from_sources(
        file: Option<PathBuf>,
        vars: &BTreeMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(path) = &file {
            let text =
                std::fs::read_to_string(path).map_err(|e| bad(&path.display().to_string(), e))?;
            figment = figment.merge(Toml::string(&text));
        }
        // FLIPDESK__CHECKOUT__RESERVATION_TTL_SECS=900 → checkout.reservation_ttl_secs = 900
        for (name, value) in vars.iter().filter(|(k, _)| k.starts_with("FLIPDESK__")) {
            let key = name["FLIPDESK__".len()..].to_lowercase().replace("__", ".");
            if key.is_empty() {
                continue;
            }
            let value: figment::value::Value = value.parse().unwrap_or_else(|never| match never {});
            figment = figment.merge(Serialized::global(&key, value));
        }
        let raw: FileSettings = figment.extract().map_err(|e| {
            let first = e.into_iter().next().map(describe_figment_error);
            ConfigError(first.unwrap_or_else(|| "invalid settings".into()))
        })?;
        Self::resolve(raw, vars)
    }

    fn resolve(raw: FileSettings, vars: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let var = |name: &str| {
            vars.get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        let env_text = var("FLIPDESK_ENV").unwrap_or(raw.server.env.clone());
        let env = match env_text.to_lowercase().as_str() {
            "development" | "dev" => Environment::Development,
            "production" | "prod" => Environment::Production,
            other => {
                return Err(bad(
                    "FLIPDESK_ENV",
                    format!("\"{other}\" is neither development nor production"),
                ));
            }
        };

        let (addr_name, addr_text) = match var("LEPTOS_SITE_ADDR") {
            Some(v) => ("LEPTOS_SITE_ADDR", v),
            None => ("server.site_addr", raw.server.site_addr.clone()),
        };
        let site_addr: SocketAddr = addr_text.parse().map_err(|_| {
            bad(
                addr_name,
                format!("\"{addr_text}\" is not an address like 127.0.0.1:3000"),
            )
        })?;

        let (url_name, url_text) = match var("FLIPDESK_PUBLIC_URL") {
            Some(v) => ("FLIPDESK_PUBLIC_URL", v),
            None => (
                "server.public_url",
                raw.server.public_url.trim().to_string(),
            ),
        };
        let public_url = if url_text.is_empty() {
            format!("http://{site_addr}")
        } else {
            check_base_url(url_name, &url_text)?
        };

        let mut database = raw.database;
        if let Some(url) = var("DATABASE_URL") {
            database.url = url;
        }
        if !(database.url.starts_with("sqlite:")
            || database.url.starts_with("postgres://")
            || database.url.starts_with("postgresql://"))
        {
            return Err(bad(
                "DATABASE_URL",
                "must start with sqlite:// or postgres://",
            ));
        }
        if database.max_connections == 0 {
            return Err(bad("database.max_connections", "must be at least 1"));
        }

        if raw.server.header_read_timeout_secs == 0 || raw.server.idle_timeout_secs == 0 {
            return Err(bad(
                "server",
                "connection timeouts must be at least 1 second",
            ));
        }
        if raw.server.body_limit_bytes < 1024 {
            return Err(bad("server.body_limit_bytes", "must be at least 1024"));
        }
        if raw.auth.session_days < 1 {
            return Err(bad("auth.session_days", "must be at least 1"));
        }
        if raw.auth.login_attempts_per_ip_per_minute == 0
            || raw.auth.login_failures_per_account == 0
        {
            return Err(bad("auth", "log-in limits must be at least 1"));
        }
        if raw.auth.signup_attempts_per_ip_per_hour == 0 {
            return Err(bad(
                "auth.signup_attempts_per_ip_per_hour",
                "must be at least 1",
            ));
        }
        for (name, value) in [
            (
                "api.list_key_requests_per_minute",
                raw.api.list_key_requests_per_minute,
            ),
            (
                "api.key_regenerations_per_list_per_hour",
                raw.api.key_regenerations_per_list_per_hour,
            ),
            (
                "api.key_regenerations_per_account_per_hour",
                raw.api.key_regenerations_per_account_per_hour,
            ),
        ] {
            if value == 0 {
                return Err(bad(name, "must be at least 1"));
            }
        }
        if raw.checkout.reservation_ttl_secs < 1 {
            return Err(bad("checkout.reservation_ttl_secs", "must be at least 1"));
        }
        if raw.checkout.sessions_per_ip_per_minute == 0
            || raw.checkout.sessions_per_store_per_minute == 0
            || raw.checkout.most_units_held_per_buyer < 1
        {
            return Err(bad("checkout", "checkout limits must be at least 1"));
        }
        if raw.checkout.manual_payment_hold_hours < 1 {
            return Err(bad(
                "checkout.manual_payment_hold_hours",
                "must be at least 1",
            ));
        }
        for plan in ["free", "premium"] {
            if !raw.plans.contains_key(plan) {
                return Err(bad(&format!("plans.{plan}"), "is missing"));
            }
        }

        for (name, price) in [
            (
                "billing.premium_monthly_price",
                &raw.billing.premium_monthly_price,
            ),
            (
                "billing.premium_yearly_price",
                &raw.billing.premium_yearly_price,
            ),
        ] {
            if !price.is_empty() && !price.starts_with("price_") {
                return Err(bad(name, "must be a Stripe price id (price_…) or empty"));
            }
        }

        let mut providers = raw.providers;
        for (name, slot) in [
            ("STRIPE_API_BASE", &mut providers.stripe_api_base),
            ("DISCORD_API_BASE", &mut providers.discord_api_base),
        ] {
            if let Some(v) = var(name) {
                *slot = v;
            }
            *slot = check_base_url(name, slot)?;
        }
        // A catalog provider can be turned off: `off` (or an empty value in the file).
        for (name, slot) in [
            ("STOCKX_API_BASE", &mut providers.stockx_api_base),
            ("CARDMARKET_API_BASE", &mut providers.cardmarket_api_base),
            ("POKEMONTCG_API_BASE", &mut providers.pokemontcg_api_base),
            ("SCRYFALL_API_BASE", &mut providers.scryfall_api_base),
        ] {
            if let Some(v) = var(name) {
                *slot = v;
            }
            *slot = match slot.trim() {
                "" | "off" => String::new(),
                value => check_base_url(name, value)?,
            };
        }
        providers.stockx_api_key = var("STOCKX_API_KEY").map(Secret::new);
        providers.stockx_access_token = var("STOCKX_ACCESS_TOKEN").map(Secret::new);
        providers.pokemontcg_api_key = var("POKEMONTCG_API_KEY").map(Secret::new);
        let catalog = raw.catalog;
        if catalog.provider_timeout_ms == 0 || catalog.provider_attempts == 0 {
            return Err(bad(
                "catalog.provider_timeout_ms / provider_attempts",
                "must be at least 1",
            ));
        }
        if let Some(game) = catalog
            .cardmarket_games
            .iter()
            .find(|g| ![1, 3, 6].contains(*g))
        {
            return Err(bad(
                "catalog.cardmarket_games",
                format!("{game} is not 1 (Magic), 3 (Yu-Gi-Oh!) or 6 (Pokémon)"),
            ));
        }

        let secret = match var("FLIPDESK_SECRET") {
            Some(s) if s.len() < 32 => {
                return Err(bad("FLIPDESK_SECRET", "must be at least 32 characters"));
            }
            Some(s) => Some(Secret::new(s)),
            None if env == Environment::Production => {
                return Err(bad(
                    "FLIPDESK_SECRET",
                    "is required when FLIPDESK_ENV=production",
                ));
            }
            None => None,
        };

        let stripe = match (var("STRIPE_SECRET_KEY"), var("STRIPE_WEBHOOK_SECRET")) {
            (Some(key), Some(hook)) => Some(StripeSettings {
                secret_key: Secret::new(key),
                webhook_secret: Secret::new(hook),
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(bad(
                    "STRIPE_WEBHOOK_SECRET",
                    "is required when STRIPE_SECRET_KEY is set",
                ));
            }
            (None, Some(_)) => {
                return Err(bad(
                    "STRIPE_SECRET_KEY",
                    "is required when STRIPE_WEBHOOK_SECRET is set",
                ));
            }
        };

        let photo_bucket = photo_bucket(&var)?;
        let discord = discord(&var, raw.discord)?;

        Ok(Settings {
            env,
            site_addr,
            public_url,
            body_limit_bytes: raw.server.body_limit_bytes,
            shutdown_grace_secs: raw.server.shutdown_grace_secs,
            header_read_timeout_secs: raw.server.header_read_timeout_secs,
            idle_timeout_secs: raw.server.idle_timeout_secs,
            data_dir: raw.server.data_dir,
            database,
            auth: raw.auth,
            checkout: raw.checkout,
            jobs: raw.jobs,
            api: raw.api,
            billing: raw.billing,
            plans: raw.plans,
            providers,
            catalog,
            channels: raw.channels,
            secret,
            stripe,
            discord,
            smtp_url: var("SMTP_URL").map(Secret::new),
            photo_bucket,
        })
    }

    pub fn is_production(&self) -> bool {
        self.env == Environment::Production
    }

    /// The secret key, generating and keeping one under `data/` for local runs.
    pub fn ensure_secret(&mut self) -> Result<Secret, ConfigError> {
        if let Some(secret) = &self.secret {
            return Ok(secret.clone());
        }
        let path = self.data_dir.join("secret.key");
        let secret = match std::fs::read_to_string(&path) {
            Ok(text) if text.trim().len() >= 32 => Secret::new(text.trim()),
            _ => {
                std::fs::create_dir_all(&self.data_dir).map_err(|e| {
                    bad(
                        "server.data_dir",
                        format!("{}: {e}", self.data_dir.display()),
                    )
                })?;
                let value = crate::server::crypto::random_token(48);
                write_private_file(&path, &value).map_err(|e| {
                    bad(
                        "FLIPDESK_SECRET",
                        format!("cannot write {}: {e}", path.display()),
                    )
                })?;
                Secret::new(value)
            }
        };
        self.secret = Some(secret.clone());
        Ok(secret)
    }
}

#[cfg(unix)]
fn write_private_file(path: &std::path::Path, value: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(value.as_bytes())
}

#[cfg(not(unix))]
fn write_private_file(path: &std::path::Path, value: &str) -> std::io::Result<()> {
    std::fs::write(path, value)
}

/// `PHOTOS_S3_BUCKET` turns the bucket on; its credentials are then required.
fn photo_bucket(var: &dyn Fn(&str) -> Option<String>) -> Result<Option<PhotoBucket>, ConfigError> {
    let Some(bucket) = var("PHOTOS_S3_BUCKET") else {
        for name in [
            "PHOTOS_S3_ENDPOINT",
            "PHOTOS_S3_ACCESS_KEY_ID",
            "PHOTOS_S3_SECRET_ACCESS_KEY",
        ] {
            if var(name).is_some() {
                return Err(bad(name, "is set but PHOTOS_S3_BUCKET is not"));
            }
        }
        return Ok(None);
    };
    let required =
        |name: &str| var(name).ok_or_else(|| bad(name, "is required when PHOTOS_S3_BUCKET is set"));
    let endpoint = var("PHOTOS_S3_ENDPOINT")
        .map(|url| check_base_url("PHOTOS_S3_ENDPOINT", &url))
        .transpose()?;
    Ok(Some(PhotoBucket {
        bucket,
        endpoint,
        region: var("PHOTOS_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        access_key_id: required("PHOTOS_S3_ACCESS_KEY_ID")?,
        secret_access_key: Secret::new(required("PHOTOS_S3_SECRET_ACCESS_KEY")?),
    }))
}

/// Discord is on when all of its variables are set, off when none is; some is a mistake.
fn discord(
    var: &impl Fn(&str) -> Option<String>,
    options: DiscordOptions,
) -> Result<Option<DiscordSettings>, ConfigError> {
    const NAMES: [&str; 5] = [
        "DISCORD_CLIENT_ID",
        "DISCORD_CLIENT_SECRET",
        "DISCORD_BOT_TOKEN",
        "DISCORD_GUILD_ID",
        "DISCORD_PUBLIC_KEY",
    ];
    let values: Vec<Option<String>> = NAMES.iter().map(|n| var(n)).collect();
    if values.iter().all(Option::is_none) {
        return Ok(None);
    }
    if let Some(missing) = NAMES.iter().zip(&values).find(|(_, v)| v.is_none()) {
        return Err(bad(
            missing.0,
            "is required when any DISCORD_* variable is set",
        ));
    }
    let [client_id, client_secret, bot_token, guild_id, public_key] =
        <[Option<String>; 5]>::try_from(values)
            .expect("five names")
            .map(Option::unwrap_or_default);
    let key = hex::decode(public_key.trim())
        .ok()
        .and_then(|k| <[u8; 32]>::try_from(k).ok())
        .ok_or_else(|| {
            bad(
                "DISCORD_PUBLIC_KEY",
                "must be the application's public key: 64 hex digits",
            )
        })?;
    Ok(Some(DiscordSettings {
        client_id,
        client_secret: Secret::new(client_secret),
        bot_token: Secret::new(bot_token),
        guild_id,
        public_key: key,
        options,
    }))
}

fn check_base_url(name: &str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim().trim_end_matches('/');
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .ok_or_else(|| {
            bad(
                name,
                format!("\"{value}\" must start with http:// or https://"),
            )
        })?;
    if rest.is_empty() || rest.contains(' ') {
        return Err(bad(name, format!("\"{value}\" is not a URL")));
    }
    Ok(value.to_string())
}

fn describe_figment_error(e: figment::Error) -> String {
    let key = if e.path.is_empty() {
        "settings".to_string()
    } else {
        e.path.join(".")
    };
    format!("{key}: {}", e.kind).replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_need_no_variables() {
        let s = Settings::from_sources(None, &vars(&[])).unwrap();
        assert_eq!(s.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.public_url, "http://127.0.0.1:3000");
        assert_eq!(s.database.url, "sqlite://data/flipdesk.db");
        assert_eq!(s.checkout.reservation_ttl_secs, 600);
        assert_eq!(s.env, Environment::Development);
        assert!(s.stripe.is_none());
        assert_eq!(s.providers.stripe_api_base, "https://api.stripe.com");
    }

    #[test]
    fn catalog_providers_can_be_turned_off_and_keep_their_keys_secret() {
        let s = Settings::from_sources(
            None,
            &vars(&[
                ("SCRYFALL_API_BASE", "off"),
                ("STOCKX_API_BASE", "http://127.0.0.1:9000/stockx/"),
                ("STOCKX_API_KEY", "sx-key"),
                ("FLIPDESK__CATALOG__CARDMARKET_GAMES", "[6]"),
            ]),
        )
        .unwrap();
        assert_eq!(s.providers.scryfall_api_base, "");
        assert_eq!(s.providers.stockx_api_base, "http://127.0.0.1:9000/stockx");
        assert_eq!(s.providers.pokemontcg_api_base, "https://api.pokemontcg.io");
        assert_eq!(s.catalog.cardmarket_games, vec![6]);
        assert!(!format!("{s:?}").contains("sx-key"));
        let err =
            Settings::from_sources(None, &vars(&[("POKEMONTCG_API_BASE", "ftp://x")])).unwrap_err();
        assert!(err.to_string().contains("POKEMONTCG_API_BASE"), "{err}");
        let err = Settings::from_sources(
            None,
            &vars(&[("FLIPDESK__CATALOG__CARDMARKET_GAMES", "[2]")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("cardmarket_games"), "{err}");
    }

    #[test]
    fn nested_variables_override_the_file() {
        let s = Settings::from_sources(
            None,
            &vars(&[
                ("FLIPDESK__CHECKOUT__RESERVATION_TTL_SECS", "900"),
                ("FLIPDESK__AUTH__SESSION_DAYS", "7"),
                ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
                ("DATABASE_URL", "postgres://u@localhost/db"),
                ("STRIPE_API_BASE", "http://127.0.0.1:9999/"),
            ]),
        )
        .unwrap();
        assert_eq!(s.checkout.reservation_ttl_secs, 900);
        assert_eq!(s.auth.session_days, 7);
        assert_eq!(s.site_addr.port(), 8080);
        assert_eq!(s.database.url, "postgres://u@localhost/db");
        assert_eq!(s.providers.stripe_api_base, "http://127.0.0.1:9999");
    }

    #[test]
    fn a_photo_bucket_needs_its_credentials_and_nothing_leaks() {
        let with = |pairs: &[(&str, &str)]| Settings::from_sources(None, &vars(pairs));
        assert!(with(&[]).unwrap().photo_bucket.is_none());
        let s = with(&[
            ("PHOTOS_S3_BUCKET", "flipdesk-photos"),
            ("PHOTOS_S3_ENDPOINT", "http://127.0.0.1:9000/"),
            ("PHOTOS_S3_ACCESS_KEY_ID", "key"),
            ("PHOTOS_S3_SECRET_ACCESS_KEY", "very-secret"),
        ])
        .unwrap();
        let bucket = s.photo_bucket.unwrap();
        assert_eq!(bucket.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(bucket.region, "us-east-1");
        assert!(!format!("{bucket:?}").contains("very-secret"));
        let err = with(&[("PHOTOS_S3_BUCKET", "b"), ("PHOTOS_S3_ACCESS_KEY_ID", "k")])
            .unwrap_err()
            .0;
        assert!(err.starts_with("PHOTOS_S3_SECRET_ACCESS_KEY"), "{err}");
        let err = with(&[("PHOTOS_S3_ENDPOINT", "http://x")]).unwrap_err().0;
        assert!(err.contains("PHOTOS_S3_BUCKET is not"), "{err}");
    }

    #[test]
    fn bad_values_name_the_setting() {
        let err = |pairs: &[(&str, &str)]| {
            Settings::from_sources(None, &vars(pairs))
                .unwrap_err()
                .to_string()
        };
        let e = err(&[("FLIPDESK__CHECKOUT__RESERVATION_TTL_SECS", "soon")]);
        assert!(e.contains("checkout.reservation_ttl_secs"), "{e}");
        assert!(!e.contains('\n'));
        assert!(err(&[("LEPTOS_SITE_ADDR", "nowhere")]).contains("LEPTOS_SITE_ADDR"));
        assert!(err(&[("DATABASE_URL", "mysql://x")]).contains("DATABASE_URL"));
        assert!(err(&[("FLIPDESK_ENV", "staging")]).contains("FLIPDESK_ENV"));
        assert!(err(&[("FLIPDESK_ENV", "production")]).contains("FLIPDESK_SECRET"));
        assert!(err(&[("FLIPDESK_SECRET", "short")]).contains("FLIPDESK_SECRET"));
        assert!(err(&[("STRIPE_SECRET_KEY", "sk_test_x")]).contains("STRIPE_WEBHOOK_SECRET"));
        assert!(err(&[("FLIPDESK_PUBLIC_URL", "example.com")]).contains("FLIPDESK_PUBLIC_URL"));
        assert!(err(&[("FLIPDESK__DATABASE__MAX_CONNECTIONS", "0")]).contains("max_connections"));
    }

    #[test]
    fn malformed_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Leptos.toml");
        std::fs::write(&path, "[server]\nshutdown_grace_secs = \"later\"\n").unwrap();
        let e = Settings::from_sources(Some(path), &vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("server.shutdown_grace_secs"), "{e}");
    }

    #[test]
    fn production_accepts_a_strong_secret_and_hides_it() {
        let s = Settings::from_sources(
            None,
            &vars(&[
                ("FLIPDESK_ENV", "production"),
                ("FLIPDESK_SECRET", &"k".repeat(40)),
            ]),
        )
        .unwrap();
        assert!(s.is_production());
        assert!(!format!("{s:?}").contains("kkkk"));
    }
}
