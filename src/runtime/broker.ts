/** The broker a service talks to: the venue in sim mode, Alpaca otherwise; signed as the service. */
import { createAlpacaBroker } from "../adapters/broker/alpaca.ts";
import type { Broker } from "../adapters/broker/broker.ts";
import { brokerEndpoints } from "../adapters/broker/endpoints.ts";
import type { ServiceContext } from "./context.ts";

export function serviceBroker(ctx: Pick<ServiceContext, "config" | "apiKey" | "service">): Broker {
  return createAlpacaBroker({ ...brokerEndpoints(ctx.config, ctx.apiKey), callerName: ctx.service });
}

/** The market's now (epoch ms): the venue's simulated clock in sim mode, Alpaca's clock otherwise. */
export async function marketNow(broker: Pick<Broker, "getClock">): Promise<number> {
  return Date.parse((await broker.getClock()).timestamp);
}
