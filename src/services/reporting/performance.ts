/** A period's performance: its closed trades measured against the equity the account had when the period began. */
import type { Sql } from "postgres";
import type { BrokerAccount } from "../../adapters/broker/broker.ts";
import type { Performance } from "../../contracts/reporting.ts";
import { roundDecimal, subtractDecimal, sumDecimal, type Decimal } from "../../domain/money.ts";
import { performanceMetrics } from "../../domain/reporting/performance.ts";
import { periodStart, type ReportPeriod } from "../../domain/reporting/periods.ts";
import { unrealizedPnl } from "../../domain/reporting/unrealized.ts";
import { closedTrades, type OpenPosition } from "./store.ts";

function totalUnrealized(open: readonly OpenPosition[]): Decimal {
  return roundDecimal(sumDecimal(open.map(unrealizedPnl)), 2);
}

export async function performanceOf(
  sql: Sql,
  market: { now: number; account: BrokerAccount; open: readonly OpenPosition[] },
  period: ReportPeriod,
  mode: Performance["mode"],
): Promise<Performance> {
  const from = periodStart(period, market.now);
  const trades = await closedTrades(sql, from, market.now);
  const unrealized = totalUnrealized(market.open);
  const realized = sumDecimal(trades.map((t) => t.realizedPnl));
  // Starting equity: the broker's equity now, less the open positions' marks and the P&L realized
  // since the period began, so the curve ends at today's equity net of open trades. The same rule
  // for every period; it assumes no deposits or withdrawals inside the window.
  const startEquity = subtractDecimal(subtractDecimal(market.account.equity, unrealized), realized);
  return {
    mode,
    period,
    from: from === null ? null : new Date(from).toISOString(),
    to: new Date(market.now).toISOString(),
    unrealizedPnl: unrealized,
    ...performanceMetrics(trades, startEquity, from),
  };
}
