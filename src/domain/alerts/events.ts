/**
 * What the trader is told, decided from bus messages: each message that matters becomes one
 * AlertEvent with its priority and a dedupe key (the same key inside the dedupe window is one alert).
 */
import type { BusMessage } from "../../contracts/bus.ts";

export type Priority = "critical" | "warning" | "info";

export const ALERT_KINDS = [
  "daily_loss_halt",
  "daily_loss_warning",
  "kill_switch",
  "kill_switch_cleared",
  "doctor_issue_opened",
  "doctor_issue_resolved",
  "dead_man",
  "broker_rejected",
  "stop_fired",
  "flatten_problem",
  "position_closed",
  /** A risk_alert of a kind this list does not know yet (a newer publisher): told at the level it states. */
  "other",
  "test",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

const PRIORITY: Record<AlertKind, Priority> = {
  daily_loss_halt: "critical",
  kill_switch: "critical",
  doctor_issue_opened: "critical",
  dead_man: "critical",
  flatten_problem: "critical",
  daily_loss_warning: "warning",
  kill_switch_cleared: "warning",
  doctor_issue_resolved: "warning",
  broker_rejected: "warning",
  stop_fired: "warning",
  position_closed: "info",
  other: "warning",
  test: "info",
};

export interface AlertEvent {
  kind: AlertKind;
  priority: Priority;
  /** Same key within the dedupe window → one alert. */
  key: string;
  title: string;
  text: string;
  /** When it happened (the bus message's time), ISO. */
  at: string;
  /** The doctor already e-mails this one (with its diff): the e-mail channel skips it. */
  emailedElsewhere: boolean;
}

export function priorityOf(kind: AlertKind): Priority {
  return PRIORITY[kind];
}

function event(kind: AlertKind, key: string, title: string, text: string, at: string, emailedElsewhere = false, priority = PRIORITY[kind]): AlertEvent {
  return { kind, priority, key: `${kind}:${key}`, title, text, at, emailedElsewhere };
}

const LEVELS: readonly string[] = ["critical", "warning", "info"] satisfies Priority[];

type Payload = Record<string, unknown>;
const str = (value: unknown): string => (value === undefined || value === null ? "" : String(value));

/** The alert a bus message calls for, or null when it is none of the trader's business. */
export function alertFromMessage(message: BusMessage): AlertEvent | null {
  const p = (typeof message.payload === "object" && message.payload !== null ? message.payload : {}) as Payload;
  const at = message.publishedAt;
  if (message.channel === "order_filled") return alertFromFill(p, at);
  if (message.channel !== "risk_alert") return null;
  const text = str(p.message);
  switch (p.kind) {
    case "daily_loss_halt":
      return event("daily_loss_halt", str(p.tradingDate), "Daily loss limit reached: entries halted", text, at);
    case "daily_loss_warning":
      return event("daily_loss_warning", str(p.tradingDate), "Daily loss warning", text, at);
    case "kill_switch":
      return event("kill_switch", at, "Emergency stop set", text, at);
    case "kill_switch_cleared":
      return event("kill_switch_cleared", at, "Emergency stop cleared", text, at);
    case "doctor_issue_opened":
      return event("doctor_issue_opened", str(p.issueKey), `Doctor: critical issue ${str(p.issueKey)}`, text, at, true);
    case "doctor_issue_resolved":
      return event("doctor_issue_resolved", str(p.issueKey), `Doctor: issue ${str(p.issueKey)} resolved`, text, at);
    case "dead_man":
      return event("dead_man", "doctor", "Doctor dead-man: sweeps stopped", text, at, true);
    case "broker_rejected":
      return event("broker_rejected", str(p.orderId), `Broker rejected order ${str(p.orderId)}`, text, at);
    case "flatten_problem":
      // One key per problem text: the flattener repeats an unsolved problem on every pass.
      return event("flatten_problem", text, "Flatten problem", text, at);
    default:
      if (typeof p.kind !== "string" || !LEVELS.includes(str(p.level))) return null;
      return event("other", `${p.kind}:${text}`, `${p.kind.replaceAll("_", " ")}`, text, at, false, p.level as Priority);
  }
}

/** A stop-loss fill is a stop that fired; a target or exit fill that closed a position goes to the day's summary. */
function alertFromFill(p: Payload, at: string): AlertEvent | null {
  const fill = `order ${str(p.orderId)}: ${str(p.qty)} @ ${str(p.price)}${p.positionId ? ` (position ${str(p.positionId)})` : ""}`;
  if (p.role === "stop_loss") return event("stop_fired", str(p.orderId), "Stop fired", `stop-loss ${fill}`, at);
  if ((p.role === "take_profit" || p.role === "exit") && p.status === "filled") return event("position_closed", str(p.orderId), "Position closed", `${str(p.role)} ${fill}`, at);
  return null;
}

/** The three alerts `catalyst alerts test` sends, one per priority. */
export function testAlerts(now: string): AlertEvent[] {
  return (["critical", "warning", "info"] as const).map((priority) => ({
    kind: "test",
    priority,
    key: `test:${priority}:${now}`,
    title: `Test alert (${priority})`,
    text: `This is a ${priority} test alert from \`catalyst alerts test\`; nothing happened.`,
    at: now,
    emailedElsewhere: false,
  }));
}
