//! Pages whose WebAssembly is fetched the first time they are shown (`cargo leptos build
//! --split`), so a shopper's storefront never downloads the dashboard.
//!
//! Pages are grouped into a few modules (`dashboard_inventory`, `dashboard_store`…): one module
//! is one set of files, so a page visit fetches a handful of files instead of dozens of tiny
//! chunks shared between single pages, and moving between related pages fetches nothing more.
//! A module that cannot be fetched (the network dropped, a deploy replaced the files) shows
//! [`PageCodeMissing`] instead of a crashed page.

use leptos::prelude::*;
use leptos_router::{LazyRoute, hooks::use_location};

/// One lazy route per page: `module { loader: Route => page component, … }`.
///
/// In the browser each loader is a `wasm_split` function of its module (fallible, so a failed
/// fetch is an `Err`); on the server it renders directly and asks for the module's files to be
/// preloaded by the page it renders into.
macro_rules! lazy_pages {
    ($($module:ident { $($loader:ident: $route:ident => $page:path),+ $(,)? })+) => { $($(
        #[derive(Clone)]
        pub struct $route;

        mod $loader {
            use leptos::prelude::*;

            #[cfg(feature = "hydrate")]
            #[::leptos::wasm_split::wasm_split(
                $module,
                wasm_split_path = ::leptos::wasm_split,
                fallible,
                preload(#[doc(hidden)] preload)
            )]
            pub fn $loader() -> Result<AnyView, ::leptos::wasm_split::SplitLoaderError> {
                Ok($page().into_any())
            }

            #[cfg(not(feature = "hydrate"))]
            pub async fn $loader() -> Result<AnyView, std::convert::Infallible> {
                ::leptos::prefetch_lazy_fn_on_server(stringify!($module));
                Ok($page().into_any())
            }

            #[cfg(not(feature = "hydrate"))]
            pub async fn preload() -> Result<(), std::convert::Infallible> {
                Ok(())
            }
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                match $loader::$loader().await {
                    Ok(page) => page,
                    Err(_) => view! { <PageCodeMissing/> }.into_any(),
                }
            }

            // Starts the fetch as soon as the router knows the page (before it renders).
            async fn preload() {
                if $loader::preload().await.is_err() {
                    missing_while_hydrating().await;
                }
            }
        }
    )+)+ };
}

lazy_pages! {
    dashboard_shell {
        shell: ShellRoute => crate::dashboard::DashboardShell,
    }
    // Fewer modules, fewer chunks: the split tool makes one for every set of modules that
    // share code, and a phone pays a round trip per file.
    dashboard_home {
        home: HomeRoute => crate::dashboard::DashboardHome,
        billing: BillingRoute => crate::billing::BillingPage,
        plans_admin: PlansAdminRoute => crate::billing::PlansAdminPage,
    }
    dashboard_store {
        store_overview: StoreRoute => crate::dashboard::StoreOverview,
        orders: OrdersRoute => crate::checkout::orders_page::StoreOrdersPage,
        order: OrderRoute => crate::checkout::order_page::StoreOrderPage,
        listings: ListingsRoute => crate::store::ListingsPage,
        inquiries: InquiriesRoute => crate::inquiries::InquiriesPage,
        store_settings: StoreSettingsRoute => crate::store::StoreSettingsPage,
        channels: ChannelsRoute => crate::channels::ChannelsPage,
    }
    dashboard_inventory {
        inventory: InventoryRoute => crate::inventory::InventoryPage,
        new_item: NewItemRoute => crate::inventory::NewItemPage,
        item: ItemRoute => crate::inventory::ItemPage,
        sales: SalesRoute => crate::inventory::SalesPage,
        shipments: ShipmentsRoute => crate::inventory::ShipmentsPage,
    }
    dashboard_import {
        import: ImportRoute => crate::imports::ImportPage,
    }
    dashboard_lists {
        lists: ListsRoute => crate::lists::ListsPage,
        list: ListRoute => crate::lists::ListPage,
        inbox: InboxRoute => crate::inbox::InboxPage,
        monitors: MonitorsRoute => crate::monitors::MonitorsPage,
        webhooks: WebhooksRoute => crate::alerts::WebhooksPage,
        account: AccountRoute => crate::discord::AccountPage,
    }
    public_pages {
        catalog: CatalogRoute => crate::storefront::StorefrontPage,
        listing: ListingRoute => crate::storefront::ListingPage,
        buyer_order: BuyerOrderRoute => crate::checkout::order_page::BuyerOrderPage,
        public_list: PublicListRoute => crate::lists::PublicListPage,
        contact: ContactRoute => crate::inquiries::ContactPage,
    }
    account_pages {
        login: LoginRoute => crate::auth::LoginPage,
        signup: SignupRoute => crate::auth::SignupPage,
        discord_signup: DiscordSignupRoute => crate::discord::DiscordSignupPage,
        forgot_password: ForgotPasswordRoute => crate::auth::ForgotPasswordPage,
        reset_password: ResetPasswordRoute => crate::auth::ResetPasswordPage,
    }
}

/// The router waits for `preload` before it hydrates the server's HTML, and a page whose code is
/// missing then cannot be hydrated: any other view breaks hydration. So reload once (pages are
/// never cached, so after a deploy the new HTML names files that exist); if that was tried a
/// moment ago, leave the server's page as it is instead of crashing. Outside hydration this
/// returns at once and the page's view shows [`PageCodeMissing`].
async fn missing_while_hydrating() {
    #[cfg(feature = "hydrate")]
    if Owner::current_shared_context().is_some_and(|c| c.during_hydration()) {
        reload_once();
        std::future::pending::<()>().await;
    }
}

#[cfg(feature = "hydrate")]
fn reload_once() {
    const KEY: &str = "flipdesk_reloaded_for_missing_code_at";
    let Some(window) = web_sys::window() else {
        return;
    };
    // Whole milliseconds: parsing an integer keeps float parsing (and its ~12 KB of tables)
    // out of the main chunk.
    let now = js_sys::Date::now() as u64;
    let storage = window.session_storage().ok().flatten();
    let last: Option<u64> = storage
        .as_ref()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|v| v.parse().ok());
    if last.is_some_and(|at| now.saturating_sub(at) < 60_000) {
        leptos::logging::warn!("Part of this page could not be downloaded; reload to try again.");
        return;
    }
    if let Some(s) = storage {
        let _ = s.set_item(KEY, &now.to_string());
    }
    let _ = window.location().reload();
}

/// Shown where a page should be when its code could not be fetched: most often a new version
/// was deployed while this tab was open, so the files it asks for no longer exist.
#[component]
pub fn PageCodeMissing() -> impl IntoView {
    let here = use_location();
    let href = move || format!("{}{}", here.pathname.get(), here.search.get());
    view! {
        <div class="centered-page">
            <div class="empty-state" role="alert" data-testid="page-code-missing">
                <h1>"This page needs a reload"</h1>
                <p>
                    "Part of Flipdesk could not be downloaded — the connection dropped, or a new "
                    "version came out while this tab was open. Reload to get the latest version."
                </p>
                // rel="external": a full page load, not a client-side route change.
                <a class="button button-primary" rel="external" href=href>"Reload the page"</a>
            </div>
        </div>
    }
}
