import { addSneaker, expect, listInStore, signUp, test, waitForHydration } from "./helpers";

test("a reseller connects channels, offers a pair on them, sells it on eBay and gets a delist checklist", async ({ page }) => {
  await signUp(page);
  await waitForHydration(page);
  const item = await addSneaker(page, "Travis Scott Jordan 1 Low Mocha");
  await listInStore(page, item, "900");

  // Channels: two marketplaces listed on by hand and one connected app.
  await page.goto("/app/store/channels");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "No channels yet" })).toBeVisible();
  await page.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByText("Name the channel")).toBeVisible();
  for (const name of ["eBay", "StockX"]) {
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByRole("button", { name: "Add channel" }).click();
    await expect(page.getByText("Channel added.")).toBeVisible();
  }
  await page.getByLabel("Name", { exact: true }).fill("Live shop");
  await page.getByLabel("Connected app").check();
  await page.getByLabel("Webhook address").fill("http://127.0.0.1:9/flipdesk");
  await page.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByLabel("Secret")).toHaveValue(/^fdch_/);
  await expect(page.getByTestId("channel")).toHaveCount(3);
  // Nothing answers at the app's address: "Check now" says so on its card.
  const live = page.getByTestId("channel").filter({ hasText: "Live shop" });
  await live.getByRole("button", { name: "Check now" }).click();
  await expect(live).toContainText("could not connect");
  await page.screenshot({ path: "test-results/channels-desktop.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/channels-phone.png", fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // The item page: offered on eBay (with its listing address) and StockX.
  await page.goto(`/app/inventory/${item}`);
  await waitForHydration(page);
  const listedOn = page.getByTestId("listed-on");
  await expect(listedOn).toHaveText("Not offered on any sales channel.");
  await page.getByLabel("Sales channel").selectOption({ label: "eBay" });
  await page.getByLabel("Price there").fill("950");
  await page.getByLabel("Listing address (optional)").fill("https://www.ebay.com/itm/1234");
  await page.getByRole("button", { name: "Offer on this channel" }).click();
  await expect(listedOn.getByText("eBay")).toBeVisible();
  await page.getByLabel("Sales channel").selectOption({ label: "StockX" });
  await page.getByLabel("Price there").fill("990");
  await page.getByLabel("Listing address (optional)").fill("");
  await page.getByRole("button", { name: "Offer on this channel" }).click();
  await expect(listedOn.locator("li")).toHaveCount(2);
  await expect(listedOn).toContainText("StockX · $990.00");
  await page.screenshot({ path: "test-results/listed-on-desktop.png", fullPage: true });

  // The stock table says where it is listed, and filters by place.
  await page.goto("/app/inventory");
  await waitForHydration(page);
  const row = page.getByRole("row").filter({ hasText: "Travis Scott Jordan 1 Low Mocha" });
  await expect(row.locator(".place-chips .chip")).toHaveText(["Storefront", "eBay", "StockX"]);
  await page.screenshot({ path: "test-results/stock-listed-on.png" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/stock-listed-on-phone.png" });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator("#inventory-place").selectOption({ label: "On StockX" });
  await expect(page).toHaveURL(/listed_on=/);
  await expect(row).toHaveCount(1);
  await page.locator("#inventory-place").selectOption({ label: "Not listed anywhere" });
  await expect(page.getByRole("heading", { name: "No items match" })).toBeVisible();
  await page.goto(`/app/inventory/${item}`);
  await waitForHydration(page);

  // Sold on eBay: off the storefront and every channel; StockX goes on a checklist.
  await page.locator("#sale-channel").selectOption({ label: "eBay" });
  await page.getByLabel("Sale price").fill("950");
  await page.getByRole("button", { name: "Record sale" }).click();
  await expect(page.locator(".page-header .status-pill")).toHaveText("Sold");
  await expect(listedOn.locator("li").filter({ hasText: "eBay" })).toContainText("Sold here");
  await expect(listedOn.locator("li").filter({ hasText: "StockX" })).toContainText("Withdrawn");
  await page.goto("/app/inbox");
  await expect(page.getByRole("link", { name: "Delist “Travis Scott Jordan 1 Low Mocha” on StockX" })).toBeVisible();
});
