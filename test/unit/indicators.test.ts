/**
 * The indicator set against an independent library (trading-signals) on a seeded random walk,
 * and by hand where neither library has the measure (session VWAP, relative volume) or it is
 * simple enough to add up (OBV).
 */
import { describe, expect, test } from "bun:test";
import { BollingerBands, EMA, MACD, RSI, SMA, StochasticOscillator, TR, WSMA } from "trading-signals";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import type { OhlcvBar } from "../../src/domain/indicators/bars.ts";
import { computeIndicators, INDICATOR_MIN_BARS, type IndicatorSet } from "../../src/domain/indicators/compute.ts";
import { Rng } from "../../src/services/venue/market/rng.ts";

const FIVE_MINUTES = 5 * 60_000;

/** A seeded OHLCV random walk of 5-minute bars from 09:30 ET on 2026-03-02 (timestamps only matter to VWAP). */
function randomWalk(count: number, seed = 42): OhlcvBar[] {
  const rng = new Rng(seed);
  const start = etInstant("2026-03-02", "09:30");
  const bars: OhlcvBar[] = [];
  let close = 50;
  for (let i = 0; i < count; i++) {
    const open = close;
    close = Math.max(1, open * (1 + rng.roughNormal() * 0.004));
    const high = Math.max(open, close) * (1 + rng.next() * 0.003);
    const low = Math.min(open, close) * (1 - rng.next() * 0.003);
    bars.push({ timestamp: new Date(start + i * FIVE_MINUTES).toISOString(), open, high, low, close, volume: 1_000 + Math.floor(rng.next() * 9_000) });
  }
  return bars;
}

function indicatorsOf(bars: OhlcvBar[], anchor: "session" | "window" = "session"): IndicatorSet {
  const result = computeIndicators(bars, { vwapAnchor: anchor });
  if (result.kind !== "ok") throw new Error(`expected indicators, got ${JSON.stringify(result)}`);
  return result.indicators;
}

function expectRelativelyClose(actual: number | null | undefined, expected: number | null, tolerance = 1e-6): void {
  expect(actual).not.toBeNull();
  expect(expected).not.toBeNull();
  expect(Math.abs(actual! - expected!) / Math.abs(expected!)).toBeLessThan(tolerance);
}

/**
 * trading-signals seeds its EMA with the first price; technicalindicators (and most charting
 * packages) with the SMA of the first `interval` prices. This EMA takes the library's own SMA of
 * the first values as its first input — the EMA of a single value is that value — so both
 * libraries compute the same textbook EMA from the same seed.
 */
class SmaSeededEma extends EMA {
  readonly #seed: SMA;
  #seeded = false;

  constructor(interval: number) {
    super(interval);
    this.#seed = new SMA(interval);
  }

  override update(price: number, replace = false): number {
    if (this.#seeded) return super.update(price, replace);
    const mean = this.#seed.update(price, replace);
    if (mean === null) return Number.NaN;
    this.#seeded = true;
    return super.update(mean, replace);
  }
}

const lastUpdate = (indicator: { update(value: number, replace: boolean): number | null }, values: number[]) =>
  values.reduce<number | null>((_, v) => indicator.update(v, false), null);

describe("computeIndicators against trading-signals (400 seeded bars)", () => {
  const bars = randomWalk(400);
  const closes = bars.map((b) => b.close);
  const ours = indicatorsOf(bars);

  test("SMA 20 and 50", () => {
    expectRelativelyClose(ours.sma20, lastUpdate(new SMA(20), closes));
    expectRelativelyClose(ours.sma50, lastUpdate(new SMA(50), closes));
  });

  test("EMA 9, 20, 50 and 200, SMA-seeded", () => {
    expectRelativelyClose(ours.ema9, lastUpdate(new SmaSeededEma(9), closes));
    expectRelativelyClose(ours.ema20, lastUpdate(new SmaSeededEma(20), closes));
    expectRelativelyClose(ours.ema50, lastUpdate(new SmaSeededEma(50), closes));
    expectRelativelyClose(ours.ema200, lastUpdate(new SmaSeededEma(200), closes));
  });

  test("the seeding matters: a first-price-seeded EMA200 is measurably different on 400 bars", () => {
    const unseeded = lastUpdate(new EMA(200), closes)!;
    expect(Math.abs(ours.ema200! - unseeded) / unseeded).toBeGreaterThan(1e-6);
  });

  test("MACD 12/26/9: line, signal and histogram", () => {
    const macd = new MACD(new SmaSeededEma(12), new SmaSeededEma(26), new SmaSeededEma(9));
    for (const close of closes) macd.update(close, false);
    const theirs = macd.getResult()!;
    expectRelativelyClose(ours.macd?.macd, theirs.macd);
    expectRelativelyClose(ours.macd?.signal, theirs.signal);
    expectRelativelyClose(ours.macd?.histogram, theirs.histogram);
  });

  test("Bollinger 20, 2σ (population deviation in both)", () => {
    const bands = new BollingerBands(20, 2);
    for (const close of closes) bands.update(close, false);
    const theirs = bands.getResult()!;
    expectRelativelyClose(ours.bb?.upper, theirs.upper);
    expectRelativelyClose(ours.bb?.middle, theirs.middle);
    expectRelativelyClose(ours.bb?.lower, theirs.lower);
  });

  test("ATR 14, Wilder-smoothed true range", () => {
    // technicalindicators has no true range for the first bar (no previous close); trading-signals
    // counts high − low there. Leaving that first range out of the smoothing compares like with like.
    const trueRange = new TR();
    const wilder = new WSMA(14);
    let theirs: number | null = null;
    bars.forEach((bar, i) => {
      const range = trueRange.update(bar, false);
      if (i > 0) theirs = wilder.update(range, false);
    });
    expectRelativelyClose(ours.atr14, theirs);
  });

  test("RSI 14, Wilder (technicalindicators rounds it to 2 decimals)", () => {
    const theirs = lastUpdate(new RSI(14), closes)!;
    expect(Math.abs(ours.rsi14! - theirs)).toBeLessThanOrEqual(0.01);
  });

  test("stochastic 14/3: fast %K (no slowing) and its 3-bar mean %D", () => {
    const stochastic = new StochasticOscillator({ kPeriod: 14, kSlowingPeriod: 1, dPeriod: 3 });
    for (const bar of bars) stochastic.update(bar, false);
    const theirs = stochastic.getResult()!;
    expectRelativelyClose(ours.stoch?.k, theirs.stochK);
    expectRelativelyClose(ours.stoch?.d, theirs.stochD);
  });

  test("ADX and OBV are present and in range", () => {
    expect(ours.adx14!).toBeGreaterThan(0);
    expect(ours.adx14!).toBeLessThan(100);
    expect(Number.isInteger(ours.obv)).toBe(true);
  });
});

describe("computeIndicators by hand", () => {
  test("OBV adds volume on an up close, subtracts it on a down close, ignores an unchanged one", () => {
    const bars = randomWalk(40).map((bar, i) => ({ ...bar, close: 100 + [0, 1, -1, 0][i % 4]!, volume: 10 + i }));
    // Closes cycle 100, 101, 99, 100: up, down, up, then unchanged (100 → 100) at each new cycle.
    let expected = 0;
    for (let i = 1; i < bars.length; i++) {
      const change = bars[i]!.close - bars[i - 1]!.close;
      expected += change > 0 ? bars[i]!.volume : change < 0 ? -bars[i]!.volume : 0;
    }
    expect(expected).not.toBe(0);
    expect(indicatorsOf(bars).obv).toBe(expected);
  });

  test("relative volume: the last bar over the mean of the 20 before it, older bars ignored", () => {
    const volumes = (i: number) => (i < 39 ? 999_999 : i === 39 ? 50 : i < 59 ? 100 : 250);
    const bars = randomWalk(60).map((bar, i) => ({ ...bar, volume: volumes(i) }));
    // The 20 before the last: one of 50 and nineteen of 100.
    expect(indicatorsOf(bars).relVolume).toBeCloseTo(250 / ((50 + 19 * 100) / 20), 12);
  });

  test("VWAP restarts at the last bar's ET session, by New York date not UTC date", () => {
    const day1 = randomWalk(36).map((bar) => ({ ...bar, volume: 1_000_000 }));
    // 21:00 ET on Mar 2 is already Mar 3 in UTC: still the previous session.
    const evening = { timestamp: new Date(etInstant("2026-03-02", "21:00")).toISOString(), open: 10, high: 10, low: 10, close: 10, volume: 5_000 };
    const session = [
      { timestamp: new Date(etInstant("2026-03-03", "09:30")).toISOString(), open: 20, high: 22, low: 19, close: 21, volume: 100 },
      { timestamp: new Date(etInstant("2026-03-03", "09:35")).toISOString(), open: 21, high: 24, low: 21, close: 24, volume: 300 },
    ];
    const bars = [...day1, evening, ...session];
    // Typical prices (22+19+21)/3 = 20.6667 and (24+21+24)/3 = 23.
    const expected = ((62 / 3) * 100 + 23 * 300) / 400;
    expect(indicatorsOf(bars, "session").vwap).toBeCloseTo(expected, 10);
    expect(computeIndicators(bars)).toEqual(computeIndicators(bars, { vwapAnchor: "session" }));

    const typical = (b: OhlcvBar) => (b.high + b.low + b.close) / 3;
    const whole = bars.reduce((sum, b) => sum + typical(b) * b.volume, 0) / bars.reduce((sum, b) => sum + b.volume, 0);
    expect(indicatorsOf(bars, "window").vwap).toBeCloseTo(whole, 10);
  });

  test("no volume: VWAP and relative volume are null, not a division by zero", () => {
    const ours = indicatorsOf(randomWalk(40).map((bar) => ({ ...bar, volume: 0 })));
    expect(ours.vwap).toBeNull();
    expect(ours.relVolume).toBeNull();
    expect(ours.obv).toBe(0);
  });
});

describe("too few bars", () => {
  test(`below ${INDICATOR_MIN_BARS} bars: an insufficient-bars result saying how many are needed`, () => {
    expect(INDICATOR_MIN_BARS).toBe(34);
    expect(computeIndicators(randomWalk(33))).toEqual({ kind: "insufficient_bars", needed: 34, given: 33 });
    expect(computeIndicators([])).toEqual({ kind: "insufficient_bars", needed: 34, given: 0 });
  });

  test("at the minimum every core value exists; longer averages are null, not invented", () => {
    const ours = indicatorsOf(randomWalk(INDICATOR_MIN_BARS));
    for (const key of ["rsi14", "macd", "ema9", "ema20", "sma20", "vwap", "atr14", "bb", "stoch", "adx14", "obv", "relVolume"] as const) {
      expect(ours[key]).not.toBeNull();
    }
    expect(ours.ema50).toBeNull();
    expect(ours.sma50).toBeNull();
    expect(ours.ema200).toBeNull();
  });

  test("150 bars: EMA50 and SMA50 exist, EMA200 is null", () => {
    const ours = indicatorsOf(randomWalk(150));
    expect(ours.ema50).not.toBeNull();
    expect(ours.sma50).not.toBeNull();
    expect(ours.ema200).toBeNull();
  });
});
