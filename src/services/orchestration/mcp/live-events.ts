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
  // A fill moves a position, the cycle's entries, and today's P&L and exposure.
  order_filled: ["positions://current", "trading-cycle://current", "risk://status"],
  position_update: ["positions://current", "trading-cycle://current", "risk://status"],
  risk_alert: ["risk://status"],
  // The cycle resource lists the day's scans.
  scan_complete: ["trading-cycle://current"],
  news_catalyst: [],
};

export function urisUpdatedBy(message: BusMessage): readonly SubscribableUri[] {
  return UPDATED_BY[message.channel] ?? [];
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
    default:
      return null;
  }
}

/** The channels the feed listens to: those that update a resource or carry a notice. */
export const LIVE_CHANNELS: readonly BusChannel[] = ["order_filled", "position_update", "risk_alert", "scan_complete"];
