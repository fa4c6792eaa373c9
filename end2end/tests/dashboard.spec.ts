import { Page } from "@playwright/test";
import { expect, test, signUp, waitForHydration } from "./helpers";

/** YYYY-MM-DD of today plus `days` (UTC: the new account's time zone). */
function day(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

function item(kind: string, name: string, price: string, currency: string, date: string) {
  const card = kind === "card";
  return {
    kind, name, sku: "", quantity: "1", purchase_price: price, currency, purchase_date: date,
    purchase_source: "", storage_location: "", tags: "", notes: "", image_urls: "",
    brand: card ? "" : "Nike", style_id: "", colorway: "", size: card ? "" : "10", size_system: card ? "" : "us_m",
    sneaker_condition: "", box_condition: "", game: card ? "Pokémon" : "", card_set: card ? "Base Set" : "",
    card_number: "", language: "", finish: "", card_condition: "", grading_company: "", grade: "", cert_number: "", attributes: "",
  };
}

/** Calls a server function as the signed-in reseller (same cookies, same origin). */
async function rpc(page: Page, endpoint: string, body: unknown) {
  const origin = new URL(page.url()).origin;
  const res = await page.request.post(`/api/${endpoint}`, { data: body, headers: { Origin: origin } });
  expect(res.status(), `${endpoint}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** Clicks a legend entry of an ECharts chart where it is drawn on the canvas. */
async function clickLegend(page: Page, chartId: string, name: string) {
  // Mouse coordinates are the viewport's: bring the chart into it first.
  await page.locator(`#${chartId}`).scrollIntoViewIfNeeded();
  const point = await page.evaluate(([id, label]) => {
    const el = document.getElementById(id)!;
    const chart = (window as any).echarts.getInstanceByDom(el);
    const text = chart.getZr().storage.getDisplayList().find((e: any) => e.style && e.style.text === label);
    const r = text.getBoundingRect();
    const m = text.getComputedTransform ? text.getComputedTransform() : text.transform;
    const x = m ? m[0] * (r.x + r.width / 2) + m[2] * (r.y + r.height / 2) + m[4] : r.x + r.width / 2;
    const y = m ? m[1] * (r.x + r.width / 2) + m[3] * (r.y + r.height / 2) + m[5] : r.y + r.height / 2;
    const box = el.getBoundingClientRect();
    return { x: box.x + x, y: box.y + y };
  }, [chartId, name]);
  await page.mouse.click(point.x, point.y);
}

/** Every text drawn on a chart's canvas (legend, axes, and the tooltip when one shows). */
async function chartTexts(page: Page, chartId: string): Promise<string> {
  return page.evaluate((id) => {
    const chart = (window as any).echarts.getInstanceByDom(document.getElementById(id)!);
    return chart.getZr().storage.getDisplayList().map((e: any) => (e.style && e.style.text) || "").join("\n");
  }, chartId);
}

async function legendSelected(page: Page, chartId: string, name: string): Promise<boolean> {
  return page.evaluate(([id, label]) => {
    const chart = (window as any).echarts.getInstanceByDom(document.getElementById(id)!);
    const selected = chart.getOption().legend[0].selected || {};
    return selected[label] !== false;
  }, [chartId, name]);
}

test("the dashboard shows KPIs and charts, toggles a legend, switches period and currency", async ({ page, problems }) => {
  problems.allow(/status of 422/);
  await signUp(page);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Your numbers appear here" })).toBeVisible();

  // Stock and sales through the API: a sneaker bought 40 days ago and sold today for a
  // $52 profit, a card still held, and a sneaker in euros.
  const jordan = await rpc(page, "inventory/create", { input: item("sneaker", "Jordan 1", "100", "USD", day(-40)), status: "in_stock" });
  const card = await rpc(page, "inventory/create", { input: item("card", "Charizard", "50", "USD", day(-10)), status: "in_stock" });
  await rpc(page, "inventory/create", { input: item("sneaker", "Samba", "80", "EUR", day(-5)), status: "in_stock" });
  await rpc(page, "inventory/sell", {
    id: jordan, version: 1,
    sale: { quantity: "", channel: "ebay", sale_price: "180", shipping_charged: "0", fees: "18", shipping_paid: "10", sold_on: day(0) },
  });

  // A market price set by hand on the item page counts in the market value.
  await page.goto(`/app/inventory/${card}`);
  await waitForHydration(page);
  await expect(page.getByTestId("market-price")).toContainText("No market price yet");
  await page.getByLabel("Market price per unit (USD)").fill("-3");
  await page.getByRole("button", { name: "Set market price" }).click();
  await expect(page.getByText("A market price cannot be negative.")).toBeVisible();
  await page.getByLabel("Market price per unit (USD)").fill("70");
  await page.getByRole("button", { name: "Set market price" }).click();
  await expect(page.getByTestId("market-price")).toHaveText("$70.00 per unit");
  await expect(page.getByRole("table", { name: "Market prices recorded" })).toContainText("manual");

  await page.goto("/app?period=week");
  await waitForHydration(page);
  await expect(page.getByTestId("kpi-profit")).toContainText("$52.00");
  await expect(page.getByTestId("kpi-profit")).toContainText("1 sale(s)");
  await expect(page.getByTestId("kpi-cost")).toContainText("$50.00");
  await expect(page.getByTestId("kpi-market")).toContainText("$70.00");
  await expect(page.getByTestId("kpi-unrealised")).toContainText("$20.00");
  await expect(page.getByTestId("time-zone")).toHaveText("UTC");

  // The charts are drawn on canvases.
  for (const id of ["chart-worth", "chart-weekly", "chart-monthly", "chart-channels", "chart-kinds", "chart-sets"]) {
    await expect(page.locator(`#${id} canvas`)).toHaveCount(1);
  }
  await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });

  // Clicking a legend entry hides that line, clicking again shows it.
  expect(await legendSelected(page, "chart-worth", "Market value")).toBe(true);
  await clickLegend(page, "chart-worth", "Market value");
  await expect.poll(() => legendSelected(page, "chart-worth", "Market value")).toBe(false);
  await clickLegend(page, "chart-worth", "Market value");
  await expect.poll(() => legendSelected(page, "chart-worth", "Market value")).toBe(true);

  // Hovering the net-worth chart shows a tooltip with money in it, drawn on the canvas
  // (an HTML tooltip would need inline styles, which the page's CSP refuses).
  const worth = page.locator("#chart-worth");
  const box = (await worth.boundingBox())!;
  await page.mouse.move(box.x + box.width - 40, box.y + box.height / 2);
  await expect.poll(() => chartTexts(page, "chart-worth")).toMatch(/Market value[\s\S]*\$70\.00/);

  // The portfolio headline: market value today and its change over the range picked.
  await expect(page.getByTestId("portfolio-value")).toHaveText("$70.00");
  await expect(page.getByTestId("portfolio-change")).toHaveText("−$30.00 (−30.0%) past month");
  await page.getByRole("button", { name: "1W" }).click();
  await expect(page.getByRole("button", { name: "1W" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("portfolio-change")).toHaveText("−$80.00 (−53.3%) past week");
  await expect(page.locator("#chart-portfolio canvas")).toHaveCount(1);

  // Every chart has its numbers as a table.
  await page.locator("#chart-channels-title").locator("..").getByText("Show as a table").click();
  await expect(page.getByRole("row", { name: /eBay/ })).toContainText("$180.00");

  // Another period: the address keeps it, and the numbers follow.
  await page.getByRole("button", { name: "This year" }).click();
  await expect(page).toHaveURL(/period=year/);
  await expect(page.getByRole("button", { name: "This year" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("kpi-profit")).toContainText("$52.00");
  await page.getByRole("button", { name: "Custom" }).click();
  await page.getByLabel("From", { exact: true }).fill(day(-400));
  await page.getByLabel("To", { exact: true }).fill(day(-200));
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/period=custom&from=.*&to=/);
  await expect(page.getByTestId("kpi-profit")).toContainText("$0.00");
  // Nothing was held then: the charts say so instead of drawing flat lines.
  await expect(page.getByTestId("chart-worth")).toHaveText("Nothing held or sold in this period yet.");
  await expect(page.getByTestId("chart-channels")).toContainText("No sales in this period yet");

  // Euros are shown on their own, never added to dollars.
  await page.goto("/app?period=month");
  await waitForHydration(page);
  await page.getByLabel("Currency").selectOption("EUR");
  await expect(page).toHaveURL(/currency=EUR/);
  await expect(page.getByTestId("kpi-cost")).toContainText("€80.00");
  // The refused negative price is the only failed request (Chromium logs every 4xx).
});

test("ECharts loads only on pages that draw charts", async ({ page }) => {
  const scripts: string[] = [];
  page.on("request", (r) => { if (r.url().includes("echarts")) scripts.push(r.url()); });
  await signUp(page);
  await page.goto("/app/inventory");
  await waitForHydration(page);
  await page.goto("/app/sales");
  await waitForHydration(page);
  expect(scripts).toEqual([]);
});
