/**
 * Dollar prices on the quoting grid: cents at ≥ $1, $0.0001 below — the rule exchange/ticks.ts
 * applies to integer ticks, done in floats here because the generator rounds millions of prices.
 */

const SUB_DOLLAR_TICK = 0.0001;

/** Nearest valid price, never below one tick. */
export function roundToTick(dollars: number): number {
  if (dollars >= 1) return Math.round(dollars * 100) / 100;
  return Math.max(SUB_DOLLAR_TICK, Math.round(dollars * 10_000) / 10_000);
}

/** The quoting increment at a price, in dollars. */
export function tickAt(dollars: number): number {
  return dollars >= 1 ? 0.01 : SUB_DOLLAR_TICK;
}
