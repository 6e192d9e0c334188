/**
 * Never naked while an exit works, on both backends. A trader closes a position at 11:00 (outside
 * the flatten window); the close cancels the bracket legs to free the shares and sends a market
 * exit, and the venue fills the first few completing fills only by half, so a remainder waits for
 * the next minute's liquidity. Within TRADING_EXIT_STALL_SECONDS (5 market seconds here, not the
 * default 10, so each stall-and-retry round takes half the wall time) of its last fill, the
 * remainder has a working stop again; the close is then sent again until the position is flat.
 * Proved at the venue (its orders) and in the books, which agree.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { disagreements } from "../support/agreement.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";

const STALL_MS = 5_000;
/** The flattener looks every stall/4 of market time; the rest is the cancel's round trips at 8×. */
const REPROTECT_WITHIN_MS = STALL_MS + 20_000;
const ENV = { VENUE_START: "2026-03-10T11:00", VENUE_SPEED: "8", BROKER_REQUESTS_PER_MINUTE: "100000", TRADING_EXIT_STALL_SECONDS: String(STALL_MS / 1000) };

for (const backend of BACKENDS) {
  describe(`an exit that stops filling, on ${backend.name}`, () => {
    let t: TestAppliance;

    beforeAll(async () => {
      t = await startTestAppliance(backend, ENV, ["venue", "risk", "trading"]);
    }, 60_000);
    afterAll(async () => t?.stop());

    test("its remainder gets a stop again within the stall time, the close is sent again, and the position ends flat", async () => {
      const { symbol, price } = (await liquidSymbols(t, 1))[0]!;
      const placed = await t.api("trading", "/api/v1/orders", {
        body: { symbol, side: "long", type: "market", qty: 64, stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), source: "api" },
      });
      expect(placed.status).toBe(200);
      const position = await waitFor("the position to open", async () => (await t.api("trading", "/api/v1/positions")).body.positions[0]);
      await waitFor("its legs to work", async () => {
        const [legs] = await t.sql`select count(*)::int as n from orders where position_id = ${position.positionId} and role <> 'entry' and status = 'accepted'`;
        return legs!.n === 2;
      });

      // The market will not cooperate: the next three fills that would complete an exit give only half.
      await t.venue("/admin/v1/faults", { method: "PUT", body: { partialFills: 3 } });
      const closed = await t.api("trading", `/api/v1/positions/${position.positionId}/close`, { body: { reason: "stall test" } });
      expect({ status: closed.status, outcome: closed.body.outcome }).toEqual({ status: 200, outcome: "exit_sent" });
      await waitFor("the position to be closed", async () => (await t.api("trading", "/api/v1/positions")).body.positions.length === 0, 150_000, 250);

      const attempts = await t.sql`select action, reason, order_id from position_exit_attempts where position_id = ${position.positionId} order by attempt_id`;
      const reprotections = attempts.filter((a) => a.action === "protected");
      expect(reprotections.length).toBeGreaterThan(0);
      expect(reprotections.every((a) => a.reason === "exit_stalled")).toBe(true);
      // Exits and stops take turns, starting and ending with an exit.
      expect(attempts.map((a) => a.action)).toEqual(attempts.map((_, i) => (i % 2 === 0 ? "exit_sent" : "protected")));
      expect(attempts.at(-1)!.action).toBe("exit_sent");

      // Each stalled exit: cancelled with shares left, and a stop for exactly those shares within the bound.
      const venueOrders: any[] = await t.venue(`/v2/orders?status=all&limit=500&nested=false&symbols=${symbol}`);
      const atVenue = new Map(venueOrders.map((o) => [o.id, o]));
      const gaps: number[] = [];
      for (const stop of reprotections) {
        const [row] = await t.sql`
          select s.broker_order_id as stop_id, s.qty::text as stop_qty, s.submitted_at as stop_at,
                 x.broker_order_id as exit_id, (x.qty - x.filled_qty)::text as exit_left,
                 greatest(x.submitted_at, (select max(f.filled_at) from fills f where f.order_id = x.order_id)) as exit_progress_at
            from orders s, orders x
           where s.order_id = ${stop.order_id}
             and x.order_id = (select max(order_id) from orders where position_id = ${position.positionId} and role = 'exit' and order_id < s.order_id)`;
        const exit = atVenue.get(row!.exit_id);
        const venueStop = atVenue.get(row!.stop_id);
        expect({ exit: exit.status, stop: venueStop.type, stopQty: venueStop.qty, tif: venueStop.time_in_force }).toEqual({
          exit: "canceled",
          stop: "stop",
          stopQty: String(Number(row!.exit_left)),
          tif: "gtc",
        });
        // Cancelled by the next exit of the same close, not left working beside it.
        expect(venueStop.status).toBe("canceled");
        const unprotectedMs = new Date(row!.stop_at).getTime() - new Date(row!.exit_progress_at).getTime();
        gaps.push(unprotectedMs);
        expect(unprotectedMs).toBeGreaterThanOrEqual(STALL_MS);
        expect(unprotectedMs).toBeLessThanOrEqual(REPROTECT_WITHIN_MS);
      }
      console.log(`exit stall (${backend.name}): ${attempts.length} attempts, market ms from an exit's last fill to its remainder's stop: ${gaps.join(", ")}`);
      const [p] = await t.sql`select close_reason from positions where position_id = ${position.positionId}`;
      expect(p!.close_reason).toBe("manual_close");
      expect((await t.venue("/v2/positions")).filter((v: { symbol: string }) => v.symbol === symbol)).toEqual([]);
      expect(await disagreements(t)).toEqual([]);
    }, 240_000);
  });
}
