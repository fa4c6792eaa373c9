// Screenshots of the pages a change touched, at phone and desktop widths, for review by eye.
// Usage: node shots.mjs BASE_URL OUT_DIR  (the server runs the demo data: flipdesk seed-demo)
import { chromium } from "playwright-core";

const [base, out] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const listing = (await (await fetch(`${base}/api/v1/stores/demo/listings?kind=sealed`)).json()).items[0];
const res = await fetch(`${base}/api/v1/checkout/session`, {
  method: "POST",
  headers: { "Content-Type": "application/json", "Idempotency-Key": `shots-${Date.now()}` },
  body: JSON.stringify({
    store: "demo", lines: [{ listing_id: listing.id, quantity: 1 }], email: `shots-${Date.now()}@example.com`,
    shipping_address: { name: "Sam Shopper", line1: "1 Main St", city: "Austin", postal_code: "73301", region: "TX", country: "US" },
  }),
});
const order = await res.json();
for (const [label, width, height] of [["phone", 390, 844], ["desktop", 1366, 900]]) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const shot = async (name) => {
    await page.waitForTimeout(600);
    await page.screenshot({ path: `${out}/${name}-${label}.png`, fullPage: true });
  };
  await page.goto(`${base}/s/demo`); await shot("storefront");
  await page.goto(`${base}/s/demo/cart?add=${listing.id}&qty=2`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByLabel("Country").selectOption("US");
  await shot("cart");
  await page.goto(order.checkout_url); await shot("buyer-order");
  await page.goto(`${base}/login`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByLabel("Email").fill("demo@flipdesk.test");
  await page.getByLabel("Password").fill("demo-password-1");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/app/);
  await page.goto(`${base}/app`); await page.waitForTimeout(1500); await shot("dashboard");
  await page.goto(`${base}/app/inventory`); await shot("stock");
  await page.goto(`${base}/app/store/orders/${order.order_id}`); await shot("store-order");
  await page.goto(`${base}/app/store/listings`); await shot("store-listings");
  await context.close();
}
await browser.close();
