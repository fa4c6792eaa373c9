//! Chart boxes: the server renders each chart's numbers as a table (readable without
//! WebAssembly, by screen readers, and copyable); in the browser the chart is drawn above it.

use leptos::prelude::*;

use super::{page::money, types::Charts};
/// Which chart a box draws (the drawing itself only exists in the browser build).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
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
    children: Children,
) -> impl IntoView {
    let failed = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    {
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
        <section class=if wide { "card chart-card chart-wide" } else { "card chart-card" } aria-labelledby=format!("{id}-title")>
            <h2 id=format!("{id}-title")>{title}</h2>
            <div class="chart" id=id aria-hidden="true" data-testid=id></div>
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
    view! {
        <Transition fallback=|| view! { <p class="muted" role="status">"Drawing your charts…"</p> }>
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
                let has_brands = !c.by_brand.is_empty();
                Some(view! {
                    <div class="chart-grid" data-testid="charts">
                        <ChartBox id="chart-worth" title="Net worth over time" kind=ChartKind::Worth charts=c.clone() wide=true>
                            {table(&["Day", "Cost basis", "Market value", "Realised profit"], worth_rows)}
                        </ChartBox>
                        <ChartBox id="chart-weekly" title="Profit per week" kind=ChartKind::Weekly charts=c.clone()>
                            {table(&["Week", "Net profit"], weekly_rows)}
                        </ChartBox>
                        <ChartBox id="chart-monthly" title="Profit per month" kind=ChartKind::Monthly charts=c.clone()>
                            {table(&["Month", "Net profit"], monthly_rows)}
                        </ChartBox>
                        <ChartBox id="chart-channels" title="Sales by channel" kind=ChartKind::Channels charts=c.clone()>
                            {table(&["Channel", "Sales", "Revenue", "Net profit"], channel_rows)}
                        </ChartBox>
                        <ChartBox id="chart-kinds" title="Stock value by kind" kind=ChartKind::ByKind charts=c.clone()>
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
