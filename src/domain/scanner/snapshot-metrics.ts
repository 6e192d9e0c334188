/** What a scan reads off one snapshot: price, moves since the last close, volume pace, staleness. */
import type { Snapshot } from "../../adapters/broker/broker.ts";
import { etDate, session } from "../exchange-calendar.ts";
import { expectedVolumeShare } from "./volume-profile.ts";

export interface SnapshotMetrics {
  symbol: string;
  price: number;
  prevClose: number;
  /** Today's open vs the previous close, %; null before today's first regular bar. */
  gapPct: number | null;
  /** Last price vs the previous close, %. */
  changePct: number;
  dayVolume: number;
  prevDayVolume: number;
  /** Today's volume against the previous day's at the same point of the profile; refined later with the 20-day average. */
  paceRelativeVolume: number;
  /** ms since the last trade, at the scan's instant. */
  lastTradeAgeMs: number;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** null when the snapshot cannot be priced (no trade, or no previous close to measure from). */
export function snapshotMetrics(snapshot: Snapshot, nowMs: number): SnapshotMetrics | null {
  const trade = snapshot.latestTrade;
  const prev = snapshot.prevDailyBar;
  if (!trade || !prev || !(trade.price > 0) || !(prev.close > 0)) return null;
  const today = etDate(nowMs);
  // Alpaca stamps daily bars at midnight ET of their day: only today's bar says anything about today.
  const daily = snapshot.dailyBar && etDate(Date.parse(snapshot.dailyBar.timestamp)) === today ? snapshot.dailyBar : null;
  const dayVolume = daily?.volume ?? 0;
  return {
    symbol: snapshot.symbol,
    price: trade.price,
    prevClose: prev.close,
    gapPct: daily ? round(((daily.open - prev.close) / prev.close) * 100, 4) : null,
    changePct: round(((trade.price - prev.close) / prev.close) * 100, 4),
    dayVolume,
    prevDayVolume: prev.volume,
    paceRelativeVolume: prev.volume > 0 ? round(dayVolume / (prev.volume * volumeShareAt(nowMs)), 4) : 0,
    lastTradeAgeMs: Math.max(0, nowMs - Date.parse(trade.timestamp)),
  };
}

/** The expected share of a full day's volume traded by `nowMs` (early closes respected). */
export function volumeShareAt(nowMs: number): number {
  const today = session(etDate(nowMs));
  if (!today) return 1;
  return expectedVolumeShare((nowMs - today.open) / 60_000, (today.close - today.open) / 60_000);
}

/** Relative volume against a proper average daily volume, paced by the intraday profile. */
export function relativeVolume(dayVolume: number, averageDailyVolume: number, nowMs: number): number | null {
  if (!(averageDailyVolume > 0)) return null;
  return round(dayVolume / (averageDailyVolume * volumeShareAt(nowMs)), 4);
}
