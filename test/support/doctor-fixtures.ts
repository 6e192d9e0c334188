/**
 * Builders for the doctor's pure checks: a database snapshot and a broker snapshot with orders,
 * positions and fills in the broker adapter's shapes. Every builder takes overrides; the defaults
 * describe a quiet, healthy book at 10:30 ET on a trading day (market time = wall time).
 */
import type { BrokerFill, BrokerOrder, BrokerPosition } from "../../src/adapters/broker/broker.ts";
import type { BrokerSnapshot, CheckName, CheckResult, DbOrder, DbPosition, DbSnapshot, DoctorIssue, OrderLookup } from "../../src/domain/doctor/types.ts";
import { orderStatusFor } from "../../src/domain/order-status.ts";

export const MINUTE = 60_000;
/** 2025-03-04 10:30 ET (a Tuesday, a full trading day). */
export const NOW = Date.parse("2025-03-04T15:30:00.000Z");

export function minutesAgo(minutes: number, now = NOW): number {
  return now - minutes * MINUTE;
}

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function failed(error = "connect ETIMEDOUT"): { ok: false; error: string } {
  return { ok: false, error };
}

// ---------------------------------------------------------------------------------------------
// Database side

export function dbOrder(over: Partial<DbOrder> & { orderId: number }): DbOrder {
  const id = over.orderId;
  return {
    clientOrderId: `cat-${id}`,
    brokerOrderId: `b-${id}`,
    parentOrderId: null,
    parentBrokerOrderId: null,
    positionOpen: false,
    positionId: null,
    symbol: "AAPL",
    role: "entry",
    side: "buy",
    orderType: "limit",
    status: "accepted",
    qty: "10",
    filledQty: "0",
    createdAt: minutesAgo(5),
    updatedAt: minutesAgo(5),
    ...over,
  };
}

export function dbPosition(over: Partial<DbPosition> & { positionId: number }): DbPosition {
  return {
    symbol: "AAPL",
    side: "long",
    qty: "10",
    source: "catalyst",
    holdOvernight: false,
    openedAt: minutesAgo(30),
    lastPriceAt: minutesAgo(1),
    ...over,
  };
}

export function dbSnapshot(over: Partial<DbSnapshot> = {}): DbSnapshot {
  return {
    wallNow: NOW,
    liveOrders: [],
    openPositions: [],
    liveCycle: { cycleId: "00000000-0000-4000-8000-000000000001", state: "monitoring", lastActivityAt: minutesAgo(1) },
    lastScheduledSweepAt: minutesAgo(5),
    pipeline: { pipeline_stage: "monitoring" },
    recordedFillIds: new Set(),
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------
// Broker side

/** An order as the adapter maps it; `status` follows `alpacaStatus` and `filledQty` unless given. */
export function brokerOrder(over: Partial<BrokerOrder> & { id: string }): BrokerOrder {
  const alpacaStatus = over.alpacaStatus ?? "new";
  const filledQty = over.filledQty ?? "0";
  return {
    clientOrderId: `client-${over.id}`,
    symbol: "AAPL",
    side: "buy",
    type: "limit",
    timeInForce: "day",
    orderClass: "simple",
    qty: "10",
    notional: null,
    filledQty,
    filledAvgPrice: null,
    limitPrice: "20.00",
    stopPrice: null,
    status: orderStatusFor(alpacaStatus, filledQty),
    alpacaStatus,
    extendedHours: false,
    legs: [],
    parentId: null,
    replaces: null,
    replacedBy: null,
    createdAt: new Date(minutesAgo(5)).toISOString(),
    updatedAt: new Date(minutesAgo(5)).toISOString(),
    submittedAt: new Date(minutesAgo(5)).toISOString(),
    filledAt: null,
    canceledAt: null,
    expiredAt: null,
    failedAt: null,
    replacedAt: null,
    ...over,
  };
}

/** The broker's mirror of a DB order (same ids, symbol, side, qty), with the given Alpaca status. */
export function brokerOrderFor(o: DbOrder, over: Partial<BrokerOrder> = {}): BrokerOrder {
  return brokerOrder({
    id: o.brokerOrderId ?? `b-${o.orderId}`,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.orderType as BrokerOrder["type"],
    qty: o.qty,
    filledQty: o.filledQty,
    ...over,
  });
}

export function brokerPosition(over: Partial<BrokerPosition> = {}): BrokerPosition {
  return {
    symbol: "AAPL",
    assetId: `asset-${over.symbol ?? "AAPL"}`,
    side: "long",
    qty: "10",
    qtyAvailable: "10",
    avgEntryPrice: "20.00",
    costBasis: "200.00",
    marketValue: "205.00",
    currentPrice: "20.50",
    lastdayPrice: "19.80",
    changeToday: "0.0354",
    unrealizedPl: "5.00",
    unrealizedPlpc: "0.025",
    unrealizedIntradayPl: "5.00",
    ...over,
  };
}

/** The broker position matching a DB position (same symbol, side and quantity). */
export function brokerPositionFor(p: DbPosition, over: Partial<BrokerPosition> = {}): BrokerPosition {
  return brokerPosition({ symbol: p.symbol, side: p.side, qty: p.qty, qtyAvailable: p.qty, ...over });
}

export function brokerFill(over: Partial<BrokerFill> & { id: string; orderId: string }): BrokerFill {
  return {
    symbol: "AAPL",
    side: "sell",
    qty: "10",
    price: "21.00",
    transactionTime: new Date(minutesAgo(3)).toISOString(),
    cumQty: over.qty ?? "10",
    leavesQty: "0",
    ...over,
  };
}

export function brokerSnapshot(over: Partial<BrokerSnapshot> = {}): BrokerSnapshot {
  return {
    marketNow: NOW,
    inSweepWindow: true,
    sweepWindowOpenedAt: NOW - 6 * 60 * 60_000,
    positions: ok([]),
    openOrders: ok([]),
    recentOrders: ok([]),
    fills: ok([]),
    lookups: new Map<number, OrderLookup>(),
    ...over,
  };
}

export function lookups(entries: [number, OrderLookup][]): Map<number, OrderLookup> {
  return new Map(entries);
}

// ---------------------------------------------------------------------------------------------
// A protected position: DB position, the entry (filled, not live) and its two live legs, and the
// broker's nested view of the bracket.

export interface ProtectedPosition {
  position: DbPosition;
  /** The two live DB legs: stop first, take-profit second. */
  legs: [DbOrder, DbOrder];
  /** The broker's bracket entry (filled) with both legs nested under it. */
  brokerEntry: BrokerOrder;
  brokerPosition: BrokerPosition;
}

export function protectedPosition(options: {
  positionId: number;
  symbol: string;
  side?: "long" | "short";
  qty?: string;
  /** DB order ids: entry, stop leg, take-profit leg. */
  orderIds: [number, number, number];
  stopAlpacaStatus?: string;
}): ProtectedPosition {
  const side = options.side ?? "long";
  const qty = options.qty ?? "10";
  const [entryId, stopId, targetId] = options.orderIds;
  const entryBrokerId = `b-${entryId}`;
  const closing = side === "long" ? "sell" : "buy";
  const position = dbPosition({ positionId: options.positionId, symbol: options.symbol, side, qty });
  const leg = (orderId: number, role: string, orderType: string): DbOrder =>
    dbOrder({
      orderId,
      parentOrderId: entryId,
      parentBrokerOrderId: entryBrokerId,
      positionOpen: true,
      positionId: options.positionId,
      symbol: options.symbol,
      role,
      side: closing,
      orderType,
      qty,
      createdAt: minutesAgo(240),
      updatedAt: minutesAgo(240),
    });
  const stop = leg(stopId, "stop_loss", "stop");
  const target = leg(targetId, "take_profit", "limit");
  const brokerEntry = brokerOrder({
    id: entryBrokerId,
    clientOrderId: `cat-${entryId}`,
    symbol: options.symbol,
    side: side === "long" ? "buy" : "sell",
    orderClass: "bracket",
    qty,
    alpacaStatus: "filled",
    filledQty: qty,
    filledAvgPrice: "20.00",
    legs: [
      brokerOrderFor(stop, { type: "stop", limitPrice: null, stopPrice: "19.50", alpacaStatus: options.stopAlpacaStatus ?? "held", parentId: entryBrokerId, orderClass: "bracket" }),
      brokerOrderFor(target, { type: "limit", limitPrice: "21.00", alpacaStatus: "new", parentId: entryBrokerId, orderClass: "bracket" }),
    ],
  });
  return { position, legs: [stop, target], brokerEntry, brokerPosition: brokerPositionFor(position) };
}

// ---------------------------------------------------------------------------------------------
// Reading results

export function byCheck(results: CheckResult[], check: CheckName): CheckResult {
  const found = results.find((r) => r.check === check);
  if (!found) throw new Error(`no result for check ${check}`);
  return found;
}

export function only<T>(items: T[]): T {
  if (items.length !== 1) throw new Error(`expected exactly one item, got ${items.length}`);
  return items[0]!;
}

/** The one issue of a check, failing the test when there is not exactly one. */
export function onlyIssue(result: CheckResult): DoctorIssue {
  return only(result.issues);
}
