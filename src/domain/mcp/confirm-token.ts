/**
 * Two-phase trading's confirm token: preview_trade signs the exact terms it checked (symbol, side,
 * prices as they would be sent, the sized qty) with an expiry and a one-time nonce; execute_trade
 * acts only on a token whose signature, expiry and terms all hold. Pure: the secret, the clock and
 * the nonce come from the caller; that each nonce is used once is the caller's record.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface TradeTerms {
  symbol: string;
  side: "long" | "short";
  type: "market" | "limit";
  limitPrice: string | null;
  stopLoss: string;
  takeProfit: string;
  qty: number;
}

export interface TokenClaims {
  terms: TradeTerms;
  expiresAt: number;
  nonce: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

const TERM_KEYS = ["symbol", "side", "type", "limitPrice", "stopLoss", "takeProfit", "qty"] as const;

/** Key order fixed, so equal terms always sign to the same bytes. */
function canonical(terms: TradeTerms): TradeTerms {
  return Object.fromEntries(TERM_KEYS.map((k) => [k, terms[k]])) as unknown as TradeTerms;
}

function sign(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

export function issueToken(secret: string, terms: TradeTerms, expiresAt: number, nonce: string): string {
  const payload = Buffer.from(JSON.stringify({ terms: canonical(terms), expiresAt, nonce })).toString("base64url");
  return `${payload}.${sign(secret, payload)}`;
}

/** The signed, unexpired payload of a token, whatever it was issued for. */
function verified<C extends { expiresAt: number; nonce: string; terms: object }>(secret: string, token: string, now: number): { ok: true; claims: C } | { ok: false; reason: "malformed" | "bad_signature" | "expired" } {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: "malformed" };
  const expected = Buffer.from(sign(secret, payload));
  const presented = Buffer.from(signature);
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return { ok: false, reason: "bad_signature" };
  let claims: C;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as C;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (typeof claims?.expiresAt !== "number" || typeof claims.nonce !== "string" || typeof claims.terms !== "object" || claims.terms === null) return { ok: false, reason: "malformed" };
  if (now >= claims.expiresAt) return { ok: false, reason: "expired" };
  return { ok: true, claims };
}

export function checkToken(secret: string, token: string, now: number): TokenCheck {
  return verified<TokenClaims>(secret, token, now);
}

/**
 * Two-phase actions other than entries (moving a stop, attaching one, clearing the emergency stop):
 * the token names its action and signs its terms, so it can only confirm that action on those terms.
 */
export type ActionTerms = Record<string, string | number | null>;

export interface ActionClaims {
  action: string;
  terms: ActionTerms;
  expiresAt: number;
  nonce: string;
}

export type ActionCheck = { ok: true; claims: ActionClaims } | { ok: false; reason: "malformed" | "bad_signature" | "expired" | "wrong_action" };

const sortedTerms = (terms: ActionTerms): ActionTerms => Object.fromEntries(Object.keys(terms).sort().map((k) => [k, terms[k]!]));

export function issueActionToken(secret: string, action: string, terms: ActionTerms, expiresAt: number, nonce: string): string {
  const payload = Buffer.from(JSON.stringify({ action, terms: sortedTerms(terms), expiresAt, nonce })).toString("base64url");
  return `${payload}.${sign(secret, payload)}`;
}

export function checkActionToken(secret: string, token: string, now: number, action: string): ActionCheck {
  const check = verified<ActionClaims>(secret, token, now);
  if (!check.ok) return check;
  return check.claims.action === action ? check : { ok: false, reason: "wrong_action" };
}

/** The terms that differ (numbers compared as numbers, text exactly); a term missing on one side differs. */
export function differingActionTerms(confirmed: ActionTerms, asked: ActionTerms): string[] {
  const keys = [...new Set([...Object.keys(confirmed), ...Object.keys(asked)])].sort();
  return keys.filter((k) => {
    const a = asked[k] ?? null;
    const b = confirmed[k] ?? null;
    if (a === null || b === null) return a !== b;
    if (typeof a === "number" || typeof b === "number" || /^-?\d+(\.\d+)?$/.test(String(a))) return Number(a) !== Number(b);
    return a !== b;
  });
}

/** The terms that differ between what was previewed and what execute asks for (empty: the same trade). */
export function differingTerms(previewed: TradeTerms, asked: Partial<TradeTerms>): string[] {
  const same = (k: (typeof TERM_KEYS)[number]) => {
    const a = asked[k];
    const b = previewed[k];
    if (k === "symbol") return String(a).toUpperCase() === String(b).toUpperCase();
    // Prices and qty as numbers: "12.3" and "12.30" are the same price.
    if (k === "limitPrice" || k === "stopLoss" || k === "takeProfit" || k === "qty") return (a === null) === (b === null) && Number(a) === Number(b);
    return a === b;
  };
  return TERM_KEYS.filter((k) => asked[k] !== undefined && !same(k));
}
