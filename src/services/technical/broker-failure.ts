/** A broker failure as the caller should see it: the broker being down is not the caller's fault. */
import { BrokerError } from "../../adapters/broker/broker.ts";
import { ApiError } from "../../runtime/errors.ts";

/** The ApiError for a BrokerError; anything else (a bug) is passed on untouched, to answer 500. */
export function brokerFailure(error: unknown): unknown {
  if (!(error instanceof BrokerError)) return error;
  if (error.kind === "rejected" || error.kind === "invalid_request") {
    return new ApiError(502, "broker_rejected", `the broker refused the market-data request (${error.message}); check the symbol and timeframe`);
  }
  return new ApiError(503, "broker_unavailable", `the broker's market data is unavailable (${error.message}); retry shortly, and check the venue or Alpaca status if it persists`);
}
