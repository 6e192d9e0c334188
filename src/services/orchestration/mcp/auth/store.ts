/**
 * OAuth state in the database: clients, grants (token families), tokens, authorization codes and the
 * trader's one-time login codes. Secrets go out once and are kept only as their sha-256.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Sql } from "postgres";
import type { OAuthClientInformationFull } from "@modelcontextprotocol/sdk/shared/auth.js";
import { decideRefresh } from "../../../../domain/oauth/refresh-rotation.ts";
import { formatScope, parseScope, withinScope, type Scope } from "../../../../domain/oauth/scope.ts";

export const ACCESS_TOKEN_SECONDS = 3600;
const REFRESH_TOKEN_SECONDS = 30 * 24 * 3600;
const AUTHORIZATION_CODE_SECONDS = 300;
export const LOGIN_CODE_MINUTES = 10;

export const hashSecret = (value: string): string => createHash("sha256").update(value).digest("hex");
const randomSecret = (prefix: string): string => `${prefix}${randomBytes(32).toString("base64url")}`;

export interface StoredClient {
  clientId: string;
  clientSecretHash: string | null;
  metadata: OAuthClientInformationFull;
}

export async function saveClient(sql: Sql, client: StoredClient): Promise<void> {
  await sql`insert into oauth_clients (client_id, client_secret_hash, metadata)
            values (${client.clientId}, ${client.clientSecretHash}, ${sql.json(client.metadata as never)})`;
}

export async function findClient(sql: Sql, clientId: string): Promise<StoredClient | null> {
  const [row] = await sql`select client_id, client_secret_hash, metadata from oauth_clients where client_id = ${clientId}`;
  return row ? { clientId: row.client_id, clientSecretHash: row.client_secret_hash, metadata: row.metadata } : null;
}

export interface CodeRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  resource: string;
}

export async function createAuthorizationCode(sql: Sql, request: CodeRequest): Promise<string> {
  const code = randomSecret("cat_ac_");
  await sql`insert into oauth_codes (code_hash, client_id, redirect_uri, code_challenge, scope, resource, expires_at)
            values (${hashSecret(code)}, ${request.clientId}, ${request.redirectUri}, ${request.codeChallenge}, ${request.scope},
                    ${request.resource}, now() + make_interval(secs => ${AUTHORIZATION_CODE_SECONDS}))`;
  return code;
}

export type CodeRedemption = { ok: true; code: CodeRequest } | { ok: false; reason: string };

/**
 * Spends a code (once, even under concurrent requests). A code presented again revokes the grant it
 * was exchanged for: whoever holds it second is not the client it was issued to.
 */
export async function redeemAuthorizationCode(sql: Sql, code: string): Promise<CodeRedemption> {
  const hash = hashSecret(code);
  const [spent] = await sql`update oauth_codes set used_at = now() where code_hash = ${hash} and used_at is null and expires_at > now()
                            returning client_id, redirect_uri, code_challenge, scope, resource`;
  if (spent) {
    return { ok: true, code: { clientId: spent.client_id, redirectUri: spent.redirect_uri, codeChallenge: spent.code_challenge, scope: spent.scope, resource: spent.resource } };
  }
  const [known] = await sql`select used_at, grant_id from oauth_codes where code_hash = ${hash}`;
  if (!known) return { ok: false, reason: "unknown authorization code" };
  if (known.used_at === null) return { ok: false, reason: "the authorization code expired: authorize again" };
  if (known.grant_id !== null) await revokeGrant(sql, Number(known.grant_id), "authorization code reused");
  return { ok: false, reason: "the authorization code was already used: authorize again" };
}

export interface IssuedTokens {
  grantId: number;
  accessToken: string;
  refreshToken: string;
  scope: string;
}

async function insertTokens(tx: Sql, grantId: number, scope: string): Promise<IssuedTokens> {
  const accessToken = randomSecret("cat_at_");
  const refreshToken = randomSecret("cat_rt_");
  await tx`insert into oauth_tokens (token_hash, grant_id, kind, scope, expires_at) values
           (${hashSecret(accessToken)}, ${grantId}, 'access', ${scope}, now() + make_interval(secs => ${ACCESS_TOKEN_SECONDS})),
           (${hashSecret(refreshToken)}, ${grantId}, 'refresh', ${scope}, now() + make_interval(secs => ${REFRESH_TOKEN_SECONDS}))`;
  return { grantId, accessToken, refreshToken, scope };
}

/** A new grant for a redeemed code, its first tokens, and the code marked as spent for it. */
export async function createGrant(sql: Sql, code: string, request: CodeRequest): Promise<IssuedTokens> {
  return sql.begin(async (tx) => {
    const [grant] = await tx`insert into oauth_grants (client_id, scope, resource) values (${request.clientId}, ${request.scope}, ${request.resource})
                             returning grant_id`;
    const grantId = Number(grant!.grant_id);
    await tx`update oauth_codes set grant_id = ${grantId} where code_hash = ${hashSecret(code)}`;
    return insertTokens(tx as unknown as Sql, grantId, request.scope);
  });
}

export type RefreshOutcome = { ok: true; tokens: IssuedTokens } | { ok: false; error: "invalid_grant" | "invalid_scope" | "invalid_target"; reason: string };

export interface RefreshRequest {
  clientId: string;
  /** A narrower scope than the grant's, or null for the grant's. */
  scope: Scope[] | null;
  /** The resource the client asks for (RFC 8707), or null for the grant's. */
  resource: string | null;
}

/** Rotates a refresh token: the old one is spent, a reused one revokes its whole family. */
export async function refreshTokens(sql: Sql, refreshToken: string, request: RefreshRequest): Promise<RefreshOutcome> {
  const hash = hashSecret(refreshToken);
  let reused: number | null = null;
  const outcome = await sql.begin(async (tx): Promise<RefreshOutcome> => {
    const [row] = await tx`select t.grant_id, t.expires_at, t.rotated_at, g.client_id, g.revoked_at, g.scope, g.resource
                           from oauth_tokens t join oauth_grants g using (grant_id)
                           where t.token_hash = ${hash} and t.kind = 'refresh' for update of t`;
    const decision = decideRefresh(
      row ? { clientId: row.client_id, expiresAt: row.expires_at.getTime(), rotatedAt: row.rotated_at?.getTime() ?? null, grantRevokedAt: row.revoked_at?.getTime() ?? null } : null,
      request.clientId,
      Date.now(),
    );
    if (decision.action === "revoke_family") reused = Number(row!.grant_id);
    if (decision.action !== "rotate") return { ok: false, error: "invalid_grant", reason: decision.reason };
    if (request.resource !== null && request.resource !== row!.resource) return { ok: false, error: "invalid_target", reason: `the grant is for ${row!.resource}, not ${request.resource}` };
    const granted = parseScope(row!.scope)!;
    if (request.scope !== null && !withinScope(granted, request.scope)) return { ok: false, error: "invalid_scope", reason: `the grant allows only "${row!.scope}"` };
    await tx`update oauth_tokens set rotated_at = now() where token_hash = ${hash}`;
    await tx`update oauth_grants set last_used_at = now() where grant_id = ${row!.grant_id}`;
    return { ok: true, tokens: await insertTokens(tx as unknown as Sql, Number(row!.grant_id), formatScope(request.scope ?? granted)) };
  });
  // Outside the rotation's transaction, which a refusal leaves with nothing to write.
  if (reused !== null) await revokeGrant(sql, reused, "refresh token reused");
  return outcome;
}

export interface AccessGrant {
  grantId: number;
  clientId: string;
  scope: string;
  resource: string;
  expiresAt: number;
}

export async function findAccessToken(sql: Sql, accessToken: string): Promise<AccessGrant | null> {
  const [row] = await sql`select t.grant_id, t.scope, t.expires_at, g.client_id, g.resource
                          from oauth_tokens t join oauth_grants g using (grant_id)
                          where t.token_hash = ${hashSecret(accessToken)} and t.kind = 'access' and t.expires_at > now() and g.revoked_at is null`;
  return row ? { grantId: Number(row.grant_id), clientId: row.client_id, scope: row.scope, resource: row.resource, expiresAt: row.expires_at.getTime() } : null;
}

/** Ends every token of the grant; false when there is no such live grant. */
export async function revokeGrant(sql: Sql, grantId: number, why: string): Promise<boolean> {
  const revoked = await sql`update oauth_grants set revoked_at = now(), revoked_why = ${why} where grant_id = ${grantId} and revoked_at is null returning 1`;
  return revoked.length > 0;
}

export async function revokeAllGrants(sql: Sql, why: string): Promise<number> {
  return (await sql`update oauth_grants set revoked_at = now(), revoked_why = ${why} where revoked_at is null returning 1`).length;
}

export interface GrantSummary {
  grantId: number;
  clientName: string;
  clientId: string;
  scope: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedWhy: string | null;
}

export async function listGrants(sql: Sql, includeRevoked: boolean): Promise<GrantSummary[]> {
  const rows = await sql`select g.grant_id, g.client_id, c.metadata->>'client_name' as client_name, g.scope, g.created_at, g.last_used_at, g.revoked_at, g.revoked_why
                         from oauth_grants g join oauth_clients c using (client_id)
                         where ${includeRevoked} or g.revoked_at is null order by g.grant_id`;
  return rows.map((r) => ({
    grantId: Number(r.grant_id),
    clientName: r.client_name ?? "(unnamed client)",
    clientId: r.client_id,
    scope: r.scope,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    revokedWhy: r.revoked_why,
  }));
}

/** A code the trader types into the authorize page instead of the API key: 10 characters of Crockford base32. */
export async function createLoginCode(sql: Sql): Promise<string> {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const chars = [...randomBytes(10)].map((b) => alphabet[b % 32]).join("");
  const code = `${chars.slice(0, 5)}-${chars.slice(5)}`;
  await sql`insert into oauth_login_codes (code_hash, expires_at) values (${hashSecret(code)}, now() + make_interval(mins => ${LOGIN_CODE_MINUTES}))`;
  return code;
}

/** Spends a login code: true once, for a live one (case and spaces as typed do not matter). */
export async function consumeLoginCode(sql: Sql, typed: string): Promise<boolean> {
  const code = typed.trim().toUpperCase();
  const spent = await sql`update oauth_login_codes set used_at = now() where code_hash = ${hashSecret(code)} and used_at is null and expires_at > now() returning 1`;
  return spent.length > 0;
}
