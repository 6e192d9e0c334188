/**
 * The doctor's routes, served by the trading service (5005: the one writer of orders is where the
 * reconciliation that may write them runs). Used by MCP (run_doctor, doctor:// resources).
 */
import { Type as t, type Static } from "@sinclair/typebox";
import { CHECK_NAMES } from "../domain/doctor/types.ts";
import { Nullable, TradingMode } from "./common.ts";
import { defineRoute } from "./route.ts";

const Severity = t.Union([t.Literal("critical"), t.Literal("warning"), t.Literal("info")]);
export const CheckName = t.Union(CHECK_NAMES.map((name) => t.Literal(name)));

const ReportIssue = t.Object({
  type: t.String(),
  severity: Severity,
  entity: t.String(),
  message: t.String(),
  db: t.Unknown(),
  broker: t.Unknown(),
  fixable: t.Boolean(),
  fix: t.Unknown(),
  fixed: t.Optional(t.Object({ applied: t.Boolean(), result: t.String() })),
});

export const DoctorReport = t.Object({
  version: t.String(),
  mode: TradingMode,
  checked_at: t.String(),
  status: t.Union([t.Literal("ok"), t.Literal("warning"), t.Literal("critical")]),
  checks: t.Array(
    t.Object({
      check: CheckName,
      severity: Severity,
      ok: t.Boolean(),
      skipped: Nullable(t.String()),
      issues: t.Array(ReportIssue),
      detail: t.Optional(t.Unknown()),
    }),
  ),
});

const OpenIssue = t.Object({
  issueKey: t.String(),
  type: t.String(),
  severity: Severity,
  entity: t.String(),
  check: t.String(),
  firstSeenAt: t.String(),
  lastSeenAt: t.String(),
  diff: t.Unknown(),
  emailStatus: t.String(),
});
export type OpenIssue = Static<typeof OpenIssue>;

export const runDoctorRoute = defineRoute({
  service: "trading",
  method: "POST",
  path: "/api/v1/doctor/sweeps",
  summary: "Run one doctor sweep now: compare the database with the broker; with fix, apply the rules' database-only fixes",
  body: t.Object({
    fix: t.Optional(t.Boolean({ description: "apply the allowed fixes (database only; the doctor never sends anything to the broker)" })),
    check: t.Optional(CheckName),
  }),
  response: t.Object({ sweepId: t.Integer(), fixesApplied: t.Integer(), report: DoctorReport }),
});

export const doctorStatusRoute = defineRoute({
  service: "trading",
  method: "GET",
  path: "/api/v1/doctor/status",
  summary: "The latest finished sweep's report, and how many issues are open",
  response: t.Object({
    mode: TradingMode,
    lastSweep: Nullable(t.Object({ sweepId: t.Integer(), trigger: t.String(), startedAt: t.String(), finishedAt: t.String(), status: t.String(), report: Nullable(DoctorReport) })),
    openIssues: t.Object({ critical: t.Integer(), warning: t.Integer() }),
  }),
});

export const doctorIssuesRoute = defineRoute({
  service: "trading",
  method: "GET",
  path: "/api/v1/doctor/issues",
  summary: "Open doctor issues (not yet resolved by a sweep), most severe first",
  response: t.Object({ mode: TradingMode, issues: t.Array(OpenIssue) }),
});

export const doctorActivityRoute = defineRoute({
  service: "trading",
  method: "GET",
  path: "/api/v1/doctor/activity",
  summary: "The activity log (doctor sweeps, fixes, escalations, Claude Code's notes), newest first",
  query: t.Object({ limit: t.Optional(t.Integer({ minimum: 1, maximum: 500 })) }),
  response: t.Object({ mode: TradingMode, entries: t.Array(t.Record(t.String(), t.Unknown())) }),
});

/** One MCP tool call, recorded in claude_activity_log (who: mcp) whatever its outcome. */
export const recordToolCallRoute = defineRoute({
  service: "trading",
  method: "POST",
  path: "/api/v1/doctor/activity/tool-calls",
  summary: "Record an MCP tool call in the activity log (metadata.who = mcp)",
  body: t.Object({
    tool: t.String({ pattern: "^[a-z][a-z0-9_]*$", maxLength: 64 }),
    arguments: t.Record(t.String(), t.Unknown()),
    result: t.Union([t.Literal("success"), t.Literal("failed")]),
    summary: t.String({ maxLength: 1000 }),
    errorMessage: t.Optional(t.String({ minLength: 1, maxLength: 1000 })),
    entity: t.Optional(t.String({ maxLength: 100 })),
    sessionId: t.Optional(t.String({ maxLength: 200 })),
  }),
  response: t.Object({ logId: t.Integer() }),
});
