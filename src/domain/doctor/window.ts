/** When the doctor sweeps: from 15 minutes before the open to 15 after the close, on trading days (09:15–16:15 ET on a full day). */
import { etDate, session } from "../exchange-calendar.ts";

const MARGIN_MS = 15 * 60_000;

/** The market-time window [opens, closes] of the day `marketNow` falls on, if it is open now; else null. */
export function sweepWindowAt(marketNow: number): { opens: number; closes: number } | null {
  const today = session(etDate(marketNow));
  if (!today) return null;
  const window = { opens: today.open - MARGIN_MS, closes: today.close + MARGIN_MS };
  return marketNow >= window.opens && marketNow <= window.closes ? window : null;
}

/** Whether a scheduled sweep is due at this market time, given the market time of the last one. */
export function sweepDue(marketNow: number, lastSweepMarketAt: number | null, intervalMs: number): boolean {
  if (!sweepWindowAt(marketNow)) return false;
  return lastSweepMarketAt === null || marketNow - lastSweepMarketAt >= intervalMs;
}
