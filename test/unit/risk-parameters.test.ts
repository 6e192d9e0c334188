/** Run-time parameter changes: well formed, and never past the hard bounds set in config. */
import { describe, expect, test } from "bun:test";
import { PARAMETER_BOUND_VARIABLES, applyParameterChanges, parameterChangesProblem } from "../../src/domain/risk/parameters.ts";
import type { RiskLimits } from "../../src/domain/risk/types.ts";
import { TEST_LIMITS } from "../support/risk-fixtures.ts";

const BOUNDS: RiskLimits = {
  maxOpenPositions: 10,
  maxPositionNotional: "25000",
  maxPositionPctEquity: "25",
  maxDailyLoss: "5000",
  dailyLossWarnPct: "90",
  maxSectorExposurePct: "60",
  minRewardRisk: "1",
  maxTradesPerDay: 50,
  riskPerTradePct: "2",
};

const CURRENT: RiskLimits = { ...TEST_LIMITS, maxPositionPctEquity: "20" };

/** Each ceiling field: its bound, and a value just past it. */
const CEILINGS: [keyof RiskLimits, number | string][] = [
  ["maxOpenPositions", 11],
  ["maxPositionNotional", "25000.01"],
  ["maxPositionPctEquity", "25.01"],
  ["maxDailyLoss", "5000.01"],
  ["dailyLossWarnPct", "90.01"],
  ["maxSectorExposurePct", "60.01"],
  ["maxTradesPerDay", 51],
  ["riskPerTradePct", "2.01"],
];

describe("parameterChangesProblem", () => {
  test("no changes, or changes within bounds, are fine", () => {
    expect(parameterChangesProblem({}, BOUNDS)).toBeNull();
    expect(parameterChangesProblem({ maxOpenPositions: 3, maxDailyLoss: "1500.50", minRewardRisk: "2" }, BOUNDS)).toBeNull();
  });

  for (const [field, over] of CEILINGS) {
    test(`${field}: at its bound passes, past it fails naming the bound and ${PARAMETER_BOUND_VARIABLES[field]}`, () => {
      expect(parameterChangesProblem({ [field]: BOUNDS[field] }, BOUNDS)).toBeNull();
      const problem = parameterChangesProblem({ [field]: over }, BOUNDS);
      expect(problem?.field).toBe(field);
      expect(problem?.message).toBe(
        `${field} must be at most ${BOUNDS[field]}, the hard bound set by ${PARAMETER_BOUND_VARIABLES[field]} (got ${over}); to go higher, set ${PARAMETER_BOUND_VARIABLES[field]} and restart`,
      );
    });
  }

  test("minRewardRisk is a floor: at or above passes, below fails", () => {
    expect(parameterChangesProblem({ minRewardRisk: "1" }, BOUNDS)).toBeNull();
    expect(parameterChangesProblem({ minRewardRisk: "10" }, BOUNDS)).toBeNull();
    expect(parameterChangesProblem({ minRewardRisk: "0.99" }, BOUNDS)).toEqual({
      field: "minRewardRisk",
      message: "minRewardRisk must be at least 1, the floor set by RISK_MIN_REWARD_RISK_FLOOR (got 0.99); to go lower, set RISK_MIN_REWARD_RISK_FLOOR and restart",
    });
  });

  test("every value must be above 0", () => {
    for (const [field] of CEILINGS) {
      const zero = typeof BOUNDS[field] === "number" ? 0 : "0";
      expect(parameterChangesProblem({ [field]: zero }, BOUNDS)?.field).toBe(field);
    }
    expect(parameterChangesProblem({ minRewardRisk: "0" }, BOUNDS)?.message).toBe("minRewardRisk must be above 0 (got 0)");
    expect(parameterChangesProblem({ maxDailyLoss: "-5" }, BOUNDS)?.message).toBe("maxDailyLoss must be above 0 (got -5)");
  });

  test("counts must be whole numbers", () => {
    expect(parameterChangesProblem({ maxOpenPositions: 2.5 }, BOUNDS)).toEqual({
      field: "maxOpenPositions",
      message: "maxOpenPositions must be a whole number above 0 (got 2.5)",
    });
    expect(parameterChangesProblem({ maxTradesPerDay: -1 }, BOUNDS)?.field).toBe("maxTradesPerDay");
  });

  test("amounts must be decimal strings", () => {
    expect(parameterChangesProblem({ maxPositionNotional: "1e4" }, BOUNDS)).toEqual({
      field: "maxPositionNotional",
      message: 'maxPositionNotional must be a decimal number such as "12.5" (got "1e4")',
    });
  });

  test("a percentage is at most 100 whatever its bound", () => {
    const loose = { ...BOUNDS, maxSectorExposurePct: "150" };
    expect(parameterChangesProblem({ maxSectorExposurePct: "100" }, loose)).toBeNull();
    expect(parameterChangesProblem({ maxSectorExposurePct: "100.01" }, loose)?.message).toBe("maxSectorExposurePct is a percentage, at most 100 (got 100.01)");
  });

  test("the first problem in field order is reported", () => {
    expect(parameterChangesProblem({ riskPerTradePct: "5", maxOpenPositions: 99 }, BOUNDS)?.field).toBe("maxOpenPositions");
  });
});

describe("applyParameterChanges", () => {
  test("given fields replace, the rest stay", () => {
    expect(applyParameterChanges(CURRENT, { maxOpenPositions: 3, riskPerTradePct: "0.5" })).toEqual({ ...CURRENT, maxOpenPositions: 3, riskPerTradePct: "0.5" });
  });
  test("undefined and unknown fields are ignored", () => {
    const changes = { maxDailyLoss: undefined, bogus: "1" } as Partial<RiskLimits>;
    expect(applyParameterChanges(CURRENT, changes)).toEqual(CURRENT);
  });
});
