/**
 * Closed trades grouped by the scan score they were entered on, in fifths of the score's 0–1 range:
 * if the score is predictive, the higher bands make more per trade. Every band is listed (an empty
 * one says so), best first, and a trade without a score (entered by hand) has a row of its own,
 * so the rows always add up to the trades given.
 */
import { type Breakdown, type ClosedTrade, breakdown } from "./trade-stats.ts";

export const SCORE_BANDS = 5;
export const NO_SCORE = "no score";

/** "0.60–0.80": the band a score in [0, 1] falls in (1.0 belongs to the top band). */
export function scoreBand(score: number): string {
  const band = Math.min(SCORE_BANDS - 1, Math.max(0, Math.floor(score * SCORE_BANDS)));
  return `${(band / SCORE_BANDS).toFixed(2)}–${((band + 1) / SCORE_BANDS).toFixed(2)}`;
}

export function scoreBuckets(trades: readonly ClosedTrade[]): Breakdown[] {
  const found = new Map(breakdown(trades, (t) => (typeof t.score === "number" ? scoreBand(t.score) : NO_SCORE)).map((row) => [row.key, row]));
  const rows: Breakdown[] = [];
  for (let band = SCORE_BANDS - 1; band >= 0; band--) {
    const key = scoreBand(band / SCORE_BANDS);
    rows.push(found.get(key) ?? { key, trades: 0, pnl: "0.00", winRatePct: null });
  }
  const unscored = found.get(NO_SCORE);
  if (unscored) rows.push(unscored);
  return rows;
}
