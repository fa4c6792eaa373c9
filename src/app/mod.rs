//! Root component, routes and the HTML shell.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::{
    dashboard::ViewChoice,
    ui::{Brand, NotFoundPage},
};

mod lazy;

pub use lazy::*;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.ico"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                {needs_code().then(|| view! { <HydrationScripts options/> })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Whether the page asked for runs the app's WebAssembly. The landing page and the
/// storefront's catalog and item pages are plain HTML (links and GET forms) and are sent
/// without it; every other page hydrates.
fn needs_code() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>().is_none_or(|parts| {
            let path = parts.uri.path();
            path != "/" && !crate::storefront::is_plain_page(path)
        })
    }
    #[cfg(not(feature = "ssr"))]
    true
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(ViewChoice::from_cookie());

    // True while a client-side navigation waits for the next page (its code or its data).
    let (is_routing, set_is_routing) = signal(false);

    view! {
        <Title text="Flipdesk"/>
        <div class="route-loading" role="progressbar" aria-label="Loading the page"
            hidden=move || !is_routing.get()></div>
        <Router set_is_routing>
            <Routes fallback=|| view! { <NotFoundPage/> }>
                <Route path=path!("/") view=Landing/>
                <Route path=path!("/login") view={Lazy::<LoginRoute>::new()}/>
                <Route path=path!("/signup") view={Lazy::<SignupRoute>::new()}/>
                <Route path=path!("/signup/discord") view={Lazy::<DiscordSignupRoute>::new()}/>
                <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordRoute>::new()}/>
                <Route path=path!("/reset-password") view={Lazy::<ResetPasswordRoute>::new()}/>
                <ParentRoute path=path!("/app") view={Lazy::<ShellRoute>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<HomeRoute>::new()}/>
                    <Route path=path!("store") view={Lazy::<StoreRoute>::new()}/>
                    <Route path=path!("store/orders") view={Lazy::<OrdersRoute>::new()}/>
                    <Route path=path!("store/orders/:id") view={Lazy::<OrderRoute>::new()}/>
                    <Route path=path!("store/listings") view={Lazy::<ListingsRoute>::new()}/>
                    <Route path=path!("store/inquiries") view={Lazy::<InquiriesRoute>::new()}/>
                    <Route path=path!("store/settings") view={Lazy::<StoreSettingsRoute>::new()}/>
                    <Route path=path!("store/channels") view={Lazy::<ChannelsRoute>::new()}/>
                    <Route path=path!("inventory") view={Lazy::<InventoryRoute>::new()}/>
                    <Route path=path!("inventory/new") view={Lazy::<NewItemRoute>::new()}/>
                    <Route path=path!("inventory/:id") view={Lazy::<ItemRoute>::new()}/>
                    <Route path=path!("sales") view={Lazy::<SalesRoute>::new()}/>
                    <Route path=path!("shipments") view={Lazy::<ShipmentsRoute>::new()}/>
                    <Route path=path!("import") view={Lazy::<ImportRoute>::new()}/>
                    <Route path=path!("lists") view={Lazy::<ListsRoute>::new()}/>
                    <Route path=path!("lists/:id") view={Lazy::<ListRoute>::new()}/>
                    <Route path=path!("billing") view={Lazy::<BillingRoute>::new()}/>
                    <Route path=path!("inbox") view={Lazy::<InboxRoute>::new()}/>
                    <Route path=path!("inbox/webhooks") view={Lazy::<WebhooksRoute>::new()}/>
                    <Route path=path!("account") view={Lazy::<AccountRoute>::new()}/>
                    <Route path=path!("monitors") view={Lazy::<MonitorsRoute>::new()}/>
                    <Route path=path!("admin/plans") view={Lazy::<PlansAdminRoute>::new()}/>
                </ParentRoute>
                // Sent as plain HTML (see `needs_code`): their code is only fetched when a
                // hydrated page (the cart) navigates to them.
                <Route path=path!("/s/:store") view={Lazy::<CatalogRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/s/:store/items/:listing") view={Lazy::<ListingRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/s/:store/cart") view=crate::storefront::CartPage ssr=SsrMode::Async/>
                <Route path=path!("/s/:store/contact") view={Lazy::<ContactRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/orders/:order") view={Lazy::<BuyerOrderRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/lists/:list") view={Lazy::<PublicListRoute>::new()} ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

#[component]
fn Landing() -> impl IntoView {
    view! {
        <Title text="Flipdesk · Inventory and storefront for sneaker and card resellers"/>
        <div class="landing">
            <header class="landing-header">
                <Brand/>
                <nav class="landing-nav" aria-label="Account">
                    <a class="button button-ghost" href="/login">"Log in"</a>
                    <a class="button button-primary" href="/signup">"Sign up free"</a>
                </nav>
            </header>
            <main id="main" class="landing-main">
                <section class="hero">
                    <p class="eyebrow">"For sneaker and trading-card resellers"</p>
                    <h1>"Every pair, every slab, from purchase to payout."</h1>
                    <p class="hero-lead">
                        "Track inventory with style ids, sizes, sets and grades. Import your spreadsheets, "
                        "see your profit, and sell through your own storefront with checkout that never oversells."
                    </p>
                    <div class="hero-actions">
                        <a class="button button-primary button-large" href="/signup">"Create your free account"</a>
                        <a class="button button-large" href="/s/demo">"Browse the demo store"</a>
                    </div>
                </section>
                <section class="features" aria-label="What Flipdesk does">
                    <article class="card">
                        <h2>"Inventory that speaks reseller"</h2>
                        <p>"Sneakers with style ids and size runs, cards with sets, grades and cert numbers."</p>
                    </article>
                    <article class="card">
                        <h2>"Your own storefront"</h2>
                        <p>"A public store at your own address with Stripe Checkout and short stock holds."</p>
                    </article>
                    <article class="card">
                        <h2>"Want-To-Buy lists"</h2>
                        <p>"Publish what you are hunting for and let your Discord bot keep it up to date."</p>
                    </article>
                </section>
            </main>
            <footer class="landing-footer"><p>"© Flipdesk"</p></footer>
        </div>
    }
}
