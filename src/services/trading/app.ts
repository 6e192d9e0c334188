/** trading (5005): the only writer of orders; talks to the broker; fills → positions. */
import type { Sql } from "postgres";
import {
  cancelOrderRoute,
  closePositionRoute,
  flattenRoute,
  getOrderRoute,
  holdOvernightRoute,
  listOrdersRoute,
  listPositionsRoute,
  placeOrderRoute,
  protectPositionsRoute,
  syncRoute,
} from "../../contracts/trading.ts";
import type { TradeUpdateStream } from "../../adapters/broker/broker.ts";
import { BROKER_API, serviceBroker, viaBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { ApiError } from "../../runtime/errors.ts";
import { createServiceApp, mount } from "../../runtime/http.ts";
import { withDeadline } from "../../runtime/deadline.ts";
import { repeatEvery, type Repeating } from "../../runtime/repeat.ts";
import { LIVE_ORDER_STATUSES } from "../../domain/order-status.ts";
import { entryRuleSettings } from "../risk/gate.ts";
import { venueSectors } from "../risk/venue-sectors.ts";
import { createEntryMarketView } from "../risk/market-view.ts";
import { applyOrderTree } from "../../lifecycle/apply-report.ts";
import { closePosition, flattenAll } from "../../lifecycle/close.ts";
import { startFlattener } from "../../lifecycle/flattener.ts";
import { protectPosition } from "../../lifecycle/protect.ts";
import { mountDoctorRoutes } from "./doctor-routes.ts";
import { mountPositionRoutes } from "./position-routes.ts";
import { mountActivityRoutes } from "./activity-routes.ts";
import { publishEffects, publishFlattenProblems, publishMarks, publishRejection } from "./events.ts";
import { placeEntry } from "./place-entry.ts";
import { submitSettled } from "../../lifecycle/submit.ts";
import { refreshMarks, syncWithBroker } from "../../lifecycle/sync.ts";
import { exitTiming } from "../../domain/orders/flatten-step.ts";
import { fillsOf, ORDER_COLUMNS, orderById, orderView, orderWithLegs, POSITION_COLUMNS, positionById, positionView } from "../../lifecycle/views.ts";
import { PREPARED } from "../../adapters/db/client.ts";

/** The polling backstop of the trade_updates stream. */
const SYNC_EVERY_SECONDS = 5;
/** Far above a healthy sync (tens of ms), past the pool's statement and lock timeouts. */
const SYNC_DEADLINE_MS = 60_000;
const CLOSED_STATUSES = ["filled", "cancelled", "rejected", "expired", "replaced"];

function statusList(filter: string | undefined): string[] | null {
  if (filter === undefined || filter === "all") return null;
  if (filter === "open") return [...LIVE_ORDER_STATUSES];
  if (filter === "closed") return CLOSED_STATUSES;
  return [filter];
}

async function listOrders(sql: Sql, query: { status?: string; symbol?: string; cycleId?: string; limit?: number }) {
  const statuses = statusList(query.status);
  const rows = await sql.unsafe(
    `select ${ORDER_COLUMNS} from orders o join securities s using (security_id)
      where ($1::text[] is null or o.status = any($1::text[])) and ($2::text is null or s.symbol = $2)
        and ($3::uuid is null or o.cycle_id = $3) order by o.order_id desc limit $4`,
    [statuses, query.symbol?.toUpperCase() ?? null, query.cycleId ?? null, query.limit ?? 100],
    PREPARED,
  );
  return rows.map(orderView);
}

export function createTradingApp(ctx: ServiceContext) {
  const { sql, bus, log } = ctx;
  const broker = serviceBroker(ctx);
  const views = createEntryMarketView(broker);
  const sectors = venueSectors(ctx);
  const mode = ctx.config.mode;
  let stream: TradeUpdateStream | null = null;
  let syncSchedule: Repeating | null = null;
  let flattener: ReturnType<typeof startFlattener> | null = null;

  /**
   * One sync at a time: the stream's reconnect, the timer and the route all funnel through here.
   * One that outlives its deadline is abandoned (its caller logs it) so the next can start: a hung
   * sync must not stop the backstop for good.
   */
  let syncing: Promise<Awaited<ReturnType<typeof syncWithBroker>>> | null = null;
  // Asked before the order route takes anything: rows older than this were left by an earlier process.
  // The database's clock, as created_at is; this process's only when the database cannot answer yet.
  const processClock = new Date();
  const startedAt = sql`select now() as now`.then(([row]) => row!.now as Date, () => processClock);
  const syncOnce = async () => {
    const summary = await syncWithBroker(sql, broker, { afterSeconds: ctx.config.trading.unknownOrderSeconds, serviceStartedAt: await startedAt });
    await publishEffects(bus, summary.effects);
    for (const problem of summary.problems) log.error("sync could not finish a close", { problem });
    await publishFlattenProblems(bus, summary.problems);
    flattener?.wake();
    await publishMarks(bus, await refreshMarks(sql, broker, Date.parse((await views.clock()).timestamp)));
    return summary;
  };
  const sync = () => {
    syncing ??= withDeadline(syncOnce(), SYNC_DEADLINE_MS, "the order sync").finally(() => {
      syncing = null;
    });
    return syncing;
  };

  const app = createServiceApp(ctx)
    .onStart(() => {
      stream = broker.streamTradeUpdates(
        (update) => {
          submitSettled(update.order.clientOrderId)
            .then(() => applyOrderTree(sql, update.order, "stream", { price: update.price, qty: update.qty }))
            .then((effects) => (effects.length === 0 && update.order.parentId === null ? sync().then(() => []) : effects))
            .then((effects) => publishEffects(bus, effects))
            .catch((error: Error) => log.warn("trade update not applied; the sync will catch up", { event: update.event, order: update.order.id, error: error.message }));
        },
        (state, detail) => {
          if (state === "listening") void sync().catch((error: Error) => log.warn("sync after (re)connect failed", { error: error.message }));
          if (state === "error" || state === "reconnecting") log.warn("trade_updates stream", { state, detail });
        },
      );
      syncSchedule = repeatEvery(SYNC_EVERY_SECONDS, () => sync().catch((error: Error) => log.warn("order sync failed; retrying", { error: error.message })));
      void sync().catch((error: Error) => log.warn("start-up sync failed; the next one retries", { error: error.message }));
      flattener = startFlattener({
        sql,
        broker,
        log,
        windowMinutes: ctx.config.trading.flattenWindowMinutes,
        timing: exitTiming(ctx.config.trading.exitStallSeconds * 1000),
        // The broker's clock, not the shared cached one: at 600× a second of cache is ten market minutes.
        marketNow: async () => Date.parse((await broker.getClock()).timestamp),
        publish: (effects) => publishEffects(bus, effects),
        reportProblems: (problems) => publishFlattenProblems(bus, problems),
      });
    })
    .onStop(() => {
      stream?.close();
      syncSchedule?.stop();
      flattener?.stop();
    });


  mount(app, placeOrderRoute, async ({ body }) => {
    await sectors.ready();
    const { placement, effects } = await viaBroker(
      () => placeEntry({ sql, broker, views, mode, rules: entryRuleSettings(ctx.config) }, body),
      BROKER_API,
    ).catch(async (error: unknown) => {
      if (error instanceof ApiError && error.code === "broker_rejected") await publishRejection(bus, (error.details as { orderId: number }).orderId, error.message);
      throw error;
    });
    await publishEffects(bus, effects);
    log.info("entry placed", { orderId: placement.order.orderId, outcome: placement.outcome, symbol: placement.order.symbol });
    return placement;
  });

  mount(app, listOrdersRoute, async ({ query }) => ({ mode, orders: await listOrders(sql, query) }));
  mountDoctorRoutes(app, ctx);
  mountPositionRoutes(app, ctx, broker);
  mountActivityRoutes(app, ctx);

  mount(app, getOrderRoute, async ({ params }) => {
    const found = await orderWithLegs(sql, params.id);
    if (!found) throw new ApiError(404, "order_not_found", `no order ${params.id}; list them with GET /api/v1/orders`, "id");
    const { order, legs } = found;
    return { mode, order, legs, fills: await fillsOf(sql, [order.orderId, ...legs.map((l) => l.orderId)]) };
  });

  mount(app, cancelOrderRoute, async ({ params }) => {
    const order = await orderById(sql, params.id);
    if (!order) throw new ApiError(404, "order_not_found", `no order ${params.id}; list them with GET /api/v1/orders`, "id");
    if (!(LIVE_ORDER_STATUSES as readonly string[]).includes(order.status)) throw new ApiError(409, "order_final", `order ${order.orderId} is already ${order.status}`, "id");
    if (!order.brokerOrderId) throw new ApiError(409, "order_not_at_broker", `order ${order.orderId} has no broker id yet; retry after the next sync`, "id");
    const outcome = await viaBroker(() => broker.cancelOrder(order.brokerOrderId!), BROKER_API);
    const report = await viaBroker(() => broker.getOrder(order.brokerOrderId!), BROKER_API);
    if (report) await publishEffects(bus, await applyOrderTree(sql, report, "poll"));
    return { mode, order: (await orderById(sql, order.orderId))!, outcome };
  });

  mount(app, listPositionsRoute, async ({ query }) => {
    const status = query.status ?? "open";
    const rows = await sql.unsafe(
      `select ${POSITION_COLUMNS} from positions p join securities s using (security_id)
        where ($1 = 'all' or p.status = $1) and ($2::uuid is null or p.cycle_id = $2) order by p.position_id desc limit $3`,
      [status, query.cycleId ?? null, query.limit ?? 100],
      PREPARED,
    );
    return { mode, positions: rows.map(positionView) };
  });

  mount(app, closePositionRoute, async ({ params, body }) => {
    const result = await viaBroker(() => closePosition(sql, broker, params.id, "manual_close", body.reason ?? "closed on request", body.qty === undefined ? null : String(body.qty)), BROKER_API);
    flattener?.wake();
    await publishEffects(bus, result.effects);
    return { mode, outcome: result.outcome, position: result.position, exitOrder: result.exitOrder, message: result.message };
  });

  mount(app, holdOvernightRoute, async ({ params, body }) => {
    const [row] = await sql`update positions set hold_overnight = ${body.holdOvernight},
                              metadata = metadata || ${sql.json({ holdOvernightReason: body.reason })}
                             where position_id = ${params.id} and status = 'open' and source = 'catalyst' returning position_id`;
    const position = await positionById(sql, params.id);
    if (!position) throw new ApiError(404, "position_not_found", `no position ${params.id}; list them with GET /api/v1/positions`, "id");
    if (!row) throw new ApiError(409, position.status === "closed" ? "position_closed" : "position_external", `position ${params.id} is ${position.status === "closed" ? "closed" : "external (Catalyst does not flatten it)"}; nothing to change`, "id");
    log.info("hold overnight", { positionId: params.id, holdOvernight: body.holdOvernight, reason: body.reason });
    return {
      mode,
      position,
      message: body.holdOvernight
        ? `position ${params.id} is held overnight: the end-of-day flatten leaves it, with its stop working (an emergency stop still closes it)`
        : `position ${params.id} is flattened before the close like every other`,
    };
  });

  mount(app, flattenRoute, async ({ body }) => {
    const result = await viaBroker(() => flattenAll(sql, broker, body.trigger ?? "flatten", body.reason, body.trigger === "end_of_day"), BROKER_API);
    flattener?.wake();
    await publishEffects(bus, result.effects);
    await publishFlattenProblems(bus, result.problems);
    log.info("flatten", { reason: body.reason, cancelled: result.cancelledOrders, closing: result.closingPositions, problems: result.problems.length });
    return { mode, cancelledOrders: result.cancelledOrders, closingPositions: result.closingPositions, problems: result.problems };
  });

  // Leftovers of an earlier day (the workflow's day boundary): flat, or a working stop — never naked.
  mount(app, protectPositionsRoute, async ({ body }) => {
    const open = await sql<{ position_id: string; symbol: string }[]>`
      select p.position_id, s.symbol from positions p join securities s using (security_id)
       where p.status = 'open' and p.source = 'catalyst' order by p.position_id`;
    const positions = [];
    for (const p of open) {
      const protection = await viaBroker(() => protectPosition(sql, broker, Number(p.position_id), body.reason), BROKER_API);
      if (protection.closed) continue;
      positions.push({ positionId: Number(p.position_id), symbol: p.symbol, stopOrderId: protection.stopOrderId, message: protection.message });
    }
    const naked = positions.filter((p) => p.stopOrderId === null).length;
    if (positions.length > 0) log.info("positions protected", { reason: body.reason, positions: positions.length, naked });
    return { mode, positions, naked };
  });

  mount(app, syncRoute, async () => {
    const summary = await viaBroker(() => sync(), BROKER_API);
    return { mode, checked: summary.checked, updated: summary.updated, fillsApplied: summary.effects.filter((e) => e.fill).length };
  });

  return app;
}
