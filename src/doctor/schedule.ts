/**
 * The doctor inside `catalyst serve`: a sweep every 5 minutes of market time, from 15 minutes
 * before the open to 15 minutes after the close on trading days (09:15–16:15 ET on a full day),
 * with fixes on. The croner job ticks in real seconds and asks the market's clock, so the simulated
 * venue's fast clock is followed too. If sweeps stop succeeding for twice their period, the
 * dead-man alarm is logged and mailed straight away: it cannot rely on the database that failed.
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import type { Bus } from "../adapters/bus/bus.ts";
import type { Mailer } from "../adapters/mail/mailer.ts";
import type { Mode } from "../config.ts";
import { DEFAULT_THRESHOLDS } from "../domain/doctor/types.ts";
import { sweepDue } from "../domain/doctor/window.ts";
import { errorMessage } from "../runtime/errors.ts";
import type { Logger } from "../runtime/log.ts";
import { repeatEvery } from "../runtime/repeat.ts";
import { runSweep } from "./sweep.ts";

export interface DoctorScheduleDeps {
  sql: Sql;
  broker: Broker;
  mode: Mode;
  mailer: Mailer | null;
  /** Where the alerts notifier hears of new and resolved critical issues and the dead-man alarm. */
  bus: Pick<Bus, "publish"> | null;
  log: Logger;
  tickSeconds: number;
}

export function startDoctorSchedule(deps: DoctorScheduleDeps): { stop(): Promise<void> } {
  let lastSweepMarketAt: number | null = null;
  let lastSuccessWallAt = Date.now();
  let alarmed = false;
  let running: Promise<unknown> = Promise.resolve();

  const tick = async () => {
    let marketNow: number;
    try {
      marketNow = Date.parse((await deps.broker.getClock()).timestamp);
    } catch (error) {
      // No clock, no window: sweep anyway now and then, so the outage itself is reported.
      if (Date.now() - lastSuccessWallAt < DEFAULT_THRESHOLDS.sweepIntervalMs) return;
      marketNow = Number.NaN;
      deps.log.warn("doctor: the market clock did not answer; sweeping to report it", { error: errorMessage(error) });
    }
    if (!Number.isNaN(marketNow) && !sweepDue(marketNow, lastSweepMarketAt, DEFAULT_THRESHOLDS.sweepIntervalMs)) return;
    try {
      const { report } = await runSweep(deps.sql, deps.broker, { mode: deps.mode, trigger: "schedule", fix: true, mailer: deps.mailer, bus: deps.bus, log: deps.log });
      if (!Number.isNaN(marketNow)) lastSweepMarketAt = marketNow;
      lastSuccessWallAt = Date.now();
      alarmed = false;
      if (report.status !== "ok") deps.log.warn("doctor sweep found issues", { status: report.status });
    } catch (error) {
      deps.log.error("doctor sweep could not run", { error: errorMessage(error) });
      await deadMan();
    }
  };

  const deadMan = async () => {
    const silentMs = Date.now() - lastSuccessWallAt;
    if (alarmed || silentMs <= 2 * DEFAULT_THRESHOLDS.sweepIntervalMs) return;
    alarmed = true;
    const text = `No doctor sweep has succeeded for ${Math.round(silentMs / 60_000)} minutes: nothing is checking the database against the broker. Check the database and \`journalctl -u catalyst\`.`;
    deps.log.error("doctor dead-man alarm", { silentMinutes: Math.round(silentMs / 60_000) });
    await deps.bus?.publish("risk_alert", { level: "critical", kind: "dead_man", message: text });
    await deps.mailer?.send({ subject: "[catalyst] CRITICAL dead_man: the doctor's sweeps stopped", text }).catch((error: Error) => {
      deps.log.error("doctor dead-man e-mail failed", { error: error.message });
    });
  };

  const job = repeatEvery(deps.tickSeconds, () => (running = tick()), { firstAfterPeriod: true });
  return {
    async stop() {
      job.stop();
      await running.catch(() => undefined);
    },
  };
}
