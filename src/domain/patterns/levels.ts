/** Entry, stop and target on the tick grid, with the sides checked. */
import { beyond, type Side } from "./side.ts";

export interface TradeLevels {
  entry: number;
  stop: number;
  target: number;
}

/** Alpaca's tick (Reg NMS sub-penny rule): a cent at $1 and above, 0.0001 below. */
function tickSize(price: number): number {
  return price >= 1 ? 0.01 : 0.0001;
}

/** The nearest price on the tick grid (numbers: these are suggestions, not orders). */
export function roundToTick(price: number): number {
  const digits = price >= 1 ? 2 : 4;
  return Number((Math.round(price / tickSize(price)) * tickSize(price)).toFixed(digits));
}

/** One tick past `price` on the losing side: where a stop "below the low" (long) goes. */
export function stopPast(side: Side, price: number): number {
  return price - side.sign * tickSize(price);
}

/** The target `multiple` × the risk away from entry, on the winning side. */
export function targetAtR(entry: number, stop: number, multiple: number): number {
  return entry + multiple * (entry - stop);
}

/** Reward over risk of the rounded levels. */
export function rewardRisk(levels: TradeLevels): number {
  return Math.abs(levels.target - levels.entry) / Math.abs(levels.entry - levels.stop);
}

/**
 * Rounds the three prices to the tick; null when the stop is not on the losing side of entry
 * or the target not on the winning side (a range too small to survive rounding).
 */
export function tradeLevels(side: Side, entry: number, stop: number, target: number): TradeLevels | null {
  const levels = { entry: roundToTick(entry), stop: roundToTick(stop), target: roundToTick(target) };
  const ordered = beyond(side, levels.entry, levels.stop) > 0 && beyond(side, levels.target, levels.entry) > 0;
  return ordered && levels.stop > 0 && levels.target > 0 ? levels : null;
}
