/**
 * One tick: load the live cycle from the database (so a restart resumes it), ask planTick what to do
 * at the market's time, and do it — scan, enter, flatten, close — moving the cycle's state as it goes.
 * A service that does not answer is retried on the next tick; it never puts the cycle in error.
 */
import type { Sql } from "postgres";
import type { Mode } from "../../config.ts";
import { riskStatusRoute } from "../../contracts/risk.ts";
import { runScanRoute, type ScanReport } from "../../contracts/scanner.ts";
import { flattenRoute, listPositionsRoute } from "../../contracts/trading.ts";
import { canTransition, type CycleState } from "../../domain/workflow/cycle-states.ts";
import { cycleHaltReason, haltable } from "../../domain/workflow/halt.ts";
import { planTick, RESTING_STATE, STEP_STATE, type TickStep } from "../../domain/workflow/plan-tick.ts";
import type { ServiceClient } from "../../runtime/client.ts";
import type { Logger } from "../../runtime/log.ts";
import { runEntryPass } from "./entries.ts";
import { errorMessage } from "../../runtime/errors.ts";
import { activeCycle, cycleById, haltCycle, moveCycle, type Cycle } from "./store.ts";

/** A full-universe scan takes seconds to tens of seconds. */
const SCAN_TIMEOUT_MS = 180_000;
const FLATTEN_TIMEOUT_MS = 30_000;
const END_OF_DAY_REASON = "end of day flatten";

export interface TickDeps {
  sql: Sql;
  client: ServiceClient;
  log: Logger;
  mode: Mode;
  /** The market's now, epoch ms. */
  marketNow(): Promise<number>;
}

export interface TickResult {
  cycle: Cycle | null;
  actions: string[];
}

export class CycleTicker {
  /** An entry pass cut short by an outage; held in memory, so after a restart the next scan takes over. */
  private unfinished: { cycleId: string; scan: ScanReport } | null = null;

  constructor(private readonly deps: TickDeps) {}

  async tick(): Promise<TickResult> {
    const { sql, mode, log } = this.deps;
    const cycle = await activeCycle(sql, mode);
    if (!cycle) return { cycle: null, actions: [] };
    if (!cycle.plan) return { cycle, actions: [`wait: ${cycle.tradingDate} has no trading session; stop this cycle`] };

    let now: number;
    try {
      now = await this.deps.marketNow();
    } catch (error) {
      log.warn("tick skipped: market clock unavailable", { error: errorMessage(error) });
      return { cycle, actions: [`wait: the market clock is unavailable (${errorMessage(error)}); retrying next tick`] };
    }

    const unfinished = this.unfinished?.cycleId === cycle.cycleId ? this.unfinished.scan : null;
    const run = new TickRun(this.deps, cycle, now, unfinished);
    // Risk blocks entries for the rest of the day: the cycle halts (it still flattens at the close).
    const haltReason = haltable(run.state) ? await this.riskHaltReason() : null;
    if (haltReason !== null) await run.halt(haltReason);
    // A step a restart cut short left the cycle scanning or trading: it rests before going on.
    if (run.state === "scanning" || run.state === "trading") await run.moveTo(RESTING_STATE);
    const steps = planTick({
      state: run.state,
      plan: cycle.plan,
      now,
      settings: cycle.settings,
      lastScanAt: cycle.lastScanAt === null ? null : Date.parse(cycle.lastScanAt),
      entriesPlaced: cycle.entriesPlaced,
      unfinishedEntryPass: unfinished !== null,
      openPositions: run.state === "closing" ? await this.openPositions() : null,
    });

    for (const step of steps) {
      if (!(await this.perform(run, step))) break;
    }
    if (run.actions.length > 0) log.info("tick", { cycleId: cycle.cycleId, state: run.state, actions: run.actions });
    return { cycle: await cycleById(sql, mode, cycle.cycleId), actions: run.actions };
  }

  /** Does one step; false when the rest of the tick must wait (a step failed, or the cycle moved under it). */
  private async perform(run: TickRun, step: TickStep): Promise<boolean> {
    const { client, log } = this.deps;
    const cycleId = run.cycle.cycleId;
    switch (step.kind) {
      case "scan": {
        if (!(await run.moveTo(STEP_STATE.scan))) return false;
        try {
          const report = await client.call(runScanRoute, { body: { mode: run.cycle.riskMode, cycleId } }, { timeoutMs: SCAN_TIMEOUT_MS });
          run.scan = report;
          this.unfinished = null;
          run.actions.push(`scan: ${report.candidates.length} candidate(s) (scan ${report.scanId})`);
        } catch (error) {
          log.warn("scan failed; retrying next tick", { cycleId, error: errorMessage(error) });
          run.actions.push(`scan failed: ${errorMessage(error)}; retrying next tick`);
          await run.moveTo(RESTING_STATE);
          return false;
        }
        return run.moveTo(RESTING_STATE);
      }
      case "enter": {
        const scan = run.scan;
        if (!scan || !(await run.moveTo(STEP_STATE.enter))) return false;
        const pass = await runEntryPass(this.deps, run.cycle, scan, step.slots);
        run.actions.push(...pass.actions);
        this.unfinished = pass.finished ? null : { cycleId, scan };
        return (await run.moveTo(RESTING_STATE)) && pass.finished;
      }
      case "flatten": {
        try {
          const report = await client.call(flattenRoute, { body: { reason: END_OF_DAY_REASON, trigger: "end_of_day" } }, { timeoutMs: FLATTEN_TIMEOUT_MS });
          const problems = report.problems.length > 0 ? `; problems: ${report.problems.join("; ")}` : "";
          run.actions.push(`flatten: ${report.cancelledOrders} order(s) cancelled, ${report.closingPositions} position(s) closing${problems}`);
        } catch (error) {
          log.warn("end-of-day flatten failed; retrying next tick", { cycleId, error: errorMessage(error) });
          run.actions.push(`flatten failed: ${errorMessage(error)}; retrying next tick`);
          return false;
        }
        return run.moveTo(STEP_STATE.flatten);
      }
      case "close":
        if (!(await run.moveTo(STEP_STATE.close))) return false;
        run.actions.push("closed: no open positions");
        return true;
      case "wait":
        run.actions.push(`wait: ${step.reason}`);
        return true;
    }
  }

  /** Null also when risk does not answer: the trading path refuses entries on its own, so the cycle is not halted on a guess. */
  private async riskHaltReason(): Promise<string | null> {
    try {
      return cycleHaltReason(await this.deps.client.call(riskStatusRoute, {}));
    } catch (error) {
      this.deps.log.warn("risk status unavailable; the cycle's halt check waits for the next tick", { error: errorMessage(error) });
      return null;
    }
  }

  private async openPositions(): Promise<number | null> {
    try {
      const { positions } = await this.deps.client.call(listPositionsRoute, { query: { status: "open" } });
      return positions.length;
    } catch (error) {
      this.deps.log.warn("open positions unknown: trading unavailable", { error: errorMessage(error) });
      return null;
    }
  }
}

/** One tick's view of its cycle: the state as this tick has moved it, the scan it works from, what it did. */
class TickRun {
  state: CycleState;
  readonly actions: string[] = [];

  constructor(
    private readonly deps: TickDeps,
    readonly cycle: Cycle,
    private readonly now: number,
    /** This tick's scan, or the one an unfinished entry pass resumes. */
    public scan: ScanReport | null,
  ) {
    this.state = cycle.state;
  }

  async halt(reason: string): Promise<void> {
    if (!(await haltCycle(this.deps.sql, this.cycle.cycleId, this.state, reason, this.now))) {
      this.actions.push(`stopped: the cycle could not halt from ${this.state} (it changed meanwhile)`);
      return;
    }
    this.state = "halted";
    this.actions.push(`halted: ${reason}; no new entries this cycle, positions are flattened before the close`);
  }

  /** Moves the cycle if it is still where this tick left it; false when a stop (or another writer) moved it first. */
  async moveTo(to: Exclude<CycleState, "error">): Promise<boolean> {
    if (this.state === to) return true;
    if (!canTransition(this.state, to) || !(await moveCycle(this.deps.sql, this.cycle.cycleId, this.state, to, this.now))) {
      this.actions.push(`stopped: the cycle could not move ${this.state} → ${to} (it changed meanwhile)`);
      return false;
    }
    this.state = to;
    return true;
  }
}
