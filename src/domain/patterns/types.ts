/** What the pattern detectors read and what they report. Pure data: no I/O anywhere in this folder. */
import type { Bar, Timeframe } from "../../adapters/broker/broker.ts";

export type Direction = "long" | "short";
export type PatternKind = "chart" | "candlestick";

export interface PatternInput {
  /** Oldest first; intraday timeframes carry regular-session bars only. */
  bars: readonly Bar[];
  timeframe: Timeframe;
  /** The close of the session before the last bar's session (gaps are measured from it); null if unknown. */
  prevClose: number | null;
}

/**
 * A detected setup. Prices are suggestions on the tick grid: long has stop < entry < target,
 * short the reverse. startTime/endTime are the timestamps of the pattern's first and last bar.
 */
export interface DetectedPattern {
  name: string;
  kind: PatternKind;
  direction: Direction;
  /** 0..1, two decimals. */
  confidence: number;
  entry: number;
  stop: number;
  target: number;
  startTime: string;
  endTime: string;
  /** The evidence, in plain sentences. */
  reasons: string[];
}

export type Detector = (input: PatternInput) => DetectedPattern[];
