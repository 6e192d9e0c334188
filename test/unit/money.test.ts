import { describe, expect, test } from "bun:test";
import { absDecimal, compareDecimal, isDecimal, isOnTick, multiplyDecimal, roundToTick, withoutZeroFraction } from "../../src/domain/money.ts";

describe("decimal strings", () => {
  test("what counts as a decimal", () => {
    for (const ok of ["0", "12", "-10", "12.34", "0.0001", "-0.5"]) expect(isDecimal(ok)).toBe(true);
    for (const bad of ["", "1.", ".5", "1e3", "+1", "1,000", " 1", "NaN", "1.2.3"]) expect(isDecimal(bad)).toBe(false);
  });

  test("compare aligns scales and signs", () => {
    expect(compareDecimal("1.10", "1.1")).toBe(0);
    expect(compareDecimal("1.09", "1.1")).toBe(-1);
    expect(compareDecimal("10", "9.9999")).toBe(1);
    expect(compareDecimal("-0.01", "0")).toBe(-1);
    expect(compareDecimal("-2", "-10")).toBe(1);
  });

  test("multiply is exact where floats are not", () => {
    // 0.1 × 3 in floats is 0.30000000000000004.
    expect(multiplyDecimal("0.1", "3")).toBe("0.3");
    expect(multiplyDecimal("3", "12.345")).toBe("37.035");
    expect(multiplyDecimal("1000000", "0.0001")).toBe("100.0000");
    expect(multiplyDecimal("-10", "170.25")).toBe("-1702.50");
    expect(multiplyDecimal("0.05", "0.05")).toBe("0.0025");
    expect(multiplyDecimal("123456789012345678", "100.01")).toBe("12346913469124691256.78");
  });

  test("abs drops the sign of a short quantity", () => {
    expect(absDecimal("-10")).toBe("10");
    expect(absDecimal("10")).toBe("10");
    expect(absDecimal("-0.50")).toBe("0.50");
  });

  test("a non-decimal is refused, not coerced", () => {
    expect(() => compareDecimal("abc", "1")).toThrow(RangeError);
    expect(() => multiplyDecimal("1", "1e2")).toThrow(RangeError);
  });
});

describe("tick rounding", () => {
  test("cents at ≥ $1, four decimals below, always that many digits", () => {
    expect(roundToTick("12.3")).toBe("12.30");
    expect(roundToTick("12")).toBe("12.00");
    expect(roundToTick("0.5")).toBe("0.5000");
    expect(roundToTick("1")).toBe("1.00");
  });

  test("no side rounds half up", () => {
    expect(roundToTick("12.345")).toBe("12.35");
    expect(roundToTick("12.3449")).toBe("12.34");
    expect(roundToTick("0.51235")).toBe("0.5124");
    expect(roundToTick("0.512349")).toBe("0.5123");
  });

  test("a buy rounds down (never pays more), a sell rounds up (never takes less)", () => {
    expect(roundToTick("12.349", "buy")).toBe("12.34");
    expect(roundToTick("12.341", "sell")).toBe("12.35");
    expect(roundToTick("0.51239", "buy")).toBe("0.5123");
    expect(roundToTick("0.51231", "sell")).toBe("0.5124");
    // Already on the grid: no side moves it.
    expect(roundToTick("12.340", "buy")).toBe("12.34");
    expect(roundToTick("12.340", "sell")).toBe("12.34");
  });

  test("rounding up into a dollar switches to the cent grid", () => {
    expect(roundToTick("0.99996")).toBe("1.00");
    expect(roundToTick("0.99991", "sell")).toBe("1.00");
    expect(roundToTick("0.99999", "buy")).toBe("0.9999");
  });

  test("a price that is not positive, or rounds to nothing, is refused", () => {
    expect(() => roundToTick("0")).toThrow(RangeError);
    expect(() => roundToTick("-1.00")).toThrow(RangeError);
    expect(() => roundToTick("0.00001", "buy")).toThrow(RangeError);
  });

  test("on-tick check", () => {
    expect(isOnTick("12.34")).toBe(true);
    expect(isOnTick("12.340000")).toBe(true);
    expect(isOnTick("12")).toBe(true);
    expect(isOnTick("12.345")).toBe(false);
    expect(isOnTick("0.1234")).toBe(true);
    expect(isOnTick("0.12345")).toBe(false);
  });
});

describe("withoutZeroFraction", () => {
  test("drops an all-zero fraction only", () => {
    expect(["10.000000", "10.0", "10", "10.50", "0.000", "100"].map(withoutZeroFraction)).toEqual(["10", "10", "10", "10.50", "0", "100"]);
  });
});
