//! `/app/billing`: the reseller's plan and what it stands on, a bar per limit (amber from
//! 80 %, red when full), what premium adds with the way to buy it (Stripe Checkout) or manage
//! it (the Customer Portal), invoices, and the referral link.

use leptos::prelude::*;
use leptos_meta::Title;

use leptos_router::hooks::use_query_map;

use super::{
    api,
    types::{BillingOverview, Interval, PlanSource, Standing},
};
use crate::{
    domain::{
        Currency, Money,
        billing::{Fill, Plan, Usage, day_of},
    },
    ui::{ErrorBanner, LoadError, format_count, platform},
};

#[component]
fn UsageBar(usage: Usage) -> impl IntoView {
    let fill = match usage.fill() {
        Fill::Normal => "normal",
        Fill::Amber => "amber",
        Fill::Full => "full",
    };
    let label = usage.resource.label();
    let id = format!("usage-{}", usage.resource.as_str());
    let figures = format!(
        "{} of {}",
        format_count(usage.used as i64),
        format_count(usage.allowed as i64)
    );
    let note = match usage.fill() {
        Fill::Full if usage.used > usage.allowed => {
            "Over the limit: what you have stays, nothing new until you are under it."
        }
        Fill::Full => "Full: nothing new of this kind until you make room or upgrade.",
        Fill::Amber => "Nearly full.",
        Fill::Normal => "",
    };
    view! {
        <div class="usage" data-fill=fill data-resource=usage.resource.as_str()>
            <div class="usage-head">
                <span id=id.clone()>{label}</span>
                <span class="usage-figures">{figures}</span>
            </div>
            // A native bar: no inline style (the page's CSP forbids it), read out by screen readers.
            <progress class="usage-bar" aria-labelledby=id max=usage.allowed.max(1).to_string()
                value=usage.used.min(usage.allowed.max(1)).to_string()></progress>
            {(!note.is_empty()).then(|| view! { <p class="usage-note">{note}</p> })}
        </div>
    }
}

/// One sentence on what the plan stands on.
fn standing_note(standing: &Standing) -> Option<String> {
    let sub = standing.subscription.as_ref();
    match &standing.source {
        PlanSource::Grant { reason } => Some(format!("Granted by the Flipdesk team: {reason}")),
        PlanSource::Subscription => sub.map(|s| match (s.grace_until, s.cancel_at_period_end, s.renews_at) {
            (Some(until), _, _) => format!(
                "Your last payment failed. Premium stays on until {} while Stripe retries; update your card to keep it.",
                day_of(until)
            ),
            (None, true, Some(end)) => format!("Cancelled: Premium ends on {}.", day_of(end)),
            (None, _, Some(end)) => format!("Paid through Stripe; renews on {}.", day_of(end)),
            (None, _, None) => "Paid through Stripe.".to_string(),
        }),
        PlanSource::Days { reason, until } => Some(match reason.as_str() {
            "referral_trial" => format!("Premium trial from a referral, until {}.", day_of(*until)),
            _ => format!("Premium earned by referring resellers, until {}.", day_of(*until)),
        }),
        PlanSource::Free => sub
            .filter(|s| s.grace_until.is_some())
            .map(|_| "Your payment failed and the grace period is over: the account is on Free. Pay the open invoice to get Premium back.".to_string()),
    }
}

#[component]
pub(super) fn PlanSummary(overview: BillingOverview) -> impl IntoView {
    let plan = overview.plan;
    let note = standing_note(&overview.standing);
    let warn = overview
        .standing
        .subscription
        .as_ref()
        .is_some_and(|s| s.grace_until.is_some());
    view! {
        <section class="card" aria-labelledby="plan-title">
            <h2 id="plan-title">"Your plan"</h2>
            <p class="card-figure">
                <span class="badge" data-plan=plan.as_str()>{plan.label()}</span>
            </p>
            {note.map(|note| view! { <p class=if warn { "billing-warning" } else { "muted" }>{note}</p> })}
            <div class="usage-list">
                {overview.usage.iter().cloned().map(|usage| view! { <UsageBar usage/> }).collect_view()}
            </div>
        </section>
    }
}

/// Goes to the page a server function answered (Stripe's), showing progress meanwhile.
fn go_to(result: Option<Result<String, crate::error::AppError>>) -> Option<String> {
    match result {
        Some(Ok(url)) => {
            platform::hard_navigate(&url);
            None
        }
        Some(Err(e)) => Some(e.to_string()),
        None => None,
    }
}

#[component]
fn PremiumCard(overview: BillingOverview) -> impl IntoView {
    let upgrade = ServerAction::<api::StartPremium>::new();
    let manage = ServerAction::<api::ManagePremium>::new();
    let error = Signal::derive(move || {
        go_to(upgrade.value().get()).or_else(|| go_to(manage.value().get()))
    });
    let busy = move || upgrade.pending().get() || manage.pending().get();
    let adds: Vec<_> = overview
        .usage
        .iter()
        .zip(&overview.premium)
        .filter(|(mine, premium)| premium.allowed > mine.allowed)
        .map(|(mine, premium)| {
            view! {
                <li>
                    <strong>{premium.resource.counted(premium.allowed)}</strong>
                    {format!(" instead of {}", format_count(mine.allowed as i64))}
                </li>
            }
        })
        .collect();
    let sale = overview.for_sale;
    let subscribed = overview
        .standing
        .subscription
        .as_ref()
        .is_some_and(|s| !matches!(s.status.as_str(), "canceled" | "incomplete_expired"));
    let can_buy = sale.any() && !subscribed && overview.plan != Plan::Beta;
    let buy = move |interval: Interval| {
        upgrade.dispatch(api::StartPremium { interval });
    };
    let show_adds = overview.plan == Plan::Free && !adds.is_empty();
    view! {
        <section class="card" aria-labelledby="premium-title">
            <h2 id="premium-title">{if show_adds { "What Premium adds" } else { "Premium" }}</h2>
            {show_adds.then(|| view! { <ul class="plain-list">{adds}</ul> })}
            <ErrorBanner message=error/>
            {if can_buy {
                view! {
                    <div class="button-row">
                        {sale.monthly.then(|| view! {
                            <button class="button button-primary" type="button" disabled=busy
                                on:click=move |_| buy(Interval::Monthly)>"Upgrade · monthly"</button>
                        })}
                        {sale.yearly.then(|| view! {
                            <button class="button" type="button" disabled=busy
                                on:click=move |_| buy(Interval::Yearly)>"Upgrade · yearly"</button>
                        })}
                    </div>
                    <p class="muted billing-note">
                        {move || if upgrade.pending().get() { "Opening Stripe's secure checkout…" } else { "You pay on Stripe's page; Premium starts the moment Stripe confirms it." }}
                    </p>
                }.into_any()
            } else if !sale.any() && !subscribed {
                view! {
                    <p class="muted billing-note">
                        "Premium is not available for purchase on this instance. Ask the Flipdesk team: "
                        "they can move your account to Premium or to the beta."
                    </p>
                }.into_any()
            } else {
                ().into_any()
            }}
            {(overview.can_manage && sale.any()).then(|| view! {
                <div class="button-row">
                    <button class="button" type="button" disabled=busy
                        on:click=move |_| { manage.dispatch(api::ManagePremium {}); }>
                        {move || if manage.pending().get() { "Opening the billing portal…" } else { "Manage subscription" }}
                    </button>
                </div>
                <p class="muted billing-note">"Change your card or billing interval, download receipts, or cancel on Stripe's billing portal."</p>
            })}
        </section>
    }
}

fn amount(amount: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) => Money::new(amount, c).to_string(),
        Err(_) => format!("{}.{:02} {currency}", amount / 100, amount % 100),
    }
}

#[component]
fn Invoices(overview: BillingOverview) -> impl IntoView {
    let rows = overview.invoices.clone();
    (!rows.is_empty()).then(|| view! {
        <section class="card" aria-labelledby="invoices-title">
            <h2 id="invoices-title">"Invoices"</h2>
            <div class="table-wrap"><table class="simple-table invoices">
                <thead><tr><th scope="col">"Date"</th><th scope="col">"Amount"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Invoice"</span></th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|i| {
                        let paid = i.status == "paid";
                        view! {
                            <tr>
                                <td>{day_of(i.created)}</td>
                                <td class="numeric">{amount(i.amount, &i.currency)}</td>
                                <td><span class="status-pill" data-status=if paid { "paid" } else { "cancelled" }>{if paid { "Paid" } else { "Payment failed" }}</span></td>
                                <td>{i.hosted_url.map(|url| view! { <a href=url rel="noopener" target="_blank">"View on Stripe"</a> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    })
}

#[component]
fn ReferralCard(overview: BillingOverview) -> impl IntoView {
    overview.referral.map(|r| view! {
        <section class="card" aria-labelledby="referral-title">
            <h2 id="referral-title">"Invite a reseller"</h2>
            <p class="muted">{format!(
                "Resellers who sign up through your link get {} days of Premium. When one of them subscribes, you get {} more days of Premium.",
                r.trial_days, r.reward_days
            )}</p>
            <div class="field">
                <label for="referral-link">"Your referral link"</label>
                <input id="referral-link" type="text" readonly value=r.link/>
            </div>
            <p class="muted billing-note">{format!("{} signed up · {} subscribed", r.signed_up, r.rewarded)}</p>
        </section>
    })
}

#[component]
pub fn BillingPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| api::my_plan());
    // Back from Stripe: the plan changes when Stripe's event arrives, which can be a moment
    // after the return; look again every two seconds for a minute.
    let query = use_query_map();
    let returning = query.with_untracked(|q| q.get("upgraded").is_some());
    let waiting = RwSignal::new(false);
    let tries = RwSignal::new(0u32);
    Effect::new(move |_| {
        let free = matches!(overview.get(), Some(Ok(ref o)) if o.plan == Plan::Free);
        waiting.set(returning && free && tries.get_untracked() < 30);
        if waiting.get_untracked() {
            set_timeout(
                move || {
                    tries.update(|t| *t += 1);
                    overview.refetch();
                },
                std::time::Duration::from_secs(2),
            );
        }
    });
    view! {
        <Title text="Plan and usage · Flipdesk"/>
        <div class="page-header">
            <h1>"Plan and usage"</h1>
            <p class="muted">"What your plan allows and how much of it you use. Months follow your time zone."</p>
        </div>
        {move || waiting.get().then(|| view! {
            <p class="banner banner-info" role="status" aria-live="polite">"Confirming your payment with Stripe…"</p>
        })}
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading your plan…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! {
                        <div class="billing">
                            <PlanSummary overview=overview.clone()/>
                            <PremiumCard overview=overview.clone()/>
                            <Invoices overview=overview.clone()/>
                            <ReferralCard overview/>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
