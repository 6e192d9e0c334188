/**
 * Moving an open position's stop and target, and giving an unprotected one a stop. Risk has
 * checked the prices first (POST /api/v1/risk/exits/check). A working leg is replaced in place
 * (replace-legs.ts), never cancelled and sent again, so there is no moment without a stop; a
 * position with no working stop gets one (protect.ts). The position's stop_loss/take_profit follow.
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import type { PositionView } from "../contracts/trading.ts";
import type { Decimal } from "../domain/money.ts";
import { ApiError } from "../runtime/errors.ts";
import type { ReportEffects } from "./apply-report.ts";
import { oneProtectionAtATime, placeProtection } from "./protect.ts";
import { replaceLegs, workingLegs, type ReplacedLeg } from "./replace-legs.ts";
import { positionById } from "./views.ts";

export interface ExitsResult {
  position: PositionView;
  replaced: ReplacedLeg[];
  /** The stop order placed when none was working (protect), else null. */
  placedStopOrderId: number | null;
  message: string;
  effects: ReportEffects[];
}

async function openPosition(sql: Sql, positionId: number): Promise<PositionView> {
  const position = await positionById(sql, positionId);
  if (!position) throw new ApiError(404, "position_not_found", `no position ${positionId}; list them with GET /api/v1/positions`, "id");
  if (position.status !== "open") throw new ApiError(409, "position_closed", `position ${positionId} is closed; nothing to change`, "id");
  return position;
}

async function closingExit(sql: Sql, positionId: number): Promise<void> {
  const [exit] = await sql`select order_id from orders where position_id = ${positionId} and role = 'exit' and status in ('created', 'submitted', 'accepted', 'partial_fill') limit 1`;
  if (exit) throw new ApiError(409, "position_closing", `position ${positionId} has exit order ${exit.order_id} working; wait for it to fill before changing its exits`, "id");
}

/** Moves the stop and/or the target of a position whose legs work at the broker. */
export async function adjustExits(sql: Sql, broker: Broker, positionId: number, prices: { stopLoss?: Decimal; takeProfit?: Decimal }, reason: string): Promise<ExitsResult> {
  await openPosition(sql, positionId);
  await closingExit(sql, positionId);
  const legs = await workingLegs(sql, positionId);
  if (prices.takeProfit !== undefined && !legs.target) {
    throw new ApiError(409, "no_working_target", `position ${positionId} has no take-profit order working at the broker to move; nothing was changed`, "takeProfit");
  }
  if (prices.stopLoss !== undefined && !legs.stop) {
    throw new ApiError(409, "no_working_stop", `position ${positionId} has no stop working at the broker; attach one with POST /api/v1/positions/${positionId}/protect (protect_position)`, "stopLoss");
  }
  const changes = [
    ...(prices.stopLoss !== undefined ? [{ leg: legs.stop!, change: { stopPrice: prices.stopLoss } }] : []),
    ...(prices.takeProfit !== undefined ? [{ leg: legs.target!, change: { limitPrice: prices.takeProfit } }] : []),
  ];
  const done = await replaceLegs(sql, broker, positionId, changes, "exits_moved", reason);
  await sql`update positions set stop_loss = coalesce(${prices.stopLoss ?? null}::numeric, stop_loss),
                                 take_profit = coalesce(${prices.takeProfit ?? null}::numeric, take_profit)
             where position_id = ${positionId}`;
  return {
    position: (await positionById(sql, positionId))!,
    replaced: done.replaced,
    placedStopOrderId: null,
    message: done.replaced.map((r) => r.detail).join("; "),
    effects: done.effects,
  };
}

/** Attaches a GTC stop to an open position (Catalyst's or external) that has none working. */
/** `takeProfit`: also a target, placed with the stop as one OCO pair. */
export async function attachStop(sql: Sql, broker: Broker, positionId: number, stopLoss: Decimal, reason: string, takeProfit: Decimal | null = null): Promise<ExitsResult> {
  // Checked and placed in one protection decision: a partial close placing its own stop meanwhile is seen.
  return oneProtectionAtATime(positionId, async () => {
    await openPosition(sql, positionId);
    await closingExit(sql, positionId);
    const legs = await workingLegs(sql, positionId);
    if (legs.stop) throw new ApiError(409, "already_protected", `position ${positionId} already has stop order ${legs.stop.orderId} at ${legs.stop.price}; move it with adjust_position`, "id");
    await sql`update positions set stop_loss = ${stopLoss}, take_profit = coalesce(${takeProfit}, take_profit) where position_id = ${positionId}`;
    const placed = await placeProtection(sql, broker, positionId, reason, null, takeProfit);
    if (placed.stopOrderId === null && !placed.closed) throw new ApiError(502, "protect_failed", placed.message);
    return { position: (await positionById(sql, positionId))!, replaced: [], placedStopOrderId: placed.stopOrderId, message: placed.message, effects: [] };
  });
}
