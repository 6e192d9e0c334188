/**
 * Putting a stop back on a position that has none working: after an exit the broker refused, a
 * close that could not finish, or shares left at the close. The stop is a GTC order of its own
 * (role stop_loss), its row written before the broker is called like every order.
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import { freshClientOrderId } from "../domain/orders/client-order-id.ts";
import { protectiveStopPrice } from "../domain/orders/protective-stop.ts";
import { orderSideFor, type PositionSide } from "../domain/order-side.ts";
import { compareDecimal, withoutZeroFraction, type Decimal } from "../domain/money.ts";
import { errorMessage } from "../runtime/errors.ts";
import { cancelAndSettle } from "./cancel-settle.ts";
import { recordAttempt } from "./exit-attempts.ts";
import { replaceLegs, workingLegs } from "./replace-legs.ts";
import { submitRecorded } from "./submit.ts";

export interface Protection {
  /** The working stop's order id, or null when none is needed (closed) or none could be placed (naked). */
  stopOrderId: number | null;
  /** The position closed meanwhile: nothing to protect. */
  closed: boolean;
  /** A stop works but for fewer shares than held, and could not be made to cover them all. */
  short: boolean;
  message: string;
}

/**
 * A working stop for fewer shares than it must cover (a partial close's exit was cancelled, so the
 * shares it was selling are held again): its legs are replaced for all of them.
 */
async function coverHeld(sql: Sql, broker: Broker, positionId: number, legs: Awaited<ReturnType<typeof workingLegs>>, held: Decimal, reason: string): Promise<{ short: boolean; message: string }> {
  const short = [legs.stop, legs.target].flatMap((leg) => (leg && compareDecimal(leg.qty, held) < 0 ? [{ leg, change: { qty: withoutZeroFraction(held) } }] : []));
  if (short.length === 0) return { short: false, message: `its stop (order ${legs.stop!.orderId}) is still working` };
  try {
    const done = await replaceLegs(sql, broker, positionId, short, "exits_resized", reason);
    return { short: false, message: `its stop covers all ${withoutZeroFraction(held)} shares again (${done.replaced.map((r) => r.detail).join("; ")})` };
  } catch (error) {
    return { short: true, message: `its stop (order ${legs.stop!.orderId}) covers only ${legs.stop!.qty} of ${withoutZeroFraction(held)} shares (${errorMessage(error)}): protect the rest at the broker` };
  }
}

const protecting = new Map<number, Promise<unknown>>();

/**
 * One protection decision per position at a time (every path that places a stop runs in the trading
 * service): two paths that both find no stop — protect_position and a partial close of an
 * unprotected position — must not both place one; the broker would refuse the second for the
 * shares the first holds, and that path would report the position unprotected.
 */
export async function oneProtectionAtATime<T>(positionId: number, decide: () => Promise<T>): Promise<T> {
  const run = (protecting.get(positionId) ?? Promise.resolve()).catch(() => undefined).then(decide);
  protecting.set(positionId, run);
  try {
    return await run;
  } finally {
    if (protecting.get(positionId) === run) protecting.delete(positionId);
  }
}

/**
 * `qty`: cover only this many shares (the rest of a partial close); default all that is held.
 * `takeProfit`: also a target sharing the shares — sent as an OCO pair (the limit is the parent, the
 * stop its leg), whose legs' rows are recorded from the broker's answer.
 */
export function protectPosition(sql: Sql, broker: Broker, positionId: number, reason: string, qty: Decimal | null = null, takeProfit: Decimal | null = null): Promise<Protection> {
  return oneProtectionAtATime(positionId, () => placeProtection(sql, broker, positionId, reason, qty, takeProfit));
}

/** protectPosition for a caller already deciding under oneProtectionAtATime. */
export async function placeProtection(sql: Sql, broker: Broker, positionId: number, reason: string, qty: Decimal | null = null, takeProfit: Decimal | null = null): Promise<Protection> {
  const [p] = await sql`select p.side, p.qty::text, p.stop_loss::text, p.last_price::text, p.avg_entry_price::text, p.security_id, p.cycle_id, s.symbol
                          from positions p join securities s using (security_id) where p.position_id = ${positionId} and p.status = 'open'`;
  if (!p) return { stopOrderId: null, closed: true, short: false, message: `position ${positionId} is closed; nothing to protect` };
  const side = orderSideFor(p.side as PositionSide, "close");
  const legs = await workingLegs(sql, positionId);
  if (legs.stop) return { stopOrderId: legs.stop.orderId, closed: false, ...(await coverHeld(sql, broker, positionId, legs, qty ?? p.qty, reason)) };
  // A target working without its stop (its stop was cancelled alone) holds the shares the stop needs: protection comes first.
  let targetNote = "";
  if (legs.target) {
    try {
      await cancelAndSettle(sql, broker, legs.target.brokerOrderId, []);
      targetNote = `; its target (order ${legs.target.orderId}) was cancelled to free the shares`;
    } catch (error) {
      return { stopOrderId: null, closed: false, short: false, message: `its target (order ${legs.target.orderId}) holds the shares and could not be cancelled (${errorMessage(error)}): the position is UNPROTECTED — place a stop or close it at the broker now` };
    }
  }

  const stopPrice = protectiveStopPrice(p.side as PositionSide, p.stop_loss, p.last_price, p.avg_entry_price);
  const clientOrderId = freshClientOrderId("stop");
  const stopQty = qty ?? withoutZeroFraction(String(p.qty));
  const [row] = takeProfit
    ? await sql`
    insert into orders (client_order_id, security_id, cycle_id, position_id, role, order_class, side, order_type, time_in_force, qty, limit_price, source, metadata)
    values (${clientOrderId}, ${p.security_id}, ${p.cycle_id}, ${positionId}, 'take_profit', 'oco', ${side}, 'limit', 'gtc', ${stopQty}, ${takeProfit},
            'catalyst', ${sql.json({ protectReason: reason, prices: { stopLoss: stopPrice, takeProfit } })})
    returning order_id`
    : await sql`
    insert into orders (client_order_id, security_id, cycle_id, position_id, role, order_class, side, order_type, time_in_force, qty, stop_price, source, metadata)
    values (${clientOrderId}, ${p.security_id}, ${p.cycle_id}, ${positionId}, 'stop_loss', 'simple', ${side}, 'stop', 'gtc', ${stopQty}, ${stopPrice},
            'catalyst', ${sql.json({ protectReason: reason })})
    returning order_id`;
  const sentOrderId = Number(row!.order_id);
  let stopOrderId = sentOrderId;
  try {
    const request = takeProfit
      ? { symbol: p.symbol, qty: stopQty, side, type: "limit" as const, timeInForce: "gtc" as const, orderClass: "oco" as const, limitPrice: takeProfit, takeProfit: { limitPrice: takeProfit }, stopLoss: { stopPrice }, clientOrderId }
      : { symbol: p.symbol, qty: stopQty, side, type: "stop" as const, timeInForce: "gtc" as const, orderClass: "simple" as const, stopPrice, clientOrderId };
    const sent = await submitRecorded(sql, broker, sentOrderId, request);
    if (sent.outcome.kind === "rejected") throw new Error(`the broker refused it: ${sent.outcome.message}`);
    if (takeProfit) {
      // The stop is the OCO's leg: its row was written from the broker's answer, linked to the target.
      const [leg] = await sql`select order_id from orders where parent_order_id = ${sentOrderId} and role = 'stop_loss'`;
      if (!leg) throw new Error(`the broker's answer for the OCO (order ${sentOrderId}) carried no stop leg`);
      stopOrderId = Number(leg.order_id);
    }
  } catch (error) {
    const why = errorMessage(error);
    await recordAttempt(sql, positionId, sentOrderId, "protect_failed", reason, why);
    return { stopOrderId: null, closed: false, short: false, message: `placing a protective stop at ${stopPrice} failed (${why}): the position is UNPROTECTED — place a stop or close it at the broker now` };
  }
  const withTarget = takeProfit ? ` with a target limit ${takeProfit} (OCO order ${sentOrderId})` : "";
  await recordAttempt(sql, positionId, stopOrderId, "protected", reason, `${side} stop ${stopQty} ${p.symbol} @ ${stopPrice} (GTC)${withTarget}${targetNote}`);
  return { stopOrderId, closed: false, short: false, message: `a protective stop was placed: ${side} ${stopQty} ${p.symbol} stop ${stopPrice} GTC (order ${stopOrderId})${withTarget}${targetNote}` };
}
