//! The dashboard's numbers: a period picker, KPI cards compared with the period before, and
//! the charts (drawn in the browser, each with the same numbers as a table). The period and
//! currency live in the address, so a reload or a shared link shows the same view.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{
    api,
    charts::{ChartsSection, PortfolioCard},
    types::{Compare, CompareRatio, Kpis, PeriodKind, PeriodQuery},
};
use crate::{
    domain::{Currency, Money},
    error::AppError,
    ui::format_count,
};

fn query_string(q: &PeriodQuery) -> String {
    let mut parts = vec![format!("period={}", q.kind.key())];
    if q.kind == PeriodKind::Custom {
        parts.push(format!("from={}", q.from));
        parts.push(format!("to={}", q.to));
    }
    if !q.currency.is_empty() {
        parts.push(format!("currency={}", q.currency));
    }
    parts.join("&")
}

pub fn money(amount: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) => Money::new(amount, c).to_string(),
        Err(_) => format!("{amount} {currency}"),
    }
}

fn percent(bp: i64) -> String {
    format!("{:.1}%", bp as f64 / 100.0)
}

/// "+12.3% vs before" and whether that is good news.
fn change(now: i64, before: i64, good_when_up: bool) -> (String, &'static str) {
    if now == before {
        return ("same as before".into(), "change-flat");
    }
    let up = now > before;
    let class = if up == good_when_up {
        "change-good"
    } else {
        "change-bad"
    };
    if before == 0 {
        return (
            if up { "up from none" } else { "down from none" }.into(),
            class,
        );
    }
    let pct = (now - before) as f64 / before.abs() as f64 * 100.0;
    (format!("{pct:+.1}% vs before"), class)
}

#[component]
fn Kpi(
    label: &'static str,
    value: String,
    #[prop(optional, into)] sub: Option<String>,
    #[prop(optional)] compare: Option<(String, String, &'static str)>,
    #[prop(optional, into)] testid: Option<String>,
) -> impl IntoView {
    view! {
        <div class="stat kpi" data-testid=testid>
            <span class="stat-label">{label}</span>
            <span class="stat-value">{value}</span>
            {compare.map(|(before, text, class)| view! {
                <span class=format!("stat-change {class}")>{text}</span>
                <span class="stat-sub">"Before: " {before}</span>
            })}
            {sub.map(|s| view! { <span class="stat-sub">{s}</span> })}
        </div>
    }
}

fn money_kpi(
    label: &'static str,
    c: Compare,
    currency: &str,
    good_when_up: bool,
    sub: Option<String>,
    testid: &str,
) -> impl IntoView + use<> {
    let (text, class) = change(c.now, c.before, good_when_up);
    view! {
        <Kpi label value=money(c.now, currency) compare=(money(c.before, currency), text, class) sub=sub.unwrap_or_default() testid=testid.to_string()/>
    }
}

fn ratio_kpi(
    label: &'static str,
    r: CompareRatio,
    show: fn(i64) -> String,
    good_when_up: bool,
    testid: &str,
) -> impl IntoView + use<> {
    let value = r.now.map(show).unwrap_or_else(|| "—".into());
    let before = r.before.map(show).unwrap_or_else(|| "—".into());
    let (text, class) = match (r.now, r.before) {
        (Some(n), Some(b)) => change(n, b, good_when_up),
        _ => ("nothing to compare".into(), "change-flat"),
    };
    view! { <Kpi label value compare=(before, text, class) testid=testid.to_string()/> }
}

fn days(tenths: i64) -> String {
    format!("{:.1} days", tenths as f64 / 10.0)
}

#[component]
fn KpiGrid(k: Kpis) -> impl IntoView {
    let cur = k.currency.clone();
    let held_sub = format!("{} units held", format_count(k.units_held.now));
    let market_sub = (k.valued_at_cost > 0).then(|| {
        format!(
            "{} item(s) have no market price yet and count at cost",
            format_count(k.valued_at_cost)
        )
    });
    let sales_sub = format!(
        "{} sale(s), {} unit(s)",
        format_count(k.sales.now),
        format_count(k.units_sold.now)
    );
    let aging = k.aging;
    let (aging_text, aging_class) = change(aging[0].now, aging[0].before, false);
    view! {
        <div class="stat-grid kpi-grid" data-testid="kpis">
            {money_kpi("Stock at cost", k.cost_value, &cur, true, Some(held_sub), "kpi-cost")}
            {money_kpi("Market value", k.market_value, &cur, true, market_sub, "kpi-market")}
            {money_kpi("Unrealised profit", k.unrealised, &cur, true, None, "kpi-unrealised")}
            {money_kpi("Net profit", k.net_profit, &cur, true, Some(sales_sub), "kpi-profit")}
            {money_kpi("Revenue", k.revenue, &cur, true, None, "kpi-revenue")}
            {money_kpi("Fees", k.fees, &cur, false, None, "kpi-fees")}
            {ratio_kpi("ROI", k.roi_bp, percent, true, "kpi-roi")}
            {ratio_kpi("Sell-through", k.sell_through_bp, percent, true, "kpi-sell-through")}
            {ratio_kpi("Average days to sell", k.days_to_sell_tenths, days, false, "kpi-days")}
            <div class="stat kpi" data-testid="kpi-aging">
                <span class="stat-label">"Aging stock"</span>
                <span class="stat-value">{format!("{} over 30 days", format_count(aging[0].now))}</span>
                <span class=format!("stat-change {aging_class}")>{aging_text}</span>
                <span class="stat-sub">{format!("{} over 60 · {} over 90 (before: {} · {} · {})",
                    format_count(aging[1].now), format_count(aging[2].now),
                    format_count(aging[0].before), format_count(aging[1].before), format_count(aging[2].before))}</span>
            </div>
        </div>
    }
}

/// Period buttons, custom dates, the currency and the time zone the days follow.
#[component]
fn PeriodBar(
    query: Memo<PeriodQuery>,
    go: Callback<PeriodQuery>,
    kpis: Option<Kpis>,
) -> impl IntoView {
    let custom_open = RwSignal::new(query.get_untracked().kind == PeriodKind::Custom);
    let from = RwSignal::new(
        kpis.as_ref()
            .map(|k| k.period.from.clone())
            .unwrap_or_default(),
    );
    let to = RwSignal::new(
        kpis.as_ref()
            .map(|k| k.period.to.clone())
            .unwrap_or_default(),
    );
    let currencies = kpis
        .as_ref()
        .map(|k| k.currencies.clone())
        .unwrap_or_default();
    let currency = kpis
        .as_ref()
        .map(|k| k.currency.clone())
        .unwrap_or_default();
    let time_zone = kpis
        .as_ref()
        .map(|k| k.time_zone.clone())
        .unwrap_or_default();
    let summary = kpis.as_ref().map(|k| {
        format!(
            "{} to {}, compared with {} to {}",
            k.period.from, k.period.to, k.previous.from, k.previous.to
        )
    });
    view! {
        <div class="period-bar">
            <div class="segmented" role="group" aria-label="Period">
                {PeriodKind::ALL.into_iter().map(|kind| {
                    let pressed = move || if kind == PeriodKind::Custom { custom_open.get() } else { query.get().kind == kind && !custom_open.get() };
                    view! {
                        <button type="button" class="segment" aria-pressed=move || pressed().to_string()
                            on:click=move |_| {
                                if kind == PeriodKind::Custom {
                                    custom_open.set(true);
                                } else {
                                    custom_open.set(false);
                                    go.run(PeriodQuery { kind, from: String::new(), to: String::new(), ..query.get_untracked() });
                                }
                            }>{kind.label()}</button>
                    }
                }).collect_view()}
            </div>
            <Show when=move || custom_open.get()>
                <form class="custom-period" on:submit=move |ev| {
                    ev.prevent_default();
                    go.run(PeriodQuery { kind: PeriodKind::Custom, from: from.get_untracked(), to: to.get_untracked(), ..query.get_untracked() });
                }>
                    <label>"From " <input type="date" name="from" required prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/></label>
                    <label>"To " <input type="date" name="to" required prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/></label>
                    <button type="submit" class="button">"Show"</button>
                </form>
            </Show>
            {(currencies.len() > 1).then(|| {
                let currency = currency.clone();
                view! {
                    <label class="currency-pick">"Currency "
                        <select on:change=move |ev| go.run(PeriodQuery { currency: event_target_value(&ev), ..query.get_untracked() })>
                            {currencies.iter().map(|c| view! { <option value=c.clone() selected=*c == currency>{c.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                }
            })}
        </div>
        <p class="muted period-summary">
            {summary}
            {(!time_zone.is_empty()).then(|| view! { <TimeZoneNote current=time_zone.clone()/> })}
        </p>
    }
}

/// "Days follow Europe/Paris" with a picker to change it.
#[component]
fn TimeZoneNote(current: String) -> impl IntoView {
    let editing = RwSignal::new(false);
    let zones = LocalResource::new(move || async move {
        if editing.get() {
            api::list_time_zones().await.unwrap_or_default()
        } else {
            Vec::new()
        }
    });
    let chosen = RwSignal::new(current.clone());
    let save = Action::new(move |tz: &String| {
        let tz = tz.clone();
        async move { api::set_time_zone(tz).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            // Days and periods follow the new zone: load the page's numbers again.
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });
    let current_label = current.clone();
    view! {
        " · Days follow "
        <strong data-testid="time-zone">{current_label}</strong>
        " "
        <Show when=move || !editing.get() fallback=move || view! {
            <span class="time-zone-form">
                <label class="visually-hidden" for="time-zone">"Time zone"</label>
                <select id="time-zone" on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {move || zones.get().unwrap_or_default().into_iter().map(|z| {
                        let selected = z == chosen.get_untracked();
                        view! { <option value=z.clone() selected=selected>{z.clone()}</option> }
                    }).collect_view()}
                </select>
                <button type="button" class="button" disabled=move || save.pending().get()
                    on:click=move |_| { save.dispatch(chosen.get_untracked()); }>"Save"</button>
                {move || match save.value().get() {
                    Some(Err(e)) => Some(view! { <span class="field-error" role="alert">{e.to_string()}</span> }),
                    _ => None,
                }}
            </span>
        }>
            <button type="button" class="link-button" on:click=move |_| editing.set(true)>"Change"</button>
        </Show>
    }
}

/// The numbers on the dashboard's home.
#[component]
pub fn AnalyticsPanel() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let m = query_map.get();
        PeriodQuery {
            kind: m
                .get("period")
                .and_then(|k| PeriodKind::from_key(&k))
                .unwrap_or_default(),
            from: m.get("from").unwrap_or_default(),
            to: m.get("to").unwrap_or_default(),
            currency: m.get("currency").unwrap_or_default(),
        }
    });
    let kpis = Resource::new(move || query.get(), api::get_kpis);
    let charts = Resource::new(move || query.get(), api::get_charts);
    let navigate = use_navigate();
    let go = Callback::new(move |q: PeriodQuery| {
        navigate(&format!("/app?{}", query_string(&q)), Default::default());
    });
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::resize, |_| super::draw::resize_all());
        on_cleanup(move || handle.remove());
    }
    let updating = RwSignal::new(false);
    view! {
        <section class="analytics" aria-label="Your numbers">
            <PortfolioCard currency=Signal::derive(move || query.get().currency)/>
            <p class="muted updating" role="status" hidden=move || !updating.try_get().unwrap_or_default()>"Working out the numbers for this period…"</p>
            <Transition fallback=|| view! { <p class="muted" role="status">"Working out your numbers…"</p> } set_pending=updating>
                {move || Suspend::new(async move {
                    match kpis.await {
                        Ok(k) => {
                            let empty = k.currencies.is_empty();
                            view! {
                                <PeriodBar query go kpis=Some(k.clone())/>
                                {if empty {
                                    crate::ui::table::empty_state(
                                        "Your numbers appear here",
                                        "Add or import the items you hold and record sales: stock value, profit and net worth over time show up here.",
                                        Some(view! { <div class="button-row"><a class="button button-primary" href="/app/inventory/new">"Add an item"</a><a class="button" href="/app/import">"Import a spreadsheet"</a></div> }.into_any()),
                                    )
                                } else {
                                    view! { <KpiGrid k=k.clone()/> }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(e) => error_view(e).into_any(),
                    }
                })}
            </Transition>
            <ChartsSection charts/>
        </section>
    }
}

fn error_view(e: AppError) -> impl IntoView {
    let message = match e {
        AppError::Validation { message, .. } => message,
        other => other.to_string(),
    };
    view! { <p class="banner banner-error" role="alert">{message}</p> }
}
