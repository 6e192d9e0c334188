/** The limits and account the risk unit tests start from (SPEC §6 defaults, 25 % of equity per position). */
import type { AccountSnapshot, RiskLimits } from "../../src/domain/risk/types.ts";

export const TEST_LIMITS: RiskLimits = {
  maxOpenPositions: 5,
  maxPositionNotional: "10000",
  maxPositionPctEquity: "25",
  maxDailyLoss: "2000",
  dailyLossWarnPct: "75",
  maxSectorExposurePct: "40",
  minRewardRisk: "1.5",
  maxTradesPerDay: 20,
  riskPerTradePct: "1",
};

export const TEST_ACCOUNT: AccountSnapshot = { equity: "100000", lastEquity: "100000", buyingPower: "200000", tradingBlocked: false };
