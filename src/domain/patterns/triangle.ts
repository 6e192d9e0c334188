/**
 * Ascending triangle and its breakout (mirrored: descending triangle and breakdown). A flat
 * resistance touched at least twice, with real pullbacks between the touches, and rising lows
 * (each trough higher than the one before). When the last bar closes through resistance on
 * above-average volume it is a breakout; while price is still under it, a forming triangle (less
 * confident). Entry at resistance, stop a tick under the latest higher low, target the measured
 * move (resistance + the triangle's height, from the first trough).
 */
import type { Bar } from "../../adapters/broker/broker.ts";
import { rewardRisk, stopPast, tradeLevels } from "./levels.ts";
import { averageVolume, bonus, confidence, MOVE_SCALE, percent, price, ratio } from "./series.ts";
import { beyond, favorableExtreme, SIDES, type Side } from "./side.ts";
import type { DetectedPattern, PatternInput } from "./types.ts";

/** Lookbacks tried: the level is the extreme of each window, so a short window finds a recent base. */
const WINDOWS = [12, 20, 30, 40];
/** A bar touches the level within this (5-minute bars; scaled by timeframe). */
const TOUCH_TOLERANCE = 0.003;
/** Two touches count apart only if price pulled back at least this many tolerances in between. */
const PULLBACK_TOLERANCES = 3;
const MIN_TOUCHES = 2;
const BREAKOUT_VOLUME = 1.5;
const MIN_REWARD_RISK = 1.5;

interface Structure {
  /** First bar of each touch cluster. */
  touches: number[];
  /** The most adverse price of each pullback after the first touch (long: the lows), in order. */
  troughs: number[];
}

export function detectTriangles(input: PatternInput): DetectedPattern[] {
  return SIDES.flatMap((side) => {
    let best: DetectedPattern | null = null;
    for (const window of WINDOWS) {
      const found = triangleIn(input, side, window);
      if (found && (!best || found.confidence > best.confidence)) best = found;
    }
    return best ? [best] : [];
  });
}

/** Touch clusters of `level` in bars[from, to) and the pullbacks between and after them. */
function structure(bars: readonly Bar[], side: Side, level: number, tolerance: number, from: number, to: number): Structure {
  const touchLine = level - side.sign * level * tolerance;
  const pullbackLine = level - side.sign * level * tolerance * PULLBACK_TOLERANCES;
  const touches: number[] = [];
  const troughs: number[] = [];
  let trough: number | null = null;
  for (let i = from; i < to; i++) {
    const bar = bars[i]!;
    const touching = beyond(side, side.favorable(bar), touchLine) >= 0;
    if (touching) {
      // A new cluster only after a real pullback; otherwise the same touch goes on.
      if (touches.length === 0 || (trough !== null && beyond(side, trough, pullbackLine) <= 0)) {
        if (trough !== null) troughs.push(trough);
        touches.push(i);
        trough = null;
      }
    } else if (touches.length > 0) {
      const low = side.adverse(bar);
      trough = trough === null || beyond(side, low, trough) < 0 ? low : trough;
    }
  }
  if (trough !== null && beyond(side, trough, pullbackLine) <= 0) troughs.push(trough);
  return { touches, troughs };
}

function triangleIn(input: PatternInput, side: Side, window: number): DetectedPattern | null {
  const { bars } = input;
  const n = bars.length;
  if (n < window + 1) return null;
  const last = bars[n - 1]!;
  const before = bars.slice(n - 1 - window, n - 1);
  const level = favorableExtreme(side, before);
  const tolerance = TOUCH_TOLERANCE * MOVE_SCALE[input.timeframe];
  const brokeOut = beyond(side, last.close, level) > 0;
  // Forming: the last bar may touch the level but not trade well through it (that moves the level).
  if (!brokeOut && beyond(side, side.favorable(last), level) > level * tolerance) return null;

  const { touches, troughs } = structure(bars, side, level, tolerance, n - 1 - window, brokeOut ? n - 1 : n);
  if (touches.length < MIN_TOUCHES || troughs.length < 2) return null;
  const rising = troughs.every((trough, i) => i === 0 || beyond(side, trough, troughs[i - 1]!) > 0);
  if (!rising) return null;

  const volume = averageVolume(bars, n - 1 - window, n - 1);
  const volumeRatio = volume > 0 ? last.volume / volume : 0;
  if (brokeOut && volumeRatio < BREAKOUT_VOLUME) return null;

  const firstTrough = troughs[0]!;
  const lastTrough = troughs.at(-1)!;
  const height = beyond(side, level, firstTrough);
  const levels = tradeLevels(side, level, stopPast(side, lastTrough), level + side.sign * height);
  if (!levels) return null;
  const rr = rewardRisk(levels);
  const long = side.direction === "long";
  const word = long ? "resistance" : "support";
  const reasons = [
    `flat ${word} ${price(level)} touched ${touches.length} times (within ${percent(tolerance)})`,
    `${long ? "rising lows" : "falling highs"}: ${troughs.map(price).join(" → ")}`,
    brokeOut
      ? `closed ${price(last.close)} ${long ? "above" : "below"} ${word} on ${ratio(volumeRatio)} average volume`
      : `still ${long ? "below" : "above"} ${word}: entry on the break of ${price(level)}`,
  ];
  if (rr < MIN_REWARD_RISK) reasons.push(`measured move gives only ${rr.toFixed(2)} reward:risk`);
  const score =
    (brokeOut ? 0.55 : 0.35) +
    0.05 * Math.min(3, touches.length - MIN_TOUCHES) +
    (brokeOut ? bonus(volumeRatio, BREAKOUT_VOLUME, 0.1, 0.1) : 0) -
    (rr < MIN_REWARD_RISK ? 0.1 : 0);
  return {
    name: brokeOut ? (long ? "breakout" : "breakdown") : long ? "ascending_triangle" : "descending_triangle",
    kind: "chart",
    direction: side.direction,
    confidence: confidence(score),
    ...levels,
    startTime: bars[touches[0]!]!.timestamp,
    endTime: last.timestamp,
    reasons,
  };
}
