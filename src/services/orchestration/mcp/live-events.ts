/**
 * What a bus message means to an MCP client: which subscribable resources it changed, and the log
 * notice (if any) it is worth, at an MCP logging level. Plain functions: the feed does the sending.
 */
import type { LoggingLevel } from "@modelcontextprotocol/sdk/types.js";
import type { BusChannel, BusMessage } from "../../../contracts/bus.ts";

/** The resources a client may subscribe to: those the bus tells us changed. */
export const SUBSCRIBABLE_URIS = ["positions://current", "trading-cycle://current", "risk://status", "doctor://issues"] as const;
export type SubscribableUri = (typeof SUBSCRIBABLE_URIS)[number];

export const isSubscribable = (uri: string): uri is SubscribableUri => (SUBSCRIBABLE_URIS as readonly string[]).includes(uri);

const UPDATED_BY: Record<BusChannel, readonly SubscribableUri[]> = {
  // A fill moves a position, and today's P&L and exposure.
  order_filled: ["positions://current", "risk://status"],
  position_update: ["positions://current", "risk://status"],
  risk_alert: ["risk://status"],
  // The cycle resource counts the day's scans; its state, entries and halt come with cycle_update.
  scan_complete: ["trading-cycle://current"],
  news_catalyst: [],
  cycle_update: ["trading-cycle://current"],
  doctor_issues: ["doctor://issues"],
};

export function urisUpdatedBy(message: BusMessage): readonly SubscribableUri[] {
  return UPDATED_BY[message.channel];
}

export interface LogNotice {
  level: LoggingLevel;
  logger: string;
  data: Record<string, unknown>;
}

/** A risk alert's own level, in MCP's words; the emergency stop is the one that asks for action now. */
function riskAlertLevel(payload: Record<string, unknown>): LoggingLevel {
  if (payload.kind === "kill_switch") return "alert";
  switch (payload.level) {
    case "critical":
      return "critical";
    case "info":
      return "info";
    default:
      // A warning, or a level this build does not know: never quieter than a warning.
      return "warning";
  }
}

export function logNoticeFor(message: BusMessage): LogNotice | null {
  const payload = (typeof message.payload === "object" && message.payload !== null ? message.payload : {}) as Record<string, unknown>;
  switch (message.channel) {
    case "order_filled":
      return {
        level: "info",
        logger: "catalyst.trading",
        data: { event: "fill", message: `order ${String(payload.orderId)} ${String(payload.status)}: ${String(payload.qty)} @ ${String(payload.price)}`, ...payload },
      };
    case "risk_alert":
      return { level: riskAlertLevel(payload), logger: "catalyst.risk", data: { event: "risk_alert", ...payload } };
    case "cycle_update":
      return cycleNotice(payload);
    case "doctor_issues":
      return doctorNotice(payload);
    default:
      return null;
  }
}

/** Only a change of state is news; scans and entries show in the resource (and fills are logged). */
function cycleNotice(payload: Record<string, unknown>): LogNotice | null {
  if (payload.state === payload.previousState) return null;
  const level: LoggingLevel = payload.state === "halted" ? "warning" : payload.state === "error" ? "error" : "notice";
  const moved = payload.previousState ? `${String(payload.previousState)} → ${String(payload.state)}` : `is ${String(payload.state)}`;
  const why = payload.haltReason ? `: ${String(payload.haltReason)}` : "";
  return { level, logger: "catalyst.workflow", data: { event: "cycle", message: `trading cycle ${String(payload.cycleId)} ${moved}${why}`, ...payload } };
}

/** A new critical issue blocks entries until it is resolved: critical. A new warning: warning. Only resolutions: info. */
function doctorNotice(payload: Record<string, unknown>): LogNotice {
  const opened = Array.isArray(payload.opened) ? (payload.opened as { severity?: unknown }[]) : [];
  const level: LoggingLevel = opened.some((i) => i.severity === "critical") ? "critical" : opened.some((i) => i.severity === "warning") ? "warning" : "info";
  const message = `doctor: ${opened.length} issue(s) opened, ${String(payload.resolved ?? 0)} resolved; read doctor://issues`;
  return { level, logger: "catalyst.doctor", data: { event: "doctor_issues", message, ...payload } };
}

/** The channels the feed listens to: those that update a resource or carry a notice. */
export const LIVE_CHANNELS: readonly BusChannel[] = ["order_filled", "position_update", "risk_alert", "scan_complete", "cycle_update", "doctor_issues"];
