//! `/app/billing`: the reseller's plan, a bar per limit (amber from 80 %, red when full) and
//! what premium adds. `/app/admin/plans`: an admin looks a reseller up and grants or removes
//! premium or beta with a reason.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{api, types::BillingOverview};
use crate::{
    domain::billing::{Fill, Plan, Usage},
    error::AppError,
    ui::{ErrorBanner, LoadError, TextField, format_count},
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

#[component]
fn PlanSummary(overview: BillingOverview) -> impl IntoView {
    let plan = overview.plan;
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
    let has_adds = !adds.is_empty();
    view! {
        <section class="card" aria-labelledby="plan-title">
            <div class="page-header-row">
                <div>
                    <h2 id="plan-title">"Your plan"</h2>
                    <p class="card-figure">
                        <span class="badge" data-plan=plan.as_str()>{plan.label()}</span>
                    </p>
                </div>
            </div>
            {overview.granted_reason.clone().map(|reason| view! {
                <p class="muted">{format!("Granted by the Flipdesk team: {reason}")}</p>
            })}
            <div class="usage-list">
                {overview.usage.iter().cloned().map(|usage| view! { <UsageBar usage/> }).collect_view()}
            </div>
        </section>
        {(plan == Plan::Free && has_adds).then(|| view! {
            <section class="card" aria-labelledby="premium-title">
                <h2 id="premium-title">"What Premium adds"</h2>
                <ul class="plain-list">{adds}</ul>
                <p class="muted billing-note">
                    "Premium can't be bought on this instance yet. Ask the Flipdesk team: they can "
                    "move your account to Premium or to the beta."
                </p>
            </section>
        })}
    }
}

#[component]
pub fn BillingPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| api::my_plan());
    view! {
        <Title text="Plan and usage · Flipdesk"/>
        <div class="page-header">
            <h1>"Plan and usage"</h1>
            <p class="muted">"What your plan allows and how much of it you use. Months follow your time zone."</p>
        </div>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading your plan…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <div class="billing"><PlanSummary overview/></div> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn PlansAdminPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let lookup = ServerAction::<api::LookUpPlan>::new();
    let grant = ServerAction::<api::GrantPlan>::new();
    let choice = RwSignal::new("premium".to_string());
    let reason = RwSignal::new(String::new());
    // After a grant, look the account up again to show its new plan.
    Effect::new(move |_| {
        if let Some(Ok(())) = grant.value().get() {
            reason.set(String::new());
            lookup.dispatch(api::LookUpPlan {
                email: email.get_untracked(),
            });
        }
    });
    let lookup_error = Signal::derive(move || match lookup.value().get() {
        Some(Err(AppError::NotFound)) => Some("No account has that email.".to_string()),
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    });
    let grant_error = Signal::derive(move || match grant.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    });
    let reason_error = Signal::derive(move || match grant.value().get() {
        Some(Err(e)) => e.field_error("reason"),
        _ => None,
    });
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        lookup.dispatch(api::LookUpPlan {
            email: email.get_untracked(),
        });
    };
    view! {
        <Title text="Plans · Admin · Flipdesk"/>
        <div class="page-header">
            <h1>"Plans"</h1>
            <p class="muted">"Look a reseller up by email to see their plan and usage, and grant or remove Premium or the beta. Every change is written to the audit log with its reason."</p>
        </div>
        <section class="card">
            <form class="form" on:submit=search>
                <TextField id="plan-email" label="Reseller's email" kind="email" value=email error=lookup_error/>
                <button class="button button-primary" type="submit" disabled=move || lookup.pending().get()>
                    {move || if lookup.pending().get() { "Looking up…" } else { "Look up" }}
                </button>
            </form>
        </section>
        {move || match lookup.value().get() {
            Some(Ok(account)) => {
                let user_id = account.user_id.clone();
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let plan = Plan::parse(&choice.get_untracked());
                    grant.dispatch(api::GrantPlan {
                        user_id: user_id.clone(),
                        plan,
                        reason: reason.get_untracked(),
                    });
                };
                view! {
                    <h2>{account.email.clone()}</h2>
                    <div class="billing">
                    <PlanSummary overview=account.overview.clone()/>
                    <section class="card" aria-labelledby="grant-title">
                        <h2 id="grant-title">"Change the plan"</h2>
                        <form class="form" on:submit=submit>
                            <ErrorBanner message=Signal::derive(move || if reason_error.get().is_some() { None } else { grant_error.get() })/>
                            <div class="field">
                                <label for="grant-plan">"Plan"</label>
                                <select id="grant-plan" prop:value=move || choice.get()
                                    on:change=move |ev| choice.set(event_target_value(&ev))>
                                    <option value="premium">"Premium (granted)"</option>
                                    <option value="beta">"Beta (premium limits)"</option>
                                    <option value="none">"Remove the grant (back to Free)"</option>
                                </select>
                            </div>
                            <TextField id="grant-reason" label="Reason" value=reason error=reason_error
                                hint="Goes to the audit log, and the reseller sees it." maxlength=200/>
                            <button class="button button-primary" type="submit" disabled=move || grant.pending().get()>
                                {move || if grant.pending().get() { "Saving…" } else { "Save the plan" }}
                            </button>
                        </form>
                    </section>
                    </div>
                }.into_any()
            }
            _ => ().into_any(),
        }}
    }
}
