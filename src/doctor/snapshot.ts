/**
 * What one sweep reads: the database in a fixed number of queries and the broker in a bounded
 * number of calls (listings are paged; targeted lookups are capped), whatever the book's size.
 */
import type { Sql } from "postgres";
import type { Broker, BrokerFill, BrokerOrder } from "../adapters/broker/broker.ts";
import { indexBrokerOrders, ordersNeedingLookup } from "../domain/doctor/broker-index.ts";
import type { BrokerRead, BrokerSnapshot, DbOrder, DbPosition, DbSnapshot, OrderLookup } from "../domain/doctor/types.ts";
import { sweepWindowAt } from "../domain/doctor/window.ts";
import { etDate, etInstant } from "../domain/exchange-calendar.ts";
import { LIVE_ORDER_STATUSES, type OrderStatus } from "../domain/order-status.ts";
import { errorMessage } from "../runtime/errors.ts";

/** Targeted by-id lookups per sweep; the rest wait for the next sweep (each counts in the report). */
export const MAX_LOOKUPS_PER_SWEEP = 25;

export async function readDbSnapshot(sql: Sql): Promise<DbSnapshot> {
  // Independent reads, sent together: a constant number of queries.
  const [[clock], orders, positions, [cycle], [sweep], [pipeline]] = await Promise.all([
    sql`select now() as now`,
    sql`
      select o.order_id, o.client_order_id, o.broker_order_id, o.parent_order_id, parent.broker_order_id as parent_broker_order_id,
             coalesce(o.position_id, parent.position_id) as position_id, coalesce(pos.status = 'open', false) as position_open,
             s.symbol, o.role, o.side, o.order_type, o.status, o.qty::text, o.filled_qty::text, o.created_at, o.updated_at
        from orders o join securities s using (security_id)
        left join orders parent on parent.order_id = o.parent_order_id
        left join positions pos on pos.position_id = coalesce(o.position_id, parent.position_id)
       where o.status = any(${LIVE_ORDER_STATUSES as string[]})`,
    sql`
      select p.position_id, s.symbol, p.side, p.qty::text, p.source, p.hold_overnight, p.opened_at, p.last_price_at
        from positions p join securities s using (security_id) where p.status = 'open'`,
    sql`select cycle_id, state, last_activity_at from trading_cycles where state not in ('closed', 'error') order by started_at desc limit 1`,
    sql`select max(finished_at) as at from doctor_sweeps where triggered_by = 'schedule' and status <> 'error'`,
    sql`select * from v_trade_pipeline_status order by started_at desc limit 1`,
  ]);
  return {
    wallNow: clock!.now.getTime(),
    liveOrders: orders.map<DbOrder>((r) => ({
      orderId: Number(r.order_id),
      clientOrderId: r.client_order_id,
      brokerOrderId: r.broker_order_id,
      parentOrderId: r.parent_order_id === null ? null : Number(r.parent_order_id),
      parentBrokerOrderId: r.parent_broker_order_id,
      positionOpen: r.position_open,
      positionId: r.position_id === null ? null : Number(r.position_id),
      symbol: r.symbol,
      role: r.role,
      side: r.side,
      orderType: r.order_type,
      status: r.status as OrderStatus,
      qty: r.qty,
      filledQty: r.filled_qty,
      createdAt: r.created_at.getTime(),
      updatedAt: r.updated_at.getTime(),
    })),
    openPositions: positions.map<DbPosition>((r) => ({
      positionId: Number(r.position_id),
      symbol: r.symbol,
      side: r.side,
      qty: r.qty,
      source: r.source,
      holdOvernight: r.hold_overnight,
      openedAt: r.opened_at.getTime(),
      lastPriceAt: r.last_price_at === null ? null : r.last_price_at.getTime(),
    })),
    liveCycle: cycle ? { cycleId: cycle.cycle_id, state: cycle.state, lastActivityAt: cycle.last_activity_at.getTime() } : null,
    lastScheduledSweepAt: sweep?.at ? sweep.at.getTime() : null,
    pipeline: pipeline ? { ...pipeline } : { pipeline_stage: "no_cycle" },
    recordedFillIds: new Set(),
  };
}

/**
 * Which of the broker's fills the database holds: one query. Our fills are keyed by order and
 * cumulative quantity (the stream's partial fills can arrive merged), so a broker fill counts as
 * recorded when that order's recorded quantity reaches the fill's cumulative quantity.
 */
export async function recordedFillIds(sql: Sql, fills: Pick<BrokerFill, "id" | "orderId" | "cumQty">[]): Promise<Set<string>> {
  if (fills.length === 0) return new Set();
  const rows = await sql`
    select x.fill_id
      from unnest(${sql.array(fills.map((f) => f.id))}::text[], ${sql.array(fills.map((f) => f.orderId))}::text[],
                  ${sql.array(fills.map((f) => f.cumQty))}::numeric[]) as x(fill_id, broker_order_id, cum_qty)
      join orders o on o.broker_order_id = x.broker_order_id
     where (select coalesce(sum(f.qty), 0) from fills f where f.order_id = o.order_id) >= x.cum_qty`;
  return new Set(rows.map((r) => r.fill_id as string));
}

async function read<T>(call: () => Promise<T>): Promise<BrokerRead<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}

/** The order by broker id, then by client id; null only when both answer 404. */
async function lookUp(broker: Broker, order: DbOrder): Promise<OrderLookup> {
  return read(async () => {
    const byId = order.brokerOrderId === null ? null : await broker.getOrder(order.brokerOrderId);
    return byId ?? (await broker.getOrderByClientId(order.clientOrderId));
  });
}

export async function readBrokerSnapshot(broker: Broker, db: DbSnapshot): Promise<BrokerSnapshot> {
  const clock = await read(() => broker.getClock());
  const marketNow = clock.ok ? Date.parse(clock.value.timestamp) : null;
  const day = marketNow === null ? null : etDate(marketNow);
  // The listings start at midnight ET of the market's day: today's orders and fills, paged.
  const since = day === null ? undefined : new Date(etInstant(day, "00:00")).toISOString();
  const [positions, openOrders, recentOrders, fills] = await Promise.all([
    read(() => broker.listPositions()),
    // Flat: a bracket whose entry has filled is no longer "open", so nested its working legs would be missed.
    read(() => broker.listOrders({ status: "open", nested: false })),
    since === undefined ? Promise.resolve<BrokerRead<BrokerOrder[]>>({ ok: false, error: "the market clock did not answer" }) : read(() => broker.listOrders({ status: "all", after: since, nested: true })),
    read(() => broker.listFills(since === undefined ? {} : { after: since })),
  ]);
  const lookups = new Map<number, OrderLookup>();
  const unlisted = ordersNeedingLookup(db.liveOrders, indexBrokerOrders({ openOrders, recentOrders }));
  for (const order of unlisted.slice(0, MAX_LOOKUPS_PER_SWEEP)) lookups.set(order.orderId, await lookUp(broker, order));
  const window = marketNow === null ? null : sweepWindowAt(marketNow);
  return { marketNow, inSweepWindow: window !== null, sweepWindowOpenedAt: window?.opens ?? null, positions, openOrders, recentOrders, fills, lookups };
}
