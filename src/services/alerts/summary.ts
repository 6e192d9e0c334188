/**
 * The end-of-day summary: the notifier's own tick asks the market's clock (the simulated venue's
 * fast clock too) and, once per trading day after the close (alert_day_summaries holds which went),
 * reads that day's P&L and trades from reporting and the open issues from trading's doctor routes,
 * then sends it.
 */
import type { Sql } from "postgres";
import type { Broker } from "../../adapters/broker/broker.ts";
import { performanceRoute } from "../../contracts/reporting.ts";
import { doctorStatusRoute } from "../../contracts/doctor.ts";
import { summaryPlan } from "../../domain/alerts/summary-due.ts";
import type { DaySummary } from "../../domain/alerts/message.ts";
import { etDate, type IsoDate } from "../../domain/exchange-calendar.ts";
import { marketNow } from "../../runtime/broker.ts";
import type { ServiceClient } from "../../runtime/client.ts";
import { errorMessage } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import { repeatEvery } from "../../runtime/repeat.ts";
import type { Notifier } from "./notifier.ts";
import { claimSummary, markSummarySent, oweSummary, summaryRecords } from "./summary-store.ts";

/** How long a stop waits for a summary being sent. */
const STOP_GRACE_MS = 10_000;

export interface SummaryDeps {
  sql: Sql;
  broker: Pick<Broker, "getClock">;
  client: ServiceClient;
  notifier: Notifier;
  log: Logger;
  tickSeconds: number;
}

export async function readDaySummary(client: ServiceClient, date: IsoDate): Promise<Omit<DaySummary, "notes">> {
  const missing: string[] = [];
  const [performance, doctor] = await Promise.all([
    client.call(performanceRoute, { query: { period: "day", date } }).catch((error) => (missing.push(`P&L and trades (reporting: ${errorMessage(error)})`), null)),
    client.call(doctorStatusRoute, {}).catch((error) => (missing.push(`open issues (trading: ${errorMessage(error)})`), null)),
  ]);
  return {
    date,
    realizedPnl: performance?.realizedPnl ?? "unknown",
    unrealizedPnl: performance?.unrealizedPnl ?? "unknown",
    trades: performance?.trades ?? 0,
    wins: performance?.wins ?? 0,
    losses: performance?.losses ?? 0,
    openIssues: doctor?.openIssues ?? { critical: 0, warning: 0 },
    missing,
  };
}

/** Looks at the market's clock every tick: records today as owed, then claims and sends each due summary. */
export function startDaySummary(deps: SummaryDeps): { stop(): Promise<void> } {
  const tick = async () => {
    let now: number;
    try {
      now = await marketNow(deps.broker);
    } catch (error) {
      deps.log.warn("alerts: the market clock did not answer; the day's summary waits", { error: errorMessage(error) });
      return;
    }
    try {
      const plan = summaryPlan(now, await summaryRecords(deps.sql, etDate(now)));
      if (plan.owe) await oweSummary(deps.sql, plan.owe, now);
      for (const date of plan.send) {
        if (!(await claimSummary(deps.sql, date))) continue;
        await deps.notifier.summarize(await readDaySummary(deps.client, date));
        await markSummarySent(deps.sql, date, now);
      }
    } catch (error) {
      deps.log.warn("alerts: the day's summary could not be checked or recorded; it waits for the next look", { error: errorMessage(error) });
    }
  };
  let running: Promise<void> | null = null;
  const job = repeatEvery(deps.tickSeconds, () => (running = tick()));
  return {
    async stop() {
      job.stop();
      // A summary being sent is marked sent before the pool closes (else, after its lease, it would
      // go again), but a dead channel's retries must not hold up a shutdown.
      const settled = await Promise.race([running?.then(() => true) ?? true, Bun.sleep(STOP_GRACE_MS).then(() => false)]);
      if (!settled) deps.log.warn("stopping while a day's summary is still being sent; it may go again after its claim lapses");
    },
  };
}
