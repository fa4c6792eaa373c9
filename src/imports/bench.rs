//! Entry points for the browser import benchmark (`scripts/bench --browser`): the whole
//! pipeline the import page runs — decode, parse, match columns, normalise, validate, flag
//! duplicates — on one file, without the pauses the page takes for its progress bar.

use wasm_bindgen::prelude::wasm_bindgen;

use crate::domain::import::{ColumnMapping, FileOptions, Session, decode, parse};

/// Returns "rows valid" (or the file's error) so the caller can check the work was done.
/// The pipeline lives in the import page's lazily loaded module, so the first call fetches it.
#[wasm_bindgen]
pub async fn bench_import(bytes: Vec<u8>) -> String {
    import_file(bytes)
        .await
        .unwrap_or_else(|e| format!("the import page's code could not be loaded: {e}"))
}

// `dashboard_import` is the import page's module (app/lazy.rs).
#[leptos::wasm_split::wasm_split(dashboard_import, wasm_split_path = ::leptos::wasm_split, fallible)]
fn import_file(bytes: Vec<u8>) -> Result<String, leptos::wasm_split::SplitLoaderError> {
    let run = || -> Result<String, crate::domain::import::ImportError> {
        let (text, _) = decode(bytes)?;
        let sheet = parse::read_all(text)?;
        let mapping = ColumnMapping::guess(&sheet.headers);
        let mut session = Session::new(sheet, mapping, &FileOptions::default());
        let keys = session.check_rows(0..session.len());
        session.mark_duplicates();
        let counts = session.counts();
        Ok(format!(
            "{} {} {}",
            counts.rows,
            counts.rows - counts.to_fix,
            keys.len()
        ))
    };
    Ok(run().unwrap_or_else(|e| e.to_string()))
}

/// Bytes of WebAssembly memory (it only grows, so this is the peak so far).
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}
