/** risk (5004): validates entries; limits and their hard bounds; daily-loss halt; the kill switch. */
import {
  checkExitsRoute,
  clearEmergencyStopRoute,
  emergencyStopRoute,
  riskStatusRoute,
  updateRiskParametersRoute,
  validateIntentRoute,
  type RiskParameterChanges,
} from "../../contracts/risk.ts";
import { flattenRoute } from "../../contracts/trading.ts";
import { etDate } from "../../domain/exchange-calendar.ts";
import { inFlattenWindow } from "../../domain/flatten-window.ts";
import { absDecimal, multiplyDecimal, roundDecimal, subtractDecimal, sumDecimal } from "../../domain/money.ts";
import { dailyLossStatus } from "../../domain/risk/daily-loss.ts";
import { sectorExposures } from "../../domain/risk/sector-exposure.ts";
import { applyParameterChanges, parameterChangesProblem } from "../../domain/risk/parameters.ts";
import type { RiskLimits } from "../../domain/risk/types.ts";
import { BROKER_API, serviceBroker, viaBroker } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { ApiError } from "../../runtime/errors.ts";
import { createServiceApp, mount } from "../../runtime/http.ts";
import { repeatEvery, type Repeating } from "../../runtime/repeat.ts";
import { riskDecision } from "./decision.ts";
import { entryRequestFrom, priceFrom } from "./entry-request.ts";
import { currentLimits, cycleSizeMultiplier, dayRiskState, entryRuleSettings, evaluateAgainstBook, loadExposures } from "./gate.ts";
import { accountSnapshot, createEntryMarketView } from "./market-view.ts";
import { checkExits } from "./exit-check.ts";
import { checkDailyLoss } from "./monitor.ts";
import { clearKillSwitch, killSwitch, recordParameters, setKillSwitch } from "./store.ts";
import { venueSectors } from "./venue-sectors.ts";

/**
 * The wire's changes as limits: counts as given; amounts and percentages exact decimals (a JSON
 * number read as written) on the tick grid, a bad one a 422 naming its field.
 */
function limitChanges(changes: RiskParameterChanges): Partial<RiskLimits> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    out[field] = field === "maxOpenPositions" || field === "maxTradesPerDay" ? value : priceFrom(value, `changes.${field}`);
  }
  return out as Partial<RiskLimits>;
}

export function createRiskApp(ctx: ServiceContext) {
  const { sql, bus, log } = ctx;
  const broker = serviceBroker(ctx);
  const views = createEntryMarketView(broker);
  const mode = ctx.config.mode;
  const bounds = ctx.config.risk.hardBounds;
  let monitor: Repeating | null = null;
  const sectors = venueSectors(ctx);

  const app = createServiceApp(ctx)
    .onStart(() => {
      monitor = repeatEvery(ctx.config.risk.monitorSeconds, async () => {
        try {
          const [account, clock] = await Promise.all([broker.getAccount(), views.clock()]);
          if (clock.isOpen) await checkDailyLoss({ sql, bus, log }, account, Date.parse(clock.timestamp));
        } catch (error) {
          log.warn("daily-loss check failed; retrying", { error: (error as Error).message });
        }
      });
    })
    .onStop(() => monitor?.stop());

  mount(app, validateIntentRoute, async ({ body }) => {
    const request = entryRequestFrom(body.intent, await cycleSizeMultiplier(sql, body.intent.cycleId));
    await sectors.ready();
    const view = await viaBroker(() => views.view(request.symbol), BROKER_API);
    const { evaluation } = await evaluateAgainstBook(sql, { request, view, settings: entryRuleSettings(ctx.config) }, false);
    return riskDecision(mode, request, evaluation, view.now);
  });

  mount(app, checkExitsRoute, ({ body }) =>
    checkExits({ sql, broker, mode, unprotectedLossPct: ctx.config.risk.unprotectedLossPct }, body.positionId, body.exits),
  );

  mount(app, riskStatusRoute, async () => {
    const [account, clock] = await viaBroker(() => Promise.all([broker.getAccount(), views.clock()]), BROKER_API);
    const now = Date.parse(clock.timestamp);
    const tradingDate = etDate(now);
    const [limits, exposures, day, kill] = await Promise.all([currentLimits(sql), loadExposures(sql, ctx.config.risk.unprotectedLossPct), dayRiskState(sql, tradingDate, false), killSwitch(sql)]);
    // A read: the monitor records warnings and halts; the level here is computed from the same account.
    const loss = dailyLossStatus(accountSnapshot(account), limits);
    const [realized] = await sql`select coalesce(sum(realized_pnl), 0)::text as pnl from positions
                                  where status = 'closed' and (closed_at at time zone 'America/New_York')::date = ${tradingDate}`;
    const accountChange = subtractDecimal(account.equity, account.lastEquity);
    const halted = day.halt ?? (loss.level === "halt" ? { reason: "daily loss limit reached", at: clock.timestamp } : null);
    return {
      mode,
      asOf: clock.timestamp,
      marketOpen: clock.isOpen,
      limits,
      hardBounds: bounds,
      usage: {
        openPositions: exposures.filter((e) => e.kind === "position").length,
        workingEntries: exposures.filter((e) => e.kind === "working_entry").length,
        entriesToday: day.entriesToday,
        exposureUsd: roundDecimal(sumDecimal(exposures.map((e) => multiplyDecimal(absDecimal(e.qty), e.price))), 2),
        atRiskUsd: roundDecimal(sumDecimal(exposures.map((e) => e.riskToStop)), 2),
        unprotectedPositions: exposures.filter((e) => e.kind === "position" && e.unprotected).length,
        equity: account.equity,
        bySector: sectorExposures(exposures, account.equity, limits.maxSectorExposurePct),
      },
      dailyPnl: {
        tradingDate,
        realized: realized!.pnl,
        accountChange,
        unrealized: subtractDecimal(accountChange, realized!.pnl),
        lossUsedPct: loss.lossUsedPct,
        level: loss.level,
      },
      halted,
      killSwitch: kill,
      entriesAllowed: !kill.active && halted === null && clock.isOpen && !inFlattenWindow(now, ctx.config.trading.flattenWindowMinutes),
    };
  });

  mount(app, updateRiskParametersRoute, async ({ body }) => {
    const changes = limitChanges(body.changes);
    const problem = parameterChangesProblem(changes, bounds);
    if (problem) throw new ApiError(422, "outside_hard_bounds", problem.message, `changes.${problem.field}`);
    const next = applyParameterChanges(await currentLimits(sql), changes);
    await recordParameters(sql, next, body.changedBy ?? "api", body.reason);
    log.info("risk parameters changed", { changedBy: body.changedBy ?? "api", fields: Object.keys(changes) });
    return { parameters: await currentLimits(sql), hardBounds: bounds };
  });

  mount(app, emergencyStopRoute, async ({ body }) => {
    const setBy = body.setBy ?? "api";
    // Entries are blocked first, whatever happens to the flatten after it.
    await setKillSwitch(sql, body.reason, setBy);
    await bus.publish("risk_alert", { level: "critical", kind: "kill_switch", message: `emergency stop by ${setBy}: ${body.reason}` });
    log.error("emergency stop", { setBy, reason: body.reason });
    let report = { cancelledOrders: 0, closingPositions: 0, problems: [] as string[] };
    try {
      const flattened = await ctx.client.call(flattenRoute, { body: { reason: `emergency stop: ${body.reason}`.slice(0, 200), trigger: "emergency_stop" } }, { timeoutMs: 60_000 });
      report = { cancelledOrders: flattened.cancelledOrders, closingPositions: flattened.closingPositions, problems: flattened.problems };
    } catch (error) {
      report.problems.push(`could not flatten through trading (${(error as Error).message}); entries are blocked, close positions at the broker`);
      // Trading tells its own flatten's problems; this one it never heard of.
      await bus.publish("risk_alert", { level: "critical", kind: "flatten_problem", message: report.problems.at(-1) });
    }
    return { killSwitch: await killSwitch(sql), ...report };
  });

  mount(app, clearEmergencyStopRoute, async ({ query }) => {
    const clearedBy = query.clearedBy ?? "api";
    // The doctor repairs the books; re-arming trading after a person stopped it is never its call.
    if (/^doctor\b/i.test(clearedBy)) throw new ApiError(403, "doctor_may_not_clear", "the doctor may not clear the emergency stop; a person clears it", "clearedBy");
    if (!(await clearKillSwitch(sql, clearedBy))) throw new ApiError(409, "kill_switch_not_active", "the emergency stop is not active; nothing to clear");
    await bus.publish("risk_alert", { level: "info", kind: "kill_switch_cleared", message: `emergency stop cleared by ${clearedBy}${query.reason ? `: ${query.reason}` : ""}` });
    log.warn("emergency stop cleared", { clearedBy, reason: query.reason ?? null });
    return { killSwitch: await killSwitch(sql) };
  });

  return app;
}
