/** Failures of the news service's dependencies as the caller sees them: neither is the caller's fault. */
import { ApiError } from "../../runtime/errors.ts";

const detail = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function brokerUnavailable(error: unknown): ApiError {
  return new ApiError(503, "broker_unavailable", `the broker's news feed or clock could not be reached (${detail(error)}); retry shortly, and check the venue or Alpaca status if it persists`);
}

export function databaseUnavailable(error: unknown): ApiError {
  return new ApiError(503, "database_unavailable", `the news store could not be read or written (${detail(error)}); nothing was stored, retry shortly`);
}

/** Runs one dependency call; its failure reaches the caller as `failure` says. */
export async function via<T>(run: () => Promise<T>, failure: (error: unknown) => ApiError): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw failure(error);
  }
}
