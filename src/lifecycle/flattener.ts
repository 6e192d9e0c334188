/**
 * Flat by the close, whether or not a cycle runs, and never naked while an exit works: a loop of its
 * own in the trading service, paced by the market clock (never queued behind a scan or an entry
 * pass). It estimates how fast the market clock runs against the wall clock, so at 600× it looks
 * every ~100 ms and at 1× every few seconds. All session: an exit that stops filling has its
 * remainder protected by a stop again, and its close is sent again later (a partial close for the
 * shares it still owes). In the window: working entries are cancelled, every Catalyst position gets
 * one exit, an exit that ended with shares left is sent again, and from a minute before the close whatever is left gets a working stop (and the
 * doctor's not_flat_at_close issue escalates it).
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import { flattenWindowOf } from "../domain/flatten-window.ts";
import { exitToSend, flattenStep, stillOwed, type ExitTiming } from "../domain/orders/flatten-step.ts";
import { withoutZeroFraction } from "../domain/money.ts";
import { LIVE_ORDER_STATUSES } from "../domain/order-status.ts";
import { errorMessage } from "../runtime/errors.ts";
import type { Logger } from "../runtime/log.ts";
import type { ReportEffects } from "./apply-report.ts";
import { cancelAndSettle } from "./cancel-settle.ts";
import { cancelWorkingEntries, closePosition } from "./close.ts";
import { protectPosition } from "./protect.ts";

const MIN_DELAY_MS = 50;
const MAX_IDLE_DELAY_MS = 15_000;
const MAX_WINDOW_DELAY_MS = 2_000;
/** Market time between passes inside the window. */
const PASS_MARKET_MS = 20_000;
const CLOSE_REASON = "end_of_day";
/** The protect reason of a stop put back under a stalled exit's remainder: its close is still owed. */
const EXIT_STALLED = "exit_stalled";
/** On a stalled partial close's exit row: the shares it still owes, and since when (market time). */
const OWED_QTY = "owedQty";
const OWED_SINCE = "owedSince";

export interface FlattenerDeps {
  sql: Sql;
  broker: Broker;
  log: Logger;
  windowMinutes: number;
  timing: ExitTiming;
  marketNow(): Promise<number>;
  publish(effects: ReportEffects[]): Promise<void>;
  /** What a pass could not do (told to the trader); called after every pass that has any. */
  reportProblems(problems: string[]): Promise<void>;
}

export interface FlattenPassReport {
  exits: number;
  /** Stalled exits whose remainder got a stop again. */
  reprotected: number;
  protectedPositions: number;
  cancelledEntries: number;
  /** Positions with an exit working or a close owed: the loop looks again soon. */
  watching: number;
  problems: string[];
}

const LIVE = LIVE_ORDER_STATUSES as readonly string[];
const msSince = (now: number, at: Date | null): number | null => (at === null ? null : now - new Date(at).getTime());

/**
 * A stalled exit was just cancelled: if it was a partial close, what it left unsold is still owed
 * to the trader and is sent again like a full close (the stop put back under it is resized, so it
 * cannot carry the mark as a full close's stop does).
 */
async function recordOwed(sql: Sql, exitId: number, now: number): Promise<void> {
  const [exit] = await sql`select qty::text, filled_qty::text from orders where order_id = ${exitId} and metadata->>'partialQty' is not null`;
  const owed = exit ? stillOwed(exit.qty, exit.filled_qty) : null;
  if (owed === null) return;
  await sql`update orders set metadata = metadata || ${sql.json({ [OWED_QTY]: withoutZeroFraction(owed), [OWED_SINCE]: new Date(now).toISOString() })} where order_id = ${exitId}`;
}

/** An owed partial close that cannot be sent is owed no more: the trader is told once. */
async function dropOwed(sql: Sql, exitId: number, why: string): Promise<void> {
  await sql`update orders set metadata = (metadata - ${OWED_QTY}::text - ${OWED_SINCE}::text) || ${sql.json({ owedDropped: why })} where order_id = ${exitId}`;
}

/** One pass at the market's `now`: acts on every open Catalyst position per flattenStep. */
export async function flattenPass(deps: FlattenerDeps, now: number): Promise<FlattenPassReport> {
  const { sql, broker } = deps;
  const report: FlattenPassReport = { exits: 0, reprotected: 0, protectedPositions: 0, cancelledEntries: 0, watching: 0, problems: [] };
  const window = flattenWindowOf(now, deps.windowMinutes);
  if (window === null || now < window.open) return report;
  const effects: ReportEffects[] = [];

  if (now >= window.opensAt && now < window.close) report.cancelledEntries = await cancelWorkingEntries(sql, broker, effects, report.problems);

  // Times are the broker's (market time): an exit's last progress, and when an owed close's stop went out.
  // The last close decides what is owed: a full one by its exit_stalled stop, a partial one by what its stalled exit left unsold.
  const positions = await sql`
    select p.position_id, p.hold_overnight, x.order_id as live_exit, x.broker_order_id as live_exit_broker_id,
           case when x.broker_order_id is null then null
                else greatest(x.submitted_at, (select max(f.filled_at) from fills f where f.order_id = x.order_id)) end as exit_progress_at,
           p.qty::text as held, last.order_id as last_exit, last.close_reason as last_close_reason,
           case when last.partial then last.owed_since else owed.submitted_at end as owed_since,
           case when last.partial then last.owed_qty end as owed_qty,
           st.qty is not null as has_stop, coalesce(st.qty < p.qty, false) as stop_short
      from positions p
      left join orders x on x.position_id = p.position_id and x.role = 'exit' and x.status = any(${LIVE as string[]})
      left join lateral (select o.order_id, o.metadata->>'closeReason' as close_reason, o.metadata->>'partialQty' is not null as partial,
                                o.metadata->>${OWED_QTY}::text as owed_qty, (o.metadata->>${OWED_SINCE}::text)::timestamptz as owed_since
                           from orders o where o.position_id = p.position_id and o.role = 'exit' order by o.order_id desc limit 1) last on true
      left join lateral (select sum(o.qty - o.filled_qty) as qty from orders o where o.position_id = p.position_id and o.role = 'stop_loss'
                            and o.broker_order_id is not null and o.status = any(${LIVE as string[]})) st on true
      left join lateral (select o.submitted_at from orders o where o.position_id = p.position_id and o.role = 'stop_loss'
                            and o.broker_order_id is not null and o.status = any(${LIVE as string[]})
                            and o.metadata->>'protectReason' = ${EXIT_STALLED} order by o.order_id desc limit 1) owed on true
     where p.status = 'open' and p.source = 'catalyst' order by p.position_id`;
  await Promise.all(
    positions.map(async (p) => {
      const positionId = Number(p.position_id);
      const owedForMs = msSince(now, p.owed_since);
      if (p.live_exit !== null || owedForMs !== null) report.watching++;
      const action = flattenStep(
        now,
        window,
        { holdOvernight: p.hold_overnight, hasLiveExit: p.live_exit !== null, hasWorkingStop: p.has_stop, exitIdleMs: msSince(now, p.exit_progress_at), closeOwedForMs: owedForMs, stopShort: p.stop_short },
        deps.timing,
      );
      try {
        if (action === "exit") {
          const owed = owedForMs !== null;
          const exit = exitToSend(now, window, p.hold_overnight, withoutZeroFraction(p.held), p.owed_qty);
          if (exit.kind === "dropped") {
            await dropOwed(sql, Number(p.last_exit), exit.why);
            report.problems.push(`position ${positionId}: ${exit.why}`);
            return;
          }
          const reason = owed ? (p.last_close_reason ?? CLOSE_REASON) : CLOSE_REASON;
          const note = exit.kind === "partial" ? `a partial close whose exit stalled, sent again for the ${exit.qty} shares it still owes`
            : owed ? "a close whose exit stalled, sent again" : "flatten window: flat by the close";
          const closed = await closePosition(sql, broker, positionId, reason, note, exit.kind === "partial" ? exit.qty : null);
          effects.push(...closed.effects);
          if (closed.outcome === "exit_sent") report.exits++;
        } else if (action === "cover") {
          const protection = await protectPosition(sql, broker, positionId, "its stop covered fewer shares than it holds");
          if (protection.short) report.problems.push(`position ${positionId}: ${protection.message}`);
          else report.protectedPositions++;
          deps.log.warn("a stop covered fewer shares than held", { positionId, protection: protection.message });
        } else if (action === "reprotect" || action === "protect") {
          // A working exit holds the shares: cancel it, then what is left gets its stop.
          if (p.live_exit_broker_id) await cancelAndSettle(sql, broker, p.live_exit_broker_id, effects);
          if (action === "reprotect") await recordOwed(sql, Number(p.live_exit), now);
          const why = action === "reprotect" ? EXIT_STALLED : "not flat at the close";
          const protection = await protectPosition(sql, broker, positionId, why);
          if (protection.closed) return;
          if (protection.stopOrderId === null) report.problems.push(`position ${positionId}: ${protection.message}`);
          else if (action === "reprotect") report.reprotected++;
          else report.protectedPositions++;
          if (action === "protect") deps.log.error("position not flat at the close", { positionId, protection: protection.message });
          else deps.log.warn("exit not filling: what is left has a stop again; the close is sent again", { positionId, protection: protection.message });
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

/**
 * Runs flattenPass on the market clock until stopped; one pass at a time. `wake()` says an exit was
 * just sent: the next pass comes soon enough to catch it stalling, however long the loop was idle.
 */
export function startFlattener(deps: FlattenerDeps): { stop(): void; wake(): void } {
  let stopped = false;
  let running = false;
  let wakeDuringPass = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let dueAt = 0;
  let last: { wall: number; market: number } | null = null;
  let rate = 1;

  const clampDelay = (ms: number, max: number) => Math.min(max, Math.max(MIN_DELAY_MS, ms));
  const watchDelay = () => clampDelay(deps.timing.stallMs / 4 / rate, MAX_WINDOW_DELAY_MS);
  const nextDelay = (market: number, watching: boolean): number => {
    const window = flattenWindowOf(market, deps.windowMinutes);
    if (last === null) return 1_000;
    if (window && market >= window.opensAt && market < window.close + 30 * 60_000) return clampDelay(PASS_MARKET_MS / rate, MAX_WINDOW_DELAY_MS);
    // An exit working (or a close owed) in the session: look often enough to catch a stall in time.
    if (window && watching && market >= window.open && market < window.close) return watchDelay();
    if (window && market < window.opensAt) return clampDelay((window.opensAt - market) / rate / 2, MAX_IDLE_DELAY_MS);
    return MAX_IDLE_DELAY_MS;
  };
  const schedule = (delay: number) => {
    dueAt = performance.now() + delay;
    timer = setTimeout(run, delay);
  };

  const run = async () => {
    running = true;
    let delay = 1_000;
    try {
      const market = await deps.marketNow();
      const wall = performance.now();
      if (last !== null && wall - last.wall >= 50) rate = Math.max(1, (market - last.market) / (wall - last.wall));
      last = { wall, market };
      const report = await flattenPass(deps, market);
      if (report.exits + report.reprotected + report.protectedPositions + report.cancelledEntries > 0 || report.problems.length > 0) deps.log.info("flattener", { ...report });
      if (report.problems.length > 0) await deps.reportProblems(report.problems);
      delay = nextDelay(market, report.watching > 0 || wakeDuringPass);
    } catch (error) {
      deps.log.warn("flatten pass failed; retrying", { error: errorMessage(error) });
    }
    running = false;
    wakeDuringPass = false;
    if (!stopped) schedule(delay);
  };
  schedule(0);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    wake() {
      if (stopped) return;
      if (running) {
        wakeDuringPass = true;
        return;
      }
      if (dueAt - performance.now() <= watchDelay()) return;
      if (timer) clearTimeout(timer);
      schedule(watchDelay());
    },
  };
}
