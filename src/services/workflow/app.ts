/** workflow (5006): the trading cycle — start, read, stop — and the scheduler that runs its day. */
import { flattenRoute } from "../../contracts/trading.ts";
import { currentCycleRoute, getCycleRoute, listCyclesRoute, skipDayRoute, startCycleRoute, stopCycleRoute, tickRoute } from "../../contracts/workflow.ts";
import { etDate, nextTradingDay } from "../../domain/exchange-calendar.ts";
import { isPreviousDay, skipTarget } from "../../domain/workflow/autostart.ts";
import { isTerminal } from "../../domain/workflow/cycle-states.ts";
import { dayPlan } from "../../domain/workflow/day-plan.ts";
import { marketNow, serviceBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { ApiError, errorMessage } from "../../runtime/errors.ts";
import { createServiceApp, mount } from "../../runtime/http.ts";
import { repeatEvery, type Repeating } from "../../runtime/repeat.ts";
import { isRefusal } from "./failures.ts";
import { cycleChangePublisher } from "./events.ts";
import { SerialRunner } from "./serial.ts";
import { DayKeeper } from "./day-keeper.ts";
import { dayRecord, isSkipConflict, recordDecision, skipOf } from "./days.ts";
import { activeCycle, cycleById, endCycle, listCycles } from "./store.ts";
import { CycleTicker } from "./tick.ts";

const FLATTEN_TIMEOUT_MS = 30_000;

export function createWorkflowApp(ctx: ServiceContext) {
  const broker = serviceBroker(ctx);
  const mode = ctx.config.mode;
  const ticker = new CycleTicker({ sql: ctx.sql, client: ctx.client, log: ctx.log, mode, marketNow: () => marketNow(broker) });
  const serial = new SerialRunner();
  const cycleChanged = cycleChangePublisher(ctx.bus);
  const days = new DayKeeper({ ...ctx, cycleChanged: async (id) => cycleChanged(await cycleById(ctx.sql, mode, id)) });
  // The day boundary and autostart come first, so the tick works on today's cycle.
  const tick = async () => {
    // Without the market's clock nothing is decided; the ticker says so itself.
    const dayActions = await clock().then((now) => days.beforeTick(now), () => []);
    const result = await ticker.tick();
    await cycleChanged(result.cycle);
    return { cycle: result.cycle, actions: [...dayActions, ...result.actions] };
  };

  const clock = () =>
    marketNow(broker).catch((error: unknown) => {
      throw new ApiError(503, "broker_unavailable", `the market clock is unavailable (${errorMessage(error)}); retry shortly`);
    });
  const cycleOr404 = async (id: string) => {
    const cycle = await cycleById(ctx.sql, mode, id);
    if (!cycle) throw new ApiError(404, "cycle_not_found", `no trading cycle ${id}; GET /api/v1/cycles/current shows the running one`, "id");
    return cycle;
  };

  let schedule: Repeating | null = null;
  const app = createServiceApp(ctx)
    .onStart(() => {
      // Each tick reads the market's time itself, so a fast venue clock runs a whole day in minutes.
      // The first one period after start: the services it calls are up by then, and a caller
      // ticking by hand (a long period) is never raced by a tick of the scheduler's own.
      schedule = repeatEvery(
        ctx.config.workflowTickSeconds,
        async () => {
          if (serial.busy) return;
          await serial.run(tick).catch((error: unknown) => ctx.log.warn("tick failed", { error: errorMessage(error) }));
        },
        { firstAfterPeriod: true },
      );
    })
    .onStop(() => {
      schedule?.stop();
      schedule = null;
    });

  mount(app, startCycleRoute, async ({ body }) => {
    const now = await clock();
    const date = etDate(now);
    const plan = dayPlan(date, ctx.config.trading.flattenWindowMinutes);
    if (!plan) {
      throw new ApiError(422, "not_a_trading_day", `${date} is not a trading day (weekend or exchange holiday in New York); the next trading day is ${nextTradingDay(date)}: start the cycle then`);
    }
    // Starting now would only flatten the account: the day is over for new cycles.
    if (now >= Date.parse(plan.flattenAt)) {
      throw new ApiError(422, "trading_day_over", `${date}'s session is past its flatten time (${plan.flattenAt}); the next trading day is ${nextTradingDay(date)}: start the cycle then`);
    }
    // Yesterday never blocks today: an earlier day's cycle is finished first.
    await serial.run(async () => {
      const active = await activeCycle(ctx.sql, mode);
      if (!active || !isPreviousDay(active.tradingDate, now)) return;
      await days.finishEarlierDay(active, now).catch((error: unknown) => {
        throw new ApiError(503, "previous_day_unfinished", `the cycle of ${active.tradingDate} could not be finished (${errorMessage(error)}); retry shortly`);
      });
    });
    const cycleId = await days.startCycle(body.mode, plan, now);
    if (cycleId === null) {
      const active = await activeCycle(ctx.sql, mode);
      const which = active ? `cycle ${active.cycleId} (${active.state}, started ${active.startedAt})` : "another cycle";
      throw new ApiError(409, "cycle_active", `${which} is still running; only one cycle runs at a time: stop it first (POST /api/v1/cycles/${active?.cycleId ?? ":id"}/stop)`);
    }
    ctx.log.info("cycle started", { cycleId, riskMode: body.mode, tradingDate: date });
    const started = await cycleOr404(cycleId);
    await cycleChanged(started);
    return started;
  });

  mount(app, currentCycleRoute, async () => {
    const cycle = await activeCycle(ctx.sql, mode);
    if (!cycle) throw new ApiError(404, "no_active_cycle", "no trading cycle is running; start one with POST /api/v1/cycles {\"mode\": \"conservative\" | \"normal\" | \"aggressive\"}");
    return cycle;
  });

  mount(app, getCycleRoute, ({ params }) => cycleOr404(params.id));

  mount(app, listCyclesRoute, async ({ query }) => {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const page = await listCycles(ctx.sql, mode, limit, offset);
    return { mode, ...page, nextOffset: offset + page.cycles.length < page.total ? offset + page.cycles.length : null };
  });

  // A stop takes a live cycle through closing to closed at once; with closePositions it flattens
  // first, and if that cannot be done the cycle is left exactly as it was.
  mount(app, stopCycleRoute, ({ params, body }) =>
    serial.run(async () => {
      const cycle = await cycleOr404(params.id);
      if (isTerminal(cycle.state)) throw new ApiError(409, "cycle_ended", `cycle ${cycle.cycleId} already ended (${cycle.state} at ${cycle.endedAt})`, "id");
      const now = await clock();
      const reason = body.reason ?? "stopped on request";
      if (body.closePositions) {
        try {
          const report = await ctx.client.call(flattenRoute, { body: { reason: `cycle stop: ${reason}` } }, { timeoutMs: FLATTEN_TIMEOUT_MS });
          if (report.problems.length > 0) ctx.log.warn("flatten on stop reported problems", { cycleId: cycle.cycleId, problems: report.problems });
        } catch (error) {
          if (isRefusal(error)) throw new ApiError(502, "flatten_refused", `trading refused to flatten (${error.message}); the cycle is unchanged`);
          throw new ApiError(503, "trading_unavailable", `could not flatten: ${errorMessage(error)}; the cycle is unchanged — retry, or stop without closePositions`);
        }
      }
      if (!(await endCycle(ctx.sql, cycle.cycleId, cycle.state, reason, now))) {
        throw new ApiError(409, "cycle_changed", `cycle ${cycle.cycleId} changed while stopping; read it again and retry`, "id");
      }
      ctx.log.info("cycle stopped", { cycleId: cycle.cycleId, from: cycle.state, reason, closePositions: body.closePositions ?? false });
      const stopped = await cycleOr404(cycle.cycleId);
      await cycleChanged(stopped);
      return stopped;
    }),
  );

  mount(app, tickRoute, () => serial.run(tick));

  // A skipped day is not autostarted; a manual start (POST /api/v1/cycles) still may run it.
  mount(app, skipDayRoute, async ({ body }) => {
    const now = await clock();
    const date = skipTarget(now, body.date);
    if (typeof date !== "string") throw new ApiError(422, "not_skippable", `${date.error}; give a trading day from today on (YYYY-MM-DD)`, "date");
    const existing = await skipOf(ctx.sql, date);
    if (existing) return { decision: existing, message: `${date} was already skipped (${existing.reason})` };
    if ((await dayRecord(ctx.sql, date)).cycleStarted) {
      throw new ApiError(409, "day_started", `${date}'s cycle has already been started; stop it instead (POST /api/v1/cycles/:id/stop)`, "date");
    }
    try {
      const decision = await recordDecision(ctx.sql, { tradingDate: date, decision: "skipped", reason: body.reason ?? "skipped by the trader", atMs: now });
      ctx.log.info("day skipped", { tradingDate: date, reason: decision.reason });
      return { decision, message: `${date} is skipped: autostart will not start its cycle (a manual start still can)` };
    } catch (error) {
      if (!isSkipConflict(error)) throw error;
      const decision = (await skipOf(ctx.sql, date))!;
      return { decision, message: `${date} was already skipped (${decision.reason})` };
    }
  });

  return app;
}
