import type { Page } from "@playwright/test";
import { expect, signUp, test, waitForHydration } from "./helpers";

// The WebAssembly files a page fetched, by name.
function wasmFetched(page: Page): string[] {
  const names: string[] = [];
  page.on("response", (res) => {
    const path = new URL(res.url()).pathname;
    if (path.endsWith(".wasm")) names.push(path.split("/").pop() ?? path);
  });
  return names;
}

test("a shopper's catalog and item pages load no WebAssembly, the cart only the main module; a dashboard page loads its own chunk when first shown", async ({ page }) => {
  const fetched = wasmFetched(page);
  await page.goto("/s/demo?kind=sealed");
  await page.getByRole("list", { name: "Items for sale" }).getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.waitForLoadState("networkidle");
  // Plain HTML: links and forms work as they are.
  expect(fetched).toEqual([]);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page).toHaveURL(/\/s\/demo\/cart$/);
  await waitForHydration(page);
  // Only the main module (its name carries a content hash: flipdesk.<hash>.wasm).
  expect(fetched.filter((name) => !/^flipdesk(\.[\w-]+)?\.wasm$/.test(name))).toEqual([]);
  expect(fetched.length).toBeGreaterThan(0);
  // Back to the catalog from the hydrated cart: its code comes then, in its own module.
  await page.getByRole("link", { name: /Demo Kicks/ }).first().click();
  await expect(page.getByRole("list", { name: "Items for sale" })).toBeVisible();
  await expect.poll(() => fetched.some((name) => name.startsWith("split_public_pages"))).toBe(true);

  await signUp(page);
  expect(fetched.some((name) => name.startsWith("split_dashboard_import"))).toBe(false);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Import from a spreadsheet" })).toBeVisible();
  await expect.poll(() => fetched.some((name) => name.startsWith("split_dashboard_import"))).toBe(true);
});

test("a page whose code cannot be downloaded asks for a reload instead of crashing", async ({ page, problems }) => {
  // The failed fetch itself is logged (by Chromium and by the chunk loader); nothing else may be.
  problems.allow(/status of 404|WebAssembly|Incorrect response MIME type|failed to load/i);
  await signUp(page);
  // A click before hydration would be a full page load (the server renders the import page).
  await waitForHydration(page);
  // As if a deploy had replaced the files since this tab loaded: the import page's module is gone.
  const importModule = /\/pkg\/split_dashboard_import[^/]*\.wasm$/;
  await page.route(importModule, (route) => route.fulfill({ status: 404, body: "" }));
  await page.getByRole("link", { name: "Import", exact: true }).click();
  const notice = page.getByTestId("page-code-missing");
  await expect(notice).toBeVisible();
  await expect(notice.getByRole("heading", { name: "This page needs a reload" })).toBeVisible();
  // The rest of the dashboard still works around the notice.
  await expect(page.getByRole("link", { name: "Inventory", exact: true })).toBeVisible();

  await page.unroute(importModule);
  await notice.getByRole("link", { name: "Reload the page" }).click();
  await waitForHydration(page);
  await expect(page).toHaveURL(/\/app\/import$/);
  await expect(page.getByRole("heading", { name: "Import from a spreadsheet" })).toBeVisible();
});

test("a page whose code is missing while it first loads reloads once, then keeps the server's page", async ({ page, problems }) => {
  problems.allow(/status of 404|WebAssembly|Incorrect response MIME type|failed to load/i);
  await signUp(page);
  const importModule = /\/pkg\/split_dashboard_import[^/]*\.wasm$/;
  await page.route(importModule, (route) => route.fulfill({ status: 404, body: "" }));
  let documentLoads = 0;
  page.on("load", () => documentLoads++);
  await page.goto("/app/import");
  // One reload (pages are never cached, so after a deploy it names files that exist), not a loop.
  await expect.poll(() => documentLoads).toBe(2);
  await expect(page.getByRole("heading", { name: "Import from a spreadsheet" })).toBeVisible();
  // Still the server's page a moment later: no third load, and no hydration panic (the problems
  // fixture fails the test on any console error but the failed download's own).
  await page.waitForTimeout(1500);
  expect(documentLoads).toBe(2);
  await expect(page.getByRole("heading", { name: "Import from a spreadsheet" })).toBeVisible();
});
