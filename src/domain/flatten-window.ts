/**
 * The flatten window: the last minutes of a session, on the exchange calendar (early closes too),
 * in which Catalyst takes no new entries and brings every position it opened to flat. Pure time
 * arithmetic; the trading service's flattener, risk's verdict and the cycle's plan all use it.
 */
import { etDate, session } from "./exchange-calendar.ts";

export const DEFAULT_FLATTEN_WINDOW_MINUTES = 15;
const MINUTE_MS = 60_000;

export interface FlattenWindow {
  /** The session's regular open. */
  open: number;
  /** From here on: no new entries, working entries cancelled, exits sent and chased. */
  opensAt: number;
  /** The session's close (13:00 ET on an early close). */
  close: number;
}

/** The window of the session on `epochMs`'s ET date, or null on a weekend or holiday. */
export function flattenWindowOf(epochMs: number, windowMinutes: number): FlattenWindow | null {
  const day = session(etDate(epochMs));
  if (!day) return null;
  return { open: day.open, opensAt: day.close - windowMinutes * MINUTE_MS, close: day.close };
}

/** True from the window's opening to the close of that session. */
export function inFlattenWindow(epochMs: number, windowMinutes: number): boolean {
  const window = flattenWindowOf(epochMs, windowMinutes);
  return window !== null && epochMs >= window.opensAt && epochMs < window.close;
}
