import { expect, forgetSession, test, signUp, uniqueAccount, waitForHydration } from "./helpers";

test("landing page loads without the app's code, console errors or CSP violations", async ({ page }) => {
  const code: string[] = [];
  page.on("request", (req) => {
    if (/\.(wasm|js)$/.test(new URL(req.url()).pathname)) code.push(req.url());
  });
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Every pair");
  await page.waitForLoadState("networkidle");
  // Plain HTML: its links work as they are.
  expect(code).toEqual([]);
  await expect(page.getByRole("link", { name: "Sign up free" })).toBeVisible();
  // Small accent labels reach 4.5:1 against the page (WCAG AA for small text).
  const ratio = await page.locator(".eyebrow").first().evaluate((el) => {
    const lum = (css: string) => {
      const [r, g, b] = css.match(/\d+/g)!.slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const fg = lum(getComputedStyle(el).color);
    const bg = lum(getComputedStyle(document.body).backgroundColor);
    return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  });
  expect(ratio).toBeGreaterThanOrEqual(4.5);
});

test("sign up, switch views, reload keeps the view, log out", async ({ page, problems }) => {
  problems.allow(/status of 401/);
  const account = await signUp(page);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Your reselling at a glance" })).toBeVisible();
  await expect(page.getByText(account.email).first()).toBeVisible();

  // Switch to the store view: happens on the client, without a full page load.
  await page.evaluate(() => ((window as any).__noReload = true));
  await page.getByTestId("switch-store").click();
  await expect(page).toHaveURL(/\/app\/store$/);
  await expect(page.getByRole("heading", { name: account.storeName })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  await expect(page.getByTestId("switch-store")).toHaveAttribute("aria-checked", "true");
  // The store's address reads exactly as it must be typed (no capitalised "/S/Kicks-…").
  const address = page.getByRole("link", { name: `/s/${account.storeSlug}` });
  expect(await address.innerText()).toBe(`/s/${account.storeSlug}`);

  // /app opens with the remembered view, rendered by the server (check the raw HTML too).
  await page.goto("/app");
  await expect(page.getByRole("heading", { name: account.storeName })).toBeVisible();
  const html = await (await page.request.get("/app")).text();
  expect(html).toContain('data-view="store"');
  expect(html).not.toContain("Your reselling at a glance");
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: account.storeName })).toBeVisible();

  // And back to the user view.
  await page.getByTestId("switch-user").click();
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByRole("heading", { name: "Your reselling at a glance" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Your reselling at a glance" })).toBeVisible();

  // Log out (a POST), then the dashboard asks for a log-in again.
  await waitForHydration(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/app");
  await expect(page).toHaveURL(/\/login\?next=\/app$/);
});

test("log in with a wrong password shows a clear error, the right one gets in", async ({ page, context, problems }) => {
  problems.allow(/status of 401/); // the wrong password is refused with a 401, as it should be
  const account = await signUp(page);
  await forgetSession(page);

  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill("not-my-password-at-all");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByRole("heading", { name: "Your reselling at a glance" })).toBeVisible();
});

test("log-in follows only a local next address, never another site", async ({ page, context, problems }) => {
  // Cookies cleared under an open dashboard: its live inbox badge may connect once more
  // without a session and be answered 401, as it should be.
  problems.allow(/status of 401/);
  const account = await signUp(page);
  const logIn = async (next: string) => {
    await forgetSession(page);
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await waitForHydration(page);
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Log in" }).click();
  };
  // Browsers drop tabs and newlines inside a URL and read "\" as "/": each of these
  // would land on another site if it were followed.
  for (const next of ["/\t/example.com/", "/\n/example.com/", "/\\example.com/", "//example.com/", "https://example.com/"]) {
    await logIn(next);
    await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/app$/);
  }
  await logIn("/app/inventory?page=1");
  await expect(page).toHaveURL(/\/app\/inventory\?page=1$/);
});

test("sign-up form shows field errors from the shared validators", async ({ page }) => {
  await page.goto("/signup");
  await waitForHydration(page);
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByLabel("Store name").fill("My Shop");
  await page.getByLabel("Store address").fill("ab");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("That does not look like an email address.")).toBeVisible();
  await expect(page.getByText("Use at least 10 characters for your password.")).toBeVisible();
  await expect(page.getByText("A store address has 3 to 60 characters.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/signup$/);
});

test("a taken email is refused by the server with a field error", async ({ page, context, problems }) => {
  problems.allow(/status of 422/); // the refused input is a 422, as it should be
  const first = await signUp(page);
  await forgetSession(page);
  const second = uniqueAccount();
  await page.goto("/signup");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(first.email);
  await page.getByLabel("Password").fill(second.password);
  await page.getByLabel("Store name").fill(second.storeName);
  await page.getByLabel("Store address").fill(second.storeSlug);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("An account with this email already exists.")).toBeVisible();
});

test("the keyboard reaches the log-in form and submits it", async ({ page }) => {
  const account = await signUp(page);
  await forgetSession(page);
  await page.goto("/login");
  await waitForHydration(page);
  await page.keyboard.press("Tab"); // brand link
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Email")).toBeFocused();
  await page.keyboard.type(account.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(account.password);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/app$/);
});

test("a forgotten password is asked for from the log-in page, with the same answer for anyone", async ({ page, problems }) => {
  problems.allow(/status of 422/);
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await waitForHydration(page);
  await page.getByLabel("Email").fill("nobody-here@example.com");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByRole("status")).toHaveText("If an account uses that address, a link is on its way. It works once, for one hour.");
  // A made-up link says what to do instead of failing silently.
  await page.goto("/reset-password?token=made-up");
  await waitForHydration(page);
  await page.getByLabel("New password").fill("a-brand-new-password");
  await page.getByRole("button", { name: "Save and log in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "expired or was used already" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toBeVisible();
});
