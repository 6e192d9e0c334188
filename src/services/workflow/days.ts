/** workflow_day_decisions: the days autostart started, was blocked on, or the trader skipped. */
import type { Sql } from "postgres";
import type { DayDecision } from "../../contracts/workflow.ts";
import type { DayRecord } from "../../domain/workflow/autostart.ts";
import type { IsoDate } from "../../domain/exchange-calendar.ts";

interface DecisionRow {
  trading_date: string;
  decision: DayDecision["decision"];
  reason: string;
  cycle_id: string | null;
  decided_at: Date;
}

const view = (r: DecisionRow): DayDecision => ({
  tradingDate: r.trading_date,
  decision: r.decision,
  reason: r.reason,
  cycleId: r.cycle_id,
  decidedAt: r.decided_at.toISOString(),
});

export async function recordDecision(
  sql: Sql,
  d: { tradingDate: IsoDate; decision: DayDecision["decision"]; reason: string; cycleId?: string; atMs: number },
): Promise<DayDecision> {
  const [row] = await sql<DecisionRow[]>`
    insert into workflow_day_decisions (trading_date, decision, reason, cycle_id, decided_at)
    values (${d.tradingDate}, ${d.decision}, ${d.reason}, ${d.cycleId ?? null}, ${new Date(d.atMs).toISOString()})
    returning trading_date::text, decision, reason, cycle_id, decided_at`;
  return view(row!);
}

/** The day's skip, if the trader skipped it. */
export async function skipOf(sql: Sql, date: IsoDate): Promise<DayDecision | null> {
  const [row] = await sql<DecisionRow[]>`
    select trading_date::text, decision, reason, cycle_id, decided_at from workflow_day_decisions
     where trading_date = ${date} and decision = 'skipped'`;
  return row ? view(row) : null;
}

export function isSkipConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint_name?: string };
  return e?.code === "23505" && e.constraint_name === "workflow_day_decisions_one_skip";
}

/** What autostart needs to know about `date`: a cycle of that date, a skip, the latest block told. */
export async function dayRecord(sql: Sql, date: IsoDate): Promise<DayRecord> {
  const [row] = await sql<{ cycle_started: boolean; skipped: boolean; last_blocked: string | null }[]>`
    select exists (select 1 from trading_cycles where trading_date = ${date}) as cycle_started,
           exists (select 1 from workflow_day_decisions where trading_date = ${date} and decision = 'skipped') as skipped,
           (select reason from workflow_day_decisions where trading_date = ${date} and decision = 'blocked'
             order by decided_at desc, decision_id desc limit 1) as last_blocked`;
  return { cycleStarted: row!.cycle_started, skipped: row!.skipped, lastBlockedReason: row!.last_blocked };
}
