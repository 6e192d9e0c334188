/** The pattern detectors on constructed series: each pattern found with its levels, and near misses refused. */
import { describe, expect, test } from "bun:test";
import type { Bar, Timeframe } from "../../src/adapters/broker/broker.ts";
import { recentBars } from "../../src/adapters/broker/recent-bars.ts";
import { detectAbcd } from "../../src/domain/patterns/abcd.ts";
import { detectFlags } from "../../src/domain/patterns/bull-flag.ts";
import { CANDLE_SPECS, detectCandlesticks } from "../../src/domain/patterns/candlesticks.ts";
import { detectPatterns } from "../../src/domain/patterns/detect.ts";
import { detectGapAndGo } from "../../src/domain/patterns/gap-and-go.ts";
import { roundToTick, tradeLevels } from "../../src/domain/patterns/levels.ts";
import { LONG, SHORT } from "../../src/domain/patterns/side.ts";
import { detectTriangles } from "../../src/domain/patterns/triangle.ts";
import type { DetectedPattern, PatternInput } from "../../src/domain/patterns/types.ts";
import { detectVwapReclaim } from "../../src/domain/patterns/vwap-reclaim.ts";
import { ApiError } from "../../src/runtime/errors.ts";
import { checkEnough, loadPrevCloses } from "../../src/services/pattern/bars.ts";

/** [open, high, low, close, volume?, vwap?] */
type Row = [number, number, number, number, number?, number?];

const MINUTE = 60_000;
/** 09:30 ET on Tuesday 2026-03-10 (EDT) and on the Monday before. */
const TUESDAY_OPEN = Date.parse("2026-03-10T13:30:00Z");
const MONDAY_OPEN = Date.parse("2026-03-09T13:30:00Z");

function bars(rows: Row[], start = TUESDAY_OPEN, stepMinutes = 5): Bar[] {
  return rows.map(([open, high, low, close, volume = 1000, vwap], i) => ({
    timestamp: new Date(start + i * stepMinutes * MINUTE).toISOString(),
    open,
    high,
    low,
    close,
    volume,
    vwap: vwap ?? (high + low + close) / 3,
    tradeCount: 10,
  }));
}

/** The same series upside down (p → 20 − p): every long pattern becomes its short mirror. */
function mirror(series: Bar[]): Bar[] {
  return series.map((bar) => ({
    ...bar,
    open: 20 - bar.open,
    high: 20 - bar.low,
    low: 20 - bar.high,
    close: 20 - bar.close,
    vwap: 20 - bar.vwap,
  }));
}

function input(series: Bar[], prevClose: number | null = null, timeframe: Timeframe = "5Min"): PatternInput {
  return { bars: series, timeframe, prevClose };
}

function only(found: DetectedPattern[], name: string): DetectedPattern {
  const matches = found.filter((p) => p.name === name);
  expect(matches.map((p) => p.name)).toEqual([name]);
  return matches[0]!;
}

function expectOrdered(p: DetectedPattern): void {
  if (p.direction === "long") {
    expect(p.stop).toBeLessThan(p.entry);
    expect(p.entry).toBeLessThan(p.target);
  } else {
    expect(p.stop).toBeGreaterThan(p.entry);
    expect(p.entry).toBeGreaterThan(p.target);
  }
  expect(p.confidence).toBeGreaterThanOrEqual(0);
  expect(p.confidence).toBeLessThanOrEqual(1);
  expect(p.reasons.length).toBeGreaterThan(0);
}

const at = (series: Bar[], i: number) => series.at(i)!.timestamp;

describe("levels", () => {
  test("prices round to a cent at $1 and above, to 0.0001 below", () => {
    expect(roundToTick(10.126)).toBe(10.13);
    expect(roundToTick(0.51234)).toBe(0.5123);
    expect(roundToTick(0.99996)).toBe(1);
  });

  test("levels whose sides collapse under rounding are refused", () => {
    expect(tradeLevels(LONG, 10, 9.5, 11)).toEqual({ entry: 10, stop: 9.5, target: 11 });
    expect(tradeLevels(LONG, 10, 10.001, 11)).toBeNull();
    expect(tradeLevels(SHORT, 10, 10.5, 9)).toEqual({ entry: 10, stop: 10.5, target: 9 });
    expect(tradeLevels(SHORT, 10, 9.5, 9)).toBeNull();
  });
});

describe("bull flag / bear flag", () => {
  const baseline: Row[] = Array.from({ length: 6 }, () => [10, 10.05, 9.98, 10, 1000] as Row);
  const pole: Row[] = [
    [10.0, 10.12, 9.96, 10.1, 3000],
    [10.1, 10.26, 10.08, 10.25, 3500],
    [10.25, 10.42, 10.22, 10.4, 4000],
  ];
  const flag: Row[] = [
    [10.38, 10.39, 10.28, 10.3, 1200],
    [10.3, 10.33, 10.26, 10.31, 1000],
    [10.31, 10.34, 10.27, 10.32, 900],
  ];
  const forming = bars([...baseline, ...pole, ...flag]);
  const brokeOut = bars([...baseline, ...pole, ...flag, [10.33, 10.5, 10.32, 10.48, 2500]]);

  test("forming: entry at the flag high, stop under the flag low, target the pole's height", () => {
    const p = only(detectFlags(input(forming)), "bull_flag");
    expect(p).toMatchObject({ kind: "chart", direction: "long", entry: 10.39, stop: 10.25, target: 10.85 });
    expect(p.startTime).toBe(at(forming, 6));
    expect(p.endTime).toBe(at(forming, -1));
    expect(p.confidence).toBe(0.75);
    expectOrdered(p);
  });

  test("broken out on volume: same levels, more confidence", () => {
    const p = only(detectFlags(input(brokeOut)), "bull_flag");
    expect(p).toMatchObject({ entry: 10.39, stop: 10.25, target: 10.85, endTime: at(brokeOut, -1) });
    expect(p.confidence).toBe(0.95);
    expect(p.reasons.join(" ")).toContain("closed above the flag high 10.39");
  });

  test("bear flag is the mirror", () => {
    const p = only(detectFlags(input(mirror(forming))), "bear_flag");
    expect(p).toMatchObject({ direction: "short", entry: 9.61, stop: 9.75, target: 9.15, startTime: at(forming, 6) });
    expectOrdered(p);
  });

  test("near misses: a 70% pullback, a pole without volume, a flag on heavy volume, a pole too small", () => {
    const deep: Row[] = [
      [10.38, 10.39, 10.2, 10.22, 1200],
      [10.22, 10.25, 10.1, 10.12, 1000],
      [10.12, 10.2, 10.11, 10.18, 900],
    ];
    expect(detectFlags(input(bars([...baseline, ...pole, ...deep])))).toEqual([]);
    const quietPole = pole.map(([o, h, l, c]) => [o, h, l, c, 1000] as Row);
    expect(detectFlags(input(bars([...baseline, ...quietPole, ...flag.map(([o, h, l, c]) => [o, h, l, c, 700] as Row)])))).toEqual([]);
    const heavyFlag = flag.map(([o, h, l, c]) => [o, h, l, c, 4000] as Row);
    expect(detectFlags(input(bars([...baseline, ...pole, ...heavyFlag])))).toEqual([]);
    // The same shape on daily bars is too small a pole (the threshold scales with the timeframe).
    expect(detectFlags(input(forming, null, "1Day"))).toEqual([]);
  });
});

describe("ascending triangle / breakout", () => {
  const base: Row[] = [
    [10.0, 10.05, 9.95, 10.02],
    [10.02, 10.1, 10.0, 10.08],
    [10.08, 10.25, 10.06, 10.22],
    [10.22, 10.5, 10.2, 10.45], // touch 1
    [10.45, 10.46, 10.3, 10.32],
    [10.32, 10.34, 10.2, 10.25], // low 10.20
    [10.25, 10.4, 10.24, 10.38],
    [10.38, 10.49, 10.36, 10.44], // touch 2
    [10.44, 10.45, 10.32, 10.34],
    [10.34, 10.38, 10.3, 10.36], // low 10.30
    [10.36, 10.5, 10.35, 10.46], // touch 3
    [10.46, 10.46, 10.38, 10.4],
    [10.4, 10.43, 10.37, 10.41], // low 10.37
    [10.41, 10.45, 10.4, 10.44],
    [10.44, 10.46, 10.42, 10.45],
  ];

  test("forming under flat resistance with rising lows: entry at resistance, lower confidence", () => {
    const series = bars([...base, [10.45, 10.48, 10.43, 10.46]]);
    const p = only(detectTriangles(input(series)), "ascending_triangle");
    expect(p).toMatchObject({ direction: "long", entry: 10.5, stop: 10.36, target: 10.8, confidence: 0.45 });
    expect(p.startTime).toBe(at(series, 3));
    expect(p.endTime).toBe(at(series, -1));
    expect(p.reasons[0]).toContain("touched 4 times");
    expect(p.reasons[1]).toContain("10.20 → 10.30 → 10.37");
  });

  test("close through resistance on 3× volume is a breakout", () => {
    const series = bars([...base, [10.46, 10.62, 10.45, 10.6, 3000]]);
    const p = only(detectTriangles(input(series)), "breakout");
    expect(p).toMatchObject({ direction: "long", entry: 10.5, stop: 10.36, target: 10.8, confidence: 0.7 });
    expectOrdered(p);
  });

  test("descending triangle breakdown is the mirror", () => {
    const series = mirror(bars([...base, [10.46, 10.62, 10.45, 10.6, 3000]]));
    const p = only(detectTriangles(input(series)), "breakdown");
    expect(p).toMatchObject({ direction: "short", entry: 9.5, stop: 9.64, target: 9.2 });
    expectOrdered(p);
  });

  test("near misses: breakout without volume, resistance touched once, lows not rising", () => {
    expect(detectTriangles(input(bars([...base, [10.46, 10.62, 10.45, 10.6, 1000]])))).toEqual([]);
    const once = base.map((row, i) => (i === 7 || i === 10 ? ([row[0], 10.42, row[2], 10.4] as Row) : row));
    expect(detectTriangles(input(bars([...once, [10.46, 10.62, 10.45, 10.6, 3000]])))).toEqual([]);
    const falling = base.map((row, i) => (i === 9 ? ([10.34, 10.38, 10.1, 10.36] as Row) : row));
    expect(detectTriangles(input(bars([...falling, [10.46, 10.62, 10.45, 10.6, 3000]])))).toEqual([]);
  });
});

describe("ABCD", () => {
  const rows: Row[] = [
    [10.2, 10.25, 10.1, 10.12],
    [10.12, 10.15, 10.02, 10.05],
    [10.05, 10.08, 10.0, 10.06], // A 10.00
    [10.06, 10.2, 10.04, 10.18, 2000],
    [10.18, 10.35, 10.15, 10.33, 2000],
    [10.33, 10.5, 10.3, 10.45, 2000],
    [10.45, 10.6, 10.42, 10.55, 2000], // B 10.60
    [10.55, 10.56, 10.4, 10.42],
    [10.42, 10.44, 10.3, 10.32],
    [10.32, 10.34, 10.25, 10.31], // C 10.25 (58% of AB)
    [10.31, 10.33, 10.28, 10.32],
    [10.32, 10.36, 10.3, 10.35],
  ];

  test("A low → B high → C higher low: entry on the C bar's high, stop under C, target D = C + AB", () => {
    const series = bars(rows);
    const p = only(detectAbcd(input(series)), "bullish_abcd");
    expect(p).toMatchObject({ kind: "chart", direction: "long", entry: 10.34, stop: 10.24, target: 10.85, confidence: 0.7 });
    expect(p.startTime).toBe(at(series, 2));
    expect(p.endTime).toBe(at(series, -1));
    expectOrdered(p);
  });

  test("bearish ABCD is the mirror", () => {
    const p = only(detectAbcd(input(mirror(bars(rows)))), "bearish_abcd");
    expect(p).toMatchObject({ direction: "short", entry: 9.66, stop: 9.76, target: 9.15 });
    expectOrdered(p);
  });

  test("near misses: C below A, a shallow 20% pullback, B already broken", () => {
    // A narrow C bar keeps the reward:risk high: only the retracement rule refuses it.
    const below = rows.map((row, i) => (i === 9 ? ([9.97, 9.98, 9.95, 9.97] as Row) : row));
    expect(detectAbcd(input(bars(below))).filter((p) => p.direction === "long")).toEqual([]);
    const shallow = rows.map((row, i) => (i === 7 ? ([10.55, 10.56, 10.52, 10.53] as Row) : i === 8 ? ([10.53, 10.55, 10.5, 10.51] as Row) : i === 9 ? ([10.51, 10.52, 10.48, 10.5] as Row) : i > 9 ? ([10.5, 10.53, 10.49, 10.52] as Row) : row));
    expect(detectAbcd(input(bars(shallow))).filter((p) => p.direction === "long")).toEqual([]);
    expect(detectAbcd(input(bars([...rows, [10.35, 10.62, 10.34, 10.6]]))).filter((p) => p.direction === "long")).toEqual([]);
  });
});

describe("gap-and-go", () => {
  /** Monday: opening-range bars at 2000 shares, then a quiet rest of the day. */
  const monday = bars(
    [
      [9.9, 10.0, 9.85, 9.95, 2000],
      [9.95, 10.02, 9.9, 10.0, 2000],
      [10.0, 10.05, 9.95, 10.0, 2000],
      [10.0, 10.02, 9.97, 10.0, 800],
      [10.0, 10.01, 9.98, 10.0, 800],
    ],
    MONDAY_OPEN,
  );
  const tuesday: Row[] = [
    [10.6, 10.8, 10.55, 10.75, 6000],
    [10.75, 10.9, 10.7, 10.85, 5000],
    [10.85, 10.88, 10.72, 10.8, 4000],
    [10.8, 10.86, 10.74, 10.84, 3000],
  ];

  test("6% gap up, unfilled, holding the open on 2.5× opening volume: entry at the opening-range high", () => {
    const series = [...monday, ...bars(tuesday)];
    const p = only(detectGapAndGo(input(series, 10)), "gap_and_go");
    expect(p).toMatchObject({ direction: "long", entry: 10.9, stop: 10.54, target: 11.62, confidence: 0.64 });
    expect(p.startTime).toBe(new Date(TUESDAY_OPEN).toISOString());
    expect(p.endTime).toBe(at(series, -1));
    expect(p.reasons.join(" ")).toContain("2.5×");
  });

  test("gap down and go is the mirror", () => {
    const p = only(detectGapAndGo(input(mirror([...monday, ...bars(tuesday)]), 10)), "gap_down_and_go");
    expect(p).toMatchObject({ direction: "short", entry: 9.1, stop: 9.46, target: 8.38 });
    expectOrdered(p);
  });

  test("without an earlier session to compare volume, it is reported at no more than 0.4", () => {
    const p = only(detectGapAndGo(input(bars(tuesday), 10)), "gap_and_go");
    expect(p.confidence).toBe(0.4);
  });

  test("near misses: a 1% gap, a filled gap, a quiet open, still inside the opening range, hourly bars", () => {
    expect(detectGapAndGo(input([...monday, ...bars(tuesday)], 10.5))).toEqual([]);
    const filled = tuesday.map((row, i) => (i === 2 ? ([10.85, 10.88, 9.95, 10.8, 4000] as Row) : row));
    expect(detectGapAndGo(input([...monday, ...bars(filled)], 10))).toEqual([]);
    const quiet = tuesday.map(([o, h, l, c]) => [o, h, l, c, 2500] as Row);
    expect(detectGapAndGo(input([...monday, ...bars(quiet)], 10))).toEqual([]);
    expect(detectGapAndGo(input([...monday, ...bars(tuesday.slice(0, 3))], 10))).toEqual([]);
    expect(detectGapAndGo(input([...monday, ...bars(tuesday)], 10, "1Hour"))).toEqual([]);
  });
});

describe("VWAP reclaim / breakdown", () => {
  /** A heavy bar at 12 the day before: session VWAP must start again at the open. */
  const yesterday = bars([[12, 12.1, 11.9, 12, 100_000, 12]], MONDAY_OPEN + 6 * 60 * MINUTE);
  const session: Row[] = [
    [10.0, 10.1, 9.98, 10.08, 5000, 10.05],
    [10.08, 10.09, 9.95, 9.96, 3000, 10.0],
    [9.96, 9.98, 9.88, 9.9, 2000, 9.93],
    [9.9, 9.95, 9.85, 9.92, 2000, 9.9],
    [9.92, 9.97, 9.9, 9.95, 2000, 9.94],
  ];
  const reclaim: Row = [9.95, 10.1, 9.94, 10.08, 4000, 10.03];

  test("four closes under session VWAP, then a close above on 1.8× volume", () => {
    const series = [...yesterday, ...bars([...session, reclaim])];
    const p = only(detectVwapReclaim(input(series)), "vwap_reclaim");
    expect(p).toMatchObject({ direction: "long", entry: 10.08, stop: 9.84, target: 10.56, confidence: 0.53 });
    expect(p.startTime).toBe(at(series, 2));
    expect(p.endTime).toBe(at(series, -1));
  });

  test("VWAP breakdown is the mirror", () => {
    const p = only(detectVwapReclaim(input(mirror(bars([...session, reclaim])))), "vwap_breakdown");
    expect(p).toMatchObject({ direction: "short", entry: 9.92, stop: 10.16, target: 9.44 });
    expectOrdered(p);
  });

  test("near misses: the reclaim on light volume, a stretch of two bars, daily bars", () => {
    expect(detectVwapReclaim(input(bars([...session, [9.95, 10.1, 9.94, 10.08, 1500, 10.03]])))).toEqual([]);
    expect(detectVwapReclaim(input(bars([session[0]!, ...session.slice(3), reclaim])))).toEqual([]);
    expect(detectVwapReclaim(input(bars([...session, reclaim]), null, "1Day"))).toEqual([]);
  });
});

describe("candlesticks (technicalindicators)", () => {
  /** Ten bars drifting into the pattern: the trend a reversal needs. */
  function trend(direction: "up" | "down" | "flat", end: number): Row[] {
    const step = direction === "up" ? 0.06 : direction === "down" ? -0.06 : 0;
    return Array.from({ length: 10 }, (_, i) => {
      const close = end - step * (9 - i);
      const open = close - step * 0.8;
      return [open, Math.max(open, close) + 0.03, Math.min(open, close) - 0.03, close] as Row;
    });
  }

  const cases: Record<string, { context: "up" | "down" | "flat"; rows: Row[] }> = {
    bullish_engulfing: { context: "down", rows: [[10.2, 10.25, 9.95, 10.0], [9.95, 10.35, 9.9, 10.3]] },
    bearish_engulfing: { context: "up", rows: [[10.0, 10.25, 9.95, 10.2], [10.25, 10.3, 9.85, 9.9]] },
    bullish_harami: { context: "down", rows: [[10.5, 10.55, 9.9, 10.0], [10.1, 10.3, 10.05, 10.25]] },
    bearish_harami: { context: "up", rows: [[10.0, 10.55, 9.95, 10.5], [10.4, 10.45, 10.2, 10.25]] },
    bullish_harami_cross: { context: "down", rows: [[10.5, 10.55, 9.9, 10.0], [10.2, 10.3, 10.1, 10.2]] },
    bearish_harami_cross: { context: "up", rows: [[10.0, 10.55, 9.95, 10.5], [10.3, 10.4, 10.2, 10.3]] },
    piercing_line: { context: "down", rows: [[10.5, 10.55, 10.0, 10.05], [9.9, 10.4, 9.85, 10.35]] },
    dark_cloud_cover: { context: "up", rows: [[10.0, 10.55, 9.95, 10.5], [10.6, 10.65, 10.1, 10.2]] },
    morning_star: { context: "down", rows: [[10.6, 10.65, 10.1, 10.15], [10.0, 10.05, 9.9, 9.95], [10.1, 10.5, 10.08, 10.45]] },
    morning_doji_star: { context: "down", rows: [[10.6, 10.65, 10.1, 10.15], [9.98, 10.05, 9.9, 9.98], [10.1, 10.5, 10.08, 10.45]] },
    evening_star: { context: "up", rows: [[10.0, 10.5, 9.95, 10.45], [10.6, 10.7, 10.55, 10.65], [10.5, 10.52, 10.1, 10.15]] },
    evening_doji_star: { context: "up", rows: [[10.0, 10.5, 9.95, 10.45], [10.62, 10.7, 10.55, 10.62], [10.5, 10.52, 10.1, 10.15]] },
    abandoned_baby: { context: "down", rows: [[10.6, 10.65, 10.1, 10.15], [9.95, 10.0, 9.9, 9.95], [10.1, 10.4, 10.05, 10.35]] },
    three_white_soldiers: { context: "up", rows: [[10.0, 10.2, 9.98, 10.18], [10.1, 10.35, 10.08, 10.33], [10.25, 10.5, 10.22, 10.48]] },
    three_black_crows: { context: "down", rows: [[10.5, 10.52, 10.3, 10.32], [10.4, 10.42, 10.15, 10.17], [10.25, 10.27, 10.0, 10.02]] },
    downside_tasuki_gap: { context: "down", rows: [[10.6, 10.62, 10.3, 10.32], [10.2, 10.25, 9.95, 10.0], [10.1, 10.24, 10.08, 10.22]] },
    hammer: { context: "down", rows: [[10.7, 10.72, 10.55, 10.6], [10.6, 10.62, 10.38, 10.4], [10.4, 10.42, 10.18, 10.2], [10.1, 10.15, 9.8, 10.15], [10.15, 10.4, 10.12, 10.35]] },
    hammer_unconfirmed: { context: "down", rows: [[10.9, 10.92, 10.75, 10.8], [10.7, 10.72, 10.55, 10.6], [10.6, 10.62, 10.38, 10.4], [10.4, 10.42, 10.18, 10.2], [10.1, 10.15, 9.8, 10.15]] },
    hanging_man: { context: "up", rows: [[9.9, 10.05, 9.88, 10.0], [10.0, 10.22, 9.98, 10.2], [10.2, 10.42, 10.18, 10.4], [10.5, 10.55, 10.2, 10.55], [10.5, 10.52, 10.3, 10.35]] },
    hanging_man_unconfirmed: { context: "up", rows: [[9.9, 10.05, 9.88, 10.0], [10.0, 10.22, 9.98, 10.2], [10.2, 10.42, 10.18, 10.4], [10.4, 10.52, 10.38, 10.5], [10.6, 10.65, 10.3, 10.65]] },
    shooting_star: { context: "up", rows: [[9.9, 10.05, 9.88, 10.0], [10.0, 10.22, 9.98, 10.2], [10.2, 10.42, 10.18, 10.4], [10.5, 10.8, 10.45, 10.45], [10.44, 10.46, 10.2, 10.25]] },
    shooting_star_unconfirmed: { context: "up", rows: [[9.9, 10.05, 9.88, 10.0], [10.0, 10.22, 9.98, 10.2], [10.2, 10.42, 10.18, 10.4], [10.4, 10.52, 10.38, 10.5], [10.6, 10.9, 10.55, 10.55]] },
    tweezer_bottom: { context: "down", rows: [[10.7, 10.72, 10.55, 10.6], [10.6, 10.62, 10.38, 10.4], [10.4, 10.42, 10.18, 10.2], [10.2, 10.25, 9.9, 9.95], [9.95, 10.2, 9.9, 10.15]] },
    tweezer_top: { context: "up", rows: [[9.9, 10.05, 9.88, 10.0], [10.0, 10.22, 9.98, 10.2], [10.2, 10.42, 10.18, 10.4], [10.4, 10.7, 10.38, 10.65], [10.65, 10.7, 10.4, 10.45]] },
    dragonfly_doji: { context: "down", rows: [[10.0, 10.0, 9.7, 10.0]] },
    gravestone_doji: { context: "up", rows: [[10.0, 10.3, 10.0, 10.0]] },
    doji: { context: "up", rows: [[10.0, 10.2, 9.8, 10.0]] },
    bullish_marubozu: { context: "up", rows: [[10.0, 10.5, 10.0, 10.5]] },
    bearish_marubozu: { context: "down", rows: [[10.5, 10.5, 10.0, 10.0]] },
  };

  test("every wrapped pattern has a case", () => {
    expect(Object.keys(cases).sort()).toEqual(CANDLE_SPECS.map((spec) => spec.name).sort());
  });

  for (const spec of CANDLE_SPECS) {
    test(`${spec.name}`, () => {
      const { context, rows } = cases[spec.name]!;
      const series = bars([...trend(context, rows[0]![3]), ...rows]);
      const p = detectCandlesticks(input(series)).find((found) => found.name === spec.name);
      expect(p).toBeDefined();
      const expectedDirection = spec.direction ?? (context === "up" ? "short" : "long");
      expect(p!).toMatchObject({ kind: "candlestick", direction: expectedDirection, endTime: at(series, -1) });
      expect(p!.startTime).toBe(at(series, -spec.span));
      const candles = series.slice(-spec.span);
      const high = Math.max(...candles.map((b) => b.high));
      const low = Math.min(...candles.map((b) => b.low));
      if (expectedDirection === "long") {
        expect(p!.entry).toBe(roundToTick(high));
        expect(p!.stop).toBe(roundToTick(low - 0.01));
      } else {
        expect(p!.entry).toBe(roundToTick(low));
        expect(p!.stop).toBe(roundToTick(high + 0.01));
      }
      expect(p!.target).toBe(roundToTick(p!.entry + 2 * (p!.entry - p!.stop)));
      expect(p!.confidence).toBeGreaterThanOrEqual(0.3);
      expect(p!.confidence).toBeLessThanOrEqual(0.6);
      expectOrdered(p!);
    });
  }

  test("a doji takes its direction against the trend, and has none without one", () => {
    const dojiBar: Row = [10.0, 10.2, 9.8, 10.0];
    const after = (context: "up" | "down" | "flat") =>
      detectCandlesticks(input(bars([...trend(context, 10), dojiBar]))).filter((p) => p.name === "doji");
    expect(after("up").map((p) => p.direction)).toEqual(["short"]);
    expect(after("down").map((p) => p.direction)).toEqual(["long"]);
    expect(after("flat")).toEqual([]);
    // The library calls a bar with no range a doji; it is not one.
    expect(detectCandlesticks(input(bars([...trend("up", 10), [10, 10, 10, 10]])))).toEqual([]);
  });

  test("the library's trend test compares arrays as strings: prices are scaled so a $300 stock works too", () => {
    // Closes 300 → 270 → 279: an average loss of 15 against a gain of 4.5, which "15" > "4.5" gets wrong.
    const rows: Row[] = [
      [305, 306, 299, 300],
      [300, 301, 269, 270],
      [270, 280, 268, 279],
      [279, 281, 260, 262],
      [262, 275, 260, 274],
    ];
    const found = detectCandlesticks(input(bars([...trend("down", 305), ...rows])));
    expect(found.map((p) => p.name)).toContain("tweezer_bottom");
  });

  test("volume on the last bar raises confidence", () => {
    // Twenty bars before the pattern, so the last bar's volume has an average to be compared with.
    const before = [...trend("down", 10.6), ...trend("down", 10.0)];
    const first: Row = [10.2, 10.25, 9.95, 10.0];
    const quiet = detectCandlesticks(input(bars([...before, first, [9.95, 10.35, 9.9, 10.3, 1000]])));
    const loud = detectCandlesticks(input(bars([...before, first, [9.95, 10.35, 9.9, 10.3, 3000]])));
    const confidenceOf = (found: DetectedPattern[]) => found.find((p) => p.name === "bullish_engulfing")!.confidence;
    expect(confidenceOf(loud)).toBeGreaterThan(confidenceOf(quiet));
  });

  test("plain bars (bodies with both shadows, small gaps up) trigger none", () => {
    const rows: Row[] = Array.from({ length: 15 }, (_, i) => {
      const open = 10 + i * 0.04;
      return [open, open + 0.08, open - 0.05, open + 0.03];
    });
    expect(detectCandlesticks(input(bars(rows)))).toEqual([]);
  });
});

describe("detectPatterns", () => {
  test("runs every detector, most confident first", () => {
    const baseline: Row[] = Array.from({ length: 6 }, () => [10, 10.05, 9.98, 10, 1000] as Row);
    const series = bars([
      ...baseline,
      [10.0, 10.12, 9.96, 10.1, 3000],
      [10.1, 10.26, 10.08, 10.25, 3500],
      [10.25, 10.42, 10.22, 10.4, 4000],
      [10.38, 10.39, 10.28, 10.3, 1200],
      [10.3, 10.33, 10.26, 10.31, 1000],
      [10.31, 10.34, 10.27, 10.32, 900],
    ]);
    const found = detectPatterns(input(series));
    expect(found.map((p) => p.name)).toContain("bull_flag");
    const confidences = found.map((p) => p.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    for (const p of found) expectOrdered(p);
    expect(detectPatterns(input([]))).toEqual([]);
  });
});

describe("the service's bar selection", () => {
  const row: Row = [10, 10.1, 9.9, 10];
  /** A broker that answers every bar request with `series`, remembering what was asked. */
  function fakeBroker(series: Bar[]) {
    const asked: { timeframe: Timeframe; start: string; end?: string }[] = [];
    return {
      asked,
      getBars: async (symbols: string[], timeframe: Timeframe, query: { start: string; end?: string }) => {
        asked.push({ timeframe, ...query });
        return { [symbols[0]!]: series };
      },
    };
  }

  test("intraday: regular session only, completed bars only, the latest `limit`", async () => {
    const premarket = bars([row, row], TUESDAY_OPEN - 10 * MINUTE);
    const session = bars(Array.from({ length: 40 }, () => row));
    // 12:00:30 ET: the 12:00 bar is still running, the 11:55 one has just closed.
    const now = TUESDAY_OPEN + 150 * MINUTE + 30_000;
    const broker = fakeBroker([...premarket, ...session]);
    const loaded = await recentBars(broker, "ABC", "5Min", 20, now);
    expect(loaded).toEqual(session.slice(10, 30));
    expect(loaded.at(-1)!.timestamp).toBe("2026-03-10T15:55:00.000Z");
    expect(broker.asked[0]!.end).toBe(new Date(now).toISOString());
  });

  test("hourly: the 09:00 bar (half pre-market) is left out", async () => {
    const hourly = bars([row, row, row], TUESDAY_OPEN - 30 * MINUTE, 60);
    const loaded = await recentBars(fakeBroker(hourly), "ABC", "1Hour", 20, TUESDAY_OPEN + 6 * 60 * MINUTE);
    expect(loaded.map((b) => b.timestamp)).toEqual(["2026-03-10T14:00:00.000Z", "2026-03-10T15:00:00.000Z"]);
  });

  test("daily: today's bar counts only once the session has closed", async () => {
    const daily = [Date.parse("2026-03-09T04:00:00Z"), Date.parse("2026-03-10T04:00:00Z")].map((t) => bars([row], t)[0]!);
    const midday = await recentBars(fakeBroker(daily), "ABC", "1Day", 20, TUESDAY_OPEN + 3 * 60 * MINUTE);
    expect(midday.map((b) => b.timestamp)).toEqual(["2026-03-09T04:00:00.000Z"]);
    const evening = await recentBars(fakeBroker(daily), "ABC", "1Day", 20, TUESDAY_OPEN + 7 * 60 * MINUTE);
    expect(evening).toHaveLength(2);
  });

  test("the previous close is the last daily bar before the last bar's day", async () => {
    const daily = [
      { ...bars([[9, 9, 9, 9.5]], Date.parse("2026-03-06T05:00:00Z"))[0]! },
      { ...bars([[9, 9, 9, 9.8]], Date.parse("2026-03-09T04:00:00Z"))[0]! },
      { ...bars([[9, 9, 9, 11]], Date.parse("2026-03-10T04:00:00Z"))[0]! },
    ];
    const intraday = bars([row, row]);
    const prevClose = async (broker: ReturnType<typeof fakeBroker>, timeframe: "5Min" | "1Day", series: typeof daily) =>
      (await loadPrevCloses(broker, timeframe, new Map([["ABC", series]]))).get("ABC");
    expect(await prevClose(fakeBroker(daily), "5Min", intraday)).toBe(9.8);
    expect(await prevClose(fakeBroker([]), "5Min", intraday)).toBeNull();
    expect(await prevClose(fakeBroker([]), "1Day", daily)).toBe(9.8);
  });

  test("404 for no bars (unknown symbol or none yet), 422 naming needed vs have", () => {
    const failure = (run: () => void) => {
      try {
        run();
      } catch (error) {
        return error as ApiError;
      }
      throw new Error("expected an ApiError");
    };
    expect(failure(() => checkEnough("ZZZ", "5Min", [], false))).toMatchObject({ status: 404, code: "unknown_symbol" });
    expect(failure(() => checkEnough("ABC", "5Min", [], true))).toMatchObject({ status: 404, code: "no_bars" });
    const short = failure(() => checkEnough("ABC", "1Hour", bars(Array.from({ length: 19 }, () => row)), true));
    expect(short).toBeInstanceOf(ApiError);
    expect(short).toMatchObject({ status: 422, code: "insufficient_bars" });
    expect(short.message).toContain("has 19 completed 1Hour bars; the detectors need 20");
    expect(() => checkEnough("ABC", "5Min", bars(Array.from({ length: 20 }, () => row)), true)).not.toThrow();
  });
});
