import { expect, test } from "bun:test";
import { minutePrints } from "../../src/services/venue/market/tape.ts";

const bar = { t: 1_773_151_200_000, o: 10, h: 10.5, l: 9.8, c: 10.2, v: 1_003, n: 40, vw: 10.1 };

test("an up minute prints open, low, high, close, 15 s apart, its volume in full", () => {
  const prints = minutePrints(bar);
  expect(prints.map((p) => p.price)).toEqual([10, 9.8, 10.5, 10.2]);
  expect(prints.map((p) => p.at - bar.t)).toEqual([0, 15_000, 30_000, 45_000]);
  expect(prints.reduce((sum, p) => sum + p.size, 0)).toBe(1_003);
});

test("a down minute visits the high before the low", () => {
  expect(minutePrints({ ...bar, c: 9.9 }).map((p) => p.price)).toEqual([10, 10.5, 9.8, 9.9]);
});

test("a minute with fewer trades than four prints keeps the open and the close", () => {
  expect(minutePrints({ ...bar, n: 1, v: 100 })).toEqual([{ at: bar.t, price: 10.2, size: 100 }]);
  expect(minutePrints({ ...bar, n: 2, v: 300 }).map((p) => [p.price, p.size])).toEqual([[10, 150], [10.2, 150]]);
});
