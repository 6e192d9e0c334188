/** The X-API-Key guard: constant-time comparison, no key ever echoed or logged. */
import { timingSafeEqual, createHash } from "node:crypto";

function digest(value: string): Buffer {
  // Hashing first gives equal-length buffers, so the comparison time says nothing about length.
  return createHash("sha256").update(value).digest();
}

export function keyMatches(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The key from `X-API-Key`, or from `Authorization: Bearer` (what MCP clients send). */
export function presentedKey(headers: Headers): string | null {
  const header = headers.get("x-api-key");
  if (header) return header;
  const auth = headers.get("authorization");
  const match = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return match?.[1] ?? null;
}
