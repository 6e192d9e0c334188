/**
 * Flat by the close, or protected and escalated: three positions whose exits the venue fills only in
 * halves (an illiquid close), with no cycle running. The trading service's flattener sends the exits
 * in the window on its own, and a minute before the bell puts a working stop on what is left. After
 * the close: every Catalyst position is flat, or has a working stop AT THE VENUE and an open critical
 * not_flat_at_close issue; every attempt is recorded on the position; the database equals the venue.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { disagreements } from "../support/agreement.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";

const DAY = "2026-03-10";
const ENV = { VENUE_START: `${DAY}T15:20`, BROKER_REQUESTS_PER_MINUTE: "100000" };

for (const backend of BACKENDS) {
  describe(`the close with partial fills on ${backend.name}`, () => {
    let t: TestAppliance;

    beforeAll(async () => {
      t = await startTestAppliance(backend, ENV, ["venue", "risk", "trading"]);
    }, 60_000);
    afterAll(async () => t?.stop());

    test("no cycle; exits filled in halves: after the close each position is flat, or stopped at the venue and escalated", async () => {
      const symbols = (await liquidSymbols(t, 10)).slice(0, 3);
      for (const { symbol, price } of symbols) {
        const body = { symbol, side: "long", type: "market", qty: 64, stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), source: "api" };
        const placed = await t.api("trading", "/api/v1/orders", { body });
        expect({ symbol, status: placed.status, error: placed.body.error ?? null }).toEqual({ symbol, status: 200, error: null });
      }
      const opened = await waitFor("three open positions", async () => {
        const { body } = await t.api("trading", "/api/v1/positions");
        return body.positions.length === 3 && body.positions;
      });
      // The market will not cooperate: every fill that would complete an order gives only half.
      await t.venue("/admin/v1/faults", { method: "PUT", body: { partialFills: 100_000 } });
      // 30×: the flattener's passes, the stall and the protect lead are all in market time, so the
      // same minutes play out, in a third of the wall time 10× took.
      await t.venue("/admin/v1/clock", { method: "PUT", body: { time: new Date(etInstant(DAY, "15:57") + 30_000).toISOString(), speed: 30 } });
      const afterClose = etInstant(DAY, "16:01");
      await waitFor("the venue's clock past the close", async () => Date.parse((await t.venue("/v2/clock")).timestamp) >= afterClose, 90_000, 200);
      await t.venue("/admin/v1/faults", { method: "DELETE" });
      await t.api("trading", "/api/v1/sync", { method: "POST" });

      const open = (await t.api("trading", "/api/v1/positions")).body.positions as { positionId: number; symbol: string; qty: string }[];
      // From 15:57:30, halves (and a stall every 10 s) cannot empty 64 shares by 15:59: the protect path is what this proves.
      expect(open.length).toBeGreaterThan(0);
      const venueOpen = await t.venue("/v2/orders?status=open&limit=500");
      const sweep = await t.api("trading", "/api/v1/doctor/sweeps", { body: {} });
      expect(sweep.status).toBe(200);
      const notFlat = sweep.body.report.checks.find((c: { check: string }) => c.check === "not_flat_at_close");
      for (const p of open) {
        const stops = venueOpen.filter((o: { symbol: string; type: string; side: string }) => o.symbol === p.symbol && o.type === "stop" && o.side === "sell");
        expect({ symbol: p.symbol, stops: stops.length, qty: stops[0]?.qty }).toEqual({ symbol: p.symbol, stops: 1, qty: String(Number(p.qty)) });
        expect(notFlat.issues.some((i: { entity: string; severity: string }) => i.entity === `position:${p.positionId}` && i.severity === "critical")).toBe(true);
      }
      // Each position the flattener found open got an exit first (one its own leg closed before the window got none);
      // each one left got its stop back last.
      let flattened = 0;
      for (const p of opened as { positionId: number }[]) {
        const attempts = await t.sql`select action from position_exit_attempts where position_id = ${p.positionId} order by attempt_id`;
        const actions = attempts.map((a) => a.action);
        const stillOpen = open.some((o) => o.positionId === p.positionId);
        if (actions.length === 0 && !stillOpen) continue;
        flattened++;
        expect({ position: p.positionId, first: actions[0] }).toEqual({ position: p.positionId, first: "exit_sent" });
        if (stillOpen) expect({ position: p.positionId, last: actions.at(-1) }).toEqual({ position: p.positionId, last: "protected" });
      }
      expect(flattened).toBeGreaterThan(0);
      expect((await t.venue("/v2/positions")).filter((p: { side: string }) => p.side === "short")).toEqual([]);
      expect(await disagreements(t)).toEqual([]);
    }, 180_000);
  });
}
