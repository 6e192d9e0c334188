/**
 * Closing positions. The protective legs are cancelled first (the broker holds the shares for
 * them, and a leg left working could fill after the exit and open a position the other way),
 * then one market exit is sent for what is held, its row written first like every order.
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import { freshClientOrderId } from "../domain/orders/client-order-id.ts";
import { orderSideFor, type PositionSide } from "../domain/order-side.ts";
import { isTerminal, type OrderStatus } from "../domain/order-status.ts";
import { ApiError } from "../runtime/errors.ts";
import { applyOrderTree, type ReportEffects } from "./apply-report.ts";
import { submitRecorded } from "./submit.ts";
import { orderById, positionById } from "./views.ts";
import type { OrderView, PositionView } from "../contracts/trading.ts";

const LEG_CANCEL_WAIT_MS = 5_000;

export interface CloseResult {
  position: PositionView;
  exitOrder: OrderView | null;
  message: string;
  effects: ReportEffects[];
}

/** Cancels an order at the broker and waits until the broker says it is final (or it filled). */
async function cancelAndSettle(sql: Sql, broker: Broker, brokerOrderId: string, effects: ReportEffects[]): Promise<OrderStatus> {
  await broker.cancelOrder(brokerOrderId);
  const deadline = performance.now() + LEG_CANCEL_WAIT_MS;
  for (;;) {
    const order = await broker.getOrder(brokerOrderId);
    if (order) {
      const applied = await applyOrderTree(sql, order, "poll");
      effects.push(...applied);
      const status = applied[0]?.status;
      if (status && isTerminal(status)) return status;
    }
    if (performance.now() > deadline) throw new ApiError(504, "cancel_timeout", `the broker has not confirmed cancelling order ${brokerOrderId}; retry the close in a moment`);
    await Bun.sleep(100);
  }
}

/** closeReason: a code recorded on the position (manual_close, flatten, end_of_day, emergency_stop); note: the human's words. */
export async function closePosition(sql: Sql, broker: Broker, positionId: number, closeReason: string, note: string): Promise<CloseResult> {
  const position = await positionById(sql, positionId);
  if (!position) throw new ApiError(404, "position_not_found", `no position ${positionId}; list them with GET /api/v1/positions`, "id");
  if (position.status === "closed") throw new ApiError(409, "position_closed", `position ${positionId} is already closed (${position.closeReason})`, "id");

  const [working] = await sql`select order_id from orders where position_id = ${positionId} and role = 'exit'
                               and status in ('created', 'submitted', 'accepted', 'partial_fill') limit 1`;
  if (working) {
    const exitOrder = await orderById(sql, Number(working.order_id));
    return { position, exitOrder, message: `an exit order (${exitOrder!.orderId}) is already working for this position`, effects: [] };
  }

  const effects: ReportEffects[] = [];
  // Legs, and an entry's unfilled remainder after a partial fill: nothing may add to or reverse the position later.
  const legs = await sql`select broker_order_id from orders where position_id = ${positionId} and role <> 'exit'
                          and broker_order_id is not null and status in ('submitted', 'accepted', 'partial_fill')`;
  for (const leg of legs) await cancelAndSettle(sql, broker, leg.broker_order_id, effects);

  const [row] = await sql`select p.qty::text, p.side, p.security_id, p.cycle_id, s.symbol from positions p join securities s using (security_id)
                           where p.position_id = ${positionId} and p.status = 'open'`;
  if (!row) {
    const closed = (await positionById(sql, positionId))!;
    return { position: closed, exitOrder: null, message: `a protective leg filled while cancelling; the position closed (${closed.closeReason})`, effects };
  }
  const side = orderSideFor(row.side as PositionSide, "close");
  const clientOrderId = freshClientOrderId("exit");
  const [exit] = await sql`
    insert into orders (client_order_id, security_id, cycle_id, position_id, role, order_class, side, order_type, time_in_force, qty, source, metadata)
    values (${clientOrderId}, ${row.security_id}, ${row.cycle_id}, ${positionId}, 'exit', 'simple', ${side}, 'market', 'day', ${row.qty},
            'catalyst', ${sql.json({ closeReason, note })})
    returning order_id`;
  const exitId = Number(exit!.order_id);
  const submitted = await submitRecorded(sql, broker, exitId, {
    symbol: row.symbol,
    qty: row.qty.replace(/\.0+$/, ""),
    side,
    type: "market",
    timeInForce: "day",
    orderClass: "simple",
    clientOrderId,
  });
  effects.push(...submitted.effects);
  const exitOrder = await orderById(sql, exitId);
  const after = (await positionById(sql, positionId))!;
  if (submitted.outcome.kind === "rejected") {
    throw new ApiError(502, "broker_rejected", `the broker refused the exit for position ${positionId}: ${submitted.outcome.message}; the stop loss was cancelled, so close it again or protect it now`);
  }
  return { position: after, exitOrder, message: `exit order ${exitId} sent: ${side} ${row.qty} ${row.symbol} at market`, effects };
}

export interface FlattenResult {
  cancelledOrders: number;
  closingPositions: number;
  problems: string[];
  effects: ReportEffects[];
}

/** Cancels working entries, closes every open position, and reports what it could not do. */
export async function flattenAll(sql: Sql, broker: Broker, closeReason: string, note: string): Promise<FlattenResult> {
  const result: FlattenResult = { cancelledOrders: 0, closingPositions: 0, problems: [], effects: [] };
  const entries = await sql`select order_id, broker_order_id from orders where role = 'entry' and broker_order_id is not null
                             and status in ('submitted', 'accepted')`;
  for (const entry of entries) {
    try {
      await cancelAndSettle(sql, broker, entry.broker_order_id, result.effects);
      result.cancelledOrders++;
    } catch (error) {
      result.problems.push(`order ${entry.order_id}: ${(error as Error).message}`);
    }
  }
  const open = await sql`select position_id from positions where status = 'open' and source = 'catalyst' order by position_id`;
  await Promise.all(
    open.map(async (p) => {
      try {
        const closed = await closePosition(sql, broker, Number(p.position_id), closeReason, note);
        result.effects.push(...closed.effects);
        result.closingPositions++;
      } catch (error) {
        result.problems.push(`position ${p.position_id}: ${(error as Error).message}`);
      }
    }),
  );
  const external = await sql`select s.symbol from positions p join securities s using (security_id) where p.status = 'open' and p.source = 'external'`;
  for (const e of external) result.problems.push(`${e.symbol} is an external position (not opened by Catalyst); close it yourself at the broker`);
  return result;
}
