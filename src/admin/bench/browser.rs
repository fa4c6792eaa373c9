//! The browser half of `flipdesk bench --browser`: runs the Playwright scripts in
//! end2end/bench against the running server and formats what they measured.

use serde_json::Value;

/// Runs a script with node; returns its JSON lines.
pub(super) async fn script(
    name: &str,
    base: &str,
    email: &str,
    password: &str,
) -> Result<Vec<Value>, String> {
    let dir = std::env::var("FLIPDESK_BENCH_SCRIPTS").unwrap_or_else(|_| "end2end/bench".into());
    let path = format!("{dir}/{name}");
    eprintln!("running {path} in Chromium …");
    let out = tokio::process::Command::new("node")
        .arg(&path)
        .env("BENCH_BASE", base)
        .env("BENCH_EMAIL", email)
        .env("BENCH_PASSWORD", password)
        .output()
        .await
        .map_err(|e| format!("could not run node {path}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the browser benchmark {name} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).map_err(|e| format!("bad browser result {l}: {e}")))
        .collect()
}

fn list(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
}

/// Stock-table frames, then the import pipeline against PapaParse.
pub async fn run(base: &str, email: &str, password: &str) -> Result<String, String> {
    let mut out = String::new();
    let frames = script("table-frames.mjs", base, email, password).await?;
    out.push_str("\nStock table in headless Chromium (5 × select page + unselect + next page)\n");
    out.push_str(&format!(
        "{:>9} {:>10} {:>11} {:>16} {:>13} {:>22} {:>22}\n",
        "rows",
        "hydrate ms",
        "long tasks",
        "longest task ms",
        "max frame ms",
        "page switch ms",
        "select+unselect ms"
    ));
    for l in frames {
        out.push_str(&format!(
            "{:>9} {:>10} {:>11} {:>16} {:>13} {:>22} {:>22}\n",
            l["rows_per_page"].to_string(),
            l["hydrated_ms"].to_string(),
            l["long_tasks"].to_string(),
            l["longest_task_ms"].to_string(),
            l["longest_frame_gap_ms"].to_string(),
            list(&l["page_switch_ms"]),
            list(&l["select_all_and_back_ms"])
        ));
    }
    let imports = script("import.mjs", base, email, password).await?;
    out.push_str("\nImport in headless Chromium: Flipdesk (decode, parse, map, normalise, validate, duplicates) vs PapaParse (parse only), best of 3\n");
    out.push_str(&format!(
        "{:>9} {:>8} {:>9} {:>12} {:>13} {:>7} {:>13} {:>11}\n",
        "rows", "MB", "valid", "flipdesk ms", "papaparse ms", "ratio", "wasm mem MB", "js heap MB"
    ));
    for l in imports {
        out.push_str(&format!(
            "{:>9} {:>8} {:>9} {:>12} {:>13} {:>7} {:>13} {:>11}\n",
            l["rows"].to_string(),
            l["file_mb"].to_string(),
            l["valid"].to_string(),
            l["flipdesk_ms"].to_string(),
            l["papaparse_ms"].to_string(),
            l["ratio"].to_string(),
            l["wasm_memory_mb"].to_string(),
            l["js_heap_mb"].to_string()
        ));
    }
    Ok(out)
}
