/**
 * ABCD (the AB = CD continuation, after Carney's harmonic rules), bullish and mirrored bearish.
 *
 * Bullish: A is a swing low, B the swing high after it (the top of everything since A), C a swing
 * low after B that retraces 38.2–78.6% of AB (so C stays above A) and has held since. D, the
 * target, is C + (B − A): the CD leg repeats AB. The rule used for entry: the turn up from C is
 * confirmed when price breaks the high of the bar that made C, so entry = that bar's high and the
 * stop goes a tick under C. That keeps the risk to the C bar and leaves the whole CD leg as
 * reward; setups under 1.5 reward:risk are dropped. Reported only while price is still under B
 * (after B breaks most of the move is gone). Swings are 2-bar pivots; a lighter-volume BC leg
 * (a pullback, not selling) raises confidence.
 */
import type { Bar } from "../../adapters/broker/broker.ts";
import { rewardRisk, stopPast, tradeLevels } from "./levels.ts";
import { averageVolume, confidence, MOVE_SCALE, percent, price } from "./series.ts";
import { adverseExtreme, beyond, favorableExtreme, SIDES, type Side } from "./side.ts";
import type { DetectedPattern, PatternInput } from "./types.ts";

const PIVOT_STRENGTH = 2;
const MIN_RETRACE = 0.382;
const MAX_RETRACE = 0.786;
/** AB must move at least this much (5-minute bars; scaled by timeframe). */
const MIN_LEG = 0.015;
const MIN_REWARD_RISK = 1.5;
/** Retracements this close to 50% or 61.8% are the textbook ones. */
const FIB_NEAR = 0.05;

export function detectAbcd(input: PatternInput): DetectedPattern[] {
  return SIDES.flatMap((side) => {
    const found = abcd(input, side);
    return found ? [found] : [];
  });
}

/** Indices whose score beats the `PIVOT_STRENGTH` bars before and is not beaten by those after. */
function pivots(bars: readonly Bar[], score: (bar: Bar) => number): number[] {
  const out: number[] = [];
  for (let i = PIVOT_STRENGTH; i < bars.length - PIVOT_STRENGTH; i++) {
    const value = score(bars[i]!);
    let pivot = true;
    for (let j = 1; j <= PIVOT_STRENGTH && pivot; j++) {
      pivot = value > score(bars[i - j]!) && value >= score(bars[i + j]!);
    }
    if (pivot) out.push(i);
  }
  return out;
}

function lastBefore(indices: readonly number[], bound: number): number | undefined {
  return indices.findLast((i) => i < bound);
}

function abcd(input: PatternInput, side: Side): DetectedPattern | null {
  const { bars } = input;
  const swingHighs = pivots(bars, (bar) => side.sign * side.favorable(bar));
  const swingLows = pivots(bars, (bar) => -side.sign * side.adverse(bar));
  const c = swingLows.at(-1);
  const b = c === undefined ? undefined : lastBefore(swingHighs, c);
  const a = b === undefined ? undefined : lastBefore(swingLows, b);
  if (a === undefined || b === undefined || c === undefined) return null;

  const priceA = side.adverse(bars[a]!);
  const priceB = side.favorable(bars[b]!);
  const priceC = side.adverse(bars[c]!);
  // A is the low of AB, B the top of everything since A (still unbroken), C has held since.
  if (adverseExtreme(side, bars.slice(a, b + 1)) !== priceA) return null;
  if (favorableExtreme(side, bars.slice(a)) !== priceB) return null;
  if (adverseExtreme(side, bars.slice(c)) !== priceC) return null;

  const ab = beyond(side, priceB, priceA);
  if (!(ab > 0) || ab / priceA < MIN_LEG * MOVE_SCALE[input.timeframe]) return null;
  const retrace = beyond(side, priceB, priceC) / ab;
  if (retrace < MIN_RETRACE || retrace > MAX_RETRACE) return null;

  const entry = side.favorable(bars[c]!);
  const levels = tradeLevels(side, entry, stopPast(side, priceC), priceC + side.sign * ab);
  if (!levels || rewardRisk(levels) < MIN_REWARD_RISK) return null;

  const abVolume = averageVolume(bars, a + 1, b + 1);
  const bcVolume = averageVolume(bars, b + 1, c + 1);
  const last = bars.at(-1)!;
  const triggered = beyond(side, last.close, levels.entry) > 0;
  const textbook = Math.abs(retrace - 0.5) <= FIB_NEAR || Math.abs(retrace - 0.618) <= FIB_NEAR;
  const long = side.direction === "long";
  const reasons = [
    `A ${price(priceA)} → B ${price(priceB)} (${percent(ab / priceA)}) → C ${price(priceC)} retraced ${percent(retrace)} of AB`,
    `D = C ${long ? "+" : "−"} AB = ${price(levels.target)}`,
    bcVolume < abVolume ? "BC pulled back on lighter volume than AB" : "BC pulled back on heavier volume than AB",
    triggered
      ? `turn from C confirmed: closed ${long ? "above" : "below"} the C bar's ${long ? "high" : "low"} ${price(levels.entry)}`
      : `entry on a break of the C bar's ${long ? "high" : "low"} ${price(levels.entry)}`,
  ];
  const score = 0.45 + (textbook ? 0.1 : 0) + (bcVolume < abVolume ? 0.1 : -0.05) + (triggered ? 0.05 : 0);
  return {
    name: long ? "bullish_abcd" : "bearish_abcd",
    kind: "chart",
    direction: side.direction,
    confidence: confidence(score),
    ...levels,
    startTime: bars[a]!.timestamp,
    endTime: last.timestamp,
    reasons,
  };
}
