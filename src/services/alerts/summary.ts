/**
 * The end-of-day summary: the notifier's own tick asks the market's clock (the simulated venue's
 * fast clock too) and, once per trading day after the close, reads the day's P&L and trades from
 * reporting and the open issues from trading's doctor routes, then sends it.
 */
import type { Broker } from "../../adapters/broker/broker.ts";
import { performanceRoute } from "../../contracts/reporting.ts";
import { doctorStatusRoute } from "../../contracts/doctor.ts";
import { summaryDueDate } from "../../domain/alerts/summary-due.ts";
import type { DaySummary } from "../../domain/alerts/message.ts";
import type { IsoDate } from "../../domain/exchange-calendar.ts";
import { marketNow } from "../../runtime/broker.ts";
import type { ServiceClient } from "../../runtime/client.ts";
import { errorMessage } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import { repeatEvery } from "../../runtime/repeat.ts";
import type { Notifier } from "./notifier.ts";

export interface SummaryDeps {
  broker: Pick<Broker, "getClock">;
  client: ServiceClient;
  notifier: Notifier;
  log: Logger;
  tickSeconds: number;
}

export async function readDaySummary(client: ServiceClient, date: IsoDate): Promise<Omit<DaySummary, "notes">> {
  const missing: string[] = [];
  const [performance, doctor] = await Promise.all([
    client.call(performanceRoute, { query: { period: "day" } }).catch((error) => (missing.push(`P&L and trades (reporting: ${errorMessage(error)})`), null)),
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

export function startDaySummary(deps: SummaryDeps): { stop(): void } {
  // In memory: a restart after the close sends that day's summary again (said in the README).
  let lastSummarized: IsoDate | null = null;
  const tick = async () => {
    let now: number;
    try {
      now = await marketNow(deps.broker);
    } catch (error) {
      deps.log.warn("alerts: the market clock did not answer; the day's summary waits", { error: errorMessage(error) });
      return;
    }
    const date = summaryDueDate(now, lastSummarized);
    if (date === null) return;
    lastSummarized = date;
    await deps.notifier.summarize(await readDaySummary(deps.client, date));
  };
  return repeatEvery(deps.tickSeconds, tick);
}
