/**
 * The terms of an entry request, as an idempotency key binds them: the same key with the same
 * terms is a retry (the first order comes back), with other terms a conflict (nothing is sent).
 * Prices are compared as decimals ("12.5" is "12.50"), after the tick rounding the order got.
 */
import { compareDecimal, type Decimal } from "../money.ts";

export type EntryTerms = {
  symbol: string;
  side: "long" | "short";
  type: "market" | "limit";
  /** Whole shares asked for; null: sized by risk. Undefined: not known (an order recorded before terms were kept). */
  qty: number | null | undefined;
  limitPrice: Decimal | null;
  stopLoss: Decimal;
  takeProfit: Decimal;
  cycleId: string | null;
};

/** The fields compared, in the order a caller sends them; each is the request's field name. */
export const ENTRY_TERM_FIELDS = ["symbol", "side", "type", "qty", "limitPrice", "stopLoss", "takeProfit", "cycleId"] as const;
export type EntryTermField = (typeof ENTRY_TERM_FIELDS)[number];

export interface TermDifference {
  field: EntryTermField;
  first: string | number | null;
  now: string | number | null;
}

function sameDecimal(a: Decimal | null, b: Decimal | null): boolean {
  return a === null || b === null ? a === b : compareDecimal(a, b) === 0;
}

function same(field: EntryTermField, first: EntryTerms, now: EntryTerms): boolean {
  switch (field) {
    case "limitPrice":
    case "stopLoss":
    case "takeProfit":
      return sameDecimal(first[field], now[field]);
    case "qty":
      return first.qty === undefined || first.qty === now.qty;
    case "symbol":
      return first.symbol.toUpperCase() === now.symbol.toUpperCase();
    case "cycleId":
      return (first.cycleId?.toLowerCase() ?? null) === (now.cycleId?.toLowerCase() ?? null);
    default:
      return first[field] === now[field];
  }
}

/** The fields whose values differ between the first request and this one (empty: the same terms). */
export function differingTerms(first: EntryTerms, now: EntryTerms): TermDifference[] {
  return ENTRY_TERM_FIELDS.filter((field) => !same(field, first, now)).map((field) => ({
    field,
    first: first[field] ?? null,
    now: now[field] ?? null,
  }));
}

/** "qty 100 then, 200 now; stopLoss 19.50 then, 19.40 now" ("not set" for an absent value). */
export function describeDifferences(differences: readonly TermDifference[]): string {
  const shown = (value: string | number | null) => (value === null ? "not set" : String(value));
  return differences.map((d) => `${d.field} ${shown(d.first)} then, ${shown(d.now)} now`).join("; ");
}
