/** The escalation e-mail for one doctor issue: what it is, and the database's view against the broker's. */
import type { MailMessage } from "../adapters/mail/mailer.ts";

export interface EscalatedIssue {
  issue_id: number;
  issue_type: string;
  severity: string;
  entity: string;
  check_name: string;
  first_seen_at: Date;
  last_sweep_id: number;
  diff: { db: unknown; broker: unknown };
}

export function escalationMessage(issue: EscalatedIssue): MailMessage {
  const { db, broker } = issue.diff;
  const text = [
    `The Catalyst doctor found a new ${issue.severity} issue. It did not fix it: it needs a look.`,
    "",
    `  type        ${issue.issue_type}`,
    `  severity    ${issue.severity}`,
    `  entity      ${issue.entity}`,
    `  check       ${issue.check_name}`,
    `  first seen  ${issue.first_seen_at.toISOString()} (sweep ${issue.last_sweep_id}, issue ${issue.issue_id})`,
    "",
    "Database vs broker:",
    ...diffLines(db, broker),
    "",
    "As JSON:",
    JSON.stringify({ db, broker }, null, 2),
    "",
    "`catalyst doctor` shows the current state; this e-mail is sent once per issue.",
  ].join("\n");
  return { subject: `[catalyst ${issue.severity}] ${issue.issue_type}: ${issue.entity}`, text };
}

/** Field by field when both sides are objects (differing fields marked), else each side whole. */
function diffLines(db: unknown, broker: unknown): string[] {
  if (!isRecord(db) || !isRecord(broker)) return [`  database  ${show(db)}`, `  broker    ${show(broker)}`];
  const fields = [...new Set([...Object.keys(db), ...Object.keys(broker)])];
  const width = Math.max(5, ...fields.map((f) => f.length));
  return [
    `    ${"field".padEnd(width)}  database | broker`,
    ...fields.map((field) => {
      const [ours, theirs] = [show(db[field]), show(broker[field])];
      return `  ${ours === theirs ? " " : "≠"} ${field.padEnd(width)}  ${ours} | ${theirs}`;
    }),
  ];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? "(absent)" : JSON.stringify(value);
}
