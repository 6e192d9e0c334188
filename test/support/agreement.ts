/** Whether the database and the venue agree on every order and position (after a sync). */
import { mapAlpacaStatus } from "../../src/domain/order-status.ts";
import type { TestAppliance } from "./appliance.ts";

export interface AgreementScope {
  /** Compare only these symbols' orders (positions are always compared in full). */
  symbols?: string[];
  /** Venue orders a test placed outside Catalyst: they need no row (unless the doctor adopted one). */
  placedOutside?: Set<string>;
}

export async function disagreements(t: Pick<TestAppliance, "api" | "venue" | "sql">, scope: AgreementScope = {}): Promise<string[]> {
  await t.api("trading", "/api/v1/sync", { method: "POST" });
  const problems: string[] = [];
  const symbols = scope.symbols?.join(",");
  const venueOrders: any[] = await t.venue(`/v2/orders?status=all&limit=500&nested=false${symbols ? `&symbols=${symbols}` : ""}`);
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
    if (mapAlpacaStatus(venue.status) !== order.status && !(order.status === "partial_fill" && Number(venue.filled_qty) > 0)) {
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
