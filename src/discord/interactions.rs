//! The bot resellers talk to, over HTTP interactions (no gateway): `POST
//! /api/v1/discord/interactions`, Ed25519-verified on the raw body, answering `PING`, and
//! running `/wtb add|list|remove`, `/stock` and `/sales` as the Flipdesk account linked to the
//! Discord user who typed them. Answers are private to that user. A command that takes longer
//! than Discord's window is deferred and its answer sent as a follow-up.

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use std::time::Duration;

use crate::{
    domain::{
        Currency, Money,
        wtb::{WtbItemInput, validate_wtb_item},
    },
    error::AppError,
    server::{discord::verify_interaction, state::AppState},
    with_db,
};

/// Only the invoking user sees the answer.
const EPHEMERAL: u64 = 64;

/// The slash commands `flipdesk discord register-commands` registers.
pub fn commands() -> Value {
    let text = |name: &str, description: &str, required: bool| json!({ "type": 3, "name": name, "description": description, "required": required });
    json!([
        {
            "name": "wtb", "description": "Your Want-To-Buy list on Flipdesk", "type": 1,
            "options": [
                { "type": 1, "name": "add", "description": "Add a wanted item", "options": [
                    text("name", "What you want to buy", true),
                    text("size", "Size, e.g. 10.5", false),
                    text("max_price", "The most you pay, e.g. 250", false),
                    text("list", "Which list (its address); your first list if left out", false),
                ]},
                { "type": 1, "name": "list", "description": "Show your wanted items", "options": [
                    text("list", "Which list (its address); your first list if left out", false),
                ]},
                { "type": 1, "name": "remove", "description": "Remove a wanted item", "options": [
                    text("name", "The wanted item's name", true),
                    text("list", "Which list (its address); your first list if left out", false),
                ]},
            ]
        },
        {
            "name": "stock", "description": "Look up your inventory: units, cost and market value", "type": 1,
            "options": [ text("search", "Name, style id, set…", true) ]
        },
        {
            "name": "sales", "description": "Your sales today or this week", "type": 1,
            "options": [ { "type": 3, "name": "period", "description": "today or week", "required": true,
                "choices": [ { "name": "today", "value": "today" }, { "name": "this week", "value": "week" } ] } ]
        }
    ])
}

fn reply(content: impl Into<String>) -> Value {
    json!({ "content": content.into(), "flags": EPHEMERAL, "allowed_mentions": { "parse": [] } })
}

fn refused(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(settings) = &state.settings.discord else {
        return refused(
            StatusCode::NOT_FOUND,
            "not_found",
            "Discord is not configured here.",
        );
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if !verify_interaction(
        &settings.public_key,
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
        &body,
        now,
    ) {
        return refused(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            "The interaction's signature does not verify.",
        );
    }
    let Ok(interaction) = serde_json::from_slice::<Value>(&body) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "The body is not JSON.",
        );
    };
    match interaction["type"].as_i64() {
        Some(1) => axum::Json(json!({ "type": 1 })).into_response(),
        Some(2) => command(state.clone(), interaction).await,
        _ => refused(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Only PING and slash commands are handled.",
        ),
    }
}

async fn command(state: AppState, interaction: Value) -> Response {
    let invoker = interaction["member"]["user"]["id"]
        .as_str()
        .or(interaction["user"]["id"].as_str())
        .unwrap_or_default()
        .to_string();
    let token = interaction["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let data = interaction["data"].clone();
    let worker = state.clone();
    let mut work = tokio::spawn(async move { run(&worker, &invoker, &data).await });
    let within = state
        .settings
        .discord
        .as_ref()
        .map_or(2_200, |d| d.options.answer_within_ms);
    match tokio::time::timeout(Duration::from_millis(within), &mut work).await {
        Ok(Ok(message)) => axum::Json(json!({ "type": 4, "data": message })).into_response(),
        Ok(Err(_)) => axum::Json(json!({ "type": 4, "data": reply("Something went wrong on Flipdesk's side. Try again in a moment.") })).into_response(),
        Err(_) => {
            // Too slow for the window: say "thinking", answer when done.
            tokio::spawn(async move {
                let message = work.await.unwrap_or_else(|_| {
                    reply("Something went wrong on Flipdesk's side. Try again in a moment.")
                });
                if let Some(discord) = &state.discord
                    && let Err(e) = discord.edit_original(&token, &message).await
                {
                    tracing::warn!(error = %e, "could not send a deferred interaction answer");
                }
            });
            axum::Json(json!({ "type": 5, "data": { "flags": EPHEMERAL } })).into_response()
        }
    }
}

/// An option's text value by name (in `options` of a command or subcommand).
fn option<'a>(options: &'a Value, name: &str) -> &'a str {
    options
        .as_array()
        .and_then(|all| all.iter().find(|o| o["name"] == name))
        .and_then(|o| o["value"].as_str())
        .unwrap_or("")
        .trim()
}

async fn run(state: &AppState, invoker: &str, data: &Value) -> Value {
    let user = match super::service::linked_user(&state.db, invoker).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return reply(format!(
                "Your Discord account is not linked to Flipdesk yet. Log in with Discord at {}/login (or link it from your account page), then try again.",
                state.settings.public_url.trim_end_matches('/')
            ));
        }
        Err(e) => {
            tracing::warn!(error = %e, "interaction: cannot read links");
            return reply("Flipdesk cannot answer right now. Try again in a moment.");
        }
    };
    let result = match data["name"].as_str().unwrap_or_default() {
        "wtb" => {
            let sub = &data["options"][0];
            wtb(
                state,
                &user,
                sub["name"].as_str().unwrap_or_default(),
                &sub["options"],
            )
            .await
        }
        "stock" => stock(state, &user, option(&data["options"], "search")).await,
        "sales" => sales(state, &user, option(&data["options"], "period")).await,
        other => Ok(format!("Flipdesk does not know the command /{other}.")),
    };
    match result {
        Ok(text) => reply(text),
        Err(AppError::Validation { message, .. }) => reply(message),
        Err(e) => {
            tracing::warn!(error = %e, "interaction command failed");
            reply("Flipdesk cannot answer right now. Try again in a moment.")
        }
    }
}

async fn wtb(
    state: &AppState,
    user: &str,
    action: &str,
    options: &Value,
) -> Result<String, AppError> {
    let lists = crate::lists::service::my_lists(&state.db, user).await?;
    let wanted_slug = option(options, "list");
    let list = if wanted_slug.is_empty() {
        lists.first()
    } else {
        lists
            .iter()
            .find(|l| l.slug.eq_ignore_ascii_case(wanted_slug))
    };
    let Some(list) = list else {
        return Ok(if wanted_slug.is_empty() {
            format!(
                "You have no Want-To-Buy list yet: make one at {}/app/lists.",
                state.settings.public_url.trim_end_matches('/')
            )
        } else {
            format!("You have no list at the address “{wanted_slug}”.")
        });
    };
    match action {
        "add" => {
            let input = WtbItemInput {
                name: option(options, "name").to_string(),
                size: option(options, "size").to_string(),
                max_price: option(options, "max_price").to_string(),
                ..Default::default()
            };
            let currency = crate::lists::service::default_currency(&state.db, user).await?;
            let mut draft = validate_wtb_item(&input, currency).map_err(AppError::validation)?;
            crate::lists::items::link_products(state, std::slice::from_mut(&mut draft)).await?;
            let item = crate::lists::items::create_item(&state.db, &list.id, &draft).await?;
            let mut text = format!("Added “{}”", item.name);
            if let Some(size) = &item.size {
                text.push_str(&format!(" (size {size})"));
            }
            if let Some(max) = item.max_price {
                text.push_str(&format!(", up to {max}"));
            }
            text.push_str(&format!(" to {}.", list.name));
            Ok(text)
        }
        "list" => {
            let items = crate::lists::items::all_items(&state.db, &list.id).await?;
            if items.is_empty() {
                return Ok(format!(
                    "{} has no wanted items yet. Add one with /wtb add.",
                    list.name
                ));
            }
            let mut lines = vec![format!("{} ({} wanted):", list.name, items.len())];
            for item in items.iter().take(15) {
                let mut line = format!("• {}", item.name);
                if let Some(size) = &item.size {
                    line.push_str(&format!(" · size {size}"));
                }
                if let Some(max) = item.max_price {
                    line.push_str(&format!(" · up to {max}"));
                }
                lines.push(line);
            }
            if items.len() > 15 {
                lines.push(format!("…and {} more on Flipdesk.", items.len() - 15));
            }
            Ok(lines.join("\n"))
        }
        "remove" => {
            let name = option(options, "name");
            let items = crate::lists::items::all_items(&state.db, &list.id).await?;
            let Some(item) = items
                .iter()
                .find(|i| i.id == name || i.name.eq_ignore_ascii_case(name))
            else {
                return Ok(format!("{} has no wanted item called “{name}”.", list.name));
            };
            crate::lists::items::delete_item(&state.db, &list.id, &item.id, None).await?;
            Ok(format!("Removed “{}” from {}.", item.name, list.name))
        }
        other => Ok(format!(
            "/wtb {other} is not a Flipdesk command: use add, list or remove."
        )),
    }
}

async fn stock(state: &AppState, user: &str, search: &str) -> Result<String, AppError> {
    if search.is_empty() {
        return Ok("Say what to look for: /stock jordan 4".into());
    }
    let query = crate::inventory::types::ItemQuery {
        search: search.to_string(),
        per_page: crate::inventory::types::ItemQuery::MAX_PER_PAGE,
        ..Default::default()
    };
    let page = crate::inventory::listing::list_items(&state.db, user, &query).await?;
    let held: Vec<_> = page.items.iter().filter(|i| i.status.is_held()).collect();
    if held.is_empty() {
        return Ok(format!("Nothing in stock matches “{search}”."));
    }
    // Per currency: units, cost, and market value (cost where no market price is known).
    let ids: Vec<String> = held.iter().map(|i| i.id.clone()).collect();
    let list = crate::server::store::placeholders(2, ids.len());
    let text = format!(
        "SELECT currency, CAST(SUM(quantity) AS BIGINT), CAST(SUM(quantity * purchase_price) AS BIGINT), \
         CAST(SUM(quantity * COALESCE(market_unit, purchase_price)) AS BIGINT) \
         FROM items WHERE owner_user_id = $1 AND id IN ({list}) GROUP BY currency ORDER BY currency"
    );
    let rows: Vec<(String, i64, i64, i64)> = with_db!(&state.db, pool => {
        let mut q = sqlx::query_as(&text).bind(user);
        for id in &ids {
            q = q.bind(id);
        }
        q.fetch_all(pool).await
    })?;
    let mut lines = vec![format!("In stock matching “{search}”:")];
    for (currency, units, cost, market) in rows {
        let c = Currency::parse(&currency).unwrap_or(Currency::Usd);
        lines.push(format!(
            "• {units} unit(s) · cost {} · market value {}",
            Money::new(cost, c),
            Money::new(market, c)
        ));
    }
    if page.total > held.len() as i64 && page.total as u32 > query.per_page {
        lines.push("(the first 200 matching items)".into());
    }
    Ok(lines.join("\n"))
}

async fn sales(state: &AppState, user: &str, period: &str) -> Result<String, AppError> {
    use crate::analytics::types::{PeriodKind, PeriodQuery};
    let week = PeriodQuery {
        kind: PeriodKind::Week,
        ..Default::default()
    };
    let mut kpis = crate::analytics::service::kpis(&state.db, user, &week).await?;
    let label = if period == "today" {
        let today = PeriodQuery {
            kind: PeriodKind::Custom,
            from: kpis.today.clone(),
            to: kpis.today.clone(),
            currency: kpis.currency.clone(),
        };
        kpis = crate::analytics::service::kpis(&state.db, user, &today).await?;
        "Today"
    } else {
        "This week"
    };
    let c = Currency::parse(&kpis.currency).unwrap_or(Currency::Usd);
    Ok(format!(
        "{label}: {} sale(s), {} unit(s), revenue {}, net profit {}.",
        kpis.sales.now,
        kpis.units_sold.now,
        Money::new(kpis.revenue.now, c),
        Money::new(kpis.net_profit.now, c)
    ))
}
