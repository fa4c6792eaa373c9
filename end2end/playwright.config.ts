import { defineConfig } from "@playwright/test";
import * as os from "os";
import * as path from "path";
import * as fs from "fs";

// The server binary and its site folder come from scripts/test (built by cargo-leptos).
const port = Number(process.env.E2E_PORT ?? 3017);
const baseURL = `http://127.0.0.1:${port}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "flipdesk-e2e-"));
const binary = process.env.FLIPDESK_BIN ?? "../target/debug/flipdesk";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "desktop", use: { browserName: "chromium", viewport: { width: 1280, height: 800 } }, testIgnore: /responsive/ },
    { name: "mobile", use: { browserName: "chromium", viewport: { width: 390, height: 844 } }, testMatch: /responsive/ },
  ],
  webServer: {
    // The demo store (seed-demo) is what the shopper tests browse; the catalog fixture is what
    // the item form finds.
    command: `${binary} seed-demo && ${binary} catalog import fixtures/catalog.jsonl && ${binary} serve`,
    url: `${baseURL}/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? "../target/site",
      LEPTOS_OUTPUT_NAME: "flipdesk",
      DATABASE_URL: `sqlite://${dataDir}/e2e.db`,
      FLIPDESK__SERVER__DATA_DIR: dataDir,
      FLIPDESK_PUBLIC_URL: baseURL,
      RUST_LOG: "warn",
      // Every test shopper and every test reseller comes from 127.0.0.1 (the limits themselves
      // are proven by the integration tests).
      FLIPDESK__CHECKOUT__SESSIONS_PER_IP_PER_MINUTE: "10000",
      FLIPDESK__AUTH__SIGNUP_ATTEMPTS_PER_IP_PER_HOUR: "10000",
      // Nothing in the tests reaches the internet: the catalog providers are off.
      STOCKX_API_BASE: "off",
      CARDMARKET_API_BASE: "off",
      POKEMONTCG_API_BASE: "off",
      SCRYFALL_API_BASE: "off",
    },
  },
});
