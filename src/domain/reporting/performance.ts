/** Every performance figure of a window's closed trades, in the reporting contract's terms. */
import type { Decimal } from "../money.ts";
import { dailySharpe, equityCurve, maxDrawdown } from "./equity.ts";
import { scoreBuckets } from "./score-buckets.ts";
import { breakdown, tradeStats, type Breakdown, type ClosedTrade, type TradeStats } from "./trade-stats.ts";

export interface PerformanceMetrics extends TradeStats {
  maxDrawdown: Decimal;
  maxDrawdownPct: number | null;
  sharpe: number | null;
  equityCurve: { at: string; equity: Decimal }[];
  byPattern: Breakdown[];
  byCatalyst: Breakdown[];
  byScore: Breakdown[];
}

/** `startEquity` is the equity at `startAt` (the window's start; null = from the first close). */
export function performanceMetrics(trades: readonly ClosedTrade[], startEquity: Decimal, startAt: number | null): PerformanceMetrics {
  const curve = equityCurve(trades, startEquity, startAt);
  const drawdown = maxDrawdown(curve);
  return {
    ...tradeStats(trades),
    maxDrawdown: drawdown.amount,
    maxDrawdownPct: drawdown.pct,
    sharpe: dailySharpe(trades, startEquity),
    equityCurve: curve.map(({ at, equity }) => ({ at: new Date(at).toISOString(), equity })),
    byPattern: breakdown(trades, (t) => t.pattern),
    byCatalyst: breakdown(trades, (t) => t.catalyst),
    byScore: scoreBuckets(trades),
  };
}
