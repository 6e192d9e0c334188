/**
 * What to do with a presented refresh token (OAuth 2.1 §4.3.1, rotation for public clients): a token
 * used once is spent; seeing it again means it leaked (or the client is replaying it), so the whole
 * family — every token of the grant — is revoked.
 */
export interface StoredRefreshToken {
  clientId: string;
  expiresAt: number;
  rotatedAt: number | null;
  grantRevokedAt: number | null;
}

export type RefreshDecision =
  | { action: "rotate" }
  | { action: "refuse"; reason: string }
  | { action: "revoke_family"; reason: string };

export function decideRefresh(token: StoredRefreshToken | null, clientId: string, now: number): RefreshDecision {
  if (token === null) return { action: "refuse", reason: "unknown refresh token" };
  if (token.clientId !== clientId) return { action: "refuse", reason: "the refresh token was issued to another client" };
  if (token.grantRevokedAt !== null) return { action: "refuse", reason: "the grant was revoked: authorize again" };
  if (token.rotatedAt !== null) return { action: "revoke_family", reason: "refresh token reused after rotation: the grant is revoked, authorize again" };
  if (token.expiresAt <= now) return { action: "refuse", reason: "the refresh token expired: authorize again" };
  return { action: "rotate" };
}
