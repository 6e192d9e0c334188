/**
 * The Alpaca broker over a test double of its HTTP transport (the SDK's fetchApi): what it sends,
 * and what it makes of timeouts, 5xx, 4xx and duplicates. The real venue is the integration tests'.
 */
import { describe, expect, test } from "bun:test";
import { createAlpacaBroker } from "../../src/adapters/broker/alpaca.ts";
import { BrokerError, type OrderRequest } from "../../src/adapters/broker/broker.ts";
import { VERSION } from "../../src/version.ts";
import { bracketOrderJson, bracketOrderRequest } from "../support/alpaca-fixtures.ts";

interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
}

/** What the double does with a request: answer, hang until the client gives up, or fail to connect. */
type Reply = Response | "hang" | Error;

function fakeAlpaca(route: (call: Call) => Reply) {
  const calls: Call[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const parsed = new URL(url);
    const call: Call = {
      method: init.method ?? "GET",
      path: decodeURIComponent(parsed.pathname),
      query: parsed.searchParams,
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
      headers: new Headers(init.headers),
    };
    calls.push(call);
    const reply = route(call);
    if (reply === "hang") {
      return new Promise<Response>((_, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    }
    if (reply instanceof Error) throw reply;
    return reply;
  };
  const broker = createAlpacaBroker({
    tradingBaseUrl: "http://venue.test",
    dataBaseUrl: "http://data.venue.test",
    streamUrl: "ws://venue.test/stream",
    keyId: "sim",
    secret: "0123456789abcdef0123",
    callerName: "trading",
    timeoutMs: 150,
    submitLookup: { attempts: 3, waitMs: 5 },
    fetch,
  });
  const count = (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path).length;
  return { broker, calls, count };
}

const alpacaError = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  Response.json({ code, message }, { status, headers });
const notFound = () => alpacaError(404, 40410000, "order not found");

const request: OrderRequest = bracketOrderRequest({ clientOrderId: "c-20210316-001-entry" });

const POST_ORDERS = ["POST", "/v2/orders"] as const;
const BY_CLIENT_ID = ["GET", "/v2/orders:by_client_order_id"] as const;

describe("submitting an order", () => {
  test("accepted: one POST, signed and attributed to its caller", async () => {
    const { broker, calls, count } = fakeAlpaca(() => Response.json(bracketOrderJson()));
    const outcome = await broker.submitOrder(request);
    expect(outcome).toMatchObject({ kind: "submitted", resolvedBy: "response", order: { id: "61e69015-8549-4bfd-b9c3-01e75843f47d", status: "accepted" } });
    expect(count(...POST_ORDERS)).toBe(1);
    const [post] = calls;
    expect(post?.body).toMatchObject({ client_order_id: request.clientOrderId, order_class: "bracket", take_profit: { limit_price: "180.00" } });
    expect(post?.headers.get("User-Agent")).toBe(`catalyst-trading/${VERSION}`);
    expect(post?.headers.get("APCA-API-KEY-ID")).toBe("sim");
  });

  test("timeout: never resent, resolved by client order id", async () => {
    let lookups = 0;
    const { broker, calls, count } = fakeAlpaca((call) => {
      if (call.method === "POST") return "hang";
      // The order shows up on the second lookup, as a slow broker's would.
      return ++lookups < 2 ? notFound() : Response.json(bracketOrderJson());
    });
    const outcome = await broker.submitOrder(request);
    expect(outcome).toMatchObject({ kind: "submitted", resolvedBy: "lookup" });
    expect(count(...POST_ORDERS)).toBe(1);
    expect(count(...BY_CLIENT_ID)).toBe(2);
    expect(calls.at(-1)?.query.get("client_order_id")).toBe(request.clientOrderId);
  });

  test("timeout and never found: unknown, still one POST", async () => {
    const { broker, count } = fakeAlpaca((call) => (call.method === "POST" ? "hang" : notFound()));
    const outcome = await broker.submitOrder(request);
    expect(outcome.kind).toBe("unknown");
    if (outcome.kind !== "unknown") throw new Error("unreachable");
    expect(outcome.clientOrderId).toBe(request.clientOrderId);
    expect(outcome.reason).toContain("timed out");
    expect(outcome.reason).toContain("not found by client_order_id after 3");
    expect(count(...POST_ORDERS)).toBe(1);
    expect(count(...BY_CLIENT_ID)).toBe(3);
  });

  test("5xx: the SDK does not retry the POST; the lookup finds the order", async () => {
    const { broker, count } = fakeAlpaca((call) =>
      call.method === "POST" ? alpacaError(503, 50010000, "service unavailable") : Response.json(bracketOrderJson()),
    );
    expect(await broker.submitOrder(request)).toMatchObject({ kind: "submitted", resolvedBy: "lookup" });
    expect(count(...POST_ORDERS)).toBe(1);
  });

  test("connection failure: looked up, not found → unknown", async () => {
    const { broker, count } = fakeAlpaca((call) => (call.method === "POST" ? new TypeError("fetch failed: ECONNRESET") : notFound()));
    const outcome = await broker.submitOrder(request);
    expect(outcome).toMatchObject({ kind: "unknown", clientOrderId: request.clientOrderId });
    expect(count(...POST_ORDERS)).toBe(1);
  });

  test("accepted but the answer is cut off: looked up, not assumed lost", async () => {
    const { broker } = fakeAlpaca((call) => (call.method === "POST" ? new Response('{"id": "61e6', { status: 200 }) : Response.json(bracketOrderJson())));
    expect(await broker.submitOrder(request)).toMatchObject({ kind: "submitted", resolvedBy: "lookup" });
  });

  test("lookups that fail themselves end in unknown with the reason", async () => {
    const { broker } = fakeAlpaca((call) => (call.method === "POST" ? "hang" : alpacaError(401, 40110000, "unauthorized")));
    const outcome = await broker.submitOrder(request);
    expect(outcome.kind).toBe("unknown");
    if (outcome.kind === "unknown") expect(outcome.reason).toContain("lookup by client_order_id failed");
  });

  test("422: rejected with Alpaca's code and message, nothing looked up", async () => {
    const { broker, count } = fakeAlpaca(() => alpacaError(422, 40010001, "qty must be > 0"));
    expect(await broker.submitOrder(request)).toEqual({
      kind: "rejected",
      clientOrderId: request.clientOrderId,
      httpStatus: 422,
      code: "40010001",
      message: "qty must be > 0",
      retryAfterMs: null,
    });
    expect(count(...BY_CLIENT_ID)).toBe(0);
  });

  test("403 (buying power): rejected", async () => {
    const { broker } = fakeAlpaca(() => alpacaError(403, 40310000, "insufficient buying power"));
    expect(await broker.submitOrder(request)).toMatchObject({ kind: "rejected", httpStatus: 403, message: "insufficient buying power" });
  });

  test("duplicate client order id: the existing order, found by lookup", async () => {
    const { broker, count } = fakeAlpaca((call) =>
      call.method === "POST" ? alpacaError(422, 40010001, "client_order_id must be unique") : Response.json(bracketOrderJson()),
    );
    expect(await broker.submitOrder(request)).toMatchObject({ kind: "submitted", resolvedBy: "duplicate", order: { clientOrderId: "c-20210316-001-entry" } });
    expect(count(...POST_ORDERS)).toBe(1);
  });

  test("429: not placed, not retried, with the wait Alpaca asked for", async () => {
    const { broker, count } = fakeAlpaca(() => alpacaError(429, 42910000, "rate limit exceeded", { "Retry-After": "2" }));
    expect(await broker.submitOrder(request)).toMatchObject({ kind: "rejected", httpStatus: 429, retryAfterMs: 2000 });
    expect(count(...POST_ORDERS)).toBe(1);
  });

  test("an invalid request never reaches the broker", async () => {
    const { broker, calls } = fakeAlpaca(() => Response.json(bracketOrderJson()));
    const outcome = await broker.submitOrder({ ...request, takeProfit: { limitPrice: "160.00" } });
    expect(outcome).toMatchObject({ kind: "rejected", httpStatus: null, code: "invalid_request" });
    expect(calls).toHaveLength(0);
  });
});

describe("reads", () => {
  test("404 is 'none'; any other failure throws, never evidence of flat", async () => {
    const { broker } = fakeAlpaca((call) =>
      call.path.startsWith("/v2/positions/") ? alpacaError(401, 40110000, "unauthorized") : alpacaError(404, 40410000, "not found"),
    );
    expect(await broker.getOrder("61e69015-8549-4bfd-b9c3-01e75843f47d")).toBeNull();
    expect(await broker.getOrderByClientId("nope")).toBeNull();
    expect(await broker.getAsset("ZZZZ")).toBeNull();
    const failure = await broker.getPosition("AAPL").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BrokerError);
    expect(failure).toMatchObject({ kind: "auth", details: { httpStatus: 401 } });
  });

  test("a read is retried on 503 with backoff", async () => {
    let attempts = 0;
    const { broker } = fakeAlpaca(() =>
      ++attempts < 3
        ? alpacaError(503, 50300000, "busy")
        : Response.json({ id: "acct", status: "ACTIVE", cash: "1000", equity: "1000", last_equity: "990", buying_power: "2000" }),
    );
    expect(await broker.getAccount()).toMatchObject({ cash: "1000", lastEquity: "990" });
    expect(attempts).toBe(3);
  });

  test("a read that hangs times out as a BrokerError", async () => {
    const { broker } = fakeAlpaca(() => "hang");
    expect(await broker.getClock().catch((error: unknown) => error)).toMatchObject({ kind: "timeout", operation: "getClock" });
  });

  test("calendar dates are sent as noon UTC, the same day in New York; a malformed date is not sent", async () => {
    const { broker, calls } = fakeAlpaca(() =>
      Response.json([{ date: "2024-07-03", open: "09:30", close: "13:00", session_open: "0400", session_close: "2000" }]),
    );
    expect(await broker.getCalendar("2024-07-03", "2024-07-05")).toEqual([
      { date: "2024-07-03", open: "09:30", close: "13:00", sessionOpen: "0400", sessionClose: "2000" },
    ]);
    expect(calls[0]?.query.get("start")).toBe("2024-07-03T12:00:00.000Z");
    expect(calls[0]?.query.get("end")).toBe("2024-07-05T12:00:00.000Z");
    expect(await broker.getCalendar("07/03/2024", "2024-07-05").catch((error: unknown) => error)).toMatchObject({ kind: "invalid_request" });
    expect(calls).toHaveLength(1);
  });

  test("cancel: requested, already final, or unknown", async () => {
    const replies: Record<string, () => Response> = {
      working: () => new Response(null, { status: 204 }),
      filled: () => alpacaError(422, 42210000, "order is not cancelable"),
      missing: notFound,
    };
    const { broker } = fakeAlpaca((call) => (replies[call.path.split("/").at(-1) ?? ""] ?? notFound)());
    expect(await broker.cancelOrder("working")).toBe("requested");
    expect(await broker.cancelOrder("filled")).toBe("not_cancelable");
    expect(await broker.cancelOrder("missing")).toBe("not_found");
  });
});

describe("paging", () => {
  test("orders are paged by submission time without losing orders that share the boundary millisecond", async () => {
    // C and D were submitted in the same millisecond; the first page ends at C.
    const times: Record<string, string> = {
      A: "2024-01-02T14:30:05.000000Z",
      B: "2024-01-02T14:30:04.000000Z",
      C: "2024-01-02T14:30:03.000900Z",
      D: "2024-01-02T14:30:03.000100Z",
      E: "2024-01-02T14:30:02.000000Z",
      F: "2024-01-02T14:30:01.000000Z",
    };
    const { broker, calls } = fakeAlpaca((call) => {
      expect(call.query.get("direction")).toBe("desc");
      const until = call.query.get("until");
      const limit = Number(call.query.get("limit"));
      const page = Object.entries(times)
        .filter(([, at]) => until === null || Date.parse(at) < Date.parse(until))
        .sort(([, a], [, b]) => b.localeCompare(a))
        .slice(0, limit)
        .map(([id, at]) => bracketOrderJson({ id, client_order_id: `c-${id}`, submitted_at: at, legs: null }));
      return Response.json(page);
    });
    const orders = await broker.listOrders({ status: "all", limit: 3 });
    expect(orders.map((o) => o.id).sort()).toEqual(["A", "B", "C", "D", "E", "F"]);
    expect(calls).toHaveLength(3);
    expect(calls[0]?.query.get("nested")).toBe("true");
  });

  test("fills: every page by page_token, with the price and side the SDK's parser would drop", async () => {
    const all = Array.from({ length: 150 }, (_, i) => ({
      id: `20240102143000000::${String(i).padStart(4, "0")}`,
      activity_type: "FILL",
      transaction_time: "2024-01-02T14:30:00Z",
      type: "fill",
      price: "10.05",
      qty: "1",
      side: i % 2 ? "buy" : "sell_short",
      symbol: "AAPL",
      leaves_qty: "0",
      cum_qty: "1",
      order_id: `order-${i}`,
      order_status: "filled",
    }));
    const { broker, calls } = fakeAlpaca((call) => {
      expect(call.path).toBe("/v2/account/activities/FILL");
      const token = call.query.get("page_token");
      const start = token === null ? 0 : all.findIndex((a) => a.id === token) + 1;
      return Response.json(all.slice(start, start + Number(call.query.get("page_size"))));
    });
    const fills = await broker.listFills({ after: "2024-01-02T00:00:00Z" });
    expect(fills).toHaveLength(150);
    expect(fills[0]).toMatchObject({ price: "10.05", side: "sell", orderId: "order-0" });
    expect(fills[149]).toMatchObject({ side: "buy", orderId: "order-149" });
    expect(calls[1]?.query.get("page_token")).toBe(all[99]?.id);
    expect(calls[0]?.query.get("direction")).toBe("asc");
  });

  test("bars follow next_page_token and merge per symbol", async () => {
    const bar = (t: string, c: number) => ({ t, o: c, h: c, l: c, c, v: 100, n: 1, vw: c });
    const { broker, calls } = fakeAlpaca((call) =>
      call.query.get("page_token") === null
        ? Response.json({ bars: { AAPL: [bar("2024-01-02T14:30:00Z", 1)] }, next_page_token: "p2" })
        : Response.json({ bars: { AAPL: [bar("2024-01-02T14:31:00Z", 2)], MSFT: [bar("2024-01-02T14:30:00Z", 3)] }, next_page_token: null }),
    );
    const bars = await broker.getBars(["AAPL", "MSFT"], "1Min", { start: "2024-01-02T14:30:00Z" });
    expect(bars.AAPL?.map((b) => b.close)).toEqual([1, 2]);
    expect(bars.MSFT?.[0]?.timestamp).toBe("2024-01-02T14:30:00.000Z");
    expect(calls).toHaveLength(2);
    expect(calls[0]?.query.get("timeframe")).toBe("1Min");
  });

  test("snapshots of a long symbol list are fetched in chunks; symbols with nothing are absent", async () => {
    const symbols = Array.from({ length: 2_500 }, (_, i) => `S${i}`);
    const { broker, calls } = fakeAlpaca((call) => {
      const requested = (call.query.get("symbols") ?? "").split(",");
      return Response.json(
        Object.fromEntries(requested.map((s) => [s, s === "S7" ? null : { latestTrade: { t: "2024-01-02T14:30:00Z", p: 10.5, s: 100, x: "V", c: [], i: 1, z: "C" } }])),
      );
    });
    const snapshots = await broker.getSnapshots(symbols);
    expect(calls).toHaveLength(3);
    expect(Object.keys(snapshots)).toHaveLength(2_499);
    expect(snapshots.S0).toMatchObject({ symbol: "S0", latestTrade: { price: 10.5, size: 100 }, latestQuote: null });
    expect(await broker.getSnapshots([])).toEqual({});
  });

  test("news stops at the limit across pages, newest first", async () => {
    let served = 0;
    const { broker, calls } = fakeAlpaca((call) => {
      const size = Number(call.query.get("limit"));
      const news = Array.from({ length: size }, () => {
        served++;
        const at = "2024-01-02T14:30:00Z";
        return { id: served, headline: `h${served}`, author: "a", created_at: at, updated_at: at, summary: "", content: "", symbols: ["AAPL"], source: "benzinga", images: [] };
      });
      return Response.json({ news, next_page_token: `after-${served}` });
    });
    const articles = await broker.getNews({ symbols: ["AAPL"], limit: 70 });
    expect(articles).toHaveLength(70);
    expect(calls.map((c) => c.query.get("limit"))).toEqual(["50", "20"]);
    expect(calls[0]?.query.get("sort")).toBe("desc");
  });
});
