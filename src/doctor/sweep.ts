/**
 * One doctor sweep: observe (snapshots), decide (pure checks), act (allowed fixes, rate-limited
 * per rule), record (doctor_sweeps, open issues, the activity log) and escalate (e-mail).
 * A sweep that cannot read the database throws: the caller reports "could not run" (exit 3).
 */
import type { Sql } from "postgres";
import type { Broker } from "../adapters/broker/broker.ts";
import type { Bus } from "../adapters/bus/bus.ts";
import type { Mailer } from "../adapters/mail/mailer.ts";
import type { Mode } from "../config.ts";
import { buildReport, confirmedChecks, mustEscalate, needsSecondLook, runChecks, type DoctorReport, type ReportIssue } from "../domain/doctor/report.ts";
import { DEFAULT_THRESHOLDS, type CheckName, type DoctorIssue, type DoctorThresholds } from "../domain/doctor/types.ts";
import { errorMessage } from "../runtime/errors.ts";
import type { Logger } from "../runtime/log.ts";
import { logActivity } from "./activity.ts";
import { applyFix } from "./fixes.ts";
import { deliverEscalations, issueKey, openCriticalIssueKeys, recordOpenIssues, resolveIssues, type OpenIssueInput } from "./issues.ts";
import { readBrokerSnapshot, readDbSnapshot, recordedFillIds } from "./snapshot.ts";

/** How long before the second look at a disagreement (see confirmedChecks). */
const CONFIRM_DELAY_MS = 500;

export type SweepTrigger = "schedule" | "cli" | "mcp";

export interface SweepOptions {
  mode: Mode;
  trigger: SweepTrigger;
  /** Apply the fixes the rules allow (the schedule always does; the CLI with --fix). */
  fix: boolean;
  only?: CheckName;
  thresholds?: DoctorThresholds;
  /** Wait before re-observing a disagreement (default CONFIRM_DELAY_MS). */
  confirmDelayMs?: number;
  mailer: Mailer | null;
  /**
   * Where to say that the open issues changed (catalyst:doctor_issues, for MCP sessions) and which
   * critical ones opened or resolved (catalyst:risk_alert, for the alerts notifier); the CLI has none.
   */
  bus?: Pick<Bus, "publish"> | null;
  log: Logger;
}

export interface SweepResult {
  sweepId: number;
  report: DoctorReport;
  fixesApplied: number;
}

export async function runSweep(sql: Sql, broker: Broker, options: SweepOptions): Promise<SweepResult> {
  const started = performance.now();
  const [sweep] = await sql`insert into doctor_sweeps (triggered_by, mode, fix_enabled) values (${options.trigger}, ${options.mode}, ${options.fix}) returning sweep_id`;
  const sweepId = Number(sweep!.sweep_id);
  try {
    const observe = async () => {
      const db = await readDbSnapshot(sql);
      const brokerSnapshot = await readBrokerSnapshot(broker, db);
      if (brokerSnapshot.fills.ok) db.recordedFillIds = await recordedFillIds(sql, brokerSnapshot.fills.value);
      return { db, brokerSnapshot, checks: runChecks(db, brokerSnapshot, options.thresholds ?? DEFAULT_THRESHOLDS, options.only) };
    };
    const first = await observe();
    let { db, brokerSnapshot, checks } = first;
    if (needsSecondLook(checks)) {
      await Bun.sleep(options.confirmDelayMs ?? CONFIRM_DELAY_MS);
      ({ db, brokerSnapshot, checks } = await observe());
      checks = confirmedChecks(first.checks, checks);
    }

    let fixesApplied = 0;
    const reported: DoctorReport["checks"] = [];
    for (const check of checks) {
      const issues: ReportIssue[] = [];
      for (const issue of check.issues) {
        const fixed = options.fix && issue.fixable && issue.fix ? await tryFix(sql, broker, sweepId, issue, options) : undefined;
        if (fixed?.applied) fixesApplied++;
        issues.push(fixed ? { ...issue, fixed } : issue);
      }
      reported.push({ ...check, issues });
    }
    const report = buildReport(options.mode, brokerSnapshot.marketNow ?? db.wallNow, reported);

    const rules = await escalationRules(sql);
    const outstanding = reported.flatMap((c) => c.issues.filter((i) => mustEscalate(i, rules.get(i.type))).map((issue) => ({ ...issue, check: c.check })));
    const { opened } = await recordOpenIssues(sql, sweepId, outstanding.map((i) => ({ type: i.type, severity: i.severity, entity: i.entity, check: i.check, db: i.db, broker: i.broker })));
    const criticalBefore = options.bus ? await openCriticalIssueKeys(sql) : [];
    const resolved = await resolveIssues(sql, sweepId, {
      checksRan: reported.filter((c) => c.skipped === null).map((c) => c.check),
      stillPresentKeys: outstanding.map((i) => `${i.type}:${i.entity}`),
    });
    if (options.bus && (opened.length > 0 || resolved > 0)) {
      const issues = opened.map((i) => ({ issueKey: issueKey(i), type: i.type, severity: i.severity, entity: i.entity, check: i.check }));
      await options.bus.publish("doctor_issues", { sweepId, opened: issues, resolved });
    }
    if (options.bus) await publishCriticalChanges(sql, options.bus, opened, criticalBefore, outstanding);
    // Every sweep, mail or not: without a mailer, due issues are logged as not configured.
    await deliverEscalations(sql, options.mailer, options.log);

    const counts = { critical: outstanding.filter((i) => i.severity === "critical").length, warning: outstanding.filter((i) => i.severity === "warning").length };
    const duration = Math.round(performance.now() - started);
    await sql`
      update doctor_sweeps set status = ${report.status}, finished_at = now(), issues_found = ${checks.reduce((n, c) => n + c.issues.length, 0)},
             critical_count = ${counts.critical}, warning_count = ${counts.warning}, fixes_applied = ${fixesApplied}, report = ${sql.json(report as never)}
       where sweep_id = ${sweepId}`;
    await logActivity(sql, {
      observationType: "sweep",
      sweepId,
      observationSummary: { status: report.status, trigger: options.trigger, checks: reported.map((c) => ({ check: c.check, issues: c.issues.length, skipped: c.skipped })) },
      issuesFound: outstanding.length,
      criticalCount: counts.critical,
      warningCount: counts.warning,
      decision: outstanding.length === 0 ? "no_action" : "escalate",
      decisionReasoning: outstanding.length === 0 ? "the database and the broker agree" : `${outstanding.length} issue(s) left after ${fixesApplied} fix(es)`,
      sweepDurationMs: duration,
      metadata: { who: `doctor:${options.trigger}` },
    });
    return { sweepId, report, fixesApplied };
  } catch (error) {
    await sql`update doctor_sweeps set status = 'error', finished_at = now(), error_message = ${errorMessage(error)} where sweep_id = ${sweepId}`.catch(() => undefined);
    throw error;
  }
}

/** Tells the alerts notifier which critical issues this sweep opened and which it resolved. */
async function publishCriticalChanges(sql: Sql, bus: Pick<Bus, "publish">, opened: OpenIssueInput[], criticalBefore: string[], outstanding: ReportIssue[]): Promise<void> {
  const messages = new Map(outstanding.map((i) => [issueKey(i), i.message]));
  for (const issue of opened.filter((i) => i.severity === "critical")) {
    const key = issueKey(issue);
    await bus.publish("risk_alert", { level: "critical", kind: "doctor_issue_opened", issueKey: key, entity: issue.entity, message: messages.get(key) ?? key });
  }
  const stillOpen = new Set(await openCriticalIssueKeys(sql));
  for (const key of criticalBefore.filter((k) => !stillOpen.has(k))) {
    await bus.publish("risk_alert", { level: "info", kind: "doctor_issue_resolved", issueKey: key, message: `the doctor no longer sees ${key}: resolved` });
  }
}

/** Each rule's escalation threshold and how often its type was auto-fixed in the last hour: one query. */
async function escalationRules(sql: Sql): Promise<Map<string, { threshold: number; fixesLastHour: number }>> {
  const rows = await sql`
    select r.issue_type, r.escalate_threshold,
           (select count(*) from claude_activity_log l where l.issue_type = r.issue_type and l.decision = 'auto_fix'
              and l.action_result = 'success' and l.logged_at > now() - interval '1 hour')::int as fixes
      from doctor_claude_rules r where r.is_active`;
  return new Map(rows.map((r) => [r.issue_type as string, { threshold: r.escalate_threshold as number, fixesLastHour: r.fixes as number }]));
}

/** One fix, if the rule allows it now (enabled, under its hourly cap, past its cooldown); logged either way. */
async function tryFix(sql: Sql, broker: Broker, sweepId: number, issue: DoctorIssue, options: SweepOptions) {
  const [allowed] = await sql`select doctor_can_auto_fix(${issue.type}, ${issue.entity}) as ok`;
  const base = { observationType: "sweep" as const, sweepId, issueType: issue.type, issueSeverity: issue.severity, entity: issue.entity, metadata: { who: `doctor:${options.trigger}`, fix: issue.fix } };
  if (!allowed!.ok) {
    await logActivity(sql, { ...base, decision: "escalate", decisionReasoning: "auto-fix not allowed now (rule off, hourly cap or cooldown)", actionType: "none", actionResult: "skipped" });
    return { applied: false, result: "not fixed: the rule's auto-fix is off, at its hourly cap, or cooling down; escalated" };
  }
  const started = performance.now();
  try {
    const outcome = await applyFix(sql, broker, issue.fix!);
    await logActivity(sql, {
      ...base,
      decision: "auto_fix",
      decisionReasoning: issue.message,
      actionType: issue.fix!.action === "import_orphan_external" ? "db_insert" : "db_update",
      actionDetail: outcome.result,
      actionTarget: issue.entity,
      actionResult: outcome.applied ? "success" : "skipped",
      fixDurationMs: Math.round(performance.now() - started),
    });
    return outcome;
  } catch (error) {
    options.log.warn("doctor fix failed", { issue: issue.type, entity: issue.entity, error: errorMessage(error) });
    await logActivity(sql, { ...base, decision: "auto_fix", actionType: "db_update", actionTarget: issue.entity, actionResult: "failed", errorMessage: errorMessage(error) });
    return { applied: false, result: `the fix failed: ${errorMessage(error)}; escalated` };
  }
}
