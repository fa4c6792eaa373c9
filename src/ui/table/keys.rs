//! Keyboard navigation inside a data table.

/// Keyboard moves through a data table: ↑/↓ go to the same control (name link or checkbox)
/// in the row above or below, ←/→ to the previous/next control in the row, `x` toggles the
/// focused row's selection. Text inputs keep their keys.
pub fn table_keys(ev: leptos::ev::KeyboardEvent) {
    use wasm_bindgen::JsCast;
    let key = ev.key();
    if !matches!(
        key.as_str(),
        "ArrowDown" | "ArrowUp" | "ArrowLeft" | "ArrowRight" | "x"
    ) || ev.ctrl_key()
        || ev.meta_key()
        || ev.alt_key()
    {
        return;
    }
    let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let is_checkbox = target.get_attribute("type").as_deref() == Some("checkbox");
    if matches!(target.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA") && !is_checkbox {
        return;
    }
    let Some(row) = target.closest("tbody tr").ok().flatten() else {
        return;
    };
    let focus = |el: web_sys::Element| {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    };
    match key.as_str() {
        "ArrowLeft" | "ArrowRight" => {
            let Ok(controls) = row.query_selector_all("a, button, input") else {
                return;
            };
            let controls: Vec<web_sys::Element> = (0..controls.length())
                .filter_map(|i| controls.item(i))
                .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
                .collect();
            let Some(at) = controls.iter().position(|c| c == &target) else {
                return;
            };
            let next = if key == "ArrowRight" {
                controls.get(at + 1)
            } else {
                at.checked_sub(1).and_then(|i| controls.get(i))
            };
            if let Some(next) = next {
                ev.prevent_default();
                focus(next.clone());
            }
        }
        "x" => {
            if let Ok(Some(checkbox)) = row.query_selector("input[type=checkbox]") {
                ev.prevent_default();
                if let Ok(el) = checkbox.dyn_into::<web_sys::HtmlElement>() {
                    el.click();
                }
            }
        }
        _ => {
            let next = if key == "ArrowDown" {
                row.next_element_sibling()
            } else {
                row.previous_element_sibling()
            };
            let selector = if is_checkbox {
                "input[type=checkbox]"
            } else {
                ".row-link"
            };
            if let Some(control) = next.and_then(|r| r.query_selector(selector).ok().flatten()) {
                ev.prevent_default();
                focus(control);
            }
        }
    }
}
