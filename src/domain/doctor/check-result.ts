import type { CheckName, CheckResult, DoctorIssue, Severity } from "./types.ts";

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function worstSeverity(severities: Iterable<Severity>): Severity {
  let worst: Severity = "info";
  for (const s of severities) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

export function checkResult(check: CheckName, issues: DoctorIssue[], skipped: string | null = null): CheckResult {
  const severity = worstSeverity(issues.map((i) => i.severity));
  return { check, severity, ok: issues.every((i) => i.severity === "info") && skipped === null, skipped, issues };
}
