/** The SDK's errors → ours, and the one decision that matters most: was an order placed? */
import { ApiError, FetchError } from "@alpacahq/alpaca-trade-api";
import { BrokerError, type BrokerErrorKind } from "./broker.ts";

function kindOfStatus(status: number): BrokerErrorKind {
  if (status === 401) return "auth";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server";
  return "rejected";
}

function describe(error: unknown): string {
  if (error instanceof FetchError) return `${error.message}: ${error.cause?.message ?? "no cause"}`;
  return error instanceof Error ? error.message : String(error);
}

function isTimeout(error: FetchError): boolean {
  return error.cause?.name === "TimeoutError";
}

export function toBrokerError(operation: string, error: unknown): BrokerError {
  if (error instanceof BrokerError) return error;
  if (error instanceof ApiError) {
    return new BrokerError(kindOfStatus(error.status), operation, `HTTP ${error.status}: ${error.message}`, {
      httpStatus: error.status,
      code: error.code === undefined ? undefined : String(error.code),
      retryAfterMs: error.retryAfterMs,
      requestId: error.requestId,
    });
  }
  if (error instanceof FetchError) return new BrokerError(isTimeout(error) ? "timeout" : "network", operation, describe(error));
  // A response that arrived but does not parse or map: the call reached the broker.
  return new BrokerError("invalid_response", operation, describe(error));
}

/** The HTTP status the broker answered with, or null when no answer arrived. */
export function httpStatusOf(error: unknown): number | null {
  return error instanceof ApiError ? error.status : null;
}

/** Alpaca's answer to a reused client_order_id (HTTP 422). */
const DUPLICATE_CLIENT_ORDER_ID = "client_order_id must be unique";

export type SubmitFailure =
  | { kind: "rejected"; httpStatus: number; code: string | null; message: string; retryAfterMs: number | null }
  | { kind: "duplicate"; message: string }
  /** The POST may or may not have placed the order. */
  | { kind: "ambiguous"; reason: string };

/**
 * A 4xx answer means the broker refused the order; a duplicate client id means it already has
 * it. Anything else — a timeout, a dropped connection, a 5xx or 408, a body that would not
 * read — leaves the order possibly placed.
 */
export function classifySubmitFailure(error: unknown): SubmitFailure {
  if (error instanceof ApiError && error.status !== 408 && error.status < 500) {
    if (error.status === 422 && error.message.includes(DUPLICATE_CLIENT_ORDER_ID)) {
      return { kind: "duplicate", message: error.message };
    }
    return {
      kind: "rejected",
      httpStatus: error.status,
      code: error.code === undefined ? null : String(error.code),
      message: error.message,
      retryAfterMs: error.status === 429 ? (error.retryAfterMs ?? null) : null,
    };
  }
  if (error instanceof ApiError) return { kind: "ambiguous", reason: `HTTP ${error.status}: ${error.message}` };
  if (error instanceof FetchError) {
    return { kind: "ambiguous", reason: isTimeout(error) ? `timed out (${describe(error)})` : describe(error) };
  }
  return { kind: "ambiguous", reason: `the answer could not be read: ${describe(error)}` };
}

/** Runs one broker call, turning every failure (the SDK's, or a response that will not map) into a BrokerError. */
export async function brokerCall<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toBrokerError(operation, error);
  }
}

/** The same, where the broker's 404 means "there is none". */
export async function brokerLookup<T>(operation: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    if (httpStatusOf(error) === 404) return null;
    throw toBrokerError(operation, error);
  }
}
