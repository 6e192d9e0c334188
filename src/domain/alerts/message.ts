/**
 * The words of an alert: an e-mail (subject, text) and a JSON webhook body that Slack (`text`) and
 * Discord (`content`) take as-is, and ntfy through its templating (`title`, `message`).
 */
import type { AlertEvent, Priority } from "./events.ts";
import type { Outgoing } from "./desk.ts";

export const WEBHOOK_VERSION = 1;

export interface AlertText {
  subject: string;
  text: string;
}

export interface DaySummary {
  /** ET trading date. */
  date: string;
  realizedPnl: string;
  unrealizedPnl: string;
  trades: number;
  wins: number;
  losses: number;
  openIssues: { critical: number; warning: number };
  /** Info events of the day (positions closed, …). */
  notes: AlertEvent[];
  /** What could not be read for the summary (a service down): said, not hidden. */
  missing: string[];
}

const TAG: Record<Priority, string> = { critical: "CRITICAL", warning: "WARNING", info: "INFO" };

export function alertText(outgoing: Outgoing): AlertText {
  const { events, priority } = outgoing;
  if (events.length === 1) {
    const [only] = events as [AlertEvent];
    return { subject: `[catalyst] ${TAG[priority]} ${only.title}`, text: `${only.text}\n\nAt ${only.at}.` };
  }
  const lines = events.map((e) => `- [${TAG[e.priority]}] ${e.title}: ${e.text} (${e.at})`);
  return { subject: `[catalyst] ${TAG[priority]} ${events.length} alerts`, text: lines.join("\n") };
}

export function summaryText(summary: DaySummary): AlertText {
  const lines = [
    `Trading day ${summary.date}.`,
    `Realized P&L: ${summary.realizedPnl}; unrealized: ${summary.unrealizedPnl}.`,
    `Trades: ${summary.trades} (${summary.wins} won, ${summary.losses} lost).`,
    `Open doctor issues: ${summary.openIssues.critical} critical, ${summary.openIssues.warning} warning.`,
  ];
  if (summary.notes.length > 0) lines.push("", "During the day:", ...summary.notes.map((e) => `- ${e.title}: ${e.text} (${e.at})`));
  if (summary.missing.length > 0) lines.push("", `Not available for this summary: ${summary.missing.join("; ")}.`);
  return { subject: `[catalyst] Day summary ${summary.date}: P&L ${summary.realizedPnl}, ${summary.trades} trade(s)`, text: lines.join("\n") };
}

/** The webhook's JSON body (serialised once: the signature covers exactly these bytes). */
export function webhookBody(priority: Priority, message: AlertText, events: AlertEvent[]): string {
  const flat = `${message.subject}\n${message.text}`;
  return JSON.stringify({
    version: WEBHOOK_VERSION,
    priority,
    title: message.subject,
    message: message.text,
    text: flat,
    content: flat.slice(0, 2000),
    events: events.map(({ kind, priority, key, title, text, at }) => ({ kind, priority, key, title, text, at })),
  });
}
