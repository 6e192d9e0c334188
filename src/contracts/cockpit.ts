/**
 * The cockpit's own routes on reporting (5009): the kill switch from the page, relayed to risk's
 * emergency-stop routes (the page cannot reach risk: only reporting is behind Caddy). The page
 * itself is GET /cockpit and its live updates GET /events (server-sent events), both HTML/SSE, not JSON.
 */
import { Type as t } from "@sinclair/typebox";
import { EmergencyStopReport, KillSwitch } from "./risk.ts";
import { defineRoute } from "./route.ts";

export const cockpitSetKillSwitchRoute = defineRoute({
  service: "reporting",
  method: "POST",
  path: "/cockpit/kill-switch",
  summary: "Set the kill switch from the cockpit (risk's emergency stop: entries blocked, orders cancelled, positions flattened)",
  body: t.Object({ reason: t.String({ minLength: 3, maxLength: 500 }) }),
  response: EmergencyStopReport,
});

export const cockpitClearKillSwitchRoute = defineRoute({
  service: "reporting",
  method: "POST",
  path: "/cockpit/kill-switch/clear",
  summary: "Clear the kill switch from the cockpit; confirm must be true (entries may resume; a daily-loss halt stays)",
  body: t.Object({ confirm: t.Literal(true, { description: "the trader confirmed clearing it" }) }),
  response: t.Object({ killSwitch: KillSwitch }),
});
