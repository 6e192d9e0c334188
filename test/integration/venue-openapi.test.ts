/**
 * The simulated venue against Alpaca's own OpenAPI specs (test/fixtures/alpaca/*.yaml), over real HTTP: every
 * implemented endpoint is driven until it returns data (orders placed and filled, positions opened
 * and closed), and every response body is checked against its operation's response schema with
 * openapi-response-validator. The yaml is slightly dated; where it disagrees with the API that the
 * official SDK (@alpacahq/alpaca-trade-api 4.0.2) speaks, SPEC_OVERRIDES below patches it, one
 * justified entry at a time. Anything else that fails here is a venue bug: fix the venue, not the spec.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAPIResponseValidator from "openapi-response-validator";
import { startTestVenue, type TestVenue } from "../support/venue.ts";

/** Response bodies and spec documents are untyped JSON, walked freely here. */
type Json = any;
type Spec = { paths: Record<string, Record<string, Json>>; components: Json };

/** Alpaca's OpenAPI specs, vendored from the project's shared reference so a clean checkout has them. */
const SPEC_DIR = new URL("../fixtures/alpaca/", import.meta.url);
const SDK_MODELS = "node_modules/@alpacahq/alpaca-trade-api/src";

async function loadSpec(file: string): Promise<Spec> {
  return Bun.YAML.parse(await Bun.file(new URL(file, SPEC_DIR)).text()) as Spec;
}

/** The node at a JSON-pointer-ish path; throws when it is missing, so an override can never silently patch nothing. */
function at(root: Json, path: readonly (string | number)[]): Json {
  let node = root;
  for (const key of path) {
    node = node?.[key];
    if (node === undefined) throw new Error(`spec override: ${path.join(" > ")} does not exist in the yaml (the spec changed?)`);
  }
  return node;
}

/** Alpaca's error body, {code, message} (SDK: trading/models/ModelError.ts, both required). */
const ERROR_BODY = {
  type: "object",
  properties: { code: { type: "integer" }, message: { type: "string", minLength: 1 } },
  required: ["code", "message"],
};

interface SpecOverride {
  spec: "trading" | "data";
  what: string;
  /** The SDK model that shows the current API, relative to node_modules/@alpacahq/alpaca-trade-api/src. */
  sdk: string;
  apply(spec: Spec): void;
}

/**
 * Every place the yaml is patched, and nothing else. Each entry names the SDK model that shows what
 * Alpaca really sends today.
 */
const SPEC_OVERRIDES: SpecOverride[] = [
  {
    spec: "trading",
    what: "OrderStatus gains `held`: bracket/OTO exit legs wait in `held` until the entry fills",
    sdk: "trading/models/OrderStatus.ts (Held: 'held')",
    apply: (s) => at(s, ["components", "schemas", "OrderStatus", "enum"]).push("held"),
  },
  {
    spec: "trading",
    what: "PositionClosedReponse.status is the HTTP status as a number (the yaml's own example says 200), not a string",
    sdk: "trading/models/PositionClosedReponse.ts (status: number)",
    apply: (s) => {
      at(s, ["components", "schemas", "PositionClosedReponse", "properties", "status"]).type = "integer";
    },
  },
  {
    spec: "trading",
    what:
      "GET /v2/account/activities/{activity_type} items: oneOf -> anyOf. Neither TradingActivities nor NonTradeActivities " +
      "has a `required` list, so every object matches both and a oneOf can never pass; the SDK reads it as a plain union " +
      "(first match wins), as the yaml itself does for GET /v2/account/activities",
    sdk: "trading/models/GetAccountActivitiesByActivityType200ResponseInner.ts (NonTradeActivities | TradingActivities)",
    apply: (s) => {
      const items = at(s, ["paths", "/v2/account/activities/{activity_type}", "get", "responses", "200", "content", "application/json", "schema", "items"]);
      items.anyOf = items.oneOf;
      delete items.oneOf;
    },
  },
  {
    spec: "trading",
    what: "the documented 4xx responses (POST /v2/orders 403/422, DELETE /v2/orders/{order_id} 422) carry Alpaca's error body; the yaml gives them no content",
    sdk: "trading/models/ModelError.ts (code: number, message: string)",
    apply: (s) => {
      for (const [path, method, status] of [
        ["/v2/orders", "post", "403"],
        ["/v2/orders", "post", "422"],
        ["/v2/orders/{order_id}", "delete", "422"],
      ] as const) {
        at(s, ["paths", path, method, "responses", status]).content = { "application/json": { schema: ERROR_BODY } };
      }
    },
  },
  {
    spec: "data",
    what: "News.content may be empty: Alpaca sends \"\" unless include_content=true (the yaml's own include_content/exclude_contentless parameters say content is optional)",
    sdk: "market-data/models/News.ts (content: string, no minimum) and market-data/apis/NewsApi.ts (includeContent?: boolean)",
    apply: (s) => {
      delete at(s, ["components", "schemas", "News", "properties", "content"]).minLength;
    },
  },
  {
    spec: "data",
    what: "GetNewsResponse.next_page_token is null on the last page",
    sdk: "market-data/models/NewsResp.ts (nextPageToken: string | null)",
    apply: (s) => {
      at(s, ["components", "schemas", "GetNewsResponse", "properties", "next_page_token"]).nullable = true;
    },
  },
];

/**
 * Ajv (inside openapi-response-validator) ignores formats it does not know, so the spec's formats are
 * given real checks here; this only tightens the validation.
 */
const FORMATS: Record<string, (value: string) => boolean> = {
  "date-time": (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  uri: (v) => URL.canParse(v),
};

type Checker = (status: number, body: Json) => string[];

function checkerFor(responses: Json, components: Json): Checker {
  const validator = new OpenAPIResponseValidator({ responses, components, customFormats: FORMATS });
  return (status, body) => {
    const result = validator.validateResponse(status, body);
    return (result?.errors ?? []).map((e: { path?: string; message: string }) => `${e.path ?? ""}: ${e.message}`);
  };
}

/** Validators for spec operations, built once each. */
class Conformance {
  private readonly cache = new Map<string, Checker>();

  constructor(private readonly specs: Record<"trading" | "data", Spec>) {}

  /** Errors of `body` against the response schema of `method path` in the named spec for `status`. */
  operation(spec: "trading" | "data", method: string, path: string, status: number, body: Json): string[] {
    const key = `${spec} ${method} ${path}`;
    let check = this.cache.get(key);
    if (!check) {
      const op = this.specs[spec].paths[path]?.[method.toLowerCase()];
      if (!op) throw new Error(`${key} is not in the yaml`);
      check = checkerFor(op.responses, this.specs[spec].components);
      this.cache.set(key, check);
    }
    return check(status, body);
  }

  /** Errors of `body` against a schema (may $ref the spec's components), for endpoints the yaml does not describe. */
  schema(spec: "trading" | "data", schema: Json, body: Json): string[] {
    return checkerFor({ 200: { schema } }, this.specs[spec].components)(200, body);
  }
}

/**
 * GET /v1beta1/screener/stocks/most-actives is not in the yaml: this is Alpaca's documented shape
 * (SDK: market-data/models/MostActivesResp.ts and MostActive.ts, every field required).
 */
const MOST_ACTIVES = {
  type: "object",
  properties: {
    most_actives: {
      type: "array",
      items: {
        type: "object",
        properties: { symbol: { type: "string", minLength: 1 }, volume: { type: "number" }, trade_count: { type: "number" } },
        required: ["symbol", "volume", "trade_count"],
      },
    },
    last_updated: { type: "string", format: "date-time" },
  },
  required: ["most_actives", "last_updated"],
};

describe("the venue speaks Alpaca's OpenAPI", () => {
  let venue: TestVenue;
  let conformance: Conformance;

  interface Call {
    spec: "trading" | "data";
    method: string;
    /** The yaml's path template, or null when the yaml does not describe the endpoint. */
    operation: string | null;
    path: string;
    body?: unknown;
    status: number;
  }

  /** One real request; fails on any status but the expected one, and (for a yaml operation) on any schema error. */
  async function call({ spec, method, operation, path, body, status }: Call): Promise<Json> {
    const response = await fetch(`${venue.baseUrl}${path}`, {
      method,
      headers: venue.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== status) throw new Error(`${method} ${path}: expected HTTP ${status}, got ${response.status}: ${text}`);
    const json = text === "" ? undefined : JSON.parse(text);
    if (operation !== null) {
      expect({ [`${method} ${path}`]: conformance.operation(spec, method, operation, status, json) }).toEqual({ [`${method} ${path}`]: [] });
    }
    return json;
  }

  const trading = (method: string, operation: string | null, path: string, extra: Partial<Call> = {}) =>
    call({ spec: "trading", method, operation, path, status: 200, ...extra });
  const data = (operation: string | null, path: string) => call({ spec: "data", method: "GET", operation, path, status: 200 });

  // What the flow learns as it goes.
  let symbols: string[] = [];
  const price: Record<string, number> = {};
  let assetIds: Record<string, string> = {};
  let marketOrder: Json;
  let bracket: Json;
  let working: Json;

  beforeAll(async () => {
    const [tradingSpec, dataSpec] = await Promise.all([loadSpec("trading-openapi.yaml"), loadSpec("data-openapi.yaml")]);
    const specs = { trading: tradingSpec, data: dataSpec };
    for (const override of SPEC_OVERRIDES) override.apply(specs[override.spec]);
    conformance = new Conformance(specs);
    venue = startTestVenue();
  });

  afterAll(async () => {
    await venue?.close();
  });

  test("the validator really rejects a broken body", async () => {
    const order = {
      id: "61e69015-8549-4bfd-b9c3-01e75843f47d",
      symbol: "AAPL",
      notional: null,
      qty: "1",
      type: "market",
      time_in_force: "day",
      status: "new",
    };
    expect(conformance.operation("trading", "POST", "/v2/orders", 200, { ...order, side: "buy" })).toEqual([]);
    expect(conformance.operation("trading", "POST", "/v2/orders", 200, order).join()).toContain("must have required property 'side'");
    expect(conformance.operation("trading", "POST", "/v2/orders", 200, { ...order, side: "buy", qty: 1 }).join()).toContain("qty");
    expect(conformance.operation("trading", "POST", "/v2/orders", 200, { ...order, side: "buy", status: "bogus" }).join()).toContain("status");
    expect(conformance.operation("trading", "POST", "/v2/orders", 200, { ...order, side: "buy", asset_id: "not-a-uuid" }).join()).toContain("asset_id");
    // A 204 must have no body; a status the operation does not document is an error in itself.
    expect(conformance.operation("trading", "DELETE", "/v2/orders/{order_id}", 204, undefined)).toEqual([]);
    expect(conformance.operation("trading", "DELETE", "/v2/orders/{order_id}", 204, { id: "x" })).not.toEqual([]);
    expect(conformance.operation("trading", "GET", "/v2/account", 404, { code: 1, message: "x" })).not.toEqual([]);
    // The hand-written most-actives schema bites too.
    expect(conformance.schema("data", MOST_ACTIVES, { most_actives: [{ symbol: "A", volume: 1 }], last_updated: "2026-03-10T14:00:00Z" })).not.toEqual([]);
  });

  test("account, clock, calendar", async () => {
    await trading("GET", "/v2/account", "/v2/account");
    const clock = await trading("GET", "/v2/clock", "/v2/clock");
    expect(clock.is_open).toBe(true);
    const calendar = await trading("GET", "/v2/calendar", "/v2/calendar?start=2026-03-01&end=2026-03-31");
    expect(calendar.length).toBeGreaterThan(15);
  });

  test("assets (not in the yaml: items checked against its Assets schema)", async () => {
    const assets = await trading("GET", null, "/v2/assets?status=active");
    expect(assets.length).toBeGreaterThan(3);
    expect(conformance.schema("trading", { type: "array", items: { $ref: "#/components/schemas/Assets" } }, assets)).toEqual([]);
    const one = await trading("GET", null, `/v2/assets/${assets[0].symbol}`);
    expect(conformance.schema("trading", { $ref: "#/components/schemas/Assets" }, one)).toEqual([]);
    const tradable = (assets as Json[]).filter((a) => a.tradable && a.status === "active");
    assetIds = Object.fromEntries(tradable.map((a) => [a.symbol, a.id]));
    const snapshots = await data("/v2/stocks/snapshots", `/v2/stocks/snapshots?symbols=${tradable.slice(0, 40).map((a) => a.symbol).join(",")}`);
    // Three names between $5 and $500, so bracket exits and the 403 probe below have room.
    symbols = Object.entries(snapshots as Record<string, Json>)
      .filter(([, snap]) => snap.latestTrade.p >= 5 && snap.latestTrade.p <= 500)
      .map(([symbol]) => symbol)
      .sort()
      .slice(0, 3);
    expect(symbols).toHaveLength(3);
    for (const symbol of symbols) price[symbol] = snapshots[symbol].latestTrade.p;
  });

  test("orders: simple, bracket, replace, cancel, by client id, and the documented 4xx bodies", async () => {
    const [a, b, c] = symbols as [string, string, string];
    marketOrder = await trading("POST", "/v2/orders", "/v2/orders", { body: { symbol: a, qty: "10", side: "buy", type: "market", time_in_force: "day" } });
    bracket = await trading("POST", "/v2/orders", "/v2/orders", {
      body: {
        symbol: b,
        qty: "5",
        side: "buy",
        type: "market",
        time_in_force: "gtc",
        order_class: "bracket",
        take_profit: { limit_price: (price[b]! * 1.5).toFixed(2) },
        stop_loss: { stop_price: (price[b]! * 0.5).toFixed(2) },
      },
    });
    expect(bracket.legs.map((leg: Json) => leg.status)).toEqual(["held", "held"]);
    working = await trading("POST", "/v2/orders", "/v2/orders", {
      body: { symbol: c, qty: "2", side: "buy", type: "limit", limit_price: (price[c]! * 0.5).toFixed(2), time_in_force: "day", client_order_id: "venue-openapi-working" },
    });

    venue.advance(120);

    const all = await trading("GET", "/v2/orders", "/v2/orders?status=all&nested=true");
    const byId = new Map((all as Json[]).map((o) => [o.id, o]));
    expect(byId.get(marketOrder.id)?.status).toBe("filled");
    expect(byId.get(bracket.id)?.status).toBe("filled");
    expect(byId.get(bracket.id)?.legs).toHaveLength(2);

    const fetched = await trading("GET", "/v2/orders/{order_id}", `/v2/orders/${bracket.id}`);
    expect(fetched.legs).toHaveLength(2);

    // Not in the yaml: the same Order schema the yaml gives every other order answer.
    const byClientId = await trading("GET", null, "/v2/orders:by_client_order_id?client_order_id=venue-openapi-working");
    expect(byClientId.id).toBe(working.id);
    expect(conformance.schema("trading", { $ref: "#/components/schemas/Order" }, byClientId)).toEqual([]);

    const replaced = await trading("PATCH", "/v2/orders/{order_id}", `/v2/orders/${working.id}`, { body: { limit_price: (price[c]! * 0.6).toFixed(2) } });
    expect(replaced.replaces).toBe(working.id);
    await trading("DELETE", "/v2/orders/{order_id}", `/v2/orders/${replaced.id}`, { status: 204 });

    // The 4xx answers the yaml documents, with Alpaca's error body.
    const notCancelable = await trading("DELETE", "/v2/orders/{order_id}", `/v2/orders/${marketOrder.id}`, { status: 422 });
    expect(notCancelable.code).toBe(42210000);
    await trading("POST", "/v2/orders", "/v2/orders", { status: 422, body: { symbol: a, qty: "1", type: "market", time_in_force: "day" } });
    await trading("POST", "/v2/orders", "/v2/orders", { status: 403, body: { symbol: a, qty: "100000", side: "buy", type: "market", time_in_force: "day" } });
  });

  test("an order body without Content-Type (or as text/plain) is read as JSON, as Alpaca does", async () => {
    const [a] = symbols as [string];
    const { "content-type": _, ...withoutType } = venue.headers;
    for (const headers of [withoutType, { ...withoutType, "content-type": "text/plain" }]) {
      const response = await fetch(`${venue.baseUrl}/v2/orders`, {
        method: "POST",
        headers,
        body: JSON.stringify({ symbol: a, qty: "1", side: "buy", type: "limit", limit_price: (price[a]! * 0.5).toFixed(2), time_in_force: "day" }),
      });
      const order = await response.json();
      expect(response.status).toBe(200);
      expect(conformance.operation("trading", "POST", "/v2/orders", 200, order)).toEqual([]);
      expect(order.symbol).toBe(a);
      await trading("DELETE", "/v2/orders/{order_id}", `/v2/orders/${order.id}`, { status: 204 });
    }
    const garbage = await fetch(`${venue.baseUrl}/v2/orders`, { method: "POST", headers: withoutType, body: "not json" });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toEqual({ code: 40010000, message: "request body is not valid JSON" });
  });

  test("positions and fill activities", async () => {
    const [a, b] = symbols as [string, string];
    const positions = await trading("GET", "/v2/positions", "/v2/positions");
    expect((positions as Json[]).map((p) => p.symbol).sort()).toEqual([a, b]);
    await trading("GET", "/v2/positions/{symbol_or_asset_id}", `/v2/positions/${a}`);
    const byAssetId = await trading("GET", "/v2/positions/{symbol_or_asset_id}", `/v2/positions/${assetIds[b]}`);
    expect(byAssetId.symbol).toBe(b);

    const activities = await trading("GET", "/v2/account/activities", "/v2/account/activities?activity_types=FILL");
    const fills = await trading("GET", "/v2/account/activities/{activity_type}", "/v2/account/activities/FILL");
    expect(fills.length).toBeGreaterThanOrEqual(2);
    expect(activities).toEqual(fills);
    // The anyOf with requirement-free NonTradeActivities would pass almost any object, so FILL rows
    // are also held to TradingActivities alone.
    expect(conformance.schema("trading", { type: "array", items: { $ref: "#/components/schemas/TradingActivities" } }, fills)).toEqual([]);
  });

  test("cancel all orders, close one position, close all positions", async () => {
    const [a, b] = symbols as [string, string];
    // Something open besides the bracket's exit legs.
    await trading("POST", "/v2/orders", "/v2/orders", {
      body: { symbol: a, qty: "1", side: "buy", type: "limit", limit_price: (price[a]! * 0.5).toFixed(2), time_in_force: "day" },
    });
    const canceled = await trading("DELETE", "/v2/orders", "/v2/orders", { status: 207 });
    expect(canceled.length).toBeGreaterThanOrEqual(3);
    expect((canceled as Json[]).every((c) => c.status === 200)).toBe(true);

    const closing = await trading("DELETE", "/v2/positions/{symbol_or_asset_id}", `/v2/positions/${a}`);
    expect(closing.side).toBe("sell");
    venue.advance(60);

    const closed = await trading("DELETE", "/v2/positions", "/v2/positions?cancel_orders=true", { status: 207 });
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ symbol: b, status: 200 });
    venue.advance(60);
    expect(await trading("GET", "/v2/positions", "/v2/positions")).toEqual([]);
  });

  test("market data: bars, latest bars/trades/quotes, snapshots", async () => {
    const list = symbols.join(",");
    const bars = await data("/v2/stocks/bars", `/v2/stocks/bars?symbols=${list}&timeframe=1Min`);
    expect(Object.keys(bars.bars).sort()).toEqual([...symbols].sort());
    const page = await data("/v2/stocks/{symbol}/bars", `/v2/stocks/${symbols[0]}/bars?timeframe=5Min&limit=2`);
    expect(page.bars).toHaveLength(2);
    expect(typeof page.next_page_token).toBe("string");
    const last = await data("/v2/stocks/{symbol}/bars", `/v2/stocks/${symbols[0]}/bars?timeframe=1Day&start=2026-03-02`);
    expect(last.next_page_token).toBeNull();
    for (const [operation, key] of [
      ["/v2/stocks/bars/latest", "bars"],
      ["/v2/stocks/trades/latest", "trades"],
      ["/v2/stocks/quotes/latest", "quotes"],
    ] as const) {
      const latest = await data(operation, `${operation}?symbols=${list}`);
      expect(Object.keys(latest[key]).sort()).toEqual([...symbols].sort());
    }
    // One symbol at a time, as the SDK's getLatestTrade / getLatestQuote / getTradesV2 ask.
    const [first] = symbols as [string];
    const latestTrade = await data("/v2/stocks/{symbol}/trades/latest", `/v2/stocks/${first}/trades/latest`);
    expect(latestTrade.symbol).toBe(first);
    expect(latestTrade.trade.p).toBe((await data("/v2/stocks/trades/latest", `/v2/stocks/trades/latest?symbols=${first}`)).trades[first].p);
    const latestQuote = await data("/v2/stocks/{symbol}/quotes/latest", `/v2/stocks/${first}/quotes/latest`);
    expect(latestQuote.quote.bp).toBeLessThan(latestQuote.quote.ap);
    const tape = await data("/v2/stocks/{symbol}/trades", `/v2/stocks/${first}/trades?limit=3`);
    expect(tape.symbol).toBe(first);
    expect(tape.trades).toHaveLength(3);
    const rest = await data("/v2/stocks/{symbol}/trades", `/v2/stocks/${first}/trades?limit=10000&page_token=${tape.next_page_token}`);
    expect(rest.next_page_token).toBeNull();
    // The tape tells the same story as the bars: every share of today's minutes, in time order.
    const minuteBars = (await data("/v2/stocks/{symbol}/bars", `/v2/stocks/${first}/bars?timeframe=1Min&limit=10000`)).bars as Json[];
    const prints = [...tape.trades, ...rest.trades] as Json[];
    expect(prints.reduce((sum, p) => sum + p.s, 0)).toBe(minuteBars.reduce((sum, b) => sum + b.v, 0));
    expect(prints.map((p) => p.t)).toEqual(prints.map((p) => p.t).sort());
    await call({ spec: "data", method: "GET", operation: null, path: "/v2/stocks/NOSUCHSYM/trades/latest", status: 404 });
    const snapshots = await data("/v2/stocks/snapshots", `/v2/stocks/snapshots?symbols=${list}`);
    expect(Object.keys(snapshots).sort()).toEqual([...symbols].sort());
    const snapshot = await data("/v2/stocks/{symbol}/snapshot", `/v2/stocks/${symbols[0]}/snapshot`);
    expect(snapshot.minuteBar).not.toBeNull();
  });

  test("news and screeners", async () => {
    const withContent = await data("/v1beta1/news", "/v1beta1/news?limit=3&include_content=true");
    expect(withContent.news).toHaveLength(3);
    expect(typeof withContent.next_page_token).toBe("string");
    const all = await data("/v1beta1/news", `/v1beta1/news?symbols=${withContent.news[0].symbols[0]}&limit=50`);
    expect(all.news.length).toBeGreaterThan(0);
    expect(all.next_page_token).toBeNull();

    const movers = await data("/v1beta1/screener/{market_type}/movers", "/v1beta1/screener/stocks/movers?top=5");
    expect(movers.gainers).toHaveLength(5);
    // Not in the yaml: checked against the schema above, from Alpaca's docs.
    const active = await data(null, "/v1beta1/screener/stocks/most-actives?by=volume&top=5");
    expect(active.most_actives).toHaveLength(5);
    expect(conformance.schema("data", MOST_ACTIVES, active)).toEqual([]);
  });
});

// The overrides' citations must point at files the installed SDK really has.
test("every spec override cites an SDK model that exists", async () => {
  for (const override of SPEC_OVERRIDES) {
    for (const file of override.sdk.match(/[\w-]+\/(?:models|apis)\/\w+\.ts/g) ?? []) {
      expect(await Bun.file(new URL(`../../${SDK_MODELS}/${file}`, import.meta.url)).exists()).toBe(true);
    }
  }
});
