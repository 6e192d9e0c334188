/**
 * The doctor inside `catalyst serve`: a sweep every 5 minutes of market time, from 15 minutes
 * before the open to 15 minutes after the close on trading days (09:15–16:15 ET on a full day),
 * with fixes on. The croner job ticks in real seconds and asks the market's clock, so the simulated
 * venue's fast clock is followed too.
 *
 * A sweep has one sweep period to finish; past that it is abandoned (logged, left to fail on the
 * pool's timeouts) and the schedule carries on. The dead-man runs on its own timer, outside the
 * loop it guards: when no sweep has completed for twice the period while sweeps are due, it logs
 * and mails the alarm straight away (it cannot rely on the database that failed). Risk refuses
 * entries on the same condition, by the database (see books_reconciled).
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import type { Bus } from "../adapters/bus/bus.ts";
import type { Mailer } from "../adapters/mail/mailer.ts";
import type { Mode } from "../config.ts";
import { DEFAULT_THRESHOLDS } from "../domain/doctor/types.ts";
import { sweepDue, sweepWindowAt } from "../domain/doctor/window.ts";
import { withDeadline } from "../runtime/deadline.ts";
import { errorMessage } from "../runtime/errors.ts";
import type { Logger } from "../runtime/log.ts";
import { repeatEvery } from "../runtime/repeat.ts";
import { runSweep } from "./sweep.ts";

/** How long stop() waits for a sweep in progress. */
const STOP_WAIT_MS = 5_000;

export interface DoctorScheduleDeps {
  sql: Sql;
  broker: Broker;
  mode: Mode;
  mailer: Mailer | null;
  /** Where the alerts notifier hears of issue changes and the dead-man alarm, and MCP sessions of issue changes. */
  bus: Pick<Bus, "publish"> | null;
  log: Logger;
  tickSeconds: number;
  /** Wall ms without a completed sweep (while sweeps are due) before the dead-man alarm; twice the sweep period. */
  silenceLimitMs: number;
}

export function startDoctorSchedule(deps: DoctorScheduleDeps): { stop(): Promise<void> } {
  let lastSweepMarketAt: number | null = null;
  let lastSuccessWallAt = Date.now();
  /** As of the last tick that read the clock (an unanswered clock: assume due, as the sweep then runs anyway). */
  let sweepsDue = true;
  let alarmed = false;
  let running: Promise<unknown> = Promise.resolve();
  const sweepDeadlineMs = deps.silenceLimitMs / 2;

  const tick = async () => {
    let marketNow: number;
    try {
      marketNow = Date.parse((await deps.broker.getClock()).timestamp);
      sweepsDue = sweepWindowAt(marketNow) !== null;
    } catch (error) {
      sweepsDue = true;
      // No clock, no window: sweep anyway now and then, so the outage itself is reported.
      if (Date.now() - lastSuccessWallAt < DEFAULT_THRESHOLDS.sweepIntervalMs) return;
      marketNow = Number.NaN;
      deps.log.warn("doctor: the market clock did not answer; sweeping to report it", { error: errorMessage(error) });
    }
    if (!Number.isNaN(marketNow) && !sweepDue(marketNow, lastSweepMarketAt, DEFAULT_THRESHOLDS.sweepIntervalMs)) return;
    try {
      const sweep = runSweep(deps.sql, deps.broker, { mode: deps.mode, trigger: "schedule", fix: true, mailer: deps.mailer, log: deps.log, bus: deps.bus });
      const { report } = await withDeadline(sweep, sweepDeadlineMs, "the doctor sweep");
      if (!Number.isNaN(marketNow)) lastSweepMarketAt = marketNow;
      lastSuccessWallAt = Date.now();
      alarmed = false;
      if (report.status !== "ok") deps.log.warn("doctor sweep found issues", { status: report.status });
    } catch (error) {
      // A hung sweep is abandoned here: the next tick starts a new one when it is due.
      deps.log.error("doctor sweep could not run", { error: errorMessage(error) });
    }
  };

  const deadMan = async () => {
    const silentMs = Date.now() - lastSuccessWallAt;
    if (alarmed || !sweepsDue || silentMs <= deps.silenceLimitMs) return;
    alarmed = true;
    const minutes = Math.round(silentMs / 60_000);
    const text = `No doctor sweep has succeeded for ${minutes} minutes: nothing is checking the database against the broker, and risk refuses new entries until one does. Check the database and \`journalctl -u catalyst\`.`;
    deps.log.error("doctor dead-man alarm", { silentMinutes: minutes, silentSeconds: Math.round(silentMs / 1000) });
    await deps.bus?.publish("risk_alert", { level: "critical", kind: "dead_man", message: text });
    await deps.mailer?.send({ subject: "[catalyst] CRITICAL dead_man: the doctor's sweeps stopped", text }).catch((error: Error) => {
      deps.log.error("doctor dead-man e-mail failed", { error: error.message });
    });
  };

  const job = repeatEvery(deps.tickSeconds, () => (running = tick()), { firstAfterPeriod: true });
  const watcher = setInterval(() => void deadMan(), deps.tickSeconds * 1000);
  watcher.unref();
  return {
    async stop() {
      job.stop();
      clearInterval(watcher);
      // A hung sweep does not hold up the shutdown: the pool's end cuts its connections.
      await withDeadline(running, STOP_WAIT_MS, "the doctor's last sweep").catch(() => undefined);
    },
  };
}
