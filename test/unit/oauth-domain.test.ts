/** The pure OAuth rules: PKCE S256, redirect URIs, scopes, refresh rotation, the failure limit and Host/Origin checks. */
import { describe, expect, test } from "bun:test";
import { recordFailure, retryAfterSeconds } from "../../src/domain/oauth/failure-limit.ts";
import { isS256Challenge, pkceVerifies, s256 } from "../../src/domain/oauth/pkce.ts";
import { redirectUriProblem, redirectUriRegistered } from "../../src/domain/oauth/redirect-uri.ts";
import { decideRefresh } from "../../src/domain/oauth/refresh-rotation.ts";
import { hostAllowed, hostnameOf, originAllowed, publicBase } from "../../src/domain/oauth/request-origin.ts";
import { parseScope, scopeForTool, withinScope } from "../../src/domain/oauth/scope.ts";

describe("PKCE S256", () => {
  // RFC 7636 Appendix B.
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

  test("the RFC's example verifies; any other verifier does not", () => {
    expect(s256(verifier)).toBe(challenge);
    expect(pkceVerifies(verifier, challenge)).toBe(true);
    expect(pkceVerifies(`${verifier.slice(0, -1)}x`, challenge)).toBe(false);
  });

  test("malformed verifiers and challenges are refused, whatever they hash to", () => {
    expect(pkceVerifies("short", s256("short"))).toBe(false);
    expect(pkceVerifies("a".repeat(129), s256("a".repeat(129)))).toBe(false);
    expect(pkceVerifies(`${"a".repeat(42)}!`, s256(`${"a".repeat(42)}!`))).toBe(false);
    expect(isS256Challenge(challenge)).toBe(true);
    expect(isS256Challenge(`${challenge}=`)).toBe(false);
    expect(isS256Challenge("a.b~c".repeat(9).slice(0, 43))).toBe(false);
  });
});

describe("redirect URIs", () => {
  test("https anywhere, http only on loopback, private-use schemes; never a fragment", () => {
    expect(redirectUriProblem("https://claude.ai/api/mcp/auth_callback")).toBeNull();
    expect(redirectUriProblem("http://127.0.0.1:33418/callback")).toBeNull();
    expect(redirectUriProblem("http://localhost/cb")).toBeNull();
    expect(redirectUriProblem("http://[::1]:8080/cb")).toBeNull();
    expect(redirectUriProblem("com.example.app:/oauth")).toBeNull();
    expect(redirectUriProblem("http://evil.example.com/cb")).toContain("https");
    expect(redirectUriProblem("https://claude.ai/cb#x")).toContain("fragment");
    expect(redirectUriProblem("javascript:alert(1)")).not.toBeNull();
    expect(redirectUriProblem("/relative")).toContain("absolute");
  });

  test("matching is exact: no prefix, trailing slash, case or port leeway", () => {
    const registered = ["https://claude.ai/api/mcp/auth_callback"];
    expect(redirectUriRegistered(registered, "https://claude.ai/api/mcp/auth_callback")).toBe(true);
    for (const other of ["https://claude.ai/api/mcp/auth_callback/", "https://claude.ai/api/mcp/auth_callback?x=1", "https://CLAUDE.ai/api/mcp/auth_callback", "https://claude.ai:443/api/mcp/auth_callback", "https://claude.ai/api/mcp"]) {
      expect(redirectUriRegistered(registered, other)).toBe(false);
    }
  });
});

describe("scopes", () => {
  test("read is always included; unknown scopes refuse the whole request", () => {
    expect(parseScope("trade")).toEqual(["read", "trade"]);
    expect(parseScope("trade read")).toEqual(["read", "trade"]);
    expect(parseScope(undefined)).toEqual(["read"]);
    expect(parseScope("read admin")).toBeNull();
  });

  test("a tool not marked read-only needs trade; a refresh may only narrow", () => {
    expect(scopeForTool({ readOnlyHint: true })).toBe("read");
    expect(scopeForTool({ readOnlyHint: false })).toBe("trade");
    expect(scopeForTool(undefined)).toBe("trade");
    expect(withinScope(["read", "trade"], ["read"])).toBe(true);
    expect(withinScope(["read"], ["read", "trade"])).toBe(false);
  });
});

describe("refresh rotation", () => {
  const live = { clientId: "c", expiresAt: 2_000, rotatedAt: null, grantRevokedAt: null };
  test("a live, unused token of the same client rotates", () => {
    expect(decideRefresh(live, "c", 1_000)).toEqual({ action: "rotate" });
  });
  test("a token used before revokes its family; expired, revoked, unknown or another client's is refused", () => {
    expect(decideRefresh({ ...live, rotatedAt: 500 }, "c", 1_000).action).toBe("revoke_family");
    expect(decideRefresh({ ...live, expiresAt: 1_000 }, "c", 1_000).action).toBe("refuse");
    expect(decideRefresh({ ...live, grantRevokedAt: 900, rotatedAt: 500 }, "c", 1_000).action).toBe("refuse");
    expect(decideRefresh(null, "c", 1_000).action).toBe("refuse");
    expect(decideRefresh(live, "other", 1_000)).toEqual({ action: "refuse", reason: "the refresh token was issued to another client" });
  });
});

describe("failed-authentication limit", () => {
  const limit = { maxFailures: 3, windowMs: 60_000 };
  test("the limit'th failure blocks until the window ends, then the address starts afresh", () => {
    let window = recordFailure(undefined, limit, 0);
    window = recordFailure(window, limit, 10_000);
    expect(retryAfterSeconds(window, limit, 10_000)).toBe(0);
    window = recordFailure(window, limit, 20_000);
    expect(retryAfterSeconds(window, limit, 20_000)).toBe(40);
    expect(retryAfterSeconds(window, limit, 59_500)).toBe(1);
    expect(retryAfterSeconds(window, limit, 60_000)).toBe(0);
    expect(recordFailure(window, limit, 60_000)).toEqual({ startedAt: 60_000, failures: 1 });
  });
});

describe("Host and Origin", () => {
  const allowed = { domain: "catalyst.example.com", hosts: ["catalyst.internal"], origins: ["https://claude.ai"] };
  test("loopback, the domain and listed hosts pass, with any port; anything else and junk do not", () => {
    for (const host of ["127.0.0.1:5000", "localhost:5000", "[::1]:5000", "catalyst.example.com", "CATALYST.example.com:443", "catalyst.internal:8443"]) expect(hostAllowed(host, allowed)).toBe(true);
    for (const host of [null, "", "evil.example.com", "catalyst.example.com.evil.com", "127.0.0.1.nip.io", "catalyst.example.com@evil.com", "a b"]) expect(hostAllowed(host, allowed)).toBe(false);
    expect(hostnameOf("[::1]:80")).toBe("[::1]");
  });

  test("no Origin passes; a present one must be loopback, https on the domain, or listed", () => {
    expect(originAllowed(null, allowed)).toBe(true);
    for (const origin of ["http://localhost:6274", "http://127.0.0.1:6274", "https://catalyst.example.com", "https://claude.ai"]) expect(originAllowed(origin, allowed)).toBe(true);
    for (const origin of ["http://catalyst.example.com", "https://catalyst.example.com:8443", "http://evil.example.com", "null", "https://claude.ai/"]) expect(originAllowed(origin, allowed)).toBe(false);
  });

  test("the public base is http on loopback and https for public names", () => {
    expect(publicBase("127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
    expect(publicBase("Catalyst.Example.com")).toBe("https://catalyst.example.com");
  });
});
