/**
 * Cancelling one order at the broker and waiting for its final state: a close frees the shares its
 * legs hold, protect frees the ones a lone target holds, the flattener ends a stalled exit. Its own
 * module because close and protect both need it and close also calls protect.
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import { isTerminal, type OrderStatus } from "../domain/order-status.ts";
import { ApiError } from "../runtime/errors.ts";
import { applyOrderTree, type ReportEffects } from "./apply-report.ts";

const CANCEL_WAIT_MS = 5_000;

/** Cancels an order at the broker and waits until the broker says it is final (or it filled). */
export async function cancelAndSettle(sql: Sql, broker: Broker, brokerOrderId: string, effects: ReportEffects[]): Promise<OrderStatus> {
  await broker.cancelOrder(brokerOrderId);
  const deadline = performance.now() + CANCEL_WAIT_MS;
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
