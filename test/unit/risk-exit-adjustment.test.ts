import { describe, expect, test } from "bun:test";
import { checkExitAdjustment, type ExitAdjustmentInput } from "../../src/domain/risk/exit-adjustment.ts";

/** A long of 100 at a mark of 50, stop working at 48, target 56; $0 lost today, $200 at risk elsewhere, $1000 limit. */
const base: ExitAdjustmentInput = {
  side: "long",
  qty: "100",
  price: "50",
  currentStop: "48",
  newStop: "49",
  newTarget: "56",
  targetChanged: false,
  lossToday: "0",
  otherRiskToStop: "200",
  maxDailyLoss: "1000",
  minRewardRisk: "2",
};
const verdict = (input: ExitAdjustmentInput, rule: string) => checkExitAdjustment(input).verdicts.find((v) => v.rule === rule)!;

describe("moving a stop or target", () => {
  test("a tightened stop is approved and lowers the risk", () => {
    const check = checkExitAdjustment(base);
    expect(check.approved).toBe(true);
    expect(check.riskUsd).toBe("100.00");
    expect(check.riskChangeUsd).toBe("-100.00");
  });

  test("a stop at or beyond the market on the wrong side is refused, long and short", () => {
    expect(verdict({ ...base, newStop: "50" }, "stop_side").ok).toBe(false);
    expect(verdict({ ...base, side: "short", currentStop: "52", newStop: "49", newTarget: "44" }, "stop_side").ok).toBe(false);
    expect(checkExitAdjustment({ ...base, side: "short", currentStop: "52", newStop: "51", newTarget: "44" }).approved).toBe(true);
  });

  test("a stop moved away must fit the day's loss budget with the other trades stopped out", () => {
    // 100 × (50 − 42) = 800; 800 + 200 + 0 = 1000: exactly the limit.
    expect(verdict({ ...base, newStop: "42", newTarget: "70" }, "daily_loss_budget").ok).toBe(true);
    const over = verdict({ ...base, newStop: "41.99", newTarget: "70" }, "daily_loss_budget");
    expect(over.ok).toBe(false);
    expect(over.detail).toContain("$800.00");
    expect(verdict({ ...base, newStop: "45", lossToday: "600" }, "daily_loss_budget").ok).toBe(false);
  });

  test("reward:risk applies when the stop loosens or the target moves, never to a tightened stop alone", () => {
    // Tightened to 49.50 with the target at 50.50: 0.5 : 0.5 = 1, below 2 — but a tightening alone is never refused for it.
    expect(verdict({ ...base, newStop: "49.5", newTarget: "50.5" }, "reward_risk").ok).toBe(true);
    // The same prices reached by loosening a 49.60 stop are refused; a target at 51.50 (3 : 1) is fine.
    expect(verdict({ ...base, newStop: "49.5", newTarget: "50.5", currentStop: "49.6" }, "reward_risk").ok).toBe(false);
    expect(verdict({ ...base, newStop: "49.5", newTarget: "51.5", targetChanged: true, currentStop: "49.6" }, "reward_risk").ok).toBe(true);
    const poor = verdict({ ...base, newStop: "49", newTarget: "51", targetChanged: true }, "reward_risk");
    expect(poor.ok).toBe(false);
    expect(poor.detail).toContain("1 (minimum 2)");
  });

  test("an unprotected position's first stop counts as all new risk; a target on the wrong side is refused", () => {
    const first = checkExitAdjustment({ ...base, currentStop: null, newStop: "45", newTarget: null });
    expect(first.riskChangeUsd).toBeNull();
    expect(first.riskUsd).toBe("500.00");
    expect(first.approved).toBe(true);
    expect(verdict({ ...base, newTarget: "49", targetChanged: true }, "target_side").ok).toBe(false);
  });
});
