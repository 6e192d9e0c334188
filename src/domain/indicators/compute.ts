/**
 * The indicator set of a bar series (oldest first), computed with `technicalindicators`. Pure and
 * deterministic. A value that needs more bars than given is null, never estimated.
 */
import { ADX, ATR, BollingerBands, EMA, MACD, OBV, RSI, SMA, Stochastic } from "technicalindicators";
import { finiteOrNull, toSeries, type OhlcvBar } from "./bars.ts";
import { anchoredVwap, relativeVolume, type VwapAnchor } from "./volume.ts";

/**
 * Bars below which no indicator set is computed: MACD(12,26,9)'s signal line needs 26 + 9 − 1,
 * the longest of the core set (ADX 14 needs 28, Bollinger 20, Stochastic 14/3 16, RSI 14 15).
 * EMA50/EMA200/SMA50 may still be null above it.
 */
export const INDICATOR_MIN_BARS = 34;

export interface IndicatorSet {
  /** Wilder's RSI as technicalindicators gives it: rounded to 2 decimals. */
  rsi14: number | null;
  macd: { macd: number; signal: number; histogram: number } | null;
  ema9: number | null;
  ema20: number | null;
  ema50: number | null;
  ema200: number | null;
  sma20: number | null;
  sma50: number | null;
  vwap: number | null;
  atr14: number | null;
  bb: { upper: number; middle: number; lower: number } | null;
  stoch: { k: number; d: number } | null;
  adx14: number | null;
  obv: number | null;
  relVolume: number | null;
}

export type IndicatorComputation =
  | { kind: "ok"; indicators: IndicatorSet }
  | { kind: "insufficient_bars"; needed: number; given: number };

export interface IndicatorOptions {
  /** Default "session" (intraday bars); "window" for daily bars. */
  vwapAnchor?: VwapAnchor;
}

const lastOf = <T>(values: readonly T[]): T | undefined => values.at(-1);

/** An object of numbers only when every one of them is finite. */
function allFinite<T extends Record<string, number | undefined>>(value: T | undefined): { [K in keyof T]: number } | null {
  if (!value) return null;
  return Object.values(value).every((v) => finiteOrNull(v) !== null) ? (value as { [K in keyof T]: number }) : null;
}

export function computeIndicators(bars: readonly OhlcvBar[], options: IndicatorOptions = {}): IndicatorComputation {
  if (bars.length < INDICATOR_MIN_BARS) return { kind: "insufficient_bars", needed: INDICATOR_MIN_BARS, given: bars.length };
  const { high, low, close, volume } = toSeries(bars);
  const ema = (period: number) => finiteOrNull(lastOf(EMA.calculate({ period, values: close })));
  // SMA, Bollinger and Stochastic depend only on their last window: computing on it alone gives
  // the same last value at a fraction of the cost. EMA-based measures need the whole series.
  const sma = (period: number) => finiteOrNull(lastOf(SMA.calculate({ period, values: close.slice(-period) })));
  // SimpleMA… false: the standard MACD, EMAs for the oscillator and the signal line.
  const macd = lastOf(MACD.calculate({ values: close, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }));
  const bb = lastOf(BollingerBands.calculate({ period: 20, stdDev: 2, values: close.slice(-20) }));
  const stochWindow = -(14 + 3 - 1);
  const stoch = lastOf(Stochastic.calculate({ period: 14, signalPeriod: 3, high: high.slice(stochWindow), low: low.slice(stochWindow), close: close.slice(stochWindow) }));
  return {
    kind: "ok",
    indicators: {
      rsi14: finiteOrNull(lastOf(RSI.calculate({ period: 14, values: close }))),
      macd: allFinite(macd && { macd: macd.MACD, signal: macd.signal, histogram: macd.histogram }),
      ema9: ema(9),
      ema20: ema(20),
      ema50: ema(50),
      ema200: ema(200),
      sma20: sma(20),
      sma50: sma(50),
      vwap: anchoredVwap(bars, options.vwapAnchor ?? "session"),
      atr14: finiteOrNull(lastOf(ATR.calculate({ period: 14, high, low, close }))),
      bb: allFinite(bb && { upper: bb.upper, middle: bb.middle, lower: bb.lower }),
      stoch: allFinite(stoch && { k: stoch.k, d: stoch.d }),
      adx14: finiteOrNull(lastOf(ADX.calculate({ period: 14, high, low, close }))?.adx),
      obv: finiteOrNull(lastOf(OBV.calculate({ close, volume }))),
      relVolume: relativeVolume(volume),
    },
  };
}
