/**
 * A whole simulated trading day through the running appliance (embedded database, in-process bus,
 * the venue at 600×): one aggressive cycle from the pre-market scan to the flatten. Afterwards
 * every position came from fills, every order row matches the venue, and the P&L the reports
 * show equals what the venue's account gained or lost.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { compareDecimal, subtractDecimal, sumDecimal } from "../../src/domain/money.ts";
import { disagreements } from "../support/agreement.ts";
import { startSimulatedDay, type TestAppliance } from "../support/appliance.ts";
import { waitFor } from "../support/env.ts";

const DAY = "2026-03-10";
let t: TestAppliance & { restart(): Promise<TestAppliance> };

beforeAll(async () => {
  t = await startSimulatedDay(`${DAY}T09:05`, 600);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

test(`a whole day (${DAY}, aggressive, venue at 600×): positions only from fills, DB = venue, reported P&L = the venue account's change`, async () => {
  const startEquity: string = (await t.venue("/v2/account")).equity;
  const started = await t.api("workflow", "/api/v1/cycles", { body: { mode: "aggressive" } });
  expect(started.status).toBe(200);
  const cycleId: string = started.body.cycleId;

  const cycle = await waitFor(
    "the cycle to close after the flatten",
    async () => {
      const { body } = await t.api("workflow", `/api/v1/cycles/${cycleId}`);
      return body.state === "closed" || body.state === "error" ? body : null;
    },
    300_000,
    500,
  );
  expect(cycle.state).toBe("closed");
  expect(cycle.scans).toBeGreaterThanOrEqual(10);
  expect(cycle.entriesPlaced).toBeGreaterThanOrEqual(1);

  // Positions only from fills: each one has its entry order, and its quantities are its fills'.
  const positions = await t.sql`
    select p.position_id, p.status, p.qty::text, p.entry_order_id, p.realized_pnl::text,
           (select coalesce(sum(f.qty), 0) from fills f join orders o using (order_id) where o.position_id = p.position_id and o.role in ('entry', 'scale_in'))::text as entered,
           (select coalesce(sum(f.qty), 0) from fills f join orders o using (order_id) where o.position_id = p.position_id and o.role not in ('entry', 'scale_in'))::text as exited
      from positions p`;
  expect(positions.length).toBeGreaterThanOrEqual(1);
  for (const p of positions) {
    expect(p.entry_order_id).not.toBeNull();
    expect(p.status).toBe("closed");
    expect(compareDecimal(p.entered, "0")).toBe(1);
    expect(compareDecimal(p.entered, p.exited)).toBe(0);
  }
  // Flat before the bell at 600× (a session in 39 s): the last fill on the day is before 16:00 New York.
  const [last] = await t.sql`select max(filled_at) as at from fills`;
  expect(new Date(last!.at).getTime()).toBeLessThan(etInstant(DAY, "16:00"));
  const [unfilled] = await t.sql`
    select count(*)::int as n from positions p
     where not exists (select 1 from fills f join orders o using (order_id) where o.order_id = p.entry_order_id)`;
  expect(unfilled!.n).toBe(0);

  // Every order row matches the venue, and the venue is flat.
  expect(await disagreements(t)).toEqual([]);
  expect(await t.venue("/v2/positions")).toEqual([]);

  // The P&L the reports show is what the account made, to the cent.
  const endEquity: string = (await t.venue("/v2/account")).equity;
  const venueChange = subtractDecimal(endEquity, startEquity);
  const performance = (await t.api("reporting", "/api/v1/performance?period=day")).body;
  expect(performance.trades).toBe(positions.length);
  expect(performance.unrealizedPnl).toBe("0.00");
  expect(compareDecimal(performance.realizedPnl, venueChange)).toBe(0);
  expect(compareDecimal(sumDecimal(positions.map((p) => p.realized_pnl)), venueChange)).toBe(0);

  // The journal tells each trade's story: the risk verdicts, its orders and its fills.
  const journal = (await t.api("reporting", `/api/v1/journal?date=${DAY}`)).body;
  expect(journal.trades.length).toBe(positions.length);
  for (const trade of journal.trades) {
    expect(trade.risk?.verdicts.length).toBeGreaterThan(0);
    expect(trade.orders.length).toBeGreaterThanOrEqual(3);
    expect(trade.fills.length).toBeGreaterThanOrEqual(2);
    // Where the news decided the direction, the trade is linked to that news; a pattern is a chart pattern.
    const newsDecided = /^(bullish|bearish) (\w+) news decides the direction$/.exec(trade.scan?.reasons[0] ?? "");
    if (newsDecided) {
      expect(trade.catalystNews).toMatchObject({ kind: newsDecided[2], headline: expect.any(String), strength: expect.any(Number) });
      expect(trade.catalyst).toBe(newsDecided[2]);
    }
    expect(trade.pattern).not.toBe("atr");
    expect(["pattern", "atr"]).toContain(trade.stopBasis);
    expect(trade.openAfterClose).toBe(false);
  }
  // Some trade of the aggressive day was news-driven (else the check above tested nothing).
  expect(journal.trades.some((trade: { catalystNews: unknown }) => trade.catalystNews !== null)).toBe(true);
  // P&L by scan score adds up to the day.
  expect(performance.byScore.reduce((n: number, b: { trades: number }) => n + b.trades, 0)).toBe(performance.trades);
  expect(compareDecimal(sumDecimal(performance.byScore.map((b: { pnl: string }) => b.pnl)), performance.realizedPnl)).toBe(0);
  expect(performance.byScore.find((b: { key: string }) => b.key === "no score")).toBeUndefined();
  console.log(`trading day: ${cycle.scans} scans, ${positions.length} trades, P&L ${performance.realizedPnl} (venue ${venueChange})`);
}, 360_000);
