import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("dashboard fits a phone screen without sideways scrolling", async ({ page }) => {
  await signUp(page);
  await expect(page.getByRole("heading", { name: "Your reselling at a glance" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByTestId("switch-store")).toBeVisible();
  await page.screenshot({ path: "test-results/dashboard-mobile.png", fullPage: true });
});
