/**
 * Keeping our orders in step with the broker: the trade_updates stream applies events as they
 * happen; the sync (every few seconds, after a stream reconnect, and at start-up) is the
 * backstop. It settles orders whose submit outcome is unknown or that a crash left unsent, by
 * looking them up by client order id, and re-reads every open order. Both paths go through
 * applyOrderTree, so whichever sees a fill first records it and the other changes nothing.
 */
import type { Sql } from "postgres";
import type { Broker, BrokerOrder } from "../adapters/broker/broker.ts";
import type { PositionMark } from "../contracts/bus.ts";
import { ApiError, errorMessage } from "../runtime/errors.ts";
import { EntryNotAppliedError, applyOrderTree, type ReportEffects } from "./apply-report.ts";
import { closePosition } from "./close.ts";
import { isInFlight, withLegs } from "./submit.ts";

export interface SyncSummary {
  checked: number;
  updated: number;
  effects: ReportEffects[];
  /** What the sync could not do (a lost exit it could not send again), for the caller to log. */
  problems: string[];
}

/** An exit decided but never sent: its close is owed (`qty`: a partial close's shares, null for a full close). */
interface LostExit {
  positionId: number;
  orderId: number;
  closeReason: string;
  qty: string | null;
}

/**
 * When a row without a broker id may be settled: once it is `afterSeconds` old (a row written just
 * now may be in flight), or at once if it is still `created` and was written before
 * `serviceStartedAt` (database time): the process that wrote it died before any answer, and
 * whatever it sent has arrived by now. Without that, a close a crash left unsent would wait out
 * `afterSeconds` after the restart, and a flatten asked for meanwhile would count it as already
 * closing. A `submitted` row had an answer that left its fate unknown (a timeout, a 5xx): the broker
 * may still act on it, so it always waits.
 */
export interface SettleRule {
  afterSeconds: number;
  serviceStartedAt: Date;
}

/**
 * Orders whose fate at the broker we do not know: unsent rows left by a crash, and lost submit
 * answers. Returns the exits that never arrived, to be closed again once the books are re-read.
 */
async function settleUnknown(sql: Sql, broker: Broker, rule: SettleRule): Promise<{ effects: ReportEffects[]; lostExits: LostExit[] }> {
  const rows = await sql`
    select order_id, client_order_id, status, role, position_id, metadata->>'closeReason' as close_reason, metadata->>'partialQty' as partial_qty from orders
     where broker_order_id is null and status in ('created', 'submitted')
       and (created_at < now() - make_interval(secs => ${rule.afterSeconds}) or (status = 'created' and created_at < ${rule.serviceStartedAt}))`;
  const effects: ReportEffects[] = [];
  const lostExits: LostExit[] = [];
  for (const row of rows) {
    if (isInFlight(row.client_order_id)) continue;
    const found = await broker.getOrderByClientId(row.client_order_id);
    if (found) {
      effects.push(...(await applyOrderTree(sql, await withLegs(broker, found), "poll")));
    } else {
      // Unknown to the broker well after the submit: it never arrived (a crash before the call, or
      // a 5xx without effect). Closed rather than sent late with a stale price.
      const reason = row.status === "created" ? "not sent: the service stopped before the broker call" : "the broker never received it (looked up by client order id)";
      const settled = await sql`update orders set status = 'cancelled', cancelled_at = now(), cancel_reason = ${`${reason}; place it again if still wanted`}
                                 where order_id = ${row.order_id} and status in ('created', 'submitted') and broker_order_id is null
                                 returning order_id`;
      if (settled.length > 0 && row.role === "exit" && row.position_id !== null) {
        lostExits.push({ positionId: Number(row.position_id), orderId: Number(row.order_id), closeReason: row.close_reason ?? "manual_close", qty: row.partial_qty });
      }
    }
  }
  return { effects, lostExits };
}

/**
 * A close was decided (its exit row written) but its exit never reached the broker; its legs may
 * already be cancelled, or (a partial close) resized down. The decision stands: the position is
 * closed again — a partial close for its qty only, never turned into a full one — which sends a
 * fresh exit (or, if that cannot be done, puts a stop back on all of it): never naked by a crash.
 */
async function closeAgain(sql: Sql, broker: Broker, lost: LostExit[], problems: string[]): Promise<ReportEffects[]> {
  const effects: ReportEffects[] = [];
  for (const exit of lost) {
    try {
      const closed = await closePosition(sql, broker, exit.positionId, exit.closeReason, `exit ${exit.orderId} never reached the broker; sent again`, exit.qty);
      effects.push(...closed.effects);
    } catch (error) {
      if (error instanceof ApiError && error.code === "position_closed") continue;
      // closePosition has already put a stop back where it could; the next sync settles a lost submit again.
      problems.push(`position ${exit.positionId}: closing again after lost exit ${exit.orderId} failed (${errorMessage(error)})`);
    }
  }
  return effects;
}

async function applyAll(sql: Sql, orders: BrokerOrder[]): Promise<ReportEffects[]> {
  const effects: ReportEffects[] = [];
  const pending: BrokerOrder[] = [];
  for (const order of orders) {
    try {
      effects.push(...(await applyOrderTree(sql, order, "poll")));
    } catch (error) {
      if (!(error instanceof EntryNotAppliedError)) throw error;
      pending.push(order);
    }
  }
  // Exits whose entry was applied later in the same pass.
  for (const order of pending) effects.push(...(await applyOrderTree(sql, order, "poll")));
  return effects;
}

/**
 * Brackets whose legs have no rows: the stream (which sends no legs) recorded the entry, and the
 * submit's own answer, which carries them, was lost to a crash. Unknown legs would hold the shares.
 */
async function adoptMissingLegs(sql: Sql, broker: Broker): Promise<ReportEffects[]> {
  const rows = await sql`select o.broker_order_id from orders o
                          where o.role = 'entry' and o.order_class = 'bracket' and o.broker_order_id is not null
                            and o.status not in ('rejected', 'cancelled', 'expired')
                            and not exists (select 1 from orders l where l.parent_order_id = o.order_id)`;
  const effects: ReportEffects[] = [];
  for (const row of rows) {
    const order = await broker.getOrder(row.broker_order_id);
    if (order) effects.push(...(await applyOrderTree(sql, order, "poll")));
  }
  return effects;
}

/** settle: when a miss at the broker counts as "never arrived" for a row without a broker id. */
export async function syncWithBroker(sql: Sql, broker: Broker, settle: SettleRule): Promise<SyncSummary> {
  const problems: string[] = [];
  const { effects, lostExits } = await settleUnknown(sql, broker, settle);
  effects.push(...(await adoptMissingLegs(sql, broker)));
  // After the open orders are re-read: a leg the crashed close already replaced must be known by its replacement.
  const closeLostExits = async () => effects.push(...(await closeAgain(sql, broker, lostExits, problems)));
  const open = await sql`
    select o.broker_order_id, o.parent_order_id, o.submitted_at, p.broker_order_id as parent_broker_id
      from orders o left join orders p on p.order_id = o.parent_order_id
     where o.broker_order_id is not null and o.status in ('submitted', 'accepted', 'partial_fill')`;
  if (open.length === 0) {
    await closeLostExits();
    return { checked: 0, updated: effects.length, effects, problems };
  }

  // One paged listing covers every open order (legs come nested under their entries).
  const since = open.reduce((min, r) => Math.min(min, new Date(r.submitted_at ?? Date.now()).getTime()), Number.POSITIVE_INFINITY);
  const listed = await broker.listOrders({ status: "all", after: new Date(since - 60_000).toISOString(), nested: true });
  const openIds = new Set(open.map((r) => r.broker_order_id as string));
  // A replacement of an open order of ours (a stop moved by PATCH whose answer was lost) is ours too.
  const ours = listed.filter((o) => openIds.has(o.id) || (o.replaces !== null && openIds.has(o.replaces)) || o.legs.some((l) => openIds.has(l.id)));
  const seen = new Set(ours.flatMap((o) => [o.id, ...o.legs.map((l) => l.id)]));
  const roots = new Map(ours.map((o) => [o.id, o]));
  // Orders the listing missed (older than its window, or replaced) are read one by one.
  for (const row of open) {
    if (seen.has(row.broker_order_id)) continue;
    const rootId = row.parent_broker_id ?? row.broker_order_id;
    const root = await broker.getOrder(rootId);
    if (root) roots.set(root.id, root);
    // A replaced leg is no longer listed by its parent (it lists the replacement): read on its own, or it stays "working" here forever.
    const inRoot = root && (root.id === row.broker_order_id || root.legs.some((l) => l.id === row.broker_order_id));
    const order = inRoot ? root : await broker.getOrder(row.broker_order_id);
    if (order) roots.set(order.id, order);
    // Missed and replaced: the replacement was missed too.
    const replacement = order?.replacedBy ? await broker.getOrder(order.replacedBy) : null;
    if (replacement) roots.set(replacement.id, replacement);
  }
  const ordered = [...roots.values()].sort((a, b) => (a.submittedAt ?? "").localeCompare(b.submittedAt ?? ""));
  effects.push(...(await applyAll(sql, ordered)));
  await closeLostExits();
  return { checked: open.length, updated: effects.filter((e) => e.fill || e.position).length, effects, problems };
}

/** Marks open positions at the broker's current prices, for unrealized P&L; returns the marks written. */
export async function refreshMarks(sql: Sql, broker: Broker, marketNow: number): Promise<PositionMark[]> {
  const positions = await broker.listPositions();
  if (positions.length === 0) return [];
  const at = new Date(marketNow).toISOString();
  // One statement for every mark: this runs on each sync.
  const rows = await sql`
    update positions p set last_price = m.price::numeric, last_price_at = ${at}
      from unnest(${sql.array(positions.map((x) => x.symbol))}::text[], ${sql.array(positions.map((x) => x.currentPrice))}::text[]) as m(symbol, price)
      join securities s on s.symbol = m.symbol
     where p.status = 'open' and p.security_id = s.security_id
    returning p.position_id, m.symbol, m.price`;
  return rows.map((r) => ({ positionId: Number(r.position_id), symbol: r.symbol as string, lastPrice: r.price as string, markedAt: at }));
}
