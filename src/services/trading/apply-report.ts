/**
 * Applies what the broker reports about an order (stream event, polled order, or a restart's
 * lookup) to our books, in one transaction: the order's status moves forward only; a fill is
 * recorded once (keyed by broker order id and cumulative qty); a position is opened only by an
 * entry fill and changed only by fills. Replays and out-of-order reports change nothing.
 */
import type { TransactionSql } from "postgres";
import type { BrokerOrder } from "../../adapters/broker/broker.ts";
import { newFillFrom, type NewFill } from "../../domain/orders/cumulative-fill.ts";
import { noFills, openingSide, positionFigures, withFill, type PositionFills } from "../../domain/orders/position-fill.ts";
import { advanceStatus, orderStatusFor, type OrderStatus } from "../../domain/order-status.ts";
import { absDecimal, divideDecimal, multiplyDecimal, roundDecimal, subtractDecimal, type Decimal } from "../../domain/money.ts";
import type { Sql } from "postgres";

export type ReportSource = "stream" | "poll" | "doctor";

export interface ExecutionDetail {
  price: Decimal | null;
  qty: Decimal | null;
}

export interface ReportEffects {
  orderId: number;
  status: OrderStatus;
  fill: (NewFill & { filledAt: string }) | null;
  position: { positionId: number; change: "opened" | "increased" | "reduced" | "closed" } | null;
}

/** A fill for a leg or exit arrived before its entry's fill was recorded: apply the entry first. */
export class EntryNotAppliedError extends Error {
  constructor(readonly orderId: number) {
    super(`order ${orderId} filled before its position exists; the entry's fill must be applied first`);
    this.name = "EntryNotAppliedError";
  }
}

interface OrderRow {
  order_id: string;
  security_id: string;
  cycle_id: string | null;
  position_id: string | null;
  parent_order_id: string | null;
  role: string;
  side: "buy" | "sell";
  status: OrderStatus;
  qty: string;
  metadata: Record<string, unknown>;
}

const CLOSE_REASONS: Record<string, string> = { stop_loss: "stop_loss", take_profit: "take_profit", scale_out: "scale_out" };

async function findOrder(tx: TransactionSql, report: BrokerOrder): Promise<OrderRow | null> {
  const [row] = await tx<OrderRow[]>`
    select order_id, security_id, cycle_id, position_id, parent_order_id, role, side, status, qty::text, metadata
      from orders where broker_order_id = ${report.id} or client_order_id = ${report.clientOrderId}
     order by (broker_order_id = ${report.id}) desc nulls last limit 1 for update`;
  return row ?? null;
}

/** A bracket leg the broker created with its parent: recorded the first time we see it. */
async function insertLeg(tx: TransactionSql, leg: BrokerOrder, parent: OrderRow): Promise<void> {
  const role = leg.type === "limit" ? "take_profit" : "stop_loss";
  await tx`
    insert into orders (client_order_id, broker_order_id, security_id, cycle_id, position_id, parent_order_id, role,
                        order_class, side, order_type, time_in_force, qty, limit_price, stop_price, status, broker_status,
                        source, submitted_at)
    values (${leg.clientOrderId}, ${leg.id}, ${parent.security_id}, ${parent.cycle_id}, ${parent.position_id}, ${parent.order_id},
            ${role}, 'bracket', ${leg.side}, ${leg.type}, ${leg.timeInForce}, ${leg.qty ?? parent.qty}, ${leg.limitPrice},
            ${leg.stopPrice}, 'submitted', ${leg.alpacaStatus}, 'catalyst', ${leg.submittedAt ?? leg.createdAt})
    on conflict do nothing`;
}

async function recordedFills(tx: TransactionSql, orderId: string): Promise<{ qty: Decimal; value: Decimal }> {
  const [row] = await tx`select coalesce(sum(qty), 0)::text as qty, coalesce(sum(qty * price), 0)::text as value from fills where order_id = ${orderId}`;
  return { qty: row!.qty, value: row!.value };
}

/**
 * The position's row locked, and the sums of its fills other than `exceptKey` (the fill being
 * applied, already inserted in this transaction).
 */
async function lockedPositionFills(tx: TransactionSql, positionId: string, exceptKey: string): Promise<PositionFills> {
  const [row] = await tx`
    select p.side,
           coalesce(sum(f.qty) filter (where o.role in ('entry', 'scale_in')), 0)::text as entry_qty,
           coalesce(sum(f.qty * f.price) filter (where o.role in ('entry', 'scale_in')), 0)::text as entry_value,
           coalesce(sum(f.qty) filter (where o.role not in ('entry', 'scale_in')), 0)::text as exit_qty,
           coalesce(sum(f.qty * f.price) filter (where o.role not in ('entry', 'scale_in')), 0)::text as exit_value
      from (select position_id, side from positions where position_id = ${positionId} for update) p
      left join orders o on o.position_id = p.position_id
      left join fills f on f.order_id = o.order_id and f.broker_fill_id <> ${exceptKey}
     group by p.side`;
  return { side: row!.side, entryQty: row!.entry_qty, entryValue: row!.entry_value, exitQty: row!.exit_qty, exitValue: row!.exit_value };
}

async function openFromEntry(tx: TransactionSql, order: OrderRow, fill: NewFill, filledAt: string): Promise<ReportEffects["position"]> {
  const [existing] = await tx`select position_id from positions where entry_order_id = ${order.order_id}`;
  const fact = { side: order.side, qty: fill.qty, price: fill.price };
  if (existing) {
    const figures = positionFigures(withFill(await lockedPositionFills(tx, existing.position_id, fill.key), fact));
    await tx`update positions set qty = ${figures.qty}, avg_entry_price = ${figures.avgEntryPrice} where position_id = ${existing.position_id}`;
    return { positionId: Number(existing.position_id), change: "increased" };
  }
  const book = positionFigures(withFill(noFills(openingSide(order.side)), fact));
  const legs = await tx`select role, stop_price::text, limit_price::text from orders where parent_order_id = ${order.order_id}`;
  const prices = (order.metadata.risk as { prices?: { stopLoss?: string; takeProfit?: string } } | undefined)?.prices;
  const stop = legs.find((l) => l.role === "stop_loss")?.stop_price ?? prices?.stopLoss ?? null;
  const target = legs.find((l) => l.role === "take_profit")?.limit_price ?? prices?.takeProfit ?? null;
  const initialRisk = stop === null ? null : roundDecimal(multiplyDecimal(absDecimal(subtractDecimal(fill.price, stop)), fill.qty), 2);
  const evidence = (order.metadata.evidence ?? {}) as { pattern?: string; catalyst?: string };
  const [position] = await tx`
    insert into positions (security_id, cycle_id, entry_order_id, side, qty, avg_entry_price, opened_at, stop_loss, take_profit,
                           initial_risk, source, pattern, catalyst)
    values (${order.security_id}, ${order.cycle_id}, ${order.order_id}, ${openingSide(order.side)}, ${book.qty}, ${book.avgEntryPrice}, ${filledAt},
            ${stop}, ${target}, ${initialRisk}, 'catalyst', ${evidence.pattern ?? null}, ${evidence.catalyst ?? null})
    returning position_id`;
  await tx`update orders set position_id = ${position!.position_id}
            where (order_id = ${order.order_id} or parent_order_id = ${order.order_id}) and position_id is null`;
  return { positionId: Number(position!.position_id), change: "opened" };
}

async function reduceByExit(tx: TransactionSql, order: OrderRow, fill: NewFill, filledAt: string): Promise<ReportEffects["position"]> {
  let positionId = order.position_id;
  if (positionId === null && order.parent_order_id !== null) {
    const [parent] = await tx`select position_id from orders where order_id = ${order.parent_order_id}`;
    positionId = parent?.position_id ?? null;
  }
  if (positionId === null) throw new EntryNotAppliedError(Number(order.order_id));
  const effect = positionFigures(withFill(await lockedPositionFills(tx, positionId, fill.key), { side: order.side, qty: fill.qty, price: fill.price }));
  const reason = CLOSE_REASONS[order.role] ?? String(order.metadata.closeReason ?? "manual_close");
  await tx`
    update positions set qty = ${effect.qty}, avg_exit_price = ${effect.avgExitPrice}, realized_pnl = ${effect.realizedPnl},
           status = ${effect.closed ? "closed" : "open"}, closed_at = ${effect.closed ? filledAt : null},
           close_reason = ${effect.closed ? reason : null}
     where position_id = ${positionId}`;
  if (order.position_id === null) await tx`update orders set position_id = ${positionId} where order_id = ${order.order_id}`;
  return { positionId: Number(positionId), change: effect.closed ? "closed" : "reduced" };
}

function timestampsFor(status: OrderStatus, report: BrokerOrder) {
  const at = report.updatedAt ?? report.createdAt;
  return {
    accepted: status !== "created" && status !== "submitted" && status !== "rejected" ? at : null,
    cancelled: status === "cancelled" ? (report.canceledAt ?? at) : null,
    expired: status === "expired" ? (report.expiredAt ?? at) : null,
  };
}

async function applyInTransaction(
  tx: TransactionSql,
  report: BrokerOrder,
  via: ReportSource,
  execution: ExecutionDetail | null,
  parent: OrderRow | null,
): Promise<ReportEffects | null> {
  let order = await findOrder(tx, report);
  if (!order && parent) {
    await insertLeg(tx, report, parent);
    order = await findOrder(tx, report);
  }
  if (!order) return null;

  const recorded = await recordedFills(tx, order.order_id);
  const fill = newFillFrom(
    { brokerOrderId: report.id, filledQty: report.filledQty, filledAvgPrice: report.filledAvgPrice, eventPrice: execution?.price ?? null, eventQty: execution?.qty ?? null },
    recorded,
  );
  let filledAt: string | null = null;
  let position: ReportEffects["position"] = null;
  let filledQty = recorded.qty;
  let fillValue = recorded.value;
  if (fill) {
    filledAt = report.filledAt ?? report.updatedAt ?? new Date().toISOString();
    const [inserted] = await tx`
      insert into fills (order_id, side, broker_fill_id, qty, price, filled_at, received_via)
      values (${order.order_id}, ${order.side}, ${fill.key}, ${fill.qty}, ${fill.price}, ${filledAt}, ${via})
      on conflict (broker_fill_id) do nothing returning fill_id`;
    if (inserted) {
      position = order.role === "entry" || order.role === "scale_in" ? await openFromEntry(tx, order, fill, filledAt) : await reduceByExit(tx, order, fill, filledAt);
      const after = await recordedFills(tx, order.order_id);
      filledQty = after.qty;
      fillValue = after.value;
    }
  }
  const reported = orderStatusFor(report.alpacaStatus, report.filledQty);
  const status = advanceStatus(order.status, reported);
  const times = timestampsFor(status, report);
  const avgPrice = Number(filledQty) > 0 ? divideDecimal(fillValue, filledQty, 4, "half_up") : null;
  await tx`
    update orders set
      broker_order_id = coalesce(broker_order_id, ${report.id}),
      status = ${status},
      broker_status = ${report.alpacaStatus},
      filled_qty = ${filledQty},
      filled_avg_price = ${avgPrice},
      submitted_at = coalesce(submitted_at, ${report.submittedAt ?? report.createdAt}),
      accepted_at = coalesce(accepted_at, ${times.accepted}),
      filled_at = case when ${status} = 'filled' then coalesce(filled_at, ${report.filledAt ?? filledAt}) else filled_at end,
      cancelled_at = coalesce(cancelled_at, ${times.cancelled}),
      expired_at = coalesce(expired_at, ${times.expired}),
      rejection_reason = case when ${status} = 'rejected' then coalesce(rejection_reason, 'rejected by the broker') else rejection_reason end
    where order_id = ${order.order_id}`;
  return { orderId: Number(order.order_id), status, fill: fill && filledAt ? { ...fill, filledAt } : null, position };
}

/** Applies an order and, when it came with them, its legs (a bracket's stop loss and take profit). */
export async function applyOrderTree(sql: Sql, report: BrokerOrder, via: ReportSource, execution: ExecutionDetail | null = null): Promise<ReportEffects[]> {
  const effects: ReportEffects[] = [];
  const parentEffect = await sql.begin((tx) => applyInTransaction(tx, report, via, execution, null));
  if (!parentEffect) return effects;
  effects.push(parentEffect);
  for (const leg of report.legs) {
    // The parent is read again per leg: its first fill may have just given it a position.
    const legEffect = await sql.begin(async (tx) => applyInTransaction(tx, leg, via, null, await findOrder(tx, report)));
    if (legEffect) effects.push(legEffect);
  }
  return effects;
}
