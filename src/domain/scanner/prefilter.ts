/**
 * The cheap stages of a scan, over the whole universe: who is scannable at all, who is moving,
 * and which few are worth the expensive evidence (news, indicators, patterns).
 */
import type { SnapshotMetrics } from "./snapshot-metrics.ts";

export interface UniverseRules {
  priceMinUsd: number;
  priceMaxUsd: number;
  minAvgVolume: number;
  minGapPct: number;
  minRelativeVolume: number;
}

/** A symbol whose last trade is older than this during the regular session is treated as halted. */
export const HALT_SILENCE_MS = 10 * 60_000;
/**
 * Stage-1 volume guard on the previous day's volume alone (the 20-day average is fetched only for
 * the enriched few): a quarter of the minimum, so one quiet day does not drop a liquid name.
 */
export const PREV_DAY_VOLUME_GUARD = 0.25;

export type Exclusion = "price_band" | "illiquid" | "halted";

/** Why a symbol is out of the scannable universe, or null if it is in. */
export function universeExclusion(metrics: SnapshotMetrics, rules: UniverseRules, regularSessionOpen: boolean): Exclusion | null {
  if (metrics.price < rules.priceMinUsd || metrics.price > rules.priceMaxUsd) return "price_band";
  if (metrics.prevDayVolume < rules.minAvgVolume * PREV_DAY_VOLUME_GUARD) return "illiquid";
  if (regularSessionOpen && metrics.lastTradeAgeMs > HALT_SILENCE_MS) return "halted";
  return null;
}

/** Moving enough to look at: a gap, a move since the close, or unusual volume. */
export function isMoving(metrics: SnapshotMetrics, rules: UniverseRules): boolean {
  const gap = Math.abs(metrics.gapPct ?? 0);
  return gap >= rules.minGapPct || Math.abs(metrics.changePct) >= rules.minGapPct || metrics.paceRelativeVolume >= rules.minRelativeVolume;
}

/**
 * Direction-blind ordering for the enrichment cut (direction needs the news): size of the move
 * and the volume behind it, plus the strength of any fresh catalyst so news leads even before
 * the price reacts.
 */
export function preScore(metrics: SnapshotMetrics, catalystStrength: number): number {
  const move = Math.min(Math.abs(metrics.changePct), 20) / 20;
  const volume = Math.min(Math.log2(Math.max(metrics.paceRelativeVolume, 1)), 4) / 4;
  return 0.4 * move + 0.3 * volume + 0.3 * Math.min(Math.max(catalystStrength, 0), 1);
}

export interface PrefilterResult {
  universeSize: number;
  excluded: Record<Exclusion, number>;
  /** In the universe and moving (or with a catalyst), best first. */
  ranked: SnapshotMetrics[];
}

export function prefilter(
  all: SnapshotMetrics[],
  rules: UniverseRules,
  regularSessionOpen: boolean,
  catalystStrengthBySymbol: ReadonlyMap<string, number>,
): PrefilterResult {
  const excluded: Record<Exclusion, number> = { price_band: 0, illiquid: 0, halted: 0 };
  const scored: { metrics: SnapshotMetrics; score: number }[] = [];
  let universeSize = 0;
  for (const metrics of all) {
    const exclusion = universeExclusion(metrics, rules, regularSessionOpen);
    if (exclusion) {
      excluded[exclusion]++;
      continue;
    }
    universeSize++;
    const catalyst = catalystStrengthBySymbol.get(metrics.symbol) ?? 0;
    if (catalyst > 0 || isMoving(metrics, rules)) scored.push({ metrics, score: preScore(metrics, catalyst) });
  }
  // Ties broken by symbol so the same market gives the same list (K37: the original sampled at random).
  scored.sort((a, b) => b.score - a.score || (a.metrics.symbol < b.metrics.symbol ? -1 : 1));
  return { universeSize, excluded, ranked: scored.map((s) => s.metrics) };
}
