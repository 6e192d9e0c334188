import { Type as t } from "@sinclair/typebox";
import { defineRoute } from "./route.ts";

const Mode = t.Union([t.Literal("sim"), t.Literal("paper"), t.Literal("live")]);

const DependencyCheck = t.Object({
  ok: t.Boolean(),
  kind: t.String(),
  latencyMs: t.Optional(t.Number()),
  detail: t.Optional(t.String()),
  /** The broker's: its last successful account read (null: none yet), that read's age, and this result's age (it is cached). */
  lastSuccessAt: t.Optional(t.Union([t.String(), t.Null()])),
  lastSuccessAgeSeconds: t.Optional(t.Union([t.Number(), t.Null()])),
  checkedAgeSeconds: t.Optional(t.Number()),
});

export const HealthReport = t.Object({
  service: t.String(),
  /** ok: all dependencies up; degraded: the broker or the bus (Redis) does not answer (the database still serves); down: no database. */
  status: t.Union([t.Literal("ok"), t.Literal("degraded"), t.Literal("down")]),
  mode: Mode,
  version: t.String(),
  uptimeSeconds: t.Number(),
  /** Each dependency by name: database, bus and broker for the services, clock and market for the venue. */
  checks: t.Record(t.String(), DependencyCheck),
});

export const healthRoute = defineRoute({
  service: "every",
  method: "GET",
  path: "/health",
  summary: "Liveness and dependency status (no API key needed)",
  response: HealthReport,
});

const ServiceHealth = t.Union([
  HealthReport,
  t.Object({ service: t.String(), status: t.Literal("unreachable"), detail: t.String() }),
]);

export const systemHealthRoute = defineRoute({
  service: "orchestration",
  method: "GET",
  path: "/api/v1/system/health",
  summary: "Health of every service, asked over HTTP through the typed client",
  response: t.Object({
    mode: Mode,
    /**
     * down: the broker is unreachable (nothing can be entered, exited or reconciled) or no service
     * is up; degraded: some service is unreachable, degraded (e.g. Redis) or down; ok: all ok.
     */
    status: t.Union([t.Literal("ok"), t.Literal("degraded"), t.Literal("down")]),
    /** Why it is not ok, one sentence each (empty when ok). */
    problems: t.Array(t.String()),
    services: t.Array(ServiceHealth),
  }),
});
