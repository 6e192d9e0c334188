/**
 * What every request to /mcp and the OAuth pages passes first: a Host and Origin that name this
 * appliance (DNS rebinding), a bounded body, and — for an address that keeps failing to
 * authenticate — a pause.
 */
import { hostAllowed, originAllowed, type AllowedOrigins } from "../../../../domain/oauth/request-origin.ts";
import { errorBody, errorResponse } from "../../../../runtime/errors.ts";
import { DEFAULT_FAILURE_LIMIT, recordFailure, retryAfterSeconds, windowEnded, type FailureLimit, type FailureWindow } from "../../../../domain/oauth/failure-limit.ts";

const errorJson = (status: number, code: string, message: string, headers: Record<string, string> = {}) => errorResponse(status, errorBody(code, message), headers);

/** A 403 naming what was refused and how to allow it; null when the request may go on. */
export function refuseForeignRequest(request: Request, allowed: AllowedOrigins): Response | null {
  const host = request.headers.get("host");
  if (!hostAllowed(host, allowed)) {
    return errorJson(403, "forbidden_host", `Host ${JSON.stringify(host)} is not this appliance: set CATALYST_DOMAIN (or MCP_ALLOWED_HOSTS) to the name clients use`);
  }
  const origin = request.headers.get("origin");
  if (!originAllowed(origin, allowed)) {
    return errorJson(403, "forbidden_origin", `Origin ${origin} may not call this appliance: add it to MCP_ALLOWED_ORIGINS if it is yours`);
  }
  return null;
}

export class BodyTooLarge extends Error {}

/** The body as text, refused past maxBytes whether or not Content-Length says so. */
export async function readBoundedText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new BodyTooLarge();
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export const tooLarge = (maxBytes: number) => errorJson(413, "request_too_large", `the request body is over ${maxBytes} bytes`);

/**
 * The caller's address: the socket's, or behind Caddy on loopback the X-Forwarded-For entry Caddy
 * appended (the last one; Caddy replaces what an untrusted client sent).
 */
const LOOPBACK_PEER = /^(127\.|::1$|::ffff:127\.)/;

export function clientAddress(request: Request, peer: string | null): string {
  const forwarded = request.headers.get("x-forwarded-for");
  const local = peer === null || LOOPBACK_PEER.test(peer);
  if (local && forwarded) return forwarded.split(",").at(-1)!.trim();
  return peer ?? "unknown";
}

/** Failed authentications per address (in memory: a restart forgets them, which only helps a trader locked out). */
export class FailureLimiter {
  private readonly windows = new Map<string, FailureWindow>();
  constructor(private readonly limit: FailureLimit = DEFAULT_FAILURE_LIMIT) {}

  /** Seconds the address must wait; 0 when it may try. */
  retryAfter(address: string, now = Date.now()): number {
    return retryAfterSeconds(this.windows.get(address), this.limit, now);
  }

  fail(address: string, now = Date.now()): void {
    this.windows.set(address, recordFailure(this.windows.get(address), this.limit, now));
    // Ended windows are forgotten as new failures arrive, so the map stays as small as the attack.
    if (this.windows.size > 1000) for (const [key, window] of this.windows) if (windowEnded(window, this.limit, now)) this.windows.delete(key);
  }

  tooMany(retryAfter: number): Response {
    return errorJson(429, "too_many_failures", `too many failed sign-ins from this address; try again in ${retryAfter} s`, { "retry-after": String(retryAfter) });
  }
}
