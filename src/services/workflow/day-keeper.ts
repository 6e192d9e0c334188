/**
 * Day boundaries and autostart, run before each tick: a cycle of an earlier trading day is finished
 * (synced with the broker, its leftovers given a working stop, closed with its reason) so it never
 * blocks the new day; then, with CYCLE_AUTOSTART on, today's cycle is started — or why not is
 * recorded and told.
 */
import type { Bus } from "../../adapters/bus/bus.ts";
import type { Config } from "../../config.ts";
import { doctorIssuesRoute } from "../../contracts/doctor.ts";
import { riskStatusRoute } from "../../contracts/risk.ts";
import { protectPositionsRoute, syncRoute } from "../../contracts/trading.ts";
import { etDate } from "../../domain/exchange-calendar.ts";
import { autostartDecision, isPreviousDay, startDue, type TradingBlocks } from "../../domain/workflow/autostart.ts";
import type { DayPlan } from "../../domain/workflow/day-plan.ts";
import { MODE_SETTINGS } from "../../domain/workflow/mode-settings.ts";
import type { ScanMode } from "../../domain/scanner/modes.ts";
import type { ServiceClient } from "../../runtime/client.ts";
import { errorMessage } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { Sql } from "postgres";
import { dayRecord, recordDecision } from "./days.ts";
import { activeCycle, endCycle, insertCycle, isActiveCycleConflict, type Cycle } from "./store.ts";

const TRADING_TIMEOUT_MS = 30_000;

export interface DayKeeperDeps {
  sql: Sql;
  bus: Bus;
  client: ServiceClient;
  log: Logger;
  config: Config;
  /** Tells the cycle's new state (catalyst:cycle_update) after the boundary closed it or autostart started it. */
  cycleChanged(cycleId: string): Promise<void>;
}

export class DayKeeper {
  constructor(private readonly deps: DayKeeperDeps) {}

  /** Starts a cycle of `plan`'s day; null when another cycle became active first. */
  async startCycle(mode: ScanMode, plan: DayPlan, now: number): Promise<string | null> {
    try {
      return await insertCycle(this.deps.sql, { mode, config: { settings: MODE_SETTINGS[mode], plan }, atMs: now });
    } catch (error) {
      if (isActiveCycleConflict(error)) return null;
      throw error;
    }
  }

  /**
   * Ends `cycle`, of an earlier day than `now`'s: reconciles with the broker, makes sure whatever is
   * still open has a working stop (never naked), closes the cycle saying so. Throws when trading
   * cannot be reached: the cycle then stays as it was, to be finished on the next try.
   */
  async finishEarlierDay(cycle: Cycle, now: number): Promise<string> {
    const { client, sql, bus, log } = this.deps;
    const today = etDate(now);
    await client.call(syncRoute, {}, { timeoutMs: TRADING_TIMEOUT_MS });
    const protection = await client.call(protectPositionsRoute, { body: { reason: `day boundary: left from ${cycle.tradingDate}` } }, { timeoutMs: TRADING_TIMEOUT_MS });
    const held = protection.positions.length;
    const leftovers =
      held === 0
        ? "flat"
        : protection.naked === 0
          ? `${held} position(s) left open, each with a working stop (the doctor's not_flat_at_close issue escalates them)`
          : `${held} position(s) left open, ${protection.naked} WITHOUT a working stop: ${protection.positions.filter((p) => p.stopOrderId === null).map((p) => `${p.symbol} (${p.message})`).join("; ")}`;
    const reason = `${cycle.tradingDate} ended (${cycle.state}) when ${today} began: ${leftovers}`;
    if (protection.naked > 0) {
      await bus.publish("risk_alert", { level: "critical", kind: "naked_after_close", tradingDate: cycle.tradingDate, message: `${reason}; close or protect them now (GET /api/v1/positions)` });
    }
    if (!(await endCycle(sql, cycle.cycleId, cycle.state, reason, now))) {
      throw new Error(`cycle ${cycle.cycleId} changed while its day was being finished; retrying`);
    }
    await this.deps.cycleChanged(cycle.cycleId);
    log.info("cycle of an earlier day closed", { cycleId: cycle.cycleId, tradingDate: cycle.tradingDate, today, leftovers: held, naked: protection.naked });
    return reason;
  }

  /** The boundary and autostart at `now`; what was done, for the tick's actions. Never throws. */
  async beforeTick(now: number): Promise<string[]> {
    const { sql, config, log } = this.deps;
    const actions: string[] = [];
    try {
      let active = await activeCycle(sql, config.mode);
      if (active && isPreviousDay(active.tradingDate, now)) {
        actions.push(`day boundary: ${await this.finishEarlierDay(active, now)}`);
        active = null;
      }
      if (config.cycleAutostart === "off") return actions;
      const date = etDate(now);
      const today = await dayRecord(sql, date);
      const facts = { setting: config.cycleAutostart, now, flattenMinutes: config.trading.flattenWindowMinutes, active, today };
      // Risk and the doctor are asked only when a start is due, not on every tick of every day.
      if (startDue(facts).kind === "idle") return actions;
      const decision = autostartDecision({ ...facts, blocks: await this.blocks() });
      if (decision.kind === "start") {
        const cycleId = await this.startCycle(decision.mode, decision.plan, now);
        if (cycleId === null) return [...actions, "autostart: another cycle started first"];
        await recordDecision(sql, { tradingDate: date, decision: "started", reason: `autostart (${decision.mode})`, cycleId, atMs: now });
        await this.deps.cycleChanged(cycleId);
        log.info("cycle autostarted", { cycleId, riskMode: decision.mode, tradingDate: date });
        actions.push(`autostart: started ${date}'s cycle ${cycleId} (${decision.mode})`);
      } else if (decision.kind === "blocked" && !decision.told) {
        await recordDecision(sql, { tradingDate: date, decision: "blocked", reason: decision.reason, atMs: now });
        await this.deps.bus.publish("risk_alert", { level: "warning", kind: "autostart_blocked", tradingDate: date, message: `${date}'s cycle was not started: ${decision.reason}` });
        log.warn("autostart blocked", { tradingDate: date, reason: decision.reason });
        actions.push(`autostart blocked: ${decision.reason}`);
      }
    } catch (error) {
      log.warn("day boundary or autostart failed; retrying next tick", { error: errorMessage(error) });
      actions.push(`day boundary / autostart failed: ${errorMessage(error)}; retrying next tick`);
    }
    return actions;
  }

  /** Kill switch, daily-loss halt, critical doctor issues; null when risk or trading does not answer. */
  private async blocks(): Promise<TradingBlocks | null> {
    try {
      const [risk, doctor] = await Promise.all([this.deps.client.call(riskStatusRoute, {}), this.deps.client.call(doctorIssuesRoute, {})]);
      return {
        killSwitch: { active: risk.killSwitch.active, reason: risk.killSwitch.reason },
        dailyLossHalt: risk.halted,
        criticalIssues: doctor.issues.filter((i) => i.severity === "critical").map((i) => i.issueKey),
      };
    } catch (error) {
      this.deps.log.warn("autostart: risk or doctor status unavailable", { error: errorMessage(error) });
      return null;
    }
  }
}
