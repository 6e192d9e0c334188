/** Today's share of the daily loss limit and its level: ok, warning at the warn share, halt at the limit. */
import { describe, expect, test } from "bun:test";
import { dailyLossStatus } from "../../src/domain/risk/daily-loss.ts";

const LIMITS = { maxDailyLoss: "2000", dailyLossWarnPct: "75" };
const day = (equity: string) => dailyLossStatus({ equity, lastEquity: "100000", buyingPower: "0", tradingBlocked: false }, LIMITS);

describe("dailyLossStatus", () => {
  test("a winning day uses none of the limit", () => {
    expect(day("100250.50")).toEqual({ pnl: "250.50", lossUsedPct: 0, level: "ok" });
  });
  test("just below the warn share is ok", () => {
    expect(day("98500.01")).toEqual({ pnl: "-1499.99", lossUsedPct: 74.99, level: "ok" });
  });
  test("exactly the warn share (1500 of 2000 = 75 %) warns", () => {
    expect(day("98500")).toEqual({ pnl: "-1500", lossUsedPct: 75, level: "warning" });
  });
  test("a cent below the limit warns, and the percentage does not round up to 100", () => {
    expect(day("98000.01")).toEqual({ pnl: "-1999.99", lossUsedPct: 99.99, level: "warning" });
    expect(day("98000.0001").lossUsedPct).toBe(99.99);
  });
  test("exactly the limit halts", () => {
    expect(day("98000")).toEqual({ pnl: "-2000", lossUsedPct: 100, level: "halt" });
  });
  test("beyond the limit halts, over 100 %", () => {
    expect(day("97500")).toEqual({ pnl: "-2500", lossUsedPct: 125, level: "halt" });
  });
});
