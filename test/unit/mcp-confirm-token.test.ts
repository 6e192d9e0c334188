import { describe, expect, test } from "bun:test";
import { checkToken, differingTerms, issueToken, type TradeTerms } from "../../src/domain/mcp/confirm-token.ts";

const terms: TradeTerms = { symbol: "ACME", side: "long", type: "limit", limitPrice: "10.50", stopLoss: "10.00", takeProfit: "11.50", qty: 100 };
const SECRET = "s".repeat(64);

describe("confirm token", () => {
  test("valid until it expires, then refused as expired", () => {
    const token = issueToken(SECRET, terms, 1_000, "n1");
    const ok = checkToken(SECRET, token, 999);
    expect(ok).toEqual({ ok: true, claims: { terms, expiresAt: 1_000, nonce: "n1" } });
    expect(checkToken(SECRET, token, 1_000)).toEqual({ ok: false, reason: "expired" });
  });

  test("another secret, an edited payload or garbage are refused", () => {
    const token = issueToken(SECRET, terms, 1_000, "n1");
    expect(checkToken("other".repeat(10), token, 0)).toEqual({ ok: false, reason: "bad_signature" });
    const [payload, signature] = token.split(".");
    const edited = Buffer.from(Buffer.from(payload!, "base64url").toString().replace('"qty":100', '"qty":9999')).toString("base64url");
    expect(checkToken(SECRET, `${edited}.${signature}`, 0)).toEqual({ ok: false, reason: "bad_signature" });
    expect(checkToken(SECRET, "not-a-token", 0)).toEqual({ ok: false, reason: "malformed" });
    expect(checkToken(SECRET, "a.b.c", 0)).toEqual({ ok: false, reason: "malformed" });
  });

  test("the terms must be the previewed ones; prices compare as numbers, symbols in any case", () => {
    expect(differingTerms(terms, { symbol: "acme", side: "long", type: "limit", limitPrice: "10.5", stopLoss: "10", takeProfit: "11.50" })).toEqual([]);
    expect(differingTerms(terms, { symbol: "ACME", side: "short", stopLoss: "9.99" })).toEqual(["side", "stopLoss"]);
    expect(differingTerms(terms, { type: "limit", limitPrice: null })).toEqual(["limitPrice"]);
  });
});
