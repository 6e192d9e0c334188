/**
 * Candlestick patterns through `technicalindicators`, each completed at the last bar. Its functions
 * only say yes or no; direction, levels and confidence are ours. Entry is a break of the pattern's
 * range (long: its high), stop a tick past the other side, target 2R. Confidence stays modest
 * (0.3–0.6): a base per pattern, nudged by the last bar's relative volume and by the trend before
 * the pattern (a reversal needs something to reverse).
 *
 * Quirks of the library, and what is done about them:
 * - hammer/hanging man/shooting star/tweezers judge the prior trend by comparing two one-element
 *   arrays with `>`, which compares them as strings ("10.5" < "9"); prices are therefore scaled
 *   so the last close is 1 before the library sees them (every rule is scale-free).
 * - doji also fires on a bar with no range at all (open = high = low = close): such bars are skipped.
 *   A doji has no direction of its own; it is reported against the prior trend, and not at all without one.
 * - downsidetasukigap is grouped with the bullish patterns by the library, but it is a bearish
 *   continuation: it is reported short.
 * - abandonedbaby only recognises the bullish form.
 * - Not reported alone: the four hammer "stick" shapes (colour-only building blocks of hammer,
 *   hanging man and shooting star, which add the trend that gives them a direction), the spinning
 *   tops (indecision with no direction; the bearish one measures its lower shadow as the whole
 *   range) and the `bullish`/`bearish` catch-alls.
 */
import {
  abandonedbaby,
  bearishengulfingpattern,
  bearishharami,
  bearishharamicross,
  bearishmarubozu,
  bullishengulfingpattern,
  bullishharami,
  bullishharamicross,
  bullishmarubozu,
  darkcloudcover,
  doji,
  downsidetasukigap,
  dragonflydoji,
  eveningdojistar,
  eveningstar,
  gravestonedoji,
  hammerpattern,
  hammerpatternunconfirmed,
  hangingman,
  hangingmanunconfirmed,
  morningdojistar,
  morningstar,
  piercingline,
  shootingstar,
  shootingstarunconfirmed,
  threeblackcrows,
  threewhitesoldiers,
  tweezerbottom,
  tweezertop,
} from "technicalindicators";
import type { Bar } from "../../adapters/broker/broker.ts";
import { stopPast, targetAtR, tradeLevels } from "./levels.ts";
import { averageVolume, confidence, MOVE_SCALE, percent, price, ratio } from "./series.ts";
import { adverseExtreme, favorableExtreme, LONG, SHORT, type Side } from "./side.ts";
import type { DetectedPattern, Direction, PatternInput } from "./types.ts";

interface Ohlc {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}

interface CandleSpec {
  name: string;
  find: (data: Ohlc) => unknown;
  /** null: no direction of its own (taken against the prior trend). */
  direction: Direction | null;
  /** Bars the library reads (its requiredCount): trend bars included. */
  window: number;
  /** Bars that form the candles themselves, counted back from the last: their range sets the levels. */
  span: number;
  role: "reversal" | "continuation";
  base: number;
}

export const CANDLE_SPECS: readonly CandleSpec[] = [
  { name: "bullish_engulfing", find: bullishengulfingpattern, direction: "long", window: 2, span: 2, role: "reversal", base: 0.45 },
  { name: "bearish_engulfing", find: bearishengulfingpattern, direction: "short", window: 2, span: 2, role: "reversal", base: 0.45 },
  { name: "bullish_harami", find: bullishharami, direction: "long", window: 2, span: 2, role: "reversal", base: 0.35 },
  { name: "bearish_harami", find: bearishharami, direction: "short", window: 2, span: 2, role: "reversal", base: 0.35 },
  { name: "bullish_harami_cross", find: bullishharamicross, direction: "long", window: 2, span: 2, role: "reversal", base: 0.4 },
  { name: "bearish_harami_cross", find: bearishharamicross, direction: "short", window: 2, span: 2, role: "reversal", base: 0.4 },
  { name: "piercing_line", find: piercingline, direction: "long", window: 2, span: 2, role: "reversal", base: 0.45 },
  { name: "dark_cloud_cover", find: darkcloudcover, direction: "short", window: 2, span: 2, role: "reversal", base: 0.45 },
  { name: "morning_star", find: morningstar, direction: "long", window: 3, span: 3, role: "reversal", base: 0.5 },
  { name: "morning_doji_star", find: morningdojistar, direction: "long", window: 3, span: 3, role: "reversal", base: 0.5 },
  { name: "evening_star", find: eveningstar, direction: "short", window: 3, span: 3, role: "reversal", base: 0.5 },
  { name: "evening_doji_star", find: eveningdojistar, direction: "short", window: 3, span: 3, role: "reversal", base: 0.5 },
  { name: "abandoned_baby", find: abandonedbaby, direction: "long", window: 3, span: 3, role: "reversal", base: 0.5 },
  { name: "three_white_soldiers", find: threewhitesoldiers, direction: "long", window: 3, span: 3, role: "continuation", base: 0.5 },
  { name: "three_black_crows", find: threeblackcrows, direction: "short", window: 3, span: 3, role: "continuation", base: 0.5 },
  { name: "downside_tasuki_gap", find: downsidetasukigap, direction: "short", window: 3, span: 3, role: "continuation", base: 0.4 },
  { name: "hammer", find: hammerpattern, direction: "long", window: 5, span: 2, role: "reversal", base: 0.5 },
  { name: "hammer_unconfirmed", find: hammerpatternunconfirmed, direction: "long", window: 5, span: 1, role: "reversal", base: 0.35 },
  { name: "hanging_man", find: hangingman, direction: "short", window: 5, span: 2, role: "reversal", base: 0.45 },
  { name: "hanging_man_unconfirmed", find: hangingmanunconfirmed, direction: "short", window: 5, span: 1, role: "reversal", base: 0.35 },
  { name: "shooting_star", find: shootingstar, direction: "short", window: 5, span: 2, role: "reversal", base: 0.45 },
  { name: "shooting_star_unconfirmed", find: shootingstarunconfirmed, direction: "short", window: 5, span: 1, role: "reversal", base: 0.35 },
  { name: "tweezer_bottom", find: tweezerbottom, direction: "long", window: 5, span: 2, role: "reversal", base: 0.4 },
  { name: "tweezer_top", find: tweezertop, direction: "short", window: 5, span: 2, role: "reversal", base: 0.4 },
  { name: "dragonfly_doji", find: dragonflydoji, direction: "long", window: 1, span: 1, role: "reversal", base: 0.35 },
  { name: "gravestone_doji", find: gravestonedoji, direction: "short", window: 1, span: 1, role: "reversal", base: 0.35 },
  { name: "doji", find: doji, direction: null, window: 1, span: 1, role: "reversal", base: 0.3 },
  { name: "bullish_marubozu", find: bullishmarubozu, direction: "long", window: 1, span: 1, role: "continuation", base: 0.35 },
  { name: "bearish_marubozu", find: bearishmarubozu, direction: "short", window: 1, span: 1, role: "continuation", base: 0.35 },
];

const TREND_BARS = 10;
/** A net move smaller than this (5-minute bars; scaled by timeframe) is no trend. */
const MIN_TREND_MOVE = 0.005;
const VOLUME_BARS = 20;
const REWARD_RISK = 2;
const MIN_CONFIDENCE = 0.3;
const MAX_CONFIDENCE = 0.6;

/** The last `count` bars as the library wants them, scaled so the last close is 1 (see the quirks above). */
function ohlc(bars: readonly Bar[], count: number): Ohlc {
  const tail = bars.slice(-count);
  const scale = tail.at(-1)!.close;
  return {
    open: tail.map((bar) => bar.open / scale),
    high: tail.map((bar) => bar.high / scale),
    low: tail.map((bar) => bar.low / scale),
    close: tail.map((bar) => bar.close / scale),
  };
}

/** +1, −1 or 0: the net close-to-close move over the trend bars before bars[end]. */
function priorTrend(input: PatternInput, end: number): -1 | 0 | 1 {
  if (end < TREND_BARS) return 0;
  const from = input.bars[end - TREND_BARS]!;
  const to = input.bars[end - 1]!;
  const move = (to.close - from.close) / from.close;
  if (Math.abs(move) < MIN_TREND_MOVE * MOVE_SCALE[input.timeframe]) return 0;
  return move > 0 ? 1 : -1;
}

export function detectCandlesticks(input: PatternInput): DetectedPattern[] {
  const { bars } = input;
  const last = bars.at(-1);
  if (!last || !(last.close > 0)) return [];
  const relativeVolume = bars.length > VOLUME_BARS ? last.volume / averageVolume(bars, bars.length - 1 - VOLUME_BARS, bars.length - 1) : null;
  const found: DetectedPattern[] = [];
  for (const spec of CANDLE_SPECS) {
    if (bars.length < spec.window) continue;
    const candles = bars.slice(-spec.span);
    if (candles.some((bar) => bar.high === bar.low)) continue;
    if (!spec.find(ohlc(bars, spec.window))) continue;
    const trend = priorTrend(input, bars.length - spec.span);
    const direction = spec.direction ?? (trend > 0 ? "short" : trend < 0 ? "long" : null);
    if (direction === null) continue;
    const pattern = candlestick(spec, direction === "long" ? LONG : SHORT, candles, trend, relativeVolume);
    if (pattern) found.push(pattern);
  }
  return found;
}

function candlestick(spec: CandleSpec, side: Side, candles: readonly Bar[], trend: number, relativeVolume: number | null): DetectedPattern | null {
  const entry = favorableExtreme(side, candles);
  const stop = stopPast(side, adverseExtreme(side, candles));
  const levels = tradeLevels(side, entry, stop, targetAtR(entry, stop, REWARD_RISK));
  if (!levels) return null;
  // A reversal wants the trend it reverses; a continuation the trend it continues.
  const wanted = spec.role === "reversal" ? -side.sign : side.sign;
  const trendFit = trend === 0 ? 0 : trend === wanted ? 0.05 : -0.05;
  const volumeFit = relativeVolume === null ? 0 : relativeVolume >= 1.5 ? 0.1 : relativeVolume < 0.75 ? -0.05 : 0;
  const long = side.direction === "long";
  const trendWord = trend === 0 ? "no clear trend" : trend > 0 ? "an up-move" : "a down-move";
  const reasons = [
    `${spec.name.replaceAll("_", " ")} on the last ${candles.length === 1 ? "bar" : `${candles.length} bars`} (${spec.role}) after ${trendWord}`,
    relativeVolume === null ? "too few bars to judge the volume" : `last bar traded ${ratio(relativeVolume)} the average volume`,
    `entry on a break ${long ? "above" : "below"} ${price(levels.entry)}, stop past the pattern's ${long ? "low" : "high"}; target 2R (${percent(Math.abs(levels.target - levels.entry) / levels.entry)})`,
  ];
  return {
    name: spec.name,
    kind: "candlestick",
    direction: side.direction,
    confidence: confidence(spec.base + trendFit + volumeFit, MIN_CONFIDENCE, MAX_CONFIDENCE),
    ...levels,
    startTime: candles[0]!.timestamp,
    endTime: candles.at(-1)!.timestamp,
    reasons,
  };
}
