/**
 * One sweep's findings as the versioned report (SPEC §8) and its exit code. The checks are pure:
 * the same snapshots and time give the same report.
 */
import { checkNotFlatAtClose } from "./check-overnight.ts";
import type { Mode } from "../../config.ts";
import { checkBrokerConnection, checkDeadMan, checkPipeline, checkStaleCycle, checkStalePnl } from "./check-liveness.ts";
import { checkOrders } from "./check-orders.ts";
import { checkPositions } from "./check-positions.ts";
import { indexBrokerOrders } from "./broker-index.ts";
import { checkResult, worstSeverity } from "./check-result.ts";
import { REPORT_VERSION, type BrokerSnapshot, type CheckName, type CheckResult, type DbSnapshot, type DoctorIssue, type DoctorThresholds } from "./types.ts";

export type ReportStatus = "ok" | "warning" | "critical";

/** What became of a planned fix in this sweep. */
export interface FixOutcome {
  applied: boolean;
  result: string;
}

export type ReportIssue = DoctorIssue & { fixed?: FixOutcome };

export interface DoctorReport {
  version: string;
  mode: Mode;
  checked_at: string;
  status: ReportStatus;
  checks: (Omit<CheckResult, "issues"> & { issues: ReportIssue[] })[];
}

export function runChecks(db: DbSnapshot, broker: BrokerSnapshot, t: DoctorThresholds, only?: CheckName): CheckResult[] {
  const index = indexBrokerOrders(broker);
  const orders = checkOrders(db, index, broker.lookups, t);
  const positions = checkPositions(db, broker);
  const all = [
    checkPipeline(db),
    checkBrokerConnection(broker),
    orders.stuck,
    orders.status,
    orders.notFound,
    positions.phantom,
    positions.orphan,
    positions.qty,
    positions.missingStop,
    checkNotFlatAtClose(db, broker.marketNow),
    checkStaleCycle(db, broker, t),
    checkStalePnl(db, broker, t),
    checkDeadMan(db, broker, t),
  ];
  return only ? all.filter((c) => c.check === only) : all;
}

const keyOf = (issue: DoctorIssue) => `${issue.type}:${issue.entity}`;

/** Checks comparing the two books, where a fill landing between the two reads can look like drift. */
const DRIFT_CHECKS: ReadonlySet<CheckName> = new Set(["stuck_orders", "order_status", "order_not_found", "phantom_positions", "orphan_positions", "qty_mismatch", "missing_stop"]);

/** Whether the first look found a disagreement between the books that a second look must confirm. */
export function needsSecondLook(checks: CheckResult[]): boolean {
  return checks.some((c) => DRIFT_CHECKS.has(c.check) && c.issues.length > 0);
}

/**
 * A second look, moments after the first: only what both saw is kept. The two snapshots are not
 * one instant (a fill can land between reading the database and reading the broker), so a
 * disagreement seen once may be a race; one seen twice is drift. A check skipped in either is skipped.
 */
export function confirmedChecks(first: CheckResult[], second: CheckResult[]): CheckResult[] {
  const seenFirst = new Map(first.map((c) => [c.check, c]));
  return second.map((check) => {
    const earlier = seenFirst.get(check.check);
    const keys = new Set(earlier?.issues.map(keyOf) ?? []);
    const issues = check.issues.filter((i) => keys.has(keyOf(i)));
    return { ...check, ...checkResult(check.check, issues, check.skipped ?? earlier?.skipped ?? null) };
  });
}

/**
 * Whether an issue is escalated (kept open, e-mailed): always when not fixed; when fixed, once its
 * type was auto-fixed `threshold` times within the hour (1 = always: an orphan is real money).
 */
export function mustEscalate(issue: ReportIssue, rule: { threshold: number; fixesLastHour: number } | undefined): boolean {
  if (isOutstanding(issue)) return true;
  return issue.fixed?.applied === true && rule !== undefined && rule.fixesLastHour >= rule.threshold;
}

/** An issue counts toward the status unless a fix this sweep resolved it. */
export function isOutstanding(issue: ReportIssue): boolean {
  return issue.severity !== "info" && !issue.fixed?.applied;
}

export function reportStatus(checks: DoctorReport["checks"]): ReportStatus {
  const severities = checks.flatMap((c) => c.issues.filter(isOutstanding).map((i) => i.severity));
  // A check that could not run is at least a warning: silence is not health.
  if (checks.some((c) => c.skipped !== null)) severities.push("warning");
  const worst = worstSeverity(severities);
  return worst === "info" ? "ok" : worst;
}

export function buildReport(mode: Mode, checkedAt: number, checks: DoctorReport["checks"]): DoctorReport {
  return { version: REPORT_VERSION, mode, checked_at: new Date(checkedAt).toISOString(), status: reportStatus(checks), checks };
}

/** `catalyst doctor` exit codes: 0 ok, 1 warning, 2 critical (3: could not run, decided by the caller). */
export function exitCodeFor(status: ReportStatus): 0 | 1 | 2 {
  return status === "ok" ? 0 : status === "warning" ? 1 : 2;
}
