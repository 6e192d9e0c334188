import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { compareDecimal, sumDecimal } from "../../src/domain/money.ts";
import { openAfterClose } from "../../src/domain/reporting/after-close.ts";
import { performanceMetrics } from "../../src/domain/reporting/performance.ts";
import { scoreBand, scoreBuckets } from "../../src/domain/reporting/score-buckets.ts";
import type { ClosedTrade } from "../../src/domain/reporting/trade-stats.ts";

const trade = (realizedPnl: string, score: number | null | undefined): ClosedTrade => ({ closedAt: 0, realizedPnl, pattern: null, catalyst: null, score });

describe("P&L by scan score", () => {
  test("bands are fifths of 0–1; a score on a boundary opens the next band, and 1.0 is in the top one", () => {
    expect(scoreBand(0)).toBe("0.00–0.20");
    expect(scoreBand(0.2)).toBe("0.20–0.40");
    expect(scoreBand(0.5999)).toBe("0.40–0.60");
    expect(scoreBand(0.6)).toBe("0.60–0.80");
    expect(scoreBand(1)).toBe("0.80–1.00");
  });

  test("every band is listed best first, empty ones too, then the unscored trades; the rows add up to the trades", () => {
    const trades = [trade("120.50", 0.91), trade("-40.25", 0.83), trade("-10.00", 0.45), trade("5.10", 0.47), trade("33.33", null), trade("-1.01", undefined)];
    const rows = scoreBuckets(trades);
    expect(rows).toEqual([
      { key: "0.80–1.00", trades: 2, pnl: "80.25", winRatePct: 50 },
      { key: "0.60–0.80", trades: 0, pnl: "0.00", winRatePct: null },
      { key: "0.40–0.60", trades: 2, pnl: "-4.90", winRatePct: 50 },
      { key: "0.20–0.40", trades: 0, pnl: "0.00", winRatePct: null },
      { key: "0.00–0.20", trades: 0, pnl: "0.00", winRatePct: null },
      { key: "no score", trades: 2, pnl: "32.32", winRatePct: 50 },
    ]);
    expect(rows.reduce((n, r) => n + r.trades, 0)).toBe(trades.length);
    expect(compareDecimal(sumDecimal(rows.map((r) => r.pnl)), sumDecimal(trades.map((t) => t.realizedPnl)))).toBe(0);
  });

  test("without unscored trades there is no 'no score' row; performance carries the table", () => {
    const metrics = performanceMetrics([trade("10.00", 0.3)], "100000", null);
    expect(metrics.byScore.map((r) => r.key)).toEqual(["0.80–1.00", "0.60–0.80", "0.40–0.60", "0.20–0.40", "0.00–0.20"]);
    expect(metrics.byScore[3]).toEqual({ key: "0.20–0.40", trades: 1, pnl: "10.00", winRatePct: 100 });
  });
});

describe("open after the close", () => {
  const day = "2026-03-10";
  const at = (time: string) => etInstant(day, time);

  test("a position open at the bell is flagged once the session has closed, not before", () => {
    expect(openAfterClose({ openedAt: at("10:00"), closedAt: null }, day, at("16:05"))).toBe(true);
    expect(openAfterClose({ openedAt: at("10:00"), closedAt: null }, day, at("15:59"))).toBe(false);
    // Closed the next morning: it was still open after that day's close.
    expect(openAfterClose({ openedAt: at("10:00"), closedAt: etInstant("2026-03-11", "09:31") }, day, etInstant("2026-03-11", "12:00"))).toBe(true);
  });

  test("flat by the bell, or opened after it, or a day without a session: no flag", () => {
    expect(openAfterClose({ openedAt: at("10:00"), closedAt: at("15:55") }, day, at("17:00"))).toBe(false);
    expect(openAfterClose({ openedAt: at("16:30"), closedAt: null }, day, at("17:00"))).toBe(false);
    expect(openAfterClose({ openedAt: etInstant("2026-03-08", "10:00"), closedAt: null }, "2026-03-08", etInstant("2026-03-09", "10:00"))).toBe(false);
  });

  test("an early close (the day after Thanksgiving closes at 13:00) is the bell", () => {
    expect(openAfterClose({ openedAt: etInstant("2026-11-27", "10:00"), closedAt: null }, "2026-11-27", etInstant("2026-11-27", "13:30"))).toBe(true);
  });
});
