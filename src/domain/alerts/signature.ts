/**
 * The webhook's signature: HMAC-SHA256 over `<timestamp>.<body>` with ALERT_WEBHOOK_SECRET, sent as
 * `X-Catalyst-Signature: sha256=<hex>` beside `X-Catalyst-Timestamp: <unix seconds>`. The timestamp
 * is inside the signed bytes so a receiver can refuse a replayed old delivery.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Catalyst-Signature";
export const TIMESTAMP_HEADER = "X-Catalyst-Timestamp";

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** For receivers (and tests): the signature matches and the timestamp is within `toleranceSeconds` of `nowSeconds`. */
export function verifyWebhook(secret: string, headers: { signature: string | null; timestamp: string | null }, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (headers.signature === null || headers.timestamp === null || !/^\d+$/.test(headers.timestamp)) return false;
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
