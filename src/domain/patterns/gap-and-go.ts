/**
 * Gap-and-go (and gap-down-and-go, short): the session opened at least 4% away from the previous
 * close, the gap has not been filled, price still holds beyond the open, and the opening range
 * (first 15 minutes) traded on heavy volume compared with earlier sessions' opening ranges. Entry
 * on the break of the opening-range high, stop a tick under its low, target 2R. The input holds
 * regular-session bars only, so the pre-market high is not seen: the opening range stands in.
 * Intraday timeframes of 15 minutes or less only.
 */
import type { Bar } from "../../adapters/broker/broker.ts";
import { etMinutesOfDay } from "../exchange-calendar.ts";
import { stopPast, targetAtR, tradeLevels } from "./levels.ts";
import { bonus, confidence, mean, percent, price, ratio, sessionStartIndex, TIMEFRAME_MINUTES } from "./series.ts";
import { adverseExtreme, beyond, favorableExtreme, LONG, SHORT } from "./side.ts";
import type { DetectedPattern, PatternInput } from "./types.ts";

const MIN_GAP = 0.04;
const OPENING_RANGE_MINUTES = 15;
const REGULAR_OPEN_MINUTE = 9 * 60 + 30;
const MIN_RELATIVE_VOLUME = 1.5;
const REWARD_RISK = 2;
/** Without earlier sessions to compare volume with, the setup is shown but held to this. */
const UNCONFIRMED_VOLUME_CAP = 0.4;

function minuteOf(bar: Bar): number {
  return etMinutesOfDay(Date.parse(bar.timestamp));
}

function inOpeningRange(bar: Bar): boolean {
  const minute = minuteOf(bar);
  return minute >= REGULAR_OPEN_MINUTE && minute < REGULAR_OPEN_MINUTE + OPENING_RANGE_MINUTES;
}

export function detectGapAndGo(input: PatternInput): DetectedPattern[] {
  const { bars, prevClose } = input;
  const minutes = TIMEFRAME_MINUTES[input.timeframe];
  if (minutes > OPENING_RANGE_MINUTES || prevClose === null || !(prevClose > 0)) return [];
  const start = sessionStartIndex(bars);
  const first = bars[start];
  // The session's first bar must be the opening bar, or the open is not known.
  if (!first || minuteOf(first) !== REGULAR_OPEN_MINUTE) return [];
  const rangeBars = OPENING_RANGE_MINUTES / minutes;
  const session = bars.slice(start);
  if (session.length <= rangeBars) return [];

  const gap = (first.open - prevClose) / prevClose;
  if (Math.abs(gap) < MIN_GAP) return [];
  const side = gap > 0 ? LONG : SHORT;
  const long = side === LONG;
  const last = session.at(-1)!;
  // Unfilled gap (never traded back to the previous close) and still holding beyond the open.
  if (beyond(side, adverseExtreme(side, session), prevClose) <= 0) return [];
  if (beyond(side, last.close, first.open) <= 0) return [];

  const range = session.slice(0, rangeBars);
  const rangeHigh = favorableExtreme(side, range);
  const rangeLow = adverseExtreme(side, range);
  const earlierRanges = bars.slice(0, start).filter(inOpeningRange);
  const relativeVolume = earlierRanges.length > 0 ? mean(range.map((b) => b.volume)) / mean(earlierRanges.map((b) => b.volume)) : null;
  if (relativeVolume !== null && relativeVolume < MIN_RELATIVE_VOLUME) return [];

  const stop = stopPast(side, rangeLow);
  const levels = tradeLevels(side, rangeHigh, stop, targetAtR(rangeHigh, stop, REWARD_RISK));
  if (!levels) return [];
  const broke = beyond(side, last.close, rangeHigh) > 0;
  const edge = long ? "high" : "low";
  const reasons = [
    `opened ${price(first.open)}, gapping ${long ? "up" : "down"} ${percent(Math.abs(gap))} from the previous close ${price(prevClose)}; gap unfilled`,
    `holding ${long ? "above" : "below"} the open: last close ${price(last.close)}`,
    relativeVolume === null
      ? "no earlier session in the bars to compare the opening volume with"
      : `opening range traded ${ratio(relativeVolume)} the volume of earlier opening ranges`,
    broke
      ? `broke the opening-range ${edge} ${price(rangeHigh)}`
      : `entry on a break of the opening-range ${edge} ${price(rangeHigh)}`,
  ];
  const score =
    0.5 +
    bonus(Math.abs(gap), MIN_GAP, 2, 0.15) +
    (relativeVolume === null ? 0 : bonus(relativeVolume, MIN_RELATIVE_VOLUME, 0.1, 0.15)) +
    (broke ? 0.05 : 0);
  return [
    {
      name: long ? "gap_and_go" : "gap_down_and_go",
      kind: "chart",
      direction: side.direction,
      confidence: confidence(score, 0.05, relativeVolume === null ? UNCONFIRMED_VOLUME_CAP : 0.95),
      ...levels,
      startTime: first.timestamp,
      endTime: last.timestamp,
      reasons,
    },
  ];
}
