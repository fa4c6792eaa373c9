//! One order: the buyer's page (`/orders/{order}`, opened by the signed link) and the store
//! view's page with payment, shipping and refund actions and the signed timeline.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{OrderDetail, api};
use crate::{
    domain::store::{LineReturn, OrderStatus, PaymentMethod, RefundInput},
    error::AppError,
    ui::{Brand, ErrorBanner, LoadError, LocalTime, NotFoundPage, TextField, platform, safe_title},
};

#[component]
pub fn StatusPill(status: OrderStatus) -> impl IntoView {
    view! { <span class="status-pill" data-status=status.as_str()>{status.label()}</span> }
}

/// Lines, totals, address and tracking: what both pages show.
#[component]
fn OrderBody(order: OrderDetail) -> impl IntoView {
    let refunded = (order.refunded.amount > 0).then(|| order.refunded.to_string());
    view! {
        <table class="simple-table">
            <thead><tr><th scope="col">"Item"</th><th scope="col">"Price"</th><th scope="col">"Qty"</th><th scope="col">"Amount"</th></tr></thead>
            <tbody>
                {order.lines.iter().map(|l| view! {
                    <tr>
                        <td>{l.title.clone()}</td>
                        <td>{l.unit_price.to_string()}</td>
                        <td>{if l.returned > 0 { format!("{} ({} returned)", l.quantity, l.returned) } else { l.quantity.to_string() }}</td>
                        <td>{crate::domain::Money::new(l.unit_price.amount * l.quantity, l.unit_price.currency).to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <dl class="facts totals-list">
            <dt>"Subtotal"</dt><dd>{order.subtotal.to_string()}</dd>
            <dt>"Shipping"</dt><dd>{if order.shipping.amount == 0 { "Free".to_string() } else { order.shipping.to_string() }}</dd>
            <dt>"Total"</dt><dd class="total-figure">{order.total.to_string()}</dd>
            {refunded.map(|r| view! { <dt>"Refunded"</dt><dd>{r}</dd> })}
        </dl>
        <div class="card-grid">
            <section class="card">
                <h2>"Ship to"</h2>
                {match order.shipping_address.clone() {
                    Some(a) => view! { <address class="address">{a.lines().into_iter().map(|l| view! { <span>{l}</span> }).collect_view()}</address> }.into_any(),
                    None => view! { <p class="muted">"Collected at payment."</p> }.into_any(),
                }}
                <p class="muted">{order.email.clone()}</p>
            </section>
            <Show when={let t = order.tracking_code.clone(); move || t.is_some()}>
                <section class="card">
                    <h2>"Tracking"</h2>
                    <p>{order.carrier.clone().unwrap_or_default()}" "<strong>{order.tracking_code.clone().unwrap_or_default()}</strong></p>
                </section>
            </Show>
        </div>
    }
}

/// `/orders/{order}`: the buyer's page. The order's cookie (from the signed link) opens it.
#[component]
pub fn BuyerOrderPage() -> impl IntoView {
    let params = use_params_map();
    let order = Resource::new(
        move || params.read().get("order").unwrap_or_default(),
        api::buyer_order,
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-live="polite">"Loading your order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(order) => view! { <BuyerOrder order/> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <NotFoundPage title="Order not found"
                            message="Open your order from the link in your confirmation email. Links expire after 90 days."/>
                    }.into_any(),
                    Err(error) => view! { <main class="centered-page"><LoadError error/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BuyerOrder(order: OrderDetail) -> impl IntoView {
    let title = safe_title(&format!("Your order · {}", order.store_name));
    let store_home = format!("/s/{}", order.store_slug);
    let headline = match order.status {
        OrderStatus::PendingPayment if order.payment_method == PaymentMethod::Manual => {
            "Order received: please pay"
        }
        OrderStatus::PendingPayment => "Waiting for your payment",
        OrderStatus::PaymentProcessing => "Your payment is being processed",
        OrderStatus::Paid | OrderStatus::PaidNeedsAttention => "Thank you! Your order is paid",
        OrderStatus::Shipped => "Your order is on its way",
        OrderStatus::Cancelled => "This order was cancelled",
        OrderStatus::Expired => "This order expired before it was paid",
        OrderStatus::Refunded => "This order was refunded",
    };
    view! {
        <Title text=title/>
        <div class="storefront">
            <header class="storefront-header">
                <div class="storefront-header-inner">
                    <a class="storefront-home" href=store_home.clone()><span class="storefront-name">{order.store_name.clone()}</span></a>
                </div>
            </header>
            <main class="storefront-main" id="main">
                <div class="page-header">
                    <p class="eyebrow">{format!("Order {}", short_id(&order.id))}</p>
                    <h1>{headline}</h1>
                    <StatusPill status=order.status/>
                </div>
                {order.payment_instructions.clone().map(|text| view! {
                    <section class="card notice-card" aria-labelledby="pay-how">
                        <h2 id="pay-how">"How to pay"</h2>
                        <p class="prewrap">{text}</p>
                        <p class="muted">{format!("Amount: {}", order.total)}</p>
                        {order.expires_at.clone().map(|t| view! { <p class="muted">"Your items are held until "<LocalTime at=t/>"."</p> })}
                    </section>
                })}
                {order.checkout_url.clone().map(|url| view! {
                    <p><a class="button button-primary" href=url>"Pay now"</a></p>
                })}
                <OrderBody order=order.clone()/>
            </main>
            <footer class="storefront-footer"><p><span>"Powered by "</span><Brand/></p></footer>
        </div>
    }
}

pub fn short_id(id: &str) -> String {
    id.rsplit('-')
        .next()
        .unwrap_or(id)
        .chars()
        .take(8)
        .collect::<String>()
        .to_uppercase()
}

/// `/app/store/orders/{id}`: the store view's order page.
#[component]
pub fn StoreOrderPage() -> impl IntoView {
    let params = use_params_map();
    let version = RwSignal::new(0u32);
    let order = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), version.get()),
        |(id, _)| api::get_order(id),
    );
    let reload = Callback::new(move |_: ()| version.update(|v| *v += 1));
    view! {
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading the order…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(order) => view! { <StoreOrder order reload/> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <div class="empty-state"><h1>"Order not found"</h1><p>"It does not exist or belongs to another store."</p>
                        <a class="button" href="/app/store/orders">"All orders"</a></div>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn StoreOrder(order: OrderDetail, reload: Callback<()>) -> impl IntoView {
    let id = order.id.clone();
    let mark_paid = ServerAction::<api::MarkPaid>::new();
    let ship = ServerAction::<api::ShipOrder>::new();
    let refund = ServerAction::<api::RefundOrder>::new();
    for done in [
        mark_paid.value().into(),
        ship.value().into(),
        refund.value().into(),
    ] {
        let done: Signal<Option<Result<(), AppError>>> = done;
        Effect::new(move |_| {
            if let Some(Ok(())) = done.get() {
                reload.run(());
            }
        });
    }
    let error = Signal::derive(move || {
        [
            mark_paid.value().get(),
            ship.value().get(),
            refund.value().get(),
        ]
        .into_iter()
        .flatten()
        .find_map(|r| r.err())
    });
    let banner = Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Validation { .. }))
            .map(|e| e.to_string())
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let status = order.status;
    let can_mark_paid = order.payment_method == PaymentMethod::Manual
        && matches!(
            status,
            OrderStatus::PendingPayment | OrderStatus::Expired | OrderStatus::Cancelled
        );
    let can_ship = matches!(status, OrderStatus::Paid | OrderStatus::PaidNeedsAttention);
    let can_refund = matches!(
        status,
        OrderStatus::Paid | OrderStatus::PaidNeedsAttention | OrderStatus::Shipped
    ) && order.refunded.amount < order.total.amount;
    let carrier = RwSignal::new(String::new());
    let tracking = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    // Units per line going back on sale: none unless the owner says so (a refund is money).
    let returns = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    let left_to_refund = crate::domain::Money::new(
        order.total.amount - order.refunded.amount,
        order.total.currency,
    );
    let shipped = status == OrderStatus::Shipped;
    let returnable: Vec<(String, String, i64)> = order
        .lines
        .iter()
        .filter(|l| l.returnable > 0)
        .map(|l| (l.id.clone(), l.title.clone(), l.returnable))
        .collect();
    // One id per refund form: pressing twice (or a retry) refunds once.
    let refund_id = RwSignal::new(platform::random_key());
    Effect::new(move |_| {
        if let Some(Ok(())) = refund.value().get() {
            refund_id.set(platform::random_key());
        }
    });
    let title = safe_title(&format!("Order {} · Flipdesk", short_id(&order.id)));
    let (id1, id2, id3) = (id.clone(), id.clone(), id.clone());
    view! {
        <Title text=title/>
        <div class="page-header page-header-row">
            <div>
                <p class="eyebrow"><a href="/app/store/orders">"Orders"</a></p>
                <h1>{format!("Order {}", short_id(&order.id))}" "<StatusPill status/></h1>
                <p class="muted">{format!("{} · {} · placed ", order.email, order.payment_method.label())}<LocalTime at=order.created_at.clone()/></p>
                {order.expires_at.clone().map(|t| view! {
                    <p class="banner banner-info" data-testid="hold-ends">"Units held for this order until "<LocalTime at=t/>
                        {if order.payment_method == PaymentMethod::Manual { ". The buyer is reminded a day before; mark the order paid when the money arrives." } else { "." }}</p>
                })}
            </div>
        </div>
        {order.attention.clone().filter(|_| status == OrderStatus::PaidNeedsAttention).map(|a| view! {
            <div class="banner banner-error" role="alert"><strong>"Needs your attention: "</strong>{a}</div>
        })}
        <ErrorBanner message=banner/>
        <div class="order-actions">
            <Show when=move || can_mark_paid>
                <section class="card">
                    <h2>"Payment"</h2>
                    <p class="muted">"Once the buyer's payment has arrived, record it: the items are sold and the buyer gets a confirmation."</p>
                    <button class="button button-primary" type="button" disabled=move || mark_paid.pending().get()
                        on:click={let id = id1.clone(); move |_| { mark_paid.dispatch(api::MarkPaid { order_id: id.clone() }); }}>
                        {move || if mark_paid.pending().get() { "Saving…" } else { "Mark as paid" }}
                    </button>
                </section>
            </Show>
            <Show when=move || can_ship>
                <form class="card form" on:submit={let id = id2.clone(); move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    ship.dispatch(api::ShipOrder { order_id: id.clone(), carrier: carrier.get_untracked(), tracking_code: tracking.get_untracked() });
                }}>
                    <h2>"Ship"</h2>
                    <TextField id="carrier" label="Carrier" value=carrier error=field("carrier") maxlength=60/>
                    <TextField id="tracking" label="Tracking code" value=tracking error=field("tracking_code") maxlength=80/>
                    <button class="button button-primary" type="submit" disabled=move || ship.pending().get()>
                        {move || if ship.pending().get() { "Saving…" } else { "Mark shipped and email the buyer" }}
                    </button>
                </form>
            </Show>
            <Show when=move || can_refund>
                <form class="card form" on:submit={let id = id3.clone(); move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    refund.dispatch(api::RefundOrder {
                        order_id: id.clone(),
                        refund_id: refund_id.get_untracked(),
                        input: RefundInput {
                            amount: amount.get_untracked(),
                            returns: returns.get_untracked().into_iter()
                                .map(|(line_id, quantity)| LineReturn { line_id, quantity })
                                .collect(),
                        },
                    });
                }}>
                    <h2>"Refund"</h2>
                    <TextField id="refund-amount" label="Amount" value=amount error=field("amount")
                        hint=format!("Leave empty to refund what is left: {left_to_refund}.")/>
                    {(!returnable.is_empty()).then(|| view! {
                        <fieldset class="returns">
                            <legend>{if shipped { "Units the buyer sent back" } else { "Units to put back on sale" }}</legend>
                            <p class="field-hint">{if shipped {
                                "A refund alone puts nothing back on sale. Enter only units you have received back."
                            } else {
                                "Not shipped yet: enter the units that stay here and go back on sale."
                            }}</p>
                            {returnable.iter().map(|(line, title, most)| {
                                let input_id = format!("return-{line}");
                                let line = line.clone();
                                view! {
                                    <div class="field field-inline">
                                        <label for=input_id.clone()>{format!("{title} (up to {most})")}</label>
                                        <input id=input_id type="number" min="0" max=*most inputmode="numeric" placeholder="0"
                                            on:input=move |ev| {
                                                let v = event_target_value(&ev);
                                                returns.update(|r| { r.insert(line.clone(), v); });
                                            }/>
                                    </div>
                                }
                            }).collect_view()}
                            {move || field("returns").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                        </fieldset>
                    })}
                    <button class="button button-danger" type="submit" disabled=move || refund.pending().get()>
                        {move || if refund.pending().get() { "Refunding…" } else { "Refund" }}
                    </button>
                </form>
            </Show>
        </div>
        <OrderBody order=order.clone()/>
        <section class="card timeline" aria-labelledby="timeline">
            <h2 id="timeline">"Timeline"</h2>
            <ol class="plain-list">
                {order.events.iter().map(|e| {
                    let change = match (&e.before, &e.after) {
                        (Some(b), Some(a)) if b != a => format!("{} → {}", label(b), label(a)),
                        (None, Some(a)) => label(a),
                        _ => String::new(),
                    };
                    view! {
                        <li class="timeline-entry">
                            <LocalTime at=e.at.clone()/>
                            <strong>{action_label(&e.action)}</strong>
                            <span class="muted">{format!(" by {}", e.actor)}</span>
                            {(!change.is_empty()).then(|| view! { <span>{format!(" · {change}")}</span> })}
                            <span class="muted">{format!(" · {}", e.detail)}</span>
                            {(!e.verified).then(|| view! { <span class="status-pill" data-status="returned">"signature does not match"</span> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

fn action_label(action: &str) -> String {
    match action {
        "order_created" => "Order placed".into(),
        "payment_received" => "Payment received".into(),
        "payment_processing" => "Payment processing".into(),
        "reservation_released" => "Reservation released".into(),
        "refund" => "Refund".into(),
        "refund_reported" => "Refund reported by Stripe".into(),
        "dispute_opened" => "Dispute opened".into(),
        "shipped" => "Shipped".into(),
        other => other.replace('_', " "),
    }
}

fn label(status: &str) -> String {
    OrderStatus::parse(status)
        .map(|s| s.label().to_string())
        .unwrap_or_else(|| status.to_string())
}
