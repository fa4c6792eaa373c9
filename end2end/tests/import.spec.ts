import * as path from "path";
import { expect, test, signUp, waitForHydration } from "./helpers";

const messy = path.join(__dirname, "..", "fixtures", "messy-sneakers.csv");

test("import a messy sheet: fix bad rows inline and in bulk, commit, then undo", async ({ page }) => {
  await signUp(page);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Import from a spreadsheet" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "No imports yet" })).toBeVisible();

  await page.locator("#import-file").setInputFiles(messy);
  await expect(page.getByRole("heading", { name: "2. Match the columns" })).toBeVisible();
  await expect(page.getByText("UTF-8 · comma-separated · 7 rows")).toBeVisible();
  // Headers were matched by name and synonym.
  await expect(page.getByLabel("Product")).toHaveValue("name");
  await expect(page.getByLabel("Style Code")).toHaveValue("style_id");
  await expect(page.getByLabel("Paid")).toHaveValue("purchase_price");
  await expect(page.getByLabel("Date Bought")).toHaveValue("purchase_date");
  await expect(page.getByLabel("Comment")).toHaveValue("notes");
  // Every column goes somewhere; one left out is named, never dropped without a word.
  await expect(page.getByTestId("ignored-columns")).toHaveCount(0);
  await page.getByLabel("Comment").selectOption("ignore");
  await expect(page.getByTestId("ignored-columns")).toHaveText(
    '1 column will be ignored: Comment. Choose where it goes, or "Add to notes" to keep it.',
  );
  await page.getByLabel("Comment").selectOption("notes");
  await expect(page.getByTestId("ignored-columns")).toHaveCount(0);
  await page.getByRole("button", { name: "Check rows" }).click();

  const counts = page.getByTestId("import-counts");
  await expect(counts).toHaveText("7 rows · 3 ready · 4 need fixing · 0 possible duplicates (left out unless you keep them)");
  // Checked rows were matched to catalog products (after a "Matching rows…" progress step).
  const product = (line: number) => page.locator("tbody tr").filter({ has: page.getByLabel(`Name on line ${line}`) }).locator(".catalog-match, .muted").first();
  await expect(product(2)).toHaveText("Air Jordan 1 Retro High OG Chicago Lost and Found");
  // The Panda rows need their date fixed first.
  await expect(product(4)).toHaveText("Matched once fixed");
  // Formulas and HTML stay text.
  await expect(page.getByLabel("Name on line 8")).toHaveValue('=HYPERLINK("http://evil.example")');
  await expect(page.getByLabel("Name on line 9")).toHaveValue("<b>Air Max 1</b>");
  await expect(page.getByText("This line has 11 cells; the header has 9. Left out: extra | cells")).toBeVisible();
  await expect(page.getByText(/"03\/04\/2026" could be 2026-04-03 or 2026-03-04/).first()).toBeVisible();

  await page.getByRole("button", { name: "Only rows with errors" }).click();
  await expect(page.locator("tbody tr")).toHaveCount(4);

  // Bulk: the date on every row that needs fixing.
  await page.getByRole("button", { name: "Select every row that needs fixing" }).click();
  await expect(page.getByText("4 selected")).toBeVisible();
  await page.getByLabel("Set", { exact: true }).selectOption("purchase_date");
  await page.locator("#bulk-value").fill("2026-03-04");
  await page.getByRole("button", { name: "Apply to selected rows" }).click();
  await expect(counts).toHaveText("7 rows · 4 ready · 2 need fixing · 1 possible duplicates (left out unless you keep them)");
  await page.getByRole("button", { name: "All rows" }).click();
  await expect(product(4)).toHaveText("Nike Dunk Low Panda");
  await expect(page.getByText("Same SKU, size, date and price as line 4.")).toBeVisible();

  // Inline: the row re-checks as you type.
  const name = page.getByLabel("Name on line 6");
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(product(6)).toHaveText("Matched once fixed");
  await name.fill("Air Force 1 Low White");
  await expect(name).toHaveAttribute("aria-invalid", "false");
  await name.blur();
  // Fixed, the row is looked up again: this one is not in the catalog.
  await expect(product(6)).toHaveText("Not in the catalog");
  // Nothing confident: the reseller picks the product; the type-ahead starts with the row's text.
  await page.getByRole("button", { name: "Choose the catalog product of line 6" }).click();
  const choice = page.getByRole("region", { name: "Choose the catalog product" });
  await expect(choice.locator("#catalog-search")).toHaveValue(/Air Force 1 Low White/);
  await choice.locator("#catalog-search").fill("dunk low panda");
  await choice.getByRole("button", { name: /Nike Dunk Low Panda/ }).first().click();
  await expect(choice).toHaveCount(0);
  await expect(product(6)).toHaveText("Nike Dunk Low Panda");
  await expect(page.getByRole("button", { name: "Change the catalog product of line 6" })).toBeVisible();
  const price = page.getByLabel("Purchase price on line 7");
  await expect(page.getByText('"twelve bucks" is not a price; use digits like 120.00.')).toBeVisible();
  await price.fill("$230");
  await price.blur();
  await expect(price).toHaveValue("230");
  await expect(counts).toHaveText("7 rows · 6 ready · 0 need fixing · 1 possible duplicates (left out unless you keep them)");

  await page.getByRole("button", { name: "Import 6 items" }).click();
  await expect(page.getByTestId("import-result")).toHaveText("Done: 6 imported, 1 left out, 0 failed.");
  const history = page.locator(".import-history tbody tr");
  await expect(history).toHaveCount(1);
  await expect(history.first()).toContainText("messy-sneakers.csv");
  await expect(page.getByText("Page 1 of 1 · 1 import", { exact: true })).toBeVisible();

  await page.getByRole("link", { name: "See your inventory" }).click();
  await expect(page.getByText("Page 1 of 1 · 6 items")).toBeVisible();
  await expect(page.getByRole("link", { name: "<b>Air Max 1</b>" })).toBeVisible();

  // Undo the whole import.
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.getByRole("button", { name: "Undo…" }).click();
  await page.getByRole("button", { name: "Yes, undo" }).click();
  await expect(page.getByText("Undone: 6 item(s) removed.")).toBeVisible();
  await expect(history.first()).toContainText("Undone");
  await page.getByRole("link", { name: "Inventory" }).click();
  await expect(page.getByRole("heading", { name: "Your inventory is empty" })).toBeVisible();
});

test("bad files get a clear message and nothing changes", async ({ page }) => {
  await signUp(page);
  await page.goto("/app/import");
  await waitForHydration(page);
  const input = page.locator("#import-file");
  const alert = page.getByRole("alert");

  await input.setInputFiles({ name: "empty.csv", mimeType: "text/csv", buffer: Buffer.from("") });
  await expect(alert).toHaveText("The file is empty.");
  await input.setInputFiles({ name: "header.csv", mimeType: "text/csv", buffer: Buffer.from("name,cost\n") });
  await expect(alert).toHaveText("The file has a header row but no items below it.");
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  await input.setInputFiles({ name: "photo.csv", mimeType: "text/csv", buffer: png });
  await expect(alert).toContainText("This is not a spreadsheet file");
  await input.setInputFiles({ name: "nonames.csv", mimeType: "text/csv", buffer: Buffer.from("colour,paid\nred,10\n") });
  await page.getByRole("button", { name: "Check rows" }).click();
  await expect(alert).toHaveText("Choose the column that holds each item's name.");
  await expect(page.getByRole("heading", { name: "2. Match the columns" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "No imports yet" })).toBeVisible();
});
