/** `catalyst activity view` for a person: one line per entry, newest first, under the latest day's totals. */
import type { ActivityRow } from "./activity.ts";

const COLUMNS = ["time (UTC)", "observation", "decision", "action", "result", "issue / entity", "who", "reasoning"] as const;

/** `day`: the newest v_claude_activity_summary row. */
export function activityTable(entries: ActivityRow[], day: Record<string, unknown> | null, since: Date): string {
  const totals = day
    ? `${day.activity_date instanceof Date ? day.activity_date.toISOString().slice(0, 10) : String(day.activity_date)} (ET): ` +
      `${day.total_entries} entries, ${day.sweeps} sweeps, ${day.escalations} escalations, ${day.auto_fixes} auto-fixes, ${day.actions_failed} failed actions`
    : "no activity logged yet";
  if (entries.length === 0) return `${totals}\nno entries since ${since.toISOString()}`;
  const rows = entries.map((e) => [
    e.logged_at.toISOString().slice(0, 19).replace("T", " "),
    e.observation_type,
    e.decision ?? "",
    e.action_type ?? "",
    e.action_result === "failed" ? `failed: ${e.error_message}` : (e.action_result ?? ""),
    [e.issue_type, e.entity].filter(Boolean).join(" "),
    String(e.metadata.who ?? ""),
    e.decision_reasoning ?? "",
  ]);
  const widths = COLUMNS.map((c, i) => Math.min(48, Math.max(c.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : clip(cell, widths[i]!).padEnd(widths[i]!))).join("  ");
  return [totals, "", line(COLUMNS), ...rows.map(line)].join("\n");
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
