import { addSneaker, expect, test, signUp, waitForHydration } from "./helpers";

test("type a messy name in the add form, pick the product, see its fields filled", async ({ page }) => {
  await signUp(page);
  await page.goto("/app/inventory/new");
  await waitForHydration(page);
  const search = page.getByLabel("Find it in the catalog");
  await search.fill("zzzz qqqq");
  await expect(page.getByText("Nothing in your catalog matches yet")).toBeVisible();
  // The providers are off in the tests: looking it up online answers that nobody knows it.
  await page.getByRole("button", { name: "Look it up online" }).click();
  await expect(page.getByText("No catalog knows this product yet")).toBeVisible();

  // A barcode scanner types and presses Enter: the product the text names is taken at once,
  // and the form is not sent.
  await search.fill("DZ5485-612");
  await search.press("Enter");
  await expect(page.getByText("Filled in from the catalog: Air Jordan 1 Retro High OG Chicago Lost and Found.")).toBeVisible();
  await expect(page.getByLabel("Style id")).toHaveValue("DZ5485-612");
  await expect(page).toHaveURL(/\/app\/inventory\/new$/);

  // Typos, nicknames and a size: the Lost and Found comes first, its GS sibling after.
  await search.fill("jordan 1 high chicago lost n fuond 10.5");
  const options = page.locator(".picker-option");
  await expect(options.first()).toContainText("Air Jordan 1 Retro High OG Chicago Lost and Found");
  await expect(options.first()).toContainText("DZ5485-612");
  await options.first().click();
  await expect(page.getByLabel("Name")).toHaveValue("Air Jordan 1 Retro High OG Chicago Lost and Found");
  await expect(page.getByLabel("Style id")).toHaveValue("DZ5485-612");
  await expect(page.getByLabel("Brand")).toHaveValue("Jordan");
  await expect(page.getByLabel("Colorway")).toHaveValue("Varsity Red/Black/Sail");
  await expect(page.getByText("Filled in from the catalog")).toBeVisible();
  await expect(page.getByText("Linked to a catalog product")).toBeVisible();

  // A card: the kind switches and the card's fields fill.
  await search.fill("charizard base 4/102 psa 9");
  await expect(options.first()).toContainText("Base Set · 4/102");
  await options.first().click();
  await expect(page.getByLabel("Kind")).toHaveValue("card");
  await expect(page.getByLabel("Set", { exact: true })).toHaveValue("Base Set");
  await expect(page.getByLabel("Number", { exact: true })).toHaveValue("4/102");
  // The reseller can still change what was filled, and saves as usual.
  await page.getByLabel("Grading company").selectOption("PSA");
  await page.getByLabel("Grade").fill("9");
  await page.getByLabel("Purchase price (per unit)").fill("450");
  await page.getByRole("button", { name: "Save item" }).click();
  await expect(page.getByRole("heading", { name: "Charizard" })).toBeVisible();
  await expect(page.getByTestId("catalog-product")).toContainText("Catalog product: Charizard");

  // Unlinking is the reseller's call: the item's edit form drops the link.
  await page.getByRole("button", { name: "Unlink" }).click();
  await expect(page.getByText("Linked to a catalog product")).toBeHidden();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByTestId("catalog-product")).toContainText("Not linked to a catalog product");
});

test("Enrich all links the stock table's items to catalog products and says what it could not", async ({ page }) => {
  await signUp(page);
  await waitForHydration(page);
  const known = await addSneaker(page, "Air Jordan 1 Retro High OG Chicago Lost and Found");
  await addSneaker(page, "Mystery pair from a card show");
  await page.goto("/app/inventory");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Enrich all" }).click();
  const result = page.getByRole("status").filter({ hasText: "linked to catalog products" });
  await expect(result).toContainText("1 of 2 item(s) linked to catalog products");
  await expect(result).toContainText("1 found no confident match");
  await expect(page.getByRole("button", { name: "Enrich all" })).toBeEnabled();
  await page.screenshot({ path: "test-results/enrich-all.png" });
  await page.goto(`/app/inventory/${known}`);
  await expect(page.getByTestId("catalog-product")).toContainText("Air Jordan 1 Retro High OG Chicago Lost and Found");
});
