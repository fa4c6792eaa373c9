import { addSneaker, expect, test, signUp, waitForHydration } from "./helpers";

test("dashboard fits a phone screen without sideways scrolling", async ({ page }) => {
  await signUp(page);
  await expect(page.getByRole("heading", { name: "Your reselling at a glance" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByTestId("switch-store")).toBeVisible();

  // With numbers and charts, too.
  await addSneaker(page, "Dunk Low Panda");
  await page.reload();
  await waitForHydration(page);
  await expect(page.locator("#chart-worth canvas")).toHaveCount(1);
  const after = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(after).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/dashboard-mobile.png", fullPage: true });
});

test("the storefront on a phone opens on its search and products; filters fold behind a button", async ({ page }) => {
  await page.goto("/s/demo");
  await expect(page.getByLabel("Search")).toBeInViewport();
  await expect(page.getByRole("list", { name: "Items for sale" }).getByRole("link").first()).toBeInViewport();
  await expect(page.getByLabel("Kind")).toBeHidden();
  await page.getByText("Filters", { exact: true }).click();
  await page.getByLabel("Kind").selectOption("sealed");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/kind=sealed/);
  // With a filter set, the fold opens on it and says how many are set.
  await expect(page.getByText("Filters (1)", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Kind")).toHaveValue("sealed");
  await page.screenshot({ path: "test-results/storefront-mobile.png", fullPage: true });
});

test("the stock table and the landing page fit a phone screen", async ({ page }) => {
  await page.goto("/");
  const landing = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(landing, "landing page").toBeLessThanOrEqual(0);
  await expect(page.getByRole("link", { name: "Sign up free" }).first()).toBeInViewport({ ratio: 1 });
  await signUp(page);
  const origin = new URL(page.url()).origin;
  const input = {
    kind: "card", name: "Charizard Holo 1st Edition Shadowless", sku: "", quantity: "1", purchase_price: "2100", currency: "USD",
    purchase_date: "2026-09-12", purchase_source: "", storage_location: "Binder 2", tags: "", notes: "",
    image_urls: "", brand: "", style_id: "", colorway: "", size: "", size_system: "", sneaker_condition: "",
    box_condition: "", game: "Pokémon", card_set: "Base Set", card_number: "4/102", language: "", finish: "", card_condition: "",
    grading_company: "PSA", grade: "10", cert_number: "74839201", attributes: "",
  };
  const res = await page.request.post("/api/inventory/create", { data: { input, status: "in_stock" }, headers: { Origin: origin } });
  expect(res.status()).toBe(200);
  await page.goto("/app/inventory");
  await waitForHydration(page);
  await expect(page.getByRole("cell", { name: "PSA 10" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, "stock page").toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/stock-mobile.png", fullPage: true });
});

test("the demo storefront, an item and the cart fit a phone screen", async ({ page }) => {
  for (const path of ["/s/demo", "/s/demo?kind=sneaker&sort=price"]) {
    await page.goto(path);
    await expect(page.getByRole("list", { name: "Items for sale" })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
  await page.getByRole("list", { name: "Items for sale" }).getByRole("link").first().click();
  await page.getByRole("button", { name: "Add to cart" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("button", { name: "Place order" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test("the inbox fits a phone screen", async ({ page }) => {
  await signUp(page);
  await waitForHydration(page);
  await page.getByRole("link", { name: /^Inbox/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Inbox" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Your inbox is empty" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/inbox-mobile.png", fullPage: true });
});
