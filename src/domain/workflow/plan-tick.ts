/**
 * One tick of the day's schedule: what the cycle should do now, decided from its state, the day
 * plan and the market's time alone. Performing the steps (and moving the state) is the service's job.
 */
import type { CycleState } from "./cycle-states.ts";
import type { DayPlan } from "./day-plan.ts";
import type { ModeSettings } from "./mode-settings.ts";

export interface TickInput {
  state: CycleState;
  plan: DayPlan;
  /** The market's now (the venue's clock in sim mode), epoch ms. */
  now: number;
  settings: ModeSettings;
  /** Market instant of the cycle's latest scan; null before the first. */
  lastScanAt: number | null;
  entriesPlaced: number;
  /** An entry pass cut short (trading unreachable) whose scan is still to be worked through. */
  unfinishedEntryPass: boolean;
  /** Open positions in the account: asked of trading only while closing; null when unknown. */
  openPositions: number | null;
}

export type TickStep =
  | { kind: "scan" }
  /** Place up to `slots` entries from the freshest scan. */
  | { kind: "enter"; slots: number }
  | { kind: "flatten" }
  | { kind: "close" }
  /** Nothing can be done yet; the reason says what is awaited. */
  | { kind: "wait"; reason: string };

/** The state a cycle is in while a step runs (scans and entries rest in monitoring afterwards). */
export const STEP_STATE = { scan: "scanning", enter: "trading", flatten: "closing", close: "closed" } as const satisfies Partial<Record<TickStep["kind"], CycleState>>;
export const RESTING_STATE = "monitoring" satisfies CycleState;

const MINUTE_MS = 60_000;

export function planTick(input: TickInput): TickStep[] {
  const { state, now } = input;
  const at = (instant: string) => Date.parse(instant);
  const plan = {
    premarketScanAt: at(input.plan.premarketScanAt),
    entriesFrom: at(input.plan.entriesFrom),
    entriesUntil: at(input.plan.entriesUntil),
    flattenAt: at(input.plan.flattenAt),
    close: at(input.plan.close),
  };

  if (state === "closed" || state === "error") return [];
  if (state === "closing") return closingSteps(input.openPositions, now >= plan.close);
  // Flatten once: the step moves the cycle to closing, which never flattens again.
  if (now >= plan.flattenAt) return [{ kind: "flatten" }];
  if (state === "halted" || now < plan.premarketScanAt || now >= plan.entriesUntil) return [];

  const inEntryWindow = now >= plan.entriesFrom;
  const last = input.lastScanAt;
  const scanDue =
    last === null ||
    now - last >= input.settings.scanEveryMinutes * MINUTE_MS ||
    // Levels from before the entry window are stale by the time entries open: scan again first.
    (inEntryWindow && last < plan.entriesFrom);
  const slots = input.settings.maxEntries - input.entriesPlaced;

  const steps: TickStep[] = [];
  if (scanDue) steps.push({ kind: "scan" });
  // Entries come only from a scan taken this tick (fresh levels) or from a pass an outage cut short.
  if (inEntryWindow && slots > 0 && (scanDue || input.unfinishedEntryPass)) steps.push({ kind: "enter", slots });
  return steps;
}

function closingSteps(openPositions: number | null, afterClose: boolean): TickStep[] {
  if (openPositions === 0) return [{ kind: "close" }];
  if (openPositions === null) return [{ kind: "wait", reason: "open positions unknown (trading did not answer); the cycle stays closing until they are known to be flat" }];
  return [
    {
      kind: "wait",
      reason: afterClose
        ? `the session has closed with ${openPositions} position(s) still open; the cycle stays closing until they are flat — check them in trading (GET /api/v1/positions) and close them`
        : `waiting for ${openPositions} position(s) to close after the flatten`,
    },
  ];
}
