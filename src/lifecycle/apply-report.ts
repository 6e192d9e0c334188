/**
 * Applies what the broker reports about an order (stream event, polled order, or a restart's
 * lookup) to our books, in one transaction: the order's status moves forward only; a fill is
 * recorded once (keyed by broker order id and cumulative qty); a position is opened only by an
 * entry fill and changed only by fills. Replays and out-of-order reports change nothing.
 */
import type { TransactionSql } from "postgres";
import type { BrokerOrder } from "../adapters/broker/broker.ts";
import { newFillFrom, type NewFill } from "../domain/orders/cumulative-fill.ts";
import { noFills, openingSide, positionFigures, withFill, type PositionFills } from "../domain/orders/position-fill.ts";
import { advanceStatus, orderStatusFor, type OrderStatus } from "../domain/order-status.ts";
import { absDecimal, addDecimal, compareDecimal, divideDecimal, multiplyDecimal, roundDecimal, subtractDecimal, type Decimal } from "../domain/money.ts";
import type { Sql } from "postgres";
import { ORDER_COLUMNS } from "./views.ts";
import { PREPARED } from "../adapters/db/client.ts";

export type ReportSource = "stream" | "poll" | "doctor";

export interface ExecutionDetail {
  price: Decimal | null;
  qty: Decimal | null;
}

export interface ReportEffects {
  orderId: number;
  /** entry, stop_loss, take_profit, exit…: what the order was for (a stop_loss fill is a stop that fired). */
  role: string;
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
  broker_order_id: string | null;
  client_order_id: string;
  broker_status: string | null;
  security_id: string;
  cycle_id: string | null;
  position_id: string | null;
  parent_order_id: string | null;
  role: string;
  side: "buy" | "sell";
  status: OrderStatus;
  qty: string;
  metadata: Record<string, unknown>;
  /** Σ qty and Σ qty × price of the order's recorded fills. */
  recorded_qty: string;
  recorded_value: string;
}

const CLOSE_REASONS: Record<string, string> = { stop_loss: "stop_loss", take_profit: "take_profit", scale_out: "scale_out" };

const ROW_COLUMNS = `o.order_id, o.broker_order_id, o.client_order_id, o.broker_status, o.security_id, o.cycle_id, o.position_id,
  o.parent_order_id, o.role, o.side, o.status, o.qty::text, o.metadata,
  coalesce(f.qty, 0)::text as recorded_qty, coalesce(f.value, 0)::text as recorded_value`;
const RECORDED_FILLS = `left join lateral (select sum(qty) as qty, sum(qty * price) as value from fills where order_id = o.order_id) f on true`;

/** The report's order and its legs, as rows, locked: one query, whatever the tree's size. */
async function lockTree(tx: TransactionSql, reports: BrokerOrder[]): Promise<Map<BrokerOrder, OrderRow>> {
  const rows = await tx.unsafe<OrderRow[]>(
    `select ${ROW_COLUMNS} from orders o ${RECORDED_FILLS}
      where o.broker_order_id = any($1::text[]) or o.client_order_id = any($2::text[])
      order by o.order_id for update of o`,
    [reports.map((r) => r.id), reports.map((r) => r.clientOrderId)],
    PREPARED,
  );
  const found = new Map<BrokerOrder, OrderRow>();
  for (const report of reports) {
    const row = rows.find((r) => r.broker_order_id === report.id) ?? rows.find((r) => r.client_order_id === report.clientOrderId);
    if (row) found.set(report, row);
  }
  return found;
}

/** A bracket leg's own columns as the broker reports them (a bracket's limit leg takes profit, its stop leg stops the loss). */
function legColumns(leg: BrokerOrder) {
  return {
    client_order_id: leg.clientOrderId,
    broker_order_id: leg.id,
    role: leg.type === "limit" ? "take_profit" : "stop_loss",
    side: leg.side,
    order_type: leg.type,
    time_in_force: leg.timeInForce,
    qty: leg.qty,
    limit_price: leg.limitPrice,
    stop_price: leg.stopPrice,
    broker_status: leg.alpacaStatus,
    submitted_at: leg.submittedAt ?? leg.createdAt,
  };
}

/** Bracket legs the broker created with their parent, recorded the first time we see them; returns their rows, locked. */
async function insertLegs(tx: TransactionSql, legs: BrokerOrder[], parent: OrderRow): Promise<Map<BrokerOrder, OrderRow>> {
  const rows = legs.map((leg) => ({
    ...legColumns(leg),
    qty: leg.qty ?? parent.qty,
    security_id: parent.security_id,
    cycle_id: parent.cycle_id,
    position_id: parent.position_id,
    parent_order_id: parent.order_id,
    // Only an OCO's parent is itself an exit (protect's target); any other parent's legs are a bracket's.
    order_class: parent.role === "take_profit" ? "oco" : "bracket",
    status: "submitted",
    source: "catalyst",
  }));
  const inserted = await tx<OrderRow[]>`
    insert into orders ${tx(rows)} on conflict do nothing
    returning order_id, broker_order_id, client_order_id, broker_status, security_id, cycle_id, position_id, parent_order_id,
              role, side, status, qty::text, metadata, '0' as recorded_qty, '0' as recorded_value`;
  const found = new Map(legs.flatMap((leg) => {
    const row = inserted.find((r) => r.broker_order_id === leg.id);
    return row ? [[leg, row] as const] : [];
  }));
  // A leg another writer recorded first (no row came back): read it like any other.
  const raced = legs.filter((leg) => !found.has(leg));
  return raced.length === 0 ? found : new Map([...found, ...(await lockTree(tx, raced))]);
}

/**
 * Orders the broker created by replacing one of ours (PATCH: a moved stop, a resized leg): each is
 * recorded as a new row inheriting the replaced one's place (position, parent, role, class), and
 * the replaced row points at it (replaced_by_order_id), so the books follow the chain the broker
 * keeps. Returns the rows, locked; a report whose replaced order is not ours gets none.
 */
async function insertReplacements(tx: TransactionSql, reports: BrokerOrder[]): Promise<Map<BrokerOrder, OrderRow>> {
  const found = new Map<BrokerOrder, OrderRow>();
  for (const report of reports) {
    const [old] = await tx`select order_id, security_id, cycle_id, position_id, parent_order_id, role, order_class, side, order_type, source, metadata
                             from orders where broker_order_id = ${report.replaces} for update`;
    if (!old) continue;
    const [row] = await tx<OrderRow[]>`
      insert into orders (client_order_id, broker_order_id, security_id, cycle_id, position_id, parent_order_id, role, order_class, side,
                          order_type, time_in_force, qty, limit_price, stop_price, status, broker_status, source, submitted_at, metadata)
      values (${report.clientOrderId}, ${report.id}, ${old.security_id}, ${old.cycle_id}, ${old.position_id}, ${old.parent_order_id}, ${old.role},
              ${old.order_class}, ${old.side}, ${old.order_type}, ${report.timeInForce}, ${report.qty ?? "0"}, ${report.limitPrice}, ${report.stopPrice},
              'submitted', ${report.alpacaStatus}, ${old.source}, ${report.submittedAt ?? report.createdAt},
              ${tx.json({ ...(old.metadata as Record<string, unknown>), replaces: Number(old.order_id) } as never)})
      on conflict do nothing
      returning order_id, broker_order_id, client_order_id, broker_status, security_id, cycle_id, position_id, parent_order_id,
                role, side, status, qty::text, metadata, '0' as recorded_qty, '0' as recorded_value`;
    if (row) {
      await tx`update orders set replaced_by_order_id = ${row.order_id} where order_id = ${old.order_id}`;
      found.set(report, row);
    } else {
      // Another writer recorded it first: read it like any other.
      for (const [o, r] of await lockTree(tx, [report])) found.set(o, r);
    }
  }
  return found;
}

/**
 * The position's row locked, and the sums of its fills other than `exceptKey` (the fill being
 * applied, already inserted in this transaction).
 */
async function lockedPositionFills(tx: TransactionSql, positionId: string, exceptKey: string): Promise<PositionFills> {
  const [row] = await tx`
    select p.side, p.source, p.qty::text as held_qty, p.avg_entry_price::text as held_avg,
           coalesce(sum(f.qty) filter (where o.role in ('entry', 'scale_in')), 0)::text as entry_qty,
           coalesce(sum(f.qty * f.price) filter (where o.role in ('entry', 'scale_in')), 0)::text as entry_value,
           coalesce(sum(f.qty) filter (where o.role not in ('entry', 'scale_in')), 0)::text as exit_qty,
           coalesce(sum(f.qty * f.price) filter (where o.role not in ('entry', 'scale_in')), 0)::text as exit_value
      from (select position_id, side, source, qty, avg_entry_price from positions where position_id = ${positionId} for update) p
      left join orders o on o.position_id = p.position_id
      left join fills f on f.order_id = o.order_id and f.broker_fill_id <> ${exceptKey}
     group by p.side, p.source, p.qty, p.avg_entry_price`;
  if (row!.source === "external" && compareDecimal(row!.entry_qty, "0") === 0) {
    // Imported, not opened by a fill of ours: what it held before our exits is its opening.
    const opened = addDecimal(row!.held_qty, row!.exit_qty);
    return { side: row!.side, entryQty: opened, entryValue: multiplyDecimal(opened, row!.held_avg), exitQty: row!.exit_qty, exitValue: row!.exit_value };
  }
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

/**
 * One order of the tree against its locked row. Row updates are sent without waiting (they are
 * pipelined on the transaction's connection, in order) and awaited with the tree's, so a report
 * that changes three rows costs one round trip for them, not three.
 */
async function applyToRow(
  tx: TransactionSql,
  report: BrokerOrder,
  order: OrderRow,
  via: ReportSource,
  execution: ExecutionDetail | null,
  writes: Promise<unknown>[],
): Promise<ReportEffects> {
  const recorded = { qty: order.recorded_qty, value: order.recorded_value };
  let fill = newFillFrom(
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
      filledQty = addDecimal(recorded.qty, fill.qty);
      fillValue = addDecimal(recorded.value, multiplyDecimal(fill.qty, fill.price));
    } else {
      // The order's row is locked and its fills were read under that lock: the key can only be taken by another order's fill.
      fill = null;
    }
  }
  const reported = orderStatusFor(report.alpacaStatus, report.filledQty);
  const status = advanceStatus(order.status, reported);
  const effect: ReportEffects = { orderId: Number(order.order_id), role: order.role, status, fill: fill && filledAt ? { ...fill, filledAt } : null, position };
  if (!fill && status === order.status && order.broker_status === report.alpacaStatus && order.broker_order_id === report.id) return effect;
  const times = timestampsFor(status, report);
  const avgPrice = compareDecimal(filledQty, "0") > 0 ? divideDecimal(fillValue, filledQty, 4, "half_up") : null;
  writes.push(
    tx`
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
    where order_id = ${order.order_id}`.execute(),
  );
  return effect;
}

/**
 * The broker's first answer to an entry we have just created, when it brings no fill (the usual
 * case): the row gets its broker id and status and the legs their rows, in one statement, and
 * the rows come back as the API shows them. Null when the answer carries a fill or the row has
 * moved on (the stream got there first): then apply it with applyOrderTree.
 */
export async function recordFirstAnswer(sql: Sql, orderId: number, report: BrokerOrder): Promise<Record<string, unknown>[] | null> {
  if ([report, ...report.legs].some((o) => compareDecimal(o.filledQty, "0") > 0)) return null;
  const stateOf = (o: BrokerOrder) => {
    const status = advanceStatus("submitted", orderStatusFor(o.alpacaStatus, o.filledQty));
    return { status, submitted_at: o.submittedAt ?? o.createdAt, ...timestampsFor(status, o) };
  };
  const parent = stateOf(report);
  const legs = report.legs.map((leg) => ({ ...legColumns(leg), ...stateOf(leg) }));
  const rows = await sql.unsafe(
    `with parent as (
       update orders set broker_order_id = $2, status = $3, broker_status = $4, submitted_at = $5, accepted_at = $6,
                         cancelled_at = $7, expired_at = $8,
                         rejection_reason = case when $3 = 'rejected' then 'rejected by the broker' end
        where order_id = $1 and status = 'created' and broker_order_id is null
       returning *),
     legs as (
       insert into orders (client_order_id, broker_order_id, security_id, cycle_id, position_id, parent_order_id, role, order_class, side,
                           order_type, time_in_force, qty, limit_price, stop_price, status, broker_status, source, submitted_at,
                           accepted_at, cancelled_at, expired_at)
       -- An OCO's parent is itself an exit of an open position (protect): its leg belongs to that position too.
       select l.client_order_id, l.broker_order_id, p.security_id, p.cycle_id, p.position_id, p.order_id, l.role,
              case when p.order_class = 'oco' then 'oco' else 'bracket' end, l.side, l.order_type,
              l.time_in_force, coalesce(l.qty, p.qty), l.limit_price, l.stop_price, l.status, l.broker_status, 'catalyst',
              l.submitted_at, l.accepted, l.cancelled, l.expired
         from parent p, jsonb_to_recordset($9::jsonb) as l(client_order_id text, broker_order_id text, role text, side text,
              order_type text, time_in_force text, qty numeric, limit_price numeric, stop_price numeric, status text,
              broker_status text, submitted_at timestamptz, accepted timestamptz, cancelled timestamptz, expired timestamptz)
       returning *)
     select ${ORDER_COLUMNS} from (select * from parent union all select * from legs) o join securities s using (security_id)
      order by o.order_id`,
    [orderId, report.id, parent.status, report.alpacaStatus, parent.submitted_at, parent.accepted, parent.cancelled, parent.expired, sql.json(legs)],
    PREPARED,
  );
  return rows.length === 0 ? null : rows;
}

/**
 * Applies an order and, when it came with them, its legs (a bracket's stop loss and take profit),
 * in one transaction: the tree's rows are read and locked in one query, new legs inserted in one,
 * and the parent applied first, so a fill it brings opens the position its legs then reduce.
 */
export async function applyOrderTree(sql: Sql, report: BrokerOrder, via: ReportSource, execution: ExecutionDetail | null = null): Promise<ReportEffects[]> {
  return sql.begin(async (tx) => {
    const rows = await lockTree(tx, [report, ...report.legs]);
    const replacing = [report, ...report.legs].filter((o) => o.replaces !== null && !rows.has(o));
    if (replacing.length > 0) for (const [o, row] of await insertReplacements(tx, replacing)) rows.set(o, row);
    const parent = rows.get(report);
    if (!parent) return [];
    const missing = report.legs.filter((leg) => !rows.has(leg));
    if (missing.length > 0) for (const [leg, row] of await insertLegs(tx, missing, parent)) rows.set(leg, row);
    const writes: Promise<unknown>[] = [];
    const effects = [await applyToRow(tx, report, parent, via, execution, writes)];
    for (const leg of report.legs) {
      const row = rows.get(leg);
      if (row) effects.push(await applyToRow(tx, leg, row, via, null, writes));
    }
    await Promise.all(writes);
    return effects;
  });
}
