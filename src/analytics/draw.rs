//! Drawing the dashboard's charts in the browser with `charming` (ECharts). ECharts itself is
//! a script loaded from `/vendor/echarts.min.js` the first time a chart is drawn, so pages
//! without charts never download it.

use charming::{
    Chart,
    component::{Axis, Grid, Legend},
    element::{AreaStyle, AxisType, Tooltip, Trigger},
    series::{Bar, Line, Pie},
};
use wasm_bindgen::{JsCast, prelude::*};

use super::{charts::ChartKind, types::Charts};
use crate::domain::{Currency, Money};

#[wasm_bindgen]
extern "C" {
    type Instance;
    #[wasm_bindgen(js_namespace = echarts, js_name = init)]
    fn init(el: &web_sys::Element) -> Instance;
    #[wasm_bindgen(method, js_name = setOption)]
    fn set_option(this: &Instance, option: &JsValue);
    #[wasm_bindgen(js_namespace = echarts, js_name = getInstanceByDom)]
    fn instance_of(el: &web_sys::Element) -> JsValue;
    #[wasm_bindgen(js_namespace = echarts, js_name = dispose)]
    fn dispose(el: &web_sys::Element);
}

fn echarts_loaded() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("echarts"))
        .map(|v| !v.is_undefined())
        .unwrap_or(false)
}

/// Loads ECharts once (later calls wait for the same script).
async fn load_echarts() -> Result<(), String> {
    if echarts_loaded() {
        return Ok(());
    }
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let script = match document.get_element_by_id("echarts-script") {
        Some(s) => s,
        None => {
            let s = document
                .create_element("script")
                .map_err(|_| "cannot create a script")?;
            s.set_attribute("src", "/vendor/echarts.min.js")
                .map_err(|_| "cannot set src")?;
            s.set_id("echarts-script");
            document
                .head()
                .ok_or("no head")?
                .append_child(&s)
                .map_err(|_| "cannot add the script")?;
            s
        }
    };
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let target: &web_sys::EventTarget = script.unchecked_ref();
        let _ = target.add_event_listener_with_callback("load", &resolve);
        let _ = target.add_event_listener_with_callback("error", &reject);
    });
    // The script may have finished between the check and the listeners.
    if !echarts_loaded() {
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|_| "the chart library did not load")?;
    }
    Ok(())
}

fn major(amount: i64, currency: &str) -> f64 {
    let exp = Currency::parse(currency).map(|c| c.exponent()).unwrap_or(2);
    amount as f64 / 10f64.powi(exp as i32)
}

/// A chart with a category axis of `labels`, a value axis in `currency`, a legend and axis
/// tooltips.
fn on_axes(labels: Vec<String>, currency: &str) -> Chart {
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().top(0))
        .grid(Grid::new().left(64).right(24).top(48).bottom(40))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value).name(currency))
}

fn build(kind: ChartKind, c: &Charts) -> Chart {
    let cur = c.currency.as_str();
    // Minor units of `field` for each row, in the currency's major unit.
    fn amounts<T>(rows: &[T], cur: &str, field: impl Fn(&T) -> i64) -> Vec<f64> {
        rows.iter().map(|r| major(field(r), cur)).collect()
    }
    match kind {
        ChartKind::Portfolio => Chart::new()
            .tooltip(Tooltip::new().trigger(Trigger::Axis))
            .grid(Grid::new().left(64).right(24).top(32).bottom(32))
            .x_axis(
                Axis::new()
                    .type_(AxisType::Category)
                    .data(c.worth.iter().map(|p| p.day.clone()).collect()),
            )
            .y_axis(Axis::new().type_(AxisType::Value).name(cur))
            .series(
                Line::new()
                    .name("Market value")
                    .show_symbol(false)
                    .area_style(AreaStyle::new().opacity(0.15))
                    .data(amounts(&c.worth, cur, |p| p.market)),
            ),
        ChartKind::Worth => {
            let line = |name: &str, field: fn(&super::types::WorthPoint) -> i64| {
                Line::new()
                    .name(name)
                    .show_symbol(false)
                    .data(amounts(&c.worth, cur, field))
            };
            on_axes(c.worth.iter().map(|p| p.day.clone()).collect(), cur)
                .series(line("Market value", |p| p.market))
                .series(line("Cost basis", |p| p.cost))
                .series(line("Realised profit", |p| p.realised))
        }
        ChartKind::Weekly | ChartKind::Monthly => {
            let buckets = if kind == ChartKind::Weekly {
                &c.weekly
            } else {
                &c.monthly
            };
            on_axes(buckets.iter().map(|b| b.label.clone()).collect(), cur).series(
                Bar::new()
                    .name("Net profit")
                    .data(amounts(buckets, cur, |b| b.profit)),
            )
        }
        ChartKind::Channels => Chart::new()
            .tooltip(Tooltip::new().trigger(Trigger::Item))
            .legend(Legend::new().top(0))
            .series(
                Pie::new()
                    .name("Revenue")
                    .radius(vec!["40%", "68%"])
                    .center(vec!["50%", "58%"])
                    .data(
                        c.channels
                            .iter()
                            .map(|r| (major(r.revenue, cur), r.channel.as_str()))
                            .collect(),
                    ),
            ),
        ChartKind::ByKind | ChartKind::ByBrand | ChartKind::BySet => {
            let slices = match kind {
                ChartKind::ByKind => &c.by_kind,
                ChartKind::ByBrand => &c.by_brand,
                _ => &c.by_set,
            };
            on_axes(slices.iter().map(|s| s.label.clone()).collect(), cur)
                .series(
                    Bar::new()
                        .name("At cost")
                        .data(amounts(slices, cur, |s| s.cost)),
                )
                .series(
                    Bar::new()
                        .name("Market value")
                        .data(amounts(slices, cur, |s| s.market)),
                )
        }
    }
}

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), String> {
    js_sys::Reflect::set(target, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| format!("cannot set the chart's {key}"))
}

/// ECharts options for `chart`, with what `charming` cannot say: tooltips drawn on the canvas
/// (HTML tooltips carry inline styles, which the page's content security policy refuses) and
/// amounts written as money in tooltips and on the value axis.
fn options(chart: &Chart, currency: &str) -> Result<JsValue, String> {
    let json = serde_json::to_string(chart).map_err(|e| e.to_string())?;
    let option = js_sys::JSON::parse(&json).map_err(|_| "the chart's options are not valid")?;
    let (full, short) = formatters(currency);
    let tooltip = js_sys::Reflect::get(&option, &JsValue::from_str("tooltip"))
        .ok()
        .filter(|t| t.is_object())
        .unwrap_or_else(|| js_sys::Object::new().into());
    set(&tooltip, "renderMode", &JsValue::from_str("richText"))?;
    set(&tooltip, "valueFormatter", &full)?;
    set(&option, "tooltip", &tooltip)?;
    if let Ok(axis) = js_sys::Reflect::get(&option, &JsValue::from_str("yAxis"))
        && axis.is_object()
    {
        let label = js_sys::Object::new();
        set(&label, "formatter", &short)?;
        set(&axis, "axisLabel", &label)?;
    }
    Ok(option)
}

thread_local! {
    /// The money formatters handed to ECharts, made once per currency and kept for the page's
    /// life (redrawing a chart reuses them instead of leaking new ones).
    static FORMATTERS: std::cell::RefCell<std::collections::HashMap<String, (JsValue, JsValue)>> =
        Default::default();
}

/// (full, compact) money formatters for `currency`, as JavaScript functions.
fn formatters(currency: &str) -> (JsValue, JsValue) {
    FORMATTERS.with(|cache| {
        cache
            .borrow_mut()
            .entry(currency.to_string())
            .or_insert_with(|| {
                let make = |compact: bool| {
                    let cur = currency.to_string();
                    Closure::<dyn Fn(JsValue) -> String>::new(move |v: JsValue| {
                        money_label(v, &cur, compact)
                    })
                    .into_js_value()
                };
                (make(false), make(true))
            })
            .clone()
    })
}

/// A chart value (major units of `currency`) as money: in full, or short for an axis.
fn money_label(value: JsValue, currency: &str, compact: bool) -> String {
    let Some(major) = value.as_f64() else {
        return String::new();
    };
    let Ok(c) = Currency::parse(currency) else {
        return format!("{major}");
    };
    let m = Money::new((major * 10f64.powi(c.exponent() as i32)).round() as i64, c);
    if compact { m.compact() } else { m.to_string() }
}

/// Draws (or redraws) one chart into the element with `id`.
pub async fn draw(id: &str, kind: ChartKind, charts: &Charts) -> Result<(), String> {
    load_echarts().await?;
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .ok_or("the chart's box is gone")?;
    if !instance_of(&element).is_undefined() {
        dispose(&element);
    }
    let option = options(&build(kind, charts), &charts.currency)?;
    init(&element).set_option(&option);
    Ok(())
}

/// Frees the chart in the element with `id` (its box is leaving the page).
pub fn release(id: &str) {
    if !echarts_loaded() {
        return;
    }
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        && !instance_of(&el).is_undefined()
    {
        dispose(&el);
    }
}

/// Fits every chart on the page to its box again (after the window changed size).
pub fn resize_all() {
    if !echarts_loaded() {
        return;
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(list) = doc.query_selector_all(".chart") {
        for i in 0..list.length() {
            if let Some(el) = list
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                let inst = instance_of(&el);
                if !inst.is_undefined()
                    && let Ok(f) = js_sys::Reflect::get(&inst, &JsValue::from_str("resize"))
                    && let Some(f) = f.dyn_ref::<js_sys::Function>()
                {
                    let _ = f.call0(&inst);
                }
            }
        }
    }
}
