/**
 * What the flattener does with one open position at the market's now: nothing before the flatten
 * window; an exit when none is working; wait while one works; and at the protect cutoff just before
 * the close (or after it), a working stop on whatever is left — never naked overnight.
 */
import type { FlattenWindow } from "../flatten-window.ts";

/** Shares left this close to the bell get their stop back: a day exit still working would expire at the close and leave them naked. */
export const PROTECT_LEAD_MS = 60_000;

export interface FlattenPositionState {
  holdOvernight: boolean;
  /** An exit order of ours is live (created, submitted, accepted, partially filled). */
  hasLiveExit: boolean;
  /** A stop order of ours is working at the broker for it. */
  hasWorkingStop: boolean;
}

export type FlattenAction = "none" | "exit" | "wait" | "protect";

export function flattenStep(now: number, window: FlattenWindow | null, position: FlattenPositionState): FlattenAction {
  if (window === null || now < window.opensAt || position.holdOvernight) return "none";
  if (now >= window.close - PROTECT_LEAD_MS) return position.hasLiveExit || !position.hasWorkingStop ? "protect" : "none";
  return position.hasLiveExit ? "wait" : "exit";
}
