//! `flipdesk bench --bundle`: what the browser downloads. Every file of the built site's
//! `pkg/` with its raw, gzip and brotli size (the `.gz` / `.br` copies `--precompress` wrote,
//! which are what the server sends), then each page loaded with an empty cache on a throttled
//! phone profile (end2end/bench/bundle.mjs). A storefront page over its budget fails the run.

use std::collections::BTreeMap;
use std::path::Path;

use super::browser;

/// The storefront's first load (catalog, item, cart): WebAssembly bytes on the wire. Chromium
/// takes brotli (also over the benchmark's loopback HTTP), so this is the brotli budget (300 KB
/// gzip for a browser that only takes gzip). The one place these numbers live; the README
/// quotes them.
pub const STOREFRONT_WASM_BUDGET_KB: f64 = 240.0;
/// Time until a storefront page is hydrated on the throttled phone profile.
pub const STOREFRONT_HYDRATED_BUDGET_MS: i64 = 3_000;

struct Asset {
    name: String,
    raw: u64,
    gzip: Option<u64>,
    brotli: Option<u64>,
}

fn assets(pkg: &Path) -> Result<Vec<Asset>, String> {
    let size = |name: &str| std::fs::metadata(pkg.join(name)).ok().map(|m| m.len());
    let mut out = Vec::new();
    let entries = std::fs::read_dir(pkg)
        .map_err(|e| format!("cannot read {}: {e} (build the site first)", pkg.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".gz") || name.ends_with(".br") {
            continue;
        }
        out.push(Asset {
            raw: entry.metadata().map(|m| m.len()).unwrap_or(0),
            gzip: size(&format!("{name}.gz")),
            brotli: size(&format!("{name}.br")),
            name,
        });
    }
    out.sort_by_key(|a| std::cmp::Reverse(a.raw));
    Ok(out)
}

/// What each lazily loaded module costs a page beyond the main file: its own file plus every
/// file it shares with other modules (the split tool's manifest lists them), and how many files
/// that is: a phone pays a round trip per file.
fn modules_table(pkg: &Path, files: &[Asset]) -> String {
    let manifest = files
        .iter()
        .find(|f| f.name.starts_with("__wasm_split_manifest") && f.name.ends_with(".json"));
    let Some(modules) = manifest
        .and_then(|f| std::fs::read(pkg.join(&f.name)).ok())
        .and_then(|b| serde_json::from_slice::<BTreeMap<String, Vec<String>>>(&b).ok())
    else {
        return "\n(no split manifest: the build was not split)\n".into();
    };
    let mut out = format!(
        "\nWhat a module's pages download beyond the main file, KB\n{:<48} {:>10} {:>10} {:>10}\n",
        "module", "files", "gzip", "brotli"
    );
    for (module, parts) in &modules {
        // The manifest names files without their `.wasm` ending.
        let used: Vec<&Asset> = files
            .iter()
            .filter(|f| parts.iter().any(|p| f.name == format!("{p}.wasm")))
            .collect();
        let sum = |pick: fn(&Asset) -> Option<u64>| used.iter().map(|f| pick(f).unwrap_or(0)).sum();
        out.push_str(&format!(
            "{:<48} {:>10} {:>10} {:>10}\n",
            module,
            used.len(),
            kb(Some(sum(|f| f.gzip))),
            kb(Some(sum(|f| f.brotli)))
        ));
    }
    out
}

fn kb(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "-".into(), |b| format!("{:.1}", b as f64 / 1024.0))
}

/// The size table, the page table, and whether the storefront kept its budget.
pub async fn report(site_root: &Path, pkg_dir: &str, base: &str) -> Result<String, String> {
    let files = assets(&site_root.join(pkg_dir))?;
    let mut out = String::from("\nBuilt assets (pkg/), KB\n");
    out.push_str(&format!(
        "{:<48} {:>10} {:>10} {:>10}\n",
        "file", "raw", "gzip", "brotli"
    ));
    for f in &files {
        out.push_str(&format!(
            "{:<48} {:>10} {:>10} {:>10}\n",
            f.name,
            kb(Some(f.raw)),
            kb(f.gzip),
            kb(f.brotli)
        ));
    }
    let wasm: Vec<&Asset> = files.iter().filter(|f| f.name.ends_with(".wasm")).collect();
    let sum = |pick: fn(&Asset) -> Option<u64>| wasm.iter().map(|f| pick(f).unwrap_or(0)).sum();
    out.push_str(&format!(
        "{:<48} {:>10} {:>10} {:>10}\n",
        "all WebAssembly",
        kb(Some(sum(|f| Some(f.raw)))),
        kb(Some(sum(|f| f.gzip))),
        kb(Some(sum(|f| f.brotli)))
    ));
    if wasm.iter().any(|f| f.gzip.is_none()) {
        out.push_str(
            "(no .gz/.br copies: build with `cargo leptos build --release --precompress`)\n",
        );
    }
    out.push_str(&modules_table(&site_root.join(pkg_dir), &files));

    let pages = browser::script(
        "bundle.mjs",
        base,
        crate::admin::seed::DEMO_EMAIL,
        crate::admin::seed::DEMO_PASSWORD,
    )
    .await?;
    out.push_str(&format!(
        "\nFirst load with an empty cache, slow 4G (1.6 Mbit/s, 150 ms RTT) and 4× slower CPU\n{:<40} {:>14} {:>10} {:>11} {:>13}\n",
        "page", "wasm KB sent", "wasm files", "JS KB sent", "hydrated ms"
    ));
    let mut over = Vec::new();
    for p in &pages {
        let page = p["page"].as_str().unwrap_or_default();
        let wasm_kb = p["wasm_kb"].as_f64().unwrap_or(f64::MAX);
        let hydrated = p["hydrated_ms"].as_i64().unwrap_or(i64::MAX);
        out.push_str(&format!(
            "{:<40} {:>14.1} {:>10} {:>11.1} {:>13}\n",
            page,
            wasm_kb,
            p["wasm_files"],
            p["js_kb"].as_f64().unwrap_or_default(),
            hydrated
        ));
        if page.starts_with("/s/")
            && (wasm_kb > STOREFRONT_WASM_BUDGET_KB || hydrated > STOREFRONT_HYDRATED_BUDGET_MS)
        {
            over.push(format!("{page} ({wasm_kb:.0} KB, {hydrated} ms)"));
        }
    }
    if over.is_empty() {
        Ok(out)
    } else {
        println!("{out}");
        Err(format!(
            "the storefront is over its first-load budget of {STOREFRONT_WASM_BUDGET_KB:.0} KB of WebAssembly and {STOREFRONT_HYDRATED_BUDGET_MS} ms to hydrate: {}",
            over.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_modules_files_are_summed_from_the_split_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, len: usize| std::fs::write(dir.path().join(name), vec![0u8; len]);
        for (name, raw, gz, br) in [
            ("flipdesk.h0.wasm", 4096, 2048, 1024),
            ("split_shop.h1.wasm", 2048, 1024, 512),
            ("chunk_1.h2.wasm", 1024, 512, 256),
            ("chunk_2.h3.wasm", 1024, 512, 256),
        ] {
            write(name, raw).unwrap();
            write(&format!("{name}.gz"), gz).unwrap();
            write(&format!("{name}.br"), br).unwrap();
        }
        std::fs::write(
            dir.path().join("__wasm_split_manifest.h4.json"),
            r#"{"shop": ["chunk_1.h2", "split_shop.h1"], "admin": ["chunk_1.h2", "chunk_2.h3"]}"#,
        )
        .unwrap();
        let files = assets(dir.path()).unwrap();
        let table = modules_table(dir.path(), &files);
        let row = |module: &str| {
            table
                .lines()
                .find(|l| l.starts_with(module))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>())
        };
        // shop: its own file and one shared chunk; admin: two chunks. The main file is not counted.
        assert_eq!(row("shop"), Some(vec!["2", "1.5", "0.8"]));
        assert_eq!(row("admin"), Some(vec!["2", "1.0", "0.5"]));

        std::fs::remove_file(dir.path().join("__wasm_split_manifest.h4.json")).unwrap();
        let files = assets(dir.path()).unwrap();
        assert!(modules_table(dir.path(), &files).contains("not split"));
    }
}
