/**
 * Moving an open position's stop or target, or giving an unprotected one a stop: the checks risk
 * runs before the broker is asked. A stop must sit on the safe side of the market (else it would
 * trigger at once); a stop moved further away must fit the day's loss budget with every other open
 * trade stopped out too; a changed target must keep the minimum reward:risk from here. Tightening a
 * stop only lowers what can be lost, so it is never refused for budget or reward:risk.
 */
import { absDecimal, addDecimal, compareDecimal, divideDecimal, maxDecimal, multiplyDecimal, roundDecimal, subtractDecimal, type Decimal } from "../money.ts";
import type { PositionSide } from "../order-side.ts";

export type ExitRule = "stop_side" | "target_side" | "daily_loss_budget" | "reward_risk";

export interface ExitVerdict {
  rule: ExitRule;
  ok: boolean;
  detail: string;
}

export interface ExitAdjustmentInput {
  side: PositionSide;
  /** Shares the stop will cover. */
  qty: Decimal;
  /** The mark the checks measure from (last price, else entry). */
  price: Decimal;
  /** The stop working now; null when the position has none (unprotected). */
  currentStop: Decimal | null;
  newStop: Decimal;
  /** The target after the change (null: none). */
  newTarget: Decimal | null;
  targetChanged: boolean;
  /** Today's loss so far (positive) and what every other open trade could still lose to its stop. */
  lossToday: Decimal;
  otherRiskToStop: Decimal;
  maxDailyLoss: Decimal;
  minRewardRisk: Decimal;
}

export interface ExitAdjustmentCheck {
  approved: boolean;
  verdicts: ExitVerdict[];
  /** What is lost if the new stop fills at its price, from the mark. */
  riskUsd: Decimal;
  /** riskUsd minus the same for the current stop (negative: the change lowers the risk); null without a current stop. */
  riskChangeUsd: Decimal | null;
  rewardRisk: number | null;
}

const usd = (value: Decimal) => `${compareDecimal(value, "0") < 0 ? "-" : ""}$${roundDecimal(absDecimal(value), 2)}`;

/** Loss per share if a stop at `stop` fills, from `price` (0 when the stop is beyond the price). */
function lossPerShare(side: PositionSide, price: Decimal, stop: Decimal): Decimal {
  return maxDecimal("0", side === "long" ? subtractDecimal(price, stop) : subtractDecimal(stop, price));
}

export function checkExitAdjustment(input: ExitAdjustmentInput): ExitAdjustmentCheck {
  const { side, qty, price, newStop, newTarget } = input;
  const verdicts: ExitVerdict[] = [];
  const stopSafe = side === "long" ? compareDecimal(newStop, price) < 0 : compareDecimal(newStop, price) > 0;
  verdicts.push({
    rule: "stop_side",
    ok: stopSafe,
    detail: stopSafe
      ? `the stop ${newStop} is ${side === "long" ? "below" : "above"} the price ${price}`
      : `a ${side} position's stop must be ${side === "long" ? "below" : "above"} the price ${price} (got ${newStop}); it would trigger at once — close the position instead`,
  });
  if (newTarget !== null) {
    const targetSafe = side === "long" ? compareDecimal(newTarget, price) > 0 : compareDecimal(newTarget, price) < 0;
    verdicts.push({
      rule: "target_side",
      ok: targetSafe,
      detail: targetSafe
        ? `the target ${newTarget} is ${side === "long" ? "above" : "below"} the price ${price}`
        : `a ${side} position's target must be ${side === "long" ? "above" : "below"} the price ${price} (got ${newTarget}); close the position to take the profit now`,
    });
  }

  const riskUsd = roundDecimal(multiplyDecimal(lossPerShare(side, price, newStop), qty), 2);
  const currentRisk = input.currentStop === null ? null : roundDecimal(multiplyDecimal(lossPerShare(side, price, input.currentStop), qty), 2);
  const riskChangeUsd = currentRisk === null ? null : subtractDecimal(riskUsd, currentRisk);
  const loosened = riskChangeUsd === null || compareDecimal(riskChangeUsd, "0") > 0;

  const worst = addDecimal(addDecimal(input.lossToday, input.otherRiskToStop), riskUsd);
  const budgetOk = !loosened || compareDecimal(worst, input.maxDailyLoss) <= 0;
  verdicts.push({
    rule: "daily_loss_budget",
    ok: budgetOk,
    detail: !loosened
      ? `the new stop lowers what this position can lose by ${usd(absDecimal(riskChangeUsd!))}`
      : `if this and every open trade were stopped out, today's loss would be ${usd(worst)} of the ${usd(input.maxDailyLoss)} limit` +
        (budgetOk ? "" : `; keep the stop closer so this position risks at most ${usd(maxDecimal("0", subtractDecimal(input.maxDailyLoss, addDecimal(input.lossToday, input.otherRiskToStop))))}`),
  });

  const perShareRisk = lossPerShare(side, price, newStop);
  const reward = newTarget === null ? null : maxDecimal("0", side === "long" ? subtractDecimal(newTarget, price) : subtractDecimal(price, newTarget));
  const rewardRisk = reward === null || compareDecimal(perShareRisk, "0") === 0 ? null : Number(divideDecimal(reward, perShareRisk, 2, "floor"));
  const rrMatters = newTarget !== null && (loosened || input.targetChanged);
  const rrOk = !rrMatters || (rewardRisk !== null && compareDecimal(String(rewardRisk), input.minRewardRisk) >= 0);
  verdicts.push({
    rule: "reward_risk",
    ok: rrOk,
    detail: !rrMatters
      ? newTarget === null
        ? "no target: reward:risk does not apply"
        : "the stop only tightens and the target stays: reward:risk only improves"
      : `reward:risk from ${price} is ${rewardRisk ?? "undefined"} (minimum ${input.minRewardRisk})` + (rrOk ? "" : "; move the target further or the stop closer"),
  });
  return { approved: verdicts.every((v) => v.ok), verdicts, riskUsd, riskChangeUsd, rewardRisk };
}
