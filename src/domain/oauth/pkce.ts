/** PKCE (RFC 7636), S256 only: OAuth 2.1 drops `plain`, which protects nothing if the code leaks. */
import { createHash, timingSafeEqual } from "node:crypto";

/** 43–128 characters of the unreserved set (RFC 7636 4.1). */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** A base64url sha-256: 43 characters, no padding. */
const CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export const isS256Challenge = (challenge: string): boolean => CHALLENGE.test(challenge);

export function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

export function pkceVerifies(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier) || !CHALLENGE.test(challenge)) return false;
  return timingSafeEqual(Buffer.from(s256(verifier)), Buffer.from(challenge));
}
