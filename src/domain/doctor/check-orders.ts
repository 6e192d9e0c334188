/**
 * Order checks: the broker's status against ours, orders the broker does not know, and orders
 * stuck in one state. Each decision about an order rests on a positive broker answer (a listing
 * that shows it, or a targeted lookup); an order whose lookup failed is left alone this sweep.
 */
import type { BrokerOrder } from "../../adapters/broker/broker.ts";
import { compareDecimal } from "../money.ts";
import { advanceStatus } from "../order-status.ts";
import type { BrokerOrderIndex } from "./broker-index.ts";
import type { CheckResult, DbOrder, DbSnapshot, DoctorIssue, DoctorThresholds, OrderLookup } from "./types.ts";
import { checkResult } from "./check-result.ts";

const MINUTE = 60_000;

function orderFacts(o: DbOrder) {
  return { orderId: o.orderId, clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, symbol: o.symbol, role: o.role, status: o.status, qty: o.qty, filledQty: o.filledQty };
}

function stuckThresholdMs(o: DbOrder, t: DoctorThresholds): number {
  return t.stuckMinutes[o.status as keyof DoctorThresholds["stuckMinutes"]] * MINUTE;
}

/** A protective leg rests at the broker for as long as its position is open (or its entry has not filled): that is not stuck. */
function restsByDesign(o: DbOrder): boolean {
  return o.parentOrderId !== null && (o.positionOpen || o.positionId === null);
}

export interface OrderChecks {
  stuck: CheckResult;
  status: CheckResult;
  notFound: CheckResult;
}

export function checkOrders(db: DbSnapshot, index: BrokerOrderIndex, lookups: Map<number, OrderLookup>, t: DoctorThresholds): OrderChecks {
  const stuck: DoctorIssue[] = [];
  const status: DoctorIssue[] = [];
  const notFound: DoctorIssue[] = [];
  let unanswered = 0;

  for (const o of db.liveOrders) {
    const listed = index.find(o.brokerOrderId, o.clientOrderId);
    const lookup = listed ? null : lookups.get(o.orderId);
    if (!listed && (!lookup || !lookup.ok)) {
      unanswered++;
      continue;
    }
    const broker: BrokerOrder | null = listed ? listed.order : (lookup as { ok: true; value: BrokerOrder | null }).value;
    const entity = `order:${o.orderId}`;
    const age = db.wallNow - o.updatedAt;

    if (broker === null) {
      const old = db.wallNow - o.createdAt > stuckThresholdMs(o, t);
      notFound.push({
        type: "order_not_found",
        severity: "warning",
        entity,
        message: old
          ? `The broker answers 404 by id and by client id for ${o.role} order ${o.orderId} (${o.symbol}, ${o.status} in our books); it never arrived or was purged, so it is closed as cancelled.`
          : `The broker does not know ${o.role} order ${o.orderId} (${o.symbol}) yet; it is younger than the ${t.stuckMinutes[o.status as keyof DoctorThresholds["stuckMinutes"]]}-minute threshold, so the next sweep decides.`,
        db: orderFacts(o),
        broker: null,
        fixable: old,
        fix: old ? { action: "resolve_order_not_found", orderId: o.orderId } : null,
      });
      continue;
    }

    // A leg's root is its entry, which the database knows; a flat listing would name the leg itself.
    const rootId = o.parentBrokerOrderId ?? listed?.rootId ?? broker.id;
    const behind = advanceStatus(o.status, broker.status) !== o.status;
    const fillsDiffer = compareDecimal(broker.filledQty, o.filledQty) !== 0;
    if (behind || fillsDiffer) {
      // Our books ahead of the broker's answer is not ours to "fix" by going back: a human looks.
      const fixable = compareDecimal(broker.filledQty, o.filledQty) >= 0;
      status.push({
        type: "order_status_mismatch",
        severity: "warning",
        entity,
        message: `Order ${o.orderId} (${o.symbol} ${o.role}) is ${o.status} with ${o.filledQty} filled in our books; the broker says ${broker.alpacaStatus} with ${broker.filledQty} filled.`,
        db: orderFacts(o),
        broker: { id: broker.id, status: broker.alpacaStatus, filledQty: broker.filledQty, filledAvgPrice: broker.filledAvgPrice },
        fixable,
        fix: fixable ? { action: fillsDiffer ? "adopt_fills" : "sync_order_status", brokerOrderIds: [rootId] } : null,
      });
      continue;
    }

    if (o.status !== "filled" && !restsByDesign(o) && age > stuckThresholdMs(o, t)) {
      stuck.push({
        type: "stuck_order",
        severity: "warning",
        entity,
        message: `Order ${o.orderId} (${o.symbol} ${o.role}) has been ${o.status} for ${Math.round(age / MINUTE)} minutes, and the broker agrees it is ${broker.alpacaStatus}. The doctor never cancels: cancel it, or leave it if the price is still wanted.`,
        db: orderFacts(o),
        broker: { id: broker.id, status: broker.alpacaStatus },
        fixable: false,
        fix: null,
      });
    }
  }

  // An order without a broker answer was seen by none of the three checks: none of them ran completely.
  const skipped = unanswered > 0 ? `${unanswered} order(s) not in the broker's listings and not looked up (failed or over the per-sweep cap): decided next sweep` : null;
  return {
    stuck: checkResult("stuck_orders", stuck, skipped),
    status: checkResult("order_status", status, skipped),
    notFound: checkResult("order_not_found", notFound, skipped),
  };
}
