/**
 * The doctor over HTTP (contracts/doctor.ts), on the trading service: run a sweep now, the latest
 * report, open issues, the activity log. What MCP's run_doctor and doctor:// resources call.
 */
import { createMailer } from "../../adapters/mail/mailer.ts";
import { doctorActivityRoute, doctorIssuesRoute, doctorStatusRoute, runDoctorRoute } from "../../contracts/doctor.ts";
import type { DoctorReport } from "../../domain/doctor/report.ts";
import { readActivity } from "../../doctor/activity.ts";
import { openIssues } from "../../doctor/issues.ts";
import { runSweep } from "../../doctor/sweep.ts";
import { brokerSignedAs } from "../../runtime/broker.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { ApiError } from "../../runtime/errors.ts";
import { mount, type ServiceApp } from "../../runtime/http.ts";

export function mountDoctorRoutes(app: ServiceApp, ctx: ServiceContext): void {
  const { sql, log } = ctx;
  const mode = ctx.config.mode;
  // Signed as the doctor, not as trading: the venue's audit can prove the doctor never writes.
  const broker = brokerSignedAs(ctx.config, ctx.apiKey, "doctor");
  const mailer = createMailer(ctx.config);
  let running: Promise<unknown> | null = null;

  mount(app, runDoctorRoute, async ({ body }) => {
    if (running) throw new ApiError(409, "sweep_running", "a doctor sweep is running now; read its result with GET /api/v1/doctor/status in a moment");
    const sweep = runSweep(sql, broker, { mode, trigger: "mcp", fix: body.fix ?? false, only: body.check, mailer, bus: ctx.bus, log });
    running = sweep;
    try {
      const { sweepId, fixesApplied, report } = await sweep;
      return { sweepId, fixesApplied, report };
    } finally {
      running = null;
    }
  });

  mount(app, doctorStatusRoute, async () => {
    const [[last], [counts]] = await Promise.all([
      sql`select sweep_id, triggered_by, started_at, finished_at, status, report from doctor_sweeps
           where finished_at is not null order by finished_at desc, sweep_id desc limit 1`,
      sql`select count(*) filter (where severity = 'critical')::int as critical, count(*) filter (where severity = 'warning')::int as warning
            from doctor_issues where resolved_at is null`,
    ]);
    return {
      mode,
      lastSweep: last
        ? {
            sweepId: Number(last.sweep_id),
            trigger: last.triggered_by,
            startedAt: last.started_at.toISOString(),
            finishedAt: last.finished_at.toISOString(),
            status: last.status,
            report: (last.report as DoctorReport | null) ?? null,
          }
        : null,
      openIssues: { critical: counts!.critical, warning: counts!.warning },
    };
  });

  mount(app, doctorIssuesRoute, async () => ({
    mode,
    issues: (await openIssues(sql)).map((i) => ({
      issueKey: i.issue_key,
      type: i.issue_type,
      severity: i.severity,
      entity: i.entity,
      check: i.check_name,
      firstSeenAt: i.first_seen_at.toISOString(),
      lastSeenAt: i.last_seen_at.toISOString(),
      diff: i.diff,
      emailStatus: i.email_status,
    })),
  }));

  mount(app, doctorActivityRoute, async ({ query }) => ({
    mode,
    entries: (await readActivity(sql, { limit: query.limit ?? 50 })).map((row) => ({ ...row, logged_at: row.logged_at.toISOString() })),
  }));
}
