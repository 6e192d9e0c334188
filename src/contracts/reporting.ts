/** The reporting service's routes (5009): performance, journal, and the HTML page at /. */
import { Type as t, type Static } from "@sinclair/typebox";
import { Money, Nullable, TradingMode } from "./common.ts";
import { RiskVerdict } from "./risk.ts";
import { CandidateCatalyst } from "./scanner.ts";
import { FillView, OrderView } from "./trading.ts";
import { defineRoute } from "./route.ts";

export const Breakdown = t.Object({ key: t.String(), trades: t.Integer(), pnl: Money, winRatePct: Nullable(t.Number()) });

export const Performance = t.Object({
  mode: TradingMode,
  period: t.Union([t.Literal("day"), t.Literal("week"), t.Literal("month"), t.Literal("all")]),
  from: Nullable(t.String()),
  to: t.String(),
  trades: t.Integer(),
  wins: t.Integer(),
  losses: t.Integer(),
  winRatePct: Nullable(t.Number()),
  realizedPnl: Money,
  unrealizedPnl: Money,
  grossProfit: Money,
  grossLoss: Money,
  profitFactor: Nullable(t.Number()),
  /** Average P&L per closed trade. */
  expectancy: Nullable(Money),
  avgWin: Nullable(Money),
  avgLoss: Nullable(Money),
  maxDrawdown: Money,
  maxDrawdownPct: Nullable(t.Number()),
  /** Annualised from daily realized returns (√252); null with fewer than 2 days. */
  sharpe: Nullable(t.Number()),
  equityCurve: t.Array(t.Object({ at: t.String(), equity: Money })),
  byPattern: t.Array(Breakdown),
  byCatalyst: t.Array(Breakdown),
  /** By the scan score entered on, in fifths of 0–1 (best first, every band listed), then "no score": is the score predictive? */
  byScore: t.Array(Breakdown),
});
export type Performance = Static<typeof Performance>;

export const JournalTrade = t.Object({
  positionId: t.Integer(),
  symbol: t.String(),
  side: t.String(),
  status: t.String(),
  qty: Money,
  avgEntryPrice: Money,
  avgExitPrice: Nullable(Money),
  realizedPnl: Money,
  openedAt: t.String(),
  closedAt: Nullable(t.String()),
  closeReason: Nullable(t.String()),
  /** The chart pattern behind the entry (never the stop's method: that is stopBasis). */
  pattern: Nullable(t.String()),
  /** The catalyst's kind; catalystNews has the item itself when the scan recorded it. */
  catalyst: Nullable(t.String()),
  catalystNews: Nullable(CandidateCatalyst),
  /** How the stop was set: the pattern's levels or ATR. */
  stopBasis: Nullable(t.Union([t.Literal("pattern"), t.Literal("atr")])),
  /** Still open when the day's session closed (false while the session runs); heldOvernight says whether by choice. */
  openAfterClose: t.Boolean(),
  heldOvernight: t.Boolean(),
  scan: Nullable(t.Object({ scanId: t.String(), rank: Nullable(t.Integer()), score: Nullable(t.Number()), reasons: t.Array(t.String()) })),
  risk: Nullable(t.Object({ approved: t.Boolean(), verdicts: t.Array(RiskVerdict) })),
  orders: t.Array(OrderView),
  fills: t.Array(FillView),
});
export type JournalTrade = Static<typeof JournalTrade>;

const EtDateQuery = (description: string) => t.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", description });

export const performanceRoute = defineRoute({
  service: "reporting",
  method: "GET",
  path: "/api/v1/performance",
  summary: "P&L, win rate, profit factor, expectancy, drawdown, Sharpe, per-pattern and per-catalyst results",
  query: t.Object({
    period: t.Optional(t.Union([t.Literal("day"), t.Literal("week"), t.Literal("month"), t.Literal("all")])),
    date: t.Optional(EtDateQuery("YYYY-MM-DD: the period that ET day ends in, closed trades up to its end (default: today); unrealized is the open book now")),
  }),
  response: Performance,
});

export const journalRoute = defineRoute({
  service: "reporting",
  method: "GET",
  path: "/api/v1/journal",
  summary: "Every trade of an ET trading day with its scan evidence, risk verdicts, orders and fills",
  query: t.Object({ date: t.Optional(EtDateQuery("YYYY-MM-DD (default: today, ET)")) }),
  response: t.Object({ mode: TradingMode, date: t.String(), trades: t.Array(JournalTrade) }),
});
