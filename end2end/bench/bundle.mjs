// Browser half of `flipdesk bench --bundle`: opens each page with an empty cache in headless
// Chromium on a throttled phone profile (Lighthouse's mobile: slow 4G at about 1.6 Mbit/s down
// with 150 ms round trips, the CPU slowed 4×) and reports the WebAssembly and JavaScript bytes
// that crossed the network and the time from navigation until the app marked the page hydrated
// (`body[data-hydrated]`), or until a page without the app's code has loaded. Run by the bench command with BENCH_BASE, BENCH_EMAIL and
// BENCH_PASSWORD (the demo reseller); prints one JSON line per page.
import { benchSettings, launch, logIn } from "./common.mjs";

const settings = benchSettings();
const { base } = settings;

const PHONE = {
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
  cpuSlowdown: 4,
};

// Records when the app marks the page hydrated, measured from navigation start. A page sent
// without the app's code (no module script: the catalog, an item page) is ready when the
// document has loaded.
const watchHydration = () => {
  window.addEventListener("load", () => {
    if (!document.querySelector("script[type=module], link[rel=modulepreload]")) {
      window.__hydratedAt = performance.now();
    }
  });
  new MutationObserver((_, observer) => {
    if (document.body?.hasAttribute("data-hydrated")) {
      window.__hydratedAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
};

const browser = await launch();

// One page load with an empty cache on the phone profile.
async function measure(path, storageState, label = path) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    storageState,
  });
  const page = await context.newPage();
  await page.addInitScript(watchHydration);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: PHONE.latency,
    downloadThroughput: PHONE.downloadThroughput,
    uploadThroughput: PHONE.uploadThroughput,
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: PHONE.cpuSlowdown });
  const urls = new Map();
  const bytes = { wasm: 0, js: 0, wasmFiles: new Set() };
  cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
  cdp.on("Network.loadingFinished", (e) => {
    const url = new URL(urls.get(e.requestId) ?? "about:blank").pathname;
    if (url.endsWith(".wasm")) {
      bytes.wasm += e.encodedDataLength;
      bytes.wasmFiles.add(url.split("/").pop());
    } else if (url.endsWith(".js")) {
      bytes.js += e.encodedDataLength;
    }
  });
  await page.goto(`${base}${path}`, { waitUntil: "commit", timeout: 120_000 });
  await page.waitForFunction(() => window.__hydratedAt !== undefined, null, {
    timeout: 120_000,
    polling: 100,
  });
  const hydratedMs = await page.evaluate(() => Math.round(window.__hydratedAt));
  // Let late chunk requests (a lazily loaded page) finish before counting.
  await page.waitForLoadState("networkidle", { timeout: 120_000 }).catch(() => {});
  await context.close();
  return {
    page: label,
    wasm_kb: Math.round(bytes.wasm / 102.4) / 10,
    js_kb: Math.round(bytes.js / 102.4) / 10,
    wasm_files: bytes.wasmFiles.size,
    hydrated_ms: hydratedMs,
  };
}

try {
  // The demo reseller's session and one of the demo store's items, found unthrottled.
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, settings);
  const signedIn = await context.storageState();
  await page.goto(`${base}/s/demo`);
  const item = await page
    .locator("a[href*='/s/demo/items/']")
    .first()
    .getAttribute("href");
  await context.close();

  const shopper = [["/s/demo"], [item, "/s/demo/items/{id}"], ["/s/demo/cart"], ["/login"]];
  const reseller = [["/app"], ["/app/inventory"], ["/app/import"]];
  for (const [path, label] of shopper) {
    console.log(JSON.stringify(await measure(path, undefined, label)));
  }
  for (const [path, label] of reseller) {
    console.log(JSON.stringify(await measure(path, signedIn, label)));
  }
} finally {
  await browser.close();
}
