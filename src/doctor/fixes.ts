/**
 * The doctor's fixes: database writes from a positive broker answer, nothing else. Reads of the
 * broker are allowed (a fresh read of the order being fixed); the doctor never places, cancels or
 * closes anything at the broker and never touches risk limits. Order and fill writes go through
 * the trading service's one writer (applyOrderTree), so a fix and the stream cannot disagree.
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import type { FixOutcome } from "../domain/doctor/report.ts";
import type { PlannedFix } from "../domain/doctor/types.ts";
import { compareDecimal } from "../domain/money.ts";
import { orderSideFor } from "../domain/order-side.ts";
import { LIVE_ORDER_STATUSES } from "../domain/order-status.ts";
import { applyOrderTree, EntryNotAppliedError } from "../lifecycle/apply-report.ts";
import { withLegs } from "../lifecycle/submit.ts";
import { marketNow } from "../runtime/broker.ts";

export async function applyFix(sql: Sql, broker: Broker, fix: PlannedFix): Promise<FixOutcome> {
  switch (fix.action) {
    case "sync_order_status":
    case "adopt_fills":
      return adoptBrokerOrders(sql, broker, fix.brokerOrderIds);
    case "resolve_order_not_found":
      return resolveNotFound(sql, fix.orderId);
    case "close_phantom_at_fill":
      return closePhantomAtFill(sql, broker, fix.positionId, fix.exitOrderId);
    case "import_orphan_external":
      return importOrphan(sql, broker, fix);
  }
}

/** Re-reads each order tree and applies it; entries first, so an exit finds its position. */
async function adoptBrokerOrders(sql: Sql, broker: Broker, rootIds: string[]): Promise<FixOutcome> {
  const trees = [];
  for (const id of rootIds) {
    const order = await broker.getOrder(id);
    if (order) trees.push(await withLegs(broker, order));
  }
  if (trees.length === 0) return { applied: false, result: "the broker no longer answers for these orders; left for the next sweep" };
  const changes: string[] = [];
  const pending = [];
  for (const tree of trees) {
    try {
      const effects = await applyOrderTree(sql, tree, "doctor");
      changes.push(...effects.filter((e) => e.fill || e.position).map((e) => `order ${e.orderId}: ${e.status}${e.fill ? `, fill ${e.fill.qty} @ ${e.fill.price}` : ""}${e.position ? `, position ${e.position.positionId} ${e.position.change}` : ""}`));
    } catch (error) {
      if (!(error instanceof EntryNotAppliedError)) throw error;
      pending.push(tree);
    }
  }
  for (const tree of pending) await applyOrderTree(sql, tree, "doctor");
  return { applied: true, result: changes.length > 0 ? changes.join("; ") : `statuses synced for ${trees.map((t) => t.id).join(", ")}` };
}

async function resolveNotFound(sql: Sql, orderId: number): Promise<FixOutcome> {
  const rows = await sql`
    update orders set status = 'cancelled', cancelled_at = now(),
           cancel_reason = 'not_found_at_broker: the broker answered 404 by id and by client id; place it again if still wanted'
     where order_id = ${orderId} and status = any(${LIVE_ORDER_STATUSES as string[]}) and filled_qty = 0
    returning order_id`;
  return rows.length > 0
    ? { applied: true, result: `order ${orderId} marked cancelled (not found at the broker)` }
    : { applied: false, result: `order ${orderId} changed meanwhile (or has fills); left as it is` };
}

/**
 * An order placed outside Catalyst sold the position: it is recorded as the position's exit order
 * (source external) and its real fills applied, so the close and its P&L come from the broker's prices.
 */
async function closePhantomAtFill(sql: Sql, broker: Broker, positionId: number, exitOrderId: string): Promise<FixOutcome> {
  const exit = await broker.getOrder(exitOrderId);
  const [position] = await sql`select p.side, p.qty::text, p.security_id, p.cycle_id, s.symbol from positions p join securities s using (security_id)
                                where p.position_id = ${positionId} and p.status = 'open'`;
  if (!position) return { applied: false, result: `position ${positionId} is no longer open` };
  if (!exit || exit.symbol !== position.symbol || exit.side !== orderSideFor(position.side, "close") || exit.status !== "filled") {
    return { applied: false, result: `the broker's order ${exitOrderId} is not a filled ${position.symbol} exit; nothing changed` };
  }
  if (compareDecimal(exit.filledQty, position.qty) !== 0) {
    return { applied: false, result: `order ${exitOrderId} filled ${exit.filledQty}, the position holds ${position.qty}: it does not explain the close; nothing changed` };
  }
  const [row] = await sql`
    insert into orders (client_order_id, broker_order_id, security_id, cycle_id, position_id, role, order_class, side, order_type,
                        time_in_force, qty, limit_price, stop_price, status, source, submitted_at, metadata)
    values (${exit.clientOrderId}, ${exit.id}, ${position.security_id}, ${position.cycle_id}, ${positionId}, 'exit', 'simple', ${exit.side},
            ${exit.type === "trailing_stop" ? "market" : exit.type}, ${exit.timeInForce}, ${exit.filledQty},
            ${exit.type === "limit" || exit.type === "stop_limit" ? exit.limitPrice : null}, ${exit.type === "stop" || exit.type === "stop_limit" ? exit.stopPrice : null},
            'submitted', 'external', ${exit.submittedAt ?? exit.createdAt}, ${sql.json({ closeReason: "external_close", adoptedBy: "doctor" })})
    on conflict do nothing returning order_id`;
  if (!row) return { applied: false, result: `order ${exitOrderId} is already recorded; the next sweep re-checks the position` };
  let effects;
  try {
    effects = await applyOrderTree(sql, exit, "doctor");
  } catch (error) {
    // No half-done fix: the adopted row goes again unless a fill of it was recorded.
    await sql`delete from orders where order_id = ${row.order_id} and not exists (select 1 from fills where order_id = ${row.order_id})`;
    throw error;
  }
  const closed = effects.find((e) => e.position?.change === "closed");
  return closed
    ? { applied: true, result: `position ${positionId} closed at the broker's fills of order ${exitOrderId} (${exit.filledQty} @ ${exit.filledAvgPrice})` }
    : { applied: true, result: `order ${exitOrderId} recorded as the exit of position ${positionId}; its fills did not close it` };
}

/**
 * Opened at the market's now (the broker's clock): its close is stamped by the market too, and in sim
 * the venue's clock may be far behind the server's (positions_closed_after_open).
 */
async function importOrphan(sql: Sql, broker: Broker, fix: Extract<PlannedFix, { action: "import_orphan_external" }>): Promise<FixOutcome> {
  const openedAt = new Date(await marketNow(broker));
  const rows = await sql`
    insert into positions (security_id, side, qty, avg_entry_price, source, opened_at, metadata)
    values (get_or_create_security(${fix.symbol}), ${fix.side}, ${fix.qty}, ${fix.avgEntryPrice}, 'external', ${openedAt},
            ${sql.json({ importedBy: "doctor", reason: "held at the broker, unknown to Catalyst" })})
    on conflict do nothing returning position_id`;
  return rows.length > 0
    ? { applied: true, result: `imported as external position ${rows[0]!.position_id}: ${fix.side} ${fix.qty} ${fix.symbol} @ ${fix.avgEntryPrice}` }
    : { applied: false, result: `${fix.symbol} has an open position already; the next sweep re-checks it` };
}
