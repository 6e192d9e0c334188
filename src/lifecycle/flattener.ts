/**
 * Flat by the close, whether or not a cycle runs: a loop of its own in the trading service, paced by
 * the market clock (never queued behind a scan or an entry pass). It estimates how fast the market
 * clock runs against the wall clock, so at 600× it looks every ~100 ms and at 1× every few seconds.
 * In the window: working entries are cancelled, every Catalyst position gets one exit, an exit that
 * ended with shares left is sent again, and from a minute before the close whatever is left gets a
 * working stop (and the doctor's not_flat_at_close issue escalates it).
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import { flattenWindowOf } from "../domain/flatten-window.ts";
import { flattenStep } from "../domain/orders/flatten-step.ts";
import { LIVE_ORDER_STATUSES } from "../domain/order-status.ts";
import { errorMessage } from "../runtime/errors.ts";
import type { Logger } from "../runtime/log.ts";
import type { ReportEffects } from "./apply-report.ts";
import { cancelAndSettle, cancelWorkingEntries, closePosition } from "./close.ts";
import { protectPosition } from "./protect.ts";

const MIN_DELAY_MS = 50;
const MAX_IDLE_DELAY_MS = 15_000;
const MAX_WINDOW_DELAY_MS = 2_000;
/** Market time between passes inside the window. */
const PASS_MARKET_MS = 20_000;
const CLOSE_REASON = "end_of_day";

export interface FlattenerDeps {
  sql: Sql;
  broker: Broker;
  log: Logger;
  windowMinutes: number;
  marketNow(): Promise<number>;
  publish(effects: ReportEffects[]): Promise<void>;
  /** What a pass could not do (told to the trader); called after every pass that has any. */
  reportProblems(problems: string[]): Promise<void>;
}

export interface FlattenPassReport {
  exits: number;
  protectedPositions: number;
  cancelledEntries: number;
  problems: string[];
}

const LIVE = LIVE_ORDER_STATUSES as readonly string[];

/** One pass at the market's `now`: acts on every open Catalyst position per flattenStep. */
export async function flattenPass(deps: FlattenerDeps, now: number): Promise<FlattenPassReport> {
  const { sql, broker } = deps;
  const report: FlattenPassReport = { exits: 0, protectedPositions: 0, cancelledEntries: 0, problems: [] };
  const window = flattenWindowOf(now, deps.windowMinutes);
  if (window === null || now < window.opensAt) return report;
  const effects: ReportEffects[] = [];

  if (now < window.close) report.cancelledEntries = await cancelWorkingEntries(sql, broker, effects, report.problems);

  const positions = await sql`
    select p.position_id, p.hold_overnight, x.order_id as live_exit, x.broker_order_id as live_exit_broker_id,
           exists (select 1 from orders o where o.position_id = p.position_id and o.role = 'stop_loss' and o.broker_order_id is not null
                     and o.status = any(${LIVE as string[]})) as has_stop
      from positions p
      left join orders x on x.position_id = p.position_id and x.role = 'exit' and x.status = any(${LIVE as string[]})
     where p.status = 'open' and p.source = 'catalyst' order by p.position_id`;
  await Promise.all(
    positions.map(async (p) => {
      const positionId = Number(p.position_id);
      const action = flattenStep(now, window, { holdOvernight: p.hold_overnight, hasLiveExit: p.live_exit !== null, hasWorkingStop: p.has_stop });
      try {
        if (action === "exit") {
          const closed = await closePosition(sql, broker, positionId, CLOSE_REASON, "flatten window: flat by the close");
          effects.push(...closed.effects);
          if (closed.outcome === "exit_sent") report.exits++;
        } else if (action === "protect") {
          // A day exit still working would expire at the bell: what is left gets its stop back now.
          if (p.live_exit_broker_id) await cancelAndSettle(sql, broker, p.live_exit_broker_id, effects);
          const protection = await protectPosition(sql, broker, positionId, "not flat at the close");
          if (protection.stopOrderId === null) report.problems.push(`position ${positionId}: ${protection.message}`);
          else report.protectedPositions++;
          deps.log.error("position not flat at the close", { positionId, protection: protection.message });
        }
      } catch (error) {
        if (error instanceof Error && "code" in error && error.code === "position_closed") return;
        report.problems.push(`position ${positionId}: ${errorMessage(error)}`);
      }
    }),
  );
  await deps.publish(effects);
  return report;
}

/** Runs flattenPass on the market clock until stopped; one pass at a time. */
export function startFlattener(deps: FlattenerDeps): { stop(): void } {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: { wall: number; market: number } | null = null;
  let rate = 1;

  const nextDelay = (market: number): number => {
    const window = flattenWindowOf(market, deps.windowMinutes);
    if (last === null) return 1_000;
    if (window && market >= window.opensAt && market < window.close + 30 * 60_000) return Math.min(MAX_WINDOW_DELAY_MS, Math.max(MIN_DELAY_MS, PASS_MARKET_MS / rate));
    if (window && market < window.opensAt) return Math.min(MAX_IDLE_DELAY_MS, Math.max(MIN_DELAY_MS, (window.opensAt - market) / rate / 2));
    return MAX_IDLE_DELAY_MS;
  };

  const run = async () => {
    let delay = 1_000;
    try {
      const market = await deps.marketNow();
      const wall = performance.now();
      if (last !== null && wall - last.wall >= 50) rate = Math.max(1, (market - last.market) / (wall - last.wall));
      last = { wall, market };
      const report = await flattenPass(deps, market);
      if (report.exits + report.protectedPositions + report.cancelledEntries > 0 || report.problems.length > 0) deps.log.info("flatten window", { ...report });
      if (report.problems.length > 0) await deps.reportProblems(report.problems);
      delay = nextDelay(market);
    } catch (error) {
      deps.log.warn("flatten pass failed; retrying", { error: errorMessage(error) });
    }
    if (!stopped) timer = setTimeout(run, delay);
  };
  timer = setTimeout(run, 0);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
