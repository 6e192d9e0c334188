/**
 * The doctor's vocabulary: what a sweep sees (one snapshot of the database, one of the broker),
 * what it finds (issues), and the report `catalyst doctor --json` prints (SPEC §8).
 * A broker part that failed is a `BrokerRead` failure, never an empty list: a failed or missing
 * answer is not evidence of flat.
 */
import type { BrokerFill, BrokerOrder, BrokerPosition } from "../../adapters/broker/broker.ts";
import type { Decimal } from "../money.ts";
import type { PositionSide } from "../order-side.ts";
import type { OrderStatus } from "../order-status.ts";

export const REPORT_VERSION = "1.0";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CHECK_NAMES = [
  "pipeline_status",
  "broker_connection",
  "stuck_orders",
  "order_status",
  "order_not_found",
  "phantom_positions",
  "orphan_positions",
  "qty_mismatch",
  "missing_stop",
  "not_flat_at_close",
  "stale_cycle",
  "stale_pnl",
  "dead_man",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** The rule names of doctor_claude_rules.fix_action: database-only writes, nothing else. */
export type FixAction = "sync_order_status" | "adopt_fills" | "resolve_order_not_found" | "close_phantom_at_fill" | "import_orphan_external";

export type IssueType =
  | "order_status_mismatch"
  | "order_not_found"
  | "phantom_position"
  | "orphan_position"
  | "qty_mismatch"
  | "stuck_order"
  | "stale_cycle"
  | "stale_pnl"
  | "missing_stop"
  | "not_flat_at_close"
  | "dead_man"
  | "broker_unreachable";

export interface DoctorIssue {
  type: IssueType;
  severity: Severity;
  /** What it is about: "order:42", "position:7", "symbol:AAPL", "cycle:<uuid>", "doctor". */
  entity: string;
  message: string;
  /** The two sides of the disagreement, as each one has it. */
  db: unknown;
  broker: unknown;
  fixable: boolean;
  /** The fix that would apply (when fixable), with what it needs. */
  fix: PlannedFix | null;
}

export type PlannedFix =
  /** Apply the broker's order tree through the trading service's one writer (status, fills, positions). */
  | { action: "sync_order_status" | "adopt_fills"; brokerOrderIds: string[] }
  | { action: "resolve_order_not_found"; orderId: number }
  /** Close at the broker's actual exit fills (an order we do not know about sold it). */
  | { action: "close_phantom_at_fill"; positionId: number; exitOrderId: string }
  | { action: "import_orphan_external"; symbol: string; side: PositionSide; qty: Decimal; avgEntryPrice: Decimal };

export interface CheckResult {
  check: CheckName;
  /** The worst severity among its issues (info when none). */
  severity: Severity;
  ok: boolean;
  /** Set when the check could not run this sweep (its input failed): its issues stay as they were. */
  skipped: string | null;
  issues: DoctorIssue[];
  /** What the check saw, when that is useful on its own (the pipeline's summary). */
  detail?: unknown;
}

export interface DbOrder {
  orderId: number;
  clientOrderId: string;
  brokerOrderId: string | null;
  parentOrderId: number | null;
  /** The bracket entry's broker id, for a leg: legs are re-read and applied with their entry. */
  parentBrokerOrderId: string | null;
  /** Whether the position this order belongs to (a leg's, through its entry) is open. */
  positionOpen: boolean;
  positionId: number | null;
  symbol: string;
  role: string;
  side: "buy" | "sell";
  orderType: string;
  status: OrderStatus;
  qty: Decimal;
  filledQty: Decimal;
  /** Wall-clock epoch ms (the database's clock), like every age the doctor measures on orders. */
  createdAt: number;
  updatedAt: number;
}

export interface DbPosition {
  positionId: number;
  symbol: string;
  side: PositionSide;
  qty: Decimal;
  source: "catalyst" | "external";
  /** The trader exempted it from the end-of-day flatten. */
  holdOvernight: boolean;
  /** Market time of the entry fill, epoch ms. */
  openedAt: number;
  /** Market time of the latest mark, epoch ms. */
  lastPriceAt: number | null;
}

export interface DbCycle {
  cycleId: string;
  state: string;
  /** Market time, epoch ms. */
  lastActivityAt: number;
}

export interface DbSnapshot {
  /** The database's wall clock, epoch ms. */
  wallNow: number;
  /** Orders the database holds as not final. */
  liveOrders: DbOrder[];
  openPositions: DbPosition[];
  liveCycle: DbCycle | null;
  /** Wall time of the newest scheduled sweep that finished, epoch ms. */
  lastScheduledSweepAt: number | null;
  pipeline: Record<string, unknown>;
  /** Which of the broker's fill ids (BrokerSnapshot.fills) the database already holds. */
  recordedFillIds: Set<string>;
}

export type BrokerRead<T> = { ok: true; value: T } | { ok: false; error: string };

/** One order looked up by id (then by client id); null = both lookups answered 404. */
export type OrderLookup = BrokerRead<BrokerOrder | null>;

export interface BrokerSnapshot {
  /** Market time, epoch ms (null when the clock did not answer). */
  marketNow: number | null;
  /** Whether the market session (with the doctor's margin) is on now. */
  inSweepWindow: boolean;
  /** Market time today's sweep window opened (null outside it): the dead-man counts from there at the earliest. */
  sweepWindowOpenedAt: number | null;
  positions: BrokerRead<BrokerPosition[]>;
  /** Every open order, flat (a working bracket leg appears on its own). */
  openOrders: BrokerRead<BrokerOrder[]>;
  /** Orders (nested) submitted since the oldest live DB order, open or not. */
  recentOrders: BrokerRead<BrokerOrder[]>;
  /** Today's fills. */
  fills: BrokerRead<BrokerFill[]>;
  /** Targeted lookups of DB orders the listing did not show, by DB order id. */
  lookups: Map<number, OrderLookup>;
}

export interface DoctorThresholds {
  /** Per DB order state: minutes before a not-final order counts as stuck. */
  stuckMinutes: Record<"created" | "submitted" | "accepted" | "partial_fill", number>;
  staleCycleMinutes: number;
  stalePnlMinutes: number;
  /** The scheduled sweep's period in wall-clock ms; the dead-man fires at twice it. */
  sweepIntervalMs: number;
}

export const DEFAULT_THRESHOLDS: DoctorThresholds = {
  // created: nothing should wait between our row and the broker call; accepted: an entry limit
  // order may rest, but not past an hour (bracket legs are exempt while their position is open).
  stuckMinutes: { created: 2, submitted: 5, accepted: 60, partial_fill: 30 },
  staleCycleMinutes: 30,
  stalePnlMinutes: 10,
  sweepIntervalMs: 5 * 60_000,
};
