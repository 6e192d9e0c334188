import { describe, expect, test } from "bun:test";
import { describeDifferences, differingTerms, type EntryTerms } from "../../src/domain/orders/entry-terms.ts";

const FIRST: EntryTerms = {
  symbol: "AAPL",
  side: "long",
  type: "limit",
  qty: 100,
  limitPrice: "20.00",
  stopLoss: "19.50",
  takeProfit: "21.00",
  cycleId: "4f6c0e1a-8a1b-4c7e-9d55-0b0f2f6c1a11",
};

describe("differingTerms: what an idempotency key binds", () => {
  test("the same terms differ in nothing; decimals compare as decimals, symbols and uuids without case", () => {
    expect(differingTerms(FIRST, { ...FIRST })).toEqual([]);
    expect(differingTerms(FIRST, { ...FIRST, limitPrice: "20", stopLoss: "19.5000", takeProfit: "21.0", symbol: "aapl", cycleId: FIRST.cycleId!.toUpperCase() })).toEqual([]);
  });

  test("each other term is named, with its first and its new value, in the request's field order", () => {
    const now: EntryTerms = { ...FIRST, side: "short", qty: 200, stopLoss: "19.49", cycleId: null };
    expect(differingTerms(FIRST, now)).toEqual([
      { field: "side", first: "long", now: "short" },
      { field: "qty", first: 100, now: 200 },
      { field: "stopLoss", first: "19.50", now: "19.49" },
      { field: "cycleId", first: FIRST.cycleId, now: null },
    ]);
    expect(differingTerms(FIRST, { ...FIRST, symbol: "MSFT" }).map((d) => d.field)).toEqual(["symbol"]);
    expect(differingTerms(FIRST, { ...FIRST, takeProfit: "21.01" }).map((d) => d.field)).toEqual(["takeProfit"]);
  });

  test("a market entry against a limit one: type and limitPrice", () => {
    expect(differingTerms(FIRST, { ...FIRST, type: "market", limitPrice: null })).toEqual([
      { field: "type", first: "limit", now: "market" },
      { field: "limitPrice", first: "20.00", now: null },
    ]);
  });

  test("a sized entry (no qty) and an asked-for qty differ; two sized ones do not", () => {
    expect(differingTerms({ ...FIRST, qty: null }, FIRST).map((d) => d.field)).toEqual(["qty"]);
    expect(differingTerms({ ...FIRST, qty: null }, { ...FIRST, qty: null })).toEqual([]);
  });

  test("an order recorded before terms were kept has no known qty: qty is not compared", () => {
    expect(differingTerms({ ...FIRST, qty: undefined }, { ...FIRST, qty: 5 })).toEqual([]);
  });

  test("described in one line", () => {
    expect(describeDifferences(differingTerms(FIRST, { ...FIRST, qty: 200, limitPrice: null, type: "market" }))).toBe(
      "type limit then, market now; qty 100 then, 200 now; limitPrice 20.00 then, not set now",
    );
  });
});
