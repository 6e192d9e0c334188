/**
 * A simulated trading morning driven only through MCP, as Claude would drive it: the SDK client over
 * Streamable HTTP against the whole appliance (embedded database, the venue's clock at 4× from
 * 09:31 ET). Each step is one test, in order, sharing the day's state; a step (run_doctor, once the
 * doctor exists) goes in where it belongs. The database and the venue are read only to check
 * outcomes, never to act. The manual trade is over before 09:35, when the cycle's own entries may start.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { compareDecimal, multiplyDecimal, sumDecimal } from "../../src/domain/money.ts";
import { startSimulatedDay, type TestAppliance } from "../support/appliance.ts";
import { waitFor } from "../support/env.ts";
import { callTool, connectMcp, mcpUrl } from "../support/mcp.ts";

const DAY = "2026-03-10";
let t: TestAppliance;
let client: Client;

beforeAll(async () => {
  t = await startSimulatedDay(`${DAY}T09:31`, 4);
  client = await connectMcp(mcpUrl(t.config), { "x-api-key": t.key });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await t?.stop();
});

/** A tool call that must state the mode, whatever it answers. */
async function tool(name: string, args: Record<string, unknown> = {}): Promise<any> {
  const answer = await callTool(client, name, args);
  expect(answer.structuredContent.mode).toBe("sim");
  return answer;
}

/** A successful tool call's structured result. */
async function ok(name: string, args: Record<string, unknown> = {}): Promise<any> {
  const answer = await tool(name, args);
  if (answer.isError) throw new Error(`${name} failed: ${JSON.stringify(answer.structuredContent.error)}`);
  return answer.structuredContent;
}

async function resource(uri: string): Promise<any> {
  const read = await client.readResource({ uri });
  const body = JSON.parse((read.contents[0] as { text: string }).text);
  expect(body.mode).toBe("sim");
  return body.data;
}

/** What the trade did to the venue account's cash: its orders' fills, sells in and buys out. */
async function venueCashChange(positionId: number): Promise<string> {
  const brokerIds = new Set((await t.sql`select broker_order_id from orders where position_id = ${positionId}`).map((o) => o.broker_order_id));
  const fills: { order_id: string; side: string; price: string; qty: string }[] = await t.venue("/v2/account/activities/FILL?direction=asc&page_size=100");
  const mine = fills.filter((f) => brokerIds.has(f.order_id));
  expect(mine.length).toBeGreaterThanOrEqual(2);
  return sumDecimal(mine.map((f) => multiplyDecimal(f.side === "sell" ? f.price : `-${f.price}`, f.qty)));
}

const bracketAround = (price: number) => ({ stopLoss: (price * 0.95).toFixed(2), takeProfit: (price * 1.12).toFixed(2) });

const day = {} as {
  cycleId: string;
  symbol: string;
  price: number;
  trade: Record<string, unknown>;
  qty: number;
  entryOrderId: number;
  positionId: number;
  realizedPnl: string;
};

describe(`a morning on ${DAY} driven only through MCP`, () => {
  test("start_trading_cycle starts today's cycle", async () => {
    const { cycle } = await ok("start_trading_cycle", { mode: "conservative" });
    expect(cycle.tradingDate).toBe(DAY);
    day.cycleId = cycle.cycleId;
  });

  test("get_scan_results: the cycle's scan ranks long candidates", async () => {
    const scan = await waitFor("the cycle's first scan", async () => {
      const answer = await tool("get_scan_results", { limit: 10 });
      return answer.isError ? null : answer.structuredContent.scan;
    }, 30_000, 250);
    expect(scan.candidates.length).toBeGreaterThanOrEqual(1);
    expect(scan.candidates.map((c: { rank: number }) => c.rank)).toEqual(scan.candidates.map((_: unknown, i: number) => i + 1));
    const long = scan.candidates.find((c: { direction: string }) => c.direction === "long");
    expect(long).toBeDefined();
    day.symbol = long.symbol;
    day.price = long.price;
  });

  test("analyze_symbol on the scanned symbol: indicators, its scan history, news marked untrusted", async () => {
    const analysis = await ok("analyze_symbol", { symbol: day.symbol });
    expect(analysis.symbol).toBe(day.symbol);
    expect(analysis.indicators.symbol).toBe(day.symbol);
    expect(analysis.scanHistory).not.toBeNull();
    expect(analysis.untrustedExternalNews?.untrustedContent ?? true).toBe(true);
  });

  test("preview_trade sizes it and every rule passes; execute_trade with its token sends exactly that trade", async () => {
    day.trade = { symbol: day.symbol, side: "long", type: "market", ...bracketAround(day.price) };
    // About $2,000, well inside every limit: a size risk picks sits at a limit's edge, and the
    // re-check at execute would refuse it after a one-cent uptick of this fast market.
    const preview = await ok("preview_trade", { ...day.trade, qty: Math.max(1, Math.floor(2000 / day.price)) });
    expect({ approved: preview.approved, message: preview.message }).toMatchObject({ approved: true });
    expect(preview.decision.verdicts.every((v: { ok: boolean }) => v.ok)).toBe(true);
    day.qty = preview.trade.qty;
    expect(day.qty).toBeGreaterThan(0);

    const { placement } = await ok("execute_trade", { ...day.trade, confirmToken: preview.confirmToken });
    expect(placement.outcome).toBe("submitted");
    expect(placement.order.symbol).toBe(day.symbol);
    expect(Number(placement.order.qty)).toBe(day.qty);
    expect(placement.legs.length).toBe(2);
    day.entryOrderId = placement.order.orderId;
  });

  test("get_positions: the position appears once the entry fills, its quantity from the fills", async () => {
    const position = await waitFor("the MCP entry to fill", async () => {
      const { positions } = await ok("get_positions");
      // Outside the cycle: the cycle's own entries carry its id.
      return positions.find((p: { cycleId: string | null; symbol: string }) => p.cycleId === null && p.symbol === day.symbol);
    }, 30_000, 250);
    expect(position.status).toBe("open");
    expect(Number(position.qty)).toBe(day.qty);
    day.positionId = position.positionId;
    const [entered] = await t.sql`
      select p.entry_order_id::int as entry_order_id, coalesce(sum(f.qty), 0)::text as qty
        from positions p join fills f on f.order_id = p.entry_order_id
       where p.position_id = ${day.positionId} group by p.entry_order_id`;
    expect(entered).toEqual({ entry_order_id: day.entryOrderId, qty: expect.anything() });
    expect(Number(entered!.qty)).toBe(day.qty);
  });

  test("close_position: the exit fills and the realized P&L is what the venue account made on the trade", async () => {
    const closing = await ok("close_position", { positionId: day.positionId, reason: "taking it off through MCP" });
    expect(closing.exitOrder).not.toBeNull();
    const closed = await waitFor("the exit to fill", async () => {
      const { positions } = await ok("get_positions", { status: "closed" });
      return positions.find((p: { positionId: number }) => p.positionId === day.positionId);
    }, 30_000, 250);
    expect(closed.closeReason).not.toBeNull();
    expect(compareDecimal(closed.realizedPnl, await venueCashChange(day.positionId))).toBe(0);
    day.realizedPnl = closed.realizedPnl;
  });

  test("get_performance_report counts the trade and its P&L", async () => {
    // The report runs to the broker clock's now, which has whole seconds: a trade closed within the
    // current second joins the report when that second has passed.
    const performance = await waitFor("the report to reach the exit's second", async () => {
      const report = (await ok("get_performance_report", { period: "day" })).performance;
      return report.trades >= 1 ? report : null;
    }, 15_000, 100);
    const { positions: closed } = await ok("get_positions", { status: "closed" });
    expect(closed.map((p: { positionId: number }) => p.positionId)).toContain(day.positionId);
    expect(performance.trades).toBe(closed.length);
    expect(compareDecimal(performance.realizedPnl, sumDecimal(closed.map((p: { realizedPnl: string }) => p.realizedPnl)))).toBe(0);
  });

  test("run_doctor: the books and the venue agree after the day's trade, and its report is what doctor://status shows", async () => {
    const { doctor } = await ok("run_doctor", {});
    expect(doctor.report).toMatchObject({ version: "1.0", mode: "sim", status: "ok" });
    for (const check of doctor.report.checks) expect({ check: check.check, issues: check.issues }).toEqual({ check: check.check, issues: [] });
    const status = await resource("doctor://status");
    expect(status.lastSweep.sweepId).toBe(doctor.sweepId);
    expect(status.openIssues).toEqual({ critical: 0, warning: 0 });
  });

  test("emergency_stop: a token issued before it places nothing, and a new preview is rejected by the kill_switch rule", async () => {
    const before = await ok("preview_trade", { ...day.trade, qty: day.qty });
    expect(before.approved).toBe(true);

    const { stop } = await ok("emergency_stop", { reason: "end of the MCP day test" });
    expect(stop.killSwitch).toMatchObject({ active: true, reason: "end of the MCP day test", setBy: "mcp" });

    const refused = await tool("execute_trade", { ...day.trade, confirmToken: before.confirmToken });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent.error.code).toBe("rejected_by_risk");
    expect(refused.structuredContent.error.message).toContain("kill_switch");
    expect(refused.structuredContent.error.message).toContain("preview_trade again");
    const [mcpEntries] = await t.sql`select count(*)::int as n from orders where role = 'entry' and metadata->>'source' = 'mcp'`;
    expect(mcpEntries!.n).toBe(1);

    const after = await ok("preview_trade", { ...day.trade, qty: day.qty });
    expect(after.approved).toBe(false);
    expect(after.confirmToken).toBeNull();
    expect(after.decision.verdicts.find((v: { rule: string }) => v.rule === "kill_switch")).toMatchObject({ ok: false });
    expect(after.message).toContain("kill_switch");
  });

  test("after the stop everything is flat; positions://current and trading-cycle://current read that state", async () => {
    await waitFor("the emergency stop to flatten the account", async () => (await ok("get_positions")).positions.length === 0, 30_000, 250);
    expect((await resource("positions://current")).positions).toEqual([]);
    expect(await t.venue("/v2/positions")).toEqual([]);
    const cycle = await resource("trading-cycle://current");
    expect(cycle).toMatchObject({ cycleId: day.cycleId, tradingDate: DAY });
    expect(cycle.state).not.toBe("error");
  });
});
