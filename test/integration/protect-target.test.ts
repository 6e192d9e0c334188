/**
 * Protecting a naked position with a stop AND a target: the two go to the venue as one OCO pair
 * sharing the shares (the limit target the parent, the stop its leg), both recorded by Catalyst and
 * linked, with the books agreeing; a target on the losing side is refused naming the field; and
 * cancelling the pair's parent cancels both, at the venue and in our rows. Both backends.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { disagreements } from "../support/agreement.ts";
import { closeByTightPair, importedExternalPosition } from "../support/external-position.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";

const OPEN_STATUSES = ["new", "accepted", "held", "pending_new", "partially_filled"];

for (const backend of BACKENDS) {
  describe(`protecting a position with a stop and a target on ${backend.name}`, () => {
    let t: TestAppliance;

    beforeAll(async () => {
      t = await startTestAppliance(backend, { VENUE_START: "2026-03-10T10:30", BROKER_REQUESTS_PER_MINUTE: "100000" }, ["venue", "risk", "trading"]);
    }, 60_000);
    afterAll(async () => t?.stop());

    test("an external position gets one OCO pair at the venue, both orders in our books", async () => {
      const { symbol } = (await liquidSymbols(t, 1))[0]!;
      const { outsideOrderId, held, positionId } = await importedExternalPosition(t, symbol);
      const price = Number(held.current_price ?? held.avg_entry_price);
      const stopLoss = (price * 0.95).toFixed(2);

      const wrongSide = await t.api("trading", `/api/v1/positions/${positionId}/protect`, { body: { stopLoss, takeProfit: (price * 0.9).toFixed(2), reason: "target below a long" } });
      expect(wrongSide.status).toBe(422);
      expect(JSON.stringify(wrongSide.body)).toContain("target");

      const takeProfit = (price * 1.2).toFixed(2);
      const placed = await t.api("trading", `/api/v1/positions/${positionId}/protect`, { body: { stopLoss, takeProfit, reason: "imported naked" } });
      expect({ status: placed.status, error: placed.body.error ?? null }).toEqual({ status: 200, error: null });

      const open = ((await t.venue(`/v2/orders?status=open&nested=false&symbols=${symbol}&limit=500`)) as any[]).filter((o) => OPEN_STATUSES.includes(o.status));
      const parent = open.find((o) => o.type === "limit")!;
      const leg = open.find((o) => o.type === "stop")!;
      expect(open.map((o) => ({ type: o.type, side: o.side, qty: o.qty, cls: o.order_class })).sort((a, b) => a.type.localeCompare(b.type))).toEqual([
        { type: "limit", side: "sell", qty: "5", cls: "oco" },
        { type: "stop", side: "sell", qty: "5", cls: "oco" },
      ]);
      const nested = await t.venue(`/v2/orders/${parent.id}?nested=true`);
      expect(nested.legs.map((l: any) => l.id)).toEqual([leg.id]);

      const rows = await t.sql`select order_id::int, broker_order_id, role, order_class, parent_order_id::int, qty::int from orders where position_id = ${positionId} order by order_id`;
      const parentRow = rows.find((r) => r.role === "take_profit")!;
      expect(rows.map((r) => ({ role: r.role, broker: r.broker_order_id, parent: r.parent_order_id, qty: r.qty }))).toEqual([
        { role: "take_profit", broker: parent.id, parent: null, qty: 5 },
        { role: "stop_loss", broker: leg.id, parent: parentRow.order_id, qty: 5 },
      ]);
      expect(placed.body.placedStopOrderId).toBe(rows[1]!.order_id);
      expect(await disagreements(t, { symbols: [symbol], placedOutside: new Set([outsideOrderId]) })).toEqual([]);

      // Cancelling the pair's parent takes its leg with it; our rows follow.
      await t.venue(`/v2/orders/${parent.id}`, { method: "DELETE" });
      await t.api("trading", "/api/v1/sync", { method: "POST" });
      await waitFor("both rows cancelled", async () => {
        const statuses = await t.sql`select status from orders where position_id = ${positionId}`;
        return statuses.every((s) => s.status === "cancelled") && statuses.length === 2;
      });
      expect((await t.venue(`/v2/orders/${leg.id}`)).status).toBe("canceled");
      expect(await disagreements(t, { symbols: [symbol], placedOutside: new Set([outsideOrderId]) })).toEqual([]);
    });

    test("when one side of the pair fills, the other is cancelled and the imported position closes in the books", async () => {
      const { symbol } = (await liquidSymbols(t, 2))[1]!;
      const { outsideOrderId, held, positionId } = await importedExternalPosition(t, symbol);
      // A tight pair, so the market reaches one side within minutes.
      await closeByTightPair(t, { positionId, symbol, price: Number(held.current_price ?? held.avg_entry_price) });
      const [position] = await t.sql`select close_reason from positions where position_id = ${positionId}`;
      const rows = await t.sql`select role, status from orders where position_id = ${positionId} order by order_id`;
      expect(rows.map((r) => r.status).sort()).toEqual(["cancelled", "filled"]);
      expect(position!.close_reason).toBe(rows.find((r) => r.status === "filled")!.role === "stop_loss" ? "stop_loss" : "take_profit");
      expect(await disagreements(t, { symbols: [symbol], placedOutside: new Set([outsideOrderId]) })).toEqual([]);
    });
  });
}
