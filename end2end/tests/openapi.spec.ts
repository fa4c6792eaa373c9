import { expect, test } from "./helpers";

test("the OpenAPI document validates against the OpenAPI 3.1 schema and lists every /api/v1 route", async ({ request }) => {
  const { Validator } = await import("@seriousme/openapi-schema-validator");
  const res = await request.get("/api/v1/openapi.json");
  expect(res.status()).toBe(200);
  const doc = await res.json();
  const validator = new Validator();
  const result = await validator.validate(doc);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toMatch(/^3\.1/);
  // Every $ref points at something that exists.
  expect(() => validator.resolveRefs()).not.toThrow();
  const routes = Object.entries(doc.paths as Record<string, object>)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
  expect(routes).toEqual([
    "DELETE /api/v1/channels/{channel}/locks/{lock}",
    "DELETE /api/v1/lists/{list}/items/{item}",
    "GET /api/v1/events",
    "GET /api/v1/lists/{list}/items",
    "GET /api/v1/lists/{list}/items/{item}",
    "GET /api/v1/openapi.json",
    "GET /api/v1/stores/{store}/listings",
    "PATCH /api/v1/lists/{list}/items/{item}",
    "POST /api/v1/channels/{channel}/handoff",
    "POST /api/v1/channels/{channel}/locks",
    "POST /api/v1/channels/{channel}/sales",
    "POST /api/v1/checkout/session",
    "POST /api/v1/discord/interactions",
    "POST /api/v1/lists/{list}/items",
    "POST /api/v1/webhooks/stripe",
  ]);
});
