/**
 * OAuth 2.1 for remote MCP clients (the MCP authorization spec), one trader: the appliance is both
 * the protected resource (/mcp) and its authorization server. Every path here passes the
 * Host/Origin check; the trader is proven on the authorize page, clients by PKCE and exact redirect URIs.
 */
import type { Sql } from "postgres";
import { OAuthError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { publicBase, type AllowedOrigins } from "../../../../domain/oauth/request-origin.ts";
import { parseScope, SCOPES } from "../../../../domain/oauth/scope.ts";
import { keyMatches, presentedKey } from "../../../../runtime/auth.ts";
import { errorBody, errorResponse } from "../../../../runtime/errors.ts";
import { createAuthorizeEndpoint } from "./authorize.ts";
import { BodyTooLarge, clientAddress, FailureLimiter, readBoundedText, refuseForeignRequest, tooLarge } from "./guard.ts";
import {
  AUTHORIZATION_SERVER_PATH,
  AUTHORIZE_PATH,
  authorizationServerMetadata,
  PROTECTED_RESOURCE_PATH,
  protectedResourceMetadata,
  REGISTER_PATH,
  resourceMetadataUrl,
  resourceUrl,
  TOKEN_PATH,
} from "./metadata.ts";
import { registerClient } from "./register.ts";
import { findAccessToken } from "./store.ts";
import { tokenEndpoint } from "./token.ts";

export const OAUTH_PATHS: readonly string[] = [PROTECTED_RESOURCE_PATH, `${PROTECTED_RESOURCE_PATH}/mcp`, AUTHORIZATION_SERVER_PATH, REGISTER_PATH, AUTHORIZE_PATH, TOKEN_PATH];
const FORM_MAX_BYTES = 64 * 1024;

export interface OAuthDeps {
  sql: Sql;
  apiKey: string;
  access: AllowedOrigins;
}

/** Who called /mcp: the trader's API key (stdio bridges, mcp-remote) or an OAuth access token with its scopes. */
export type McpCaller = { kind: "api_key"; authInfo: AuthInfo } | { kind: "oauth"; authInfo: AuthInfo };

export function createOAuth(deps: OAuthDeps) {
  const limiter = new FailureLimiter();
  // Registration is open to anyone who can reach the domain: bounded per address like a failure.
  const registrations = new FailureLimiter({ maxFailures: 20, windowMs: 60 * 60_000 });
  const authorize = createAuthorizeEndpoint({ sql: deps.sql, apiKey: deps.apiKey, limiter });

  async function route(request: Request, path: string, base: string, address: string): Promise<Response> {
    const method = request.method;
    if (method === "GET" && (path === PROTECTED_RESOURCE_PATH || path === `${PROTECTED_RESOURCE_PATH}/mcp`)) return Response.json(protectedResourceMetadata(base));
    if (method === "GET" && path === AUTHORIZATION_SERVER_PATH) return Response.json(authorizationServerMetadata(base));
    if (method === "GET" && path === AUTHORIZE_PATH) return authorize.start(request, base);
    if (method === "POST" && path === AUTHORIZE_PATH) return authorize.decide(request, new URLSearchParams(await readBoundedText(request, FORM_MAX_BYTES)), base, address);
    if (method === "POST" && path === TOKEN_PATH) return tokenEndpoint(deps.sql, request, new URLSearchParams(await readBoundedText(request, FORM_MAX_BYTES)));
    if (method === "POST" && path === REGISTER_PATH) {
      const wait = registrations.retryAfter(address);
      if (wait > 0) return registrations.tooMany(wait);
      registrations.fail(address);
      let body: unknown;
      try {
        body = JSON.parse(await readBoundedText(request, FORM_MAX_BYTES));
      } catch (error) {
        if (error instanceof BodyTooLarge) throw error;
        return Response.json({ error: "invalid_client_metadata", error_description: "the body is not JSON" }, { status: 400 });
      }
      try {
        return Response.json(await registerClient(deps.sql, body), { status: 201, headers: { "cache-control": "no-store" } });
      } catch (error) {
        if (error instanceof OAuthError) return Response.json(error.toResponseObject(), { status: 400 });
        throw error;
      }
    }
    return errorResponse(405, errorBody("method_not_allowed", `${method} ${path} is not served; see ${AUTHORIZATION_SERVER_PATH}`));
  }

  /** The OAuth endpoints (paths in OAUTH_PATHS). peer: the socket's address. */
  async function handle(request: Request, peer: string | null): Promise<Response> {
    const foreign = refuseForeignRequest(request, deps.access);
    if (foreign) return foreign;
    try {
      return await route(request, new URL(request.url).pathname, publicBase(request.headers.get("host")!), clientAddress(request, peer));
    } catch (error) {
      if (error instanceof BodyTooLarge) return tooLarge(FORM_MAX_BYTES);
      throw error;
    }
  }

  /** The 401 that starts an MCP client's OAuth flow (MCP authorization spec, RFC 9728 §5.1). */
  function unauthorized(base: string, message: string, invalidToken: boolean): Response {
    const challenge = `Bearer resource_metadata="${resourceMetadataUrl(base)}", scope="${SCOPES.join(" ")}"${invalidToken ? ', error="invalid_token"' : ""}`;
    return errorResponse(401, errorBody("unauthorized", message), { "www-authenticate": challenge });
  }

  /**
   * The caller of an MCP request whose Host has been checked, or the 401/429 to answer. A token must
   * be live, unrevoked and issued for this resource (RFC 8707 audience).
   */
  async function authenticate(request: Request, peer: string | null): Promise<McpCaller | Response> {
    const address = clientAddress(request, peer);
    const wait = limiter.retryAfter(address);
    if (wait > 0) return limiter.tooMany(wait);
    const base = publicBase(request.headers.get("host")!);
    const presented = presentedKey(request.headers);
    if (presented === null) return unauthorized(base, "authorization required: connect with OAuth (Claude's custom connector) or send the API key in X-API-Key", false);
    if (keyMatches(presented, deps.apiKey)) return { kind: "api_key", authInfo: { token: "api-key", clientId: "api-key", scopes: [...SCOPES] } };
    const grant = presented.startsWith("cat_at_") ? await findAccessToken(deps.sql, presented) : null;
    if (grant !== null && grant.resource === resourceUrl(base)) {
      return { kind: "oauth", authInfo: { token: presented, clientId: grant.clientId, scopes: parseScope(grant.scope) ?? [], expiresAt: Math.floor(grant.expiresAt / 1000), resource: new URL(grant.resource) } };
    }
    limiter.fail(address);
    return unauthorized(base, grant ? `the token was issued for ${grant.resource}, not ${resourceUrl(base)}` : "the API key or access token is wrong, expired or revoked", true);
  }

  return { handle, authenticate };
}

export type OAuth = ReturnType<typeof createOAuth>;
