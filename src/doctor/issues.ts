/**
 * The doctor's issues (doctor_issues) from first sighting to resolution, and their escalation
 * e-mail: one per new issue, retried with back-off, never twice, and always logged.
 * Each sweep: recordOpenIssues → resolveIssues → deliverEscalations (with a null mailer when
 * SMTP_URL is unset, which marks new issues not_configured and logs that).
 */
import type { Sql, TransactionSql } from "postgres";
import type { Mailer } from "../adapters/mail/mailer.ts";
import { errorMessage } from "../runtime/errors.ts";
import type { Logger } from "../runtime/log.ts";
import type { Severity } from "../domain/doctor/types.ts";
import { logActivity, type ActionResult } from "./activity.ts";
import { escalationMessage, type EscalatedIssue } from "./escalation-message.ts";

export type OpenIssueInput = {
  type: string;
  severity: "critical" | "warning" | "info";
  entity: string;
  check: string;
  db: unknown;
  broker: unknown;
};

export function issueKey(issue: Pick<OpenIssueInput, "type" | "entity">): string {
  return `${issue.type}:${issue.entity}`;
}

/**
 * Upserts this sweep's issues by key in one statement: a key with no open row opens one (e-mail
 * pending); an open one only moves last_seen_at, last_sweep_id and diff.
 * `opened`: the issues that are new; `stillOpen`: how many were already open.
 */
export async function recordOpenIssues(sql: Sql, sweepId: number, issues: OpenIssueInput[]): Promise<{ opened: OpenIssueInput[]; stillOpen: number }> {
  const byKey = new Map(issues.map((issue) => [issueKey(issue), issue]));
  if (byKey.size === 0) return { opened: [], stillOpen: 0 };
  // undefined would vanish from the JSON (and from the diff); the diff always holds both sides.
  const rows = [...byKey.values()].map((i) => ({ type: i.type, severity: i.severity, entity: i.entity, check: i.check, db: i.db ?? null, broker: i.broker ?? null }));
  const [result] = await sql<{ opened: string[]; still_open: number }[]>`
    with input as (
      select i.type || ':' || i.entity as issue_key, i.*
        from jsonb_to_recordset(${sql.json(rows as never)}) as i(type text, severity text, entity text, "check" text, db jsonb, broker jsonb)
    ),
    seen as (
      update doctor_issues d
         set last_seen_at = now(), last_sweep_id = ${sweepId}, diff = jsonb_build_object('db', i.db, 'broker', i.broker)
        from input i
       where d.issue_key = i.issue_key and d.resolved_at is null
      returning d.issue_key
    ),
    opened as (
      insert into doctor_issues (issue_key, issue_type, severity, entity, check_name, last_sweep_id, diff)
      select i.issue_key, i.type, i.severity, i.entity, i."check", ${sweepId}, jsonb_build_object('db', i.db, 'broker', i.broker)
        from input i
       where i.issue_key not in (select issue_key from seen)
      -- a concurrent sweep opened it first: it is theirs to report
      on conflict (issue_key) where resolved_at is null do nothing
      returning issue_key
    )
    select (select coalesce(jsonb_agg(issue_key), '[]'::jsonb) from opened) as opened,
           (select count(*)::int from seen) as still_open`;
  return { opened: result!.opened.map((key) => byKey.get(key)!), stillOpen: result!.still_open };
}

/**
 * Resolves, in one statement, the open issues of the checks that ran completely in this sweep and
 * did not report them again. Issues of a check that failed or was skipped stay open: not seeing
 * them proves nothing. An issue a later sweep has seen is left alone. Returns how many resolved.
 */
export async function resolveIssues(sql: Sql, sweepId: number, outcome: { checksRan: string[]; stillPresentKeys: string[] }): Promise<number> {
  const resolved = await sql`
    update doctor_issues
       set resolved_at = now(), resolution = 'absent from sweep ' || ${sweepId}::bigint || ' (check ' || check_name || ' ran completely)'
     where resolved_at is null
       and check_name = any(${outcome.checksRan}::text[])
       and issue_key <> all(${outcome.stillPresentKeys}::text[])
       and last_sweep_id <= ${sweepId}`;
  return resolved.count;
}

/** A doctor_issues row (BIGINT ids as numbers). */
export interface IssueRecord extends EscalatedIssue {
  issue_key: string;
  severity: Severity;
  last_seen_at: Date;
  email_status: "pending" | "sent" | "failed" | "not_configured";
  email_attempts: number;
  email_last_error: string | null;
  email_sent_at: Date | null;
  next_attempt_at: Date;
}

const ISSUE_COLUMNS = `issue_id::float8 as issue_id, issue_key, issue_type, severity, entity, check_name, first_seen_at,
  last_seen_at, last_sweep_id::float8 as last_sweep_id, diff, email_status, email_attempts, email_last_error,
  email_sent_at, next_attempt_at`;

/** Open issues, critical first, then oldest first. */
export async function openIssues(sql: Sql, opts: { severity?: Severity; limit?: number } = {}): Promise<IssueRecord[]> {
  return sql<IssueRecord[]>`
    select ${sql.unsafe(ISSUE_COLUMNS)} from doctor_issues
     where resolved_at is null and (${opts.severity ?? null}::text is null or severity = ${opts.severity ?? null})
     order by case severity when 'critical' then 0 when 'warning' then 1 else 2 end, first_seen_at, issue_id
     limit ${opts.limit ?? 1000}`;
}

/**
 * Keys of the open critical issues, oldest first: while there is one, new entries wait (the risk
 * gate reads this inside its transaction, so a failing read fails the entry: closed, not open).
 */
export async function openCriticalIssueKeys(db: Sql | TransactionSql): Promise<string[]> {
  const rows = await db`select issue_key from doctor_issues where resolved_at is null and severity = 'critical' order by first_seen_at, issue_id`;
  return rows.map((r) => r.issue_key as string);
}

/** A send claims its issue for this long (a crashed sender's issue is retried after it). */
const CLAIM_MINUTES = 10;
/** Issues e-mailed per call; the rest wait for the next sweep. */
const BATCH = 50;

/** 1, 2, 4 … minutes after each failed try, at most an hour. */
function retryDelayMinutes(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1));
}

export interface DeliveryOutcome {
  sent: number;
  failed: number;
  notConfigured: number;
}

/**
 * E-mails each issue whose escalation is due (new, or failed and past next_attempt_at), logging
 * every outcome in claude_activity_log. Two callers at once never send the same issue: each
 * claims its rows first. Never throws: a failure is logged and retried on a later call.
 * `now` moves the clock forward only (the database's now() is the floor).
 */
export async function deliverEscalations(sql: Sql, mailer: Mailer | null, log: Logger, now: Date = new Date()): Promise<DeliveryOutcome> {
  const outcome: DeliveryOutcome = { sent: 0, failed: 0, notConfigured: 0 };
  let due: IssueRecord[];
  try {
    due = mailer ? await claimDue(sql, now) : await markNotConfigured(sql, now);
  } catch (error) {
    log.error("escalations: could not read the outbox", { error: errorMessage(error) });
    return outcome;
  }
  for (const issue of due) {
    if (!mailer) {
      outcome.notConfigured++;
      await logEscalation(sql, log, issue, "skipped", null, "SMTP_URL is not set: escalation logged only, no e-mail");
      continue;
    }
    const message = escalationMessage(issue);
    try {
      await mailer.send(message);
    } catch (error) {
      outcome.failed++;
      const reason = errorMessage(error);
      const delay = retryDelayMinutes(issue.email_attempts);
      log.warn("escalation e-mail failed; will retry", { issue: issue.issue_key, attempts: issue.email_attempts, retryInMinutes: delay, error: reason });
      await record(log, issue, sql`
        update doctor_issues
           set email_status = 'failed', email_last_error = ${reason},
               next_attempt_at = greatest(${now}::timestamptz, now()) + make_interval(mins => ${delay})
         where issue_id = ${issue.issue_id}`);
      await logEscalation(sql, log, issue, "failed", reason, message.subject, mailer.to);
      continue;
    }
    outcome.sent++;
    await record(log, issue, sql`
      update doctor_issues set email_status = 'sent', email_sent_at = now(), email_last_error = null
       where issue_id = ${issue.issue_id}`);
    await logEscalation(sql, log, issue, "success", null, message.subject, mailer.to);
  }
  return outcome;
}

/** Takes the due issues for sending: moves next_attempt_at past the claim so no other sender sees them. */
function claimDue(sql: Sql, now: Date): Promise<IssueRecord[]> {
  return sql<IssueRecord[]>`
    with clock as (select greatest(${now}::timestamptz, now()) as at)
    update doctor_issues
       set next_attempt_at = (select at from clock) + make_interval(mins => ${CLAIM_MINUTES}),
           email_attempts = email_attempts + 1
     where email_status in ('pending', 'failed') and next_attempt_at <= (select at from clock)
       and issue_id in (
         select issue_id from doctor_issues
          where email_status in ('pending', 'failed') and next_attempt_at <= (select at from clock)
          order by issue_id limit ${BATCH}
          for update skip locked)
    returning ${sql.unsafe(ISSUE_COLUMNS)}`;
}

/** With mail off, due escalations become not_configured (a claimed, in-flight one is left to its sender). */
function markNotConfigured(sql: Sql, now: Date): Promise<IssueRecord[]> {
  return sql<IssueRecord[]>`
    update doctor_issues
       set email_status = 'not_configured'
     where email_status in ('pending', 'failed') and next_attempt_at <= greatest(${now}::timestamptz, now())
    returning ${sql.unsafe(ISSUE_COLUMNS)}`;
}

/** Runs an outbox update; a failure is logged, not thrown (the claim then expires and it is retried). */
async function record(log: Logger, issue: IssueRecord, update: Promise<unknown>): Promise<void> {
  try {
    await update;
  } catch (error) {
    log.error("escalations: could not record the outcome", { issue: issue.issue_key, error: errorMessage(error) });
  }
}

async function logEscalation(sql: Sql, log: Logger, issue: IssueRecord, result: ActionResult, error: string | null, detail: string, to: string | null = null): Promise<void> {
  try {
    await logActivity(sql, {
      observationType: "alert_triggered",
      sweepId: issue.last_sweep_id,
      observationSummary: { issue_key: issue.issue_key, diff: issue.diff },
      decision: "escalate",
      decisionReasoning: `new ${issue.severity} issue ${issue.issue_type} on ${issue.entity} (check ${issue.check_name})`,
      actionType: "alert_sent",
      actionDetail: detail,
      actionTarget: to === null ? null : `email:${to}`,
      actionResult: result,
      errorMessage: error,
      issueType: issue.issue_type,
      issueSeverity: issue.severity,
      entity: issue.entity,
      metadata: { who: "doctor", issue_id: issue.issue_id, email_attempts: issue.email_attempts },
    });
  } catch (failure) {
    log.error("escalations: could not write the activity log", { issue: issue.issue_key, error: errorMessage(failure) });
  }
}
