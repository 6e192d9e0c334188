/**
 * The trading cycle's state machine (SPEC §6): created → scanning → trading → monitoring →
 * closing → closed, plus halted and error. Between scans and entries the cycle rests in monitoring.
 */
export const CYCLE_STATES = ["created", "scanning", "trading", "monitoring", "closing", "closed", "halted", "error"] as const;
export type CycleState = (typeof CYCLE_STATES)[number];

/** The states with an end time: nothing leaves them (the database's CHECK agrees). */
export const TERMINAL_STATES: readonly CycleState[] = ["closed", "error"];

const NEXT: Record<CycleState, readonly CycleState[]> = {
  // A cycle that reaches the flatten time before its first scan.
  created: ["scanning", "closing"],
  scanning: ["trading", "monitoring", "closing"],
  trading: ["monitoring", "closing"],
  monitoring: ["scanning", "trading", "closing"],
  closing: ["closed"],
  // Halted takes no new entries, but may hold positions: it still has to flatten and close.
  halted: ["closing"],
  closed: [],
  error: [],
};

export function isTerminal(state: CycleState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function canTransition(from: CycleState, to: CycleState): boolean {
  if (isTerminal(from) || from === to) return false;
  return to === "error" || to === "halted" || NEXT[from].includes(to);
}
