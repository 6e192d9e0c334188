/**
 * The token endpoint (OAuth 2.1 §3.2): an authorization code with its PKCE verifier, or a refresh
 * token, for a 1-hour access token bound to /mcp and a new refresh token.
 */
import type { Sql } from "postgres";
import type { OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { InvalidClientError, InvalidGrantError, InvalidRequestError, InvalidScopeError, InvalidTargetError, OAuthError, UnsupportedGrantTypeError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { pkceVerifies } from "../../../../domain/oauth/pkce.ts";
import { parseScope } from "../../../../domain/oauth/scope.ts";
import { keyMatches } from "../../../../runtime/auth.ts";
import { ACCESS_TOKEN_SECONDS, createGrant, findClient, hashSecret, redeemAuthorizationCode, refreshTokens, type IssuedTokens, type StoredClient } from "./store.ts";

/** The client, authenticated as it registered: a public one by its id, a confidential one by its secret too. */
async function authenticateClient(sql: Sql, request: Request, form: URLSearchParams): Promise<StoredClient> {
  let clientId = form.get("client_id");
  let secret = form.get("client_secret");
  const basic = /^Basic\s+(.+)$/i.exec(request.headers.get("authorization") ?? "");
  if (basic) {
    const [id, ...rest] = Buffer.from(basic[1]!, "base64").toString("utf8").split(":");
    clientId = decodeURIComponent(id ?? "");
    secret = decodeURIComponent(rest.join(":"));
  }
  if (!clientId) throw new InvalidRequestError("client_id is required");
  const client = await findClient(sql, clientId);
  if (!client) throw new InvalidClientError("unknown client_id: register again");
  if (client.clientSecretHash !== null && !keyMatches(secret === null ? null : hashSecret(secret), client.clientSecretHash)) {
    throw new InvalidClientError("client authentication failed: wrong or missing client_secret");
  }
  return client;
}

function answer(tokens: IssuedTokens): OAuthTokens {
  return { access_token: tokens.accessToken, token_type: "Bearer", expires_in: ACCESS_TOKEN_SECONDS, refresh_token: tokens.refreshToken, scope: tokens.scope };
}

const required = (form: URLSearchParams, name: string): string => {
  const value = form.get(name);
  if (!value) throw new InvalidRequestError(`${name} is required`);
  return value;
};

async function exchangeCode(sql: Sql, client: StoredClient, form: URLSearchParams): Promise<OAuthTokens> {
  const code = required(form, "code");
  const verifier = required(form, "code_verifier");
  const redirectUri = required(form, "redirect_uri");
  const redeemed = await redeemAuthorizationCode(sql, code);
  if (!redeemed.ok) throw new InvalidGrantError(redeemed.reason);
  const issued = redeemed.code;
  if (issued.clientId !== client.clientId) throw new InvalidGrantError("the code was issued to another client");
  if (issued.redirectUri !== redirectUri) throw new InvalidGrantError("redirect_uri differs from the authorization request's");
  if (!pkceVerifies(verifier, issued.codeChallenge)) throw new InvalidGrantError("code_verifier does not match the code_challenge");
  const resource = form.get("resource");
  if (resource !== null && resource !== issued.resource) throw new InvalidTargetError(`resource: the code is for ${issued.resource}`);
  return answer(await createGrant(sql, code, issued));
}

async function refresh(sql: Sql, client: StoredClient, form: URLSearchParams): Promise<OAuthTokens> {
  const requestedScope = form.get("scope");
  const scope = requestedScope === null ? null : parseScope(requestedScope);
  if (scope === null && requestedScope !== null) throw new InvalidScopeError("scope: use read and/or trade");
  const outcome = await refreshTokens(sql, required(form, "refresh_token"), { clientId: client.clientId, scope, resource: form.get("resource") });
  if (outcome.ok) return answer(outcome.tokens);
  if (outcome.error === "invalid_scope") throw new InvalidScopeError(outcome.reason);
  if (outcome.error === "invalid_target") throw new InvalidTargetError(outcome.reason);
  throw new InvalidGrantError(outcome.reason);
}

export async function tokenEndpoint(sql: Sql, request: Request, form: URLSearchParams): Promise<Response> {
  const headers = { "cache-control": "no-store" };
  try {
    const client = await authenticateClient(sql, request, form);
    const grantType = form.get("grant_type");
    if (grantType === "authorization_code") return Response.json(await exchangeCode(sql, client, form), { headers });
    if (grantType === "refresh_token") return Response.json(await refresh(sql, client, form), { headers });
    throw new UnsupportedGrantTypeError(`grant_type: use authorization_code or refresh_token (got ${grantType ?? "none"})`);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return Response.json(error.toResponseObject(), { status: error instanceof InvalidClientError ? 401 : 400, headers });
  }
}
