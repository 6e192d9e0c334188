/** What open positions and working entries count as at risk: to their stops, naked shares at a share of their value, never $0. */
import { describe, expect, test } from "bun:test";
import { positionAtRisk, workingEntryAtRisk } from "../../src/domain/risk/at-risk.ts";

describe("positionAtRisk", () => {
  test("a long with a working stop loses the way to the stop", () => {
    expect(positionAtRisk({ direction: "long", qty: "100", mark: "20.00", stop: { price: "19.50", qty: "100" } }, "100")).toEqual({ riskToStop: "50.00", unprotected: false });
  });
  test("a short's stop is above the mark", () => {
    expect(positionAtRisk({ direction: "short", qty: "100", mark: "20.00", stop: { price: "20.25", qty: "100" } }, "100").riskToStop).toBe("25.00");
  });
  test("a stop already in profit loses nothing more", () => {
    expect(positionAtRisk({ direction: "long", qty: "100", mark: "20.00", stop: { price: "20.50", qty: "100" } }, "100")).toEqual({ riskToStop: "0.00", unprotected: false });
  });
  test("without a working stop the whole mark value is at risk, never $0", () => {
    expect(positionAtRisk({ direction: "long", qty: "100", mark: "20.00", stop: null }, "100")).toEqual({ riskToStop: "2000.00", unprotected: true });
    expect(positionAtRisk({ direction: "short", qty: "100", mark: "20.00", stop: null }, "100").riskToStop).toBe("2000.00");
  });
  test("a configured worst case counts that share of the mark value", () => {
    expect(positionAtRisk({ direction: "long", qty: "100", mark: "20.00", stop: null }, "25").riskToStop).toBe("500.00");
  });
  test("shares the stop does not cover count as unprotected", () => {
    // 60 covered: 60 × 0.50 = 30; 40 naked: 40 × 20 = 800.
    expect(positionAtRisk({ direction: "long", qty: "100", mark: "20.00", stop: { price: "19.50", qty: "60" } }, "100")).toEqual({ riskToStop: "830.00", unprotected: true });
  });
});

describe("workingEntryAtRisk", () => {
  test("an entry risk sized counts its sized risk", () => {
    expect(workingEntryAtRisk("100", "20.00", "250", "100")).toEqual({ riskToStop: "250.00", unprotected: false });
  });
  test("an entry without a sized risk counts its whole value", () => {
    expect(workingEntryAtRisk("100", "20.00", null, "100")).toEqual({ riskToStop: "2000.00", unprotected: true });
  });
});
