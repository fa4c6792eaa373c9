import type { Locator, Page } from "@playwright/test";
import { expect, test, signUp, waitForHydration } from "./helpers";

test("add an item, find it, sell it, ship it, export the table", async ({ page }) => {
  await signUp(page);
  await page.getByRole("link", { name: "Inventory" }).click();
  await expect(page).toHaveURL(/\/app\/inventory$/);
  await expect(page.getByRole("heading", { name: "Your inventory is empty" })).toBeVisible();

  await page.getByRole("link", { name: "Add your first item" }).click();
  await expect(page.getByRole("heading", { name: "Add an item" })).toBeVisible();
  await waitForHydration(page);
  // Client-side validation with the shared validators: nothing is sent.
  await page.getByLabel("Name").fill("Jordan 1 Retro High OG Chicago");
  await page.getByLabel("Size", { exact: true }).fill("30");
  await page.getByLabel("Size system").selectOption("us_m");
  await page.getByLabel("Purchase price (per unit)").fill("-5");
  await page.getByRole("button", { name: "Save item" }).click();
  await expect(page.getByText("US M sizes run from 3.5 to 18.")).toBeVisible();
  await expect(page.getByText("A price cannot be negative.")).toBeVisible();

  await page.getByLabel("Size", { exact: true }).fill("10.5");
  await page.getByLabel("Purchase price (per unit)").fill("180");
  await page.getByLabel("Style id").fill("555088-101");
  await page.getByRole("button", { name: "Save item" }).click();
  await expect(page.getByRole("heading", { name: "Jordan 1 Retro High OG Chicago" })).toBeVisible();

  // A card too, so filtering has something to hide.
  await page.goto("/app/inventory/new");
  await waitForHydration(page);
  await page.getByLabel("Kind").selectOption("card");
  await page.getByLabel("Name").fill("Charizard Base Set Holo");
  await page.getByLabel("Grading company").selectOption("PSA");
  await page.getByLabel("Grade").fill("9");
  await page.getByLabel("Cert number").fill("87654321");
  await page.getByLabel("Purchase price (per unit)").fill("450");
  await page.getByRole("button", { name: "Save item" }).click();
  await expect(page.getByRole("heading", { name: "Charizard Base Set Holo" })).toBeVisible();

  await page.goto("/app/inventory");
  await waitForHydration(page);
  await expect(page.getByText("Page 1 of 1 · 2 items")).toBeVisible();
  await page.getByLabel("Search inventory").fill("555088");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=555088/);
  await expect(page.getByText("Page 1 of 1 · 1 item")).toBeVisible();
  await expect(page.getByRole("link", { name: "Charizard Base Set Holo" })).toHaveCount(0);
  await page.getByLabel("Search inventory").fill("");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByLabel("Kind").selectOption("card");
  await expect(page).toHaveURL(/kind=card/);
  await expect(page.getByRole("link", { name: "Charizard Base Set Holo" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Jordan 1 Retro High OG Chicago" })).toHaveCount(0);

  // Export what is filtered.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await download;
  const csv = await (await file.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString("utf8");
  expect(text).toContain("Charizard Base Set Holo");
  expect(text).not.toContain("Jordan 1");

  // Sell the sneaker and ship it.
  await page.getByLabel("Kind").selectOption("");
  await page.getByRole("link", { name: "Jordan 1 Retro High OG Chicago" }).click();
  await waitForHydration(page);
  await page.getByLabel("Sale price").fill("300");
  await page.getByLabel("Fees").fill("28.50");
  await page.getByLabel("Shipping charged").fill("15");
  await page.getByLabel("Shipping paid").fill("12");
  await page.getByRole("button", { name: "Record sale" }).click();
  await expect(page.getByTestId("net-profit")).toHaveText("$94.50");
  await expect(page.locator(".page-header .status-pill")).toHaveText("Sold");
  await page.getByLabel("Carrier").fill("UPS");
  await page.getByLabel("Tracking code").fill("1Z999AA10123456784");
  await page.getByRole("button", { name: "Mark shipped" }).click();
  await expect(page.locator(".page-header .status-pill")).toHaveText("Shipped");
  await expect(page.getByText("tracking 1Z999AA10123456784")).toBeVisible();
  await page.screenshot({ path: "test-results/item-page.png", fullPage: true });

  // The sale shows in the sales table with its profit.
  await page.getByRole("link", { name: "Sales" }).click();
  await expect(page).toHaveURL(/\/app\/sales$/);
  await expect(page.getByTestId("sales-total")).toHaveText("Net profit: $94.50 across 1 sale(s)");
  await expect(page.getByRole("row", { name: /Jordan 1 Retro High OG Chicago/ })).toContainText("eBay");
  await page.getByRole("link", { name: "Overview" }).click();
  await expect(page.getByTestId("kpi-profit")).toContainText("$94.50");
  await expect(page.getByTestId("kpi-profit")).toContainText("1 sale(s)");
  await page.getByRole("link", { name: "Shipments" }).click();
  await expect(page.getByRole("row", { name: /Jordan 1 Retro High OG Chicago/ })).toContainText("1Z999AA10123456784");
  const shipmentsCsv = await downloadText(page, page.getByRole("link", { name: "Export CSV" }));
  expect(shipmentsCsv).toContain("UPS,1Z999AA10123456784,shipped");

  // The sales export carries the money; the stock export the sale and its tracking.
  await page.getByRole("link", { name: "Sales" }).click();
  const salesCsv = await downloadText(page, page.getByRole("link", { name: "Export CSV" }));
  expect(salesCsv.split("\n")[0]).toContain("sold_on,item_id,item,channel,units");
  expect(salesCsv).toContain("Jordan 1 Retro High OG Chicago,eBay,1,USD,300.00,15.00,28.50,12.00");
  await page.getByRole("link", { name: "Inventory" }).click();
  const stockCsv = await downloadText(page, page.getByRole("link", { name: "Export CSV" }));
  const header = stockCsv.split("\n")[0].split(",");
  const jordan = stockCsv.split("\n").find((l) => l.includes("Jordan 1 Retro High OG Chicago"))!.split(",");
  const cell = (name: string) => jordan[header.indexOf(name)];
  expect([cell("status"), cell("sale_price"), cell("fees"), cell("net_profit"), cell("tracking_code")]).toEqual([
    "shipped", "300.00", "28.50", "94.50", "1Z999AA10123456784",
  ]);
});

async function downloadText(page: Page, link: Locator): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
  return Buffer.concat(await (await file.createReadStream()).toArray()).toString("utf8");
}

test("a second tab's stale save is a conflict, not an overwrite", async ({ page, context, problems }) => {
  problems.allow(/status of 409/); // the stale save is a 409, as it should be
  await signUp(page);
  await page.goto("/app/inventory/new");
  await waitForHydration(page);
  await page.getByLabel("Name").fill("Dunk Low Panda");
  await page.getByLabel("Purchase price (per unit)").fill("110");
  await page.getByRole("button", { name: "Save item" }).click();
  await expect(page.getByRole("heading", { name: "Dunk Low Panda" })).toBeVisible();
  const url = page.url();

  const other = await context.newPage();
  await other.goto(url);
  await waitForHydration(other);
  await other.getByLabel("Name").fill("Dunk Low Panda (tab 2)");
  await other.getByRole("button", { name: "Save changes" }).click();
  await expect(other.getByText("Saved.")).toBeVisible();

  await page.getByLabel("Name").fill("Dunk Low Panda (tab 1)");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("This item was changed elsewhere.")).toBeVisible();
  await page.getByRole("button", { name: "Reload the latest version" }).click();
  await expect(page.getByRole("heading", { name: "Dunk Low Panda (tab 2)" })).toBeVisible();
});

test("edit a cell inline, select rows and change their status in bulk, delete with confirmation", async ({ page, problems }) => {
  problems.allow(/status of 422/); // the refused input is a 422, as it should be
  await signUp(page);
  for (const name of ["Air Force 1 White", "Air Force 1 Black", "Air Force 1 Triple Red"]) {
    await page.goto("/app/inventory/new");
    await waitForHydration(page);
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Purchase price (per unit)").fill("90");
    await page.getByRole("button", { name: "Save item" }).click();
    await expect(page.getByRole("heading", { name })).toBeVisible();
  }
  await page.goto("/app/inventory");
  await waitForHydration(page);

  // Inline edit: Enter saves, the value stays after a reload.
  const row = page.getByRole("row", { name: /Air Force 1 White/ });
  await row.getByRole("button", { name: "Edit purchase price" }).click();
  await row.getByLabel("New purchase price").fill("99.99");
  await row.getByLabel("New purchase price").press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(row).toContainText("$99.99");
  // A bad value is refused and rolled back.
  await row.getByRole("button", { name: "Edit purchase price" }).click();
  await row.getByLabel("New purchase price").fill("-1");
  await row.getByLabel("New purchase price").press("Enter");
  await expect(page.getByText("Not saved:")).toBeVisible();
  await expect(row).toContainText("$99.99");
  // Escape cancels.
  await row.getByRole("button", { name: "Edit name" }).click();
  await row.getByLabel("New name").fill("Something else");
  await row.getByLabel("New name").press("Escape");
  await expect(row.getByRole("link", { name: "Air Force 1 White" })).toBeVisible();
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole("row", { name: /Air Force 1 White/ })).toContainText("$99.99");

  // Hide the Cost column; the choice survives a reload.
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("checkbox", { name: "Cost" }).uncheck();
  await expect(page.getByRole("columnheader", { name: /Cost/ })).toBeHidden();
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole("columnheader", { name: /Cost/ })).toBeHidden();
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("checkbox", { name: "Cost" }).check();
  await expect(page.getByRole("columnheader", { name: /Cost/ })).toBeVisible();

  // Keyboard: ↓ moves to the next row's name, x selects the focused row.
  await page.getByRole("link", { name: "Air Force 1 Triple Red" }).focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("link", { name: "Air Force 1 Black" })).toBeFocused();
  await page.keyboard.press("x");
  await expect(page.getByLabel("Select Air Force 1 Black")).toBeChecked();
  await page.keyboard.press("x");
  await expect(page.getByLabel("Select Air Force 1 Black")).not.toBeChecked();
  await page.keyboard.press("ArrowUp");
  await expect(page.getByRole("link", { name: "Air Force 1 Triple Red" })).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByLabel("Select Air Force 1 Triple Red")).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("row", { name: /Air Force 1 Triple Red/ }).getByRole("button", { name: "Edit name" })).toBeFocused();

  // Bulk: select two rows, list them.
  await page.getByLabel("Select Air Force 1 White").check();
  await page.getByLabel("Select Air Force 1 Black").check();
  await expect(page.getByText("2 selected")).toBeVisible();
  await page.getByLabel("New status").selectOption("listed");
  await page.getByRole("button", { name: "Change status" }).click();
  await expect(page.getByText("Marked 2 items listed.")).toBeVisible();
  await expect(page.getByRole("row", { name: /Air Force 1 Black/ }).locator(".status-pill")).toHaveText("Listed");
  await expect(page.getByRole("row", { name: /Air Force 1 Triple Red/ }).locator(".status-pill")).toHaveText("In stock");

  // Export only the selected row.
  await page.getByLabel("Select Air Force 1 Triple Red").check();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export selected" }).click();
  const csv = Buffer.concat(await (await (await download).createReadStream()).toArray()).toString("utf8");
  expect(csv).toContain("Air Force 1 Triple Red");
  expect(csv).not.toContain("Air Force 1 Black");
  await page.getByRole("button", { name: "Clear selection" }).click();

  // Bulk-mark the two listed pairs sold, a price for each.
  await page.getByLabel("Select Air Force 1 White").check();
  await page.getByLabel("Select Air Force 1 Black").check();
  await page.getByRole("button", { name: "Mark sold…" }).click();
  await page.getByLabel("Price per unit of Air Force 1 White").fill("140");
  await page.getByLabel("Price per unit of Air Force 1 Black").fill("abc");
  await page.getByRole("button", { name: "Record sales" }).click();
  await expect(page.getByText("Air Force 1 Black: \"abc\" is not a price")).toBeVisible();
  await page.getByLabel("Price per unit of Air Force 1 Black").fill("125");
  await page.getByRole("button", { name: "Record sales" }).click();
  await expect(page.getByText("Marked 2 items sold.")).toBeVisible();
  await expect(page.getByRole("row", { name: /Air Force 1 Black/ }).locator(".status-pill")).toHaveText("Sold");
  await expect(page.getByRole("row", { name: /Air Force 1 White/ }).locator(".status-pill")).toHaveText("Sold");

  // Select all on the page, delete after confirming.
  await page.getByLabel("Select every row on this page").check();
  await expect(page.getByText("3 selected")).toBeVisible();
  await page.getByRole("button", { name: "Delete…" }).click();
  await expect(page.getByText("Delete 3 items for good?")).toBeVisible();
  await page.getByRole("button", { name: "Keep them" }).click();
  await page.getByRole("button", { name: "Delete…" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page.getByText("Deleted 3 items.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Your inventory is empty" })).toBeVisible();
});
