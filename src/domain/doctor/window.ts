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

/**
 * How long (wall ms) the doctor may go without completing a sweep before what relies on it fails
 * closed: two sweep periods, each the market interval at the market's speed (the simulated venue
 * may run faster than real time) plus one schedule tick (a sweep starts at the first tick it is due).
 */
export function doctorSilenceLimitMs(intervalMs: number, marketSpeed: number, tickMs: number): number {
  return 2 * (intervalMs / marketSpeed + tickMs);
}

/** What a watcher outside the doctor knows about its last completed sweep (wall-clock figures). */
export interface DoctorSilence {
  /** Wall ms since the last completed sweep; null: none has ever completed. */
  lastSweepAgoMs: number | null;
  /** When it completed (ISO), for the message. */
  lastSweepAt: string | null;
  /** Wall ms this watcher has been up: a fresh start gives the doctor time for its first sweep. */
  watchingForMs: number;
  limitMs: number;
  /** Market ms per wall ms (1 outside the simulator). */
  marketSpeed: number;
}

/**
 * Wall ms the doctor has been silent while it should have been sweeping, if past its limit; else
 * null. Only the time its window has been open counts (overnight is no gap), and only since the
 * watcher started.
 */
export function doctorSilentFor(marketNow: number, silence: DoctorSilence): number | null {
  const window = sweepWindowAt(marketNow);
  if (!window) return null;
  const windowOpenForMs = (marketNow - window.opens) / silence.marketSpeed;
  const silentMs = Math.min(silence.lastSweepAgoMs ?? Number.POSITIVE_INFINITY, windowOpenForMs, silence.watchingForMs);
  return silentMs > silence.limitMs ? silentMs : null;
}
