//! Premium through Stripe Billing and referrals: upgrading opens Stripe Checkout in
//! subscription mode for one Stripe customer; the subscription's events decide the plan in
//! any order and any number of times (an older event never undoes a newer one, a cancelled
//! subscription stays cancelled); a failed renewal keeps premium for the grace period; a
//! referral gives a trial and rewards the referrer exactly once.

use crate::{
    fake_stripe::{self, FakeStripe, deliver, webhook},
    helpers::*,
    on_both_databases,
};
use flipdesk::{server::db::Backend, with_db};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const DAY: i64 = 24 * 60 * 60;

async fn premium_app(backend: Backend, fake: &FakeStripe) -> TestApp {
    let env = fake.env();
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.extend_from_slice(&[
        ("FLIPDESK__BILLING__PREMIUM_MONTHLY_PRICE", "price_monthly"),
        ("FLIPDESK__BILLING__PREMIUM_YEARLY_PRICE", "price_yearly"),
        ("FLIPDESK__BILLING__GRACE_DAYS", "7"),
        ("FLIPDESK__PLANS__FREE__ITEMS", "1"),
    ]);
    spawn_app_with(backend, &vars).await
}

async fn overview(app: &TestApp, c: &Client) -> Value {
    let (status, body) = app.rpc(c, "billing/overview", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn plan(app: &TestApp, c: &Client) -> String {
    overview(app, c).await["plan"].as_str().unwrap().to_string()
}

async fn user_id(app: &TestApp, c: &Client) -> String {
    let (_, me) = json(app.call(c, "auth/me", &[]).await).await;
    me["user_id"].as_str().unwrap().to_string()
}

/// A subscription event as Stripe sends it (API 2025+: the period on the items).
fn subscription(
    kind: &str,
    id: &str,
    at: i64,
    who: &Who,
    status: &str,
    period_start: i64,
) -> Value {
    json!({"id": id, "object": "event", "type": kind, "created": at, "data": {"object": {
        "id": who.subscription, "object": "subscription", "customer": who.customer, "status": status,
        "cancel_at_period_end": false, "metadata": {"user_id": who.user},
        "items": {"data": [{"price": {"id": "price_monthly"}, "current_period_start": period_start,
            "current_period_end": period_start + 30 * DAY}]}}}})
}

fn invoice(kind: &str, id: &str, at: i64, who: &Who, invoice: &str, amount: i64) -> Value {
    json!({"id": id, "object": "event", "type": kind, "created": at, "data": {"object": {
        "id": invoice, "object": "invoice", "customer": who.customer, "currency": "usd",
        "amount_paid": if kind == "invoice.paid" { amount } else { 0 }, "amount_due": amount, "created": at,
        "hosted_invoice_url": format!("https://invoice.stripe.test/{invoice}"),
        "parent": {"subscription_details": {"subscription": who.subscription, "metadata": {"user_id": who.user}}}}}})
}

struct Who {
    user: String,
    customer: String,
    subscription: String,
}

/// created → paid → renewal fails (grace) → paid → cancelled, a second apart or more.
fn lifecycle(who: &Who, now: i64) -> Vec<Value> {
    let tag = &who.subscription;
    let period = now - DAY;
    vec![
        subscription(
            "customer.subscription.created",
            &format!("evt_{tag}_1"),
            now - 100,
            who,
            "active",
            period - 30 * DAY,
        ),
        invoice(
            "invoice.paid",
            &format!("evt_{tag}_2"),
            now - 99,
            who,
            &format!("in_{tag}_1"),
            900,
        ),
        subscription(
            "customer.subscription.updated",
            &format!("evt_{tag}_3"),
            now - 50,
            who,
            "past_due",
            period,
        ),
        invoice(
            "invoice.payment_failed",
            &format!("evt_{tag}_4"),
            now - 50,
            who,
            &format!("in_{tag}_2"),
            900,
        ),
        invoice(
            "invoice.paid",
            &format!("evt_{tag}_5"),
            now - 20,
            who,
            &format!("in_{tag}_2"),
            900,
        ),
        subscription(
            "customer.subscription.updated",
            &format!("evt_{tag}_6"),
            now - 20,
            who,
            "active",
            period,
        ),
        subscription(
            "customer.subscription.deleted",
            &format!("evt_{tag}_7"),
            now - 10,
            who,
            "canceled",
            period,
        ),
    ]
}

async fn state_of(app: &TestApp, who: &Who) -> (String, Vec<(String, String)>) {
    let status: String = with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT status FROM subscriptions WHERE id = $1").bind(&who.subscription).fetch_one(pool).await)
    .unwrap();
    let invoices: Vec<(String, String)> = with_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, status FROM invoices WHERE user_id = $1 ORDER BY id").bind(&who.user).fetch_all(pool).await)
    .unwrap();
    (status, invoices)
}

async fn premium_follows_the_subscription_in_any_order(backend: Backend) {
    let fake = fake_stripe::start().await;
    let app = premium_app(backend, &fake).await;
    let c = app.reseller("kai").await;
    let kai = user_id(&app, &c).await;
    let before = overview(&app, &c).await;
    assert_eq!(before["plan"], "free");
    assert_eq!(before["for_sale"], json!({"monthly": true, "yearly": true}));

    // The portal needs a customer, which the first upgrade makes.
    let (status, body) = app.rpc(&c, "billing/portal", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, url) = app
        .rpc(&c, "billing/upgrade", json!({"interval": "monthly"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{url}");
    assert!(
        url.as_str()
            .unwrap()
            .starts_with("https://checkout.stripe.test/"),
        "{url}"
    );
    let (status, _) = app
        .rpc(&c, "billing/upgrade", json!({"interval": "yearly"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .rpc(&c, "billing/upgrade", json!({"interval": "weekly"}))
        .await;
    assert!(status.is_client_error(), "{body}");
    {
        let r = fake.recorded.lock().unwrap();
        assert_eq!(
            r.customers.len(),
            1,
            "one Stripe customer for every upgrade"
        );
        assert_eq!(r.subscription_sessions.len(), 2);
        let (_, first) = &r.subscription_sessions[0];
        for expected in [
            "mode=subscription",
            "customer=cus_test_1",
            "line_items[0][price]=price_monthly",
            &format!("subscription_data[metadata][user_id]={kai}"),
        ] {
            let decoded = first.replace("%5B", "[").replace("%5D", "]");
            assert!(decoded.contains(expected), "{expected} in {decoded}");
        }
    }
    let (status, portal) = app.rpc(&c, "billing/portal", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{portal}");
    assert_eq!(
        fake.recorded.lock().unwrap().portals,
        vec!["cus_test_1".to_string()]
    );

    // The lifecycle in order: premium at once, kept through the grace period, free at the end.
    let now = app.state.clock.now().unix_timestamp();
    let who = Who {
        user: kai.clone(),
        customer: "cus_test_1".into(),
        subscription: "sub_kai".into(),
    };
    let events = lifecycle(&who, now);
    // Stripe's own Checkout Session of the subscription is not an order: stored, ignored.
    let session = json!({"id": "evt_kai_session", "object": "event", "type": "checkout.session.completed", "created": now - 101,
        "data": {"object": {"id": "cs_test_1", "object": "checkout.session", "mode": "subscription", "customer": "cus_test_1",
            "payment_status": "paid", "metadata": {"user_id": kai}}}});
    assert_eq!(webhook(&app, &session).await, StatusCode::OK);
    assert_eq!(webhook(&app, &events[0]).await, StatusCode::OK);
    assert_eq!(plan(&app, &c).await, "premium");
    // Premium's limits hold at once: a second item fits (free allows one).
    for _ in 0..2 {
        let (status, body) = app
            .rpc(
                &c,
                "inventory/create",
                json!({"input": sneaker_input("1", "DZ5485-612", "10"), "status": "in_stock"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app
        .rpc(&c, "billing/upgrade", json!({"interval": "monthly"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "already subscribed: {body}");
    for e in &events[1..4] {
        assert_eq!(webhook(&app, e).await, StatusCode::OK);
    }
    let during = overview(&app, &c).await;
    assert_eq!(during["plan"], "premium", "grace period: {during}");
    let grace = during["standing"]["subscription"]["grace_until"]
        .as_i64()
        .unwrap();
    assert_eq!(grace, now - DAY + 7 * DAY);
    let (_, me) = json(app.call(&c, "auth/me", &[]).await).await;
    assert_eq!(me["payment_grace_until"], grace, "the shell warns: {me}");
    for e in &events[4..] {
        assert_eq!(webhook(&app, e).await, StatusCode::OK);
    }
    let after = overview(&app, &c).await;
    assert_eq!(after["plan"], "free", "{after}");
    assert_eq!(after["invoices"].as_array().unwrap().len(), 2, "{after}");
    assert_eq!(after["invoices"][0]["status"], "paid");
    // Over the free limit now: what exists stays, nothing new.
    let (status, _) = app
        .rpc(
            &c,
            "inventory/create",
            json!({"input": sneaker_input("1", "DZ5485-612", "10"), "status": "in_stock"}),
        )
        .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    let final_state = state_of(&app, &who).await;
    let notified: i64 = with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'plan_changed'").bind(&kai).fetch_one(pool).await).unwrap();
    assert_eq!(notified, 2, "premium on, premium off");

    // Every event again, five times: nothing changes.
    for _ in 0..5 {
        for e in &events {
            assert_eq!(deliver(&app, e).await, StatusCode::OK);
        }
    }
    app.run_pending_jobs().await;
    assert_eq!(state_of(&app, &who).await, final_state);

    // Other resellers get the same events in other orders, each five times: same end.
    let orders: [&[usize]; 3] = [
        &[6, 5, 4, 3, 2, 1, 0],
        &[3, 6, 0, 5, 1, 4, 2],
        &[2, 0, 6, 4, 1, 5, 3],
    ];
    for (n, order) in orders.iter().enumerate() {
        let other = app.reseller(&format!("mira{n}")).await;
        let who = Who {
            user: user_id(&app, &other).await,
            customer: format!("cus_mira{n}"),
            subscription: format!("sub_mira{n}"),
        };
        let events = lifecycle(&who, now);
        for &i in order.iter() {
            for _ in 0..5 {
                assert_eq!(deliver(&app, &events[i]).await, StatusCode::OK);
            }
        }
        app.run_pending_jobs().await;
        let (status, invoices) = state_of(&app, &who).await;
        assert_eq!(status, "canceled", "order {order:?}");
        assert!(
            invoices.iter().all(|(_, s)| s == "paid"),
            "order {order:?}: {invoices:?}"
        );
        assert_eq!(invoices.len(), 2);
        assert_eq!(plan(&app, &other).await, "free");
    }

    // An older event after a newer one changes nothing: past_due after active stays active;
    // and past the grace period, a failed renewal is free.
    let late = app.reseller("late").await;
    let who = Who {
        user: user_id(&app, &late).await,
        customer: "cus_late".into(),
        subscription: "sub_late".into(),
    };
    let newer = subscription(
        "customer.subscription.updated",
        "evt_late_2",
        now - 5,
        &who,
        "active",
        now - DAY,
    );
    let older = subscription(
        "customer.subscription.updated",
        "evt_late_1",
        now - 60,
        &who,
        "past_due",
        now - DAY,
    );
    webhook(&app, &newer).await;
    webhook(&app, &older).await;
    assert_eq!(state_of(&app, &who).await.0, "active");
    let lapsed = subscription(
        "customer.subscription.updated",
        "evt_late_3",
        now - 1,
        &who,
        "past_due",
        now - 8 * DAY,
    );
    webhook(&app, &lapsed).await;
    let view = overview(&app, &late).await;
    assert_eq!(view["plan"], "free", "grace over: {view}");

    // A grace period that runs out with no event from Stripe: the reseller is told, once.
    let quiet = app.reseller("quiet").await;
    let who = Who {
        user: user_id(&app, &quiet).await,
        customer: "cus_quiet".into(),
        subscription: "sub_quiet".into(),
    };
    webhook(
        &app,
        &subscription(
            "customer.subscription.updated",
            "evt_quiet_1",
            now - 3,
            &who,
            "past_due",
            now - 6 * DAY,
        ),
    )
    .await;
    assert_eq!(
        plan(&app, &quiet).await,
        "premium",
        "still in the grace period"
    );
    let told = |user: String| {
        let app = &app;
        async move {
            with_db!(&app.db, pool => sqlx::query_scalar::<_, String>(
                "SELECT body FROM notifications WHERE user_id = $1 AND kind = 'plan_changed' AND body LIKE '%grace period is over%'")
                .bind(user).fetch_all(pool).await).unwrap()
        }
    };
    app.advance(std::time::Duration::from_secs(60)).await;
    assert!(told(who.user.clone()).await.is_empty(), "not yet");
    app.advance(std::time::Duration::from_secs(2 * DAY as u64))
        .await;
    app.advance(std::time::Duration::from_secs(60)).await;
    let bodies = told(who.user.clone()).await;
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(bodies[0].contains("grace period is over"), "{bodies:?}");
    // The lapsed reseller was told by the event that ended it, and not again by the sweep.
    assert!(told(user_id(&app, &late).await).await.is_empty());
}

async fn premium_is_not_sold_without_stripe(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.reseller("noor").await;
    let view = overview(&app, &c).await;
    assert_eq!(view["for_sale"], json!({"monthly": false, "yearly": false}));
    let (status, body) = app
        .rpc(&c, "billing/upgrade", json!({"interval": "monthly"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("not sold"),
        "{body}"
    );
    let anonymous = client();
    let (status, _) = app
        .rpc(
            &anonymous,
            "billing/upgrade",
            json!({"interval": "monthly"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn signup_through(app: &TestApp, email: &str, slug: &str, code: &str) -> Client {
    let c = client();
    let res = app
        .call(
            &c,
            "auth/signup",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("store_name", slug),
                ("store_slug", slug),
                ("referral", code),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "sign-up of {email}");
    c
}

async fn a_referral_gives_a_trial_and_rewards_the_referrer_once(backend: Backend) {
    let fake = fake_stripe::start().await;
    let app = premium_app(backend, &fake).await;
    let ada = app.reseller("ada").await;
    let link = overview(&app, &ada).await["referral"]["link"]
        .as_str()
        .unwrap()
        .to_string();
    let code = link.rsplit("ref=").next().unwrap().to_string();
    assert_eq!(
        overview(&app, &ada).await["referral"]["link"],
        link,
        "the link stays the same"
    );

    // Through the link: a trial of premium.
    let bo = signup_through(&app, "bo.b@gmail.com", "bo-kicks", &code).await;
    let view = overview(&app, &bo).await;
    assert_eq!(view["plan"], "premium", "{view}");
    let until = view["standing"]["source"]["Days"]["until"]
        .as_i64()
        .unwrap();
    let now = app.state.clock.now().unix_timestamp();
    assert!((until - (now + 14 * DAY)).abs() < 120, "14 days: {view}");
    // The same inbox again, or the referrer's own address: an account, no trial.
    let again = signup_through(&app, "bob+2@gmail.com", "bo-again", &code).await;
    assert_eq!(plan(&app, &again).await, "free");
    let own = signup_through(&app, "ada+shop@example.com", "ada-again", &code).await;
    assert_eq!(plan(&app, &own).await, "free");
    let unknown = signup_through(&app, "cy@example.com", "cy-kicks", "nosuchcode").await;
    assert_eq!(plan(&app, &unknown).await, "free");
    assert_eq!(overview(&app, &ada).await["referral"]["signed_up"], 1);
    assert_eq!(plan(&app, &ada).await, "free");

    // Bo pays: a trial invoice of zero gives nothing; then many paid invoices, delivered in
    // parallel and repeated, give Ada her days once.
    let who = Who {
        user: user_id(&app, &bo).await,
        customer: "cus_bo".into(),
        subscription: "sub_bo".into(),
    };
    webhook(
        &app,
        &invoice("invoice.paid", "evt_bo_0", now - 30, &who, "in_bo_0", 0),
    )
    .await;
    assert_eq!(plan(&app, &ada).await, "free", "nothing paid yet");
    let paid: Vec<Value> = (1..=6)
        .map(|n| {
            invoice(
                "invoice.paid",
                &format!("evt_bo_{n}"),
                now - 20 + n,
                &who,
                &format!("in_bo_{n}"),
                900,
            )
        })
        .collect();
    let deliveries = paid.iter().chain(paid.iter()).map(|e| deliver(&app, e));
    for status in futures::future::join_all(deliveries).await {
        assert_eq!(status, StatusCode::OK);
    }
    futures::join!(app.run_pending_jobs(), app.run_pending_jobs());
    app.run_pending_jobs().await;
    let rewards: Vec<(String, i64, i64)> = with_db!(&app.db, pool => sqlx::query_as(
        "SELECT reason, starts_at, ends_at FROM premium_periods WHERE user_id = (SELECT id FROM users WHERE email = 'ada@example.com')")
        .fetch_all(pool).await).unwrap();
    assert_eq!(rewards.len(), 1, "{rewards:?}");
    assert_eq!(rewards[0].0, "referral_reward");
    assert_eq!(rewards[0].2 - rewards[0].1, 30 * DAY);
    let view = overview(&app, &ada).await;
    assert_eq!(view["plan"], "premium", "{view}");
    assert_eq!(view["referral"]["rewarded"], 1);
    let notified: i64 = with_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = 'ada@example.com' AND n.kind = 'plan_changed'")
        .fetch_one(pool).await).unwrap();
    assert_eq!(notified, 1);
}

on_both_databases!(
    premium_follows_the_subscription_in_any_order,
    premium_is_not_sold_without_stripe,
    a_referral_gives_a_trial_and_rewards_the_referrer_once,
);
