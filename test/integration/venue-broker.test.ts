/**
 * The venue through Catalyst's broker adapter, i.e. the official Alpaca SDK over real HTTP and
 * WebSocket: order types and classes, bracket exits, partial fills, duplicates, cancel/replace,
 * the calendar's edge days, the stream, every fault kind, and the audit.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAlpacaBroker } from "../../src/adapters/broker/alpaca.ts";
import type { Broker, BrokerOrder, OrderRequest, TradeUpdate } from "../../src/adapters/broker/broker.ts";
import type { SimAsset } from "../../src/services/venue/market/market.ts";
import { startTestVenue, VENUE_KEY_ID, VENUE_SECRET, type TestVenue } from "../support/venue.ts";
import { waitFor } from "../support/env.ts";

let venue: TestVenue;
let broker: Broker;
let liquid: SimAsset;
let seq = 0;

const clientId = (label: string) => `test-${label}-${++seq}`;

function brokerFor(target: TestVenue, callerName = "test", timeoutMs = 5_000): Broker {
  return createAlpacaBroker({
    tradingBaseUrl: target.baseUrl,
    dataBaseUrl: target.baseUrl,
    streamUrl: target.streamUrl,
    keyId: VENUE_KEY_ID,
    secret: VENUE_SECRET,
    callerName,
    timeoutMs,
    submitLookup: { attempts: 3, waitMs: 50 },
  });
}

/** A liquid, shortable name priced $20–$200: fills are predictable on it. */
function pickLiquid(target: TestVenue): SimAsset {
  const candidates = target.venue.market.assets().filter((a) => a.tradable && a.shortable && a.easyToBorrow && a.basePrice > 20 && a.basePrice < 200);
  return candidates.sort((a, b) => b.avgDailyVolume - a.avgDailyVolume || a.symbol.localeCompare(b.symbol))[0]!;
}

async function submitted(request: Omit<OrderRequest, "clientOrderId"> & { clientOrderId?: string }): Promise<BrokerOrder> {
  const outcome = await broker.submitOrder({ clientOrderId: clientId(request.type), ...request });
  if (outcome.kind !== "submitted") throw new Error(`expected submitted, got ${JSON.stringify(outcome)}`);
  return outcome.order;
}

async function lastPrice(symbol: string): Promise<number> {
  const trades = await broker.getLatestTrades([symbol]);
  return Number(trades[symbol]!.price);
}

const cents = (n: number) => n.toFixed(2);

beforeAll(() => {
  venue = startTestVenue({ seed: 11, start: "2026-03-10T10:00" });
  broker = brokerFor(venue);
  liquid = pickLiquid(venue);
});

afterAll(async () => {
  await venue?.close();
});

describe("orders through the official SDK", () => {
  test("a market buy fills at the next trade and opens a position; the fill appears in activities", async () => {
    const order = await submitted({ symbol: liquid.symbol, qty: "10", side: "buy", type: "market", timeInForce: "day", orderClass: "simple" });
    expect(order.status).toBe("accepted");
    venue.advance(2);
    const filled = await broker.getOrder(order.id);
    expect(filled).toMatchObject({ status: "filled", filledQty: "10" });
    const position = await broker.getPosition(liquid.symbol);
    expect(position).toMatchObject({ symbol: liquid.symbol, qty: "10", side: "long" });
    const fills = await broker.listFills();
    expect(fills.some((f) => f.orderId === order.id && f.qty === "10" && f.price === filled!.filledAvgPrice)).toBe(true);
  });

  test("limit, stop and stop-limit orders rest until the market reaches them", async () => {
    const price = await lastPrice(liquid.symbol);
    const limit = await submitted({ symbol: liquid.symbol, qty: "5", side: "buy", type: "limit", limitPrice: cents(price * 0.5), timeInForce: "gtc", orderClass: "simple" });
    const stop = await submitted({ symbol: liquid.symbol, qty: "5", side: "sell", type: "stop", stopPrice: cents(price * 0.5), timeInForce: "gtc", orderClass: "simple" });
    const stopLimit = await submitted({
      symbol: liquid.symbol,
      qty: "5",
      side: "buy",
      type: "stop_limit",
      stopPrice: cents(price * 2),
      limitPrice: cents(price * 2.01),
      timeInForce: "day",
      orderClass: "simple",
    });
    venue.advance(120);
    for (const order of [limit, stop, stopLimit]) expect((await broker.getOrder(order.id))!.status).toBe("accepted");
    const open = await broker.listOrders({ status: "open" });
    expect(open.map((o) => o.id)).toEqual(expect.arrayContaining([limit.id, stop.id, stopLimit.id]));
    for (const order of [limit, stop, stopLimit]) expect(await broker.cancelOrder(order.id)).toBe("requested");
    expect((await broker.getOrder(limit.id))!.status).toBe("cancelled");
    expect(await broker.cancelOrder(limit.id)).toBe("not_cancelable");
  });

  test("a marketable limit fills at once, never above its limit", async () => {
    const price = await lastPrice(liquid.symbol);
    const order = await submitted({ symbol: liquid.symbol, qty: "3", side: "buy", type: "limit", limitPrice: cents(price * 1.02), timeInForce: "day", orderClass: "simple" });
    venue.advance(2);
    const filled = (await broker.getOrder(order.id))!;
    expect(filled.status).toBe("filled");
    expect(Number(filled.filledAvgPrice)).toBeLessThanOrEqual(price * 1.02);
  });

  test("a duplicate client_order_id is refused by the venue and resolved to the original by the adapter", async () => {
    const id = clientId("dup");
    const request: OrderRequest = { symbol: liquid.symbol, qty: "1", side: "buy", type: "limit", limitPrice: "1.00", timeInForce: "day", orderClass: "simple", clientOrderId: id };
    const first = await broker.submitOrder(request);
    const raw = await fetch(`${venue.baseUrl}/v2/orders`, {
      method: "POST",
      headers: venue.headers,
      body: JSON.stringify({ symbol: liquid.symbol, qty: "1", side: "buy", type: "limit", limit_price: "1.00", time_in_force: "day", client_order_id: id }),
    });
    expect(raw.status).toBe(422);
    expect(await raw.json()).toEqual({ code: 40010001, message: "client_order_id must be unique" });
    const second = await broker.submitOrder(request);
    expect(first.kind).toBe("submitted");
    expect(second).toMatchObject({ kind: "submitted", resolvedBy: "duplicate" });
    if (first.kind === "submitted" && second.kind === "submitted") expect(second.order.id).toBe(first.order.id);
    expect((await broker.getOrderByClientId(id))!.clientOrderId).toBe(id);
  });

  test("replace makes a new order that replaces the old one", async () => {
    const order = await submitted({ symbol: liquid.symbol, qty: "2", side: "buy", type: "limit", limitPrice: "1.00", timeInForce: "gtc", orderClass: "simple" });
    const replacement = await broker.replaceOrder(order.id, { clientOrderId: clientId("replace"), limitPrice: "1.05", qty: "4" });
    expect(replacement).toMatchObject({ qty: "4", limitPrice: "1.05", replaces: order.id });
    expect((await broker.getOrder(order.id))!).toMatchObject({ status: "replaced", replacedBy: replacement.id });
    await broker.cancelOrder(replacement.id);
  });

  test("a short sale needs a shortable asset, and selling more than is held is refused", async () => {
    const hardToBorrow = venue.venue.market.assets().find((a) => a.tradable && !a.easyToBorrow)!;
    const refused = await broker.submitOrder({ symbol: hardToBorrow.symbol, qty: "1", side: "sell", type: "market", timeInForce: "day", orderClass: "simple", clientOrderId: clientId("htb") });
    expect(refused).toMatchObject({ kind: "rejected", httpStatus: 403 });
    const position = (await broker.getPosition(liquid.symbol))!;
    const tooMany = await broker.submitOrder({
      symbol: liquid.symbol,
      qty: String(Number(position.qty) + 1),
      side: "sell",
      type: "market",
      timeInForce: "day",
      orderClass: "simple",
      clientOrderId: clientId("oversell"),
    });
    expect(tooMany).toMatchObject({ kind: "rejected", httpStatus: 403 });
    if (tooMany.kind === "rejected") expect(tooMany.message).toContain("insufficient qty available");
  });

  test("closing a position sends a market order for the held quantity", async () => {
    const order = await broker.closePosition(liquid.symbol);
    venue.advance(2);
    expect((await broker.getOrder(order.id))!.status).toBe("filled");
    expect(await broker.getPosition(liquid.symbol)).toBeNull();
  });
});

describe("brackets", () => {
  async function bracketAround(takeProfitPct: number, stopPct: number) {
    const price = await lastPrice(liquid.symbol);
    return submitted({
      symbol: liquid.symbol,
      qty: "10",
      side: "buy",
      type: "market",
      timeInForce: "gtc",
      orderClass: "bracket",
      takeProfit: { limitPrice: cents(price * (1 + takeProfitPct)) },
      stopLoss: { stopPrice: cents(price * (1 - stopPct)) },
    });
  }

  test("legs are held until the entry fills, then one exit fills and the other is canceled", async () => {
    const entry = await bracketAround(0.004, 0.004);
    expect(entry.orderClass).toBe("bracket");
    expect(entry.legs.map((leg) => leg.alpacaStatus)).toEqual(["held", "held"]);
    venue.advance(2);
    const live = (await broker.getOrder(entry.id))!;
    expect(live.status).toBe("filled");
    expect(live.legs.map((leg) => leg.alpacaStatus)).toEqual(["new", "new"]);
    // Tight exits: the market reaches one of them within the session.
    await waitFor("one exit to fill", async () => {
      venue.advance(300);
      const legs = (await broker.getOrder(entry.id))!.legs;
      return legs.some((leg) => leg.status === "filled") ? legs : null;
    });
    const legs = (await broker.getOrder(entry.id))!.legs;
    expect(legs.map((leg) => leg.status).sort()).toEqual(["cancelled", "filled"]);
    expect(await broker.getPosition(liquid.symbol)).toBeNull();
  });

  test("canceling an unfilled bracket entry cancels its legs", async () => {
    const price = await lastPrice(liquid.symbol);
    const entry = await submitted({
      symbol: liquid.symbol,
      qty: "10",
      side: "buy",
      type: "limit",
      limitPrice: cents(price * 0.5),
      timeInForce: "day",
      orderClass: "bracket",
      takeProfit: { limitPrice: cents(price * 0.6) },
      stopLoss: { stopPrice: cents(price * 0.4) },
    });
    await broker.cancelOrder(entry.id);
    const after = (await broker.getOrder(entry.id))!;
    expect([after.status, ...after.legs.map((leg) => leg.status)]).toEqual(["cancelled", "cancelled", "cancelled"]);
  });
});

describe("the trade_updates stream", () => {
  test("new and fill events arrive over the SDK's stream for an order", async () => {
    const updates: TradeUpdate[] = [];
    const stream = broker.streamTradeUpdates((update) => updates.push(update));
    try {
      expect(await stream.ready).toBe(true);
      const order = await submitted({ symbol: liquid.symbol, qty: "4", side: "buy", type: "market", timeInForce: "day", orderClass: "simple" });
      venue.advance(2);
      await waitFor("the fill event", async () => updates.some((u) => u.order.id === order.id && u.event === "fill"), 5_000);
      const events = updates.filter((u) => u.order.id === order.id).map((u) => u.event);
      expect(events).toEqual(["new", "fill"]);
      const fill = updates.find((u) => u.order.id === order.id && u.event === "fill")!;
      expect(fill.qty).toBe("4");
      expect(fill.positionQty).toBe("4");
    } finally {
      stream.close();
    }
  });

  test("wrong stream credentials are refused", async () => {
    const wrong = createAlpacaBroker({
      tradingBaseUrl: venue.baseUrl,
      dataBaseUrl: venue.baseUrl,
      streamUrl: venue.streamUrl,
      keyId: VENUE_KEY_ID,
      secret: "not-the-secret",
      callerName: "test",
      timeoutMs: 3_000,
    });
    const stream = wrong.streamTradeUpdates(() => undefined);
    try {
      expect(await stream.ready).toBe(false);
    } finally {
      stream.close();
    }
  });
});

describe("calendar edge days", () => {
  test("Good Friday 2026 is closed and the day after Thanksgiving closes at 13:00", async () => {
    const days = await broker.getCalendar("2026-04-01", "2026-04-07");
    expect(days.map((d) => d.date)).toEqual(["2026-04-01", "2026-04-02", "2026-04-06", "2026-04-07"]);
    const thanksgiving = await broker.getCalendar("2026-11-25", "2026-11-27");
    expect(thanksgiving.map((d) => [d.date, d.open, d.close])).toEqual([
      ["2026-11-25", "09:30", "16:00"],
      ["2026-11-27", "09:30", "13:00"],
    ]);
  });

  test("on an early-close day the clock closes at 13:00 New York time and day orders expire then", async () => {
    const early = startTestVenue({ seed: 11, start: "2026-11-27T12:55" });
    const earlyBroker = brokerFor(early);
    try {
      const clock = await earlyBroker.getClock();
      expect(clock.isOpen).toBe(true);
      expect(clock.nextClose).toBe("2026-11-27T18:00:00.000Z");
      const order = await earlyBroker.submitOrder({
        symbol: pickLiquid(early).symbol,
        qty: "1",
        side: "buy",
        type: "limit",
        limitPrice: "1.00",
        timeInForce: "day",
        orderClass: "simple",
        clientOrderId: "early-close-1",
      });
      expect(order.kind).toBe("submitted");
      early.advance(6 * 60);
      expect((await earlyBroker.getClock()).isOpen).toBe(false);
      expect((await earlyBroker.getOrderByClientId("early-close-1"))!.status).toBe("expired");
    } finally {
      await early.close();
    }
  });
});

describe("faults and audit", () => {
  test("an accepted order whose response is dropped is found by client id, not sent twice", async () => {
    const target = startTestVenue({ seed: 11, faults: { dropResponseRate: 1, dropHoldMs: 1_000 } });
    const impatient = brokerFor(target, "trading", 500);
    try {
      const id = "dropped-response-1";
      const outcome = await impatient.submitOrder({ symbol: pickLiquid(target).symbol, qty: "1", side: "buy", type: "limit", limitPrice: "1.00", timeInForce: "day", orderClass: "simple", clientOrderId: id });
      expect(outcome).toMatchObject({ kind: "submitted", resolvedBy: "lookup" });
      // The withheld response is audited when the venue finally answers it.
      const posts = await waitFor("the dropped POST in the audit", async () => {
        const entries = target.venue.audit.query({ method: "POST", pathPrefix: "/v2/orders", limit: 100 });
        return entries.length > 0 ? entries : null;
      });
      expect(posts.length).toBe(1);
      expect(posts[0]).toMatchObject({ fault: "drop_response", caller: expect.stringMatching(/^catalyst-trading\//) });
    } finally {
      await target.close();
    }
  });

  test("injected 5xx on reads is retried by the SDK; reject-after-accept shows as a rejected order and event", async () => {
    const target = startTestVenue({ seed: 11 });
    const client = brokerFor(target);
    try {
      expect((await target.admin("PUT", "/faults", { errorRate: 1, errorStatus: 503 })).status).toBe(200);
      await expect(client.getAccount()).rejects.toMatchObject({ kind: "server" });
      await target.admin("PUT", "/faults", { errorRate: 0, rejectRate: 1 });
      const updates: TradeUpdate[] = [];
      const stream = client.streamTradeUpdates((u) => updates.push(u));
      expect(await stream.ready).toBe(true);
      const outcome = await client.submitOrder({ symbol: pickLiquid(target).symbol, qty: "1", side: "buy", type: "market", timeInForce: "day", orderClass: "simple", clientOrderId: "reject-1" });
      expect(outcome.kind).toBe("submitted");
      await waitFor("the rejected event", async () => updates.some((u) => u.event === "rejected"), 5_000);
      expect((await client.getOrderByClientId("reject-1"))!.status).toBe("rejected");
      stream.close();
      const audit = target.venue.audit.query({ limit: 1_000 });
      expect(audit.filter((e) => e.fault === "http_503").length).toBeGreaterThanOrEqual(1);
      expect(audit.some((e) => e.fault === "reject_after_accept")).toBe(true);
    } finally {
      await target.close();
    }
  });

  test("added latency, dropped stream events and forced partial fills are observable", async () => {
    const target = startTestVenue({ seed: 11 });
    const client = brokerFor(target);
    const symbol = pickLiquid(target).symbol;
    try {
      await target.admin("PUT", "/faults", { latencyMs: 150 });
      const began = performance.now();
      await client.getClock();
      expect(performance.now() - began).toBeGreaterThanOrEqual(150);
      await target.admin("PUT", "/faults", { latencyMs: 0, dropStreamEventRate: 1, partialFills: 1 });
      const updates: TradeUpdate[] = [];
      const stream = client.streamTradeUpdates((u) => updates.push(u));
      expect(await stream.ready).toBe(true);
      const outcome = await client.submitOrder({ symbol, qty: "10", side: "buy", type: "market", timeInForce: "day", orderClass: "simple", clientOrderId: "partial-1" });
      target.advance(2);
      const order = (await client.getOrderByClientId("partial-1"))!;
      expect(outcome.kind).toBe("submitted");
      expect(order).toMatchObject({ status: "partial_fill", filledQty: "5" });
      await Bun.sleep(200);
      expect(updates).toEqual([]);
      stream.close();
    } finally {
      await target.close();
    }
  });

  test("a vanished position and an order placed outside Catalyst are drift the broker shows", async () => {
    const target = startTestVenue({ seed: 11 });
    const client = brokerFor(target);
    const symbol = pickLiquid(target).symbol;
    try {
      await client.submitOrder({ symbol, qty: "10", side: "buy", type: "market", timeInForce: "day", orderClass: "simple", clientOrderId: "mine-1" });
      target.advance(2);
      expect(await client.getPosition(symbol)).not.toBeNull();
      expect((await target.admin("POST", `/positions/${symbol}/vanish`)).status).toBe(200);
      expect(await client.getPosition(symbol)).toBeNull();
      const outside = await target.admin("POST", "/orders", { symbol, qty: "3", side: "buy", type: "market", time_in_force: "day", client_order_id: "placed-on-the-web" });
      expect(outside.status).toBe(200);
      target.advance(2);
      expect(await client.getPosition(symbol)).toMatchObject({ qty: "3" });
      expect((await client.getOrderByClientId("placed-on-the-web"))!.status).toBe("filled");
    } finally {
      await target.close();
    }
  });

  test("the audit tells callers apart: a read-only caller shows no writes", async () => {
    const watcher = brokerFor(venue, "doctor");
    await watcher.listOrders({ status: "all" });
    await watcher.listPositions();
    const response = await fetch(`${venue.baseUrl}/admin/v1/audit?caller=catalyst-doctor`, { headers: venue.headers });
    const { entries } = (await response.json()) as { entries: { method: string }[] };
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.every((e) => e.method === "GET")).toBe(true);
    const writers = await (await fetch(`${venue.baseUrl}/admin/v1/audit?caller=catalyst-test&method=POST`, { headers: venue.headers })).json();
    expect(writers.entries.length).toBeGreaterThan(0);
  });

  test("wrong or missing keys get Alpaca's error bodies", async () => {
    const missing = await fetch(`${venue.baseUrl}/v2/account`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 40110000 });
    const wrong = await fetch(`${venue.baseUrl}/v2/account`, { headers: { "APCA-API-KEY-ID": VENUE_KEY_ID, "APCA-API-SECRET-KEY": "nope" } });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: 40310000 });
  });
});

describe("determinism", () => {
  test("two venues with the same seed give identical bars, news and fills; another seed differs", async () => {
    const run = async (seed: number) => {
      const target = startTestVenue({ seed, start: "2026-03-10T09:45" });
      const client = brokerFor(target);
      try {
        const symbol = pickLiquid(target).symbol;
        await client.submitOrder({ symbol, qty: "50", side: "buy", type: "market", timeInForce: "day", orderClass: "simple", clientOrderId: "det-1" });
        const price = Number((await client.getLatestTrades([symbol]))[symbol]!.price);
        await client.submitOrder({ symbol, qty: "20", side: "buy", type: "limit", limitPrice: (price * 0.995).toFixed(2), timeInForce: "day", orderClass: "simple", clientOrderId: "det-2" });
        target.advance(3_600);
        const bars = await client.getBars([symbol], "1Min", { start: "2026-03-10T13:30:00Z", end: "2026-03-10T15:00:00Z" });
        const news = await client.getNews({ start: "2026-03-10T00:00:00Z", end: "2026-03-10T15:00:00Z", limit: 50 });
        const fills = (await client.listFills()).map(({ symbol, side, qty, price, transactionTime }) => ({ symbol, side, qty, price, transactionTime }));
        return JSON.stringify({ bars, news, fills });
      } finally {
        await target.close();
      }
    };
    const first = await run(5);
    expect(await run(5)).toBe(first);
    expect(first).toContain('"fills":[{');
    expect(await run(6)).not.toBe(first);
  });
});
