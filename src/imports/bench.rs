//! Entry points for the browser import benchmark (`scripts/bench --browser`): the whole
//! pipeline the import page runs — decode, parse, match columns, normalise, validate, flag
//! duplicates — on one file, without the pauses the page takes for its progress bar.

use wasm_bindgen::prelude::wasm_bindgen;

use crate::domain::import::{ColumnMapping, FileOptions, decode, parse, stage};

/// Returns "rows valid" (or the file's error) so the caller can check the work was done.
#[wasm_bindgen]
pub fn bench_import(bytes: Vec<u8>) -> String {
    let run = || -> Result<String, crate::domain::import::ImportError> {
        let (text, _) = decode(bytes)?;
        let (headers, rows) = parse::read_all(text)?;
        let mapping = ColumnMapping::guess(&headers);
        let staged = stage::stage(&headers, rows, &mapping, &FileOptions::default());
        let valid = staged.iter().filter(|r| r.is_valid()).count();
        Ok(format!("{} {valid}", staged.len()))
    };
    run().unwrap_or_else(|e| e.to_string())
}

/// Bytes of WebAssembly memory (it only grows, so this is the peak so far).
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}
