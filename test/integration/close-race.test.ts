/**
 * One exit per position, whoever asks: 120 concurrent REST closes, MCP close_position calls,
 * flattens and an emergency stop over 10 open positions, with the venue slowed so they overlap.
 * Proven at the venue: exactly one exit order per position reached it (its audit), none refused,
 * no short position; and every caller was told the truth (exit sent, already closing with that
 * same exit, or already closed).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { disagreements } from "../support/agreement.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";
import { callTool, connectMcp, mcpUrl } from "../support/mcp.ts";

const ENV = {
  VENUE_START: "2026-03-10T10:30",
  BROKER_REQUESTS_PER_MINUTE: "100000",
  RISK_MAX_TRADES_PER_DAY: "50",
};
const POSITIONS = 10;

function longIntent(symbol: string, price: number) {
  return { symbol, side: "long", type: "market", qty: 10, stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), source: "api" };
}

for (const backend of BACKENDS) {
  describe(`one exit per position under concurrent closes on ${backend.name}`, () => {
    let t: TestAppliance;

    beforeAll(async () => {
      t = await startTestAppliance(backend, ENV, ["venue", "risk", "trading", "orchestration"]);
    }, 60_000);
    afterAll(async () => t?.stop());

    test("120 concurrent close / flatten / emergency stop / MCP close calls over 10 positions", async () => {
      const symbols = (await liquidSymbols(t, 40)).slice(0, POSITIONS);
      expect(symbols.length).toBe(POSITIONS);
      const limits = await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxOpenPositions: POSITIONS }, reason: "ten positions to race over" } });
      expect(limits.status).toBe(200);
      for (const { symbol, price } of symbols) {
        const placed = await t.api("trading", "/api/v1/orders", { body: longIntent(symbol, price) });
        expect({ symbol, status: placed.status, error: placed.body.error ?? null }).toEqual({ symbol, status: 200, error: null });
      }
      const positions = await waitFor("10 open positions", async () => {
        const { body } = await t.api("trading", "/api/v1/positions");
        return body.positions.length === POSITIONS && body.positions;
      });
      const ids: number[] = positions.map((p: { positionId: number }) => p.positionId);
      const { last_seq: auditFrom } = await t.venue("/admin/v1/audit?limit=1");
      // Every venue request takes 40 ms more: a close (two leg cancels, their polls, the exit) spans many of them.
      await t.venue("/admin/v1/faults", { method: "PUT", body: { latencyMs: 40 } });
      const mcp = await connectMcp(mcpUrl(t.config), { "x-api-key": t.key });

      type Answer = { via: string; positionId: number | null; status: number; body: any };
      const calls: Promise<Answer>[] = [];
      for (let round = 0; round < 10; round++) {
        for (const id of ids) {
          if (round % 5 === 4) {
            calls.push(callTool(mcp, "close_position", { positionId: id, reason: "race via mcp" }).then((r) => ({ via: "mcp", positionId: id, status: r.isError ? 409 : 200, body: r.structuredContent })));
          } else {
            calls.push(t.api("trading", `/api/v1/positions/${id}/close`, { body: { reason: "race" } }).then((r) => ({ via: "rest", positionId: id, ...r })));
          }
        }
        if (round % 3 === 0) calls.push(t.api("trading", "/api/v1/flatten", { body: { reason: "race flatten" } }).then((r) => ({ via: "flatten", positionId: null, ...r })));
      }
      calls.push(t.api("risk", "/api/v1/risk/emergency-stop", { body: { reason: "race emergency stop", setBy: "test" } }).then((r) => ({ via: "emergency", positionId: null, ...r })));
      const answers = await Promise.all(calls);
      await t.venue("/admin/v1/faults", { method: "DELETE" });
      expect(answers.length).toBeGreaterThanOrEqual(100);

      await waitFor("every position closed", async () => (await t.api("trading", "/api/v1/positions")).body.positions.length === 0, 30_000);
      // Each position: one exit order that reached the broker (a claim dropped before sending never does).
      const sent = await t.sql`select o.order_id::int, o.position_id::int from orders o where o.role = 'exit' and o.broker_order_id is not null order by o.order_id`;
      for (const id of ids) expect({ id, exits: sent.filter((e) => e.position_id === id).length }).toEqual({ id, exits: 1 });

      // At the venue: one sell per position's symbol after the race began, none refused, nobody short.
      const audit = await t.venue(`/admin/v1/audit?after_seq=${auditFrom}&method=POST&path_prefix=/v2/orders&limit=10000`);
      const posted = audit.entries.map((e: { body: { symbol: string; side: string; client_order_id: string }; status: number }) => ({ ...e.body, status: e.status }));
      for (const { symbol } of symbols) {
        const sells = posted.filter((o: { symbol: string; side: string }) => o.symbol === symbol && o.side === "sell");
        expect({ symbol, sells: sells.length, refused: sells.filter((o: { status: number }) => o.status >= 400).length }).toEqual({ symbol, sells: 1, refused: 0 });
      }
      const venueOrders = await t.venue("/v2/orders?status=all&limit=500&direction=desc");
      expect(venueOrders.filter((o: { status: string }) => o.status === "rejected")).toEqual([]);
      expect((await t.venue("/v2/positions")).filter((p: { side: string }) => p.side === "short")).toEqual([]);

      // The truth to every caller: a 200 names the one exit of its position; a 409 says it was closed.
      const exitOf = new Map(sent.map((e) => [e.position_id, e.order_id]));
      for (const a of answers.filter((x) => x.via === "rest" || x.via === "mcp")) {
        if (a.status === 200) {
          expect(["exit_sent", "already_closing", "closed_meanwhile"]).toContain(a.body.outcome);
          if (a.body.outcome !== "closed_meanwhile") expect({ position: a.positionId, exit: a.body.exitOrder.orderId }).toEqual({ position: a.positionId, exit: exitOf.get(a.positionId!) });
        } else {
          expect({ position: a.positionId, status: a.status, code: a.via === "rest" ? a.body.error.code : "position_closed" }).toEqual({ position: a.positionId, status: 409, code: "position_closed" });
        }
      }
      expect(answers.filter((a) => a.via === "rest" && a.status === 200 && a.body.outcome === "exit_sent").length).toBeLessThanOrEqual(POSITIONS);
      for (const a of answers.filter((x) => x.via === "flatten" || x.via === "emergency")) {
        expect(a.status).toBe(200);
        const problems: string[] = a.body.problems;
        expect(problems).toEqual([]);
      }
      await mcp.close();
      expect(await disagreements(t)).toEqual([]);
    }, 180_000);
  });
}
