/**
 * Opening a position: risk gate and order row in one transaction (holding the day's risk lock),
 * then one broker call for the bracket (entry + stop loss + take profit, GTC), then its outcome
 * recorded. The row exists before the broker hears of the order; a retried request with the
 * same idempotency key gets the first order back, never a second one.
 */
import type { Sql } from "postgres";
import type { Broker, OrderRequest } from "../../adapters/broker/broker.ts";
import type { Mode } from "../../config.ts";
import type { OrderPlacement, PlaceOrderBody } from "../../contracts/trading.ts";
import { clientOrderIdForKey, freshClientOrderId } from "../../domain/orders/client-order-id.ts";
import { orderSideFor } from "../../domain/order-side.ts";
import { ApiError } from "../../runtime/errors.ts";
import { riskDecision, riskRejection } from "../risk/decision.ts";
import { entryRequestFrom } from "../risk/entry-request.ts";
import { cycleSizeMultiplier, evaluateAgainstBook, type EntryRuleSettings } from "../risk/gate.ts";
import { DEFAULT_FLATTEN_WINDOW_MINUTES } from "../../domain/flatten-window.ts";
import type { Decimal } from "../../domain/money.ts";
import { DEFAULT_EXIT_PARTICIPATION_PCT } from "../../domain/risk/sizing.ts";
import type { EntryMarketViews } from "../risk/market-view.ts";
import type { ReportEffects } from "../../lifecycle/apply-report.ts";
import { submitRecorded } from "../../lifecycle/submit.ts";
import { orderWithLegs } from "../../lifecycle/views.ts";

export interface PlacementDeps {
  sql: Sql;
  broker: Broker;
  views: EntryMarketViews;
  mode: Mode;
  priceBandPct: number;
  /**
   * TRADING_FLATTEN_MINUTES and RISK_EXIT_PARTICIPATION_PCT as configured (entryRuleSettings(config)
   * gives all three); absent, their defaults (15 minutes, 10 %).
   */
  flattenWindowMinutes?: number;
  exitParticipationPct?: Decimal;
}

function ruleSettings(deps: PlacementDeps): EntryRuleSettings {
  return {
    priceBandPct: deps.priceBandPct,
    flattenWindowMinutes: deps.flattenWindowMinutes ?? DEFAULT_FLATTEN_WINDOW_MINUTES,
    exitParticipationPct: deps.exitParticipationPct ?? DEFAULT_EXIT_PARTICIPATION_PCT,
  };
}

export interface PlacementResult {
  placement: OrderPlacement;
  effects: ReportEffects[];
}

async function existingPlacement(deps: PlacementDeps, clientOrderId: string): Promise<OrderPlacement | null> {
  const [row] = await deps.sql`select order_id, metadata -> 'risk' as risk from orders where client_order_id = ${clientOrderId}`;
  if (!row) return null;
  const { order, legs } = (await orderWithLegs(deps.sql, Number(row.order_id)))!;
  return {
    mode: deps.mode,
    outcome: "duplicate",
    order,
    legs,
    risk: row.risk ?? null,
    message: `this idempotency key already placed order ${order.orderId} (${order.status}); no new order was sent`,
  };
}

export async function placeEntry(deps: PlacementDeps, body: PlaceOrderBody): Promise<PlacementResult> {
  const { sql } = deps;
  const intent = entryRequestFrom(body, "1"); // validates before anything is read or asked
  const clientOrderId = body.idempotencyKey ? clientOrderIdForKey(body.idempotencyKey) : freshClientOrderId("entry");
  // Independent reads at once; a fresh random client order id cannot have been used before.
  const [earlier, sizeMultiplier, view] = await Promise.all([
    body.idempotencyKey ? existingPlacement(deps, clientOrderId) : null,
    cycleSizeMultiplier(sql, body.cycleId),
    deps.views.view(intent.symbol),
  ]);
  if (earlier) return { placement: earlier, effects: [] };
  const request = { ...intent, sizeMultiplier };
  const side = orderSideFor(request.direction, "open");

  const gated = await sql.begin(async (tx) => {
    const { evaluation, day } = await evaluateAgainstBook(tx, { request, view, settings: ruleSettings(deps) }, true);
    const decision = riskDecision(deps.mode, request, evaluation, view.now);
    if (!evaluation.approved || !evaluation.sizing) return { decision, orderId: null };
    const metadata = { risk: decision, evidence: body.evidence ?? {}, source: body.source, idempotencyKey: body.idempotencyKey ?? null };
    const [row] = await tx`
      with inserted as (
        insert into orders (client_order_id, security_id, cycle_id, role, order_class, side, order_type, time_in_force, qty,
                            limit_price, source, metadata)
        values (${clientOrderId}, get_or_create_security(${request.symbol}), ${body.cycleId ?? null}, 'entry', 'bracket', ${side},
                ${request.orderType}, 'gtc', ${evaluation.sizing.qty}, ${request.limitPrice}, 'catalyst', ${tx.json(metadata)})
        on conflict (client_order_id) do nothing
        returning order_id),
      counted as (
        update risk_daily_state set entries_count = entries_count + 1
         where trading_date = ${day.tradingDate} and exists (select 1 from inserted))
      select order_id from inserted`;
    return { decision, orderId: row ? Number(row.order_id) : null };
  });
  if (gated.orderId === null) {
    // Approved but the insert found the key taken: a concurrent request with the same key won.
    if (gated.decision.approved) {
      const concurrent = await existingPlacement(deps, clientOrderId);
      if (concurrent) return { placement: concurrent, effects: [] };
    }
    throw riskRejection(gated.decision);
  }

  const orderRequest: OrderRequest = {
    symbol: request.symbol,
    qty: String(gated.decision.sizing!.qty),
    side,
    type: request.orderType,
    timeInForce: "gtc",
    limitPrice: request.limitPrice ?? undefined,
    orderClass: "bracket",
    takeProfit: { limitPrice: request.takeProfit },
    stopLoss: { stopPrice: request.stopLoss },
    clientOrderId,
  };
  const { outcome, effects, recorded } = await submitRecorded(sql, deps.broker, gated.orderId, orderRequest);
  const { order, legs } = recorded
    ? { order: recorded.find((o) => o.orderId === gated.orderId)!, legs: recorded.filter((o) => o.parentOrderId === gated.orderId) }
    : (await orderWithLegs(sql, gated.orderId))!;
  if (outcome.kind === "rejected") {
    const status = outcome.retryAfterMs !== null ? 503 : 502;
    const code = outcome.retryAfterMs !== null ? "broker_rate_limited" : "broker_rejected";
    throw new ApiError(status, code, `the broker refused order ${gated.orderId}: ${outcome.message}. Nothing was placed; fix the cause and send a new request.`, undefined, {
      orderId: gated.orderId,
    });
  }
  const placement: OrderPlacement = {
    mode: deps.mode,
    outcome: outcome.kind === "submitted" ? "submitted" : "unknown",
    order,
    legs,
    risk: gated.decision,
    message:
      outcome.kind === "submitted"
        ? `bracket order ${order.orderId} is at the broker (${order.status}): ${order.side} ${order.qty} ${order.symbol}, stop ${request.stopLoss}, target ${request.takeProfit}`
        : `the broker's answer was lost (${outcome.reason}); order ${order.orderId} is being looked up by its client order id and will never be sent twice`,
  };
  return { placement, effects };
}
