/** How the workflow reads another service's failure: a refusal of this request, or an outage to wait out. */
import { ServiceCallError } from "../../runtime/client.ts";

/**
 * The callee understood the request and said no (risk_rejected, a bad symbol…): skip it and go on.
 * Anything else — unreachable, 5xx, busy (408/429), a route it does not serve yet (404 not_found),
 * an answer off the contract — is an outage: stop and retry on the next tick.
 */
export function isRefusal(error: unknown): error is ServiceCallError {
  if (!(error instanceof ServiceCallError)) return false;
  const { status, code } = error;
  return status >= 400 && status < 500 && status !== 408 && status !== 429 && code !== "not_found";
}
