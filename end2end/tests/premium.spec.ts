import { ChildProcess } from "child_process";
import { expect, test, signUp, waitForHydration, startOwnServer } from "./helpers";
import { FakeStripe, WEBHOOK_SECRET, startFakeStripe } from "./fake-stripe";

// A server of its own that sells premium through the fake Stripe (the shared one runs
// without Stripe keys, as the storefront tests need), with a free plan of one item.
const port = Number(process.env.E2E_PORT ?? 3017) + 10;
const stripePort = port + 1;
const base = `http://127.0.0.1:${port}`;
let server: ChildProcess;
let stripe: FakeStripe;

test.use({ baseURL: base });

test.beforeAll(async () => {
  stripe = await startFakeStripe(stripePort, `${base}/api/v1/webhooks/stripe`);
  server = await startOwnServer(port, "premium", {
    STRIPE_SECRET_KEY: "sk_test_e2e",
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: stripe.url,
    FLIPDESK__BILLING__PREMIUM_MONTHLY_PRICE: "price_e2e_monthly",
    FLIPDESK__BILLING__PREMIUM_YEARLY_PRICE: "price_e2e_yearly",
    FLIPDESK__PLANS__FREE__ITEMS: "1",
  });
});

test.afterAll(async () => {
  server?.kill();
  await stripe?.close();
});

async function addItem(page: import("@playwright/test").Page, name: string) {
  await page.goto("/app/inventory/new");
  await waitForHydration(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Purchase price (per unit)").fill("20");
  await page.getByRole("button", { name: "Save item" }).click();
}

test("a free reseller at the limit upgrades through Stripe and comes back on Premium", async ({ page, problems }) => {
  test.setTimeout(90_000);
  problems.allow(/status of 402/); // the refused add is a 402, as it should be
  await signUp(page);

  await addItem(page, "Jordan 1 Chicago");
  await expect(page).toHaveURL(/\/app\/inventory\/[^/]+$/);
  await addItem(page, "Dunk Low Panda");
  const banner = page.locator(".banner-error");
  await expect(banner).toContainText("Your Free plan has room for 1 inventory item and 1 is already used.");
  await banner.getByRole("link", { name: "Upgrade" }).click();

  await expect(page.getByRole("heading", { name: "Plan and usage" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.locator(".topbar .badge")).toHaveText("free");
  const items = page.locator(".usage[data-resource=items]");
  await expect(items).toHaveAttribute("data-fill", "full");
  await expect(items.getByRole("progressbar")).toHaveAttribute("value", "1");
  await expect(page.getByText("100,000 inventory items instead of 1")).toBeVisible();
  const link = page.getByRole("textbox", { name: "Your referral link" });
  await expect(link).toHaveValue(/\/signup\?ref=[a-z0-9]{10}$/);
  await page.screenshot({ path: "test-results/premium-free-desktop.png", fullPage: true });

  await page.getByRole("button", { name: "Upgrade · monthly" }).click();
  await expect(page.getByRole("heading", { name: "Subscribe to Flipdesk Premium" })).toBeVisible();
  await expect(page.getByText("price_e2e_monthly")).toBeVisible();
  await page.getByRole("button", { name: "Subscribe" }).click();

  await expect(page).toHaveURL(/\/app\/billing\?upgraded=1$/);
  const plan = page.locator(".billing .card-figure .badge");
  await expect(plan).toHaveText("Premium", { timeout: 20_000 });
  await expect(page.getByText(/Paid through Stripe; renews on \d{4}-\d{2}-\d{2}\./)).toBeVisible();
  await expect(items.locator(".usage-figures")).toHaveText("1 of 100,000");
  await expect(page.getByRole("cell", { name: "Paid" })).toBeVisible();
  await expect(page.getByRole("link", { name: "View on Stripe" })).toHaveAttribute("href", /invoice\/in_cs_e2e_/);
  await expect(page.getByRole("button", { name: "Manage subscription" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Upgrade · monthly" })).toHaveCount(0);
  await page.screenshot({ path: "test-results/premium-desktop.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/premium-phone.png", fullPage: true });

  // Room again: the second item saves.
  await addItem(page, "Dunk Low Panda");
  await expect(page).toHaveURL(/\/app\/inventory\/[^/]+$/);
});

test("a reseller who signs up through a referral link starts on a Premium trial", async ({ page, browser }) => {
  await signUp(page);
  await page.goto("/app/billing");
  const link = await page.getByRole("textbox", { name: "Your referral link" }).inputValue();

  // Someone else, in a browser of their own.
  const other = await browser.newContext({ baseURL: base });
  const invited = await other.newPage();
  await invited.goto(link);
  await expect(invited.getByText("You were invited by a Flipdesk reseller")).toBeVisible();
  await invited.screenshot({ path: "test-results/referral-signup.png" });
  await signUp(invited, undefined, new URL(link).pathname + new URL(link).search);
  await invited.goto("/app/billing");
  await expect(invited.locator(".billing .card-figure .badge")).toHaveText("Premium");
  await expect(invited.getByText(/Premium trial from a referral, until \d{4}-\d{2}-\d{2}\./)).toBeVisible();
  await other.close();
  await page.reload();
  await expect(page.getByText("1 signed up · 0 subscribed")).toBeVisible();
});
