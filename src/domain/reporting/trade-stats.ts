/**
 * Win/loss statistics of closed trades, whole and per pattern or catalyst. Money sums are exact
 * (decimal strings, to the cent); rates and ratios are floats, for reading rather than ordering.
 */
import { absDecimal, compareDecimal, divideDecimal, roundDecimal, sumDecimal, type Decimal } from "../money.ts";

export interface ClosedTrade {
  /** When the position closed: epoch ms or an ISO-8601 instant. */
  closedAt: number | string;
  realizedPnl: Decimal;
  pattern: string | null;
  catalyst: string | null;
  /** The scan score the trade was entered on; absent or null when it had none (entered by hand). */
  score?: number | null;
}

export interface TradeStats {
  trades: number;
  wins: number;
  losses: number;
  winRatePct: number | null;
  realizedPnl: Decimal;
  grossProfit: Decimal;
  /** The sum of the losing trades: ≤ 0. */
  grossLoss: Decimal;
  /** grossProfit ÷ |grossLoss|; null without a loss (it would be infinite). */
  profitFactor: number | null;
  /** Mean P&L per trade. */
  expectancy: Decimal | null;
  avgWin: Decimal | null;
  avgLoss: Decimal | null;
}

export interface Breakdown {
  key: string;
  trades: number;
  pnl: Decimal;
  winRatePct: number | null;
}

/** A trade without a pattern or catalyst is grouped under this key. */
export const NO_KEY = "none";

export const cents = (value: Decimal): Decimal => roundDecimal(value, 2);

const isWin = (t: ClosedTrade) => compareDecimal(t.realizedPnl, "0") > 0;
const isLoss = (t: ClosedTrade) => compareDecimal(t.realizedPnl, "0") < 0;
const totalPnl = (trades: readonly ClosedTrade[]) => sumDecimal(trades.map((t) => t.realizedPnl));

function mean(trades: readonly ClosedTrade[]): Decimal | null {
  return trades.length === 0 ? null : divideDecimal(totalPnl(trades), String(trades.length), 2, "half_up");
}

function winRatePct(trades: readonly ClosedTrade[]): number | null {
  if (trades.length === 0) return null;
  return Math.round((trades.filter(isWin).length / trades.length) * 10_000) / 100;
}

export function tradeStats(trades: readonly ClosedTrade[]): TradeStats {
  const winners = trades.filter(isWin);
  const losers = trades.filter(isLoss);
  const grossProfit = cents(totalPnl(winners));
  const grossLoss = cents(totalPnl(losers));
  return {
    trades: trades.length,
    wins: winners.length,
    losses: losers.length,
    winRatePct: winRatePct(trades),
    realizedPnl: cents(totalPnl(trades)),
    grossProfit,
    grossLoss,
    profitFactor: losers.length === 0 ? null : Number(divideDecimal(grossProfit, absDecimal(grossLoss), 4, "half_up")),
    expectancy: mean(trades),
    avgWin: mean(winners),
    avgLoss: mean(losers),
  };
}

/** Trades grouped by a key (null → "none"), best P&L first. */
export function breakdown(trades: readonly ClosedTrade[], keyOf: (t: ClosedTrade) => string | null): Breakdown[] {
  const groups = new Map<string, ClosedTrade[]>();
  for (const trade of trades) {
    const key = keyOf(trade) ?? NO_KEY;
    groups.set(key, [...(groups.get(key) ?? []), trade]);
  }
  return [...groups]
    .map(([key, group]) => ({ key, trades: group.length, pnl: cents(totalPnl(group)), winRatePct: winRatePct(group) }))
    .sort((a, b) => compareDecimal(b.pnl, a.pnl) || a.key.localeCompare(b.key));
}
