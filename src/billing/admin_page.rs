//! `/app/admin/plans`: an admin looks a reseller up and grants or removes premium or beta
//! with a reason (audited; the reseller is notified).

use leptos::prelude::*;
use leptos_meta::Title;

use super::{api, pages::PlanSummary};
use crate::{
    domain::billing::Plan,
    error::AppError,
    ui::{ErrorBanner, TextField},
};

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
                    <p class="muted admin-subscription">{match &account.overview.standing.subscription {
                        Some(sub) => format!(
                            "Stripe subscription: {}{}; {} invoice(s) on record.",
                            sub.status.replace('_', " "),
                            if sub.cancel_at_period_end { ", cancelling at the period end" } else { "" },
                            account.overview.invoices.len()
                        ),
                        None => "No Stripe subscription.".to_string(),
                    }}</p>
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
