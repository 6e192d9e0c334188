/**
 * Submitting an order exactly once. The POST is never repeated: if its answer is lost, the
 * order is looked up by its client order id a few times, and if it still cannot be found the
 * outcome is "unknown" — a miss is not proof that nothing was placed.
 */
import type { trading } from "@alpacahq/alpaca-trade-api";
import { classifySubmitFailure, toBrokerError, type SubmitFailure } from "./alpaca-errors.ts";
import { mapOrder } from "./alpaca-mapping.ts";
import type { BrokerOrder, OrderRequest, SubmitOutcome } from "./broker.ts";
import { orderRequestProblem } from "./order-request.ts";

/** Lookups after a lost answer: `attempts` of them, the first after `waitMs`, each wait doubling. */
export interface LookupPolicy {
  attempts: number;
  waitMs: number;
}

export interface SubmitTransport {
  post(request: OrderRequest): Promise<trading.Order>;
  /** null when the broker answers 404. */
  lookup(clientOrderId: string): Promise<BrokerOrder | null>;
}

async function findPlaced(
  clientOrderId: string,
  transport: SubmitTransport,
  policy: LookupPolicy,
): Promise<{ order: BrokerOrder } | { miss: string }> {
  let miss = "no lookup was made";
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    await Bun.sleep(policy.waitMs * 2 ** attempt);
    try {
      const order = await transport.lookup(clientOrderId);
      if (order) return { order };
      miss = `not found by client_order_id after ${attempt + 1} lookup(s)`;
    } catch (error) {
      miss = `the lookup by client_order_id failed (${toBrokerError("getOrderByClientId", error).message})`;
    }
  }
  return { miss };
}

export async function submitOnce(request: OrderRequest, transport: SubmitTransport, policy: LookupPolicy): Promise<SubmitOutcome> {
  const { clientOrderId } = request;
  const problem = orderRequestProblem(request);
  if (problem) return { kind: "rejected", clientOrderId, httpStatus: null, code: "invalid_request", message: problem, retryAfterMs: null };

  let failure: SubmitFailure;
  try {
    return { kind: "submitted", order: mapOrder(await transport.post(request)), resolvedBy: "response" };
  } catch (error) {
    failure = classifySubmitFailure(error);
  }
  if (failure.kind === "rejected") {
    const { httpStatus, code, message, retryAfterMs } = failure;
    return { kind: "rejected", clientOrderId, httpStatus, code, message, retryAfterMs };
  }
  const found = await findPlaced(clientOrderId, transport, policy);
  if ("order" in found) {
    return { kind: "submitted", order: found.order, resolvedBy: failure.kind === "duplicate" ? "duplicate" : "lookup" };
  }
  const cause = failure.kind === "duplicate" ? `the broker says the client id is taken (${failure.message})` : failure.reason;
  return { kind: "unknown", clientOrderId, reason: `${cause}; ${found.miss}` };
}
