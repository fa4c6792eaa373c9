//! Operator tooling, outside the plumbing: the command line (`serve`, `migrate`, `seed-demo`,
//! `user create`, `api-key regenerate`, `backup`, `restore`, and — built with the `bench`
//! feature only — `bench`), one file per command that does more than call a service. Every
//! command exits non-zero with a one-line reason on bad input or bad configuration, never a
//! backtrace.

pub mod backup;
#[cfg(feature = "bench")]
pub mod bench;
pub mod demo;
pub mod seed;

use clap::{Parser, Subcommand};
use std::{path::PathBuf, process::ExitCode, time::Duration};

use crate::domain::{Email, Role, account};
use crate::server::{config::Settings, db::Db, http, telemetry};

#[derive(Parser)]
#[command(
    name = "flipdesk",
    version,
    about = "Inventory, storefront and WTB lists for resellers"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, then serve HTTP and run the background workers (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Create (idempotently) the demo reseller, store `demo` and list `demo-wants`.
    SeedDemo,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage WTB list API keys.
    ApiKey {
        #[command(subcommand)]
        action: ApiKeyAction,
    },
    /// Discord's bot (needs the DISCORD_* variables).
    Discord {
        #[command(subcommand)]
        action: DiscordAction,
    },
    /// The product catalog: import files, resolve messy text.
    Catalog {
        #[command(subcommand)]
        action: CatalogAction,
    },
    /// Sales channels: connect another app to a store.
    Channel {
        #[command(subcommand)]
        action: ChannelAction,
    },
    /// Consistent online backup of the database into FILE.
    Backup { file: PathBuf },
    /// Restore FILE into an empty database of the same kind.
    Restore { file: PathBuf },
    /// Seed a throwaway database and measure routes under load (see README).
    #[cfg(feature = "bench")]
    Bench(bench::BenchArgs),
    /// The benchmark's stream holder (`bench --events` starts it as a second process).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchStreams {
        #[arg(long)]
        base: String,
        #[arg(long)]
        users: usize,
        #[arg(long)]
        streams: usize,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Create an account and print its id.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// user (default), ops or admin
        #[arg(long, default_value = "user")]
        role: String,
    },
}

#[derive(Subcommand)]
enum DiscordAction {
    /// Register (replace) the bot's slash commands: /wtb, /stock and /sales.
    RegisterCommands,
}

#[derive(Subcommand)]
enum CatalogAction {
    /// Load Flipdesk catalog files (JSON lines) and Cardmarket product lists / price guides.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Resolve each QUERY to a catalog product; one JSON object per line.
    Resolve {
        #[arg(required = true)]
        queries: Vec<String>,
        /// Only the local catalog: no external provider is called.
        #[arg(long)]
        local_only: bool,
    },
}

#[derive(Subcommand)]
enum ChannelAction {
    /// Connect an app speaking the channel protocol; prints its id, then its secret (once).
    Add {
        /// The store's slug or id.
        #[arg(long)]
        store: String,
        #[arg(long)]
        name: String,
        /// Where Flipdesk sends the channel's events.
        #[arg(long)]
        webhook: String,
    },
}

#[derive(Subcommand)]
enum ApiKeyAction {
    /// Issue a new key for a list (slug or id), print it once, invalidate the old one.
    Regenerate {
        #[arg(long)]
        list: String,
    },
}

pub async fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // clap explains over several lines; keep what precedes the usage, on one line.
            let text = e.render().to_string();
            let reason: Vec<&str> = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let reason = reason.join(" ");
            eprintln!(
                "flipdesk: {} (see flipdesk --help)",
                reason.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    match execute(cli.command.unwrap_or(Command::Serve)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("flipdesk: {}", message.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

async fn open_database(settings: &Settings) -> Result<Db, String> {
    let db = Db::connect(&settings.database)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

async fn execute(command: Command) -> Result<(), String> {
    #[cfg(feature = "bench")]
    if let Command::Bench(args) = command {
        return bench::run(args).await;
    }
    #[cfg(feature = "bench")]
    if let Command::BenchStreams {
        base,
        users,
        streams,
    } = command
    {
        return bench::hold_streams(&base, users, streams).await;
    }
    let settings = Settings::load().map_err(|e| e.to_string())?;
    match command {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            telemetry::init(settings.is_production());
            open_database(&settings).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::SeedDemo => {
            let db = open_database(&settings).await?;
            let state =
                crate::capabilities::build_state(settings, db).map_err(|e| e.to_string())?;
            let report = seed::seed_demo(&state).await.map_err(|e| e.to_string())?;
            println!("{report}");
            Ok(())
        }
        Command::User {
            action:
                UserAction::Create {
                    email,
                    password,
                    role,
                },
        } => {
            let role = Role::parse(&role)?;
            let email = Email::parse(&email).map_err(|m| format!("--email: {m}"))?;
            account::check_new_password(&password, email.as_str())
                .map_err(|m| format!("--password: {m}"))?;
            let db = open_database(&settings).await?;
            let id = seed::create_user(&db, &email, &password, role)
                .await
                .map_err(|e| match e {
                    crate::error::AppError::Validation { message, .. } => message,
                    other => other.to_string(),
                })?;
            println!("{id}");
            Ok(())
        }
        Command::ApiKey {
            action: ApiKeyAction::Regenerate { list },
        } => {
            let mut settings = settings;
            let secret = settings.ensure_secret().map_err(|e| e.to_string())?;
            let db = open_database(&settings).await?;
            let key = seed::regenerate_list_key(&db, &secret, &list)
                .await
                .map_err(|e| e.to_string())?;
            println!("{key}");
            Ok(())
        }
        Command::Discord {
            action: DiscordAction::RegisterCommands,
        } => {
            let Some(discord) = &settings.discord else {
                return Err("Discord is not configured: set the DISCORD_* variables".into());
            };
            let client =
                crate::server::discord::Discord::new(discord, &settings.providers.discord_api_base);
            let registered = client
                .register_commands(&crate::discord::interactions::commands())
                .await
                .map_err(|e| e.to_string())?;
            let names: Vec<&str> = registered
                .as_array()
                .map(|all| all.iter().filter_map(|c| c["name"].as_str()).collect())
                .unwrap_or_default();
            println!(
                "registered {} commands: /{}",
                names.len(),
                names.join(", /")
            );
            Ok(())
        }
        Command::Catalog { action } => catalog(&settings, action).await,
        Command::Channel {
            action:
                ChannelAction::Add {
                    store,
                    name,
                    webhook,
                },
        } => {
            use crate::domain::channels::{ChannelInput, validate_channel};
            let draft = validate_channel(&ChannelInput {
                name,
                kind: "connected".into(),
                webhook_url: webhook,
            })
            .map_err(|e| {
                e.0.iter()
                    .map(|(field, message)| {
                        format!("--{}: {message}", field.replace("webhook_url", "webhook"))
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
            let mut settings = settings;
            let secret = settings.ensure_secret().map_err(|e| e.to_string())?;
            let db = open_database(&settings).await?;
            let owner = crate::channels::service::store_owner(&db, &store)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("--store: no store \"{store}\""))?;
            let policy = crate::server::outbound::Policy::for_settings(&settings);
            let added = crate::channels::service::add_channel(&db, &secret, policy, &owner, &draft)
                .await
                .map_err(|e| match e {
                    crate::error::AppError::Validation { message, .. } => message,
                    other => other.to_string(),
                })?;
            println!("{}", added.id);
            println!("{}", added.secret.unwrap_or_default());
            Ok(())
        }
        Command::Backup { file } => {
            let db = Db::connect(&settings.database)
                .await
                .map_err(|e| e.to_string())?;
            backup::backup(&db, &settings.database.url, &file).await?;
            println!("backup written to {}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            backup::restore(&settings.database, &file).await?;
            println!(
                "restored {} into {}",
                file.display(),
                crate::server::db::redact_url(&settings.database.url)
            );
            Ok(())
        }
        #[cfg(feature = "bench")]
        Command::Bench(_) | Command::BenchStreams { .. } => unreachable!("handled above"),
    }
}

async fn catalog(settings: &Settings, action: CatalogAction) -> Result<(), String> {
    use crate::catalog::{import, providers, resolve};
    match action {
        CatalogAction::Import { files } => {
            for file in &files {
                if !file.is_file() {
                    return Err(format!("{}: no such file", file.display()));
                }
            }
            let db = open_database(settings).await?;
            let mut failed = false;
            for file in &files {
                match import::import_file(&db, file, "import").await {
                    Ok(report) => {
                        println!("{}: {report}", file.display());
                        failed |= !report.rejected.is_empty();
                    }
                    Err(e) => return Err(e.to_string()),
                }
            }
            db.close().await;
            // Rejected lines are reported above; the exit code says some were.
            if failed {
                return Err("some lines were rejected (see above)".into());
            }
            Ok(())
        }
        CatalogAction::Resolve {
            queries,
            local_only,
        } => {
            let db = open_database(settings).await?;
            let providers = if local_only {
                providers::Providers::default()
            } else {
                providers::Providers::from_settings(settings, &Default::default())
            };
            let index = resolve::SharedIndex::default();
            let lookup = resolve::Lookup::default();
            for query in &queries {
                let answer = resolve::resolve(
                    &db,
                    &index,
                    &lookup,
                    &providers,
                    time::OffsetDateTime::now_utc(),
                    query,
                )
                .await
                .map_err(|e| e.to_string())?;
                println!(
                    "{}",
                    serde_json::to_string(&answer).map_err(|e| e.to_string())?
                );
            }
            // The calls cost money: say how many were made (stdout stays one object per line).
            let calls: Vec<String> = providers
                .calls()
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| format!("{name} {n}"))
                .collect();
            if !calls.is_empty() {
                eprintln!("external calls: {}", calls.join(", "));
            }
            db.close().await;
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> Result<(), String> {
    telemetry::init(settings.is_production());
    let db = open_database(&settings).await?;
    let grace = Duration::from_secs(settings.shutdown_grace_secs);
    let addr = settings.site_addr;
    let state =
        crate::capabilities::build_state(settings, db.clone()).map_err(|e| e.to_string())?;
    let sweeper = tokio::spawn(
        crate::server::sessions::SessionBackend::new(db.clone())
            .sweep_expired(Duration::from_secs(3600)),
    );
    let server = http::start(state, addr).await.map_err(|e| e.to_string())?;
    tracing::info!(addr = %server.addr, backend = ?db.backend(), "Flipdesk is listening");
    http::shutdown_signal().await;
    tracing::info!("shutting down: finishing in-flight requests");
    server.shutdown(grace).await;
    sweeper.abort();
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}
