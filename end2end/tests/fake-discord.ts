import * as http from "http";
import * as crypto from "crypto";

/** A small fake of Discord on loopback for the browser tests: the authorize page approves at
 * once as the configured user, the token endpoint checks PKCE, and the bot endpoints (guild
 * member, roles, DMs) answer as Discord does. */
export interface FakeDiscord {
  base: string;
  user: { id: string; username: string; email: string };
  close(): Promise<void>;
}

export async function startFakeDiscord(port: number, user: FakeDiscord["user"]): Promise<FakeDiscord> {
  const codes = new Map<string, string>(); // code → PKCE challenge
  let n = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(value));
      };
      if (url.pathname === "/oauth2/authorize") {
        const code = `code-${++n}`;
        codes.set(code, url.searchParams.get("code_challenge") ?? "");
        const back = new URL(url.searchParams.get("redirect_uri") ?? "");
        back.searchParams.set("code", code);
        back.searchParams.set("state", url.searchParams.get("state") ?? "");
        res.writeHead(302, { Location: back.toString() }).end();
      } else if (url.pathname === "/api/v10/oauth2/token") {
        const form = new URLSearchParams(body);
        const challenge = codes.get(form.get("code") ?? "");
        const computed = crypto.createHash("sha256").update(form.get("code_verifier") ?? "").digest("base64url");
        if (!challenge || challenge !== computed) return json(400, { error: "invalid_grant" });
        codes.delete(form.get("code") ?? "");
        json(200, { access_token: `access-${n}`, refresh_token: `refresh-${n}`, expires_in: 604800, token_type: "Bearer" });
      } else if (url.pathname === "/api/v10/users/@me") {
        json(200, { ...user, global_name: null, verified: true });
      } else if (url.pathname.startsWith("/api/v10/guilds/")) {
        if (req.method === "GET") json(200, { roles: [] });
        else res.writeHead(204).end();
      } else if (url.pathname === "/api/v10/users/@me/channels") {
        json(200, { id: "dm-1" });
      } else if (url.pathname.startsWith("/api/v10/channels/")) {
        json(200, { id: "m-1" });
      } else {
        json(404, { code: 0, message: "404: Not Found" });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${port}/api/v10`,
    user,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
