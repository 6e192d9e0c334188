import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { dailySharpe, equityCurve, maxDrawdown } from "../../src/domain/reporting/equity.ts";
import { performanceMetrics } from "../../src/domain/reporting/performance.ts";
import { breakdown, tradeStats, type ClosedTrade } from "../../src/domain/reporting/trade-stats.ts";
import { unrealizedPnl } from "../../src/domain/reporting/unrealized.ts";

const DAY = "2026-03-10";
const at = (hhmm: string, date = DAY) => etInstant(date, hhmm);
const trade = (closedAt: number | string, realizedPnl: string, pattern: string | null = null, catalyst: string | null = null): ClosedTrade => ({
  closedAt,
  realizedPnl,
  pattern,
  catalyst,
});

/** +100, −50, +30, −20 on one day, from $10,000. */
const FOUR = [
  trade(at("09:45"), "100.00", "bull_flag", "earnings"),
  trade(at("10:30"), "-50.00", "bull_flag", "fda"),
  trade(new Date(at("11:15")).toISOString(), "30.00", "gap_and_go", "earnings"),
  trade(at("14:00"), "-20.00", null, null),
];

describe("trade statistics", () => {
  test("+100, −50, +30, −20: win rate, profit factor, expectancy, averages", () => {
    expect(tradeStats(FOUR)).toEqual({
      trades: 4,
      wins: 2,
      losses: 2,
      winRatePct: 50,
      realizedPnl: "60.00",
      grossProfit: "130.00",
      grossLoss: "-70.00",
      profitFactor: 1.8571, // 130 / 70
      expectancy: "15.00",
      avgWin: "65.00",
      avgLoss: "-35.00",
    });
  });

  test("a breakeven trade is neither a win nor a loss, but counts in the rate", () => {
    const stats = tradeStats([trade(1, "10"), trade(2, "0"), trade(3, "-5")]);
    expect(stats).toMatchObject({ trades: 3, wins: 1, losses: 1, winRatePct: 33.33, expectancy: "1.67" });
  });

  test("no losses → no profit factor; no trades → nothing to average", () => {
    expect(tradeStats([trade(1, "12.5")])).toMatchObject({ profitFactor: null, avgLoss: null, avgWin: "12.50", winRatePct: 100 });
    expect(tradeStats([])).toEqual({
      trades: 0,
      wins: 0,
      losses: 0,
      winRatePct: null,
      realizedPnl: "0.00",
      grossProfit: "0.00",
      grossLoss: "0.00",
      profitFactor: null,
      expectancy: null,
      avgWin: null,
      avgLoss: null,
    });
    expect(tradeStats([trade(1, "-3")]).profitFactor).toBe(0);
  });

  test("sums are exact: a thousand 0.01 trades make 10.00", () => {
    const pennies = Array.from({ length: 1000 }, (_, i) => trade(i, "0.01"));
    expect(tradeStats(pennies)).toMatchObject({ realizedPnl: "10.00", grossProfit: "10.00", expectancy: "0.01" });
  });
});

describe("breakdowns", () => {
  test("per pattern and per catalyst, null as none, best P&L first", () => {
    expect(breakdown(FOUR, (t) => t.pattern)).toEqual([
      { key: "bull_flag", trades: 2, pnl: "50.00", winRatePct: 50 },
      { key: "gap_and_go", trades: 1, pnl: "30.00", winRatePct: 100 },
      { key: "none", trades: 1, pnl: "-20.00", winRatePct: 0 },
    ]);
    expect(breakdown(FOUR, (t) => t.catalyst)).toEqual([
      { key: "earnings", trades: 2, pnl: "130.00", winRatePct: 100 },
      { key: "none", trades: 1, pnl: "-20.00", winRatePct: 0 },
      { key: "fda", trades: 1, pnl: "-50.00", winRatePct: 0 },
    ]);
  });
});

describe("equity curve and drawdown", () => {
  test("the curve starts at the window's start and steps at each close, oldest first", () => {
    const shuffled = [FOUR[2]!, FOUR[0]!, FOUR[3]!, FOUR[1]!];
    expect(equityCurve(shuffled, "10000", at("00:00"))).toEqual([
      { at: at("00:00"), equity: "10000.00" },
      { at: at("09:45"), equity: "10100.00" },
      { at: at("10:30"), equity: "10050.00" },
      { at: at("11:15"), equity: "10080.00" },
      { at: at("14:00"), equity: "10060.00" },
    ]);
  });

  test("without a window start the curve starts at the first close; without trades it is empty", () => {
    expect(equityCurve(FOUR, "10000", null)[0]).toEqual({ at: at("09:45"), equity: "10000.00" });
    expect(equityCurve([], "10000", null)).toEqual([]);
  });

  test("max drawdown: 10,100 → 10,050 is $50, 0.495 % of the peak (the later 10,080 → 10,060 is smaller)", () => {
    expect(maxDrawdown(equityCurve(FOUR, "10000", at("00:00")))).toEqual({ amount: "50.00", pct: 0.495 });
  });

  test("max drawdown below the start, and none on a rising curve", () => {
    const falling = [trade(1, "-100"), trade(2, "50"), trade(3, "-200"), trade(4, "400")];
    expect(maxDrawdown(equityCurve(falling, "10000", 0))).toEqual({ amount: "250.00", pct: 2.5 });
    expect(maxDrawdown(equityCurve([trade(1, "5"), trade(2, "7")], "1000", 0))).toEqual({ amount: "0.00", pct: 0 });
  });

  test("a drawdown from a non-positive peak has no percentage", () => {
    expect(maxDrawdown([{ at: 0, equity: "0.00" }, { at: 1, equity: "-10.00" }])).toEqual({ amount: "10.00", pct: null });
  });
});

describe("Sharpe from daily returns", () => {
  test("three days: +100 on 10,000, −50 on 10,100, +201 on 10,050 → 10.556", () => {
    const trades = [
      trade(at("10:00", "2026-03-09"), "60"),
      trade(at("15:00", "2026-03-09"), "40"),
      trade(at("11:00", "2026-03-10"), "-50"),
      trade(at("12:00", "2026-03-11"), "201"),
    ];
    const returns = [100 / 10_000, -50 / 10_100, 201 / 10_050];
    const mean = returns.reduce((a, b) => a + b) / 3;
    const stdev = Math.sqrt(returns.reduce((s, r) => s + (r - mean) ** 2, 0) / 2);
    expect(dailySharpe(trades, "10000")).toBeCloseTo((mean / stdev) * Math.sqrt(252), 3);
    expect(dailySharpe(trades, "10000")).toBeCloseTo(10.556, 3);
  });

  test("null with one day, or with no spread between days", () => {
    expect(dailySharpe(FOUR, "10000")).toBeNull();
    expect(dailySharpe([trade(at("10:00", "2026-03-09"), "100"), trade(at("10:00", "2026-03-10"), "101")], "10000")).toBeNull();
  });

  test("days are ET days: a close at 23:30 ET Monday is Monday's, though it is Tuesday in UTC", () => {
    const mondayLate = at("23:30", "2026-03-09");
    expect(new Date(mondayLate).toISOString().slice(0, 10)).toBe("2026-03-10");
    const trades = [trade(mondayLate, "100"), trade(at("10:00", "2026-03-10"), "-40")];
    expect(dailySharpe(trades, "10000")).not.toBeNull();
  });
});

describe("performance metrics", () => {
  test("every figure of the window together, curve times as ISO strings", () => {
    const metrics = performanceMetrics(FOUR, "10000", at("00:00"));
    expect(metrics).toMatchObject({ trades: 4, expectancy: "15.00", maxDrawdown: "50.00", maxDrawdownPct: 0.495, sharpe: null });
    expect(metrics.equityCurve.at(-1)).toEqual({ at: new Date(at("14:00")).toISOString(), equity: "10060.00" });
    expect(metrics.byPattern[0]!.key).toBe("bull_flag");
  });
});

describe("unrealized P&L", () => {
  test("long gains when the mark rises, short when it falls; no mark → 0", () => {
    expect(unrealizedPnl({ side: "long", qty: "100", avgEntryPrice: "10.00", lastPrice: "10.50" })).toBe("50.00");
    expect(unrealizedPnl({ side: "short", qty: "50", avgEntryPrice: "20.0000", lastPrice: "21.2340" })).toBe("-61.70");
    expect(unrealizedPnl({ side: "short", qty: "50", avgEntryPrice: "20", lastPrice: "19" })).toBe("50.00");
    expect(unrealizedPnl({ side: "long", qty: "10", avgEntryPrice: "5", lastPrice: null })).toBe("0.00");
  });
});
