/** The broker a service talks to: the venue in sim mode, Alpaca otherwise; signed as the service. */
import { createAlpacaBroker } from "../adapters/broker/alpaca.ts";
import { BrokerError, type Broker } from "../adapters/broker/broker.ts";
import { brokerEndpoints } from "../adapters/broker/endpoints.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError } from "./errors.ts";

export function serviceBroker(ctx: Pick<ServiceContext, "config" | "apiKey" | "service">): Broker {
  return createAlpacaBroker({ ...brokerEndpoints(ctx.config, ctx.apiKey), callerName: ctx.service });
}

/** The market's now (epoch ms): the venue's simulated clock in sim mode, Alpaca's clock otherwise. */
export async function marketNow(broker: Pick<Broker, "getClock">): Promise<number> {
  return Date.parse((await broker.getClock()).timestamp);
}

/**
 * A broker failure as the caller should see it: the broker being down is not the caller's fault.
 * Anything else (a bug) is passed on untouched, to answer 500 rather than pose as an outage.
 */
export function brokerFailure(error: unknown): unknown {
  if (!(error instanceof BrokerError)) return error;
  if (error.kind === "rejected" || error.kind === "invalid_request") {
    return new ApiError(502, "broker_rejected", `the broker refused the market-data request (${error.message}); check the symbol and timeframe`);
  }
  return new ApiError(503, "broker_unavailable", `the broker's market data is unavailable (${error.message}); retry shortly, and check the venue or Alpaca status if it persists`);
}
