/**
 * Our one order-status vocabulary, and how every Alpaca order status maps onto it.
 * An Alpaca status we do not know is an error, never guessed: a wrong guess could treat a
 * working order as dead (or a dead one as working) and the books would drift from the broker.
 */
import { compareDecimal, type Decimal } from "./money.ts";

export const ORDER_STATUSES = [
  "created",
  "submitted",
  "accepted",
  "partial_fill",
  "filled",
  "cancelled",
  "rejected",
  "expired",
  "replaced",
] as const;

/**
 * created: our row exists, the broker has not been called. submitted: sent, the broker has not
 * confirmed it is working. accepted: working at the broker, nothing filled. partial_fill: working
 * (or paused) with some quantity filled. The other five are final.
 */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ALPACA_ORDER_STATUSES = [
  "new",
  "pending_new",
  "accepted",
  "held",
  "partially_filled",
  "filled",
  "canceled",
  "expired",
  "done_for_day",
  "replaced",
  "pending_cancel",
  "pending_replace",
  "rejected",
  "suspended",
  "calculated",
  "stopped",
  "accepted_for_bidding",
] as const;

export type AlpacaOrderStatus = (typeof ALPACA_ORDER_STATUSES)[number];

const FROM_ALPACA: Record<AlpacaOrderStatus, OrderStatus> = {
  // Received and routed, not yet acknowledged by the execution venue: not known to be working.
  pending_new: "submitted",
  // Working at the venue.
  new: "accepted",
  // Received by Alpaca, not yet routed (typical outside market hours); it will work.
  accepted: "accepted",
  // A bracket/OTO leg waiting for its parent to fill: it exists and will work.
  held: "accepted",
  // Accepted by the exchange and being evaluated for pricing.
  accepted_for_bidding: "accepted",
  // A trade is guaranteed but has not happened: still open, no fill yet.
  stopped: "accepted",
  // Done for today; a GTC order works again tomorrow, so it is NOT final.
  done_for_day: "accepted",
  // Done for the day, settlement calculations pending: the final status follows.
  calculated: "accepted",
  // Not eligible for trading right now, but not dead either.
  suspended: "accepted",
  // A cancel or replace was requested: until the broker confirms, the order can still fill.
  pending_cancel: "accepted",
  pending_replace: "accepted",
  partially_filled: "partial_fill",
  filled: "filled",
  canceled: "cancelled",
  expired: "expired",
  // This order is dead; the replacing order (a new id) carries on.
  replaced: "replaced",
  rejected: "rejected",
};

export class UnknownAlpacaStatusError extends Error {
  constructor(readonly alpacaStatus: string) {
    super(`unknown Alpaca order status "${alpacaStatus}": add it to ALPACA_ORDER_STATUSES with a decided mapping`);
    this.name = "UnknownAlpacaStatusError";
  }
}

function isAlpacaOrderStatus(status: string): status is AlpacaOrderStatus {
  return Object.hasOwn(FROM_ALPACA, status);
}

export function mapAlpacaStatus(alpacaStatus: string): OrderStatus {
  if (!isAlpacaOrderStatus(alpacaStatus)) throw new UnknownAlpacaStatusError(alpacaStatus);
  return FROM_ALPACA[alpacaStatus];
}

/**
 * The status of an order as Alpaca reports it, refined by what has filled: an open order with a
 * filled quantity (pending_cancel, done_for_day… after a partial fill) is a partial fill to us,
 * since a position already exists from it.
 */
export function orderStatusFor(alpacaStatus: string, filledQty: Decimal): OrderStatus {
  const status = mapAlpacaStatus(alpacaStatus);
  return status === "accepted" && compareDecimal(filledQty, "0") > 0 ? "partial_fill" : status;
}

const TERMINAL: ReadonlySet<OrderStatus> = new Set<OrderStatus>(["filled", "cancelled", "rejected", "expired", "replaced"]);

/** The statuses that are not final, in order: what the books still hold as working (or not yet sent). */
export const LIVE_ORDER_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter((s) => !TERMINAL.has(s));

/** A final status: nothing more will fill and the broker will not change it again. */
export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

const PROGRESS: Record<OrderStatus, number> = {
  created: 0,
  submitted: 1,
  accepted: 2,
  partial_fill: 3,
  filled: 4,
  cancelled: 4,
  rejected: 4,
  expired: 4,
  replaced: 4,
};

/**
 * The status after a broker report. Reports arrive late, twice, or out of order (stream and
 * polling race), so a status only moves forward: a final status never changes, and an older
 * report (accepted after partial_fill) is ignored.
 */
export function advanceStatus(current: OrderStatus, reported: OrderStatus): OrderStatus {
  if (isTerminal(current)) return current;
  return PROGRESS[reported] >= PROGRESS[current] ? reported : current;
}
