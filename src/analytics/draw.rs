//! Drawing the dashboard's charts in the browser with ECharts. ECharts itself is a script
//! loaded from `/vendor/echarts.min.js` the first time a chart is drawn, so pages without
//! charts never download it.
//!
//! The options are written as JavaScript objects directly: a typed option tree (`charming`)
//! serialised through serde cost about 30 KB of compressed WebAssembly for the handful of keys
//! these charts use (issue #19).

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

/// A JavaScript object built key by key.
struct Obj(js_sys::Object);

impl Obj {
    fn new() -> Self {
        Obj(js_sys::Object::new())
    }

    fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        // Setting a property on a plain new object cannot fail.
        let _ = js_sys::Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }
}

impl From<Obj> for JsValue {
    fn from(o: Obj) -> JsValue {
        o.0.into()
    }
}

fn list<T: Into<JsValue>>(items: impl IntoIterator<Item = T>) -> JsValue {
    items
        .into_iter()
        .map(Into::into)
        .collect::<js_sys::Array>()
        .into()
}

/// ECharts' tooltip, drawn on the canvas (HTML tooltips carry inline styles, which the page's
/// content security policy refuses), with amounts written as money.
fn tooltip(trigger: &str, currency: &str) -> Obj {
    Obj::new()
        .set("trigger", trigger)
        .set("renderMode", "richText")
        .set("valueFormatter", formatters(currency).0)
}

fn grid(top: u32, bottom: u32) -> JsValue {
    list([Obj::new()
        .set("left", 64)
        .set("right", 24)
        .set("top", top)
        .set("bottom", bottom)])
}

fn category_axis(labels: impl IntoIterator<Item = String>) -> Obj {
    Obj::new().set("type", "category").set("data", list(labels))
}

/// The value axis, labelled in short money.
fn money_axis(currency: &str) -> Obj {
    Obj::new().set("type", "value").set("name", currency).set(
        "axisLabel",
        Obj::new().set("formatter", formatters(currency).1),
    )
}

/// A chart with a category axis of `labels`, a value axis in `currency`, a legend and axis
/// tooltips, drawing `series`.
fn on_axes(labels: impl IntoIterator<Item = String>, currency: &str, series: Vec<Obj>) -> Obj {
    Obj::new()
        .set("tooltip", tooltip("axis", currency))
        .set("legend", Obj::new().set("top", 0))
        .set("grid", grid(48, 40))
        .set("xAxis", category_axis(labels))
        .set("yAxis", money_axis(currency))
        .set("series", list(series))
}

fn series(kind: &str, name: &str, data: Vec<f64>) -> Obj {
    let s = Obj::new()
        .set("type", kind)
        .set("name", name)
        .set("data", list(data));
    if kind == "line" {
        s.set("showSymbol", false)
    } else {
        s
    }
}

/// ECharts' options for `kind`.
fn options(kind: ChartKind, c: &Charts) -> JsValue {
    let cur = c.currency.as_str();
    // Minor units of `field` for each row, in the currency's major unit.
    fn amounts<T>(rows: &[T], cur: &str, field: impl Fn(&T) -> i64) -> Vec<f64> {
        rows.iter().map(|r| major(field(r), cur)).collect()
    }
    let days = || c.worth.iter().map(|p| p.day.clone());
    match kind {
        ChartKind::Portfolio => Obj::new()
            .set("tooltip", tooltip("axis", cur))
            .set("grid", grid(32, 32))
            .set("xAxis", category_axis(days()))
            .set("yAxis", money_axis(cur))
            .set(
                "series",
                list([
                    series("line", "Market value", amounts(&c.worth, cur, |p| p.market))
                        .set("areaStyle", Obj::new().set("opacity", 0.15)),
                ]),
            )
            .into(),
        ChartKind::Worth => {
            let line = |name: &str, field: fn(&super::types::WorthPoint) -> i64| {
                series("line", name, amounts(&c.worth, cur, field))
            };
            on_axes(
                days(),
                cur,
                vec![
                    line("Market value", |p| p.market),
                    line("Cost basis", |p| p.cost),
                    line("Realised profit", |p| p.realised),
                ],
            )
            .into()
        }
        ChartKind::Weekly | ChartKind::Monthly => {
            let buckets = if kind == ChartKind::Weekly {
                &c.weekly
            } else {
                &c.monthly
            };
            on_axes(
                buckets.iter().map(|b| b.label.clone()),
                cur,
                vec![series(
                    "bar",
                    "Net profit",
                    amounts(buckets, cur, |b| b.profit),
                )],
            )
            .into()
        }
        ChartKind::Channels => Obj::new()
            .set("tooltip", tooltip("item", cur))
            .set("legend", Obj::new().set("top", 0))
            .set(
                "series",
                list([Obj::new()
                    .set("type", "pie")
                    .set("name", "Revenue")
                    .set("radius", list(["40%", "68%"]))
                    .set("center", list(["50%", "58%"]))
                    .set(
                        "data",
                        list(c.channels.iter().map(|r| {
                            Obj::new()
                                .set("value", major(r.revenue, cur))
                                .set("name", r.channel.as_str())
                        })),
                    )]),
            )
            .into(),
        ChartKind::ByKind | ChartKind::ByBrand | ChartKind::BySet => {
            let slices = match kind {
                ChartKind::ByKind => &c.by_kind,
                ChartKind::ByBrand => &c.by_brand,
                _ => &c.by_set,
            };
            on_axes(
                slices.iter().map(|s| s.label.clone()),
                cur,
                vec![
                    series("bar", "At cost", amounts(slices, cur, |s| s.cost)),
                    series("bar", "Market value", amounts(slices, cur, |s| s.market)),
                ],
            )
            .into()
        }
    }
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
    init(&element).set_option(&options(kind, charts));
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
