/**
 * What an open position or a working entry could still lose: the figure the daily-loss budget
 * adds up. Shares a working stop covers lose at most the way to that stop; shares nothing covers
 * (an imported position, a stop that was cancelled or never placed) count at `unprotectedLossPct`
 * of their mark value (100: all of it). Never $0 for naked shares: nothing limits their loss.
 */
import { absDecimal, addDecimal, compareDecimal, maxDecimal, minDecimal, multiplyDecimal, roundDecimal, subtractDecimal, type Decimal } from "../money.ts";
import type { PositionSide } from "../order-side.ts";
import { percentOf } from "./sizing.ts";

export interface PositionRiskFacts {
  direction: PositionSide;
  qty: Decimal;
  /** Last price, else the entry price. */
  mark: Decimal;
  /** The working stop order (null: none is working). */
  stop: { price: Decimal; qty: Decimal } | null;
}

/** Shares nothing protects, at `unprotectedLossPct` % of their value. */
export function unprotectedAtRisk(qty: Decimal, price: Decimal, unprotectedLossPct: Decimal): Decimal {
  return percentOf(multiplyDecimal(absDecimal(qty), price), unprotectedLossPct);
}

export interface AtRisk {
  riskToStop: Decimal;
  /** Some shares have no working stop. */
  unprotected: boolean;
}

export function positionAtRisk(position: PositionRiskFacts, unprotectedLossPct: Decimal): AtRisk {
  const qty = absDecimal(position.qty);
  const covered = position.stop ? minDecimal(qty, absDecimal(position.stop.qty)) : "0";
  const toStop = position.stop ? subtractDecimal(position.mark, position.stop.price) : "0";
  // A stop already in profit loses nothing more from here.
  const perShare = maxDecimal("0", position.direction === "long" ? toStop : multiplyDecimal(toStop, "-1"));
  const naked = subtractDecimal(qty, covered);
  const unprotected = compareDecimal(naked, "0") > 0;
  const total = addDecimal(multiplyDecimal(covered, perShare), unprotected ? unprotectedAtRisk(naked, position.mark, unprotectedLossPct) : "0");
  return { riskToStop: roundDecimal(total, 2), unprotected };
}

/**
 * A working entry's risk is what risk sized for it (its bracket's stop distance); one without
 * that record (an entry placed elsewhere) counts as unprotected at its price.
 */
export function workingEntryAtRisk(qty: Decimal, price: Decimal, sizedRiskUsd: Decimal | null, unprotectedLossPct: Decimal): AtRisk {
  return { riskToStop: roundDecimal(sizedRiskUsd ?? unprotectedAtRisk(qty, price, unprotectedLossPct), 2), unprotected: sizedRiskUsd === null };
}
