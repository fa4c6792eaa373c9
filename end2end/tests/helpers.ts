import { test as base, expect, Page } from "@playwright/test";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Console errors, uncaught exceptions and content-security-policy violations on any page of
 * a test. Every test fails on them unless it allows a message it expects (a 422 it provoked). */
export class PageProblems {
  readonly seen: string[] = [];
  private allowed: RegExp[] = [];
  allow(pattern: RegExp) {
    this.allowed.push(pattern);
  }
  unexpected(): string[] {
    return this.seen.filter((p) => !this.allowed.some((a) => a.test(p)));
  }
}

export const test = base.extend<{ problems: PageProblems }>({
  problems: [
    async ({ context }, use) => {
      const problems = new PageProblems();
      // Reported by the page itself too, so a violation is caught even when Chromium does not
      // log it (report-only, or a style set from script).
      await context.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (e) => {
          console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
        });
      });
      const watch = (page: Page) => {
        page.on("console", (msg) => {
          if (msg.type() === "error") problems.seen.push(`${page.url()}: ${msg.text()}`);
        });
        page.on("pageerror", (err) => problems.seen.push(`${page.url()}: ${err.message}`));
      };
      context.pages().forEach(watch);
      context.on("page", watch);
      await use(problems);
      expect(problems.unexpected(), "console errors or CSP violations on the pages this test visited").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** Waits until the WebAssembly bundle has hydrated the page (clicks before that are lost). */
export async function waitForHydration(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

let counter = 0;
/** A unique email and store address for one test. */
export function uniqueAccount() {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return {
    email: `reseller-${id}@example.com`,
    password: "grail-hunter-2026",
    storeName: `Kicks ${id}`,
    storeSlug: `kicks-${id}`,
  };
}

export async function signUp(page: Page, account = uniqueAccount(), path = "/signup") {
  await page.goto(path);
  await waitForHydration(page);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByLabel("Store name").fill(account.storeName);
  await page.getByLabel("Store address").fill(account.storeSlug);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/app$/);
  return account;
}

/** Adds a sneaker to the signed-in reseller's stock through the same server function the
 * add-item form calls; answers its id. */
export async function addSneaker(page: Page, name: string, fields: { quantity?: string; price?: string; size?: string } = {}) {
  const input = {
    kind: "sneaker", name, sku: "", quantity: fields.quantity ?? "1", purchase_price: fields.price ?? "110", currency: "USD",
    purchase_date: new Date().toISOString().slice(0, 10), purchase_source: "", storage_location: "", tags: "", notes: "",
    image_urls: "", brand: "Nike", style_id: "", colorway: "", size: fields.size ?? "10", size_system: "us_m", sneaker_condition: "",
    box_condition: "", game: "", card_set: "", card_number: "", language: "", finish: "", card_condition: "",
    grading_company: "", grade: "", cert_number: "", attributes: "",
  };
  const origin = new URL(page.url()).origin;
  const res = await page.request.post("/api/inventory/create", { data: { input, status: "in_stock" }, headers: { Origin: origin } });
  expect(res.status()).toBe(200);
  return (await res.json()) as string;
}

/** Lists an item of the signed-in reseller in their store at `price`; answers the listing id. */
export async function listInStore(page: Page, itemId: string, price: string) {
  const origin = new URL(page.url()).origin;
  const res = await page.request.post("/api/store/listings/save", {
    data: { item_id: itemId, input: { price, quantity: "" } },
    headers: { Origin: origin },
  });
  expect(res.status()).toBe(200);
  return (await res.json()) as string;
}

/** A Flipdesk server of a spec's own (settings the shared one must not have, such as Stripe or
 * Discord keys) on `port`, with a fresh SQLite database; resolves once it answers /health. */
export async function startOwnServer(port: number, name: string, env: Record<string, string>): Promise<ChildProcess> {
  const base = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `flipdesk-e2e-${name}-`));
  const server = spawn(process.env.FLIPDESK_BIN ?? "../target/debug/flipdesk", ["serve"], {
    stdio: "inherit",
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? "../target/site",
      LEPTOS_OUTPUT_NAME: "flipdesk",
      DATABASE_URL: `sqlite://${dataDir}/e2e.db`,
      FLIPDESK__SERVER__DATA_DIR: dataDir,
      FLIPDESK_PUBLIC_URL: base,
      RUST_LOG: "warn",
      FLIPDESK__AUTH__SIGNUP_ATTEMPTS_PER_IP_PER_HOUR: "10000",
      // Tests never reach the internet: the catalog providers are off unless a spec points one
      // at a fake.
      STOCKX_API_BASE: "off",
      CARDMARKET_API_BASE: "off",
      POKEMONTCG_API_BASE: "off",
      SCRYFALL_API_BASE: "off",
      ...env,
    },
  });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  server.kill();
  throw new Error(`the ${name} test server did not start`);
}

/** Ends the session by forgetting its cookie, as a new browser would. The page leaves the
 * dashboard first: an open dashboard notices the session is gone and reloads into a 401. */
export async function forgetSession(page: Page) {
  await page.goto("about:blank");
  await page.context().clearCookies();
}
