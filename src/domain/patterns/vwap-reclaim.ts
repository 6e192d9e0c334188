/**
 * VWAP reclaim (long) and its mirror, VWAP breakdown (short). Price closed on the wrong side of the
 * session VWAP for at least three bars in a row, then the last bar closes back across it on more
 * volume than the stretch averaged. Entry at that close, stop a tick past the stretch's extreme
 * (long: its lowest low), target 2R. Session VWAP is cumulative from the open: Σ(bar VWAP × volume)
 * / Σ volume. Intraday timeframes only.
 */
import type { Bar } from "../../adapters/broker/broker.ts";
import { stopPast, targetAtR, tradeLevels } from "./levels.ts";
import { averageVolume, bonus, confidence, price, ratio, sessionStartIndex } from "./series.ts";
import { adverseExtreme, beyond, SIDES, type Side } from "./side.ts";
import type { DetectedPattern, PatternInput } from "./types.ts";

const MIN_STRETCH_BARS = 3;
const MIN_VOLUME_RATIO = 1.2;
const REWARD_RISK = 2;

/** Session VWAP after each bar (a bar without its own VWAP counts at its typical price). */
function sessionVwap(session: readonly Bar[]): number[] {
  let notional = 0;
  let volume = 0;
  return session.map((bar) => {
    const typical = (bar.high + bar.low + bar.close) / 3;
    notional += (bar.vwap > 0 ? bar.vwap : typical) * bar.volume;
    volume += bar.volume;
    return volume > 0 ? notional / volume : typical;
  });
}

export function detectVwapReclaim(input: PatternInput): DetectedPattern[] {
  if (input.timeframe === "1Day") return [];
  const session = input.bars.slice(sessionStartIndex(input.bars));
  if (session.length < MIN_STRETCH_BARS + 1) return [];
  const vwap = sessionVwap(session);
  return SIDES.flatMap((side) => {
    const found = reclaim(session, vwap, side);
    return found ? [found] : [];
  });
}

function reclaim(session: readonly Bar[], vwap: readonly number[], side: Side): DetectedPattern | null {
  const lastIndex = session.length - 1;
  const last = session[lastIndex]!;
  if (beyond(side, last.close, vwap[lastIndex]!) <= 0) return null;
  let stretchStart = lastIndex;
  while (stretchStart > 0 && beyond(side, session[stretchStart - 1]!.close, vwap[stretchStart - 1]!) < 0) stretchStart--;
  const stretch = lastIndex - stretchStart;
  if (stretch < MIN_STRETCH_BARS) return null;

  const volumeRatio = last.volume / averageVolume(session, stretchStart, lastIndex);
  if (!(volumeRatio >= MIN_VOLUME_RATIO)) return null;

  const stop = stopPast(side, adverseExtreme(side, session.slice(stretchStart)));
  const levels = tradeLevels(side, last.close, stop, targetAtR(last.close, stop, REWARD_RISK));
  if (!levels) return null;
  const long = side.direction === "long";
  const reasons = [
    `closed ${long ? "below" : "above"} session VWAP for ${stretch} bars`,
    `then closed ${price(last.close)} ${long ? "above" : "below"} VWAP ${price(vwap[lastIndex]!)} on ${ratio(volumeRatio)} the stretch's volume`,
    `stop past the stretch's ${long ? "low" : "high"}; target 2R`,
  ];
  const score = 0.45 + bonus(stretch, MIN_STRETCH_BARS, 0.02, 0.1) + bonus(volumeRatio, MIN_VOLUME_RATIO, 0.1, 0.15);
  return {
    name: long ? "vwap_reclaim" : "vwap_breakdown",
    kind: "chart",
    direction: side.direction,
    confidence: confidence(score),
    ...levels,
    startTime: session[stretchStart]!.timestamp,
    endTime: last.timestamp,
    reasons,
  };
}
