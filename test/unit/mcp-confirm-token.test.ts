import { describe, expect, test } from "bun:test";
import { checkActionToken, checkToken, differingActionTerms, differingTerms, issueActionToken, issueToken, type TradeTerms } from "../../src/domain/mcp/confirm-token.ts";

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

describe("action confirm token (adjust, protect, clear the emergency stop)", () => {
  const actionTerms = { positionId: 7, stopLoss: "10.20", takeProfit: null };

  test("confirms only the action it was issued for, until it expires", () => {
    const token = issueActionToken(SECRET, "adjust_position", actionTerms, 1_000, "n2");
    expect(checkActionToken(SECRET, token, 999, "adjust_position")).toEqual({ ok: true, claims: { action: "adjust_position", terms: actionTerms, expiresAt: 1_000, nonce: "n2" } });
    expect(checkActionToken(SECRET, token, 999, "clear_emergency_stop")).toEqual({ ok: false, reason: "wrong_action" });
    expect(checkActionToken(SECRET, token, 1_000, "adjust_position")).toEqual({ ok: false, reason: "expired" });
    expect(checkActionToken("other".repeat(10), token, 0, "adjust_position")).toEqual({ ok: false, reason: "bad_signature" });
  });

  test("a preview_trade token confirms no action, and an action token places no trade", () => {
    const tradeToken = issueToken(SECRET, terms, 1_000, "n3");
    expect(checkActionToken(SECRET, tradeToken, 0, "clear_emergency_stop")).toEqual({ ok: false, reason: "wrong_action" });
    const actionToken = issueActionToken(SECRET, "protect_position", { positionId: 1, stopLoss: "9" }, 1_000, "n4");
    const asTrade = checkToken(SECRET, actionToken, 0);
    expect(asTrade.ok && differingTerms(asTrade.claims.terms, terms).length > 0).toBe(true);
  });

  test("terms: prices as numbers, text exactly, a term on one side only differs", () => {
    expect(differingActionTerms(actionTerms, { positionId: 7, stopLoss: "10.2", takeProfit: null })).toEqual([]);
    expect(differingActionTerms(actionTerms, { positionId: 8, stopLoss: "10.21", takeProfit: "12" })).toEqual(["positionId", "stopLoss", "takeProfit"]);
    expect(differingActionTerms({ reason: "all clear now" }, { reason: "All clear now" })).toEqual(["reason"]);
    expect(differingActionTerms({ reason: "x", stopSetAt: "2026-03-10T15:00:00.000Z" }, { reason: "x", stopSetAt: null })).toEqual(["stopSetAt"]);
  });
});
