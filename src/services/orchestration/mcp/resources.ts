/** The MCP resources (SPEC §7): read-only views, each one typed call to the service that owns it. */
import { doctorActivityRoute, doctorIssuesRoute, doctorStatusRoute } from "../../../contracts/doctor.ts";
import { systemHealthRoute } from "../../../contracts/health.ts";
import { performanceRoute } from "../../../contracts/reporting.ts";
import { riskStatusRoute } from "../../../contracts/risk.ts";
import { candidateHistoryRoute, latestScanRoute } from "../../../contracts/scanner.ts";
import { listPositionsRoute } from "../../../contracts/trading.ts";
import { currentCycleRoute, getCycleRoute } from "../../../contracts/workflow.ts";
import type { McpDeps } from "./deps.ts";

export interface ResourceDefinition {
  /** A fixed URI, or a template with {name} parts. */
  uri: string;
  name: string;
  description: string;
  read(vars: Record<string, string>, deps: McpDeps): Promise<unknown>;
}

export const RESOURCES: ResourceDefinition[] = [
  {
    uri: "trading-cycle://current",
    name: "current-cycle",
    description: "Today's active trading cycle: state, mode, day plan, scans and entries so far (not_found when none runs)",
    read: (_v, deps) => deps.client.call(currentCycleRoute, {}),
  },
  {
    uri: "trading-cycle://{id}/status",
    name: "cycle-status",
    description: "One trading cycle by id",
    read: (v, deps) => deps.client.call(getCycleRoute, { params: { id: v.id! } }),
  },
  {
    uri: "trading-cycle://{id}/positions",
    name: "cycle-positions",
    description: "Every position a cycle opened, open and closed",
    read: (v, deps) => deps.client.call(listPositionsRoute, { query: { cycleId: v.id!, status: "all" } }),
  },
  {
    uri: "market-scan://latest",
    name: "latest-scan",
    description: "The latest ranked scan (not_found before the day's first)",
    read: (_v, deps) => deps.client.call(latestScanRoute, {}),
  },
  {
    uri: "market-scan://candidates/{symbol}",
    name: "candidate-history",
    description: "How a symbol ranked in recent scans",
    read: (v, deps) => deps.client.call(candidateHistoryRoute, { params: { symbol: v.symbol! } }),
  },
  {
    uri: "positions://current",
    name: "open-positions",
    description: "Open positions with marks and unrealized P&L",
    read: (_v, deps) => deps.client.call(listPositionsRoute, { query: { status: "open" } }),
  },
  {
    uri: "risk://status",
    name: "risk-status",
    description: "Risk limits and usage, today's P&L against the daily-loss limit, the day's halt and the emergency stop",
    read: (_v, deps) => deps.client.call(riskStatusRoute, {}),
  },
  {
    uri: "positions://history",
    name: "closed-positions",
    description: "Closed positions, newest first, with realized P&L and why they closed",
    read: (_v, deps) => deps.client.call(listPositionsRoute, { query: { status: "closed" } }),
  },
  {
    uri: "performance://daily",
    name: "performance-today",
    description: "Today's performance (ET trading day)",
    read: (_v, deps) => deps.client.call(performanceRoute, { query: { period: "day" } }),
  },
  {
    uri: "performance://weekly",
    name: "performance-week",
    description: "This week's performance",
    read: (_v, deps) => deps.client.call(performanceRoute, { query: { period: "week" } }),
  },
  {
    uri: "doctor://status",
    name: "doctor-status",
    description: "The doctor's latest sweep (database against broker) and how many issues are open",
    read: (_v, deps) => deps.client.call(doctorStatusRoute, {}),
  },
  {
    uri: "doctor://issues",
    name: "doctor-issues",
    description: "Open doctor issues, most severe first, each with what the database and the broker say",
    read: (_v, deps) => deps.client.call(doctorIssuesRoute, {}),
  },
  {
    uri: "doctor://activity",
    name: "doctor-activity",
    description: "The activity log: doctor sweeps, fixes, escalations and Claude Code's notes, newest first",
    read: (_v, deps) => deps.client.call(doctorActivityRoute, { query: { limit: 50 } }),
  },
  {
    uri: "system://health",
    name: "system-health",
    description: "The appliance's health (ok, degraded or down, and why) and every service's: database, bus (Redis PING) and broker (account reachable, last success and its age)",
    read: (_v, deps) => deps.client.call(systemHealthRoute, {}),
  },
];

export const isTemplate = (r: ResourceDefinition) => r.uri.includes("{");

/** The variables of `uri` if it matches the template, else null. */
export function matchTemplate(template: string, uri: string): Record<string, string> | null {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\/]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  const match = new RegExp(`^${pattern}$`).exec(uri);
  if (!match) return null;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
}
