import { expect, test, signUp, waitForHydration } from "./helpers";

/** A sheet of `rows` distinct sneakers. */
function sheet(rows: number, from = 1): Buffer {
  const lines = ["Name,Paid,Date Bought"];
  for (let i = from; i < from + rows; i++) lines.push(`Dunk Low #${i},${(10 + i / 100).toFixed(2)},2026-01-05`);
  return Buffer.from(lines.join("\n") + "\n");
}

async function importSheet(page: import("@playwright/test").Page, name: string, rows: number, from = 1) {
  await page.goto("/app/import");
  await waitForHydration(page);
  await page.locator("#import-file").setInputFiles({ name, mimeType: "text/csv", buffer: sheet(rows, from) });
  await page.getByRole("button", { name: "Check rows" }).click();
  await page.getByRole("button", { name: `Import ${rows} item${rows === 1 ? "" : "s"}` }).click();
}

test("a free reseller at the item limit is told so, with the way to more room", async ({ page, problems }) => {
  test.setTimeout(120_000);
  problems.allow(/status of 402/); // over the limit is a 402, as it should be
  await signUp(page);
  await page.getByRole("link", { name: "Plan and usage" }).click();
  await expect(page.getByRole("heading", { name: "Plan and usage" })).toBeVisible();
  await expect(page.locator(".usage[data-resource=items] .usage-figures")).toHaveText("0 of 250");
  await expect(page.locator(".usage[data-resource=items]")).toHaveAttribute("data-fill", "normal");

  // 250 items: the free plan's room.
  await importSheet(page, "stock.csv", 250);
  await expect(page.getByTestId("import-result")).toHaveText("Done: 250 imported, 0 left out, 0 failed.", { timeout: 30_000 });

  // One more file: refused before anything is written, saying how many fit.
  await importSheet(page, "more.csv", 1, 251);
  await expect(page.getByText("This file adds 1 item and none of them fit. Your Free plan has room for 250 inventory items")).toBeVisible();

  // The add form: the reason and a way to more room.
  await page.goto("/app/inventory/new");
  await waitForHydration(page);
  await page.getByLabel("Name").fill("One too many");
  await page.getByLabel("Purchase price (per unit)").fill("20");
  await page.getByRole("button", { name: "Save item" }).click();
  const banner = page.locator(".banner-error");
  await expect(banner).toContainText("Your Free plan has room for 250 inventory items and 250 are already used.");
  await banner.getByRole("link", { name: "Upgrade" }).click();

  await expect(page.getByRole("heading", { name: "Plan and usage" })).toBeVisible();
  const items = page.locator(".usage[data-resource=items]");
  await expect(items).toHaveAttribute("data-fill", "full");
  await expect(items.locator(".usage-figures")).toHaveText("250 of 250");
  await expect(items.getByRole("progressbar")).toHaveAttribute("value", "250");
  await expect(items).toContainText("Full: nothing new of this kind");
  await expect(page.getByRole("heading", { name: "What Premium adds" })).toBeVisible();
  await expect(page.getByText("100,000 inventory items instead of 250")).toBeVisible();
  await page.screenshot({ path: "test-results/billing-desktop.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/billing-phone.png", fullPage: true });
});
