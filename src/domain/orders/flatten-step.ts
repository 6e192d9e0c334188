/**
 * What the flattener does with one open position at the market's now:
 * - in the session, at any hour: an exit whose remainder has not filled for `stallMs` leaves the
 *   shares without a stop (the legs were cancelled to free them), so the remainder gets its stop
 *   back; the close it belonged to is then sent again, `retryMs` later (at once in the window): a
 *   full close for all, a partial close for the shares it still owes (exitToSend);
 * - in the flatten window: an exit when none is working, wait while one works;
 * - at the protect cutoff just before the close (or after it): a working stop on whatever is left,
 *   never naked overnight;
 * - at any hour with no exit working: a stop covering fewer shares than held (a partial close whose
 *   exit the broker refused after accepting it) is made to cover them all ("cover").
 */
import type { FlattenWindow } from "../flatten-window.ts";
import { compareDecimal, subtractDecimal, type Decimal } from "../money.ts";

/** Shares left this close to the bell get their stop back: a day exit still working would expire at the close and leave them naked. */
export const PROTECT_LEAD_MS = 60_000;
/** Default market time an exit may go without a fill before its remainder is protected again. */
export const DEFAULT_EXIT_STALL_MS = 10_000;

export interface ExitTiming {
  /** Market ms without a fill after which a working exit's remainder gets its stop back. */
  stallMs: number;
  /** Market ms after that stop before the close is sent again (outside the window). */
  retryMs: number;
}

export function exitTiming(stallMs = DEFAULT_EXIT_STALL_MS): ExitTiming {
  return { stallMs, retryMs: 2 * stallMs };
}

export interface FlattenPositionState {
  holdOvernight: boolean;
  /** An exit order of ours is live (created, submitted, accepted, partially filled). */
  hasLiveExit: boolean;
  /** A stop order of ours is working at the broker for it. */
  hasWorkingStop: boolean;
  /** Market ms since the live exit last filled (or started working at the broker); null when none works there. */
  exitIdleMs: number | null;
  /** Market ms since a stalled close's remainder got its stop back, while that close is still owed; else null. */
  closeOwedForMs: number | null;
  /** Its working stops cover fewer shares than it holds. */
  stopShort?: boolean;
}

/** `reprotect`: cancel the stalled exit, stop on the remainder; `protect`: the same at the close cutoff; `cover`: resize the stop to what is held. */
export type FlattenAction = "none" | "exit" | "wait" | "reprotect" | "protect" | "cover";

export function flattenStep(now: number, window: FlattenWindow | null, position: FlattenPositionState, timing: ExitTiming = exitTiming()): FlattenAction {
  if (window === null) return "none";
  const flattening = now >= window.opensAt && !position.holdOvernight;
  const owed = position.closeOwedForMs !== null;
  if (now >= window.close - PROTECT_LEAD_MS) {
    // A day exit still working expires at the bell, held overnight or not.
    if (position.hasLiveExit) return "protect";
    if ((flattening || owed) && !position.hasWorkingStop) return "protect";
    return position.stopShort ? "cover" : "none";
  }
  if (now < window.open) return "none";
  if (position.hasLiveExit) return position.exitIdleMs !== null && position.exitIdleMs >= timing.stallMs ? "reprotect" : "wait";
  if (flattening) return "exit";
  if (position.stopShort) return "cover";
  return owed && position.closeOwedForMs! >= timing.retryMs ? "exit" : "none";
}

/** What a partial close's exit, cancelled after `filledQty` of its `qty` sold, still owes the trader; null when nothing. */
export function stillOwed(qty: Decimal, filledQty: Decimal): Decimal | null {
  const owed = subtractDecimal(qty, filledQty);
  return compareDecimal(owed, "0") > 0 ? owed : null;
}

/** The exit an "exit" step sends: all that is held, or the shares a stalled partial close still owes. */
export type ExitToSend = { kind: "all" } | { kind: "partial"; qty: Decimal } | { kind: "dropped"; why: string };

/**
 * `owedQty`: what the last close, a partial one whose exit stalled, still owes (null when the last
 * close was a full one). In the window a position not held overnight is closed whole; otherwise
 * the owed shares are sold, never all of what is held (the trader asked to keep the rest) — shares
 * gone meanwhile leave nothing to sell, and the trader is told.
 */
export function exitToSend(now: number, window: FlattenWindow, holdOvernight: boolean, held: Decimal, owedQty: Decimal | null): ExitToSend {
  if ((now >= window.opensAt && !holdOvernight) || owedQty === null) return { kind: "all" };
  if (compareDecimal(owedQty, "0") <= 0) return { kind: "dropped", why: "the partial close owes no shares" };
  if (compareDecimal(owedQty, held) >= 0) {
    return { kind: "dropped", why: `its partial close still owed ${owedQty} shares but only ${held} are held: selling them would close it whole, which was not asked; close it yourself if meant` };
  }
  return { kind: "partial", qty: owedQty };
}
