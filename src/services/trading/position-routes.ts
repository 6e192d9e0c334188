/** Managing an open position's exits over REST: move the stop/target, attach a stop. Risk checks the prices first. */
import { checkExitsRoute, type ExitCheck } from "../../contracts/risk.ts";
import { adjustExitsRoute, protectPositionRoute } from "../../contracts/trading.ts";
import { adjustExits, attachStop, type ExitsResult } from "../../lifecycle/adjust.ts";
import type { Broker } from "../../adapters/broker/broker.ts";
import { BROKER_API, viaBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { ApiError } from "../../runtime/errors.ts";
import { mount, type ServiceApp } from "../../runtime/http.ts";
import { publishEffects } from "./events.ts";

function refused(check: ExitCheck): ApiError {
  const failed = check.verdicts.filter((v) => !v.ok);
  return new ApiError(422, "risk_rejected", `risk refused the new exits for position ${check.positionId}: ${failed.map((v) => `${v.rule}: ${v.detail}`).join("; ")}; nothing was changed`, failed[0]?.rule === "target_side" || failed[0]?.rule === "reward_risk" ? "takeProfit" : "stopLoss");
}

export function mountPositionRoutes(app: ServiceApp, ctx: ServiceContext, broker: Broker): void {
  const { sql, bus, log } = ctx;
  const answer = async (check: ExitCheck, result: ExitsResult) => {
    await publishEffects(bus, result.effects);
    const { effects: _, ...rest } = result;
    return { mode: ctx.config.mode, check, ...rest };
  };

  mount(app, adjustExitsRoute, async ({ params, body }) => {
    if (body.stopLoss === undefined && body.takeProfit === undefined) throw new ApiError(422, "validation_failed", "give stopLoss, takeProfit or both: nothing to change", "stopLoss");
    const exits = { ...(body.stopLoss !== undefined ? { stopLoss: body.stopLoss } : {}), ...(body.takeProfit !== undefined ? { takeProfit: body.takeProfit } : {}) };
    const check = await ctx.client.call(checkExitsRoute, { body: { positionId: params.id, exits } });
    if (!check.approved) throw refused(check);
    const prices = {
      ...(body.stopLoss !== undefined ? { stopLoss: check.prices.stopLoss } : {}),
      ...(body.takeProfit !== undefined ? { takeProfit: check.prices.takeProfit! } : {}),
    };
    const result = await viaBroker(() => adjustExits(sql, broker, params.id, prices, body.reason), BROKER_API);
    log.info("exits moved", { positionId: params.id, ...prices, reason: body.reason });
    return answer(check, result);
  });

  mount(app, protectPositionRoute, async ({ params, body }) => {
    const exits = { stopLoss: body.stopLoss, ...(body.takeProfit !== undefined ? { takeProfit: body.takeProfit } : {}) };
    const check = await ctx.client.call(checkExitsRoute, { body: { positionId: params.id, exits } });
    if (!check.approved) throw refused(check);
    const takeProfit = body.takeProfit !== undefined ? check.prices.takeProfit! : null;
    const result = await viaBroker(() => attachStop(sql, broker, params.id, check.prices.stopLoss, body.reason, takeProfit), BROKER_API);
    log.info("stop attached", { positionId: params.id, stopLoss: check.prices.stopLoss, takeProfit, reason: body.reason });
    return answer(check, result);
  });
}
