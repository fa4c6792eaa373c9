// Browser half of `flipdesk bench --browser`: logs in, opens the stock table at 50 and 200
// rows per page, pages forward five times and selects / unselects every row on each page,
// and reports the longest main-thread task (PerformanceObserver "longtask") and the longest
// gap between animation frames while doing so. Run by the bench command, which passes
// BENCH_BASE, BENCH_EMAIL and BENCH_PASSWORD; prints one JSON line per rows-per-page setting.
import { benchSettings, launch, logIn } from "./common.mjs";

const settings = benchSettings();
const { base } = settings;

// Collects long tasks and frame gaps from the moment a page starts, until read.
const probe = () => {
  window.__bench = { longtasks: [], maxGap: 0, measuring: false };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (window.__bench.measuring) window.__bench.longtasks.push(e.duration);
    }
  }).observe({ type: "longtask", buffered: false });
  let last = 0;
  const frame = (t) => {
    if (window.__bench.measuring && last) {
      window.__bench.maxGap = Math.max(window.__bench.maxGap, t - last);
    }
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
};

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(probe);
  await logIn(page, settings);

  for (const perPage of [50, 200]) {
    const started = Date.now();
    await page.goto(`${base}/app/inventory?per_page=${perPage}`);
    await page.waitForSelector("body[data-hydrated]", { timeout: 30_000 });
    const hydrated = Date.now() - started;
    await page.evaluate(() => {
      window.__bench.measuring = true;
    });
    const pageSwitch = [];
    const selectAll = [];
    const selectAllBox = page.getByLabel("Select every row on this page");
    for (let step = 0; step < 5; step++) {
      let t = Date.now();
      await selectAllBox.check();
      await page.waitForSelector("tbody tr.row-selected >> nth=-1");
      await selectAllBox.uncheck();
      await page.waitForFunction(() => !document.querySelector("tbody tr.row-selected"));
      selectAll.push(Date.now() - t);
      const label = await page.locator(".pager span").textContent();
      t = Date.now();
      await page.getByRole("button", { name: "Next" }).click();
      await page.waitForFunction((old) => document.querySelector(".pager span")?.textContent !== old, label);
      await page.waitForFunction(() => !document.querySelector(".loading"));
      pageSwitch.push(Date.now() - t);
    }
    const result = await page.evaluate(() => {
      window.__bench.measuring = false;
      return {
        longest_task_ms: Math.round(Math.max(0, ...window.__bench.longtasks)),
        long_tasks: window.__bench.longtasks.length,
        longest_frame_gap_ms: Math.round(window.__bench.maxGap),
      };
    });
    const rows = await page.locator("tbody tr").count();
    console.log(
      JSON.stringify({
        rows_per_page: perPage,
        rows_rendered: rows,
        hydrated_ms: hydrated,
        ...result,
        page_switch_ms: pageSwitch,
        select_all_and_back_ms: selectAll,
      }),
    );
  }
} finally {
  await browser.close();
}
