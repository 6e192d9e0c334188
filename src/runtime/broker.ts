/** The broker a service talks to: the venue in sim mode, Alpaca otherwise; signed as the service. */
import { createAlpacaBroker } from "../adapters/broker/alpaca.ts";
import { BrokerError, type Broker } from "../adapters/broker/broker.ts";
import { brokerEndpoints } from "../adapters/broker/endpoints.ts";
import type { Config } from "../config.ts";
import type { ServiceContext } from "./context.ts";
import { ApiError, via } from "./errors.ts";

export function serviceBroker(ctx: Pick<ServiceContext, "config" | "apiKey" | "service">): Broker {
  return brokerSignedAs(ctx.config, ctx.apiKey, ctx.service);
}

/** The broker signed as `callerName` (the venue's audit tells callers apart: the doctor must show no writes). */
export function brokerSignedAs(config: Config, apiKey: string, callerName: string): Broker {
  return createAlpacaBroker({ ...brokerEndpoints(config, apiKey), callerName, requestsPerMinute: config.brokerRequestsPerMinute });
}

/** The market's now (epoch ms): the venue's simulated clock in sim mode, Alpaca's clock otherwise. */
export async function marketNow(broker: Pick<Broker, "getClock">): Promise<number> {
  return Date.parse((await broker.getClock()).timestamp);
}

/** Which of the broker's APIs a call used, in the words its errors tell the caller. */
export interface BrokerApi {
  /** "the broker refused <request> (…)" */
  request: string;
  /** "the broker's <service> is unavailable (…)" */
  service: string;
  /** What to check when the broker refuses. */
  whenRefused: string;
}

export const MARKET_DATA: BrokerApi = { request: "the market-data request", service: "market data", whenRefused: "check the symbol and timeframe" };
export const BROKER_API: BrokerApi = { request: "the request", service: "API", whenRefused: "check the values sent" };

/**
 * A broker failure as the caller should see it: the broker being down is not the caller's fault.
 * Anything else (a bug) is passed on untouched, to answer 500 rather than pose as an outage.
 */
export function brokerFailure(error: unknown, api: BrokerApi = MARKET_DATA): unknown {
  if (!(error instanceof BrokerError)) return error;
  if (error.kind === "rejected" || error.kind === "invalid_request") {
    return new ApiError(502, "broker_rejected", `the broker refused ${api.request} (${error.message}); ${api.whenRefused}`);
  }
  return new ApiError(503, "broker_unavailable", `the broker's ${api.service} is unavailable (${error.message}); retry shortly, and check the venue or Alpaca status if it persists`);
}

/** Runs broker work; a broker failure comes out as brokerFailure's answer. */
export function viaBroker<T>(work: () => Promise<T>, api: BrokerApi = MARKET_DATA): Promise<T> {
  return via(work, (error) => brokerFailure(error, api));
}
