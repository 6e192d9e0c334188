/**
 * Sending an order whose row already exists, and writing down what became of it. The row's
 * client order id is what the broker gets; the outcome (accepted, refused, or unknown because
 * the answer was lost) is recorded, and an unknown one is left for the sync to look up by that
 * id — never sent again.
 */
import type { Sql } from "postgres";
import type { Broker, BrokerOrder, OrderRequest, SubmitOutcome } from "../adapters/broker/broker.ts";
import type { OrderView } from "../contracts/trading.ts";
import { applyOrderTree, recordFirstAnswer, type ReportEffects } from "./apply-report.ts";
import { orderView } from "./views.ts";

export interface SubmitRecord {
  outcome: SubmitOutcome;
  effects: ReportEffects[];
  /** The order and its legs as recorded, when the broker's answer was written in one statement. */
  recorded: OrderView[] | null;
}

/**
 * A bracket found by client order id comes without its legs (that lookup is not nested); read it
 * again by id so the legs get rows — unknown legs would hold the shares and block every exit.
 */
export async function withLegs(broker: Broker, order: BrokerOrder): Promise<BrokerOrder> {
  if (order.orderClass === "simple" || order.legs.length > 0) return order;
  return (await broker.getOrder(order.id)) ?? order;
}

/**
 * Submits in flight in this service, by client order id. The broker's stream reports an order the
 * moment it accepts it, while the submit's answer is still being written; applying that report at
 * the same time would only contend for the same row. The stream waits for the submit instead, and
 * its report then changes nothing or only what is newer.
 */
const inFlight = new Map<string, Promise<unknown>>();

/** Marks a client order id in flight until `work` settles: from a close's claim to its submit's answer, say. */
export function holdInFlight<T>(clientOrderId: string, work: Promise<T>): Promise<T> {
  const held = work.finally(() => {
    if (inFlight.get(clientOrderId) === held) inFlight.delete(clientOrderId);
  });
  inFlight.set(clientOrderId, held);
  return held;
}

/** Whether this process is still working on the order (the sync must not settle it as never sent). */
export function isInFlight(clientOrderId: string): boolean {
  return inFlight.has(clientOrderId);
}

/** Resolves once no submit of this client order id is in flight (at once when none is). */
export function submitSettled(clientOrderId: string): Promise<void> {
  const pending = inFlight.get(clientOrderId);
  return pending ? pending.then(() => undefined, () => undefined) : Promise.resolve();
}

export function submitRecorded(sql: Sql, broker: Broker, orderId: number, request: OrderRequest): Promise<SubmitRecord> {
  return holdInFlight(request.clientOrderId, sendAndRecord(sql, broker, orderId, request));
}

async function sendAndRecord(sql: Sql, broker: Broker, orderId: number, request: OrderRequest): Promise<SubmitRecord> {
  const outcome = await broker.submitOrder(request);
  if (outcome.kind === "submitted") {
    const order = await withLegs(broker, outcome.order);
    const rows = await recordFirstAnswer(sql, orderId, order);
    if (rows) return { outcome, effects: [], recorded: rows.map(orderView) };
    return { outcome, effects: await applyOrderTree(sql, order, "poll"), recorded: null };
  }
  if (outcome.kind === "rejected") {
    const reason = `${outcome.message}${outcome.httpStatus ? ` (HTTP ${outcome.httpStatus})` : ""}`;
    await sql`update orders set status = 'rejected', rejection_reason = ${reason} where order_id = ${orderId} and status = 'created'`;
    return { outcome, effects: [], recorded: null };
  }
  // Sent, answer lost: the order may exist. 'submitted' without a broker id tells the sync to look it up.
  await sql`update orders set status = 'submitted', metadata = metadata || ${sql.json({ submitUnknown: outcome.reason })}
            where order_id = ${orderId} and status = 'created'`;
  return { outcome, effects: [], recorded: null };
}
