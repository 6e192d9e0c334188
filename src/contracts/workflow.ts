/** The workflow service's routes (5006): the trading cycle. */
import { Type as t, type Static } from "@sinclair/typebox";
import { Money, Nullable, TradingMode, Uuid } from "./common.ts";
import { defineRoute } from "./route.ts";
import { ScanMode } from "./scanner.ts";

export const CycleState = t.Union(
  ["created", "scanning", "trading", "monitoring", "closing", "closed", "halted", "error"].map((s) => t.Literal(s)),
);

/** The day's timetable in ISO instants (America/New_York on the exchange calendar). */
export const DayPlan = t.Object({
  tradingDate: t.String(),
  earlyClose: t.Boolean(),
  premarketScanAt: t.String(),
  open: t.String(),
  entriesFrom: t.String(),
  entriesUntil: t.String(),
  flattenAt: t.String(),
  close: t.String(),
});
export type DayPlan = Static<typeof DayPlan>;

export const ModeSettings = t.Object({
  scanEveryMinutes: t.Integer(),
  maxEntries: t.Integer(),
  minScore: t.Number(),
  /** Multiplies risk per trade. */
  sizeMultiplier: t.Number(),
  longOnly: t.Boolean(),
});
export type ModeSettings = Static<typeof ModeSettings>;

export const CycleView = t.Object({
  mode: TradingMode,
  cycleId: t.String(),
  tradingDate: t.String(),
  state: CycleState,
  riskMode: ScanMode,
  settings: ModeSettings,
  plan: Nullable(DayPlan),
  startedAt: t.String(),
  endedAt: Nullable(t.String()),
  lastScanAt: Nullable(t.String()),
  lastScanId: Nullable(t.String()),
  scans: t.Integer(),
  entriesPlaced: t.Integer(),
  errorMessage: Nullable(t.String()),
  /** Why the cycle halted (the emergency stop or the daily-loss halt); null unless it did. */
  haltReason: Nullable(t.String()),
  /** Why the cycle ended (a stop's reason, or the next day's boundary closing it); null while it runs. */
  endReason: Nullable(t.String()),
  lastActivityAt: t.String(),
});
export type CycleView = Static<typeof CycleView>;

export const startCycleRoute = defineRoute({
  service: "workflow",
  method: "POST",
  path: "/api/v1/cycles",
  summary: "Start today's trading cycle (at most one runs; 409 if one is active, 422 on a non-trading day)",
  body: t.Object({ mode: ScanMode }),
  response: CycleView,
});

export const currentCycleRoute = defineRoute({
  service: "workflow",
  method: "GET",
  path: "/api/v1/cycles/current",
  summary: "The active cycle (404 when none runs)",
  response: CycleView,
});

export const getCycleRoute = defineRoute({
  service: "workflow",
  method: "GET",
  path: "/api/v1/cycles/:id",
  summary: "One cycle by id",
  params: t.Object({ id: Uuid }),
  response: CycleView,
});

export const stopCycleRoute = defineRoute({
  service: "workflow",
  method: "POST",
  path: "/api/v1/cycles/:id/stop",
  summary: "Stop a cycle: no new entries; with closePositions, flatten first",
  params: t.Object({ id: Uuid }),
  body: t.Object({ closePositions: t.Optional(t.Boolean()), reason: t.Optional(t.String({ minLength: 1, maxLength: 200 })) }),
  response: CycleView,
});

export const tickRoute = defineRoute({
  service: "workflow",
  method: "POST",
  path: "/api/v1/workflow/tick",
  summary: "Run the schedule once now, at the market's current time (the scheduler does this on its own)",
  response: t.Object({ cycle: Nullable(CycleView), actions: t.Array(t.String()) }),
});

/** A past (or the running) cycle with what it made. */
export const CycleSummary = t.Composite([
  CycleView,
  t.Object({
    /** Σ realized P&L of the cycle's positions (closed ones, and what open ones already realized). */
    realizedPnl: Money,
    openPositions: t.Integer(),
    closedPositions: t.Integer(),
  }),
]);
export type CycleSummary = Static<typeof CycleSummary>;

export const listCyclesRoute = defineRoute({
  service: "workflow",
  method: "GET",
  path: "/api/v1/cycles",
  summary: "Cycles, newest first, with state, realized P&L and halt reason; paged by offset",
  query: t.Object({
    limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, description: "default 20" })),
    offset: t.Optional(t.Integer({ minimum: 0, maximum: 100_000, description: "cycles to skip (default 0)" })),
  }),
  response: t.Object({ mode: TradingMode, cycles: t.Array(CycleSummary), total: t.Integer(), nextOffset: Nullable(t.Integer()) }),
});

export const DayDecision = t.Object({
  tradingDate: t.String(),
  decision: t.Union([t.Literal("started"), t.Literal("blocked"), t.Literal("skipped")]),
  reason: t.String(),
  cycleId: Nullable(t.String()),
  decidedAt: t.String(),
});
export type DayDecision = Static<typeof DayDecision>;

export const skipDayRoute = defineRoute({
  service: "workflow",
  method: "POST",
  path: "/api/v1/cycles/skip",
  summary: "Skip a trading day: autostart does not start its cycle (default today, or the next trading day once today has closed)",
  body: t.Object({
    date: t.Optional(t.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "YYYY-MM-DD, a trading day from today on" })),
    reason: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
  }),
  response: t.Object({ decision: DayDecision, message: t.String() }),
});
