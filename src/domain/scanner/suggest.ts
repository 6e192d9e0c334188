/**
 * Suggested entry/stop/target for a candidate: the aligned pattern's own levels when there is one,
 * else the price with a stop two ATRs (at least 1 %) away and a 2R target. Suggestions only:
 * risk sizes the trade and trading rounds the order's prices to the tick.
 */
import { roundToTick as round } from "../patterns/levels.ts";
import type { PatternEvidence, TradeDirection } from "./score.ts";

export interface SuggestedLevels {
  entry: number;
  stop: number;
  target: number;
  basis: string;
}

const REWARD_MULTIPLE = 2;

export function suggestLevels(direction: TradeDirection, price: number, pattern: PatternEvidence | null, atr: number | null): SuggestedLevels | null {
  if (pattern) return { entry: pattern.entry, stop: pattern.stop, target: pattern.target, basis: pattern.name };
  if (!(price > 0)) return null;
  const distance = Math.max(2 * (atr ?? 0), price * 0.01);
  const sign = direction === "long" ? 1 : -1;
  const stop = round(price - sign * distance);
  if (!(stop > 0)) return null;
  return { entry: round(price), stop, target: round(price + sign * distance * REWARD_MULTIPLE), basis: "atr" };
}
