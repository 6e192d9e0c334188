/** POST /api/v1/risk/exits/check: the position, the day's loss and the other trades' risk, judged by checkExitAdjustment. */
import type { Sql } from "postgres";
import type { Broker } from "../../adapters/broker/broker.ts";
import type { Mode } from "../../config.ts";
import type { ExitCheck } from "../../contracts/risk.ts";
import type { PriceInput } from "../../contracts/common.ts";
import { LIVE_ORDER_STATUSES } from "../../domain/order-status.ts";
import { sumDecimal, withoutZeroFraction, type Decimal } from "../../domain/money.ts";
import type { PositionSide } from "../../domain/order-side.ts";
import { lossToday } from "../../domain/risk/daily-loss.ts";
import { checkExitAdjustment } from "../../domain/risk/exit-adjustment.ts";
import { BROKER_API, viaBroker } from "../../runtime/broker.ts";
import { ApiError } from "../../runtime/errors.ts";
import { priceFrom } from "./entry-request.ts";
import { currentLimits, loadExposures } from "./gate.ts";
import { accountSnapshot } from "./market-view.ts";

export async function checkExits(
  deps: { sql: Sql; broker: Broker; mode: Mode; unprotectedLossPct: Decimal },
  positionId: number,
  exits: { stopLoss?: PriceInput; takeProfit?: PriceInput },
): Promise<ExitCheck> {
  const { sql } = deps;
  const [p] = await sql`
    select p.status, p.side, p.qty::text, coalesce(p.last_price, p.avg_entry_price)::text as price, p.take_profit::text, s.symbol,
           (select o.stop_price::text from orders o where o.position_id = p.position_id and o.role = 'stop_loss' and o.broker_order_id is not null
               and o.status = any(${LIVE_ORDER_STATUSES as string[]}) order by o.order_id desc limit 1) as working_stop
      from positions p join securities s using (security_id) where p.position_id = ${positionId}`;
  if (!p) throw new ApiError(404, "position_not_found", `no position ${positionId}; list them with GET /api/v1/positions`, "positionId");
  if (p.status !== "open") throw new ApiError(409, "position_closed", `position ${positionId} is closed; there is nothing to protect`, "positionId");
  const side = p.side as PositionSide;
  // A long's stop rounds down and its target up (further from the market), a short's the other way.
  const stopLoss = exits.stopLoss !== undefined ? priceFrom(exits.stopLoss, "exits.stopLoss", side === "long" ? "buy" : "sell") : p.working_stop;
  if (stopLoss === null) throw new ApiError(422, "validation_failed", `position ${positionId} has no working stop: exits.stopLoss is required`, "exits.stopLoss");
  const takeProfit = exits.takeProfit === undefined ? null : priceFrom(exits.takeProfit, "exits.takeProfit", side === "long" ? "sell" : "buy");
  const [account, limits, exposures] = await Promise.all([
    viaBroker(() => deps.broker.getAccount(), BROKER_API),
    currentLimits(sql),
    loadExposures(sql, deps.unprotectedLossPct),
  ]);
  const others = exposures.filter((e) => !(e.kind === "position" && e.symbol === p.symbol));
  const newTarget = takeProfit ?? p.take_profit ?? null;
  const check = checkExitAdjustment({
    side,
    qty: p.qty,
    price: p.price,
    currentStop: p.working_stop ?? null,
    newStop: stopLoss,
    newTarget,
    targetChanged: takeProfit !== null,
    lossToday: lossToday(accountSnapshot(account)),
    otherRiskToStop: sumDecimal(others.map((e) => e.riskToStop)),
    maxDailyLoss: limits.maxDailyLoss,
    minRewardRisk: limits.minRewardRisk,
  });
  return {
    mode: deps.mode,
    approved: check.approved,
    verdicts: check.verdicts,
    positionId,
    symbol: p.symbol,
    side,
    qty: withoutZeroFraction(p.qty),
    price: p.price,
    currentStop: p.working_stop ?? null,
    currentTarget: p.take_profit ?? null,
    prices: { stopLoss, takeProfit: newTarget },
    riskUsd: check.riskUsd,
    riskChangeUsd: check.riskChangeUsd,
    rewardRisk: check.rewardRisk,
  };
}
