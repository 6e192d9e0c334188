/**
 * Risk and trading over real HTTP against the venue, on both backends: an entry becomes a bracket
 * whose fill opens the position; P&L comes from fills and equals the venue's; concurrent intents
 * cannot pass the limits; venue faults never duplicate an order; bad input writes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { disagreements } from "../support/agreement.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";

const ENV = { VENUE_START: "2026-03-10T10:30", BROKER_REQUESTS_PER_MINUTE: "100000", TRADING_UNKNOWN_ORDER_SECONDS: "2" };

/** A long bracket 3 % below / 7.5 % above the price: reward:risk 2.5. */
function longIntent(symbol: string, price: number, extra: Record<string, unknown> = {}) {
  return { symbol, side: "long", type: "market", stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), source: "api", ...extra };
}

async function counts(t: TestAppliance) {
  const [row] = await t.sql`select (select count(*) from orders)::int as orders, (select count(*) from positions)::int as positions,
                                   (select count(*) from fills)::int as fills, (select count(*) from risk_parameters)::int as parameters,
                                   (select count(*) from risk_events)::int as events`;
  return row;
}

async function flat(t: TestAppliance) {
  await t.api("trading", "/api/v1/flatten", { body: { reason: "clean slate" } });
  await waitFor("no open positions", async () => (await t.api("trading", "/api/v1/positions")).body.positions.length === 0);
}

async function openPosition(t: TestAppliance, symbol: string) {
  return waitFor(`an open ${symbol} position`, async () => {
    const { body } = await t.api("trading", "/api/v1/positions");
    return body.positions.find((p: any) => p.symbol === symbol);
  });
}

for (const backend of BACKENDS) {
  describe(`risk and trading on ${backend.name}`, () => {
    let t: Awaited<ReturnType<typeof startTestAppliance>>;
    let symbols: { symbol: string; price: number }[];

    beforeAll(async () => {
      t = await startTestAppliance(backend, ENV, ["venue", "risk", "trading"]);
      symbols = await liquidSymbols(t, 60);
      expect(symbols.length).toBeGreaterThanOrEqual(50);
    }, 60_000);
    afterAll(async () => t?.stop());

    test("bad input on every endpoint is a 4xx naming the field, and writes nothing", async () => {
      const before = await counts(t);
      const { symbol, price } = symbols[0]!;
      const cases: [string, string, string, unknown, number, string | undefined][] = [
        ["trading", "POST", "/api/v1/orders", { ...longIntent(symbol, price), stopLoss: undefined }, 422, "stopLoss"],
        ["trading", "POST", "/api/v1/orders", longIntent(symbol, price, { side: "buy" }), 422, "side"],
        ["trading", "POST", "/api/v1/orders", longIntent(symbol, price, { qty: 0 }), 422, "qty"],
        ["trading", "POST", "/api/v1/orders", longIntent(symbol, price, { limitPrice: "10.00" }), 422, "limitPrice"],
        ["trading", "POST", "/api/v1/orders", longIntent(symbol, price, { type: "limit" }), 422, "limitPrice"],
        ["trading", "POST", "/api/v1/orders", longIntent("$$$", price), 422, "symbol"],
        ["trading", "POST", "/api/v1/orders", longIntent(symbol, price, { stopLoss: "abc" }), 422, "stopLoss"],
        ["trading", "POST", "/api/v1/orders", longIntent(symbol, price, { stopLoss: -5 }), 422, "stopLoss"],
        ["trading", "POST", "/api/v1/orders", longIntent(symbol, price, { source: undefined }), 422, "source"],
        ["trading", "POST", "/api/v1/orders", longIntent(symbol, price, { idempotencyKey: "has spaces" }), 422, "idempotencyKey"],
        ["trading", "POST", "/api/v1/orders", longIntent(symbol, price, { cycleId: "nope" }), 422, "cycleId"],
        ["trading", "POST", "/api/v1/orders", longIntent(symbol, price, { cycleId: crypto.randomUUID() }), 404, "cycleId"],
        ["trading", "GET", "/api/v1/orders?status=bogus", undefined, 422, "status"],
        ["trading", "GET", "/api/v1/orders?limit=0", undefined, 422, "limit"],
        ["trading", "GET", "/api/v1/orders/abc", undefined, 422, "id"],
        ["trading", "GET", "/api/v1/orders/999999", undefined, 404, "id"],
        ["trading", "POST", "/api/v1/orders/999999/cancel", undefined, 404, "id"],
        ["trading", "GET", "/api/v1/positions?status=gone", undefined, 422, "status"],
        ["trading", "POST", "/api/v1/positions/abc/close", {}, 422, "id"],
        ["trading", "POST", "/api/v1/positions/999999/close", {}, 404, "id"],
        ["trading", "POST", "/api/v1/flatten", {}, 422, "reason"],
        ["risk", "POST", "/api/v1/risk/validate", { intent: { symbol } }, 422, "intent.side"],
        ["risk", "PUT", "/api/v1/risk/parameters", { changes: { maxDailyLoss: "999999" }, reason: "more room" }, 422, "changes.maxDailyLoss"],
        ["risk", "PUT", "/api/v1/risk/parameters", { changes: { maxOpenPositions: 500 }, reason: "more room" }, 422, "changes.maxOpenPositions"],
        ["risk", "PUT", "/api/v1/risk/parameters", { changes: {}, reason: "nothing" }, 422, "changes"],
        ["risk", "PUT", "/api/v1/risk/parameters", { changes: { maxDailyLoss: "100" } }, 422, "reason"],
        ["risk", "POST", "/api/v1/risk/emergency-stop", {}, 422, "reason"],
        ["risk", "DELETE", "/api/v1/risk/emergency-stop", undefined, 409, undefined],
      ];
      for (const [service, method, path, body, status, field] of cases) {
        const response = await t.api(service as "trading", path, { method, body });
        expect({ path, body, status: response.status }).toEqual({ path, body, status });
        if (field) expect({ path, body, field: response.body.error.field }).toEqual({ path, body, field });
        expect(response.body.error.message.length).toBeGreaterThan(10);
      }
      expect(await t.api("trading", "/api/v1/orders", { key: null })).toMatchObject({ status: 401 });
      expect(await t.api("trading", "/api/v1/orders", { key: "wrong-key-wrong-key" })).toMatchObject({ status: 401 });
      expect(await counts(t)).toEqual(before);
    });

    test("an entry becomes a bracket, its fill opens the position, closing realizes the venue's P&L", async () => {
      const { symbol, price } = symbols[1]!;
      const account0 = await t.venue("/v2/account");
      const placed = await t.api("trading", "/api/v1/orders", { body: longIntent(symbol, price, { idempotencyKey: "bracket-1", evidence: { pattern: "bull_flag" } }) });
      expect(placed.status).toBe(200);
      expect(placed.body).toMatchObject({ mode: "sim", outcome: "submitted", order: { role: "entry", orderClass: "bracket", side: "buy", timeInForce: "gtc" } });
      expect(placed.body.legs.map((l: any) => l.role).sort()).toEqual(["stop_loss", "take_profit"]);
      expect(placed.body.risk.approved).toBe(true);
      const again = await t.api("trading", "/api/v1/orders", { body: longIntent(symbol, price, { idempotencyKey: "bracket-1" }) });
      expect(again.body).toMatchObject({ outcome: "duplicate", order: { orderId: placed.body.order.orderId } });

      const position = await openPosition(t, symbol);
      expect(position).toMatchObject({ side: "long", qty: placed.body.order.qty, pattern: "bull_flag" });
      expect(Number(position.stopLoss)).toBe(Number(placed.body.risk.prices.stopLoss));
      await t.api("trading", "/api/v1/sync", { method: "POST" });
      const marked = (await t.api("trading", "/api/v1/positions")).body.positions.find((p: any) => p.positionId === position.positionId);
      expect(Number(marked.lastPrice)).toBeGreaterThan(0);
      expect(marked.unrealizedPnl).not.toBeNull();
      const [fromFills] = await t.sql`select sum(f.qty * f.price)::text as value, sum(f.qty)::text as qty from fills f where order_id = ${placed.body.order.orderId}`;
      expect(Number(fromFills!.qty)).toBe(Number(position.qty));

      const closed = await t.api("trading", `/api/v1/positions/${position.positionId}/close`, { body: { reason: "test" } });
      expect(closed.status).toBe(200);
      const done = await waitFor("the position closed", async () => {
        const { body } = await t.api("trading", "/api/v1/positions?status=closed");
        return body.positions.find((p: any) => p.positionId === position.positionId);
      });
      expect(done.closeReason).toBe("manual_close");
      const account1 = await t.venue("/v2/account");
      // No fees at the venue: the account's change is exactly the realized P&L of the round trip.
      expect((Number(account1.equity) - Number(account0.equity)).toFixed(2)).toBe(Number(done.realizedPnl).toFixed(2));
      const legs = await t.api("trading", `/api/v1/orders/${placed.body.order.orderId}`);
      // Both exits, the stop and the target, were cancelled when the position was closed by hand.
      expect(legs.body.legs.map((l: any) => l.status)).toEqual(["cancelled", "cancelled"]);
      expect(await disagreements(t)).toEqual([]);
    }, 60_000);

    test("50 concurrent intents cannot pass max open positions or the daily-loss budget", async () => {
      await flat(t);
      const intents = symbols.slice(2, 52).map(({ symbol, price }) => longIntent(symbol, price));
      const results = await Promise.all(intents.map((body) => t.api("trading", "/api/v1/orders", { body })));
      const approved = results.filter((r) => r.status === 200);
      const rejected = results.filter((r) => r.status === 422);
      expect(approved.length).toBe(5);
      expect(rejected.length).toBe(45);
      expect(rejected.every((r) => r.body.error.code === "risk_rejected" && r.body.error.message.includes("max_open_positions"))).toBe(true);
      const burstSymbols = new Set(intents.map((i) => i.symbol));
      const atVenue = (await t.venue("/v2/orders?status=all&limit=500")).filter((o: any) => o.order_class === "bracket" && o.side === "buy" && burstSymbols.has(o.symbol));
      expect(atVenue.length).toBe(5);
      expect(await disagreements(t)).toEqual([]);

      // Daily-loss budget: room for about two more trades' risk; ten at once must not overshoot it.
      await flat(t);
      const risk = await t.api("risk", "/api/v1/risk/status");
      const lost = Math.max(0, -Number(risk.body.dailyPnl.accountChange));
      const limit = (lost + 650).toFixed(2);
      expect((await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxDailyLoss: limit, maxOpenPositions: 10 }, reason: "race test" } })).status).toBe(200);
      const burst = await Promise.all(symbols.slice(2, 12).map(({ symbol, price }) => t.api("trading", "/api/v1/orders", { body: longIntent(symbol, price) })));
      const ok = burst.filter((r) => r.status === 200);
      const atRisk = ok.reduce((sum, r) => sum + Number(r.body.risk.sizing.riskUsd), 0);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(atRisk).toBeLessThanOrEqual(650);
      // Every answer is an approval or a 422, and the budget refused some: ten trades' risk do not fit in about two.
      const refused = burst.filter((r) => r.status === 422);
      expect(burst).toHaveLength(10);
      expect(refused.length).toBe(burst.length - ok.length);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((r) => r.body.error.message.includes("daily_loss_budget"))).toBe(true);
      await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxDailyLoss: "2000", maxOpenPositions: 5 }, reason: "restore" } });
      await t.api("trading", "/api/v1/flatten", { body: { reason: "clean slate" } });
    }, 120_000);

    test("venue faults: reject, 5xx, accept-then-drop and partial fills never duplicate an order", async () => {
      await flat(t);
      const faults = (plan: object | null) => t.venue("/admin/v1/faults", plan ? { method: "PUT", body: plan } : { method: "DELETE" });
      const [rejectMe, serverError, dropped, partial] = symbols.slice(52, 56) as { symbol: string; price: number }[];

      await faults({ rejectRate: 1 });
      const rejected = await t.api("trading", "/api/v1/orders", { body: longIntent(rejectMe!.symbol, rejectMe!.price) });
      await faults(null);
      expect(rejected.status).toBe(200);
      await waitFor("the rejected entry recorded", async () => (await t.api("trading", `/api/v1/orders/${rejected.body.order.orderId}`)).body.order.status === "rejected");

      await faults({ errorRate: 1, errorStatus: 503 });
      const before = await counts(t);
      const unavailable = await t.api("trading", "/api/v1/orders", { body: longIntent(serverError!.symbol, serverError!.price) });
      await faults(null);
      expect(unavailable.status).toBe(503);
      expect(unavailable.body.error.code).toBe("broker_unavailable");
      expect((await counts(t))!.orders).toBe(before!.orders);

      await faults({ dropResponseRate: 1, dropHoldMs: 300 });
      const lost = await t.api("trading", "/api/v1/orders", { body: longIntent(dropped!.symbol, dropped!.price, { idempotencyKey: "dropped-1" }) });
      await faults(null);
      expect(lost.status).toBe(200);
      expect(["submitted", "unknown"]).toContain(lost.body.outcome);
      await openPosition(t, dropped!.symbol);
      const clientId = lost.body.order.clientOrderId;
      expect((await t.venue("/v2/orders?status=all&limit=500")).filter((o: any) => o.client_order_id === clientId).length).toBe(1);

      await faults({ partialFills: 1 });
      const half = await t.api("trading", "/api/v1/orders", { body: longIntent(partial!.symbol, partial!.price) });
      const position = await openPosition(t, partial!.symbol);
      await faults(null);
      expect(Number(position.qty)).toBeLessThan(Number(half.body.order.qty));
      const closed = await t.api("trading", `/api/v1/positions/${position.positionId}/close`, { body: {} });
      expect(closed.status).toBe(200);
      await waitFor("the partial position closed", async () => (await t.api("trading", "/api/v1/positions?status=closed")).body.positions.some((p: any) => p.positionId === position.positionId));
      await flat(t);
      expect(await disagreements(t)).toEqual([]);
    }, 120_000);
  });
}
