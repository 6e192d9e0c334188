/** Failures of the news service's dependencies as the caller sees them: neither is the caller's fault. */
import { ApiError, errorMessage } from "../../runtime/errors.ts";

export function brokerUnavailable(error: unknown): ApiError {
  return new ApiError(503, "broker_unavailable", `the broker's news feed or clock could not be reached (${errorMessage(error)}); retry shortly, and check the venue or Alpaca status if it persists`);
}

export function databaseUnavailable(error: unknown): ApiError {
  return new ApiError(503, "database_unavailable", `the news store could not be read or written (${errorMessage(error)}); nothing was stored, retry shortly`);
}
