import { expect, test, signUp, waitForHydration } from "./helpers";

test("a reseller publishes a list, issues a key, a bot adds an item, and the public page shows it", async ({ page, request }) => {
  const account = await signUp(page);
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Want to buy" }).click();
  await expect(page).toHaveURL(/\/app\/lists$/);
  await expect(page.getByRole("heading", { name: "No lists yet" })).toBeVisible();
  await waitForHydration(page);

  // Create the list; a missing name is refused next to the field first.
  await page.getByRole("button", { name: "Create list" }).click();
  await expect(page.getByText("Give the list a name.")).toBeVisible();
  const listName = `Grails ${account.storeSlug}`;
  await page.getByLabel("Name").fill(listName);
  await page.getByLabel("Description").fill("Paying fast, PayPal G&S.");
  await page.getByRole("button", { name: "Create list" }).click();
  await expect(page).toHaveURL(/\/app\/lists\/[0-9a-f-]+$/);
  await expect(page.getByRole("heading", { level: 1, name: listName })).toBeVisible();
  const publicLink = page.locator(".page-header").getByRole("link", { name: /^\/lists\// });
  const path = (await publicLink.getAttribute("href"))!;
  const slug = path.split("/").pop()!;

  // An item from the form, with a browser-side check of the price first.
  await page.getByLabel("What you want").fill("Charizard Base Set Holo");
  await page.getByLabel("Grade").fill("PSA 9");
  await page.getByLabel("Most you would pay (each)").fill("lots");
  await page.getByRole("button", { name: "Add to list" }).click();
  await expect(page.getByText(/Enter the most you would pay/)).toBeVisible();
  await page.getByLabel("Most you would pay (each)").fill("4500");
  await page.getByRole("button", { name: "Add to list" }).click();
  const table = page.getByRole("table", { name: "Wanted items" });
  await expect(table.getByRole("cell", { name: "Charizard Base Set Holo", exact: true })).toBeVisible();
  await expect(table.getByRole("cell", { name: "$4,500.00" })).toBeVisible();

  // The key is shown once.
  await page.getByRole("button", { name: "Generate API key" }).click();
  const keyInput = page.getByLabel("New API key");
  await expect(keyInput).toHaveValue(/^fd_[A-Za-z0-9]{32}$/);
  const key = await keyInput.inputValue();
  await expect(page.locator(".code-sample")).toContainText(`/api/v1/lists/${slug}/items`);

  // A bot adds an item with the key.
  const res = await request.post(`/api/v1/lists/${slug}/items`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { name: "Jordan 1 Retro High OG Chicago", style_id: "dz5485-612", size: "US 10.5", quantity: 2, max_price: { amount: 35000, currency: "USD" } },
  });
  expect(res.status()).toBe(201);
  expect((await res.json()).style_id).toBe("DZ5485-612");
  await page.screenshot({ path: "test-results/wtb-dashboard.png", fullPage: true });

  // The public page shows both items, with a link preview for Discord.
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1, name: listName })).toBeVisible();
  const wanted = page.getByRole("list", { name: "Wanted items" });
  await expect(wanted.getByRole("heading", { name: "Jordan 1 Retro High OG Chicago" })).toBeVisible();
  await expect(wanted).toContainText("$350.00");
  await expect(wanted).toContainText("Size 10.5");
  await expect(wanted).toContainText("PSA 9");
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute("content", new RegExp(listName));
  await expect(page.locator('meta[property="og:description"]')).toHaveAttribute("content", "Paying fast, PayPal G&S.");
  await expect(page.locator('meta[property="og:image"]')).toHaveAttribute("content", /^http.*\/og-wtb\.png$/);
  await page.screenshot({ path: "test-results/wtb-public.png", fullPage: true });

  // Regenerating (after confirming) turns the old key off at once.
  await page.goBack();
  await waitForHydration(page);
  await page.getByRole("button", { name: "Regenerate key" }).click();
  await page.getByRole("button", { name: "Yes, regenerate" }).click();
  await expect(page.getByLabel("New API key")).not.toHaveValue(key);
  const old = await request.get(`/api/v1/lists/${slug}/items`, { headers: { Authorization: `Bearer ${key}` } });
  expect(old.status()).toBe(401);
});
