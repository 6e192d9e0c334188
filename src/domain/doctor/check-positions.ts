/**
 * Position checks, per symbol (the broker nets per symbol; we hold at most one open position per
 * security): phantom (ours open, broker flat), orphan (broker holds, we do not), quantity, and a
 * missing protective stop. Nothing here runs on a failed broker read: a failed or missing answer
 * is never evidence of flat.
 */
import type { BrokerFill, BrokerOrder, BrokerPosition } from "../../adapters/broker/broker.ts";
import { compareDecimal, subtractDecimal, sumDecimal, type Decimal } from "../money.ts";
import { orderSideFor } from "../order-side.ts";
import { isTerminal } from "../order-status.ts";
import { checkResult } from "./check-result.ts";
import type { BrokerSnapshot, CheckResult, DbOrder, DbPosition, DbSnapshot, DoctorIssue } from "./types.ts";

const STOP_TYPES = new Set(["stop", "stop_limit", "trailing_stop"]);

export interface PositionChecks {
  phantom: CheckResult;
  orphan: CheckResult;
  qty: CheckResult;
  missingStop: CheckResult;
}

function signedQty(side: "long" | "short", qty: Decimal): Decimal {
  return side === "long" ? qty : subtractDecimal("0", qty);
}

function positionFacts(p: DbPosition) {
  return { positionId: p.positionId, symbol: p.symbol, side: p.side, qty: p.qty, source: p.source };
}

function brokerFacts(b: BrokerPosition) {
  return { symbol: b.symbol, side: b.side, qty: b.qty, avgEntryPrice: b.avgEntryPrice, marketValue: b.marketValue, unrealizedPl: b.unrealizedPl };
}

interface Unrecorded {
  /** Roots of our live orders with fills we have not recorded. */
  ourRoots: string[];
  /** Fills of orders we do not know as live (placed outside Catalyst). */
  foreign: BrokerFill[];
}

/** Broker fills the database does not hold, per symbol, grouped as "ours" (a live DB order's tree) or not: built once per sweep. */
function unrecordedBySymbol(fills: BrokerFill[], db: DbSnapshot): (symbol: string) => Unrecorded {
  const liveByBrokerId = new Map(db.liveOrders.filter((o) => o.brokerOrderId !== null).map((o) => [o.brokerOrderId!, o]));
  const bySymbol = new Map<string, { ours: Set<string>; foreign: BrokerFill[] }>();
  for (const fill of fills) {
    if (db.recordedFillIds.has(fill.id)) continue;
    let entry = bySymbol.get(fill.symbol);
    if (!entry) bySymbol.set(fill.symbol, (entry = { ours: new Set(), foreign: [] }));
    const order: DbOrder | undefined = liveByBrokerId.get(fill.orderId);
    if (order) entry.ours.add(order.parentBrokerOrderId ?? order.brokerOrderId!);
    else entry.foreign.push(fill);
  }
  return (symbol) => {
    const entry = bySymbol.get(symbol);
    return { ourRoots: entry ? [...entry.ours] : [], foreign: entry?.foreign ?? [] };
  };
}

/**
 * Symbols protected at the broker, per closing side: a working stop, or a working market order
 * closing it (the position is on its way out). Built once per sweep.
 */
function workingStops(openOrders: BrokerOrder[]): Set<string> {
  const stops = new Set<string>();
  for (const root of openOrders) {
    for (const o of [root, ...root.legs]) if ((STOP_TYPES.has(o.type) || o.type === "market") && !isTerminal(o.status)) stops.add(`${o.symbol}:${o.side}`);
  }
  return stops;
}

export function checkPositions(db: DbSnapshot, broker: BrokerSnapshot): PositionChecks {
  if (!broker.positions.ok || !broker.fills.ok) {
    const why = `the broker's ${!broker.positions.ok ? "positions" : "fills"} did not answer (${!broker.positions.ok ? broker.positions.error : (broker.fills as { error: string }).error}): not compared this sweep`;
    return {
      phantom: checkResult("phantom_positions", [], why),
      orphan: checkResult("orphan_positions", [], why),
      qty: checkResult("qty_mismatch", [], why),
      missingStop: checkResult("missing_stop", [], why),
    };
  }
  const held = new Map(broker.positions.value.map((p) => [p.symbol, p]));
  const unrecordedFills = unrecordedBySymbol(broker.fills.value, db);
  const stops = broker.openOrders.ok ? workingStops(broker.openOrders.value) : null;
  const phantom: DoctorIssue[] = [];
  const orphan: DoctorIssue[] = [];
  const qty: DoctorIssue[] = [];
  const missingStop: DoctorIssue[] = [];
  const ours = new Set(db.openPositions.map((p) => p.symbol));

  for (const p of db.openPositions) {
    const b = held.get(p.symbol);
    const entity = `position:${p.positionId}`;
    if (!b) {
      phantom.push(phantomIssue(p, unrecordedFills(p.symbol)));
      continue;
    }
    const difference = subtractDecimal(signedQty(b.side, b.qty), signedQty(p.side, p.qty));
    if (compareDecimal(difference, "0") !== 0) {
      const { ourRoots, foreign } = unrecordedFills(p.symbol);
      // Adopting our own orders' fills is safe; whether they explain the difference is re-checked after.
      const fixable = ourRoots.length > 0;
      qty.push({
        type: "qty_mismatch",
        severity: "warning",
        entity,
        message: `We hold ${p.side} ${p.qty} ${p.symbol}; the broker holds ${b.side} ${b.qty} (difference ${difference}). ${
          fixable ? "The broker has fills of our orders we have not recorded: they are adopted." : foreign.length > 0 ? `Orders placed outside Catalyst filled ${sumDecimal(foreign.map((f) => f.qty))} shares: a human decides.` : "No fill explains it: nothing is changed; a human decides."
        }`,
        db: positionFacts(p),
        broker: { ...brokerFacts(b), unrecordedFills: foreign.map((f) => ({ id: f.id, orderId: f.orderId, side: f.side, qty: f.qty, price: f.price })) },
        fixable,
        fix: fixable ? { action: "adopt_fills", brokerOrderIds: ourRoots } : null,
      });
    }
    if (stops && !stops.has(`${p.symbol}:${orderSideFor(p.side, "close")}`)) {
      missingStop.push({
        type: "missing_stop",
        severity: "critical",
        entity,
        message: `${p.side} ${p.qty} ${p.symbol} has no working stop order at the broker: it is unprotected. Place a stop (or close it); the doctor never sends orders.`,
        db: positionFacts(p),
        broker: brokerFacts(b),
        fixable: false,
        fix: null,
      });
    }
  }

  for (const b of held.values()) {
    if (ours.has(b.symbol)) continue;
    const { ourRoots } = unrecordedFills(b.symbol);
    if (ourRoots.length > 0) {
      // Our own entry filled and we have not recorded it yet: adopting it creates the position.
      qty.push({
        type: "qty_mismatch",
        severity: "warning",
        entity: `symbol:${b.symbol}`,
        message: `The broker holds ${b.side} ${b.qty} ${b.symbol} from our orders whose fills we have not recorded: they are adopted.`,
        db: null,
        broker: brokerFacts(b),
        fixable: true,
        fix: { action: "adopt_fills", brokerOrderIds: ourRoots },
      });
      continue;
    }
    orphan.push({
      type: "orphan_position",
      severity: "critical",
      entity: `symbol:${b.symbol}`,
      message: `The broker holds ${b.side} ${b.qty} ${b.symbol} (avg ${b.avgEntryPrice}, unrealized ${b.unrealizedPl}) that Catalyst did not open. It is imported as an external position so risk and P&L count it; real money, probably without a stop: a human decides what to do with it.`,
      db: null,
      broker: brokerFacts(b),
      fixable: true,
      fix: { action: "import_orphan_external", symbol: b.symbol, side: b.side, qty: b.qty, avgEntryPrice: b.avgEntryPrice },
    });
  }

  return {
    phantom: checkResult("phantom_positions", phantom),
    orphan: checkResult("orphan_positions", orphan),
    qty: checkResult("qty_mismatch", qty),
    missingStop: checkResult("missing_stop", missingStop, broker.openOrders.ok ? null : `the broker's open orders did not answer (${broker.openOrders.error})`),
  };
}

function phantomIssue(p: DbPosition, unrecorded: Unrecorded): DoctorIssue {
  const closingSide = orderSideFor(p.side, "close");
  const exits = unrecorded.foreign.filter((f) => f.side === closingSide);
  const base = { type: "phantom_position" as const, severity: "critical" as const, entity: `position:${p.positionId}`, db: positionFacts(p) };
  if (unrecorded.ourRoots.length > 0) {
    return {
      ...base,
      message: `We hold ${p.side} ${p.qty} ${p.symbol}; the broker is flat, and our own orders have fills we have not recorded: adopting them closes it at the actual prices.`,
      broker: { position: null },
      fixable: true,
      fix: { action: "adopt_fills", brokerOrderIds: unrecorded.ourRoots },
    };
  }
  const exitOrders = [...new Set(exits.map((f) => f.orderId))];
  // One outside order that sold it all is adopted; several are for a human to match up.
  const exitOrderId = exitOrders.length === 1 ? exitOrders[0] : undefined;
  if (exitOrderId && p.source === "external") {
    // An imported position has no entry fills here, so its P&L cannot be built from fills.
    return {
      ...base,
      message: `The imported external position ${p.side} ${p.qty} ${p.symbol} was closed outside Catalyst by order ${exitOrderId}; an imported position is closed by a human (its entry was never Catalyst's).`,
      broker: { position: null, exitFills: exits.map((f) => ({ id: f.id, orderId: f.orderId, qty: f.qty, price: f.price, at: f.transactionTime })) },
      fixable: false,
      fix: null,
    };
  }
  if (exitOrderId) {
    return {
      ...base,
      message: `We hold ${p.side} ${p.qty} ${p.symbol}; the broker is flat: an order placed outside Catalyst (${exitOrderId}) sold it. It is closed at that order's actual fills.`,
      broker: { position: null, exitFills: exits.map((f) => ({ id: f.id, orderId: f.orderId, qty: f.qty, price: f.price, at: f.transactionTime })) },
      fixable: true,
      fix: { action: "close_phantom_at_fill", positionId: p.positionId, exitOrderId },
    };
  }
  return {
    ...base,
    message: `We hold ${p.side} ${p.qty} ${p.symbol}; the broker is flat and shows no fill that closed it. No exit price is known, so nothing is changed (P&L is never invented): check the account at the broker.`,
    broker: { position: null },
    fixable: false,
    fix: null,
  };
}

