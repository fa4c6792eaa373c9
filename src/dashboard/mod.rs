//! The reseller dashboard at `/app`: one shell, two views (user and store). The view comes
//! from the `flipdesk_view` cookie, so the server renders the chosen view in the first byte;
//! after hydration the switch changes view without a page load.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Outlet,
    hooks::{use_location, use_navigate},
};

use crate::{
    auth::{AccountSummary, LogoutButton, api::current_account},
    domain::DashboardView,
    error::AppError,
    inbox::InboxBadge,
    ui::{Brand, LoadError, platform, safe_title},
};

/// The view remembered in the cookie, shared by the shell and `/app`.
#[derive(Clone, Copy)]
pub struct ViewChoice(pub RwSignal<DashboardView>);

impl ViewChoice {
    pub fn from_cookie() -> Self {
        ViewChoice(RwSignal::new(DashboardView::from_cookie_header(
            &platform::cookie_header(),
        )))
    }
}

#[derive(Clone, Copy)]
struct AccountResource(Resource<Result<AccountSummary, AppError>>);

/// Which view a path shows: `/app/store…` is the store view, `/app` follows the cookie.
fn view_for_path(path: &str, remembered: DashboardView) -> DashboardView {
    let path = path.trim_end_matches('/');
    if path == "/app" {
        remembered
    } else if path.starts_with("/app/store") {
        DashboardView::Store
    } else {
        DashboardView::User
    }
}

#[component]
pub fn DashboardShell() -> impl IntoView {
    let choice = expect_context::<ViewChoice>();
    let account = Resource::new(|| (), |_| current_account());
    provide_context(AccountResource(account));
    let location = use_location();
    let shown = Memo::new(move |_| view_for_path(&location.pathname.get(), choice.0.get()));

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Suspense fallback=|| view! { <p class="loading" aria-live="polite">"Loading your dashboard…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(acc) => view! { <ShellFrame account=acc shown/> }.into_any(),
                    Err(AppError::Unauthorized) => view! {
                        <main class="centered-page" id="main">
                            <div class="empty-state">
                                <h1>"Your session has ended"</h1>
                                <p>"Log in again to get back to your dashboard."</p>
                                <a class="button button-primary" href="/login">"Log in"</a>
                            </div>
                        </main>
                    }.into_any(),
                    Err(error) => view! { <main class="centered-page"><LoadError error/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Past a limit: what stays, what is paused, and the way out.
#[component]
fn OverLimits(usage: Vec<crate::domain::billing::Usage>, plan: &'static str) -> impl IntoView {
    (!usage.is_empty()).then(|| {
        let what = usage
            .iter()
            .map(|u| format!("{} ({} of {})", u.resource.label().to_lowercase(), u.used, u.allowed))
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <div class="banner banner-info over-limits" role="status">
                {format!("You are past your {plan} plan's limit for {what}. Everything you have stays and shoppers' orders still go through; nothing new of that kind until you are under it. ")}
                <a href="/app/billing">"See your plan"</a>
            </div>
        }
    })
}

/// A premium renewal failed: premium holds for the grace period, then the plan is free.
#[component]
fn PaymentDue(until: Option<i64>) -> impl IntoView {
    until.map(|until| {
        view! {
            <div class="banner banner-error payment-due" role="alert">
                {format!(
                    "Your Premium payment failed. Premium stays on until {}; after that the account moves to Free. ",
                    crate::domain::billing::day_of(until)
                )}
                <a href="/app/billing">"Update your payment"</a>
            </div>
        }
    })
}

#[component]
fn ShellFrame(account: AccountSummary, shown: Memo<DashboardView>) -> impl IntoView {
    let store_name = account
        .store
        .as_ref()
        .map(|s| s.name.clone())
        .unwrap_or_else(|| "No store".into());
    let email = account.email.clone();
    let plan = account.plan.clone();
    let is_admin = account.role == crate::domain::Role::Admin;
    let plan_label = crate::domain::billing::Plan::parse(&plan)
        .map_or("Free", crate::domain::billing::Plan::label);
    let location = use_location();
    // The nav entry of the page (or section) being shown.
    let nav_current = move |href: &'static str| {
        let path = location.pathname.get();
        let path = path.trim_end_matches('/');
        let active = if href == "/app" {
            path == "/app"
        } else {
            path == href || path.starts_with(&format!("{href}/"))
        };
        active.then_some("page")
    };
    view! {
        <div class="shell" data-view=move || shown.get().as_str()>
            <header class="topbar">
                <Brand href="/app"/>
                <ViewSwitch shown/>
                <div class="topbar-account">
                    <InboxBadge initial=account.unread/>
                    <a class="topbar-email" href="/app/account" title=format!("Your account: {email}")>{email.clone()}</a>
                    <span class="badge" data-plan=plan.clone()>{plan.clone()}</span>
                    <LogoutButton/>
                </div>
            </header>
            <nav class="sidebar" aria-label="Dashboard">
                <p class="sidebar-title">
                    {move || match shown.get() {
                        DashboardView::User => "Reselling".to_string(),
                        DashboardView::Store => store_name.clone(),
                    }}
                </p>
                {move || match shown.get() {
                    DashboardView::User => view! {
                        <ul>
                            <li><a href="/app" aria-current=move || nav_current("/app")>"Overview"</a></li>
                            <li><a href="/app/inventory" aria-current=move || nav_current("/app/inventory")>"Inventory"</a></li>
                            <li><a href="/app/sales" aria-current=move || nav_current("/app/sales")>"Sales"</a></li>
                            <li><a href="/app/shipments" aria-current=move || nav_current("/app/shipments")>"Shipments"</a></li>
                            <li><a href="/app/import" aria-current=move || nav_current("/app/import")>"Import"</a></li>
                            <li><a href="/app/lists" aria-current=move || nav_current("/app/lists")>"Want to buy"</a></li>
                            <li><a href="/app/monitors" aria-current=move || nav_current("/app/monitors")>"Monitors"</a></li>
                            <li><a href="/app/billing" aria-current=move || nav_current("/app/billing")>"Plan and usage"</a></li>
                            {is_admin.then(|| view! {
                                <li><a href="/app/admin/plans" aria-current=move || nav_current("/app/admin/plans")>"Plans (admin)"</a></li>
                            })}
                        </ul>
                    }.into_any(),
                    DashboardView::Store => view! {
                        <ul>
                            <li><a href="/app/store" aria-current=move || (location.pathname.get().trim_end_matches('/') == "/app/store").then_some("page")>"Store overview"</a></li>
                            <li><a href="/app/store/orders" aria-current=move || nav_current("/app/store/orders")>"Orders"</a></li>
                            <li><a href="/app/store/listings" aria-current=move || nav_current("/app/store/listings")>"Listings"</a></li>
                            <li><a href="/app/store/inquiries" aria-current=move || nav_current("/app/store/inquiries")>"Inquiries"</a></li>
                            <li><a href="/app/store/channels" aria-current=move || nav_current("/app/store/channels")>"Channels"</a></li>
                            <li><a href="/app/store/settings" aria-current=move || nav_current("/app/store/settings")>"Settings"</a></li>
                        </ul>
                    }.into_any(),
                }}
            </nav>
            <main class="content" id="main">
                <PaymentDue until=account.payment_grace_until/>
                <OverLimits usage=account.over_limits.clone() plan=plan_label/>
                <Outlet/>
            </main>
        </div>
    }
}

/// Toggles user view ⇄ store view: sets the cookie, then navigates on the client.
#[component]
fn ViewSwitch(shown: Memo<DashboardView>) -> impl IntoView {
    let choice = expect_context::<ViewChoice>();
    let navigate = use_navigate();
    let switch_to = move |view: DashboardView| {
        platform::remember_view(view);
        choice.0.set(view);
        navigate(view.home_path(), Default::default());
    };
    let option = move |view: DashboardView, label: &'static str| {
        let switch_to = switch_to.clone();
        view! {
            <button type="button" role="radio"
                class="view-switch-option"
                aria-checked=move || if shown.get() == view { "true" } else { "false" }
                data-testid=format!("switch-{}", view.as_str())
                on:click=move |_| switch_to(view)>
                {label}
            </button>
        }
    };
    view! {
        <div class="view-switch" role="radiogroup" aria-label="Dashboard view">
            {option(DashboardView::User, "My reselling")}
            {option(DashboardView::Store, "My store")}
        </div>
    }
}

/// `/app`: the home page of whichever view the cookie picks.
#[component]
pub fn DashboardHome() -> impl IntoView {
    let choice = expect_context::<ViewChoice>();
    move || match choice.0.get() {
        DashboardView::User => view! { <UserOverview/> }.into_any(),
        DashboardView::Store => view! { <StoreOverview/> }.into_any(),
    }
}

fn with_account<V: IntoView + 'static>(
    render: impl Fn(AccountSummary) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let AccountResource(account) = expect_context::<AccountResource>();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let render = render.clone();
                Suspend::new(async move { account.await.ok().map(render) })
            }}
        </Suspense>
    }
}

#[component]
pub fn UserOverview() -> impl IntoView {
    view! {
        <Title text="Overview · Flipdesk"/>
        <div class="page-header">
            <h1>"Your reselling at a glance"</h1>
            <p class="muted">"What your stock is worth, what you made, and what sits unsold."</p>
        </div>
        // The numbers create their resources in their own body (not inside the account's
        // Suspend), so the server's answers are serialised for hydration.
        <crate::analytics::page::AnalyticsPanel/>
        {with_account(move |account: AccountSummary| {
            let store = account.store.clone();
            let lists = account.lists.clone();
            view! {
            <div class="card-grid">
                <section class="card">
                    <h2>"Your store"</h2>
                    {match store {
                        Some(s) => view! {
                            <p class="card-figure">{s.name.clone()}</p>
                            <p class="muted">"Public address: " <a href=format!("/s/{}", s.slug)>{format!("/s/{}", s.slug)}</a></p>
                            <a class="button" href="/app/store">"Open store view"</a>
                        }.into_any(),
                        None => view! { <p class="muted">"This account has no store."</p> }.into_any(),
                    }}
                </section>
                <section class="card">
                    <h2>"Want-To-Buy lists"</h2>
                    {if lists.is_empty() {
                        view! {
                            <p class="muted">"You have no Want-To-Buy lists yet. Publish what you hunt for and let your bot keep it current."</p>
                            <a class="button" href="/app/lists">"Create a list"</a>
                        }.into_any()
                    } else {
                        view! {
                            <ul class="plain-list">
                                {lists.into_iter().map(|l| view! {
                                    <li><a href=format!("/lists/{}", l.slug)>{l.name}</a></li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                <section class="card">
                    <h2>"Plan"</h2>
                    <p class="card-figure capitalize">{account.plan.clone()}</p>
                    <p class="muted">"Signed in as " {account.email.clone()}</p>
                </section>
            </div>
            }
        })}
    }
}

#[component]
pub fn StoreOverview() -> impl IntoView {
    with_account(|account: AccountSummary| {
        match account.store {
        Some(store) => view! {
            <Title text=safe_title(&format!("{} · Store · Flipdesk", store.name))/>
            <div class="page-header">
                <h1>{store.name.clone()}</h1>
                <p class="muted">"Listings, orders and fulfilment for your public storefront."</p>
            </div>
            <div class="card-grid">
                <section class="card">
                    <h2>"Storefront"</h2>
                    <p class="muted">"Shoppers visit:"</p>
                    <p class="card-figure"><a href=format!("/s/{}", store.slug)>{format!("/s/{}", store.slug)}</a></p>
                    <a class="button" href=format!("/s/{}", store.slug)>"View storefront"</a>
                </section>
                <section class="card">
                    <h2><a href="/app/store/settings">"Settings"</a></h2>
                    <dl class="facts">
                        <dt>"Currency"</dt><dd>{store.currency.clone()}</dd>
                        <dt>"Your role"</dt><dd class="capitalize">{store.member_role.clone()}</dd>
                    </dl>
                </section>
                <section class="card">
                    <h2>"Orders"</h2>
                    <p class="muted">"Orders appear as soon as a shopper checks out; pay, ship and refund them there."</p>
                    <a class="button" href="/app/store/orders">"See orders"</a>
                </section>
                <section class="card">
                    <h2>"Listings"</h2>
                    <p class="muted">"List items from their inventory page with “Sell in your store”."</p>
                    <a class="button" href="/app/store/listings">"See listings"</a>
                </section>
            </div>
        }.into_any(),
        None => view! {
            <div class="empty-state">
                <h1>"No store on this account"</h1>
                <p>"Platform staff accounts have no storefront of their own."</p>
            </div>
        }.into_any(),
    }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_pick_views() {
        assert_eq!(
            view_for_path("/app", DashboardView::Store),
            DashboardView::Store
        );
        assert_eq!(
            view_for_path("/app/", DashboardView::User),
            DashboardView::User
        );
        assert_eq!(
            view_for_path("/app/store", DashboardView::User),
            DashboardView::Store
        );
        assert_eq!(
            view_for_path("/app/inventory", DashboardView::Store),
            DashboardView::User
        );
    }
}
