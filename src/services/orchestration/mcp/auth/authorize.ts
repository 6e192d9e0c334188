/**
 * The authorization endpoint (OAuth 2.1 §4.1): GET checks the client's request and shows the
 * trader a form; POST proves the trader (the API key or a one-time code) and sends the client back
 * with a single-use code. The request's parameters stay on the server under a random id; the form
 * carries that id and a CSRF token that must also come back in a SameSite cookie.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Sql } from "postgres";
import { isS256Challenge } from "../../../../domain/oauth/pkce.ts";
import { redirectUriRegistered } from "../../../../domain/oauth/redirect-uri.ts";
import { formatScope, parseScope, type Scope } from "../../../../domain/oauth/scope.ts";
import { keyMatches } from "../../../../runtime/auth.ts";
import { type FailureLimiter } from "./guard.ts";
import { resourceUrl } from "./metadata.ts";
import { consentPage, errorPage, PAGE_HEADERS } from "./page.ts";
import { consumeLoginCode, createAuthorizationCode, findClient } from "./store.ts";

const PENDING_MS = 10 * 60_000;
const MAX_PENDING = 200;
const COOKIE = "catalyst_authorize";

interface Pending {
  csrf: string;
  clientId: string;
  clientName: string;
  redirectUri: string;
  codeChallenge: string;
  state: string | null;
  scopes: Scope[];
  resource: string;
  expiresAt: number;
}

export interface AuthorizeDeps {
  sql: Sql;
  apiKey: string;
  limiter: FailureLimiter;
}

function redirectWith(redirectUri: string, params: Record<string, string | null>): Response {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  // 303: the browser follows a POST's answer with a GET.
  return new Response(null, { status: 303, headers: { location: url.href, "cache-control": "no-store" } });
}

const sameSecret = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function cookieValue(request: Request, name: string): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return null;
}

export function createAuthorizeEndpoint(deps: AuthorizeDeps) {
  const pending = new Map<string, Pending>();

  function remember(entry: Pending): string {
    const now = Date.now();
    for (const [id, p] of pending) if (p.expiresAt <= now || pending.size >= MAX_PENDING) pending.delete(id);
    const id = randomBytes(16).toString("base64url");
    pending.set(id, entry);
    return id;
  }

  function showForm(id: string, entry: Pending, base: string, error: string | null, status = 200): Response {
    const view = { requestId: id, csrf: entry.csrf, clientName: entry.clientName, redirectHost: new URL(entry.redirectUri).host, tradeRequested: entry.scopes.includes("trade"), error };
    const secure = base.startsWith("https:") ? "; Secure" : "";
    const cookie = `${COOKIE}=${entry.csrf}; Path=/authorize; HttpOnly; SameSite=Strict; Max-Age=${PENDING_MS / 1000}${secure}`;
    return new Response(consentPage(view), { status, headers: { ...PAGE_HEADERS, "set-cookie": cookie } });
  }

  async function start(request: Request, base: string): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const clientId = params.get("client_id");
    const redirectUri = params.get("redirect_uri");
    // Until client and redirect URI are known good, errors are shown here, never redirected (OAuth 2.1 §4.1.2.1).
    const client = clientId ? await findClient(deps.sql, clientId) : null;
    if (!client) return errorPage(400, "client_id: unknown client. Remove the connector in Claude and add it again so it registers anew.");
    if (!redirectUri || !redirectUriRegistered(client.metadata.redirect_uris, redirectUri)) {
      return errorPage(400, "redirect_uri: missing, or not one this client registered (it must match exactly).");
    }
    const state = params.get("state");
    const refuse = (error: string, description: string) => redirectWith(redirectUri, { error, error_description: description, state, iss: base });
    if (params.get("response_type") !== "code") return refuse("unsupported_response_type", "response_type must be code");
    const challenge = params.get("code_challenge");
    if (params.get("code_challenge_method") !== "S256" || !challenge || !isS256Challenge(challenge)) {
      return refuse("invalid_request", "PKCE is required: code_challenge (base64url sha-256) with code_challenge_method=S256");
    }
    const scopes = parseScope(params.get("scope") ?? client.metadata.scope);
    if (scopes === null) return refuse("invalid_scope", "scope: use read and/or trade");
    const resource = params.get("resource") ?? resourceUrl(base);
    if (resource !== resourceUrl(base)) return refuse("invalid_target", `resource: this server is ${resourceUrl(base)}`);
    const entry: Pending = {
      csrf: randomBytes(24).toString("base64url"),
      clientId: client.clientId,
      clientName: client.metadata.client_name ?? "An MCP client",
      redirectUri,
      codeChallenge: challenge,
      state,
      scopes,
      resource,
      expiresAt: Date.now() + PENDING_MS,
    };
    return showForm(remember(entry), entry, base, null);
  }

  async function decide(request: Request, form: URLSearchParams, base: string, address: string): Promise<Response> {
    const retryAfter = deps.limiter.retryAfter(address);
    if (retryAfter > 0) return errorPage(429, `Too many failed sign-ins from this address; try again in ${retryAfter} s.`, { "retry-after": String(retryAfter) });
    const id = form.get("request") ?? "";
    const entry = pending.get(id);
    if (!entry || entry.expiresAt <= Date.now()) return errorPage(400, "This authorization request is unknown or expired: start again from Claude.");
    const csrf = form.get("csrf") ?? "";
    const cookie = cookieValue(request, COOKIE) ?? "";
    if (!sameSecret(csrf, entry.csrf) || !sameSecret(cookie, entry.csrf)) return errorPage(403, "The form did not come from this page (CSRF check failed): start again from Claude.");
    if (form.get("decision") === "deny") {
      pending.delete(id);
      return redirectWith(entry.redirectUri, { error: "access_denied", error_description: "the trader denied access", state: entry.state, iss: base });
    }
    const credential = (form.get("credential") ?? "").trim();
    const proven = credential !== "" && (keyMatches(credential, deps.apiKey) || (await consumeLoginCode(deps.sql, credential)));
    if (!proven) {
      deps.limiter.fail(address);
      return showForm(id, entry, base, "That is neither the API key nor a live one-time code. Run `catalyst auth code` on the appliance for a new code.", 401);
    }
    pending.delete(id);
    const scopes = entry.scopes.filter((s) => s !== "trade" || form.get("trade") === "yes");
    const code = await createAuthorizationCode(deps.sql, {
      clientId: entry.clientId,
      redirectUri: entry.redirectUri,
      codeChallenge: entry.codeChallenge,
      scope: formatScope(scopes),
      resource: entry.resource,
    });
    return redirectWith(entry.redirectUri, { code, state: entry.state, iss: base });
  }

  return { start, decide };
}
