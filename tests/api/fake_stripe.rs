//! A small fake of the Stripe API on loopback: Checkout Sessions (create, expire) and
//! refunds, honouring `Idempotency-Key` like Stripe does, and recording what it was asked.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::post,
};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

#[derive(Default)]
pub struct Recorded {
    /// Session id → the order id it was opened for.
    pub sessions: HashMap<String, String>,
    /// Order id → the form body its session was created with.
    pub bodies: HashMap<String, String>,
    /// Idempotency key → the answer given.
    pub answers: HashMap<String, Value>,
    pub expired: Vec<String>,
    pub refunds: Vec<(String, i64)>,
    /// Customers made, by the idempotency key that made them.
    pub customers: HashMap<String, String>,
    /// Subscription-mode sessions: (session id, form body).
    pub subscription_sessions: Vec<(String, String)>,
    /// Customer Portal sessions opened, by customer.
    pub portals: Vec<String>,
    pub creates: usize,
    /// Answer expiry requests as Stripe does for a session that was just paid.
    pub refuse_expire: bool,
}

#[derive(Clone)]
pub struct FakeStripe {
    pub url: String,
    pub recorded: Arc<Mutex<Recorded>>,
    pub gate: Arc<Gate>,
}

/// Holds session creation while closed, so a test knows requests are in flight (each one
/// that reaches the fake adds a permit to `arrived`) until it opens the gate.
pub struct Gate {
    open: tokio::sync::watch::Sender<bool>,
    pub arrived: tokio::sync::Semaphore,
}

impl Gate {
    pub fn close(&self) {
        self.open.send_replace(false);
    }

    pub fn open(&self) {
        self.open.send_replace(true);
    }

    /// Waits until `n` session requests are held at the gate.
    pub async fn wait_for_arrivals(&self, n: u32) {
        self.arrived.acquire_many(n).await.unwrap().forget();
    }

    async fn pass(&self) {
        self.arrived.add_permits(1);
        let mut open = self.open.subscribe();
        let _ = open.wait_for(|open| *open).await;
    }
}

#[derive(Clone)]
struct Fake {
    recorded: Arc<Mutex<Recorded>>,
    gate: Arc<Gate>,
}

impl axum::extract::FromRef<Fake> for Arc<Mutex<Recorded>> {
    fn from_ref(fake: &Fake) -> Self {
        fake.recorded.clone()
    }
}

fn idempotency_key(headers: &HeaderMap) -> String {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        let k = k.replace("%5B", "[").replace("%5D", "]");
        (k == key).then(|| v.replace('+', " ").replace("%2D", "-"))
    })
}

fn session(id: &str, order: &str, status: &str) -> Value {
    json!({
        "id": id, "object": "checkout.session", "automatic_tax": {"enabled": false, "liability": null, "provider": null, "status": null},
        "created": 1_700_000_000, "custom_fields": [], "custom_text": {"after_submit": null, "shipping_address": null, "submit": null,
        "terms_of_service_acceptance": null}, "expires_at": 1_700_001_800, "livemode": false, "mode": "payment",
        "payment_method_types": ["card"], "payment_status": "unpaid", "shipping_options": [], "status": status,
        "client_reference_id": order, "url": format!("https://checkout.stripe.test/c/pay/{id}")
    })
}

async fn create_session(
    State(fake): State<Fake>,
    headers: HeaderMap,
    body: String,
) -> impl IntoResponse {
    fake.gate.pass().await;
    let rec = fake.recorded;
    let key = idempotency_key(&headers);
    let mut r = rec.lock().unwrap();
    if let Some(answer) = r.answers.get(&key) {
        return (StatusCode::OK, Json(answer.clone()));
    }
    r.creates += 1;
    let order = form_value(&body, "client_reference_id").unwrap_or_default();
    let id = format!("cs_test_{}", r.creates);
    if form_value(&body, "mode").as_deref() == Some("subscription") {
        r.subscription_sessions.push((id.clone(), body.clone()));
    }
    r.sessions.insert(id.clone(), order.clone());
    r.bodies.insert(order.clone(), body.clone());
    let answer = session(&id, &order, "open");
    r.answers.insert(key, answer.clone());
    (StatusCode::OK, Json(answer))
}

async fn expire(
    State(rec): State<Arc<Mutex<Recorded>>>,
    Path(id): Path<String>,
) -> impl IntoResponse {
    let mut r = rec.lock().unwrap();
    if r.refuse_expire {
        let error = json!({"error": {"type": "invalid_request_error", "code": "checkout_session_unexpirable",
            "message": "Only Checkout Sessions with a status of open can be expired."}});
        return (StatusCode::BAD_REQUEST, Json(error));
    }
    let order = r.sessions.get(&id).cloned().unwrap_or_default();
    r.expired.push(id.clone());
    (StatusCode::OK, Json(session(&id, &order, "expired")))
}

async fn refund(
    State(rec): State<Arc<Mutex<Recorded>>>,
    headers: HeaderMap,
    body: String,
) -> impl IntoResponse {
    let key = idempotency_key(&headers);
    let mut r = rec.lock().unwrap();
    if let Some(answer) = r.answers.get(&key) {
        return (StatusCode::OK, Json(answer.clone()));
    }
    let amount: i64 = form_value(&body, "amount")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let pi = form_value(&body, "payment_intent").unwrap_or_default();
    r.refunds.push((pi, amount));
    let answer = json!({"id": format!("re_test_{}", r.refunds.len()), "object": "refund", "amount": amount,
        "created": 1_700_000_000, "currency": "usd", "status": "succeeded"});
    r.answers.insert(key, answer.clone());
    (StatusCode::OK, Json(answer))
}

async fn customer(
    State(rec): State<Arc<Mutex<Recorded>>>,
    headers: HeaderMap,
    body: String,
) -> impl IntoResponse {
    let key = idempotency_key(&headers);
    let mut r = rec.lock().unwrap();
    let next = format!("cus_test_{}", r.customers.len() + 1);
    let id = r.customers.entry(key).or_insert(next).clone();
    Json(
        json!({"id": id, "object": "customer", "created": 1_700_000_000, "livemode": false,
        "email": form_value(&body, "email").map(|e| e.replace("%40", "@"))}),
    )
}

async fn portal(State(rec): State<Arc<Mutex<Recorded>>>, body: String) -> impl IntoResponse {
    let customer = form_value(&body, "customer").unwrap_or_default();
    let mut r = rec.lock().unwrap();
    r.portals.push(customer.clone());
    Json(
        json!({"id": format!("bps_test_{}", r.portals.len()), "object": "billing_portal.session",
        "configuration": "bpc_test", "created": 1_700_000_000, "customer": customer, "livemode": false,
        "url": format!("https://billing.stripe.test/p/session/{}", r.portals.len())}),
    )
}

pub async fn start() -> FakeStripe {
    let recorded: Arc<Mutex<Recorded>> = Default::default();
    let gate = Arc::new(Gate {
        open: tokio::sync::watch::channel(true).0,
        arrived: tokio::sync::Semaphore::new(0),
    });
    let app = Router::new()
        .route("/v1/checkout/sessions", post(create_session))
        .route("/v1/checkout/sessions/{id}/expire", post(expire))
        .route("/v1/refunds", post(refund))
        .route("/v1/customers", post(customer))
        .route("/v1/billing_portal/sessions", post(portal))
        .with_state(Fake {
            recorded: recorded.clone(),
            gate: gate.clone(),
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    FakeStripe {
        url: format!("http://{addr}"),
        recorded,
        gate,
    }
}

pub const WEBHOOK_SECRET: &str = "whsec_test_secret";

impl FakeStripe {
    /// The settings that point the app at this fake.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("STRIPE_SECRET_KEY", "sk_test_fake".to_string()),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.to_string()),
            ("STRIPE_API_BASE", self.url.clone()),
        ]
    }

    /// A field of the form the order's session was created with.
    pub fn field_of(&self, order_id: &str, key: &str) -> Option<String> {
        let r = self.recorded.lock().unwrap();
        form_value(r.bodies.get(order_id)?, key)
    }

    pub fn session_of(&self, order_id: &str) -> Option<String> {
        let r = self.recorded.lock().unwrap();
        r.sessions
            .iter()
            .find(|(_, o)| *o == order_id)
            .map(|(s, _)| s.clone())
    }
}

/// A signed webhook delivery: the body and its `Stripe-Signature`.
pub fn signed_event(event: &Value, secret: &str, at: i64) -> (String, String) {
    let body = event.to_string();
    let header = flipdesk::server::stripe::sign(body.as_bytes(), secret, at);
    (body, header)
}

/// Delivers a signed event as Stripe would, signed now by the app's clock (which a test may
/// have moved on); the webhook answers as soon as the event is stored.
pub async fn deliver(app: &TestApp, event: &Value) -> reqwest::StatusCode {
    let now = app.state.clock.now().unix_timestamp();
    let (body, signature) = signed_event(event, WEBHOOK_SECRET, now);
    app.client
        .post(app.url("/api/v1/webhooks/stripe"))
        .header("Stripe-Signature", signature)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

/// Delivers a signed event and runs the jobs it queued, as the worker would.
pub async fn webhook(app: &TestApp, event: &Value) -> reqwest::StatusCode {
    let status = deliver(app, event).await;
    app.run_pending_jobs().await;
    status
}
