/** The trading service's routes (5005): orders, positions, close, flatten, sync. */
import { Type as t, type Static } from "@sinclair/typebox";
import { Money, Nullable, PriceInput, Ticker, TradingMode, Uuid } from "./common.ts";
import { EntryIntent, ExitCheck, ExitPrices, RiskDecision } from "./risk.ts";
import { defineRoute } from "./route.ts";

export const OrderStatus = t.Union(
  ["created", "submitted", "accepted", "partial_fill", "filled", "cancelled", "rejected", "expired", "replaced"].map((s) => t.Literal(s)),
);
export const OrderRole = t.Union(["entry", "stop_loss", "take_profit", "exit", "scale_in", "scale_out"].map((s) => t.Literal(s)));
export const OrderSource = t.Union([t.Literal("workflow"), t.Literal("mcp"), t.Literal("api"), t.Literal("user")]);

export const OrderView = t.Object({
  orderId: t.Integer(),
  clientOrderId: t.String(),
  brokerOrderId: Nullable(t.String()),
  parentOrderId: Nullable(t.Integer()),
  positionId: Nullable(t.Integer()),
  cycleId: Nullable(t.String()),
  symbol: t.String(),
  role: t.String(),
  orderClass: t.String(),
  side: t.Union([t.Literal("buy"), t.Literal("sell")]),
  type: t.String(),
  timeInForce: t.String(),
  qty: Money,
  filledQty: Money,
  limitPrice: Nullable(Money),
  stopPrice: Nullable(Money),
  filledAvgPrice: Nullable(Money),
  status: t.String(),
  brokerStatus: Nullable(t.String()),
  source: t.String(),
  rejectionReason: Nullable(t.String()),
  cancelReason: Nullable(t.String()),
  createdAt: t.String(),
  submittedAt: Nullable(t.String()),
  filledAt: Nullable(t.String()),
});
export type OrderView = Static<typeof OrderView>;

export const FillView = t.Object({
  fillId: t.Integer(),
  orderId: t.Integer(),
  side: t.String(),
  qty: Money,
  price: Money,
  filledAt: t.String(),
  receivedVia: t.String(),
});
export type FillView = Static<typeof FillView>;

export const PositionView = t.Object({
  positionId: t.Integer(),
  symbol: t.String(),
  cycleId: Nullable(t.String()),
  side: t.Union([t.Literal("long"), t.Literal("short")]),
  status: t.Union([t.Literal("open"), t.Literal("closed")]),
  qty: Money,
  avgEntryPrice: Money,
  avgExitPrice: Nullable(Money),
  lastPrice: Nullable(Money),
  unrealizedPnl: Nullable(Money),
  realizedPnl: Money,
  stopLoss: Nullable(Money),
  takeProfit: Nullable(Money),
  initialRisk: Nullable(Money),
  source: t.String(),
  closeReason: Nullable(t.String()),
  pattern: Nullable(t.String()),
  catalyst: Nullable(t.String()),
  /** Exempt from the end-of-day flatten (the trader's choice); it keeps its stop overnight. */
  holdOvernight: t.Boolean(),
  openedAt: t.String(),
  closedAt: Nullable(t.String()),
});
export type PositionView = Static<typeof PositionView>;

/** Why a trade was taken, kept with the entry order for the journal. */
export const TradeEvidence = t.Object({
  scanId: t.Optional(Uuid),
  rank: t.Optional(t.Integer({ minimum: 1 })),
  score: t.Optional(t.Number({ minimum: 0, maximum: 1 })),
  /** A chart pattern's name; never the stop's method (that is stopBasis). */
  pattern: t.Optional(t.String({ maxLength: 64 })),
  /** The catalyst's kind (earnings, fda, …); the scan row named by scanId has its headline. */
  catalyst: t.Optional(t.String({ maxLength: 64 })),
  /** How the stop was set: from the pattern's levels, or ATR. */
  stopBasis: t.Optional(t.Union([t.Literal("pattern"), t.Literal("atr")])),
  note: t.Optional(t.String({ maxLength: 500 })),
});
export type TradeEvidence = Static<typeof TradeEvidence>;

export const PlaceOrderBody = t.Composite([
  EntryIntent,
  t.Object({
    source: OrderSource,
    /** The same key always means the same order: a retried request returns the first one, never a second order. */
    idempotencyKey: t.Optional(t.String({ minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9:._-]+$" })),
    evidence: t.Optional(TradeEvidence),
  }),
]);
export type PlaceOrderBody = Static<typeof PlaceOrderBody>;

export const OrderPlacement = t.Object({
  mode: TradingMode,
  /** submitted: the broker has it. unknown: the broker's answer was lost; it is being looked up, never re-sent. duplicate: this idempotency key's order. */
  outcome: t.Union([t.Literal("submitted"), t.Literal("unknown"), t.Literal("duplicate")]),
  order: OrderView,
  legs: t.Array(OrderView),
  risk: Nullable(RiskDecision),
  message: t.String(),
});
export type OrderPlacement = Static<typeof OrderPlacement>;

export const placeOrderRoute = defineRoute({
  service: "trading",
  method: "POST",
  path: "/api/v1/orders",
  summary: "Open a position with a bracket order (entry + stop loss + take profit), after the risk checks",
  body: PlaceOrderBody,
  response: OrderPlacement,
});

export const OrderStatusFilter = t.Union([t.Literal("open"), t.Literal("closed"), t.Literal("all"), OrderStatus]);

export const listOrdersRoute = defineRoute({
  service: "trading",
  method: "GET",
  path: "/api/v1/orders",
  summary: "Orders, newest first (open = created/submitted/accepted/partial_fill)",
  query: t.Object({
    status: t.Optional(OrderStatusFilter),
    symbol: t.Optional(Ticker),
    cycleId: t.Optional(Uuid),
    limit: t.Optional(t.Integer({ minimum: 1, maximum: 1000 })),
  }),
  response: t.Object({ mode: TradingMode, orders: t.Array(OrderView) }),
});

export const getOrderRoute = defineRoute({
  service: "trading",
  method: "GET",
  path: "/api/v1/orders/:id",
  summary: "One order with its legs and fills",
  params: t.Object({ id: t.Integer({ minimum: 1 }) }),
  response: t.Object({ mode: TradingMode, order: OrderView, legs: t.Array(OrderView), fills: t.Array(FillView) }),
});

export const cancelOrderRoute = defineRoute({
  service: "trading",
  method: "POST",
  path: "/api/v1/orders/:id/cancel",
  summary: "Ask the broker to cancel a working order (the status follows from the broker's answer)",
  params: t.Object({ id: t.Integer({ minimum: 1 }) }),
  response: t.Object({ mode: TradingMode, order: OrderView, outcome: t.String() }),
});

export const listPositionsRoute = defineRoute({
  service: "trading",
  method: "GET",
  path: "/api/v1/positions",
  summary: "Positions (default open), newest first, with unrealized P&L at the last mark",
  query: t.Object({
    status: t.Optional(t.Union([t.Literal("open"), t.Literal("closed"), t.Literal("all")])),
    cycleId: t.Optional(Uuid),
    limit: t.Optional(t.Integer({ minimum: 1, maximum: 1000 })),
  }),
  response: t.Object({ mode: TradingMode, positions: t.Array(PositionView) }),
});

/** exit_sent: this call sent the exit; already_closing: one was working, it is returned; closed_meanwhile: a leg closed it first. */
export const CloseOutcome = t.Union([t.Literal("exit_sent"), t.Literal("already_closing"), t.Literal("closed_meanwhile")]);
export type CloseOutcome = Static<typeof CloseOutcome>;

export const closePositionRoute = defineRoute({
  service: "trading",
  method: "POST",
  path: "/api/v1/positions/:id/close",
  summary: "Close a position at market: its protective legs are cancelled first, then one exit order is sent; a second close while one works gets that exit back",
  params: t.Object({ id: t.Integer({ minimum: 1 }) }),
  body: t.Object({
    reason: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
    qty: t.Optional(t.Integer({ minimum: 1, maximum: 1_000_000, description: "close only this many shares (a partial close); the rest keeps a stop sized to it" })),
  }),
  response: t.Object({ mode: TradingMode, outcome: CloseOutcome, position: PositionView, exitOrder: Nullable(OrderView), message: t.String() }),
});

export const ExitsChange = t.Object({
  mode: TradingMode,
  position: PositionView,
  /** The risk check the change passed. */
  check: ExitCheck,
  /** Legs replaced at the broker (PATCH), each old order → its replacement. */
  replaced: t.Array(t.Object({ role: t.String(), fromOrderId: t.Integer(), toOrderId: Nullable(t.Integer()), detail: t.String() })),
  placedStopOrderId: Nullable(t.Integer()),
  message: t.String(),
});

export const adjustExitsRoute = defineRoute({
  service: "trading",
  method: "POST",
  path: "/api/v1/positions/:id/exits",
  summary: "Move an open position's stop and/or target: risk checks the new prices, then each working leg is replaced at the broker (the old one works until the new one exists)",
  params: t.Object({ id: t.Integer({ minimum: 1 }) }),
  body: t.Composite([ExitPrices, t.Object({ reason: t.String({ minLength: 3, maxLength: 200 }) })]),
  response: ExitsChange,
});

export const protectPositionRoute = defineRoute({
  service: "trading",
  method: "POST",
  path: "/api/v1/positions/:id/protect",
  summary: "Attach a GTC stop (and optionally a take-profit target, the two as an OCO pair sharing the shares) to an open position (Catalyst's or external) that has none working; risk checks the prices first",
  params: t.Object({ id: t.Integer({ minimum: 1 }) }),
  body: t.Object({ stopLoss: PriceInput, takeProfit: t.Optional(PriceInput), reason: t.String({ minLength: 3, maxLength: 200 }) }),
  response: ExitsChange,
});

export const holdOvernightRoute = defineRoute({
  service: "trading",
  method: "PUT",
  path: "/api/v1/positions/:id/hold-overnight",
  summary: "Exempt an open position from the end-of-day flatten (it keeps its stop overnight), or undo that",
  params: t.Object({ id: t.Integer({ minimum: 1 }) }),
  body: t.Object({ holdOvernight: t.Boolean(), reason: t.String({ minLength: 3, maxLength: 200 }) }),
  response: t.Object({ mode: TradingMode, position: PositionView, message: t.String() }),
});

export const FlattenReport = t.Object({
  mode: TradingMode,
  cancelledOrders: t.Integer(),
  closingPositions: t.Integer(),
  problems: t.Array(t.String()),
});
export type FlattenReport = Static<typeof FlattenReport>;

export const flattenRoute = defineRoute({
  service: "trading",
  method: "POST",
  path: "/api/v1/flatten",
  summary: "Cancel every working order and close every open position at market",
  body: t.Object({
    reason: t.String({ minLength: 3, maxLength: 200 }),
    /** Recorded as the positions' close reason (default flatten). */
    trigger: t.Optional(t.Union([t.Literal("flatten"), t.Literal("end_of_day"), t.Literal("emergency_stop")])),
  }),
  response: FlattenReport,
});

export const syncRoute = defineRoute({
  service: "trading",
  method: "POST",
  path: "/api/v1/sync",
  summary: "Reconcile open orders with the broker now (the polling backstop of the trade_updates stream)",
  response: t.Object({ mode: TradingMode, checked: t.Integer(), updated: t.Integer(), fillsApplied: t.Integer() }),
});

export const ProtectionView = t.Object({
  positionId: t.Integer(),
  symbol: t.String(),
  /** The working stop's order, or null when none could be placed (the position is naked). */
  stopOrderId: Nullable(t.Integer()),
  message: t.String(),
});

export const protectPositionsRoute = defineRoute({
  service: "trading",
  method: "POST",
  path: "/api/v1/positions/protect",
  summary: "Make sure every open Catalyst position has a working stop at the broker (placing one where none works); lists any still naked",
  body: t.Object({ reason: t.String({ minLength: 3, maxLength: 200 }) }),
  response: t.Object({ mode: TradingMode, positions: t.Array(ProtectionView), naked: t.Integer() }),
});
