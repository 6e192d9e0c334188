/**
 * The cycle's next scheduled step as the trader should read it ("scan at 10:05"), from the same
 * state, day plan and market time the schedule (plan-tick) acts on. Times are approximate by up to
 * one workflow tick: the schedule acts on its ticks, not at the exact instant.
 */
import type { CycleState } from "./cycle-states.ts";
import type { DayPlan } from "./day-plan.ts";

export interface NextStepInput {
  state: CycleState;
  plan: DayPlan;
  /** The market's now, epoch ms. */
  now: number;
  scanEveryMinutes: number;
  /** Market instant of the cycle's latest scan; null before the first. */
  lastScanAt: number | null;
}

export interface NextStep {
  kind: "scan" | "flatten" | "close" | "none";
  /** When it is due (epoch ms); null when it waits on something other than the clock. */
  at: number | null;
  text: string;
}

const MINUTE_MS = 60_000;

export function nextStep(input: NextStepInput): NextStep {
  const { state, now } = input;
  const at = (instant: string) => Date.parse(instant);
  const [premarket, entriesFrom, entriesUntil, flattenAt] = [input.plan.premarketScanAt, input.plan.entriesFrom, input.plan.entriesUntil, input.plan.flattenAt].map(at) as [number, number, number, number];
  const flatten: NextStep = { kind: "flatten", at: flattenAt, text: "flatten every position" };

  if (state === "closed" || state === "error") return { kind: "none", at: null, text: `nothing: the cycle has ${state === "closed" ? "closed" : "stopped on an error"}` };
  if (state === "closing") return { kind: "close", at: null, text: "close the cycle once every position is flat" };
  if (now >= flattenAt) return { ...flatten, at: now };
  if (state === "halted") return { ...flatten, text: "flatten every position (halted: no new entries)" };
  if (now < premarket) return { kind: "scan", at: premarket, text: "premarket scan" };
  if (now >= entriesUntil) return { ...flatten, text: "flatten every position (entries have stopped for the day)" };

  const dueByPeriod = input.lastScanAt === null ? now : Math.max(now, input.lastScanAt + input.scanEveryMinutes * MINUTE_MS);
  // A scan from before the entry window is rescanned as it opens (plan-tick), so that is due too.
  const next = now < entriesFrom ? Math.min(dueByPeriod, entriesFrom) : dueByPeriod;
  if (next >= entriesUntil) return { ...flatten, text: "flatten every position (no scan is due before entries stop)" };
  return { kind: "scan", at: next, text: next >= entriesFrom ? "scan, then enter from it" : "scan (entries open later)" };
}
