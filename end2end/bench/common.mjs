// What the browser benchmarks share: the settings the bench command passes, headless
// Debian Chromium, and logging the bench reseller in.
import { chromium } from "playwright-core";

// BENCH_BASE, BENCH_EMAIL and BENCH_PASSWORD, as `flipdesk bench` passes them.
export function benchSettings({ login = true } = {}) {
  const base = process.env.BENCH_BASE;
  const email = process.env.BENCH_EMAIL;
  const password = process.env.BENCH_PASSWORD;
  if (!base || (login && (!email || !password))) {
    console.error(login ? "BENCH_BASE, BENCH_EMAIL and BENCH_PASSWORD are required" : "BENCH_BASE is required");
    process.exit(2);
  }
  return { base, email, password };
}

export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", ...extraArgs],
  });
}

// Logs in through the real form once the page is hydrated; resolves on the dashboard.
export async function logIn(page, { base, email, password }) {
  await page.goto(`${base}/login`);
  await page.waitForSelector("body[data-hydrated]");
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  await page.waitForURL("**/app");
}
