/**
 * The realized equity curve of a run of closed trades, its worst peak-to-trough drawdown, and a
 * Sharpe ratio from daily returns. Equity is exact; the Sharpe ratio is a float statistic.
 */
import { etDate } from "../exchange-calendar.ts";
import { addDecimal, compareDecimal, divideDecimal, multiplyDecimal, subtractDecimal, sumDecimal, type Decimal } from "../money.ts";
import { cents, type ClosedTrade } from "./trade-stats.ts";

export interface EquityPoint {
  /** Epoch ms. */
  at: number;
  equity: Decimal;
}

export interface Drawdown {
  /** The largest fall from a peak, ≥ 0. */
  amount: Decimal;
  /** That fall as a share of its peak, 0–100; null when the peak was not positive. */
  pct: number | null;
}

const TRADING_DAYS_PER_YEAR = 252;

export const closedAtMs = (trade: ClosedTrade): number => (typeof trade.closedAt === "number" ? trade.closedAt : Date.parse(trade.closedAt));

/** Oldest close first; trades closed at the same instant keep their order. */
export function byCloseTime(trades: readonly ClosedTrade[]): ClosedTrade[] {
  return [...trades].sort((a, b) => closedAtMs(a) - closedAtMs(b));
}

/**
 * The starting equity at `startAt` (or at the first close when there is no window start), then
 * the equity after each close, oldest first.
 */
export function equityCurve(trades: readonly ClosedTrade[], startEquity: Decimal, startAt: number | null): EquityPoint[] {
  const ordered = byCloseTime(trades);
  const firstAt = startAt ?? (ordered[0] ? closedAtMs(ordered[0]) : null);
  if (firstAt === null) return [];
  let equity = cents(startEquity);
  const curve: EquityPoint[] = [{ at: firstAt, equity }];
  for (const trade of ordered) {
    equity = cents(addDecimal(equity, trade.realizedPnl));
    curve.push({ at: closedAtMs(trade), equity });
  }
  return curve;
}

export function maxDrawdown(curve: readonly EquityPoint[]): Drawdown {
  let peak: Decimal | null = null;
  let worst = { amount: "0.00", peak: null as Decimal | null };
  for (const { equity } of curve) {
    if (peak === null || compareDecimal(equity, peak) > 0) peak = equity;
    const fall = subtractDecimal(peak, equity);
    if (compareDecimal(fall, worst.amount) > 0) worst = { amount: cents(fall), peak };
  }
  const base = worst.peak ?? peak;
  const pct = base === null || compareDecimal(base, "0") <= 0 ? null : Number(divideDecimal(multiplyDecimal(worst.amount, "100"), base, 4, "half_up"));
  return { amount: worst.amount, pct };
}

/**
 * Annualised Sharpe ratio (risk-free rate 0) of daily realized returns: each ET day's P&L over
 * the equity at that day's start. Only days with a close count (a day without one has no
 * realized return). Null with fewer than two days, zero spread, or a non-positive equity base.
 */
export function dailySharpe(trades: readonly ClosedTrade[], startEquity: Decimal): number | null {
  const pnlByDay = new Map<string, Decimal[]>();
  for (const trade of byCloseTime(trades)) {
    const day = etDate(closedAtMs(trade));
    pnlByDay.set(day, [...(pnlByDay.get(day) ?? []), trade.realizedPnl]);
  }
  if (pnlByDay.size < 2) return null;
  const returns: number[] = [];
  let equity = startEquity;
  for (const pnls of pnlByDay.values()) {
    if (compareDecimal(equity, "0") <= 0) return null;
    const pnl = sumDecimal(pnls);
    returns.push(Number(pnl) / Number(equity));
    equity = addDecimal(equity, pnl);
  }
  const average = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((sum, r) => sum + (r - average) ** 2, 0) / (returns.length - 1);
  const stdev = Math.sqrt(variance);
  if (stdev === 0 || !Number.isFinite(stdev)) return null;
  return Math.round((average / stdev) * Math.sqrt(TRADING_DAYS_PER_YEAR) * 10_000) / 10_000;
}
