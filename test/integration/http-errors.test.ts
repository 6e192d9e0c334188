/**
 * The error contract every service shares, over real HTTP: a fixture route mounted on the real
 * service base (the same guard, error handler and contract mounting the services use).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Type as t } from "@sinclair/typebox";
import { InProcessBusHub } from "../../src/adapters/bus/in-process.ts";
import { connectDatabase } from "../../src/adapters/db/client.ts";
import { loadConfig } from "../../src/config.ts";
import { defineRoute } from "../../src/contracts/route.ts";
import { ServiceClient, ServiceCallError } from "../../src/runtime/client.ts";
import type { ServiceContext } from "../../src/runtime/context.ts";
import { ApiError } from "../../src/runtime/errors.ts";
import { createLogger } from "../../src/runtime/log.ts";
import { createServiceApp, mount } from "../../src/runtime/http.ts";
import { freePortBase, POSTGRES_ADMIN_URL } from "../support/env.ts";

const orderIntent = defineRoute({
  service: "trading",
  method: "POST",
  path: "/fixture/orders/:account",
  summary: "fixture",
  params: t.Object({ account: t.String({ pattern: "^[a-z]+$" }) }),
  query: t.Object({ dryRun: t.Optional(t.Boolean()) }),
  body: t.Object({ symbol: t.String({ minLength: 1 }), qty: t.Integer({ minimum: 1 }), limit: t.Optional(t.Object({ price: t.Number({ exclusiveMinimum: 0 }) })) }),
  response: t.Object({ accepted: t.Boolean(), account: t.String(), qty: t.Integer() }),
});

const KEY = "fixture-key-0123456789";

describe("service error contract over HTTP", () => {
  const base = { url: "", stop: () => {} };
  let client: ServiceClient;
  const sql = connectDatabase(POSTGRES_ADMIN_URL, { max: 1, application: "test" });

  beforeAll(async () => {
    const portBase = await freePortBase();
    const config = loadConfig({ CATALYST_PORT_BASE: String(portBase), CATALYST_API_KEY: KEY });
    const ctx: ServiceContext = {
      service: "trading",
      config,
      apiKey: KEY,
      sql,
      bus: new InProcessBusHub().connectLocal("trading"),
      log: createLogger("trading", "error"),
      client: ServiceClient.fromConfig(config, KEY),
      startedAt: Date.now(),
    };
    const app = mount(createServiceApp(ctx), orderIntent, ({ params, body }) => {
      if (body.symbol === "HALT") throw new ApiError(409, "halted", "entries are halted: clear the halt first");
      return { accepted: true, account: params.account, qty: body.qty };
    });
    app.listen({ port: portBase + 5, hostname: "127.0.0.1", reusePort: false });
    base.url = config.serviceUrls.trading;
    base.stop = () => app.stop();
    client = new ServiceClient(config.serviceUrls, KEY);
  });

  afterAll(async () => {
    base.stop();
    await sql.end();
  });

  const post = (body: string, path = "/fixture/orders/main", headers: Record<string, string> = { "x-api-key": KEY }) =>
    fetch(`${base.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  test("malformed JSON → 400 malformed_body", async () => {
    const response = await post('{"symbol": "AAPL", qty: }');
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("malformed_body");
  });

  test("a schema violation → 422 naming the field", async () => {
    const response = await post(JSON.stringify({ symbol: "AAPL", qty: 0 }));
    expect(response.status).toBe(422);
    const { error } = await response.json();
    expect(error).toMatchObject({ code: "validation_failed", field: "qty" });
    expect(error.message).toContain("qty");
  });

  test("a nested field is named by its path", async () => {
    const response = await post(JSON.stringify({ symbol: "AAPL", qty: 1, limit: { price: -1 } }));
    expect(response.status).toBe(422);
    expect((await response.json()).error.field).toBe("limit.price");
  });

  test("a missing field is named", async () => {
    const response = await post(JSON.stringify({ qty: 3 }));
    expect(response.status).toBe(422);
    expect((await response.json()).error.field).toBe("symbol");
  });

  test("bad path parameter → 422 naming it", async () => {
    const response = await post(JSON.stringify({ symbol: "AAPL", qty: 1 }), "/fixture/orders/NOT-OK");
    expect(response.status).toBe(422);
    expect((await response.json()).error.field).toBe("account");
  });

  test("the key is checked before the body is even parsed", async () => {
    const response = await post("{not json", "/fixture/orders/main", {});
    expect(response.status).toBe(401);
  });

  test("the typed client reaches the route, and surfaces the service's error code", async () => {
    expect(await client.call(orderIntent, { params: { account: "main" }, body: { symbol: "AAPL", qty: 5 } })).toEqual({
      accepted: true,
      account: "main",
      qty: 5,
    });
    const failure = await client.call(orderIntent, { params: { account: "main" }, body: { symbol: "HALT", qty: 5 } }).catch((e) => e);
    expect(failure).toBeInstanceOf(ServiceCallError);
    expect(failure).toMatchObject({ status: 409, code: "halted" });
  });

  test("the typed client with a wrong key gets the 401 as an error, not a result", async () => {
    const config = loadConfig({ CATALYST_URL_TRADING: base.url });
    const wrong = new ServiceClient(config.serviceUrls, "not-the-key-000000");
    const failure = await wrong.call(orderIntent, { params: { account: "main" }, body: { symbol: "AAPL", qty: 1 } }).catch((e) => e);
    expect(failure).toMatchObject({ status: 401, code: "unauthorized" });
  });
});
