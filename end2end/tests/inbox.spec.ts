import { addSneaker, expect, listInStore, signUp, test, waitForHydration } from "./helpers";

test("a shopper's order reaches the open dashboard's inbox badge without a reload; the reseller reads it", async ({ page, playwright }) => {
  const account = await signUp(page);
  await waitForHydration(page);
  const badge = page.getByRole("link", { name: /^Inbox/ });
  await expect(badge).toHaveAttribute("aria-label", "Inbox, nothing unread");

  // The reseller lists a pair (through the API, as the dashboard's forms do).
  const origin = new URL(page.url()).origin;
  const listing = await listInStore(page, await addSneaker(page, "Dunk Low Panda", { quantity: "2" }), "150");

  // A shopper elsewhere orders it, paying by the store's instructions.
  const shopper = await playwright.request.newContext({ baseURL: origin });
  const order = await shopper.post("/api/v1/checkout/session", {
    headers: { "Idempotency-Key": `inbox-${Date.now()}` },
    data: {
      store: account.storeSlug, lines: [{ listing_id: listing, quantity: 1 }], email: "shopper@example.com",
      shipping_address: { name: "Sam Buyer", line1: "1 Main St", city: "Austin", postal_code: "73301", region: "TX", country: "US" },
    },
  });
  expect(order.status()).toBe(201);
  await shopper.dispose();

  // The open dashboard hears of it live.
  await expect(badge).toHaveAttribute("aria-label", "Inbox, 1 unread notification", { timeout: 5_000 });
  await expect(badge).toContainText("1");

  await badge.click();
  await expect(page.getByRole("heading", { level: 1, name: "Inbox" })).toBeVisible();
  const notices = page.getByRole("list", { name: "Notifications" });
  await expect(notices.getByRole("link", { name: /New order awaiting payment: \$150\.00/ })).toBeVisible();
  await page.screenshot({ path: "test-results/inbox-desktop.png", fullPage: true });
  await notices.getByRole("button", { name: "Mark read" }).click();
  await expect(notices.getByRole("button", { name: "Mark unread" })).toBeVisible();
  await expect(badge).toHaveAttribute("aria-label", "Inbox, nothing unread", { timeout: 5_000 });

  // Filters are in the address; an empty result says so.
  await page.getByLabel("Type").selectOption("error");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/type=error/);
  await expect(page.getByRole("heading", { name: "Nothing matches these filters" })).toBeVisible();
});

test("a shopper asks about an item from the storefront; the owner sees it in the inbox and answers", async ({ page, browser }) => {
  const account = await signUp(page);
  await waitForHydration(page);
  const listing = await listInStore(page, await addSneaker(page, "Jordan 4 Bred", { price: "210", size: "9" }), "320");

  // The shopper, on another browser.
  const shopperContext = await browser.newContext();
  const shopper = await shopperContext.newPage();
  await shopper.goto(`/s/${account.storeSlug}/items/${listing}`);
  await shopper.getByRole("link", { name: "Ask about this item" }).click();
  await waitForHydration(shopper);
  await expect(shopper.getByText("About: Jordan 4 Bred")).toBeVisible();
  await shopper.screenshot({ path: "test-results/contact-desktop.png", fullPage: true });
  await shopper.getByRole("button", { name: "Send question" }).click();
  await expect(shopper.getByText("Enter your name.")).toBeVisible();
  await shopper.getByLabel("Your name").fill("Lea");
  await shopper.getByLabel("Email or Instagram handle").fill("@lea.kicks");
  await shopper.getByLabel("Your question").fill("<b>Any</b> sole yellowing?");
  // A form sent within seconds of opening looks like a bot: a person is asked to check it.
  await shopper.getByRole("button", { name: "Send question" }).click();
  await expect(shopper.getByText(/That was quick/)).toBeVisible();
  await shopper.waitForTimeout(3_000); // the rule is a few real seconds
  await shopper.getByRole("button", { name: "Send question" }).click();
  await expect(shopper.getByText("Thanks, your question is on its way.")).toBeVisible();
  await shopperContext.close();

  // The owner's badge and inbox, then the store's inquiries page.
  const badge = page.getByRole("link", { name: /^Inbox/ });
  await expect(badge).toHaveAttribute("aria-label", "Inbox, 1 unread notification", { timeout: 5_000 });
  await badge.click();
  const question = page.getByRole("link", { name: "Question from Lea about Jordan 4 Bred" });
  await expect(question).toBeVisible();
  await expect(page.getByText("<b>Any</b> sole yellowing?")).toBeVisible();
  await question.click();
  await expect(page.getByRole("heading", { level: 1, name: "Inquiries" })).toBeVisible();
  await expect(page.getByText("@lea.kicks on Instagram")).toBeVisible();
  // Following the notification read it.
  await expect(badge).toHaveAttribute("aria-label", "Inbox, nothing unread", { timeout: 5_000 });
  await page.getByLabel("Answer").fill("None at all, stored in a box.");
  await page.getByRole("button", { name: "Save answer" }).click();
  await expect(page.getByRole("heading", { name: "No questions here" })).toBeVisible();
  await page.getByRole("link", { name: "Answered" }).click();
  await expect(page.getByText("None at all, stored in a box.")).toBeVisible();
  await page.screenshot({ path: "test-results/inquiries-desktop.png", fullPage: true });
});

test("a reseller sends alerts to a webhook: a private address is refused, a test alert arrives signed", async ({ page, problems }) => {
  problems.allow(/status of 422/);
  // A receiver of the reseller's own, on loopback (allowed outside production).
  const http = await import("node:http");
  const received: { signature: string | undefined; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ signature: req.headers["flipdesk-signature"] as string | undefined, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    await signUp(page);
    await page.goto("/app/inbox");
    await waitForHydration(page);
    await page.getByRole("link", { name: "Webhooks" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Alert webhooks" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "No webhooks yet" })).toBeVisible();

    const address = page.getByLabel("Webhook address");
    await address.fill("https://169.254.169.254/latest/meta-data");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await expect(page.getByText(/leads into a private network/)).toBeVisible();

    await address.fill(`http://127.0.0.1:${port}/flipdesk`);
    await page.getByLabel("Info").uncheck();
    await page.getByRole("button", { name: "Add webhook" }).click();
    const secret = page.getByLabel("Signing secret");
    await expect(secret).toHaveValue(/^whsec_/);
    const hooks = page.getByRole("list", { name: "Webhooks" });
    await expect(hooks).toContainText(`http://127.0.0.1:${port}/…`);
    await expect(hooks).toContainText("Signed JSON · Error, Warning, Success");

    await hooks.getByRole("button", { name: /Send a test alert/ }).click();
    await expect(page.getByText("Test alert queued")).toBeVisible();
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    expect(received[0].signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(received[0].body)).toMatchObject({ type: "test", test: true, title: "Test alert from Flipdesk" });
    await page.reload();
    await waitForHydration(page);
    await expect(page.getByRole("list", { name: "Webhooks" })).toContainText("Last alert delivered");
    await page.screenshot({ path: "test-results/webhooks-desktop.png", fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "test-results/webhooks-phone.png", fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    await page.getByRole("button", { name: /Delete the webhook/ }).click();
    await expect(page.getByRole("heading", { name: "No webhooks yet" })).toBeVisible();
  } finally {
    server.close();
  }
});
