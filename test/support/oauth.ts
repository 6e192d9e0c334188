/**
 * A remote MCP client's side of OAuth, as Claude's custom connector plays it: the SDK's own
 * OAuthClientProvider (kept in memory), and the trader at the authorize page — fetching it,
 * submitting its form with a credential, and reading the code off the redirect.
 */
import { expect } from "bun:test";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";

export const REDIRECT_URI = "http://127.0.0.1:1/callback";

export class MemoryOAuthProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = "";
  authorizationUrl: URL | null = null;

  constructor(readonly name = "Claude test connector") {}

  get redirectUrl() {
    return REDIRECT_URI;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: this.name, redirect_uris: [REDIRECT_URI], grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  state() {
    return "state-1234";
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

const hidden = (page: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)?.[1] ?? "";

/** The authorize page's form, as a browser holds it: its fields and the cookie that came with it. */
export async function openAuthorizePage(url: URL | string): Promise<{ status: number; page: string; fields: Record<string, string>; cookie: string; location: string | null; headers: Headers }> {
  const response = await fetch(url, { redirect: "manual" });
  const page = await response.text();
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0]!;
  return { status: response.status, page, fields: { request: hidden(page, "request"), csrf: hidden(page, "csrf") }, cookie, location: response.headers.get("location"), headers: response.headers };
}

/** Submits the form; the answer unfollowed (a 303 to the client's redirect URI when approved). */
export function submitAuthorizeForm(action: URL | string, form: { fields: Record<string, string>; cookie: string }, values: Record<string, string>, headers: Record<string, string> = {}) {
  const url = new URL(action);
  return fetch(`${url.origin}${url.pathname}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: form.cookie, ...headers },
    body: new URLSearchParams({ ...form.fields, decision: "approve", ...values }),
  });
}

/** The trader approves: the code off the redirect to the client (its state and issuer checked). */
export async function approve(authorizationUrl: URL, credential: string, trade: boolean): Promise<string> {
  const form = await openAuthorizePage(authorizationUrl);
  expect(form.status).toBe(200);
  // A browser posts the form with the page's own Origin.
  const answer = await submitAuthorizeForm(authorizationUrl, form, { credential, ...(trade ? { trade: "yes" } : {}) }, { origin: authorizationUrl.origin });
  expect(answer.status).toBe(303);
  const back = new URL(answer.headers.get("location")!);
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
  expect(back.searchParams.get("state")).toBe(authorizationUrl.searchParams.get("state"));
  expect(back.searchParams.get("iss")).toBe(authorizationUrl.origin);
  return back.searchParams.get("code")!;
}
