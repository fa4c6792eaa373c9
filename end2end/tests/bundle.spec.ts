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

test("a shopper's storefront loads no dashboard code; a dashboard page loads its own chunk when first shown", async ({ page }) => {
  const fetched = wasmFetched(page);
  await page.goto("/s/demo");
  await waitForHydration(page);
  await page.getByRole("list", { name: "Items for sale" }).getByRole("link").first().click();
  await waitForHydration(page);
  expect(fetched.filter((name) => name !== "flipdesk.wasm")).toEqual([]);

  await signUp(page);
  expect(fetched.some((name) => name.startsWith("split___import_route"))).toBe(false);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Import from a spreadsheet" })).toBeVisible();
  await expect.poll(() => fetched.some((name) => name.startsWith("split___import_route"))).toBe(true);
});
