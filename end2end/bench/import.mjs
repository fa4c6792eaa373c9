// Browser half of `flipdesk bench --browser` for imports: generates a messy sneaker/card
// sheet, then in headless Chromium times Flipdesk's import pipeline (WebAssembly: decode,
// parse, match columns, normalise, validate, flag duplicates) against PapaParse parsing the
// same text (parse only), and reads the WebAssembly memory after a 50 MB file.
// Prints one JSON line per file. Needs BENCH_BASE (a running Flipdesk).
import { createRequire } from "module";
import { benchSettings, launch } from "./common.mjs";

const require = createRequire(import.meta.url);
const { base } = benchSettings({ login: false });

const models = ["Jordan 1 Retro High", "Dunk Low Panda", "Yeezy 350 V2 \"Zebra\"", "Air Max 1, OG", "New Balance 550"];
const prices = ["$1,234.50", "€110,00", "189.99", "$85", "1.234,50 €"];
const dates = ["2026-03-13", "13/03/2026", "Mar 4, 2026", "2026/01/02", "04.03.2026"];
const sizes = ["US 10.5", "10M", "EU 44", "9.5", "UK 8"];

const brands = ["Nike", "Jordan", "adidas", "New Balance", "Asics"];
const colorways = ["White/Black-University Red", "Panda", "Zebra/Core Black", "Sail/Orange", "Grey Day"];

/// A sheet of `rows` rows (one in 50 broken, about 150 bytes a row, like a real export) with
/// quoted fields, thousands separators, five date spellings and an embedded newline.
function sheet(rows) {
  const lines = ["Product,Brand,Style Code,Colorway,Size,Paid,Date Bought,Where,Location,Tags,Condition,Comment"];
  for (let i = 0; i < rows; i++) {
    const broken = i % 50 === 49;
    lines.push([
      `"${models[i % 5].replaceAll('"', '""')} #${i}"`,
      brands[i % 5],
      `DD${String(1000 + (i % 9000)).padStart(4, "0")}-${String(i % 1000).padStart(3, "0")}`,
      colorways[i % 5],
      sizes[i % 5],
      broken ? "twelve bucks" : `"${prices[i % 5]}"`,
      dates[i % 5],
      i % 7 === 0 ? "\"Foot Locker, Berlin\"" : "SNKRS",
      `Shelf ${String.fromCharCode(65 + (i % 6))}${i % 9}`,
      i % 3 === 0 ? "grail|hype" : "",
      i % 2 === 0 ? "DS" : "VNDS",
      i % 11 === 0 ? "\"box dented\non one side\"" : `receipt in folder ${i % 400}`,
    ].join(","));
  }
  return lines.join("\n") + "\n";
}

const browser = await launch(["--enable-precise-memory-info"]);
try {
  for (const rows of [100_000, 390_000]) {
    const text = sheet(rows);
    const bytes = Buffer.from(text, "utf8");
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.route("**/bench-data.csv", (route) => route.fulfill({ body: bytes, contentType: "text/csv" }));
    await page.goto(`${base}/`);
    await page.waitForSelector("body[data-hydrated]");
    await page.addScriptTag({ path: require.resolve("papaparse/papaparse.min.js") });
    const result = await page.evaluate(async () => {
      // The page names the app's module (flipdesk.<content hash>.js).
      const js = document.querySelector('link[rel="modulepreload"][href*="/flipdesk"]').getAttribute("href");
      const m = await import(js);
      const buf = new Uint8Array(await (await fetch("/bench-data.csv")).arrayBuffer());
      const text = new TextDecoder().decode(buf);
      // Warm up both on a slice.
      await m.bench_import(buf.slice(0, 200_000));
      Papa.parse(text.slice(0, 200_000));
      // Flipdesk first (its memory is read before PapaParse allocates anything), best of 3.
      let flipdesk = Infinity, papa = Infinity, outcome = "";
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        outcome = await m.bench_import(buf);
        flipdesk = Math.min(flipdesk, performance.now() - t);
      }
      const wasmMemory = m.wasm_memory_bytes();
      const heap = performance.memory.usedJSHeapSize;
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const parsed = Papa.parse(text);
        papa = Math.min(papa, performance.now() - t);
        if (parsed.data.length < 2) throw new Error("PapaParse read nothing");
      }
      return {
        outcome,
        flipdesk_ms: Math.round(flipdesk),
        papaparse_ms: Math.round(papa),
        wasm_memory_mb: Math.round(wasmMemory / 1048576),
        // The page's JavaScript heap then: the file's bytes and text (PapaParse's input).
        js_heap_mb: Math.round(heap / 1048576),
      };
    });
    const [staged, valid] = result.outcome.split(" ").map(Number);
    if (staged !== rows) throw new Error(`expected ${rows} rows, got: ${result.outcome}`);
    console.log(JSON.stringify({
      rows,
      file_mb: +(bytes.length / 1048576).toFixed(1),
      valid,
      flipdesk_ms: result.flipdesk_ms,
      papaparse_ms: result.papaparse_ms,
      ratio: +(result.flipdesk_ms / result.papaparse_ms).toFixed(2),
      wasm_memory_mb: result.wasm_memory_mb,
      js_heap_mb: result.js_heap_mb,
    }));
    await context.close();
  }
} finally {
  await browser.close();
}
