/**
 * Remote MCP access on both backends, with the SDK's own client: Host and Origin are checked before
 * any session exists (DNS rebinding), bodies are bounded, failed sign-ins slow an address down, and
 * Claude's custom-connector flow — registration, PKCE, the trader's authorize page, tokens, refresh —
 * ends in tool calls that a `read` grant cannot use to trade and that `catalyst auth revoke` cuts off.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { auth, UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { servicePort, type Config } from "../../src/config.ts";
import { s256 } from "../../src/domain/oauth/pkce.ts";
import { startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { cli } from "../support/cli.ts";
import { BACKENDS } from "../support/env.ts";
import { callTool, connectMcp, mcpUrl } from "../support/mcp.ts";
import { approve, MemoryOAuthProvider, openAuthorizePage, REDIRECT_URI, submitAuthorizeForm } from "../support/oauth.ts";

const DOMAIN = "catalyst.example.com";
const INITIALIZE = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } } };

const envOf = (config: Config): Record<string, string> => ({ CATALYST_DATA_DIR: config.dataDir, ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}) });

describe("catalyst auth usage errors (exit 2, saying what to type)", () => {
  test("an unknown subcommand, a grant ID that is not a number, or arguments to code", async () => {
    for (const [args, message] of [
      [["auth", "forget"], "unknown auth command: forget (use code, list or revoke)"],
      [["auth", "revoke", "abc"], "auth revoke needs a grant ID (see catalyst auth list) or --all"],
      [["auth", "code", "now"], "auth code takes no arguments"],
      [["auth", "list", "--everything"], "unknown option for auth list: --everything"],
    ] as const) {
      const result = await cli({ CATALYST_DATA_DIR: "/nonexistent-catalyst-dir" }, ...args);
      expect(result.stderr).toContain(message);
      expect(result.code).toBe(2);
    }
  });
});

for (const backend of BACKENDS) {
  describe(`remote MCP access on ${backend.name}`, () => {
    let t: TestAppliance;
    let url: URL;
    let base: string;

    const post = (headers: Record<string, string>, body: string = JSON.stringify(INITIALIZE)) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body });

    /** The trader's side of a full connector flow; the connected client and its provider. */
    async function connectWithOAuth(credential: string, trade: boolean, name?: string) {
      const provider = new MemoryOAuthProvider(name);
      const first = new Client({ name: "connector", version: "1" });
      await expect(first.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }))).rejects.toBeInstanceOf(UnauthorizedError);
      const code = await approve(provider.authorizationUrl!, credential, trade);
      await new StreamableHTTPClientTransport(url, { authProvider: provider }).finishAuth(code);
      const client = new Client({ name: "connector", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
      return { client, provider };
    }

    const grants = async () => JSON.parse((await cli(envOf(t.config), "auth", "list", "--all", "--json")).stdout) as { grantId: number; clientName: string; scope: string; revokedAt: string | null; revokedWhy: string | null }[];

    beforeAll(async () => {
      t = await startTestAppliance(backend, { CATALYST_DOMAIN: DOMAIN }, ["venue", "risk", "orchestration"]);
      url = mcpUrl(t.config);
      base = url.origin;
    }, 60_000);
    afterAll(() => t?.stop());

    test("a foreign Host or Origin: 403 naming it, and no session; loopback and the configured domain work", async () => {
      const foreignHost = await post({ "x-api-key": t.key, host: "evil.example.com", origin: "http://evil.example.com" });
      expect(foreignHost.status).toBe(403);
      expect(foreignHost.headers.get("mcp-session-id")).toBeNull();
      expect((await foreignHost.json()).error.code).toBe("forbidden_host");
      const foreignOrigin = await post({ "x-api-key": t.key, origin: "http://evil.example.com" });
      expect(foreignOrigin.status).toBe(403);
      expect(foreignOrigin.headers.get("mcp-session-id")).toBeNull();
      expect((await foreignOrigin.json()).error).toMatchObject({ code: "forbidden_origin", message: expect.stringContaining("MCP_ALLOWED_ORIGINS") });
      // The OAuth documents too: their URLs are built on the Host.
      expect((await fetch(`${base}/.well-known/oauth-authorization-server`, { headers: { host: "evil.example.com" } })).status).toBe(403);

      const allowed: Record<string, string>[] = [{ host: DOMAIN, origin: `https://${DOMAIN}` }, { host: `localhost:${servicePort(t.config, "orchestration")}` }, { origin: "http://127.0.0.1:6274" }];
      for (const headers of allowed) {
        const ok = await post({ "x-api-key": t.key, ...headers });
        expect(ok.status).toBe(200);
        expect(ok.headers.get("mcp-session-id")).toBeTruthy();
      }
      const viaDomain = await (await fetch(`${base}/.well-known/oauth-protected-resource/mcp`, { headers: { host: DOMAIN } })).json();
      expect(viaDomain).toMatchObject({ resource: `https://${DOMAIN}/mcp`, authorization_servers: [`https://${DOMAIN}`], scopes_supported: ["read", "trade"] });
    });

    test("a body over 1 MB is refused with 413 before it is parsed", async () => {
      const huge = JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, padding: "x".repeat(1_100_000) } });
      const response = await post({ "x-api-key": t.key }, huge);
      expect(response.status).toBe(413);
      expect(response.headers.get("mcp-session-id")).toBeNull();
    });

    test("no credentials: 401 pointing at the protected resource metadata; repeated wrong keys from one address: 429 with Retry-After", async () => {
      const bare = await post({});
      expect(bare.status).toBe(401);
      expect(bare.headers.get("www-authenticate")).toContain(`resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`);

      const attacker = { "x-forwarded-for": "203.0.113.7" };
      for (let i = 0; i < 10; i++) expect((await post({ "x-api-key": `wrong-key-${i}-0123456789`, ...attacker })).status).toBe(401);
      const limited = await post({ "x-api-key": t.key, ...attacker });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      // Another address is not held up.
      expect((await post({ "x-api-key": t.key, "x-forwarded-for": "198.51.100.4" })).status).toBe(200);
    });

    test("Claude's connector flow with a one-time code: register, PKCE, authorize, token, tool call, refresh, then catalyst auth revoke → 401", async () => {
      const issued = await cli(envOf(t.config), "auth", "code");
      expect(issued.code).toBe(0);
      const oneTimeCode = /^[0-9A-Z]{5}-[0-9A-Z]{5}$/m.exec(issued.stdout)![0];

      const { client, provider } = await connectWithOAuth(oneTimeCode, true, "Revoked connector");
      const authorizationUrl = provider.authorizationUrl!;
      expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
      expect(authorizationUrl.searchParams.get("resource")).toBe(`${base}/mcp`);
      expect(provider.saved!.scope).toBe("read trade");
      expect(provider.saved!.expires_in).toBe(3600);
      const risk = await callTool(client, "get_risk_status");
      expect(risk.isError).toBeFalsy();
      expect(risk.structuredContent.mode).toBe("sim");

      // The code was spent: the page refuses it a second time.
      const again = await openAuthorizePage(authorizationUrl);
      const reused = await submitAuthorizeForm(authorizationUrl, again, { credential: oneTimeCode });
      expect(reused.status).toBe(401);

      // Refresh: new access and refresh tokens, and the client keeps working on them.
      const before = provider.saved!;
      expect(await auth(provider, { serverUrl: url })).toBe("AUTHORIZED");
      expect(provider.saved!.access_token).not.toBe(before.access_token);
      expect(provider.saved!.refresh_token).not.toBe(before.refresh_token);
      expect((await callTool(client, "get_risk_status")).isError).toBeFalsy();
      const { access_token: access, refresh_token: refresh } = provider.saved!;
      const [row] = await t.sql`select count(*)::int as n from oauth_tokens where token_hash = ${access} or token_hash = ${refresh!}`;
      expect(row!.n).toBe(0); // stored hashed, never as issued
      const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
      expect((await t.sql`select kind from oauth_tokens where token_hash in ${t.sql([sha256(access), sha256(refresh!)])} order by kind`).map((r) => r.kind)).toEqual(["access", "refresh"]);

      const grant = (await grants()).find((g) => g.clientName === "Revoked connector" && g.revokedAt === null)!;
      expect(grant.scope).toBe("read trade");
      const revoked = await cli(envOf(t.config), "auth", "revoke", String(grant.grantId));
      expect(revoked.stdout).toContain(`revoked grant ${grant.grantId}`);
      expect(revoked.code).toBe(0);
      const after = await post({ authorization: `Bearer ${provider.saved!.access_token}` });
      expect(after.status).toBe(401);
      expect(after.headers.get("www-authenticate")).toContain('error="invalid_token"');
      await expect(callTool(client, "get_risk_status")).rejects.toThrow();
      expect((await cli(envOf(t.config), "auth", "revoke", String(grant.grantId))).code).toBe(1);
    }, 60_000);

    test("a read grant (trading unticked) reads but cannot call execute_trade: 403 naming the trade scope", async () => {
      const { provider } = await connectWithOAuth(t.key, false);
      expect(provider.saved!.scope).toBe("read");
      const reader = await connectMcp(url, { authorization: `Bearer ${provider.saved!.access_token}` });
      expect((await callTool(reader, "get_risk_status")).isError).toBeFalsy();
      const trade = { symbol: "AAPL", side: "long", type: "market", stopLoss: "1", takeProfit: "2", confirmToken: "x.y" };
      await expect(callTool(reader, "execute_trade", trade)).rejects.toThrow(/insufficient_scope: execute_trade can change exposure and needs the .{1,3}trade.{1,3} scope/);
      await expect(callTool(reader, "emergency_stop", { reason: "testing the scope" })).rejects.toThrow(/insufficient_scope/);
      const raw = await post({ authorization: `Bearer ${provider.saved!.access_token}` }, JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "execute_trade", arguments: trade } }));
      expect(raw.status).toBe(403);
      expect(raw.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
      expect((await raw.json()).error.data).toEqual({ requiredScope: "trade" });
      expect((await t.sql`select kill_switch_active from risk_state`)[0]!.kill_switch_active).toBe(false);
      await reader.close();
    }, 60_000);

    test("a refresh token used twice revokes its whole family", async () => {
      const { provider } = await connectWithOAuth(t.key, true, "Leaky connector");
      const stolen = provider.saved!.refresh_token!;
      expect(await auth(provider, { serverUrl: url })).toBe("AUTHORIZED");
      const current = provider.saved!.access_token;
      expect((await post({ authorization: `Bearer ${current}` })).status).toBe(200);
      const replay = await fetch(`${base}/token`, { method: "POST", body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: stolen, client_id: provider.client!.client_id }) });
      expect(replay.status).toBe(400);
      expect((await replay.json()).error).toBe("invalid_grant");
      expect((await post({ authorization: `Bearer ${current}` })).status).toBe(401);
      expect((await grants()).find((g) => g.clientName === "Leaky connector")!.revokedWhy).toBe("refresh token reused");
    }, 60_000);

    describe("refusals at /register, /authorize and /token", () => {
      const verifier = "v".repeat(20) + crypto.randomUUID().replaceAll("-", "");
      let clientId: string;
      const authorizeUrl = (overrides: Record<string, string> = {}) =>
        `${base}/authorize?${new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: REDIRECT_URI, code_challenge: s256(verifier), code_challenge_method: "S256", state: "s", scope: "read trade", resource: `${base}/mcp`, ...overrides })}`;
      const codeFor = async () => {
        const form = await openAuthorizePage(authorizeUrl());
        const answer = await submitAuthorizeForm(authorizeUrl(), form, { credential: t.key, trade: "yes" });
        return new URL(answer.headers.get("location")!).searchParams.get("code")!;
      };
      const exchange = (code: string, codeVerifier = verifier, redirectUri = REDIRECT_URI) =>
        fetch(`${base}/token`, { method: "POST", body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: codeVerifier, redirect_uri: redirectUri, client_id: clientId, resource: `${base}/mcp` }) });

      beforeAll(async () => {
        const registered = await fetch(`${base}/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_name: "manual", redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" }) });
        expect(registered.status).toBe(201);
        clientId = (await registered.json()).client_id;
      });

      test("registration: a plain-http non-loopback redirect URI and unknown grant types are refused, naming the field", async () => {
        const register = (body: unknown) => fetch(`${base}/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        const insecure = await register({ redirect_uris: ["http://evil.example.com/cb"] });
        expect(insecure.status).toBe(400);
        expect(await insecure.json()).toMatchObject({ error: "invalid_redirect_uri", error_description: expect.stringContaining("redirect_uris") });
        const implicit = await register({ redirect_uris: [REDIRECT_URI], grant_types: ["implicit"] });
        expect((await implicit.json()).error_description).toContain("grant_types");
      });

      test("an unregistered redirect URI gets an error page, never a redirect; plain PKCE is refused back to the client", async () => {
        for (const redirect of ["http://127.0.0.1:1/other", `${REDIRECT_URI}/`, "https://evil.example.com/callback"]) {
          const page = await openAuthorizePage(authorizeUrl({ redirect_uri: redirect }));
          expect(page.status).toBe(400);
          expect(page.location).toBeNull();
          expect(page.page).toContain("redirect_uri");
        }
        const plain = await openAuthorizePage(authorizeUrl({ code_challenge_method: "plain", code_challenge: verifier }));
        expect(plain.status).toBe(303);
        expect(new URL(plain.location!).searchParams.get("error")).toBe("invalid_request");
      });

      test("the form: no CSRF cookie → 403; a wrong credential → 401 and the form again; deny → access_denied", async () => {
        const form = await openAuthorizePage(authorizeUrl());
        expect(form.headers.get("x-frame-options")).toBe("DENY");
        expect(form.headers.get("set-cookie")).toContain("SameSite=Strict");
        expect(form.page).not.toContain("<script");
        expect((await submitAuthorizeForm(authorizeUrl(), { ...form, cookie: "" }, { credential: t.key })).status).toBe(403);
        expect((await submitAuthorizeForm(authorizeUrl(), { ...form, fields: { ...form.fields, csrf: "forged" } }, { credential: t.key })).status).toBe(403);
        const wrong = await submitAuthorizeForm(authorizeUrl(), form, { credential: "not-the-key" }, { "x-forwarded-for": "192.0.2.55" });
        expect(wrong.status).toBe(401);
        expect(await wrong.text()).toContain("catalyst auth code");
        const denied = await submitAuthorizeForm(authorizeUrl(), form, { decision: "deny" });
        expect(new URL(denied.headers.get("location")!).searchParams.get("error")).toBe("access_denied");
      });

      test("a wrong code verifier or redirect URI is refused and spends the code; a reused code also revokes what it bought", async () => {
        const first = await codeFor();
        const wrongVerifier = await exchange(first, "w".repeat(43));
        expect(wrongVerifier.status).toBe(400);
        expect(await wrongVerifier.json()).toMatchObject({ error: "invalid_grant", error_description: expect.stringContaining("code_verifier") });
        expect((await (await exchange(first)).json()).error).toBe("invalid_grant");

        const second = await codeFor();
        expect((await (await exchange(second, verifier, "http://127.0.0.1:1/other")).json()).error_description).toContain("redirect_uri");

        const third = await codeFor();
        const good = await exchange(third);
        expect(good.status).toBe(200);
        const tokens = await good.json();
        expect(tokens.token_type).toBe("Bearer");
        expect((await post({ authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
        const replay = await exchange(third);
        expect(await replay.json()).toMatchObject({ error: "invalid_grant", error_description: expect.stringContaining("already used") });
        expect((await post({ authorization: `Bearer ${tokens.access_token}` })).status).toBe(401);
      });

      test("a token is bound to its resource: the same token through another host name is refused", async () => {
        const tokens = await (await exchange(await codeFor())).json();
        expect((await post({ authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
        const elsewhere = await post({ authorization: `Bearer ${tokens.access_token}`, host: DOMAIN });
        expect(elsewhere.status).toBe(401);
        expect((await elsewhere.json()).error.message).toContain(`https://${DOMAIN}/mcp`);
      });
    });
  });
}
