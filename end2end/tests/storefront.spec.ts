import { expect, test, waitForHydration } from "./helpers";

test("a shopper browses the demo store, checks out with manual payment, and the owner sees the order", async ({ page, browser }) => {
  const email = `shopper-${Date.now().toString(36)}@example.com`;
  await page.goto("/s/demo");
  await expect(page.getByRole("list", { name: "Items for sale" })).toBeVisible();
  // Filters work without WebAssembly: a plain GET form.
  await page.getByLabel("Kind").selectOption("sealed");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/kind=sealed/);
  const cards = page.getByRole("list", { name: "Items for sale" }).getByRole("link");
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText("Evolving Skies Booster Box");
  await expect(cards.first()).toContainText(/\d available/);
  const sealed = async () => (await (await page.request.get("/api/v1/stores/demo/listings?kind=sealed")).json()).items[0].available;
  const before = await sealed();
  await cards.first().click();

  // The item page: details and quantity.
  await expect(page.getByRole("heading", { level: 1, name: "Evolving Skies Booster Box" })).toBeVisible();
  await expect(page.getByText("Packs")).toBeVisible();
  await page.getByLabel("Quantity").fill("2");
  await page.getByRole("button", { name: "Add to cart" }).click();

  // The cart, priced by the server: 2 × $434.00, shipping free from $500.
  await expect(page).toHaveURL(/\/s\/demo\/cart$/);
  await waitForHydration(page);
  await expect(page.getByRole("cell", { name: "Evolving Skies Booster Box" })).toBeVisible();
  await expect(page.getByLabel("Quantity of Evolving Skies Booster Box")).toHaveValue("2");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Full name").fill("Sam Shopper");
  await page.getByLabel("Address", { exact: true }).fill("1 Main St");
  await page.getByLabel("City").fill("Austin");
  await page.getByLabel("Postal code").fill("73301");
  await page.getByLabel("Country").selectOption("US");
  // The US needs a state: the order is refused in the browser until it has one.
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByText("Enter the state, province or region.")).toBeVisible();
  await page.getByLabel("State").fill("TX");
  await expect(page.locator(".totals-list")).toContainText("Free");
  await expect(page.locator(".totals-list")).toContainText("$868.00");
  // A bad email is refused in the browser before anything is reserved.
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByText("That does not look like an email address.")).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Place order" }).click();

  // The signed link sets the order's cookie and lands on the clean order address.
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]+$/);
  await expect(page.getByRole("heading", { name: "Order received: please pay" })).toBeVisible();
  await expect(page.getByText("IBAN US00 DEMO 0000 0001")).toBeVisible();
  await expect(page.locator(".totals-list")).toContainText("$868.00");
  const orderUrl = page.url();
  const orderId = orderUrl.split("/").pop()!;

  // Two of the six boxes are held for this shopper.
  expect(await sealed()).toBe(before - 2);

  // Another browser without the cookie cannot open the order.
  const stranger = await browser.newPage();
  await stranger.goto(orderUrl);
  await expect(stranger.getByRole("heading", { name: "Order not found" })).toBeVisible();
  await stranger.close();

  // The owner logs in, sees the order, and records the payment.
  const owner = await browser.newPage();
  await owner.goto("/login");
  await waitForHydration(owner);
  await owner.getByLabel("Email").fill("demo@flipdesk.test");
  await owner.getByLabel("Password").fill("demo-password-1");
  await owner.getByRole("button", { name: "Log in" }).click();
  await expect(owner).toHaveURL(/\/app/);
  await owner.goto("/app/store/orders");
  await waitForHydration(owner);
  const row = owner.getByRole("row").filter({ hasText: email });
  await expect(row).toContainText("$868.00");
  await expect(row).toContainText("Awaiting payment");
  await row.getByRole("link").click();
  await expect(owner).toHaveURL(new RegExp(`/app/store/orders/${orderId}$`));
  await expect(owner.getByText("Sam Shopper")).toBeVisible();
  await owner.getByRole("button", { name: "Mark as paid" }).click();
  await expect(owner.locator("h1 .status-pill")).toHaveText("Paid");
  await expect(owner.getByRole("list").filter({ hasText: "payment received" })).toBeVisible();
  // Then ships it with a tracking code.
  await owner.getByLabel("Carrier").fill("UPS");
  await owner.getByLabel("Tracking code").fill("1Z999AA10123456784");
  await owner.getByRole("button", { name: "Mark shipped and email the buyer" }).click();
  await expect(owner.locator("h1 .status-pill")).toHaveText("Shipped");
  // A partial refund of a shipped order is money only: the status stays, nothing goes back
  // on sale unless units are recorded as returned.
  await expect(owner.getByText("Units the buyer sent back")).toBeVisible();
  await owner.getByLabel("Amount").fill("$50");
  await owner.getByRole("button", { name: "Refund", exact: true }).click();
  await expect(owner.locator(".totals-list")).toContainText("$50.00");
  await expect(owner.locator("h1 .status-pill")).toHaveText("Shipped");
  expect(await sealed()).toBe(before - 2);
  await expect(owner.getByText("Leave empty to refund what is left: $818.00.")).toBeVisible();
  await owner.close();

  // The buyer's page follows.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Your order is on its way" })).toBeVisible();
  await expect(page.getByText("1Z999AA10123456784")).toBeVisible();
});

test("the cart keeps the shopper's last input when repricing answers arrive late", async ({ page }) => {
  await page.goto("/s/demo?kind=sealed");
  await page.getByRole("list", { name: "Items for sale" }).getByRole("link").first().click();
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page).toHaveURL(/\/s\/demo\/cart$/);
  await waitForHydration(page);
  const quantity = page.getByLabel("Quantity of Evolving Skies Booster Box");
  await expect(quantity).toHaveValue("1");
  // The walkthrough's case: a country, then at once a quantity. Slow down the repricing
  // answers so they arrive after the newer input.
  await page.route("**/api/storefront/cart**", async (route) => {
    await new Promise((r) => setTimeout(r, 700));
    await route.continue();
  });
  await page.getByLabel("Country").selectOption("DE");
  await quantity.fill("3");
  // The answer for the country (priced at one box) lands after the new quantity.
  await page.waitForTimeout(900);
  await expect(quantity).toHaveValue("3");
  await expect(page.locator(".totals-list")).toContainText("$1,302.00");
  await expect(quantity).toHaveValue("3");
  await page.unroute("**/api/storefront/cart**");
  await page.getByLabel("Email").fill(`late-${Date.now().toString(36)}@example.com`);
  await page.getByLabel("Full name").fill("Lea Käufer");
  await page.getByLabel("Address", { exact: true }).fill("Hauptstraße 1");
  await page.getByLabel("City").fill("Berlin");
  await page.getByLabel("Postal code").fill("10115");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]+$/);
  await expect(page.getByRole("row", { name: /Evolving Skies Booster Box/ })).toContainText("3");
});
