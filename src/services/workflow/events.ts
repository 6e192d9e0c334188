/**
 * catalyst:cycle_update: published when what trading-cycle://current shows moves on — the cycle's
 * state, its scans, its entries, its halt — not on every tick (most ticks only wait).
 */
import type { Bus } from "../../adapters/bus/bus.ts";
import type { Cycle } from "./store.ts";

export function cycleChangePublisher(bus: Bus): (cycle: Cycle | null) => Promise<void> {
  let last: { cycleId: string; state: string; fingerprint: string } | null = null;
  return async (cycle) => {
    if (!cycle) return;
    const fingerprint = JSON.stringify([cycle.state, cycle.scans, cycle.entriesPlaced, cycle.haltReason, cycle.endedAt]);
    if (last?.cycleId === cycle.cycleId && last.fingerprint === fingerprint) return;
    const previousState = last?.cycleId === cycle.cycleId ? last.state : null;
    last = { cycleId: cycle.cycleId, state: cycle.state, fingerprint };
    await bus.publish("cycle_update", {
      cycleId: cycle.cycleId,
      tradingDate: cycle.tradingDate,
      state: cycle.state,
      previousState,
      scans: cycle.scans,
      entriesPlaced: cycle.entriesPlaced,
      haltReason: cycle.haltReason,
    });
  };
}
