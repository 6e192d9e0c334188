/**
 * When a live cycle must halt: risk blocks entries for the rest of the day (the emergency stop, or
 * the daily-loss halt). A halted cycle takes no new entries; it still flattens before the close.
 */
import type { CycleState } from "./cycle-states.ts";

export interface RiskBlocks {
  killSwitch: { active: boolean; reason: string | null };
  halted: { reason: string } | null;
}

/** Why the cycle halts now, or null when entries may go on. */
export function cycleHaltReason(risk: RiskBlocks): string | null {
  if (risk.killSwitch.active) return `emergency stop: ${risk.killSwitch.reason ?? "no reason given"}`;
  if (risk.halted) return risk.halted.reason;
  return null;
}

/** Whether the state still takes entries, so a risk block must halt it. */
export function haltable(state: CycleState): boolean {
  return state === "created" || state === "scanning" || state === "trading" || state === "monitoring";
}
