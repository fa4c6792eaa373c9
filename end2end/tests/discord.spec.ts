import { ChildProcess } from "child_process";
import { expect, test, waitForHydration, startOwnServer } from "./helpers";
import { FakeDiscord, startFakeDiscord } from "./fake-discord";

// A server of its own with Discord configured against the fake (the shared one runs without).
const port = Number(process.env.E2E_PORT ?? 3017) + 20;
const base = `http://127.0.0.1:${port}`;
let server: ChildProcess;
let discord: FakeDiscord;

test.use({ baseURL: base });

test.beforeAll(async () => {
  discord = await startFakeDiscord(port + 1, { id: "80351110224678912", username: "nelly", email: "nelly@example.com" });
  server = await startOwnServer(port, "discord", {
    DISCORD_CLIENT_ID: "app-e2e",
    DISCORD_CLIENT_SECRET: "secret-e2e",
    DISCORD_BOT_TOKEN: "bot-e2e",
    DISCORD_GUILD_ID: "guild-e2e",
    DISCORD_PUBLIC_KEY: "0".repeat(64),
    DISCORD_API_BASE: discord.base,
  });
});

test.afterAll(async () => {
  server?.kill();
  await discord?.close();
});

test("log in with Discord: a newcomer names a store and lands on the dashboard; next time Discord logs them straight in", async ({ page }) => {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Log in with Discord" }).click();
  await expect(page).toHaveURL(/\/signup\/discord$/);
  await waitForHydration(page);
  await expect(page.getByText("You are signing up as nelly (nelly@example.com) through Discord.")).toBeVisible();
  await page.screenshot({ path: "test-results/discord-signup.png", fullPage: true });
  await page.getByLabel("Store name").fill("Nelly's Kicks");
  await expect(page.getByLabel("Store address")).toHaveValue("nelly-s-kicks");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/app$/);

  await page.goto("/app/account");
  await waitForHydration(page);
  await expect(page.getByText("Linked to nelly.")).toBeVisible();
  await expect(page.getByText(/Discord is the only way into this account/)).toBeVisible();
  await page.getByLabel("Info").check();
  await page.getByRole("button", { name: "Save DM choices" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await page.screenshot({ path: "test-results/discord-account.png", fullPage: true });

  // Log out, then Discord opens the same account.
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(`${base}/`);
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Log in with Discord" }).click();
  await expect(page).toHaveURL(/\/app$/);
});

test("a Discord sign-in that comes back with a forged state changes nothing and says so", async ({ page }) => {
  await page.goto("/auth/discord/callback?code=code-x&state=forged");
  await expect(page).toHaveURL(/\/login\?discord_error=expired$/);
  await waitForHydration(page);
  await expect(page.locator(".banner-error")).toHaveText("That Discord sign-in expired or was already used. Try again.");
});
