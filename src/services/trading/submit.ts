/**
 * Sending an order whose row already exists, and writing down what became of it. The row's
 * client order id is what the broker gets; the outcome (accepted, refused, or unknown because
 * the answer was lost) is recorded, and an unknown one is left for the sync to look up by that
 * id — never sent again.
 */
import type { Sql } from "postgres";
import type { Broker, BrokerOrder, OrderRequest, SubmitOutcome } from "../../adapters/broker/broker.ts";
import { applyOrderTree, type ReportEffects } from "./apply-report.ts";

export interface SubmitRecord {
  outcome: SubmitOutcome;
  effects: ReportEffects[];
}

/**
 * A bracket found by client order id comes without its legs (that lookup is not nested); read it
 * again by id so the legs get rows — unknown legs would hold the shares and block every exit.
 */
export async function withLegs(broker: Broker, order: BrokerOrder): Promise<BrokerOrder> {
  if (order.orderClass === "simple" || order.legs.length > 0) return order;
  return (await broker.getOrder(order.id)) ?? order;
}

export async function submitRecorded(sql: Sql, broker: Broker, orderId: number, request: OrderRequest): Promise<SubmitRecord> {
  const outcome = await broker.submitOrder(request);
  if (outcome.kind === "submitted") {
    return { outcome, effects: await applyOrderTree(sql, await withLegs(broker, outcome.order), "poll") };
  }
  if (outcome.kind === "rejected") {
    const reason = `${outcome.message}${outcome.httpStatus ? ` (HTTP ${outcome.httpStatus})` : ""}`;
    await sql`update orders set status = 'rejected', rejection_reason = ${reason} where order_id = ${orderId} and status = 'created'`;
    return { outcome, effects: [] };
  }
  // Sent, answer lost: the order may exist. 'submitted' without a broker id tells the sync to look it up.
  await sql`update orders set status = 'submitted', metadata = metadata || ${sql.json({ submitUnknown: outcome.reason })}
            where order_id = ${orderId} and status = 'created'`;
  return { outcome, effects: [] };
}
