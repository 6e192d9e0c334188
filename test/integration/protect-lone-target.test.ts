/**
 * A stop cancelled alone at the broker (by hand, or by a broker that does not take its target with
 * it) leaves the target holding the shares; a protective stop for them would be refused. Protecting
 * the position cancels that target first and puts a stop on every share, on both backends, proved
 * at the venue, with the books agreeing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { disagreements } from "../support/agreement.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";

for (const backend of BACKENDS) {
  describe(`a position whose stop was cancelled alone, on ${backend.name}`, () => {
    let t: TestAppliance;

    beforeAll(async () => {
      t = await startTestAppliance(backend, { VENUE_START: "2026-03-10T11:00", BROKER_REQUESTS_PER_MINUTE: "100000" }, ["venue", "risk", "trading"]);
    }, 60_000);
    afterAll(async () => t?.stop());

    test("protecting it cancels the lone target and stops every share at the venue", async () => {
      const { symbol, price } = (await liquidSymbols(t, 1))[0]!;
      const placed = await t.api("trading", "/api/v1/orders", {
        body: { symbol, side: "long", type: "market", qty: 30, stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), source: "api" },
      });
      expect(placed.status).toBe(200);
      const position = await waitFor("the position to open", async () => (await t.api("trading", "/api/v1/positions")).body.positions[0]);
      const legs = await waitFor("its legs to work", async () => {
        const rows = await t.sql`select role, broker_order_id from orders where position_id = ${position.positionId} and role <> 'entry' and status = 'accepted'`;
        return rows.length === 2 && rows;
      });
      const stopLeg = legs.find((l) => l.role === "stop_loss")!;
      const targetLeg = legs.find((l) => l.role === "take_profit")!;
      await t.venue(`/v2/orders/${stopLeg.broker_order_id}`, { method: "DELETE" });
      await t.api("trading", "/api/v1/sync", { method: "POST" });

      const protectedNow = await t.api("trading", "/api/v1/positions/protect", { body: { reason: "lone target test" } });
      expect({ status: protectedNow.status, naked: protectedNow.body.naked }).toEqual({ status: 200, naked: 0 });

      const open: any[] = await t.venue(`/v2/orders?status=open&limit=500&nested=false&symbols=${symbol}`);
      expect(open.map((o) => ({ type: o.type, side: o.side, qty: o.qty, tif: o.time_in_force }))).toEqual([{ type: "stop", side: "sell", qty: "30", tif: "gtc" }]);
      expect((await t.venue(`/v2/orders/${targetLeg.broker_order_id}`)).status).toBe("canceled");
      const [attempt] = await t.sql`select action, detail from position_exit_attempts where position_id = ${position.positionId} order by attempt_id desc limit 1`;
      expect(attempt!.action).toBe("protected");
      expect(attempt!.detail).toContain("target");
      expect(await disagreements(t)).toEqual([]);
    });
  });
}
