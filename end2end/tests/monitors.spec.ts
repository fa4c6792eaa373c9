import { expect, signUp, test, waitForHydration } from "./helpers";

test("a reseller adds a store monitor; bad keywords are refused in the browser", async ({ page }) => {
  await signUp(page);
  await waitForHydration(page);
  await page.getByRole("link", { name: "Monitors" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Store monitors" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "No monitors yet" })).toBeVisible();

  await page.getByLabel("Keywords").fill("-kids");
  await page.getByRole("button", { name: "Add monitor" }).click();
  await expect(page.getByText(/Enter at least one word/)).toBeVisible();

  await page.getByLabel("Keywords").fill('jordan 4 "bred reimagined" -kids');
  await page.getByLabel("Sizes (optional)").fill("10, 10.5");
  await page.getByLabel("Top price (optional)").fill("300");
  await page.getByRole("button", { name: "Add monitor" }).click();
  const list = page.getByRole("list", { name: "Monitors" });
  await expect(list.getByText('jordan 4 "bred reimagined" -kids')).toBeVisible();
  await expect(list.getByText("sizes 10, 10.5 · up to $300.00")).toBeVisible();
  await expect(page.getByText("1 of 5 monitors on your plan")).toBeVisible();
  await expect(page.getByLabel("Keywords")).toHaveValue("");
  // Words that name a catalog product: its listings match however they are worded.
  await page.getByLabel("Keywords").fill("DZ5485-612");
  await page.getByLabel("Sizes (optional)").fill("");
  await page.getByLabel("Top price (optional)").fill("");
  await page.getByRole("button", { name: "Add monitor" }).click();
  await expect(page.getByTestId("monitor-product")).toContainText("Air Jordan 1 Retro High OG Chicago Lost and Found");
  await page.screenshot({ path: "test-results/monitors-desktop.png", fullPage: true });

  await list.getByRole("button", { name: "Delete the monitor dz5485 612" }).click();
  await expect(page.getByTestId("monitor-product")).toHaveCount(0);
  await list.getByRole("button", { name: /Delete the monitor/ }).click();
  await expect(page.getByRole("heading", { name: "No monitors yet" })).toBeVisible();
});
