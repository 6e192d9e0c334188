/** One JSON line per event on stderr; callers never pass secrets (the API key is never logged). */
import type { LogLevel } from "../config.ts";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** syslog priorities: journald reads a leading "<N>" as the line's priority and strips it. */
const SYSLOG_PRIORITY: Record<LogLevel, number> = { debug: 7, info: 6, warn: 4, error: 3 };

/** One log line; under systemd (JOURNAL_STREAM set) prefixed so `journalctl -p warning` finds warnings. */
export function logLine(entry: { level: LogLevel } & Record<string, unknown>, toJournal: boolean): string {
  return `${toJournal ? `<${SYSLOG_PRIORITY[entry.level]}>` : ""}${JSON.stringify(entry)}\n`;
}

export function createLogger(service: string, level: LogLevel): Logger {
  const toJournal = Boolean(process.env.JOURNAL_STREAM);
  const emit = (at: LogLevel) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (RANK[at] < RANK[level]) return;
    process.stderr.write(logLine({ ts: new Date().toISOString(), level: at, service, msg, ...fields }, toJournal));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}
