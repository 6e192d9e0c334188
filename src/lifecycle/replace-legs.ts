/**
 * Changing a position's working stop and target in place: each leg is replaced at the broker
 * (PATCH /v2/orders/{id}), which swaps it for a new order in one step and keeps a bracket's OCO
 * link, so the old stop works until its replacement exists and the position is never without one.
 * A replace the broker refuses leaves the old leg working; what was done before it stays done and
 * the error says which leg is where. Each replacement is recorded as its own row (apply-report).
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import { freshClientOrderId } from "../domain/orders/client-order-id.ts";
import { LIVE_ORDER_STATUSES } from "../domain/order-status.ts";
import { withoutZeroFraction, type Decimal } from "../domain/money.ts";
import { ApiError, errorMessage } from "../runtime/errors.ts";
import { applyOrderTree, type ReportEffects } from "./apply-report.ts";
import { recordAttempt, type ExitAttemptAction } from "./exit-attempts.ts";

export interface LegChange {
  stopPrice?: Decimal;
  limitPrice?: Decimal;
  qty?: Decimal;
}

export interface WorkingLeg {
  orderId: number;
  brokerOrderId: string;
  role: "stop_loss" | "take_profit";
  qty: Decimal;
  price: Decimal;
}

export interface ReplacedLeg {
  role: "stop_loss" | "take_profit";
  fromOrderId: number;
  toOrderId: number | null;
  detail: string;
}

/**
 * The position's stop and target legs working at the broker (at most one of each on a Catalyst position).
 * A leg the stream already reported replaced, whose replacement has no row yet (the PATCH's answer is
 * still being recorded), stands for that replacement: it works at the broker and holds the shares.
 * Read as "no stop", a partial close racing a stop move cancelled the target and sent a second stop.
 */
export async function workingLegs(sql: Sql, positionId: number): Promise<{ stop: WorkingLeg | null; target: WorkingLeg | null }> {
  const rows = await sql`select order_id, broker_order_id, role, (qty - filled_qty)::text as qty, coalesce(stop_price, limit_price)::text as price
                           from orders where position_id = ${positionId} and role in ('stop_loss', 'take_profit') and broker_order_id is not null
                            and (status = any(${LIVE_ORDER_STATUSES as string[]}) or (status = 'replaced' and replaced_by_order_id is null))
                          order by order_id desc`;
  const leg = (role: string): WorkingLeg | null => {
    const r = rows.find((x) => x.role === role);
    return r ? { orderId: Number(r.order_id), brokerOrderId: r.broker_order_id, role: r.role, qty: withoutZeroFraction(String(r.qty)), price: r.price } : null;
  };
  return { stop: leg("stop_loss"), target: leg("take_profit") };
}

/** Replaces one leg at the broker and records the replacement and the replaced order. */
async function replaceLeg(sql: Sql, broker: Broker, leg: WorkingLeg, change: LegChange, effects: ReportEffects[]): Promise<number | null> {
  const replacement = await broker.replaceOrder(leg.brokerOrderId, { clientOrderId: freshClientOrderId("replacement"), ...change });
  effects.push(...(await applyOrderTree(sql, replacement, "poll")));
  const old = await broker.getOrder(leg.brokerOrderId);
  if (old) effects.push(...(await applyOrderTree(sql, old, "poll")));
  const [row] = await sql`select order_id from orders where broker_order_id = ${replacement.id}`;
  return row ? Number(row.order_id) : null;
}

/**
 * Replaces the given legs in order (the stop first: it is the one that must never lapse). Throws
 * a 502 naming what was and was not changed if the broker refuses one.
 */
export async function replaceLegs(
  sql: Sql,
  broker: Broker,
  positionId: number,
  changes: { leg: WorkingLeg; change: LegChange }[],
  action: Extract<ExitAttemptAction, "exits_moved" | "exits_resized">,
  reason: string,
): Promise<{ replaced: ReplacedLeg[]; effects: ReportEffects[] }> {
  const replaced: ReplacedLeg[] = [];
  const effects: ReportEffects[] = [];
  for (const { leg, change } of changes) {
    const what = [
      change.stopPrice !== undefined ? `stop ${leg.price} → ${change.stopPrice}` : null,
      change.limitPrice !== undefined ? `target ${leg.price} → ${change.limitPrice}` : null,
      change.qty !== undefined ? `qty ${leg.qty} → ${change.qty}` : null,
    ].filter(Boolean).join(", ");
    try {
      const toOrderId = await replaceLeg(sql, broker, leg, change, effects);
      const detail = `${leg.role} order ${leg.orderId} replaced by ${toOrderId}: ${what}`;
      await recordAttempt(sql, positionId, toOrderId ?? leg.orderId, action, reason, detail);
      replaced.push({ role: leg.role, fromOrderId: leg.orderId, toOrderId, detail });
    } catch (error) {
      const done = replaced.map((r) => r.detail).join("; ");
      throw new ApiError(
        502,
        "broker_refused_replace",
        `the broker refused replacing the ${leg.role} (order ${leg.orderId}: ${what}): ${errorMessage(error)}; it stays working unchanged at ${leg.price} for ${leg.qty}` +
          (done ? `. Already done: ${done}` : ""),
      );
    }
  }
  return { replaced, effects };
}
