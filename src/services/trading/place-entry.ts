/**
 * Opening a position: risk gate and order row in one transaction (holding the day's risk lock),
 * then one broker call for the bracket (entry + stop loss + take profit, GTC), then its outcome
 * recorded. The row exists before the broker hears of the order; a retried request with the
 * same idempotency key and terms gets the first order back, never a second one; the same key with
 * other terms is a 409 idempotency_conflict, and nothing is sent.
 */
import type { Sql } from "postgres";
import type { Broker, OrderRequest } from "../../adapters/broker/broker.ts";
import type { Mode } from "../../config.ts";
import type { OrderPlacement, PlaceOrderBody } from "../../contracts/trading.ts";
import { clientOrderIdForKey, freshClientOrderId } from "../../domain/orders/client-order-id.ts";
import { orderSideFor } from "../../domain/order-side.ts";
import { describeDifferences, differingTerms, type EntryTerms } from "../../domain/orders/entry-terms.ts";
import type { EntryRequest } from "../../domain/risk/types.ts";
import { ApiError } from "../../runtime/errors.ts";
import { riskDecision, riskRejection } from "../risk/decision.ts";
import { entryRequestFrom } from "../risk/entry-request.ts";
import { cycleSizeMultiplier, evaluateAgainstBook, type EntryRuleSettings } from "../risk/gate.ts";
import type { EntryMarketViews } from "../risk/market-view.ts";
import type { ReportEffects } from "../../lifecycle/apply-report.ts";
import { submitRecorded } from "../../lifecycle/submit.ts";
import { orderWithLegs } from "../../lifecycle/views.ts";

export interface PlacementDeps {
  sql: Sql;
  broker: Broker;
  views: EntryMarketViews;
  mode: Mode;
  /** The configured rule settings (entryRuleSettings(config)), the same risk's own gate uses. */
  rules: EntryRuleSettings;
}

export interface PlacementResult {
  placement: OrderPlacement;
  effects: ReportEffects[];
}

/** What this request asks for, after validation and tick rounding (what would be sent). */
function termsOf(request: EntryRequest, body: PlaceOrderBody): EntryTerms {
  return {
    symbol: request.symbol,
    side: request.direction,
    type: request.orderType,
    qty: request.qty,
    limitPrice: request.limitPrice,
    stopLoss: request.stopLoss,
    takeProfit: request.takeProfit,
    cycleId: body.cycleId ?? null,
  };
}

/**
 * The first order of an idempotency key: with the same terms it comes back as `duplicate`; with
 * other terms the request is refused, 409 idempotency_conflict naming the fields, nothing sent.
 * Terms are kept in the order's metadata; an order recorded before that is compared on its
 * columns and risk prices (its requested qty is not known, so qty is not compared).
 */
async function existingPlacement(deps: PlacementDeps, clientOrderId: string, key: string, terms: EntryTerms): Promise<OrderPlacement | null> {
  const [row] = await deps.sql`
    select o.order_id, o.metadata -> 'risk' as risk, o.metadata -> 'request' as request, s.symbol, o.side, o.order_type,
           o.limit_price::text as limit_price, o.cycle_id::text as cycle_id
      from orders o join securities s using (security_id) where o.client_order_id = ${clientOrderId}`;
  if (!row) return null;
  const first: EntryTerms = row.request ?? {
    symbol: row.symbol,
    side: row.side === "buy" ? "long" : "short",
    type: row.order_type,
    qty: undefined,
    limitPrice: row.limit_price,
    stopLoss: row.risk?.prices?.stopLoss ?? terms.stopLoss,
    takeProfit: row.risk?.prices?.takeProfit ?? terms.takeProfit,
    cycleId: row.cycle_id,
  };
  const orderId = Number(row.order_id);
  const differences = differingTerms(first, terms);
  if (differences.length > 0) {
    const fields = differences.map((d) => d.field);
    throw new ApiError(
      409,
      "idempotency_conflict",
      `idempotency key ${key} already placed order ${orderId} with other terms (${describeDifferences(differences)}); nothing was sent. ` +
        "Resend the same terms to get that order back, or use a new key for a different order",
      fields[0],
      { orderId, fields, differences },
    );
  }
  const { order, legs } = (await orderWithLegs(deps.sql, orderId))!;
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
  const terms = termsOf(intent, body);
  const [earlier, sizeMultiplier, view] = await Promise.all([
    body.idempotencyKey ? existingPlacement(deps, clientOrderId, body.idempotencyKey, terms) : null,
    cycleSizeMultiplier(sql, body.cycleId),
    deps.views.view(intent.symbol),
  ]);
  if (earlier) return { placement: earlier, effects: [] };
  const request = { ...intent, sizeMultiplier };
  const side = orderSideFor(request.direction, "open");

  const gated = await sql.begin(async (tx) => {
    const { evaluation, day } = await evaluateAgainstBook(tx, { request, view, settings: deps.rules }, true);
    const decision = riskDecision(deps.mode, request, evaluation, view.now);
    if (!evaluation.approved || !evaluation.sizing) return { decision, orderId: null };
    const metadata = { risk: decision, request: terms, evidence: body.evidence ?? {}, source: body.source, idempotencyKey: body.idempotencyKey ?? null };
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
    if (gated.decision.approved && body.idempotencyKey) {
      const concurrent = await existingPlacement(deps, clientOrderId, body.idempotencyKey, terms);
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
