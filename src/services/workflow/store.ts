/**
 * trading_cycles, read in the API's shape with what the cycle has done: its scans (scans.cycle_id)
 * and its entries (orders.cycle_id, role entry). Times written here are the market's (the venue's
 * clock in sim mode), like scans.as_of.
 */
import type { JSONValue, Sql } from "postgres";
import type { CycleSummary, CycleView } from "../../contracts/workflow.ts";
import type { Mode } from "../../config.ts";
import type { CycleState } from "../../domain/workflow/cycle-states.ts";
import { dayPlan, type DayPlan } from "../../domain/workflow/day-plan.ts";
import { MODE_SETTINGS, type ModeSettings } from "../../domain/workflow/mode-settings.ts";
import type { ScanMode } from "../../domain/scanner/modes.ts";
import { PREPARED } from "../../adapters/db/client.ts";

/** What a cycle is started with, kept in trading_cycles.config. */
export interface CycleConfig {
  settings: ModeSettings;
  plan: DayPlan;
  /** Set when the cycle halted: why, and at what market time. */
  halt?: { reason: string; at: string };
  /** Set when the cycle was ended by a stop or the next day's boundary: why, and at what market time. */
  end?: { reason: string; at: string };
}

/** A cycle as the API shows it, with its state typed for the state machine. */
export type Cycle = CycleView & { state: CycleState };

interface CycleRow {
  cycle_id: string;
  trading_date: string;
  state: CycleState;
  mode: ScanMode;
  config: Partial<CycleConfig>;
  started_at: Date;
  ended_at: Date | null;
  error_message: string | null;
  last_activity_at: Date;
  scans: number;
  last_scan_id: string | null;
  last_scan_at: Date | null;
  entries_placed: number;
}

// Broker-rejected entries never reached the market: they do not use up the day's entries.
const CYCLE_SELECT = `
  select c.cycle_id, c.trading_date::text as trading_date, c.state, c.mode, c.config, c.started_at, c.ended_at,
         c.error_message, c.last_activity_at,
         (select count(*)::int from scans s where s.cycle_id = c.cycle_id) as scans,
         ls.scan_id as last_scan_id, ls.as_of as last_scan_at,
         (select count(*)::int from orders o
           where o.cycle_id = c.cycle_id and o.role = 'entry' and o.status <> 'rejected') as entries_placed
    from trading_cycles c
    left join lateral (select scan_id, as_of from scans s where s.cycle_id = c.cycle_id
                        order by as_of desc, created_at desc limit 1) ls on true`;

function toView(row: CycleRow, mode: Mode): Cycle {
  return {
    mode,
    cycleId: row.cycle_id,
    tradingDate: row.trading_date,
    state: row.state,
    riskMode: row.mode,
    // A cycle written by another hand (a manual insert) may carry no config: its mode and date say it.
    settings: row.config.settings ?? MODE_SETTINGS[row.mode],
    plan: row.config.plan ?? dayPlan(row.trading_date),
    startedAt: row.started_at.toISOString(),
    endedAt: row.ended_at?.toISOString() ?? null,
    lastScanAt: row.last_scan_at?.toISOString() ?? null,
    lastScanId: row.last_scan_id,
    scans: row.scans,
    entriesPlaced: row.entries_placed,
    errorMessage: row.error_message,
    haltReason: row.config.halt?.reason ?? null,
    endReason: row.config.end?.reason ?? null,
    lastActivityAt: row.last_activity_at.toISOString(),
  };
}

export async function cycleById(sql: Sql, mode: Mode, cycleId: string): Promise<Cycle | null> {
  const [row] = await sql.unsafe<CycleRow[]>(`${CYCLE_SELECT} where c.cycle_id = $1`, [cycleId], PREPARED);
  return row ? toView(row, mode) : null;
}

/** Cycles newest first, a page at a time, each with its positions' realized P&L and counts. */
export async function listCycles(sql: Sql, mode: Mode, limit: number, offset: number): Promise<{ cycles: CycleSummary[]; total: number }> {
  const rows = await sql.unsafe<(CycleRow & { realized_pnl: string; open_positions: number; closed_positions: number })[]>(
    `select c.*, coalesce(p.realized, 0)::text as realized_pnl, coalesce(p.open, 0)::int as open_positions, coalesce(p.closed, 0)::int as closed_positions
       from (${CYCLE_SELECT} order by c.started_at desc, c.cycle_id limit $1 offset $2) c
       left join lateral (select sum(realized_pnl) as realized, count(*) filter (where status = 'open') as open,
                                 count(*) filter (where status = 'closed') as closed
                            from positions where cycle_id = c.cycle_id) p on true
      order by c.started_at desc, c.cycle_id`,
    [limit, offset],
    PREPARED,
  );
  const [count] = await sql`select count(*)::int as n from trading_cycles`;
  return {
    cycles: rows.map((r) => ({ ...toView(r, mode), realizedPnl: r.realized_pnl, openPositions: r.open_positions, closedPositions: r.closed_positions })),
    total: count!.n,
  };
}

/** The one live cycle (the unique index trading_cycles_one_active allows no second). */
export async function activeCycle(sql: Sql, mode: Mode): Promise<Cycle | null> {
  const [row] = await sql.unsafe<CycleRow[]>(`${CYCLE_SELECT} where c.state not in ('closed', 'error')`, [], PREPARED);
  return row ? toView(row, mode) : null;
}

/** Inserts a created cycle; a live one already existing fails with 23505 on trading_cycles_one_active. */
export async function insertCycle(sql: Sql, cycle: { mode: ScanMode; config: CycleConfig; atMs: number }): Promise<string> {
  const at = new Date(cycle.atMs).toISOString();
  const [row] = await sql<{ cycle_id: string }[]>`
    insert into trading_cycles (trading_date, state, mode, started_at, config, last_activity_at)
    values (${cycle.config.plan.tradingDate}, 'created', ${cycle.mode}, ${at}, ${sql.json(cycle.config as unknown as JSONValue)}, ${at})
    returning cycle_id`;
  return row!.cycle_id;
}

export function isActiveCycleConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint_name?: string };
  return e?.code === "23505" && e.constraint_name === "trading_cycles_one_active";
}

/**
 * Moves a cycle from `from` to `to` only if it is still in `from` (a stop or another writer may
 * have moved it meanwhile); false when it was not. Closing sets ended_at, never before started_at
 * (a restarted sim venue's clock starts over).
 */
export async function moveCycle(sql: Sql, cycleId: string, from: CycleState, to: Exclude<CycleState, "error">, atMs: number): Promise<boolean> {
  const at = new Date(atMs).toISOString();
  const rows = await sql`
    update trading_cycles
       set state = ${to},
           last_activity_at = ${at},
           ended_at = case when ${to === "closed"} then greatest(${at}::timestamptz, started_at) end
     where cycle_id = ${cycleId} and state = ${from}
    returning cycle_id`;
  return rows.length === 1;
}

/** Closes a live cycle still in `from`, keeping why in its config; false when it moved meanwhile. */
export async function endCycle(sql: Sql, cycleId: string, from: CycleState, reason: string, atMs: number): Promise<boolean> {
  const at = new Date(atMs).toISOString();
  const rows = await sql`
    update trading_cycles
       set state = 'closed', last_activity_at = ${at}, ended_at = greatest(${at}::timestamptz, started_at),
           config = config || ${sql.json({ end: { reason, at } })}
     where cycle_id = ${cycleId} and state = ${from}
    returning cycle_id`;
  return rows.length === 1;
}

/** Halts the cycle if it is still in `from`, keeping why in its config; false when it moved meanwhile. */
export async function haltCycle(sql: Sql, cycleId: string, from: CycleState, reason: string, atMs: number): Promise<boolean> {
  const at = new Date(atMs).toISOString();
  const rows = await sql`
    update trading_cycles
       set state = 'halted', last_activity_at = ${at}, config = config || ${sql.json({ halt: { reason, at } })}
     where cycle_id = ${cycleId} and state = ${from}
    returning cycle_id`;
  return rows.length === 1;
}

/** Symbols this cycle has sent an entry for (any outcome): the workflow never enters one twice a day. */
export async function enteredSymbols(sql: Sql, cycleId: string): Promise<Set<string>> {
  const rows = await sql<{ symbol: string }[]>`
    select distinct s.symbol from orders o join securities s using (security_id)
     where o.cycle_id = ${cycleId} and o.role = 'entry'`;
  return new Set(rows.map((r) => r.symbol));
}
