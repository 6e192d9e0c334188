/** How much of the daily loss limit today has used: the whole account, realized + unrealized. */
import { compareDecimal, divideDecimal, maxDecimal, multiplyDecimal, subtractDecimal, type Decimal } from "../money.ts";
import { percentOf } from "./sizing.ts";
import type { AccountSnapshot, DailyLossStatus, RiskLimits } from "./types.ts";

/** Today's loss as a positive amount ("0" on a winning day). */
export function lossToday(account: AccountSnapshot): Decimal {
  return maxDecimal("0", subtractDecimal(account.lastEquity, account.equity));
}

export function dailyLossStatus(account: AccountSnapshot, limits: Pick<RiskLimits, "maxDailyLoss" | "dailyLossWarnPct">): DailyLossStatus {
  const loss = lossToday(account);
  // Levels compare exact amounts; the percentage is floored so 100 shows only once the halt applies.
  const lossUsedPct = Number(divideDecimal(multiplyDecimal(loss, "100"), limits.maxDailyLoss, 2, "floor"));
  const level =
    compareDecimal(loss, limits.maxDailyLoss) >= 0
      ? "halt"
      : compareDecimal(loss, percentOf(limits.maxDailyLoss, limits.dailyLossWarnPct)) >= 0
        ? "warning"
        : "ok";
  return { pnl: subtractDecimal(account.equity, account.lastEquity), lossUsedPct, level };
}
