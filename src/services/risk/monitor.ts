/**
 * The daily-loss watch over the whole account (realized + unrealized, every position, this ET
 * trading day): at the warning level it alerts once; at the limit it halts new entries for the
 * rest of the day and escalates. The gate also refuses entries as soon as the account is past
 * the limit, so the halt does not wait for this check.
 */
import type { Sql } from "postgres";
import type { Bus } from "../../adapters/bus/bus.ts";
import type { BrokerAccount } from "../../adapters/broker/broker.ts";
import { etDate } from "../../domain/exchange-calendar.ts";
import { dailyLossStatus } from "../../domain/risk/daily-loss.ts";
import type { DailyLossStatus } from "../../domain/risk/types.ts";
import type { Logger } from "../../runtime/log.ts";
import { currentLimits } from "./gate.ts";
import { accountSnapshot } from "./market-view.ts";
import { haltDay, markLossWarning, recordStartEquity } from "./store.ts";

export interface LossCheckDeps {
  sql: Sql;
  bus: Bus;
  log: Logger;
}

export async function checkDailyLoss(deps: LossCheckDeps, account: BrokerAccount, now: number): Promise<DailyLossStatus> {
  const tradingDate = etDate(now);
  const limits = await currentLimits(deps.sql);
  const status = dailyLossStatus(accountSnapshot(account), limits);
  await recordStartEquity(deps.sql, tradingDate, account.lastEquity);
  const details = { tradingDate, pnl: status.pnl, lossUsedPct: status.lossUsedPct, maxDailyLoss: limits.maxDailyLoss };
  if (status.level === "halt") {
    const reason = `daily loss limit reached: today's P&L ${status.pnl} used ${status.lossUsedPct}% of the $${limits.maxDailyLoss} limit; no new entries until the next trading day`;
    if (await haltDay(deps.sql, tradingDate, reason, details)) {
      deps.log.error("daily loss halt", details);
      await deps.bus.publish("risk_alert", { level: "critical", kind: "daily_loss_halt", message: reason, ...details });
    }
  } else if (status.level === "warning") {
    const message = `daily loss warning: today's P&L ${status.pnl} has used ${status.lossUsedPct}% of the $${limits.maxDailyLoss} limit`;
    if (await markLossWarning(deps.sql, tradingDate, message, details)) {
      deps.log.warn("daily loss warning", details);
      await deps.bus.publish("risk_alert", { level: "warning", kind: "daily_loss_warning", message, ...details });
    }
  }
  return status;
}
