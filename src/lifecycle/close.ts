/**
 * Closing positions, one live exit per position. The exit's row is claimed first, under the
 * position's row lock (and behind a partial unique index, should any path skip the lock), so a
 * second close from any path — REST, MCP, flatten, emergency stop, end of day — finds it and gets
 * it back instead of sending another. Then the protective legs are cancelled (the broker holds the
 * shares for them, and a leg left working could fill after the exit and reverse the position) and
 * the exit goes out for what is held. An exit the broker refuses leaves the position with a stop again.
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import type { CloseOutcome, OrderView, PositionView } from "../contracts/trading.ts";
import { freshClientOrderId } from "../domain/orders/client-order-id.ts";
import { orderSideFor, type OrderSide, type PositionSide } from "../domain/order-side.ts";
import { compareDecimal, subtractDecimal, withoutZeroFraction, type Decimal } from "../domain/money.ts";
import { LIVE_ORDER_STATUSES } from "../domain/order-status.ts";
import { ApiError, errorMessage } from "../runtime/errors.ts";
import type { ReportEffects } from "./apply-report.ts";
import { cancelAndSettle } from "./cancel-settle.ts";
import { recordAttempt } from "./exit-attempts.ts";
import { protectPosition } from "./protect.ts";
import { holdInFlight, submitRecorded } from "./submit.ts";
import { replaceLegs, workingLegs } from "./replace-legs.ts";
import { orderById, positionById } from "./views.ts";

const LIVE = LIVE_ORDER_STATUSES as readonly string[];

export interface CloseResult {
  outcome: CloseOutcome;
  position: PositionView;
  exitOrder: OrderView | null;
  message: string;
  effects: ReportEffects[];
}

type Claim = { kind: "claimed"; exitId: number; clientOrderId: string; side: OrderSide; symbol: string; partialQty: Decimal | null } | { kind: "working"; exitId: number } | { kind: "closed" };

/**
 * The exit's row, written under the position's lock: the one place an exit is decided. `qty` below
 * what is held makes it a partial exit; null (or all of it) a full one.
 */
async function claimExit(sql: Sql, positionId: number, closeReason: string, note: string, qty: Decimal | null): Promise<Claim> {
  return sql.begin(async (tx) => {
    const [p] = await tx`select p.status, p.side, p.qty::text, p.security_id, p.cycle_id, s.symbol from positions p join securities s using (security_id)
                          where p.position_id = ${positionId} for update of p`;
    if (!p) throw new ApiError(404, "position_not_found", `no position ${positionId}; list them with GET /api/v1/positions`, "id");
    if (p.status === "closed") return { kind: "closed" } as const;
    const [working] = await tx`select order_id from orders where position_id = ${positionId} and role = 'exit' and status = any(${LIVE as string[]}) limit 1`;
    if (working) return { kind: "working", exitId: Number(working.order_id) } as const;
    if (qty !== null && compareDecimal(qty, p.qty) > 0) {
      throw new ApiError(422, "qty_exceeds_position", `qty ${qty} is more than the ${withoutZeroFraction(p.qty)} shares position ${positionId} holds; close it whole without qty`, "qty");
    }
    const partial = qty !== null && compareDecimal(qty, p.qty) < 0;
    const side = orderSideFor(p.side as PositionSide, "close");
    const clientOrderId = freshClientOrderId("exit");
    const [exit] = await tx`
      insert into orders (client_order_id, security_id, cycle_id, position_id, role, order_class, side, order_type, time_in_force, qty, source, metadata)
      values (${clientOrderId}, ${p.security_id}, ${p.cycle_id}, ${positionId}, 'exit', 'simple', ${side}, 'market', 'day', ${partial ? qty : p.qty},
              'catalyst', ${tx.json({ closeReason, note, ...(partial ? { partialQty: qty } : {}) })})
      returning order_id`;
    return { kind: "claimed", exitId: Number(exit!.order_id), clientOrderId, side, symbol: p.symbol as string, partialQty: partial ? qty : null } as const;
  });
}

/** A claimed exit that will not be sent: closed, so the next close can claim again. */
async function dropClaim(sql: Sql, exitId: number, reason: string): Promise<void> {
  await sql`update orders set status = 'cancelled', cancelled_at = now(), cancel_reason = ${reason} where order_id = ${exitId} and status = 'created'`;
}

/**
 * closeReason: a code recorded on the position (manual_close, flatten, end_of_day, emergency_stop); note: the human's words;
 * qty: close only this many shares (a partial close; the rest keeps a stop sized to it).
 */
export async function closePosition(sql: Sql, broker: Broker, positionId: number, closeReason: string, note: string, qty: Decimal | null = null): Promise<CloseResult> {
  const claim = await claimExit(sql, positionId, closeReason, note, qty);
  if (claim.kind === "closed") {
    const position = (await positionById(sql, positionId))!;
    throw new ApiError(409, "position_closed", `position ${positionId} is already closed (${position.closeReason})`, "id");
  }
  if (claim.kind === "working") {
    const exitOrder = await orderById(sql, claim.exitId);
    const position = (await positionById(sql, positionId))!;
    // A full close that finds a partial close's exit working must not read as "will be flat": that exit leaves shares.
    const selling = exitOrder ? subtractDecimal(exitOrder.qty, exitOrder.filledQty) : null;
    const leaves = qty === null && selling !== null && compareDecimal(selling, position.qty) < 0
      ? `; it is a partial close selling ${withoutZeroFraction(selling)} of the ${withoutZeroFraction(position.qty)} shares held: close the rest once it has filled`
      : "";
    return { outcome: "already_closing", position, exitOrder, message: `already closing: exit order ${claim.exitId} is working for this position (${exitOrder?.status})${leaves}`, effects: [] };
  }

  // From the claim to the broker's answer: the sync must not settle this exit as never sent meanwhile.
  const send = claim.partialQty === null ? sendClaimedExit(sql, broker, positionId, claim, closeReason) : sendPartialExit(sql, broker, positionId, claim, closeReason);
  return holdInFlight(claim.clientOrderId, send);
}

/**
 * A partial close. The legs are not cancelled but replaced for the shares that remain (PATCH), so
 * the remainder is never without its stop and the broker frees exactly the shares being sold; a
 * position with no working stop gets one for the remainder first. Then the exit goes out for qty.
 */
async function sendPartialExit(sql: Sql, broker: Broker, positionId: number, claim: Extract<Claim, { kind: "claimed" }>, closeReason: string): Promise<CloseResult> {
  const effects: ReportEffects[] = [];
  const qty = claim.partialQty!;
  let protection: string;
  try {
    const [held] = await sql`select qty::text from positions where position_id = ${positionId} and status = 'open'`;
    if (!held) throw new ApiError(409, "position_closed", `position ${positionId} closed while the partial close began; nothing was sent`, "id");
    const remaining = withoutZeroFraction(subtractDecimal(held.qty, qty));
    // An entry's unfilled remainder could add shares the resized stop would not cover.
    const entries = await sql`select broker_order_id from orders where position_id = ${positionId} and role in ('entry', 'scale_in')
                               and broker_order_id is not null and status in ('submitted', 'accepted', 'partial_fill')`;
    for (const entry of entries) await cancelAndSettle(sql, broker, entry.broker_order_id, effects);
    let legs = await workingLegs(sql, positionId);
    let placed: string | null = null;
    if (!legs.stop) {
      // A protect_position racing this may have placed its pair first: then its legs are resized below.
      const guard = await protectPosition(sql, broker, positionId, "a partial close of an unprotected position", remaining);
      if (guard.stopOrderId === null) throw new ApiError(502, "protect_failed", `${guard.message}; the partial exit was not sent`);
      placed = guard.message;
      legs = await workingLegs(sql, positionId);
    }
    const resize = [legs.stop, legs.target].flatMap((leg) => (leg && compareDecimal(leg.qty, remaining) !== 0 ? [{ leg, change: { qty: remaining } }] : []));
    const resized = await replaceLegs(sql, broker, positionId, resize, "exits_resized", closeReason);
    effects.push(...resized.effects);
    const replacedStop = resized.replaced.find((r) => r.role === "stop_loss")?.toOrderId;
    protection = replacedStop !== undefined || placed === null
      ? `its stop was replaced for the ${remaining} shares that remain (order ${replacedStop ?? legs.stop?.orderId})`
      : placed;
  } catch (error) {
    await dropClaim(sql, claim.exitId, `not sent: preparing the partial close failed (${errorMessage(error)})`);
    // A leg already resized down would leave the shares that were to be sold uncovered: cover them all again.
    await protectPosition(sql, broker, positionId, "a partial close could not be prepared");
    throw error;
  }
  return sendExit(sql, broker, positionId, claim, qty, closeReason, effects, ` (partial; ${protection})`);
}

/**
 * Sends a claimed exit for `qty`. One the broker refuses leaves what is held with a stop for all of
 * it again (a partial close's resized stop is replaced back up).
 */
async function sendExit(sql: Sql, broker: Broker, positionId: number, claim: Extract<Claim, { kind: "claimed" }>, qty: Decimal, closeReason: string, effects: ReportEffects[], note: string): Promise<CloseResult> {
  const submitted = await submitRecorded(sql, broker, claim.exitId, {
    symbol: claim.symbol,
    qty,
    side: claim.side,
    type: "market",
    timeInForce: "day",
    orderClass: "simple",
    clientOrderId: claim.clientOrderId,
  });
  effects.push(...submitted.effects);
  if (submitted.outcome.kind === "rejected") {
    await recordAttempt(sql, positionId, claim.exitId, "exit_refused", closeReason, submitted.outcome.message);
    const protection = await protectPosition(sql, broker, positionId, `the broker refused exit ${claim.exitId}`);
    throw new ApiError(502, "broker_rejected", `the broker refused the exit for position ${positionId}: ${submitted.outcome.message}; ${protection.message}`);
  }
  await recordAttempt(sql, positionId, claim.exitId, "exit_sent", closeReason, `${claim.side} ${qty} ${claim.symbol} at market${note}`);
  const exitOrder = await orderById(sql, claim.exitId);
  const after = (await positionById(sql, positionId))!;
  return { outcome: "exit_sent", position: after, exitOrder, message: `exit order ${claim.exitId} sent: ${claim.side} ${qty} ${claim.symbol} at market${note}`, effects };
}

async function sendClaimedExit(sql: Sql, broker: Broker, positionId: number, claim: Extract<Claim, { kind: "claimed" }>, closeReason: string): Promise<CloseResult> {
  const effects: ReportEffects[] = [];
  try {
    // Legs, and an entry's unfilled remainder after a partial fill: nothing may add to or reverse the position later.
    const legs = await sql`select broker_order_id from orders where position_id = ${positionId} and role <> 'exit'
                            and broker_order_id is not null and status in ('submitted', 'accepted', 'partial_fill')`;
    for (const leg of legs) await cancelAndSettle(sql, broker, leg.broker_order_id, effects);
  } catch (error) {
    await dropClaim(sql, claim.exitId, `not sent: cancelling the protective legs failed (${errorMessage(error)})`);
    await protectPosition(sql, broker, positionId, "a close could not cancel the legs");
    throw error;
  }

  const [held] = await sql`select qty::text from positions where position_id = ${positionId} and status = 'open'`;
  if (!held) {
    await dropClaim(sql, claim.exitId, "not needed: a protective leg closed the position while the close cancelled it");
    const closed = (await positionById(sql, positionId))!;
    return { outcome: "closed_meanwhile", position: closed, exitOrder: null, message: `a protective leg filled while cancelling; the position closed (${closed.closeReason})`, effects };
  }
  // A leg may have filled in part while it was cancelled: the exit is for what is held now.
  await sql`update orders set qty = ${held.qty} where order_id = ${claim.exitId} and status = 'created'`;
  return sendExit(sql, broker, positionId, claim, withoutZeroFraction(String(held.qty)), closeReason, effects, "");
}

/** Cancels every entry working at the broker; returns how many, with what failed in `problems`. */
export async function cancelWorkingEntries(sql: Sql, broker: Broker, effects: ReportEffects[], problems: string[]): Promise<number> {
  const entries = await sql`select order_id, broker_order_id from orders where role = 'entry' and broker_order_id is not null
                             and status in ('submitted', 'accepted')`;
  let cancelled = 0;
  for (const entry of entries) {
    try {
      await cancelAndSettle(sql, broker, entry.broker_order_id, effects);
      cancelled++;
    } catch (error) {
      problems.push(`order ${entry.order_id}: ${errorMessage(error)}`);
    }
  }
  return cancelled;
}

export interface FlattenResult {
  cancelledOrders: number;
  closingPositions: number;
  problems: string[];
  effects: ReportEffects[];
}

/**
 * Cancels working entries (and marks entries not yet sent as never to be sent), closes every open
 * Catalyst position — the ones a trader marked holdOvernight too, unless `keepHeldOvernight` — and
 * reports what it could not do.
 */
export async function flattenAll(sql: Sql, broker: Broker, closeReason: string, note: string, keepHeldOvernight = false): Promise<FlattenResult> {
  const result: FlattenResult = { cancelledOrders: 0, closingPositions: 0, problems: [], effects: [] };
  result.cancelledOrders = await cancelWorkingEntries(sql, broker, result.effects, result.problems);
  const open = await sql`select position_id from positions where status = 'open' and source = 'catalyst'
                          and (not ${keepHeldOvernight} or not hold_overnight) order by position_id`;
  await Promise.all(
    open.map(async (p) => {
      try {
        const closed = await closePosition(sql, broker, Number(p.position_id), closeReason, note);
        result.effects.push(...closed.effects);
        result.closingPositions++;
      } catch (error) {
        if (error instanceof ApiError && error.code === "position_closed") return;
        result.problems.push(`position ${p.position_id}: ${errorMessage(error)}`);
      }
    }),
  );
  const external = await sql`select s.symbol from positions p join securities s using (security_id) where p.status = 'open' and p.source = 'external'`;
  for (const e of external) result.problems.push(`${e.symbol} is an external position (not opened by Catalyst); close it yourself at the broker`);
  return result;
}
