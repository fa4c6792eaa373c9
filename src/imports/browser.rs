//! The browser side of reading a file: its bytes, a clock, and a way to let the page breathe
//! between chunks of work. The server never runs these (import happens in the browser).

#[cfg(feature = "hydrate")]
mod imp {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    pub async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
        let buffer = JsFuture::from(file.array_buffer()).await.map_err(|e| {
            // A DOMException (the file changed or went away): its message, for the reseller.
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| "the browser could not read it".into())
        })?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }

    /// Resolves on the next turn of the event loop, after the browser painted.
    pub async fn breathe() {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    resolve.unchecked_ref(),
                    0,
                );
            } else {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        let _ = JsFuture::from(promise).await;
    }

    pub fn now_ms() -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.now())
            .unwrap_or(0.0)
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    pub async fn read_bytes(_file: &web_sys::File) -> Result<Vec<u8>, String> {
        Err("Files are read in the browser.".into())
    }

    pub async fn breathe() {}

    pub fn now_ms() -> f64 {
        0.0
    }
}

pub use imp::{breathe, now_ms, read_bytes};

/// Yields to the browser when `budget_ms` of work has passed since `*since`.
pub async fn breathe_every(since: &mut f64, budget_ms: f64) {
    if now_ms() - *since >= budget_ms {
        breathe().await;
        *since = now_ms();
    }
}
