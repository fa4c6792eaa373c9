//! Discord against a local fake: logging in creates or links accounts (never silently), a bad
//! or reused `state` and a Discord outage change nothing, roles follow the plan and drift is
//! repaired, rate limits are honoured, and the bot's interactions are Ed25519-verified and act
//! as the linked reseller.

use flipdesk::{domain::billing::Plan, server::db::Backend, with_db};
use reqwest::{Client, StatusCode};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{Value, json};
use std::time::Duration;

use crate::{
    fake_discord::{FakeDiscord, FakeUser},
    helpers::*,
    on_both_databases,
};

struct Bot {
    pair: Ed25519KeyPair,
}

impl Bot {
    fn new() -> Bot {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        Bot {
            pair: Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap(),
        }
    }

    fn public_hex(&self) -> String {
        hex::encode(self.pair.public_key().as_ref())
    }

    /// Posts an interaction as Discord would (signed now, or at `at`).
    async fn send(&self, app: &TestApp, body: &Value, at: Option<i64>) -> (StatusCode, Value) {
        let body = body.to_string();
        let ts = at
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp())
            .to_string();
        let mut message = ts.as_bytes().to_vec();
        message.extend_from_slice(body.as_bytes());
        let signature = hex::encode(self.pair.sign(&message).as_ref());
        let res = client()
            .post(app.url("/api/v1/discord/interactions"))
            .header("Content-Type", "application/json")
            .header("X-Signature-Ed25519", signature)
            .header("X-Signature-Timestamp", ts)
            .body(body)
            .send()
            .await
            .unwrap();
        json(res).await
    }
}

async fn discord_app(backend: Backend, bot: &Bot, fake: &FakeDiscord) -> TestApp {
    let owned = fake.settings(&bot.public_hex());
    let extra: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_with(backend, &extra).await
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// Starts "Log in with Discord" (or linking), approves on the fake, and follows the way back;
/// answers where Flipdesk sends the browser in the end.
async fn through_discord(
    app: &TestApp,
    fake: &FakeDiscord,
    c: &Client,
    who: &FakeUser,
    link: bool,
) -> String {
    fake.will_approve(who);
    let start = if link {
        "/auth/discord/start?intent=link"
    } else {
        "/auth/discord/start"
    };
    let res = c.get(app.url(start)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let authorize = location(&res);
    assert!(authorize.contains("/oauth2/authorize?"), "{authorize}");
    let res = c.get(authorize).send().await.unwrap();
    let back = location(&res);
    let path = &back[back.find("/auth/discord/callback").unwrap()..];
    let res = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    location(&res)
}

fn discord_user(id: &str, email: &str) -> FakeUser {
    FakeUser {
        id: id.into(),
        username: format!("user{id}"),
        email: email.into(),
        verified: true,
    }
}

/// A newcomer who signed up through Discord (store `slug`), with their jobs run: their
/// signed-in client and account id.
async fn newcomer(
    app: &TestApp,
    fake: &FakeDiscord,
    discord_id: &str,
    slug: &str,
) -> (Client, String) {
    let c = client();
    let email = format!("{slug}@example.com");
    through_discord(app, fake, &c, &discord_user(discord_id, &email), false).await;
    let res = app
        .call(
            &c,
            "discord/signup",
            &[("store_name", slug), ("store_slug", slug)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.run_pending_jobs().await;
    let user: String =
        with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email).fetch_one(pool).await)
        .unwrap();
    (c, user)
}

/// An admin's grant (or its end) of `plan`, as the plans page makes it.
async fn grant(app: &TestApp, user: &str, plan: Option<Plan>, why: &str) {
    flipdesk::billing::service::grant(&app.db, &app.state.settings, user, user, plan, why)
        .await
        .unwrap();
}

async fn linked_to(app: &TestApp, discord_id: &str) -> Option<String> {
    with_db!(&app.db, pool => sqlx::query_scalar::<_, String>(
        "SELECT u.email FROM discord_links d JOIN users u ON u.id = d.user_id WHERE d.discord_user_id = $1")
        .bind(discord_id).fetch_optional(pool).await)
    .unwrap()
}

async fn discord_login_creates_and_links_accounts(backend: Backend) {
    let bot = Bot::new();
    let fake = FakeDiscord::start().await;
    let app = discord_app(backend, &bot, &fake).await;
    let newcomer = discord_user("1001", "newcomer@example.com");

    // A callback nobody started, a wrong state, a reused state: refused, nothing made.
    let c = client();
    let res = c
        .get(app.url("/auth/discord/callback?code=x&state=y"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?discord_error=expired");
    fake.will_approve(&newcomer);
    c.get(app.url("/auth/discord/start")).send().await.unwrap();
    let res = c
        .get(app.url("/auth/discord/callback?code=code-1&state=forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?discord_error=expired");

    // Discord down during the code exchange: a clear message, no account.
    fake.recorded.lock().unwrap().token_fails = Some(503);
    let to = through_discord(&app, &fake, &c, &newcomer, false).await;
    assert_eq!(to, "/login?discord_error=unavailable");
    fake.recorded.lock().unwrap().token_fails = None;
    assert_eq!(app.count("users").await, 0);

    // A newcomer names a store, and is in.
    let to = through_discord(&app, &fake, &c, &newcomer, false).await;
    assert_eq!(to, "/signup/discord");
    let (_, entry) = app.rpc(&c, "discord/entry", json!({})).await;
    assert_eq!(entry["pending"]["email"], "newcomer@example.com");
    assert_eq!(entry["pending"]["signup"], true);
    let res = app
        .call(
            &c,
            "discord/signup",
            &[("store_name", "Cop Shop"), ("store_slug", "cop shop!")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("users").await, 0);
    let res = app
        .call(
            &c,
            "discord/signup",
            &[("store_name", "Cop Shop"), ("store_slug", "cop-shop")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        linked_to(&app, "1001").await.as_deref(),
        Some("newcomer@example.com")
    );
    let (code, me) = app.rpc(&c, "discord/status", json!({})).await;
    assert_eq!(code, StatusCode::OK, "{me}");
    assert_eq!(me["linked_as"], "user1001");
    assert_eq!(me["can_unlink"], false);
    // Tokens are sealed at rest.
    let sealed: String =
        with_db!(&app.db, pool => sqlx::query_scalar("SELECT sealed_tokens FROM discord_links")
        .fetch_one(pool).await)
        .unwrap();
    assert!(!sealed.contains("access-") && !sealed.contains("refresh-"));
    // Discord is the only way in: unlinking is refused.
    let (code, e) = app.rpc(&c, "discord/unlink", json!({})).await;
    assert_eq!(code, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "discord_only_login");

    // Joined the guild, with the free plan's role.
    app.run_pending_jobs().await;
    assert_eq!(fake.roles_of("1001"), Some(vec!["role-free".to_string()]));

    // Next time, Discord logs them straight in.
    let again = client();
    assert_eq!(
        through_discord(&app, &fake, &again, &newcomer, false).await,
        "/app"
    );
    let (code, _) = app.rpc(&again, "discord/status", json!({})).await;
    assert_eq!(code, StatusCode::OK);

    // The same email as an existing account: never linked silently; the password links it.
    let kim = app.reseller("kim").await;
    drop(kim);
    let kims_discord = discord_user("2002", "kim@example.com");
    let k = client();
    assert_eq!(
        through_discord(&app, &fake, &k, &kims_discord, false).await,
        "/login?link=discord"
    );
    assert_eq!(linked_to(&app, "2002").await, None);
    let res = app.login(&k, "kim@example.com", "wrong-password-123").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(linked_to(&app, "2002").await, None);
    let res = app.login(&k, "kim@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        linked_to(&app, "2002").await.as_deref(),
        Some("kim@example.com")
    );

    // Linking from the account page a Discord account someone else holds: refused.
    let (code, _) = app.rpc(&k, "discord/unlink", json!({})).await;
    assert_eq!(code, StatusCode::OK);
    assert!(
        fake.recorded
            .lock()
            .unwrap()
            .revoked
            .iter()
            .any(|t| t.starts_with("refresh-"))
    );
    assert_eq!(linked_to(&app, "2002").await, None);
    let dm_outlets: i64 = with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM alert_hooks h JOIN users u ON u.id = h.owner_user_id WHERE u.email = 'kim@example.com' AND h.dm")
        .fetch_one(pool).await)
    .unwrap();
    assert_eq!(dm_outlets, 0, "unlinking takes the DM outlet with it");
    assert_eq!(
        through_discord(&app, &fake, &k, &newcomer, true).await,
        "/app/account?discord=taken"
    );
    assert_eq!(
        through_discord(&app, &fake, &k, &kims_discord, true).await,
        "/app/account?discord=linked"
    );
    assert_eq!(
        linked_to(&app, "2002").await.as_deref(),
        Some("kim@example.com")
    );

    // An expired access token is refreshed (and kept) when next needed.
    let kim_id: String = with_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM users WHERE email = 'kim@example.com'")
        .fetch_one(pool).await)
    .unwrap();
    with_db!(&app.db, pool => sqlx::query("UPDATE discord_links SET expires_at = 0").execute(pool).await.map(|_| ())).unwrap();
    let discord = app.state.discord.as_ref().unwrap();
    let fresh = flipdesk::discord::service::access_token(&app.state, discord, &kim_id)
        .await
        .unwrap()
        .unwrap();
    let again = flipdesk::discord::service::access_token(&app.state, discord, &kim_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fresh, again, "refreshed once, then kept");
    let expires: i64 = with_db!(&app.db, pool => sqlx::query_scalar("SELECT expires_at FROM discord_links WHERE user_id = $1")
        .bind(&kim_id).fetch_one(pool).await)
    .unwrap();
    assert!(expires > time::OffsetDateTime::now_utc().unix_timestamp());

    // An unverified Discord email cannot make an account.
    let unverified = FakeUser {
        verified: false,
        ..discord_user("3003", "someone@example.com")
    };
    assert_eq!(
        through_discord(&app, &fake, &client(), &unverified, false).await,
        "/login?discord_error=unverified"
    );
    assert!(fake.recorded.lock().unwrap().bot_calls_ok);
}

on_both_databases!(discord_login_creates_and_links_accounts);

async fn roles_follow_the_plan_and_drift_is_repaired(backend: Backend) {
    let bot = Bot::new();
    let fake = FakeDiscord::start().await;
    let app = discord_app(backend, &bot, &fake).await;
    let (_c, user) = newcomer(&app, &fake, "4004", "roles").await;
    assert_eq!(fake.roles_of("4004"), Some(vec!["role-free".to_string()]));

    // Premium: the premium role replaces the free one, after Discord's 429 is waited out.
    fake.recorded.lock().unwrap().role_429s = 1;
    grant(&app, &user, Some(Plan::Premium), "test").await;
    app.run_pending_jobs().await;
    assert_eq!(
        fake.roles_of("4004"),
        Some(vec!["role-free".to_string()]),
        "waits as asked"
    );
    let calls = fake.recorded.lock().unwrap().role_calls;
    app.run_pending_jobs().await;
    assert_eq!(
        fake.recorded.lock().unwrap().role_calls,
        calls,
        "no hammering"
    );
    // The client remembers the bucket in real time, the queue in the app's clock: both pass.
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    app.advance(Duration::from_secs(4)).await;
    assert_eq!(
        fake.roles_of("4004"),
        Some(vec!["role-premium".to_string()])
    );

    // Someone changes roles by hand: the reconciler puts them back, and says what it changed.
    {
        let mut r = fake.recorded.lock().unwrap();
        let roles = r.members.get_mut("4004").unwrap();
        roles.remove("role-premium");
        roles.insert("role-free".into());
        roles.insert("vip".into());
    }
    let changed = flipdesk::discord::roles::reconcile(&app.state)
        .await
        .unwrap();
    assert_eq!(changed, 2);
    assert_eq!(
        fake.roles_of("4004"),
        Some(vec!["role-premium".to_string(), "vip".to_string()])
    );
    assert_eq!(
        flipdesk::discord::roles::reconcile(&app.state)
            .await
            .unwrap(),
        0
    );

    // Back to free.
    grant(&app, &user, None, "test").await;
    app.run_pending_jobs().await;
    assert_eq!(
        fake.roles_of("4004"),
        Some(vec!["role-free".to_string(), "vip".to_string()])
    );

    // A role id the guild does not have: reported and parked, not retried forever.
    fake.recorded.lock().unwrap().roles.remove("role-premium");
    grant(&app, &user, Some(Plan::Premium), "again").await;
    app.run_pending_jobs().await;
    let dead: Vec<String> = with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT last_error FROM jobs WHERE kind = 'discord.sync_member' AND status = 'dead'")
        .fetch_all(pool).await)
    .unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0].contains("does not exist"), "{dead:?}");
}

on_both_databases!(roles_follow_the_plan_and_drift_is_repaired);

fn slash(user: &str, name: &str, options: Value) -> Value {
    json!({ "type": 2, "token": "interaction-token", "member": { "user": { "id": user } },
        "data": { "name": name, "options": options } })
}

fn sub(name: &str, options: Value) -> Value {
    json!([{ "type": 1, "name": name, "options": options }])
}

fn opt(name: &str, value: &str) -> Value {
    json!({ "type": 3, "name": name, "value": value })
}

async fn the_bot_verifies_and_acts_as_the_linked_reseller(backend: Backend) {
    let bot = Bot::new();
    let fake = FakeDiscord::start().await;
    let app = discord_app(backend, &bot, &fake).await;

    // PING, a forged signature, a replayed (stale) request.
    let (code, body) = bot.send(&app, &json!({"type": 1}), None).await;
    assert_eq!((code, body), (StatusCode::OK, json!({"type": 1})));
    let forger = Bot::new();
    let (code, _) = forger.send(&app, &json!({"type": 1}), None).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    let stale = time::OffsetDateTime::now_utc().unix_timestamp() - 600;
    let (code, _) = bot.send(&app, &json!({"type": 1}), Some(stale)).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);

    // Someone not linked is told how to link.
    let (code, body) = bot
        .send(&app, &slash("9999", "wtb", sub("list", json!([]))), None)
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("not linked"),
        "{body}"
    );

    // A linked reseller with a list manages it from Discord.
    let (c, _) = newcomer(&app, &fake, "5005", "bot-shop").await;
    let (code, list) = app
        .rpc(
            &c,
            "lists/create",
            json!({"input": {"name": "Grails", "slug": "", "description": "", "is_public": true}}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{list}");
    let (_, body) = bot
        .send(
            &app,
            &slash(
                "5005",
                "wtb",
                sub(
                    "add",
                    json!([
                        opt("name", "Jordan 4 Bred"),
                        opt("size", "10"),
                        opt("max_price", "300")
                    ]),
                ),
            ),
            None,
        )
        .await;
    let text = body["data"]["content"].as_str().unwrap();
    assert!(
        text.starts_with("Added “Jordan 4 Bred” (size 10), up to $300.00"),
        "{text}"
    );
    assert_eq!(app.count("wtb_items").await, 1);
    let (_, body) = bot
        .send(
            &app,
            &slash(
                "5005",
                "wtb",
                sub("add", json!([opt("name", "x"), opt("max_price", "cheap")])),
            ),
            None,
        )
        .await;
    assert_eq!(body["type"], 4);
    assert_eq!(
        app.count("wtb_items").await,
        1,
        "bad input adds nothing: {body}"
    );
    let (_, body) = bot
        .send(&app, &slash("5005", "wtb", sub("list", json!([]))), None)
        .await;
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("• Jordan 4 Bred · size 10"),
        "{body}"
    );
    let (_, body) = bot
        .send(
            &app,
            &slash(
                "5005",
                "wtb",
                sub("remove", json!([opt("name", "jordan 4 bred")])),
            ),
            None,
        )
        .await;
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Removed"),
        "{body}"
    );
    assert_eq!(app.count("wtb_items").await, 0);

    // Stock and sales read the reseller's own numbers.
    app.rpc(
        &c,
        "inventory/create",
        json!({"input": sneaker_input("2", "FV5029-006", "10"), "status": "in_stock"}),
    )
    .await;
    let (_, body) = bot
        .send(
            &app,
            &slash("5005", "stock", json!([opt("search", "FV5029")])),
            None,
        )
        .await;
    let text = body["data"]["content"].as_str().unwrap();
    assert!(text.contains("2 unit(s)"), "{text}");
    let (_, body) = bot
        .send(
            &app,
            &slash("5005", "sales", json!([opt("period", "today")])),
            None,
        )
        .await;
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Today: 0 sale(s)"),
        "{body}"
    );

    // The CLI's command list is what Discord gets.
    let registered = app
        .state
        .discord
        .as_ref()
        .unwrap()
        .register_commands(&flipdesk::discord::interactions::commands())
        .await
        .unwrap();
    assert_eq!(registered.as_array().unwrap().len(), 3);
}

on_both_databases!(the_bot_verifies_and_acts_as_the_linked_reseller);

async fn subscription_news_and_chosen_types_arrive_as_dms_once(backend: Backend) {
    let bot = Bot::new();
    let fake = FakeDiscord::start().await;
    let app = discord_app(backend, &bot, &fake).await;
    let (c, user) = newcomer(&app, &fake, "6006", "dms").await;
    let dms = || fake.recorded.lock().unwrap().dms.clone();
    // The DM outlet is not one of the page's webhooks.
    let (_, page) = app.rpc(&c, "alerts/hooks", json!({})).await;
    assert_eq!(page["hooks"], json!([]));

    // An upgrade is always a DM.
    grant(&app, &user, Some(Plan::Premium), "test").await;
    app.run_pending_jobs().await;
    let sent = dms();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "6006");
    assert_eq!(sent[0].1["embeds"][0]["title"], "You are on Premium now");
    assert_eq!(sent[0].1["allowed_mentions"]["parse"], json!([]));

    // A failed payment told twice (a repeated Stripe webhook) is one DM.
    for _ in 0..2 {
        flipdesk::server::notify::Notice::new(
            &user,
            "payment_failed",
            flipdesk::domain::inbox::Level::Warning,
            "Your Premium payment failed",
        )
        .once("payment_failed:evt_1")
        .write(&app.db)
        .await
        .unwrap();
        app.run_pending_jobs().await;
    }
    assert_eq!(dms().len(), 2);

    // Other news only for the types chosen.
    let info = |key: &'static str| {
        flipdesk::server::notify::Notice::new(
            &user,
            "order_placed",
            flipdesk::domain::inbox::Level::Info,
            "New order",
        )
        .once(key)
    };
    info("order:1").write(&app.db).await.unwrap();
    app.run_pending_jobs().await;
    assert_eq!(dms().len(), 2);
    let (code, _) = app
        .rpc(&c, "discord/dm-levels", json!({"levels": ["info"]}))
        .await;
    assert_eq!(code, StatusCode::OK);
    let (_, status) = app.rpc(&c, "discord/status", json!({})).await;
    assert_eq!(status["dm_levels"], json!(["info"]));
    info("order:2").write(&app.db).await.unwrap();
    app.run_pending_jobs().await;
    assert_eq!(dms().len(), 3);
    assert_eq!(dms()[2].1["embeds"][0]["title"], "New order");
}

on_both_databases!(subscription_news_and_chosen_types_arrive_as_dms_once);

async fn a_slow_command_is_deferred_and_answered_as_a_follow_up(backend: Backend) {
    let bot = Bot::new();
    let fake = FakeDiscord::start().await;
    // Every command "slow": the answer window is closed at once.
    let mut owned = fake.settings(&bot.public_hex());
    owned.push(("FLIPDESK__DISCORD__ANSWER_WITHIN_MS", "0".into()));
    let extra: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(backend, &extra).await;
    newcomer(&app, &fake, "7007", "slow").await;
    let (code, body) = bot
        .send(
            &app,
            &slash("7007", "sales", json!([opt("period", "week")])),
            None,
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(body, json!({"type": 5, "data": {"flags": 64}}));
    for _ in 0..50 {
        if !fake.recorded.lock().unwrap().followups.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let followups = fake.recorded.lock().unwrap().followups.clone();
    assert_eq!(followups.len(), 1);
    assert!(
        followups[0]["content"]
            .as_str()
            .unwrap()
            .starts_with("This week: 0 sale(s)"),
        "{followups:?}"
    );
}

on_both_databases!(a_slow_command_is_deferred_and_answered_as_a_follow_up);
