import { describe, expect, test } from "bun:test";
import { checkResult, worstSeverity } from "../../src/domain/doctor/check-result.ts";
import { buildReport, confirmedChecks, exitCodeFor, isOutstanding, mustEscalate, needsSecondLook, reportStatus, runChecks, type DoctorReport, type ReportIssue } from "../../src/domain/doctor/report.ts";
import { CHECK_NAMES, DEFAULT_THRESHOLDS, REPORT_VERSION, type CheckName, type DoctorIssue, type Severity } from "../../src/domain/doctor/types.ts";
import {
  brokerOrderFor,
  brokerPosition,
  brokerSnapshot,
  byCheck,
  dbOrder,
  dbPosition,
  dbSnapshot,
  failed,
  lookups,
  minutesAgo,
  NOW,
  ok,
  onlyIssue,
  protectedPosition,
} from "../support/doctor-fixtures.ts";

function issue(severity: Severity, over: Partial<ReportIssue> = {}): ReportIssue {
  return { type: "phantom_position", severity, entity: "position:1", message: "m", db: null, broker: null, fixable: false, fix: null, ...over };
}

function check(name: CheckName, issues: ReportIssue[], skipped: string | null = null): DoctorReport["checks"][number] {
  return checkResult(name, issues as DoctorIssue[], skipped);
}

/** A healthy book: two protected positions matching the broker, one resting entry. */
function healthy() {
  const a = protectedPosition({ positionId: 1, symbol: "AAPL", orderIds: [10, 11, 12] });
  const b = protectedPosition({ positionId: 2, symbol: "TSLA", side: "short", qty: "5", orderIds: [20, 21, 22] });
  const entry = dbOrder({ orderId: 30, symbol: "NVDA" });
  const db = dbSnapshot({ liveOrders: [...a.legs, ...b.legs, entry], openPositions: [a.position, b.position] });
  const broker = brokerSnapshot({
    positions: ok([a.brokerPosition, b.brokerPosition]),
    openOrders: ok([a.brokerEntry, b.brokerEntry, brokerOrderFor(entry)]),
    recentOrders: ok([a.brokerEntry, b.brokerEntry, brokerOrderFor(entry)]),
  });
  return { db, broker };
}

describe("checkResult and worstSeverity", () => {
  test("worst severity ranks critical over warning over info; none is info", () => {
    expect(worstSeverity([])).toBe("info");
    expect(worstSeverity(["info", "warning"])).toBe("warning");
    expect(worstSeverity(["warning", "critical", "info"])).toBe("critical");
  });

  test("ok only with no warning/critical issue and not skipped", () => {
    expect(checkResult("stale_pnl", []).ok).toBe(true);
    expect(checkResult("stale_pnl", [issue("info")]).ok).toBe(true);
    expect(checkResult("stale_pnl", [issue("warning")]).ok).toBe(false);
    const skipped = checkResult("stale_pnl", [], "no clock");
    expect(skipped).toEqual({ check: "stale_pnl", severity: "info", ok: false, skipped: "no clock", issues: [] });
  });
});

describe("report status and exit code", () => {
  test("no issues: ok, exit 0", () => {
    const status = reportStatus([check("phantom_positions", []), check("dead_man", [])]);
    expect(status).toBe("ok");
    expect(exitCodeFor(status)).toBe(0);
  });

  test("a warning issue: warning, exit 1", () => {
    const status = reportStatus([check("stuck_orders", [issue("warning")]), check("dead_man", [])]);
    expect(status).toBe("warning");
    expect(exitCodeFor(status)).toBe(1);
  });

  test("a critical issue: critical, exit 2", () => {
    const status = reportStatus([check("stuck_orders", [issue("warning")]), check("phantom_positions", [issue("critical")])]);
    expect(status).toBe("critical");
    expect(exitCodeFor(status)).toBe(2);
  });

  test("info issues alone leave it ok", () => {
    expect(reportStatus([check("pipeline_status", [issue("info")])])).toBe("ok");
  });

  test("a skipped check with no issues makes it at least warning (silence is not health)", () => {
    expect(reportStatus([check("phantom_positions", [], "the broker's positions did not answer"), check("dead_man", [])])).toBe("warning");
  });

  test("a skipped check does not lower a critical", () => {
    expect(reportStatus([check("phantom_positions", [], "x"), check("broker_connection", [issue("critical", { type: "broker_unreachable" })])])).toBe("critical");
  });

  test("an issue fixed this sweep (fixed.applied) does not count; a failed fix still does", () => {
    const fixed = issue("critical", { fixable: true, fixed: { applied: true, result: "closed at the broker's fill" } });
    const notFixed = issue("critical", { fixable: true, fixed: { applied: false, result: "rate limited" } });
    expect(isOutstanding(fixed)).toBe(false);
    expect(isOutstanding(notFixed)).toBe(true);
    expect(isOutstanding(issue("info"))).toBe(false);
    expect(reportStatus([check("phantom_positions", [fixed])])).toBe("ok");
    expect(reportStatus([check("phantom_positions", [fixed, issue("warning", { fixed: { applied: true, result: "x" } })])])).toBe("ok");
    expect(reportStatus([check("phantom_positions", [fixed, notFixed])])).toBe("critical");
    expect(reportStatus([check("phantom_positions", [fixed]), check("stuck_orders", [issue("warning")])])).toBe("warning");
  });

  test("exit codes", () => {
    expect([exitCodeFor("ok"), exitCodeFor("warning"), exitCodeFor("critical")]).toEqual([0, 1, 2]);
  });
});

describe("buildReport", () => {
  test("the versioned SPEC §8 shape", () => {
    const checks = [check("phantom_positions", [issue("critical")]), check("dead_man", [])];
    const report = buildReport("paper", NOW, checks);
    expect(report.version).toBe(REPORT_VERSION);
    expect(report.version).toBe("1.0");
    expect(report.mode).toBe("paper");
    expect(report.checked_at).toBe("2025-03-04T15:30:00.000Z");
    expect(report.status).toBe("critical");
    expect(report.checks).toBe(checks);
    const json = JSON.parse(JSON.stringify(report));
    expect(Object.keys(json).sort()).toEqual(["checked_at", "checks", "mode", "status", "version"]);
    for (const key of ["check", "severity", "ok", "issues"]) expect(json.checks[0]).toHaveProperty(key);
    for (const key of ["type", "severity", "entity", "db", "broker", "fixable", "fix"]) expect(json.checks[0].issues[0]).toHaveProperty(key);
  });
});

describe("runChecks", () => {
  test("a healthy book: every check, in the documented order, ok", () => {
    const { db, broker } = healthy();
    const results = runChecks(db, broker, DEFAULT_THRESHOLDS);
    expect(results.map((r) => r.check)).toEqual([...CHECK_NAMES]);
    for (const r of results) expect({ check: r.check, ok: r.ok, issues: r.issues, skipped: r.skipped }).toEqual({ check: r.check, ok: true, issues: [], skipped: null });
    expect(reportStatus(results)).toBe("ok");
  });

  test("is pure: the same snapshots give the same results", () => {
    const { db, broker } = healthy();
    db.openPositions.push(dbPosition({ positionId: 9, symbol: "GME" }));
    expect(runChecks(db, broker, DEFAULT_THRESHOLDS)).toEqual(runChecks(db, broker, DEFAULT_THRESHOLDS));
  });

  test("`only` runs one check", () => {
    const { db, broker } = healthy();
    db.openPositions.push(dbPosition({ positionId: 9, symbol: "GME" }));
    const results = runChecks(db, broker, DEFAULT_THRESHOLDS, "phantom_positions");
    expect(results.map((r) => r.check)).toEqual(["phantom_positions"]);
    const phantom = onlyIssue(results[0]!);
    expect(phantom.type).toBe("phantom_position");
    expect(phantom.entity).toBe("position:9");
    expect(phantom.severity).toBe("critical");
    expect(phantom.fixable).toBe(false);
    expect(runChecks(db, broker, DEFAULT_THRESHOLDS, "dead_man")).toEqual([{ check: "dead_man", severity: "info", ok: true, skipped: null, issues: [] }]);
  });

  test("a broker positions outage: broker_unreachable critical, position checks skipped, no phantom", () => {
    const { db, broker } = healthy();
    broker.positions = failed("503");
    const results = runChecks(db, broker, DEFAULT_THRESHOLDS);
    expect(onlyIssue(byCheck(results, "broker_connection")).type).toBe("broker_unreachable");
    for (const name of ["phantom_positions", "orphan_positions", "qty_mismatch", "missing_stop"] as const) {
      expect(byCheck(results, name).issues).toEqual([]);
      expect(byCheck(results, name).skipped).not.toBeNull();
    }
    expect(results.flatMap((r) => r.issues).map((i) => i.type)).toEqual(["broker_unreachable"]);
    expect(exitCodeFor(reportStatus(results))).toBe(2);
  });

  test("only a failed lookup: no issue at all, yet the report is a warning (a check was skipped)", () => {
    const { db, broker } = healthy();
    db.liveOrders.push(dbOrder({ orderId: 40, symbol: "AMD", createdAt: minutesAgo(300), updatedAt: minutesAgo(300) }));
    broker.lookups = lookups([[40, failed("502")]]);
    const results = runChecks(db, broker, DEFAULT_THRESHOLDS);
    expect(results.flatMap((r) => r.issues)).toEqual([]);
    expect(byCheck(results, "order_not_found").skipped).not.toBeNull();
    expect(reportStatus(results)).toBe("warning");
  });

  test("drift of several kinds in one sweep is found by the right checks", () => {
    const { db, broker } = healthy();
    db.openPositions.push(dbPosition({ positionId: 9, symbol: "GME" })); // phantom
    broker.positions = ok([...(broker.positions.ok ? broker.positions.value : []), brokerPosition({ symbol: "ORPH" })]); // orphan
    const stale = dbOrder({ orderId: 50, symbol: "AMD", createdAt: minutesAgo(90), updatedAt: minutesAgo(90) });
    db.liveOrders.push(stale);
    broker.lookups = lookups([[50, ok(null)]]); // not found, old
    db.lastScheduledSweepAt = minutesAgo(30); // dead-man
    const results = runChecks(db, broker, DEFAULT_THRESHOLDS);
    expect(results.filter((r) => r.issues.length > 0).map((r) => [r.check, r.issues.map((i) => [i.type, i.entity, i.fixable])])).toEqual([
      ["order_not_found", [["order_not_found", "order:50", true]]],
      ["phantom_positions", [["phantom_position", "position:9", false]]],
      ["orphan_positions", [["orphan_position", "symbol:ORPH", true]]],
      ["dead_man", [["dead_man", "doctor", false]]],
    ]);
    expect(reportStatus(results)).toBe("critical");
  });
});

describe("confirmedChecks: a disagreement must be seen twice", () => {
  const phantom = (entity: string) => issue("critical", { entity });
  test("an issue in both looks is kept; one seen only once (a race) is dropped; severity follows", () => {
    const first = [check("phantom_positions", [phantom("position:1"), phantom("position:2")])];
    const second = [check("phantom_positions", [phantom("position:2"), phantom("position:3")])];
    const [confirmed] = confirmedChecks(first, second);
    expect(confirmed!.issues.map((i) => i.entity)).toEqual(["position:2"]);
    expect(confirmed!.severity).toBe("critical");
    const [none] = confirmedChecks([check("phantom_positions", [phantom("position:1")])], [check("phantom_positions", [])]);
    expect(none).toMatchObject({ issues: [], severity: "info", ok: true, skipped: null });
  });

  test("a check skipped in either look is skipped", () => {
    const [skippedFirst] = confirmedChecks([check("qty_mismatch", [], "broker down")], [check("qty_mismatch", [])]);
    expect(skippedFirst).toMatchObject({ ok: false, skipped: "broker down" });
    const [skippedSecond] = confirmedChecks([check("qty_mismatch", [])], [check("qty_mismatch", [], "fills down")]);
    expect(skippedSecond!.skipped).toBe("fills down");
  });
});

describe("mustEscalate", () => {
  const fixed = { ...issue("critical"), fixed: { applied: true, result: "imported" } } as ReportIssue;
  test("not fixed: always escalated", () => {
    expect(mustEscalate(issue("warning") as ReportIssue, { threshold: 5, fixesLastHour: 0 })).toBe(true);
    expect(mustEscalate({ ...issue("critical"), fixed: { applied: false, result: "cap" } } as ReportIssue, undefined)).toBe(true);
  });
  test("fixed: escalated once its type was fixed threshold times within the hour (1 = always)", () => {
    expect(mustEscalate(fixed, { threshold: 1, fixesLastHour: 1 })).toBe(true);
    expect(mustEscalate(fixed, { threshold: 5, fixesLastHour: 4 })).toBe(false);
    expect(mustEscalate(fixed, { threshold: 5, fixesLastHour: 5 })).toBe(true);
    expect(mustEscalate(fixed, undefined)).toBe(false);
  });
});

describe("needsSecondLook", () => {
  test("only a disagreement between the books is looked at twice; an outage or a stale mark is not a race", () => {
    expect(needsSecondLook([check("phantom_positions", [issue("critical")])])).toBe(true);
    expect(needsSecondLook([check("order_status", [issue("warning", { type: "order_status_mismatch" })])])).toBe(true);
    expect(needsSecondLook([check("broker_connection", [issue("critical", { type: "broker_unreachable" })]), check("stale_pnl", [issue("warning", { type: "stale_pnl" })])])).toBe(false);
    expect(needsSecondLook([check("phantom_positions", [])])).toBe(false);
  });
});
