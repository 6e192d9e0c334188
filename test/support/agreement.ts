/** Whether the database and the venue agree on every order and position (after a sync). */
import { orderStatusFor } from "../../src/domain/order-status.ts";
import type { TestAppliance } from "./appliance.ts";

export interface AgreementScope {
  /** Compare only these symbols' orders (positions are always compared in full). */
  symbols?: string[];
  /** Venue orders a test placed outside Catalyst: they need no row (unless the doctor adopted one). */
  placedOutside?: Set<string>;
}

/** Alpaca's most orders per GET /v2/orders. */
const PAGE = 500;

/**
 * Every venue order (legs listed on their own), oldest first, however many there are. Alpaca pages
 * GET /v2/orders by time only: `after` (exclusive) on submitted_at, `direction=asc`, at most 500 a
 * call. Each next page starts 1 ms before the last order read, so orders sharing its instant are not
 * skipped (the ids already read are dropped); a full page all at one instant (a paused venue clock)
 * is read apart by status and side, and if even that is full the check refuses rather than guess.
 */
export async function allVenueOrders(t: Pick<TestAppliance, "venue">, symbols?: string[]): Promise<any[]> {
  const filter = symbols?.length ? `&symbols=${symbols.join(",")}` : "";
  const list = async (query: string): Promise<any[]> => {
    const orders = await t.venue(`/v2/orders?limit=${PAGE}&nested=false&direction=asc${filter}${query}`);
    if (!Array.isArray(orders)) throw new Error(`GET /v2/orders${query}: ${JSON.stringify(orders)}`);
    return orders;
  };
  const byId = new Map<string, any>();
  const keep = (orders: any[]) => {
    for (const o of orders) if (!byId.has(o.id)) byId.set(o.id, o);
  };
  let after: number | null = null;
  for (;;) {
    const page = await list(`&status=all${after === null ? "" : `&after=${new Date(after).toISOString()}`}`);
    keep(page);
    if (page.length < PAGE) return [...byId.values()];
    const first = Date.parse(page[0].submitted_at);
    const last = Date.parse(page[page.length - 1].submitted_at);
    if (first < last) {
      after = last - 1;
      continue;
    }
    // A whole page at one instant: read that instant in parts, then go on after it.
    const instant = `&after=${new Date(last - 1).toISOString()}&until=${new Date(last + 1).toISOString()}`;
    for (const status of ["open", "closed"]) {
      for (const side of ["buy", "sell"]) {
        const part = await list(`&status=${status}&side=${side}${instant}`);
        if (part.length >= PAGE) throw new Error(`more than ${PAGE} ${status} ${side} venue orders submitted at ${page[0].submitted_at}: GET /v2/orders cannot page through them`);
        keep(part);
      }
    }
    after = last;
  }
}

export async function disagreements(t: Pick<TestAppliance, "api" | "venue" | "sql">, scope: AgreementScope = {}): Promise<string[]> {
  await t.api("trading", "/api/v1/sync", { method: "POST" });
  const problems: string[] = [];
  const venueOrders = await allVenueOrders(t, scope.symbols);
  const byId = new Map(venueOrders.map((o) => [o.id, o]));
  const ours = await t.sql`select o.order_id, o.broker_order_id, o.client_order_id, o.status, o.filled_qty::text, o.role, s.symbol, o.cancel_reason
                             from orders o join securities s using (security_id)
                            where ${scope.symbols ?? null}::text[] is null or s.symbol = any(${scope.symbols ?? null}::text[])`;
  for (const order of ours) {
    if (!order.broker_order_id) {
      if (!["cancelled", "rejected"].includes(order.status)) problems.push(`order ${order.order_id} (${order.status}) never reached the venue`);
      continue;
    }
    const venue = byId.get(order.broker_order_id) ?? (await t.venue(`/v2/orders/${order.broker_order_id}`));
    if (!venue?.id) {
      // Both sides agree it is not live: the broker never had it and it is closed as not found.
      if (order.status === "cancelled" && order.cancel_reason?.startsWith("not_found_at_broker")) continue;
      problems.push(`order ${order.order_id} is unknown to the venue`);
      continue;
    }
    // An open order with something filled is a partial fill to us; a final one (canceled, filled) is final to us too.
    if (orderStatusFor(venue.status, venue.filled_qty) !== order.status) {
      problems.push(`order ${order.order_id} ${order.role}: db ${order.status}, venue ${venue.status}`);
    }
    if (Number(venue.filled_qty) !== Number(order.filled_qty)) problems.push(`order ${order.order_id}: db filled ${order.filled_qty}, venue ${venue.filled_qty}`);
  }
  const clientIds = new Set(ours.map((o) => o.client_order_id));
  const seen = new Map<string, number>();
  for (const o of venueOrders) seen.set(o.client_order_id, (seen.get(o.client_order_id) ?? 0) + 1);
  for (const [id, n] of seen) if (n > 1) problems.push(`client order id ${id} appears ${n} times at the venue`);
  for (const o of venueOrders) if (!clientIds.has(o.client_order_id) && !scope.placedOutside?.has(o.id)) problems.push(`venue order ${o.id} (${o.symbol}) has no row in the database`);

  const venuePositions: any[] = await t.venue("/v2/positions");
  const open = await t.sql`select s.symbol, p.qty::text, p.side from positions p join securities s using (security_id) where p.status = 'open'`;
  const dbBySymbol = new Map(open.map((p) => [p.symbol, p]));
  for (const vp of venuePositions) {
    const mine = dbBySymbol.get(vp.symbol);
    if (!mine) problems.push(`venue holds ${vp.qty} ${vp.symbol}; the database has no open position`);
    else if (Math.abs(Number(vp.qty)) !== Number(mine.qty) || vp.side !== mine.side) problems.push(`${vp.symbol}: venue ${vp.side} ${vp.qty}, db ${mine.side} ${mine.qty}`);
    dbBySymbol.delete(vp.symbol);
  }
  for (const [symbol, p] of dbBySymbol) problems.push(`db has an open ${p.side} ${p.qty} ${symbol}; the venue is flat`);
  return problems;
}
