/** The limits, account and entry the risk unit tests start from (SPEC §6 defaults, 25 % of equity per position). */
import type { AccountSnapshot, EntryRequest, RiskLimits } from "../../src/domain/risk/types.ts";

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

/** A long limit entry at 20.00, stop 19.50, target 21.00, sized by risk. */
export const TEST_LONG_ENTRY: EntryRequest = {
  symbol: "AAPL",
  direction: "long",
  orderType: "limit",
  limitPrice: "20.00",
  stopLoss: "19.50",
  takeProfit: "21.00",
  qty: null,
  sizeMultiplier: "1",
};
