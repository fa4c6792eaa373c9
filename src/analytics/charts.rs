//! Chart boxes: the server renders each chart's numbers as a table (readable without
//! WebAssembly, by screen readers, and copyable); in the browser the chart is drawn above it.

use leptos::prelude::*;

use super::{
    api,
    page::money,
    types::{Charts, WorthRange},
};
/// Which chart a box draws (the drawing itself only exists in the browser build).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    Portfolio,
    Worth,
    Weekly,
    Monthly,
    Channels,
    ByKind,
    ByBrand,
    BySet,
}

#[component]
fn ChartBox(
    id: &'static str,
    title: &'static str,
    kind: ChartKind,
    charts: Charts,
    #[prop(optional)] wide: bool,
    /// What to say instead of drawing a chart with nothing on it.
    #[prop(default = None)]
    empty: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let failed = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    if empty.is_none() {
        let data = charts.clone();
        Effect::new(move |_| {
            let data = data.clone();
            leptos::task::spawn_local(async move {
                if let Err(e) = super::draw::draw(id, kind, &data).await {
                    failed.set(Some(e));
                }
            });
        });
        on_cleanup(move || super::draw::release(id));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (kind, &charts);
    view! {
        // Without a title the box sits inside another card (the portfolio headline).
        <section class=if title.is_empty() { "chart-inline" } else if wide { "card chart-card chart-wide" } else { "card chart-card" }
            aria-labelledby=(!title.is_empty()).then(|| format!("{id}-title"))>
            {(!title.is_empty()).then(|| view! { <h2 id=format!("{id}-title")>{title}</h2> })}
            {match empty {
                Some(text) => view! { <p class="chart-empty muted" data-testid=id>{text}</p> }.into_any(),
                None => view! { <div class="chart" id=id aria-hidden="true" data-testid=id></div> }.into_any(),
            }}
            {move || failed.get().map(|e| view! {
                <p class="muted" role="status">{format!("The chart could not be drawn ({e}); the table below has the same numbers.")}</p>
            })}
            <details class="chart-table" open=move || failed.get().is_some()>
                <summary>"Show as a table"</summary>
                <div class="table-scroll">{children()}</div>
            </details>
        </section>
    }
}

fn table(head: &[&'static str], rows: Vec<Vec<String>>) -> impl IntoView + use<> {
    view! {
        <table class="simple-table">
            <thead><tr>{head.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>{r.into_iter().enumerate().map(|(i, c)| if i == 0 {
                        view! { <th scope="row">{c}</th> }.into_any()
                    } else {
                        view! { <td class="numeric">{c}</td> }.into_any()
                    }).collect_view()}</tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn ChartsSection(charts: Resource<Result<Charts, crate::error::AppError>>) -> impl IntoView {
    let updating = RwSignal::new(false);
    view! {
        <p class="muted updating" role="status" hidden=move || !updating.try_get().unwrap_or_default()>"Updating the charts…"</p>
        <Transition fallback=|| view! { <p class="muted" role="status">"Drawing your charts…"</p> } set_pending=updating>
            {move || Suspend::new(async move {
                let c = charts.await.ok()?;
                let nothing = c.worth.iter().all(|p| p.cost == 0 && p.market == 0 && p.realised == 0)
                    && c.channels.is_empty() && c.by_kind.is_empty();
                if nothing {
                    return None;
                }
                let cur = c.currency.clone();
                let m = move |a: i64| money(a, &cur);
                let worth_rows = c.worth.iter().map(|p| vec![p.day.clone(), m(p.cost), m(p.market), m(p.realised)]).collect();
                let weekly_rows = c.weekly.iter().map(|b| vec![format!("Week of {}", b.label), m(b.profit)]).collect();
                let monthly_rows = c.monthly.iter().map(|b| vec![b.label.clone(), m(b.profit)]).collect();
                let channel_rows = c.channels.iter().map(|r| vec![r.channel.clone(), r.sales.to_string(), m(r.revenue), m(r.profit)]).collect();
                let slices = |s: &[super::types::ValueSlice]| s.iter().map(|s| vec![s.label.clone(), s.units.to_string(), m(s.cost), m(s.market)]).collect::<Vec<_>>();
                let (kind_rows, brand_rows, set_rows) = (slices(&c.by_kind), slices(&c.by_brand), slices(&c.by_set));
                let has_cards = !c.by_set.is_empty();
                let none_if = |empty: bool, text: &'static str| empty.then_some(text);
                let worth_empty = none_if(
                    c.worth.iter().all(|p| p.cost == 0 && p.market == 0 && p.realised == 0),
                    "Nothing held or sold in this period yet.",
                );
                let weekly_empty = none_if(c.weekly.iter().all(|b| b.profit == 0), "No profit from sales in these weeks yet.");
                let monthly_empty = none_if(c.monthly.iter().all(|b| b.profit == 0), "No profit from sales in these months yet.");
                let channels_empty = none_if(c.channels.is_empty(), "No sales in this period yet: record a sale and its channel shows here.");
                let kinds_empty = none_if(c.by_kind.is_empty(), "Nothing in stock right now.");
                let has_brands = !c.by_brand.is_empty();
                Some(view! {
                    <div class="chart-grid" data-testid="charts" aria-busy=move || updating.try_get().unwrap_or_default().to_string()>
                        <ChartBox id="chart-worth" title="Net worth over time" kind=ChartKind::Worth charts=c.clone() wide=true empty=worth_empty>
                            {table(&["Day", "Cost basis", "Market value", "Realised profit"], worth_rows)}
                        </ChartBox>
                        <ChartBox id="chart-weekly" title="Profit per week" kind=ChartKind::Weekly charts=c.clone() empty=weekly_empty>
                            {table(&["Week", "Net profit"], weekly_rows)}
                        </ChartBox>
                        <ChartBox id="chart-monthly" title="Profit per month" kind=ChartKind::Monthly charts=c.clone() empty=monthly_empty>
                            {table(&["Month", "Net profit"], monthly_rows)}
                        </ChartBox>
                        <ChartBox id="chart-channels" title="Sales by channel" kind=ChartKind::Channels charts=c.clone() empty=channels_empty>
                            {table(&["Channel", "Sales", "Revenue", "Net profit"], channel_rows)}
                        </ChartBox>
                        <ChartBox id="chart-kinds" title="Stock value by kind" kind=ChartKind::ByKind charts=c.clone() empty=kinds_empty>
                            {table(&["Kind", "Units", "At cost", "Market value"], kind_rows)}
                        </ChartBox>
                        {has_brands.then(|| view! {
                            <ChartBox id="chart-brands" title="Stock value by brand" kind=ChartKind::ByBrand charts=c.clone()>
                                {table(&["Brand", "Units", "At cost", "Market value"], brand_rows)}
                            </ChartBox>
                        })}
                        {has_cards.then(|| view! {
                            <ChartBox id="chart-sets" title="Card value by set" kind=ChartKind::BySet charts=c.clone()>
                                {table(&["Set", "Units", "At cost", "Market value"], set_rows)}
                            </ChartBox>
                        })}
                    </div>
                })
            })}
        </Transition>
    }
}

/// "+$1,200.00 (+8.1%) past month", and whether that is up, down or flat.
fn portfolio_change(
    start: i64,
    value: i64,
    currency: &str,
    range: WorthRange,
) -> (String, &'static str) {
    let diff = value - start;
    let class = match diff.signum() {
        1 => "change-good",
        -1 => "change-bad",
        _ => "change-flat",
    };
    let amount = money(diff.abs(), currency);
    let sign = if diff < 0 { "−" } else { "+" };
    let text = if diff == 0 {
        format!("No change {}", range.spoken())
    } else if start > 0 {
        let pct = (diff as f64 / start as f64 * 100.0).abs();
        format!("{sign}{amount} ({sign}{pct:.1}%) {}", range.spoken())
    } else {
        format!("{sign}{amount} {}", range.spoken())
    };
    (text, class)
}

/// The headline: what everything held is worth at market today, and how that moved over a
/// range the reseller picks (1W, 1M, 3M, 1Y, All).
#[component]
pub fn PortfolioCard(currency: Signal<String>) -> impl IntoView {
    let range = RwSignal::new(WorthRange::default());
    let data = Resource::new(
        move || (range.get(), currency.get()),
        |(r, c)| api::get_portfolio(r, c),
    );
    // Read with `try_get` in attributes: during server rendering the parent may replace this
    // card (its currency arrived) while the old one is still being streamed.
    let updating = RwSignal::new(false);
    view! {
        <section class="card portfolio" aria-labelledby="portfolio-title" data-testid="portfolio" aria-busy=move || updating.try_get().unwrap_or_default().to_string()>
            <div class="portfolio-head">
                <h2 id="portfolio-title" class="stat-label">"Portfolio value"</h2>
                <div class="segmented" role="group" aria-label="Range">
                    {WorthRange::ALL.into_iter().map(|r| view! {
                        <button type="button" class="segment" title=r.spoken() aria-pressed=move || (range.try_get() == Some(r)).to_string()
                            on:click=move |_| range.set(r)>{r.label()}</button>
                    }).collect_view()}
                </div>
            </div>
            <Transition fallback=|| view! { <p class="muted" role="status">"Adding up your stock…"</p> } set_pending=updating>
                {move || Suspend::new(async move {
                    let p = data.await.ok().filter(|p| p.has_history)?;
                    let (text, class) = portfolio_change(p.start, p.value, &p.currency, p.range);
                    let rows = p.points.iter().map(|pt| vec![pt.day.clone(), money(pt.market, &p.currency)]).collect();
                    let empty = p.points.iter().all(|pt| pt.market == 0).then_some("Nothing held in this range yet.");
                    let charts = Charts { currency: p.currency.clone(), worth: p.points.clone(), ..Default::default() };
                    Some(view! {
                        <p class="portfolio-value" data-testid="portfolio-value">{money(p.value, &p.currency)}</p>
                        <p class=format!("stat-change {class}") data-testid="portfolio-change">{text}</p>
                        <ChartBox id="chart-portfolio" title="" kind=ChartKind::Portfolio charts wide=true empty>
                            {table(&["Day", "Market value"], rows)}
                        </ChartBox>
                    })
                })}
            </Transition>
        </section>
    }
}
