/**
 * The guards an entry meets besides the limits, over real HTTP against the venue, on both
 * backends: an idempotency key reused with other terms is a 409 and nothing reaches the venue;
 * an entry larger than what could be exited inside the flatten window is refused naming the
 * largest size (exit_liquidity), and a size risk chooses is capped at it; from the flatten
 * window's opening trading refuses entries (flatten_window).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { addDays, etDate, previousTradingDay, session, tradingDaysBetween } from "../../src/domain/exchange-calendar.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS } from "../support/env.ts";

const ENV = { VENUE_START: "2026-03-10T10:30", BROKER_REQUESTS_PER_MINUTE: "100000" };
const TODAY = "2026-03-10";

/** A long bracket 3 % below / 7.5 % above the price: reward:risk 2.5. */
function longIntent(symbol: string, price: number, extra: Record<string, unknown> = {}) {
  return { symbol, side: "long", type: "market", stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), source: "api", ...extra };
}

async function orderWritesAtVenueAfter(t: Pick<TestAppliance, "venue">, seq: number): Promise<unknown[]> {
  const { entries } = await t.venue(`/admin/v1/audit?after_seq=${seq}&path_prefix=/v2/orders&limit=10000`);
  return entries.filter((e: any) => ["POST", "PUT", "PATCH", "DELETE"].includes(e.method));
}

async function lastAuditSeq(t: Pick<TestAppliance, "venue">): Promise<number> {
  return (await t.venue("/admin/v1/audit?limit=1")).last_seq;
}

/**
 * A thinly traded symbol and the most shares of it that could be exited in a 15-minute window at
 * 10 % of its average minute, worked out here from the venue's daily bars of the 20 sessions
 * before today (regular-session volume over regular-session minutes).
 */
async function thinSymbol(t: Pick<TestAppliance, "venue">): Promise<{ symbol: string; price: number; maxExit: number }> {
  const assets: { symbol: string; tradable: boolean }[] = await t.venue("/v2/assets?status=active");
  const tradable = assets.filter((a) => a.tradable && /^[A-Z]{1,5}$/.test(a.symbol)).map((a) => a.symbol);
  const snapshots: Record<string, any> = {};
  for (let i = 0; i < tradable.length; i += 2_000) Object.assign(snapshots, await t.venue(`/v2/stocks/snapshots?symbols=${tradable.slice(i, i + 2_000).join(",")}`));
  const candidates = Object.entries(snapshots)
    .filter(([, s]) => s.latestTrade?.p >= 10 && s.latestTrade.p <= 100 && s.prevDailyBar && s.prevDailyBar.v > 5_000 && s.prevDailyBar.v < 60_000)
    .filter(([, s]) => s.latestQuote && (s.latestQuote.ap - s.latestQuote.bp) / s.latestQuote.ap < 0.01)
    .slice(0, 40)
    .map(([symbol, s]) => ({ symbol, price: s.latestTrade.p as number }));
  const lastDay = previousTradingDay(TODAY);
  const days = tradingDaysBetween(addDays(lastDay, -40), lastDay).slice(-20);
  const { bars } = await t.venue(
    `/v2/stocks/bars?symbols=${candidates.map((c) => c.symbol).join(",")}&timeframe=1Day&start=${days[0]}T00:00:00Z&end=${addDays(lastDay, 1)}T03:59:59Z&limit=10000`,
  );
  for (const candidate of candidates) {
    const series: { t: string; v: number }[] = (bars[candidate.symbol] ?? []).slice(-20);
    if (series.length < 20) continue;
    const shares = series.reduce((sum, b) => sum + b.v, 0);
    const minutes = series.reduce((sum, b) => {
      const day = session(etDate(Date.parse(b.t)))!;
      return sum + (day.close - day.open) / 60_000;
    }, 0);
    const maxExit = Math.floor((shares * 0.1 * 15) / minutes);
    if (maxExit >= 10 && maxExit <= 200) return { ...candidate, maxExit };
  }
  throw new Error("no thinly traded symbol in the venue's universe");
}

for (const backend of BACKENDS) {
  describe(`entry guards on ${backend.name}`, () => {
    let t: Awaited<ReturnType<typeof startTestAppliance>>;
    let symbols: { symbol: string; price: number }[];

    beforeAll(async () => {
      t = await startTestAppliance(backend, ENV, ["venue", "risk", "trading"]);
      symbols = await liquidSymbols(t, 5);
    }, 60_000);
    afterAll(async () => t?.stop());

    test("an idempotency key reused with other terms is a 409 naming the fields, and nothing reaches the venue", async () => {
      const { symbol, price } = symbols[0]!;
      const first = longIntent(symbol, price, { type: "limit", limitPrice: price.toFixed(2), qty: 10, idempotencyKey: "terms-1" });
      const placed = await t.api("trading", "/api/v1/orders", { body: first });
      expect(placed.status).toBe(200);
      const orderId = placed.body.order.orderId;
      const [{ count: ordersBefore }] = (await t.sql`select count(*)::int as count from orders`) as any;
      const seq = await lastAuditSeq(t);

      const other = { ...first, qty: 11, stopLoss: (price * 0.96).toFixed(2) };
      const conflict = await t.api("trading", "/api/v1/orders", { body: other });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error).toMatchObject({ code: "idempotency_conflict", field: "qty", details: { orderId, fields: ["qty", "stopLoss"] } });
      expect(conflict.body.error.message).toContain(`order ${orderId}`);
      expect(conflict.body.error.message).toContain("qty 10 then, 11 now");
      expect(conflict.body.error.message).toContain("stopLoss");

      // Another symbol, side or order type under the same key: each named.
      const otherSymbol = await t.api("trading", "/api/v1/orders", { body: { ...first, symbol: symbols[1]!.symbol } });
      expect(otherSymbol.body.error).toMatchObject({ code: "idempotency_conflict", details: { fields: ["symbol"] } });
      const market = await t.api("trading", "/api/v1/orders", { body: { ...first, type: "market", limitPrice: undefined } });
      expect(market.body.error).toMatchObject({ code: "idempotency_conflict", details: { fields: ["type", "limitPrice"] } });

      // The same terms, prices written differently (decimals compare as decimals): the first order, as a duplicate.
      const same = await t.api("trading", "/api/v1/orders", { body: { ...first, limitPrice: Number(price.toFixed(2)), stopLoss: `${first.stopLoss}0` } });
      expect(same.status).toBe(200);
      expect(same.body).toMatchObject({ outcome: "duplicate", order: { orderId } });

      expect(await orderWritesAtVenueAfter(t, seq)).toEqual([]);
      const [{ count: ordersAfter }] = (await t.sql`select count(*)::int as count from orders`) as any;
      expect(ordersAfter).toBe(ordersBefore);
      await t.api("trading", "/api/v1/flatten", { body: { reason: "clean slate" } });
    });

    test("an entry larger than what could be exited inside the flatten window is refused with exit_liquidity and the largest size", async () => {
      const thin = await thinSymbol(t);
      const limit = thin.price.toFixed(2);
      const intent = longIntent(thin.symbol, thin.price, { type: "limit", limitPrice: limit });
      const seq = await lastAuditSeq(t);

      const tooBig = await t.api("trading", "/api/v1/orders", { body: { ...intent, qty: thin.maxExit + 1 } });
      expect(tooBig.status).toBe(422);
      expect(tooBig.body.error.code).toBe("risk_rejected");
      const failed = tooBig.body.error.details.verdicts.filter((v: any) => !v.ok);
      expect(failed.map((v: any) => v.rule)).toEqual(["exit_liquidity"]);
      expect(failed[0].detail).toContain(`at most ${thin.maxExit} shares can be exited inside the 15-minute flatten window`);
      expect(failed[0].detail).toContain(`reduce qty to at most ${thin.maxExit} shares`);
      expect(tooBig.body.error.message).toContain("exit_liquidity");
      expect(await orderWritesAtVenueAfter(t, seq)).toEqual([]);

      // Exactly the largest size passes the rule; without qty, risk sizes it to that and says why.
      const atMost = await t.api("risk", "/api/v1/risk/validate", { body: { intent: { ...intent, qty: thin.maxExit } } });
      expect(atMost.body.verdicts.find((v: any) => v.rule === "exit_liquidity").ok).toBe(true);
      const sized = await t.api("risk", "/api/v1/risk/validate", { body: { intent } });
      expect(sized.body.approved).toBe(true);
      expect(sized.body.sizing).toMatchObject({ qty: thin.maxExit, maxExitQty: thin.maxExit });
      expect(sized.body.verdicts.find((v: any) => v.rule === "position_size").detail).toContain(`capped at ${thin.maxExit} shares by what could be exited inside the flatten window`);

      const placed = await t.api("trading", "/api/v1/orders", { body: intent });
      expect(placed.status).toBe(200);
      expect(Number(placed.body.order.qty)).toBe(thin.maxExit);
      await t.api("trading", "/api/v1/flatten", { body: { reason: "clean slate" } });
    });

    test("from the flatten window's opening (15:45 ET) trading refuses entries, saying when they resume", async () => {
      const { symbol, price } = symbols[2]!;
      await t.venue("/admin/v1/clock", { method: "PUT", body: { time: "2026-03-10T15:46:00-04:00" } });
      await Bun.sleep(1_100); // the broker's clock is shared for a second
      const seq = await lastAuditSeq(t);
      const refused = await t.api("trading", "/api/v1/orders", { body: longIntent(symbol, price) });
      expect(refused.status).toBe(422);
      const verdict = refused.body.error.details.verdicts.find((v: any) => v.rule === "flatten_window");
      expect(verdict).toEqual({
        rule: "flatten_window",
        ok: false,
        detail:
          "the flatten window opened at 15:45 ET, 15 min before the 16:00 ET close: no new entries, positions are being brought flat; entries resume when the next session opens, 2026-03-11 at 09:30 ET",
      });
      expect(await orderWritesAtVenueAfter(t, seq)).toEqual([]);
      const validated = await t.api("risk", "/api/v1/risk/validate", { body: { intent: longIntent(symbol, price) } });
      expect(validated.body.verdicts.find((v: any) => v.rule === "flatten_window").ok).toBe(false);
      expect((await t.api("risk", "/api/v1/risk/status")).body.entriesAllowed).toBe(false);
    });
  });
}
