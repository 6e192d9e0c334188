/** `catalyst activity log|view`: Claude Code's record of what it observed, decided and did. */
import { ActivityEntryError, logActivity, readActivity, readActivityViews, validateActivityEntry, type ActivityEntry } from "../doctor/activity.ts";
import { activityTable } from "../doctor/activity-table.ts";
import { loadConfig } from "../config.ts";
import { withCliDatabase } from "../runtime/cli-database.ts";
import { numberOption, parseOptions, UsageError } from "./args.ts";

/** The option each ActivityEntry field comes from, so a refused entry names what the user typed. */
const ACTIVITY_OPTIONS: Partial<Record<keyof ActivityEntry, string>> = {
  observationType: "type",
  decision: "decision",
  decisionReasoning: "reason",
  actionType: "action",
  actionResult: "result",
  actionDetail: "detail",
  entity: "entity",
  issueType: "issue-type",
  issueSeverity: "severity",
  errorMessage: "error",
  sessionId: "session",
};

/** The entry `activity log ARGS` would write, validated; a UsageError names the option at fault. */
export function parseActivityLog(args: string[]): ActivityEntry {
  const options = parseOptions("activity log", args, [...Object.values(ACTIVITY_OPTIONS), "who"]);
  for (const required of ["type", "decision", "reason"]) {
    if (options[required] === undefined) throw new UsageError(`activity log needs --${required}`);
  }
  const entry = Object.fromEntries(
    Object.entries(ACTIVITY_OPTIONS).flatMap(([field, option]) => (options[option] === undefined ? [] : [[field, options[option]]])),
  ) as unknown as ActivityEntry;
  entry.metadata = { who: options.who ?? "claude_code" };
  try {
    validateActivityEntry(entry);
  } catch (error) {
    if (error instanceof ActivityEntryError) throw new UsageError(`--${ACTIVITY_OPTIONS[error.field]}: ${error.reason}`);
    throw error;
  }
  return entry;
}

async function activityLog(args: string[]): Promise<number> {
  const entry = parseActivityLog(args);
  const logId = await withCliDatabase(loadConfig(), (sql) => logActivity(sql, entry));
  console.log(`logged activity ${logId}`);
  return 0;
}

/** "30m", "1h", "2d" before now, or an ISO 8601 time. */
function parseSince(text: string, now = Date.now()): Date {
  const relative = /^(\d+)([mhd])$/.exec(text);
  if (relative) return new Date(now - Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "m" | "h" | "d"]);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`--since must be a duration like 30m, 1h, 2d or an ISO time like 2026-03-10T09:30:00Z (got "${text}")`);
  return new Date(ms);
}

async function activityView(args: string[]): Promise<number> {
  const json = args.includes("--json");
  const options = parseOptions("activity view", args.filter((a) => a !== "--json"), ["since", "limit"]);
  const since = parseSince(options.since ?? "24h");
  const limit = numberOption(options, "limit", (n) => Number.isInteger(n) && n > 0 && n <= 10_000, "a whole number from 1 to 10000") ?? 100;
  const { entries, views } = await withCliDatabase(loadConfig(), async (sql) => ({
    entries: await readActivity(sql, { since, limit }),
    views: await readActivityViews(sql, limit),
  }));
  if (json) console.log(JSON.stringify({ since: since.toISOString(), entries, ...views }));
  else console.log(activityTable(entries, views.summary[0] ?? null, since));
  return 0;
}

export function activityCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "log") return activityLog(rest);
  if (sub === "view") return activityView(rest);
  throw new UsageError(sub === undefined ? "activity needs log or view" : `unknown activity command: ${sub} (use log or view)`);
}
