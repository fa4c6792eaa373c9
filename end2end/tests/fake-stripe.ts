import * as http from "http";
import * as crypto from "crypto";

/** A small fake of Stripe on loopback for the browser tests: customers, Checkout Sessions in
 * subscription mode with a page to "pay" on (which then sends the signed events Stripe would
 * and returns to the success URL), and Customer Portal sessions. */
export interface FakeStripe {
  url: string;
  close(): Promise<void>;
}

export const WEBHOOK_SECRET = "whsec_e2e_secret";

function form(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) out.set(k, v);
  return out;
}

function sign(body: string, t: number): string {
  const mac = crypto.createHmac("sha256", WEBHOOK_SECRET).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${mac}`;
}

async function send(webhookUrl: string, event: object) {
  const body = JSON.stringify(event);
  const t = Math.floor(Date.now() / 1000);
  const res = await fetch(webhookUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Stripe-Signature": sign(body, t) },
    body,
  });
  if (!res.ok) throw new Error(`webhook answered ${res.status}`);
}

export async function startFakeStripe(port: number, webhookUrl: string): Promise<FakeStripe> {
  const sessions = new Map<string, { customer: string; user: string; price: string; success: string }>();
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const json = (value: object) => {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify(value));
      };
      const created = Math.floor(Date.now() / 1000);
      const path = req.url ?? "/";
      const f = form(body);
      if (req.method === "POST" && path === "/v1/customers") {
        json({ id: `cus_e2e_${++n}`, object: "customer", created, livemode: false, email: f.get("email") });
      } else if (req.method === "POST" && path === "/v1/checkout/sessions") {
        const id = `cs_e2e_${++n}`;
        sessions.set(id, {
          customer: f.get("customer") ?? "",
          user: f.get("subscription_data[metadata][user_id]") ?? "",
          price: f.get("line_items[0][price]") ?? "",
          success: f.get("success_url") ?? "",
        });
        json({
          id, object: "checkout.session", created, expires_at: created + 86400, livemode: false, mode: "subscription",
          automatic_tax: { enabled: false, liability: null, provider: null, status: null }, custom_fields: [],
          custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
          payment_method_types: ["card"], payment_status: "unpaid", shipping_options: [], status: "open",
          url: `http://127.0.0.1:${port}/pay/${id}`,
        });
      } else if (req.method === "POST" && path === "/v1/billing_portal/sessions") {
        json({ id: `bps_e2e_${++n}`, object: "billing_portal.session", configuration: "bpc_e2e", created,
          customer: f.get("customer"), livemode: false, url: `http://127.0.0.1:${port}/portal` });
      } else if (req.method === "GET" && path.startsWith("/pay/")) {
        const s = sessions.get(path.slice(5));
        res.writeHead(s ? 200 : 404, { "Content-Type": "text/html" });
        res.end(`<!doctype html><title>Fake Stripe Checkout</title><h1>Subscribe to Flipdesk Premium</h1>
          <p>${s?.price ?? "unknown session"}</p><form method="post"><button>Subscribe</button></form>`);
      } else if (req.method === "POST" && path.startsWith("/pay/")) {
        const id = path.slice(5);
        const s = sessions.get(id);
        if (!s) {
          res.writeHead(404).end();
          return;
        }
        const sub = `sub_${id}`;
        const subscription = { id: sub, object: "subscription", customer: s.customer, status: "active",
          cancel_at_period_end: false, metadata: { user_id: s.user },
          items: { data: [{ price: { id: s.price }, current_period_start: created, current_period_end: created + 30 * 86400 }] } };
        await send(webhookUrl, { id: `evt_${id}_sub`, object: "event", type: "customer.subscription.created", created,
          data: { object: subscription } });
        await send(webhookUrl, { id: `evt_${id}_inv`, object: "event", type: "invoice.paid", created,
          data: { object: { id: `in_${id}`, object: "invoice", customer: s.customer, currency: "usd", amount_paid: 900,
            amount_due: 900, created, hosted_invoice_url: `http://127.0.0.1:${port}/invoice/in_${id}`,
            parent: { subscription_details: { subscription: sub, metadata: { user_id: s.user } } } } } });
        res.writeHead(303, { Location: s.success }).end();
      } else if (path === "/favicon.ico") {
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
