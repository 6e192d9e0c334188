import { describe, expect, test } from "bun:test";
import type { Bar, Snapshot } from "../../src/adapters/broker/broker.ts";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { HALT_SILENCE_MS, isMoving, prefilter, preScore, universeExclusion, type UniverseRules } from "../../src/domain/scanner/prefilter.ts";
import { relativeVolume, snapshotMetrics, volumeShareAt, type SnapshotMetrics } from "../../src/domain/scanner/snapshot-metrics.ts";
import { expectedVolumeShare } from "../../src/domain/scanner/volume-profile.ts";

const RULES: UniverseRules = { priceMinUsd: 2, priceMaxUsd: 500, minAvgVolume: 300_000, minGapPct: 2, minRelativeVolume: 2 };
const NOW = etInstant("2026-03-10", "10:30");

const bar = (timestamp: string, open: number, close: number, volume: number): Bar => ({
  timestamp,
  open,
  high: Math.max(open, close),
  low: Math.min(open, close),
  close,
  volume,
  vwap: (open + close) / 2,
  tradeCount: 100,
});

function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    symbol: "ABC",
    latestTrade: { timestamp: new Date(NOW - 5_000).toISOString(), price: 21, size: 100, exchange: "V", conditions: [], id: 1, tape: "C" } as unknown as Snapshot["latestTrade"],
    latestQuote: null,
    minuteBar: null,
    // Alpaca stamps daily bars at midnight New York time.
    dailyBar: bar(new Date(etInstant("2026-03-10", "00:00")).toISOString(), 20.5, 21, 600_000),
    prevDailyBar: bar(new Date(etInstant("2026-03-09", "00:00")).toISOString(), 19.5, 20, 1_000_000),
    ...overrides,
  };
}

const metricsOf = (overrides: Partial<SnapshotMetrics> = {}): SnapshotMetrics => ({
  symbol: "ABC",
  price: 21,
  prevClose: 20,
  gapPct: 2.5,
  changePct: 5,
  dayVolume: 600_000,
  prevDayVolume: 1_000_000,
  paceRelativeVolume: 2.6,
  lastTradeAgeMs: 5_000,
  ...overrides,
});

describe("volume profile", () => {
  test("cumulative share rises from the floor at the open to all of it at the close, heavier at the ends", () => {
    expect(expectedVolumeShare(-30)).toBe(0.04);
    expect(expectedVolumeShare(0)).toBe(0.04);
    expect(expectedVolumeShare(30)).toBeCloseTo(0.14, 10);
    expect(expectedVolumeShare(390)).toBe(1);
    expect(expectedVolumeShare(500)).toBe(1);
    const firstHalfHour = expectedVolumeShare(30) - expectedVolumeShare(0);
    const lunchHalfHour = expectedVolumeShare(180) - expectedVolumeShare(150);
    const lastHalfHour = expectedVolumeShare(390) - expectedVolumeShare(360);
    expect(firstHalfHour).toBeGreaterThan(lunchHalfHour);
    expect(lastHalfHour).toBeGreaterThan(lunchHalfHour);
  });

  test("an early close compresses the profile into its shorter session", () => {
    // 2026-11-27 closes at 13:00: by 13:00 the whole day's volume is expected.
    expect(volumeShareAt(etInstant("2026-11-27", "13:00"))).toBe(1);
    expect(volumeShareAt(etInstant("2026-11-27", "11:15"))).toBeCloseTo(expectedVolumeShare(195), 10);
    expect(volumeShareAt(etInstant("2026-03-08", "12:00"))).toBe(1); // a Sunday
  });
});

describe("snapshot metrics", () => {
  test("price, gap, change and volume pace from one snapshot", () => {
    const m = snapshotMetrics(snapshot(), NOW)!;
    expect(m).toMatchObject({ symbol: "ABC", price: 21, prevClose: 20, gapPct: 2.5, changePct: 5, dayVolume: 600_000, prevDayVolume: 1_000_000, lastTradeAgeMs: 5_000 });
    expect(m.paceRelativeVolume).toBeCloseTo(600_000 / (1_000_000 * expectedVolumeShare(60)), 3);
  });

  test("a daily bar from an earlier day says nothing about today: no gap, no volume yet", () => {
    const stale = snapshot({ dailyBar: bar(new Date(etInstant("2026-03-09", "00:00")).toISOString(), 19.5, 20, 1_000_000) });
    const m = snapshotMetrics(stale, NOW)!;
    expect(m.gapPct).toBeNull();
    expect(m.dayVolume).toBe(0);
    expect(m.changePct).toBe(5);
  });

  test("unpriceable snapshots are skipped", () => {
    expect(snapshotMetrics(snapshot({ latestTrade: null }), NOW)).toBeNull();
    expect(snapshotMetrics(snapshot({ prevDailyBar: null }), NOW)).toBeNull();
  });

  test("relative volume against the 20-day average, paced", () => {
    expect(relativeVolume(600_000, 0, NOW)).toBeNull();
    expect(relativeVolume(600_000, 1_000_000, NOW)).toBeCloseTo(600_000 / (1_000_000 * expectedVolumeShare(60)), 3);
  });
});

describe("universe and pre-filter", () => {
  test("price band, stage-1 liquidity guard, and silence as a halt only while the session is open", () => {
    expect(universeExclusion(metricsOf(), RULES, true)).toBeNull();
    expect(universeExclusion(metricsOf({ price: 1.5 }), RULES, true)).toBe("price_band");
    expect(universeExclusion(metricsOf({ price: 501 }), RULES, true)).toBe("price_band");
    expect(universeExclusion(metricsOf({ prevDayVolume: 74_999 }), RULES, true)).toBe("illiquid");
    expect(universeExclusion(metricsOf({ prevDayVolume: 75_000 }), RULES, true)).toBeNull();
    expect(universeExclusion(metricsOf({ lastTradeAgeMs: HALT_SILENCE_MS + 1 }), RULES, true)).toBe("halted");
    expect(universeExclusion(metricsOf({ lastTradeAgeMs: HALT_SILENCE_MS + 1 }), RULES, false)).toBeNull();
  });

  test("moving: by gap, by change either way, or by volume", () => {
    expect(isMoving(metricsOf({ gapPct: 0, changePct: 0, paceRelativeVolume: 1 }), RULES)).toBe(false);
    expect(isMoving(metricsOf({ gapPct: -2, changePct: 0, paceRelativeVolume: 1 }), RULES)).toBe(true);
    expect(isMoving(metricsOf({ gapPct: null, changePct: -2.5, paceRelativeVolume: 1 }), RULES)).toBe(true);
    expect(isMoving(metricsOf({ gapPct: 0, changePct: 0, paceRelativeVolume: 2 }), RULES)).toBe(true);
  });

  test("pre-score grows with the move, the volume and the catalyst, and is capped", () => {
    const quiet = metricsOf({ changePct: 1, paceRelativeVolume: 1 });
    expect(preScore(metricsOf({ changePct: 10 }), 0)).toBeGreaterThan(preScore(metricsOf({ changePct: 3 }), 0));
    expect(preScore(quiet, 0.9)).toBeGreaterThan(preScore(quiet, 0));
    expect(preScore(metricsOf({ changePct: 300, paceRelativeVolume: 1e6 }), 5)).toBe(1);
  });

  test("the funnel counts exclusions, keeps movers and catalyst names, and orders deterministically", () => {
    const all = [
      metricsOf({ symbol: "QUIET", gapPct: 0, changePct: 0.2, paceRelativeVolume: 1 }),
      metricsOf({ symbol: "NEWS", gapPct: 0, changePct: 0.2, paceRelativeVolume: 1 }),
      metricsOf({ symbol: "BIG", changePct: 12, paceRelativeVolume: 6 }),
      metricsOf({ symbol: "TWIN2" }),
      metricsOf({ symbol: "TWIN1" }),
      metricsOf({ symbol: "PENNY", price: 0.5 }),
      metricsOf({ symbol: "THIN", prevDayVolume: 10 }),
    ];
    const result = prefilter(all, RULES, true, new Map([["NEWS", 0.7]]));
    expect(result.universeSize).toBe(5);
    expect(result.excluded).toEqual({ price_band: 1, illiquid: 1, halted: 0 });
    expect(result.ranked.map((m) => m.symbol)).toEqual(["BIG", "NEWS", "TWIN1", "TWIN2"]);
  });
});
