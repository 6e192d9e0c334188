import { Type as t } from "@sinclair/typebox";
import { defineRoute } from "./route.ts";

const Mode = t.Union([t.Literal("sim"), t.Literal("paper"), t.Literal("live")]);

const DependencyCheck = t.Object({
  ok: t.Boolean(),
  kind: t.String(),
  latencyMs: t.Optional(t.Number()),
  detail: t.Optional(t.String()),
});

export const HealthReport = t.Object({
  service: t.String(),
  /** ok: all dependencies up; degraded: the bus is down (the database still serves); down: no database. */
  status: t.Union([t.Literal("ok"), t.Literal("degraded"), t.Literal("down")]),
  mode: Mode,
  version: t.String(),
  uptimeSeconds: t.Number(),
  /** Each dependency by name: database and bus for the services, clock and market for the venue. */
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
    status: t.Union([t.Literal("ok"), t.Literal("degraded"), t.Literal("down")]),
    services: t.Array(ServiceHealth),
  }),
});
