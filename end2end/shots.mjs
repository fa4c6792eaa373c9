import { chromium } from "playwright-core";
const base = "http://127.0.0.1:3055";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const shot = async (name) => { await page.waitForTimeout(400); await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: true }); };
await page.goto(`${base}/s/demo`); await shot("catalog");
await page.click("text=Evolving Skies Booster Box"); await shot("item");
await page.fill("#qty", "2"); await page.click("text=Add to cart");
await page.waitForSelector(".cart-table"); await page.fill("#ship-country", "US"); await page.waitForTimeout(800); await shot("cart");
await page.fill("#email", "sam@example.com"); await page.fill("#ship-name", "Sam"); await page.fill("#ship-line1", "1 Main"); await page.fill("#ship-city", "Austin"); await page.fill("#ship-postal", "73301");
await page.click("text=Place order"); await page.waitForURL(/\/orders\//); await shot("buyer-order");
const owner = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await owner.goto(`${base}/login`); await owner.waitForSelector("body[data-hydrated=true]");
await owner.fill("#email", "demo@flipdesk.test"); await owner.fill("#password", "demo-password-1"); await owner.click("button[type=submit]");
await owner.waitForURL(/\/app/);
for (const [name, path] of [["orders", "/app/store/orders"], ["listings", "/app/store/listings"], ["settings", "/app/store/settings"]]) {
  await owner.goto(base + path); await owner.waitForTimeout(700); await owner.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: true });
}
await owner.goto(base + "/app/store/orders"); await owner.click("tbody a"); await owner.waitForSelector(".timeline"); await owner.waitForTimeout(500);
await owner.screenshot({ path: `/tmp/shots/store-order.png`, fullPage: true });
const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
await phone.goto(`${base}/s/demo`); await phone.waitForTimeout(400); await phone.screenshot({ path: `/tmp/shots/phone-catalog.png`, fullPage: true });
await browser.close();
