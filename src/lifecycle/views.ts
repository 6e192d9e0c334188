/** Orders, positions and fills as the contract shows them, read with one query shape each. */
import type { Sql, TransactionSql } from "postgres";
import type { FillView, OrderView, PositionView } from "../contracts/trading.ts";
import { PREPARED } from "../adapters/db/client.ts";

type Db = Sql | TransactionSql;
type Row = Record<string, unknown>;

const iso = (value: unknown): string => new Date(value as string).toISOString();
const isoOrNull = (value: unknown): string | null => (value === null ? null : iso(value));
const textOrNull = (value: unknown): string | null => (value === null ? null : String(value));

/** The select list the order mapping expects (orders o join securities s). */
export const ORDER_COLUMNS = `o.order_id, o.client_order_id, o.broker_order_id, o.parent_order_id, o.position_id, o.cycle_id, s.symbol,
  o.role, o.order_class, o.side, o.order_type, o.time_in_force, o.qty::text, o.filled_qty::text, o.limit_price::text,
  o.stop_price::text, o.filled_avg_price::text, o.status, o.broker_status, o.source, o.rejection_reason, o.cancel_reason,
  o.created_at, o.submitted_at, o.filled_at`;

export function orderView(r: Row): OrderView {
  return {
    orderId: Number(r.order_id),
    clientOrderId: String(r.client_order_id),
    brokerOrderId: textOrNull(r.broker_order_id),
    parentOrderId: r.parent_order_id === null ? null : Number(r.parent_order_id),
    positionId: r.position_id === null ? null : Number(r.position_id),
    cycleId: textOrNull(r.cycle_id),
    symbol: String(r.symbol),
    role: String(r.role),
    orderClass: String(r.order_class),
    side: r.side as OrderView["side"],
    type: String(r.order_type),
    timeInForce: String(r.time_in_force),
    qty: String(r.qty),
    filledQty: String(r.filled_qty),
    limitPrice: textOrNull(r.limit_price),
    stopPrice: textOrNull(r.stop_price),
    filledAvgPrice: textOrNull(r.filled_avg_price),
    status: String(r.status),
    brokerStatus: textOrNull(r.broker_status),
    source: String(r.source),
    rejectionReason: textOrNull(r.rejection_reason),
    cancelReason: textOrNull(r.cancel_reason),
    createdAt: iso(r.created_at),
    submittedAt: isoOrNull(r.submitted_at),
    filledAt: isoOrNull(r.filled_at),
  };
}

export const POSITION_COLUMNS = `p.position_id, s.symbol, p.cycle_id, p.side, p.status, p.qty::text, p.avg_entry_price::text,
  p.avg_exit_price::text, p.last_price::text,
  case when p.status = 'open' and p.last_price is not null
       then round((p.last_price - p.avg_entry_price) * p.qty * case p.side when 'long' then 1 else -1 end, 2)::text end as unrealized_pnl,
  p.realized_pnl::text, p.stop_loss::text, p.take_profit::text, p.initial_risk::text, p.source, p.close_reason, p.pattern,
  p.catalyst, p.hold_overnight, p.opened_at, p.closed_at`;

export function positionView(r: Row): PositionView {
  return {
    positionId: Number(r.position_id),
    symbol: String(r.symbol),
    cycleId: textOrNull(r.cycle_id),
    side: r.side as PositionView["side"],
    status: r.status as PositionView["status"],
    qty: String(r.qty),
    avgEntryPrice: String(r.avg_entry_price),
    avgExitPrice: textOrNull(r.avg_exit_price),
    lastPrice: textOrNull(r.last_price),
    unrealizedPnl: textOrNull(r.unrealized_pnl),
    realizedPnl: String(r.realized_pnl),
    stopLoss: textOrNull(r.stop_loss),
    takeProfit: textOrNull(r.take_profit),
    initialRisk: textOrNull(r.initial_risk),
    source: String(r.source),
    closeReason: textOrNull(r.close_reason),
    pattern: textOrNull(r.pattern),
    catalyst: textOrNull(r.catalyst),
    holdOvernight: r.hold_overnight === true,
    openedAt: iso(r.opened_at),
    closedAt: isoOrNull(r.closed_at),
  };
}

export function fillView(r: Row): FillView {
  return {
    fillId: Number(r.fill_id),
    orderId: Number(r.order_id),
    side: String(r.side),
    qty: String(r.qty),
    price: String(r.price),
    filledAt: iso(r.filled_at),
    receivedVia: String(r.received_via),
  };
}

export async function orderById(db: Db, orderId: number): Promise<OrderView | null> {
  const [row] = await db.unsafe(`select ${ORDER_COLUMNS} from orders o join securities s using (security_id) where o.order_id = $1`, [orderId], PREPARED);
  return row ? orderView(row) : null;
}

/** An entry's bracket legs (and any other order hanging off it). */
async function legsOf(db: Db, orderId: number): Promise<OrderView[]> {
  const rows = await db.unsafe(
    `select ${ORDER_COLUMNS} from orders o join securities s using (security_id) where o.parent_order_id = $1 order by o.order_id`,
    [orderId],
    PREPARED,
  );
  return rows.map(orderView);
}

/** An order and its legs, read at once (null when there is no such order). */
export async function orderWithLegs(db: Db, orderId: number): Promise<{ order: OrderView; legs: OrderView[] } | null> {
  const [order, legs] = await Promise.all([orderById(db, orderId), legsOf(db, orderId)]);
  return order ? { order, legs } : null;
}

export async function positionById(db: Db, positionId: number): Promise<PositionView | null> {
  const [row] = await db.unsafe(`select ${POSITION_COLUMNS} from positions p join securities s using (security_id) where p.position_id = $1`, [positionId], PREPARED);
  return row ? positionView(row) : null;
}

export async function fillsOf(db: Db, orderIds: number[]): Promise<FillView[]> {
  if (orderIds.length === 0) return [];
  const rows = await db`select fill_id, order_id, side, qty::text, price::text, filled_at, received_via from fills
                         where order_id in ${db(orderIds)} order by filled_at, fill_id`;
  return rows.map(fillView);
}
