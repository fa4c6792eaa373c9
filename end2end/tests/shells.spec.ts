import { expect, forgetSession, test, signUp } from "./helpers";

test("a reseller's storefront is public; an unknown store is a friendly 404", async ({ page, context, problems }) => {
  problems.allow(/status of 404/); // the missing page is answered with a 404, as it should be
  const account = await signUp(page);
  await forgetSession(page);
  await page.goto(`/s/${account.storeSlug}`);
  await expect(page.getByRole("heading", { level: 1, name: account.storeName })).toBeVisible();
  await expect(page.getByText("Nothing for sale right now")).toBeVisible();

  const missing = await page.goto("/s/no-such-store-here");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Store not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to the Flipdesk home page" })).toBeVisible();
});

test("an unknown public list is a 404 page", async ({ page, problems }) => {
  problems.allow(/status of 404/); // the missing page is answered with a 404, as it should be
  const res = await page.goto("/lists/nobody-wants-this");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "List not found" })).toBeVisible();
});

test("unknown pages are a 404 with a way home", async ({ page, problems }) => {
  problems.allow(/status of 404/); // the missing page is answered with a 404, as it should be
  const res = await page.goto("/definitely/not/here");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
