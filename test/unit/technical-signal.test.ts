/** The technical signal on constructed indicator sets: votes, direction, score, reasons, symmetry. */
import { describe, expect, test } from "bun:test";
import type { IndicatorSet } from "../../src/domain/indicators/compute.ts";
import { MAX_NET_POINTS } from "../../src/domain/indicators/signal-rules.ts";
import { DIRECTION_THRESHOLD, TECHNICAL_SIGNAL_VERSION, technicalSignal } from "../../src/domain/indicators/signal.ts";

/** Nothing fires: mid-range oscillators, price on its averages, flat EMAs, no trend, ordinary volume. */
const QUIET: IndicatorSet = {
  rsi14: 50,
  macd: { macd: 0.1, signal: 0.1, histogram: 0 },
  ema9: 100,
  ema20: 100,
  ema50: 100,
  ema200: 100,
  sma20: 100,
  sma50: 100,
  vwap: 100,
  atr14: 1.2,
  bb: { upper: 105, middle: 100, lower: 95 },
  stoch: { k: 50, d: 50 },
  adx14: 15,
  obv: 0,
  relVolume: 1,
};

/** Oversold below the lower band in a strong downtrend, on heavy volume. */
const OVERSOLD: IndicatorSet = {
  ...QUIET,
  rsi14: 28.4,
  macd: { macd: 0.25, signal: 0.1, histogram: 0.15 },
  ema9: 97,
  ema20: 98.5,
  ema50: 99.25,
  sma20: 100,
  bb: { upper: 105, middle: 100, lower: 95 },
  stoch: { k: 12, d: 15 },
  adx14: 30,
  relVolume: 2.1,
};
const OVERSOLD_CLOSE = 94.5;

/** A clean uptrend: momentum, price above its averages, stacked EMAs, strong ADX, heavy volume. */
const UPTREND: IndicatorSet = {
  ...QUIET,
  rsi14: 62,
  macd: { macd: 0.4, signal: 0.3, histogram: 0.1 },
  ema9: 102.5,
  ema20: 101,
  ema50: 99,
  sma20: 101.2,
  stoch: { k: 70, d: 65 },
  adx14: 32.5,
  relVolume: 1.8,
};
const UPTREND_CLOSE = 103;

/** The same market upside down: prices reflected around 100, oscillators around their middles. */
function mirrored(set: IndicatorSet, close: number): [IndicatorSet, number] {
  const price = (p: number | null) => (p === null ? null : 200 - p);
  return [
    {
      ...set,
      rsi14: set.rsi14 === null ? null : 100 - set.rsi14,
      macd: set.macd && { macd: -set.macd.macd, signal: -set.macd.signal, histogram: -set.macd.histogram },
      ema9: price(set.ema9),
      ema20: price(set.ema20),
      ema50: price(set.ema50),
      ema200: price(set.ema200),
      sma20: price(set.sma20),
      sma50: price(set.sma50),
      vwap: price(set.vwap),
      bb: set.bb && { upper: 200 - set.bb.lower, middle: 200 - set.bb.middle, lower: 200 - set.bb.upper },
      stoch: set.stoch && { k: 100 - set.stoch.k, d: 100 - set.stoch.d },
      obv: set.obv === null ? null : -set.obv,
    },
    200 - close,
  ];
}

/** The signed points of each vote line, e.g. "(+20 long)" → 20. */
const votesOf = (reasons: string[]) =>
  reasons.flatMap((reason) => {
    const match = /\(([+-]\d+) (?:long|short)\)$/.exec(reason);
    return match ? [Number(match[1])] : [];
  });

describe("technicalSignal", () => {
  test("nothing fires: neutral, score 0, only the sum as reason", () => {
    expect(technicalSignal(QUIET, 100)).toEqual({ score: 0, direction: "neutral", reasons: ["net 0 of ±95: neutral (a side needs ±20)"] });
  });

  test("oversold below the band: long despite the downtrend; each reason names the rule, the values and the points", () => {
    const signal = technicalSignal(OVERSOLD, OVERSOLD_CLOSE);
    // +20 RSI +15 MACD +15 band −10 SMA20 −10 EMAs +10 stochastic −10 ADX (with the trend) +5 volume (with the net).
    expect(signal.reasons).toEqual([
      "RSI 28.4 < 30: oversold (+20 long)",
      "MACD 0.25 > signal 0.1: bullish momentum (+15 long)",
      "price 94.5 < lower band 95: stretched down (+15 long)",
      "price 94.5 < SMA20 100: below its average (-10 short)",
      "EMA9 97 < EMA20 98.5 < EMA50 99.25: downtrend (-10 short)",
      "stochastic %K 12 < 20: oversold (+10 long)",
      "ADX 30 ≥ 25: strong trend confirms the short trend (-10 short)",
      "relative volume 2.1 ≥ 1.5: confirms the long case (+5 long)",
      "net +35 of ±95: long (a side needs ±20)",
    ]);
    expect(signal.direction).toBe("long");
    expect(signal.score).toBe(Math.round((35 / 95) * 100));
  });

  test("a clean uptrend: trend votes, ADX and volume confirm", () => {
    const signal = technicalSignal(UPTREND, UPTREND_CLOSE);
    expect(signal.reasons).toEqual([
      "MACD 0.4 > signal 0.3: bullish momentum (+15 long)",
      "price 103 > SMA20 101.2: above its average (+10 long)",
      "EMA9 102.5 > EMA20 101 > EMA50 99: uptrend (+10 long)",
      "ADX 32.5 ≥ 25: strong trend confirms the long trend (+10 long)",
      "relative volume 1.8 ≥ 1.5: confirms the long case (+5 long)",
      "net +50 of ±95: long (a side needs ±20)",
    ]);
    expect(signal).toMatchObject({ direction: "long", score: 53 });
  });

  test("symmetric: the mirrored market is short with the same score and mirrored reasons", () => {
    for (const [set, close] of [
      [OVERSOLD, OVERSOLD_CLOSE],
      [UPTREND, UPTREND_CLOSE],
    ] as const) {
      const bullish = technicalSignal(set, close);
      const bearish = technicalSignal(...mirrored(set, close));
      expect(bearish.direction).toBe("short");
      expect(bearish.score).toBe(bullish.score);
      expect(bearish.reasons.length).toBe(bullish.reasons.length);
      expect(votesOf(bearish.reasons)).toEqual(votesOf(bullish.reasons).map((points) => -points));
    }
    expect(technicalSignal(...mirrored(UPTREND, UPTREND_CLOSE)).reasons[0]).toBe("MACD -0.4 < signal -0.3: bearish momentum (-15 short)");
  });

  test(`a side needs a net of ±${DIRECTION_THRESHOLD}: one MACD vote (+15) stays neutral, one RSI vote (+20) picks it`, () => {
    const macdOnly = technicalSignal({ ...QUIET, macd: { macd: 0.2, signal: 0.1, histogram: 0.1 } }, 100);
    expect(macdOnly).toMatchObject({ direction: "neutral", score: Math.round((15 / MAX_NET_POINTS) * 100) });
    const rsiOnly = technicalSignal({ ...QUIET, rsi14: 29 }, 100);
    expect(rsiOnly).toMatchObject({ direction: "long", score: Math.round((20 / MAX_NET_POINTS) * 100) });
    expect(technicalSignal(...mirrored({ ...QUIET, rsi14: 29 }, 100)).direction).toBe("short");
  });

  test("confirmations need something to confirm: ADX without trend votes and volume without a net add nothing", () => {
    const signal = technicalSignal({ ...QUIET, adx14: 40, relVolume: 3 }, 100);
    expect(signal).toEqual({ score: 0, direction: "neutral", reasons: ["net 0 of ±95: neutral (a side needs ±20)"] });
  });

  test("overbought everything is short; the score tops out at 100 only when every rule agrees", () => {
    const all = technicalSignal(...mirrored({ ...OVERSOLD, ema9: 101, ema20: 100.5, ema50: 100.2, sma20: 94 }, OVERSOLD_CLOSE));
    expect(all.direction).toBe("short");
    expect(all.score).toBe(100);
  });

  test("null indicators cast no vote; EMAs compare over EMA9 and EMA20 when EMA50 is unknown", () => {
    const sparse: IndicatorSet = { ...QUIET, rsi14: null, macd: null, bb: null, stoch: null, adx14: null, relVolume: null, sma20: null, ema50: null, ema9: 101, ema20: 100 };
    expect(technicalSignal(sparse, 100).reasons).toEqual(["EMA9 101 > EMA20 100: uptrend (+10 long)", "net +10 of ±95: neutral (a side needs ±20)"]);
  });

  test("deterministic and versioned", () => {
    expect(technicalSignal(OVERSOLD, OVERSOLD_CLOSE)).toEqual(technicalSignal(structuredClone(OVERSOLD), OVERSOLD_CLOSE));
    expect(TECHNICAL_SIGNAL_VERSION).toMatch(/\S/);
  });
});
