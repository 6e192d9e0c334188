/**
 * Bull flag (and its mirror, the bear flag): a strong pole on above-average volume, then a tight
 * pullback that gives back less than half the pole on lighter volume. Entry on the break of the
 * flag's high, stop a tick under the flag's low, target the measured move (entry + pole height).
 * Reported while the flag is still forming (the last bar is in it) or on the bar that breaks it.
 */
import type { Bar } from "../../adapters/broker/broker.ts";
import { stopPast, tradeLevels } from "./levels.ts";
import { averageVolume, bonus, confidence, MOVE_SCALE, percent, price, ratio } from "./series.ts";
import { adverseExtreme, beyond, favorableExtreme, SIDES, type Side } from "./side.ts";
import type { DetectedPattern, PatternInput } from "./types.ts";

/** Pole move on 5-minute bars (scaled by timeframe). */
const MIN_POLE_MOVE = 0.02;
const MIN_POLE_BARS = 2;
const MAX_POLE_BARS = 6;
const MIN_FLAG_BARS = 2;
const MAX_FLAG_BARS = 8;
/** The flag may give back less than this share of the pole. */
const MAX_RETRACE = 0.5;
/** Pole volume vs the bars before it; flag volume vs the pole's. */
const MIN_POLE_VOLUME = 1.2;
const MAX_FLAG_VOLUME = 0.8;
const BASELINE_BARS = 20;
const MIN_BASELINE_BARS = 3;

export function detectFlags(input: PatternInput): DetectedPattern[] {
  return SIDES.flatMap((side) => {
    const best = bestFlag(input, side);
    return best ? [best] : [];
  });
}

function bestFlag(input: PatternInput, side: Side): DetectedPattern | null {
  const n = input.bars.length;
  let best: DetectedPattern | null = null;
  for (const brokeOut of [false, true]) {
    const flagEnd = brokeOut ? n - 2 : n - 1;
    for (let flagBars = MIN_FLAG_BARS; flagBars <= MAX_FLAG_BARS; flagBars++) {
      const flagStart = flagEnd - flagBars + 1;
      if (flagStart - MIN_POLE_BARS < MIN_BASELINE_BARS) break;
      const found = flagAt(input, side, flagStart, flagEnd, brokeOut);
      if (found && (!best || found.confidence > best.confidence)) best = found;
    }
  }
  return best;
}

/** The pole's first bar: the most adverse extreme (long: lowest low) of the bars just before the pole's top. */
function poleStartBefore(bars: readonly Bar[], side: Side, poleEnd: number): number {
  let start = poleEnd - 1;
  for (let i = Math.max(0, poleEnd - MAX_POLE_BARS + 1); i < poleEnd; i++) {
    if (beyond(side, side.adverse(bars[i]!), side.adverse(bars[start]!)) < 0) start = i;
  }
  return start;
}

function flagAt(input: PatternInput, side: Side, flagStart: number, flagEnd: number, brokeOut: boolean): DetectedPattern | null {
  const { bars } = input;
  const poleEnd = flagStart - 1;
  const poleStart = poleStartBefore(bars, side, poleEnd);
  const pole = bars.slice(poleStart, poleEnd + 1);
  const flag = bars.slice(flagStart, flagEnd + 1);
  const poleTop = side.favorable(bars[poleEnd]!);
  const poleBase = side.adverse(bars[poleStart]!);
  const height = beyond(side, poleTop, poleBase);
  // The pole's last bar must be its extreme, and the flag must stay under it (a pullback, not a new push).
  if (favorableExtreme(side, [...pole, ...flag]) !== poleTop) return null;
  const move = height / poleBase;
  if (!(height > 0) || move < MIN_POLE_MOVE * MOVE_SCALE[input.timeframe]) return null;
  // A strong pole closes near its top: the closes cover most of the move.
  if (beyond(side, bars[poleEnd]!.close, bars[poleStart]!.open) < 0.5 * height) return null;

  const flagBreak = favorableExtreme(side, flag);
  const flagFloor = adverseExtreme(side, flag);
  const retrace = beyond(side, poleTop, flagFloor) / height;
  if (retrace >= MAX_RETRACE) return null;

  if (poleStart < MIN_BASELINE_BARS) return null;
  const baseline = averageVolume(bars, poleStart - BASELINE_BARS, poleStart);
  const poleVolume = averageVolume(bars, poleStart, poleEnd + 1);
  const flagVolume = averageVolume(bars, flagStart, flagEnd + 1);
  if (!(baseline > 0) || poleVolume < MIN_POLE_VOLUME * baseline) return null;
  if (flagVolume >= MAX_FLAG_VOLUME * poleVolume) return null;

  const last = bars.at(-1)!;
  const breakVolume = flagVolume > 0 ? last.volume / flagVolume : 0;
  if (brokeOut && beyond(side, last.close, flagBreak) <= 0) return null;

  const levels = tradeLevels(side, flagBreak, stopPast(side, flagFloor), flagBreak + side.sign * height);
  if (!levels) return null;
  const long = side.direction === "long";
  const reasons = [
    `pole ${long ? "+" : "−"}${percent(move)} over ${pole.length} bars on ${ratio(poleVolume / baseline)} the volume before it`,
    `flag of ${flag.length} bars gave back ${percent(retrace)} of the pole on ${ratio(flagVolume / poleVolume)} the pole's volume`,
    brokeOut
      ? `closed ${long ? "above the flag high" : "below the flag low"} ${price(flagBreak)} on ${ratio(breakVolume)} the flag's volume`
      : `entry on a break ${long ? "above the flag high" : "below the flag low"} ${price(flagBreak)}; target is the pole's height`,
  ];
  const score =
    (brokeOut ? 0.55 : 0.45) +
    bonus(poleVolume / baseline, MIN_POLE_VOLUME, 0.1, 0.15) +
    (retrace < 0.382 ? 0.1 : 0) +
    (flagVolume < 0.6 * poleVolume ? 0.05 : 0) +
    (brokeOut ? (breakVolume >= 1.5 ? 0.1 : breakVolume < 1 ? -0.1 : 0) : 0);
  return {
    name: long ? "bull_flag" : "bear_flag",
    kind: "chart",
    direction: side.direction,
    confidence: confidence(score),
    ...levels,
    startTime: bars[poleStart]!.timestamp,
    endTime: last.timestamp,
    reasons,
  };
}
