/** The risk service's routes (5004): validate an entry, status, parameters, the kill switch. */
import { Type as t, type Static } from "@sinclair/typebox";
import { Money, Nullable, PriceInput, Ticker, TradeDirection, TradingMode, Uuid } from "./common.ts";
import { defineRoute } from "./route.ts";

/** What a trader (or the workflow) wants to open. Risk sizes it unless qty is given. */
export const EntryIntent = t.Object({
  symbol: Ticker,
  side: TradeDirection,
  type: t.Union([t.Literal("market"), t.Literal("limit")]),
  limitPrice: t.Optional(PriceInput),
  stopLoss: PriceInput,
  takeProfit: PriceInput,
  qty: t.Optional(t.Integer({ minimum: 1, maximum: 1_000_000, description: "whole shares; omit to size from the stop distance" })),
  cycleId: t.Optional(Uuid),
});
export type EntryIntent = Static<typeof EntryIntent>;

export const RiskVerdict = t.Object({ rule: t.String(), ok: t.Boolean(), detail: t.String() });
export type RiskVerdict = Static<typeof RiskVerdict>;

export const RiskSizing = t.Object({
  qty: t.Integer({ minimum: 0 }),
  /** The most shares that could be exited inside the flatten window (exit_liquidity); a size risk chooses is capped at it. Null: unknown. */
  maxExitQty: t.Optional(Nullable(t.Integer({ minimum: 0 }))),
  /** The price the checks assumed: the worse of the limit and the quote. */
  referencePrice: Money,
  notional: Money,
  /** $ lost if the stop fills at its price. */
  riskUsd: Money,
  rewardUsd: Money,
  rewardRisk: Nullable(t.Number()),
});
export type RiskSizing = Static<typeof RiskSizing>;

export const RiskDecision = t.Object({
  mode: TradingMode,
  approved: t.Boolean(),
  verdicts: t.Array(RiskVerdict),
  sizing: Nullable(RiskSizing),
  /** Rounded to the tick: what would be sent. */
  prices: t.Object({ limitPrice: Nullable(Money), stopLoss: Money, takeProfit: Money }),
  asOf: t.String(),
});
export type RiskDecision = Static<typeof RiskDecision>;

/** The adjustable limits (percentages are 0–100). */
export const RiskParameters = t.Object({
  maxOpenPositions: t.Integer({ minimum: 1, maximum: 100 }),
  maxPositionNotional: Money,
  maxPositionPctEquity: Money,
  maxDailyLoss: Money,
  dailyLossWarnPct: Money,
  maxSectorExposurePct: Money,
  minRewardRisk: Money,
  maxTradesPerDay: t.Integer({ minimum: 1, maximum: 1000 }),
  riskPerTradePct: Money,
});
export type RiskParameters = Static<typeof RiskParameters>;

export const RiskParameterChanges = t.Object(
  {
    maxOpenPositions: t.Optional(t.Integer({ minimum: 1, maximum: 100 })),
    maxPositionNotional: t.Optional(PriceInput),
    maxPositionPctEquity: t.Optional(PriceInput),
    maxDailyLoss: t.Optional(PriceInput),
    dailyLossWarnPct: t.Optional(PriceInput),
    maxSectorExposurePct: t.Optional(PriceInput),
    minRewardRisk: t.Optional(PriceInput),
    maxTradesPerDay: t.Optional(t.Integer({ minimum: 1, maximum: 1000 })),
    riskPerTradePct: t.Optional(PriceInput),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type RiskParameterChanges = Static<typeof RiskParameterChanges>;

export const DailyPnl = t.Object({
  tradingDate: t.String(),
  /** From the fills of positions closed today. */
  realized: Money,
  /** The whole account today: equity − equity at the previous close (realized + unrealized, every position). */
  accountChange: Money,
  unrealized: Money,
  /** Share of the daily loss limit used, 0–100+. */
  lossUsedPct: t.Number(),
  level: t.Union([t.Literal("ok"), t.Literal("warning"), t.Literal("halt")]),
});
export type DailyPnl = Static<typeof DailyPnl>;

export const KillSwitch = t.Object({
  active: t.Boolean(),
  reason: Nullable(t.String()),
  setAt: Nullable(t.String()),
  setBy: Nullable(t.String()),
});
export type KillSwitch = Static<typeof KillSwitch>;

export const RiskStatus = t.Object({
  mode: TradingMode,
  asOf: t.String(),
  marketOpen: t.Boolean(),
  limits: RiskParameters,
  hardBounds: RiskParameters,
  usage: t.Object({
    openPositions: t.Integer(),
    workingEntries: t.Integer(),
    entriesToday: t.Integer(),
    exposureUsd: Money,
    /** What open positions and working entries could still lose: to their stops, unprotected shares at RISK_UNPROTECTED_LOSS_PCT of their value. */
    atRiskUsd: Money,
    /** Open positions without a working stop. */
    unprotectedPositions: t.Integer(),
    equity: Money,
    /** Positions and working entries per sector bucket ("unclassified": no sector known), each against the sector cap; largest first. */
    bySector: t.Array(t.Object({ sector: t.String(), exposureUsd: Money, capUsd: Money })),
  }),
  dailyPnl: DailyPnl,
  halted: Nullable(t.Object({ reason: t.String(), at: t.String() })),
  killSwitch: KillSwitch,
  /** Whether a new entry could be approved right now (kill switch, halt and market aside from the trade itself). */
  entriesAllowed: t.Boolean(),
});
export type RiskStatus = Static<typeof RiskStatus>;

export const validateIntentRoute = defineRoute({
  service: "risk",
  method: "POST",
  path: "/api/v1/risk/validate",
  summary: "Check an entry against every risk rule and size it; nothing is reserved or sent",
  body: t.Object({ intent: EntryIntent }),
  response: RiskDecision,
});

export const riskStatusRoute = defineRoute({
  service: "risk",
  method: "GET",
  path: "/api/v1/risk/status",
  summary: "Limits, usage, today's P&L (realized + unrealized, whole account), halt and kill-switch state",
  response: RiskStatus,
});

export const updateRiskParametersRoute = defineRoute({
  service: "risk",
  method: "PUT",
  path: "/api/v1/risk/parameters",
  summary: "Change risk limits, within the hard bounds set in configuration (a new version is recorded)",
  body: t.Object({
    changes: RiskParameterChanges,
    reason: t.String({ minLength: 3, maxLength: 500 }),
    changedBy: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  }),
  response: t.Object({ parameters: RiskParameters, hardBounds: RiskParameters }),
});

export const EmergencyStopReport = t.Object({
  killSwitch: KillSwitch,
  cancelledOrders: t.Integer(),
  closingPositions: t.Integer(),
  problems: t.Array(t.String()),
});

export const emergencyStopRoute = defineRoute({
  service: "risk",
  method: "POST",
  path: "/api/v1/risk/emergency-stop",
  summary: "Kill switch: block every entry, cancel open orders and flatten every position, until cleared",
  body: t.Object({ reason: t.String({ minLength: 3, maxLength: 500 }), setBy: t.Optional(t.String({ minLength: 1, maxLength: 64 })) }),
  response: EmergencyStopReport,
});

export const clearEmergencyStopRoute = defineRoute({
  service: "risk",
  method: "DELETE",
  path: "/api/v1/risk/emergency-stop",
  summary: "Clear the kill switch so entries may resume (the daily-loss halt, if any, stays)",
  query: t.Object({
    clearedBy: t.Optional(t.String({ minLength: 1, maxLength: 64, description: "who clears it; the doctor may not (403)" })),
    reason: t.Optional(t.String({ minLength: 3, maxLength: 500 })),
  }),
  response: t.Object({ killSwitch: KillSwitch }),
});

/** New exit prices for an open position (adjust_position, protect_position): checked, nothing sent. */
export const ExitPrices = t.Object(
  {
    stopLoss: t.Optional(PriceInput),
    takeProfit: t.Optional(PriceInput),
  },
  { minProperties: 1, description: "the new stop and/or target; a stop left out stays where it works" },
);

export const ExitCheck = t.Object({
  mode: TradingMode,
  approved: t.Boolean(),
  verdicts: t.Array(RiskVerdict),
  positionId: t.Integer(),
  symbol: t.String(),
  side: TradeDirection,
  qty: Money,
  /** The mark the checks measured from. */
  price: Money,
  currentStop: Nullable(Money),
  currentTarget: Nullable(Money),
  /** Rounded to the tick: what would be sent. */
  prices: t.Object({ stopLoss: Money, takeProfit: Nullable(Money) }),
  riskUsd: Money,
  riskChangeUsd: Nullable(Money),
  rewardRisk: Nullable(t.Number()),
});
export type ExitCheck = Static<typeof ExitCheck>;

export const checkExitsRoute = defineRoute({
  service: "risk",
  method: "POST",
  path: "/api/v1/risk/exits/check",
  summary: "Check a new stop (and target) for an open position: stop on the safe side, the day's loss budget, reward:risk; nothing is sent",
  body: t.Object({ positionId: t.Integer({ minimum: 1 }), exits: ExitPrices }),
  response: ExitCheck,
});
