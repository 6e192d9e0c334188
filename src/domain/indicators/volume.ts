/** Volume measures the library does not offer: session-anchored VWAP and relative volume. */
import { VWAP } from "technicalindicators";
import { etDate, etInstant } from "../exchange-calendar.ts";
import { finiteOrNull, toSeries, type OhlcvBar } from "./bars.ts";

/** Bars before the last one that relative volume averages over. */
export const REL_VOLUME_LOOKBACK = 20;

/**
 * session: the bars of the last bar's ET trading day (intraday VWAP restarts each session);
 * window: every bar given (daily bars, where a session is one bar).
 */
export type VwapAnchor = "session" | "window";

/** Index of the first bar starting at or after `instant` (bars oldest first); a binary search, as parsing every timestamp is costly. */
function firstAtOrAfter(bars: readonly OhlcvBar[], instant: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Date.parse(bars[mid]!.timestamp) < instant) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Σ(typical price × volume) / Σ volume over the anchored bars; null without volume. */
export function anchoredVwap(bars: readonly OhlcvBar[], anchor: VwapAnchor): number | null {
  const last = bars.at(-1);
  if (!last) return null;
  const first = anchor === "session" ? firstAtOrAfter(bars, etInstant(etDate(Date.parse(last.timestamp)), "00:00")) : 0;
  const { high, low, close, volume } = toSeries(bars.slice(first));
  return finiteOrNull(VWAP.calculate({ high, low, close, volume }).at(-1));
}

/** The last bar's volume over the mean volume of the 20 bars before it; null with fewer bars or no volume. */
export function relativeVolume(volumes: readonly number[]): number | null {
  const last = volumes.at(-1);
  if (last === undefined || volumes.length < REL_VOLUME_LOOKBACK + 1) return null;
  const previous = volumes.slice(-REL_VOLUME_LOOKBACK - 1, -1);
  const mean = previous.reduce((sum, v) => sum + v, 0) / REL_VOLUME_LOOKBACK;
  return mean > 0 ? last / mean : null;
}
