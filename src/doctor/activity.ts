/**
 * claude_activity_log: observations → decisions → actions of the doctor sweep, the Claude Code
 * agent (`catalyst activity log`) and the user, and the views over it (sql/004_views.sql).
 * Entries are validated here against the table's CHECKs, so a bad one is refused naming the field
 * instead of surfacing as a constraint name.
 */
import type { Sql } from "postgres";
import { SEVERITIES, type Severity } from "../domain/doctor/types.ts";

export const OBSERVATION_TYPES = ["sweep", "manual_check", "alert_triggered", "startup", "shutdown"] as const;
export const DECISIONS = ["auto_fix", "escalate", "monitor", "no_action", "defer"] as const;
export const ACTION_TYPES = ["db_update", "db_insert", "broker_read", "alert_sent", "none"] as const;
export const ACTION_RESULTS = ["success", "failed", "partial", "pending", "skipped"] as const;

export type ObservationType = (typeof OBSERVATION_TYPES)[number];
export type Decision = (typeof DECISIONS)[number];
export type ActionType = (typeof ACTION_TYPES)[number];
export type ActionResult = (typeof ACTION_RESULTS)[number];

/** One row to write; optional fields are NULL (counts 0, metadata {}). */
export interface ActivityEntry {
  observationType: ObservationType;
  sessionId?: string | null;
  cycleId?: string | null;
  sweepId?: number | null;
  observationSummary?: Record<string, unknown> | null;
  issuesFound?: number;
  criticalCount?: number;
  warningCount?: number;
  decision?: Decision | null;
  decisionReasoning?: string | null;
  actionType?: ActionType | null;
  actionDetail?: string | null;
  actionTarget?: string | null;
  actionResult?: ActionResult | null;
  errorMessage?: string | null;
  issueType?: string | null;
  issueSeverity?: Severity | null;
  entity?: string | null;
  fixDurationMs?: number | null;
  sweepDurationMs?: number | null;
  /** Who wrote it goes in metadata.who (doctor, claude_code, user). */
  metadata?: Record<string, unknown>;
}

/** An entry the table would refuse; `field` is the ActivityEntry property at fault. */
export class ActivityEntryError extends Error {
  constructor(
    readonly field: keyof ActivityEntry,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = "ActivityEntryError";
  }
}

const ISSUE_TYPE = /^[a-z][a-z0-9_]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function oneOf(entry: ActivityEntry, field: keyof ActivityEntry, allowed: readonly string[], required = false): void {
  const value = entry[field];
  if (value === undefined || value === null) {
    if (required) throw new ActivityEntryError(field, `is required (one of ${allowed.join(", ")})`);
    return;
  }
  if (typeof value !== "string" || !allowed.includes(value)) {
    throw new ActivityEntryError(field, `must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)})`);
  }
}

function wholeNumber(entry: ActivityEntry, field: keyof ActivityEntry): void {
  const value = entry[field];
  if (value !== undefined && value !== null && !(Number.isInteger(value) && (value as number) >= 0)) {
    throw new ActivityEntryError(field, `must be a whole number ≥ 0 (got ${JSON.stringify(value)})`);
  }
}

/** Throws ActivityEntryError for the first field the table's CHECKs would refuse. */
export function validateActivityEntry(entry: ActivityEntry): void {
  oneOf(entry, "observationType", OBSERVATION_TYPES, true);
  oneOf(entry, "decision", DECISIONS);
  oneOf(entry, "actionType", ACTION_TYPES);
  oneOf(entry, "actionResult", ACTION_RESULTS);
  oneOf(entry, "issueSeverity", SEVERITIES);
  for (const field of ["issuesFound", "criticalCount", "warningCount", "sweepId", "fixDurationMs", "sweepDurationMs"] as const) wholeNumber(entry, field);
  if (entry.issueType != null && !ISSUE_TYPE.test(entry.issueType)) {
    throw new ActivityEntryError("issueType", `must be snake_case like order_status_mismatch (got ${JSON.stringify(entry.issueType)})`);
  }
  if (entry.cycleId != null && !UUID.test(entry.cycleId)) throw new ActivityEntryError("cycleId", `must be a cycle's UUID (got ${JSON.stringify(entry.cycleId)})`);
  if (entry.actionResult === "failed" && !entry.errorMessage) throw new ActivityEntryError("errorMessage", "is required when the action's result is failed");
}

/** Validates and inserts one entry; returns its log_id. */
export async function logActivity(sql: Sql, entry: ActivityEntry): Promise<number> {
  validateActivityEntry(entry);
  const [row] = await sql<{ log_id: string }[]>`
    insert into claude_activity_log (session_id, cycle_id, sweep_id, observation_type, observation_summary,
      issues_found, critical_count, warning_count, decision, decision_reasoning, action_type, action_detail,
      action_target, action_result, error_message, issue_type, issue_severity, entity, fix_duration_ms,
      sweep_duration_ms, metadata)
    values (${entry.sessionId ?? null}, ${entry.cycleId ?? null}, ${entry.sweepId ?? null}, ${entry.observationType},
      ${entry.observationSummary ? sql.json(entry.observationSummary as never) : null},
      ${entry.issuesFound ?? 0}, ${entry.criticalCount ?? 0}, ${entry.warningCount ?? 0}, ${entry.decision ?? null},
      ${entry.decisionReasoning ?? null}, ${entry.actionType ?? null}, ${entry.actionDetail ?? null},
      ${entry.actionTarget ?? null}, ${entry.actionResult ?? null}, ${entry.errorMessage ?? null},
      ${entry.issueType ?? null}, ${entry.issueSeverity ?? null}, ${entry.entity ?? null},
      ${entry.fixDurationMs ?? null}, ${entry.sweepDurationMs ?? null}, ${sql.json((entry.metadata ?? {}) as never)})
    returning log_id`;
  return Number(row!.log_id);
}

/** A claude_activity_log row as stored (BIGINT ids as numbers, timestamps as Dates). */
export interface ActivityRow {
  log_id: number;
  logged_at: Date;
  session_id: string | null;
  cycle_id: string | null;
  sweep_id: number | null;
  observation_type: ObservationType;
  observation_summary: Record<string, unknown> | null;
  issues_found: number;
  critical_count: number;
  warning_count: number;
  decision: Decision | null;
  decision_reasoning: string | null;
  action_type: ActionType | null;
  action_detail: string | null;
  action_target: string | null;
  action_result: ActionResult | null;
  error_message: string | null;
  issue_type: string | null;
  issue_severity: Severity | null;
  entity: string | null;
  fix_duration_ms: number | null;
  sweep_duration_ms: number | null;
  metadata: Record<string, unknown>;
}

/** Newest first: entries logged at or after `since` (default: all), at most `limit` (default 100). */
export async function readActivity(sql: Sql, opts: { since?: Date; limit?: number } = {}): Promise<ActivityRow[]> {
  const rows = await sql<(Omit<ActivityRow, "log_id" | "sweep_id"> & { log_id: string; sweep_id: string | null })[]>`
    select * from claude_activity_log
     where ${opts.since ?? null}::timestamptz is null or logged_at >= ${opts.since ?? null}::timestamptz
     order by logged_at desc, log_id desc
     limit ${opts.limit ?? 100}`;
  return rows.map((row) => ({ ...row, log_id: Number(row.log_id), sweep_id: row.sweep_id === null ? null : Number(row.sweep_id) }));
}

type ViewRow = Record<string, unknown>;

/** The activity views as they answer now (sql/004_views.sql owns what each row holds). */
export interface ActivityViews {
  /** v_claude_activity_summary: one row per ET day, newest first (last 30). */
  summary: ViewRow[];
  /** v_recurring_issues: issue types of the last 30 days, most frequent first. */
  recurring: ViewRow[];
  /** v_recent_escalations and v_failed_actions: last 7 days, newest first, at most `limit`. */
  escalations: ViewRow[];
  failed: ViewRow[];
  /** v_trade_pipeline_status: recent and live trading cycles, newest first. */
  pipeline: ViewRow[];
}

export async function readActivityViews(sql: Sql, limit = 100): Promise<ActivityViews> {
  const [summary, recurring, escalations, failed, pipeline] = await Promise.all([
    sql<ViewRow[]>`select * from v_claude_activity_summary order by activity_date desc limit 30`,
    sql<ViewRow[]>`select * from v_recurring_issues order by occurrences desc, issue_type`,
    sql<ViewRow[]>`select * from v_recent_escalations limit ${limit}`,
    sql<ViewRow[]>`select * from v_failed_actions limit ${limit}`,
    sql<ViewRow[]>`select * from v_trade_pipeline_status order by trading_date desc, started_at desc`,
  ]);
  return { summary, recurring, escalations, failed, pipeline };
}
