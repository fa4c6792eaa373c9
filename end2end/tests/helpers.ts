import { expect, Page } from "@playwright/test";

/** Waits until the WebAssembly bundle has hydrated the page (clicks before that are lost). */
export async function waitForHydration(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

let counter = 0;
/** A unique email and store address for one test. */
export function uniqueAccount() {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return {
    email: `reseller-${id}@example.com`,
    password: "grail-hunter-2026",
    storeName: `Kicks ${id}`,
    storeSlug: `kicks-${id}`,
  };
}

export async function signUp(page: Page, account = uniqueAccount()) {
  await page.goto("/signup");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByLabel("Store name").fill(account.storeName);
  await page.getByLabel("Store address").fill(account.storeSlug);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/app$/);
  return account;
}

/** Collects console errors and failed requests so tests can assert a clean page. */
export function watchConsole(page: Page) {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  return problems;
}
