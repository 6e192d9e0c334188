#!/usr/bin/env bun
/** The `catalyst` command. */
import { mkdirSync } from "node:fs";
import { loadSentimentModel } from "./adapters/sentiment/load.ts";
import { ActivityEntryError, DECISIONS, logActivity, OBSERVATION_TYPES, readActivity, readActivityViews, validateActivityEntry, type ActivityEntry } from "./doctor/activity.ts";
import { activityTable } from "./doctor/activity-table.ts";
import { doctorCommand, parseDoctorArgs } from "./doctor/command.ts";
import { ConfigError, loadConfig, parseSimStart, servicePort } from "./config.ts";
import { resolveApiKey } from "./runtime/api-key.ts";
import { backupDatabase, restoreDatabaseFrom } from "./runtime/backup.ts";
import { errorMessage } from "./runtime/errors.ts";
import { createLogger } from "./runtime/log.ts";
import { serveMcpOverStdio } from "./services/orchestration/mcp/stdio.ts";
import { startVenue } from "./services/venue/app.ts";
import { CliDatabaseError, withCliDatabase } from "./runtime/cli-database.ts";
import { openApplianceDatabase } from "./runtime/database.ts";
import { StartupError, startAppliance } from "./runtime/supervisor.ts";
import { isServiceName, SERVICE_NAMES, type ServiceName } from "./runtime/services.ts";
import { COMMIT, VERSION } from "./version.ts";

const USAGE = `catalyst ${VERSION} — a day-trading appliance for one trader on Alpaca

Usage:
  catalyst serve [--only a,b]   run the services (all of them, or the named ones)
  catalyst venue [--port N] [--host H] [--seed S] [--speed X] [--start T]
                                run only the simulated Alpaca venue (default port: base + 7)
  catalyst migrate              apply the database migrations and exit
  catalyst backup FILE          write a consistent dump of the database (embedded or DATABASE_URL)
                                to FILE (gzip); works while the appliance runs
  catalyst restore FILE         replace the database's data with FILE's (stop the appliance first)
  catalyst mcp --stdio          MCP over stdin/stdout for a local Claude Desktop (the appliance
                                must be running: \`catalyst serve\`)
  catalyst sentiment [--json] "headline" ...
                                score headlines with the news service's model (FinBERT from
                                CATALYST_MODELS_DIR, else the finance lexicon) and print it
  catalyst doctor [--json] [--fix] [--check NAME]
                                one sweep: the database against the broker; exit 0 ok,
                                1 warning, 2 critical, 3 could not run; --fix applies the
                                database-only fixes the rules allow
  catalyst activity log --type T --decision D --reason TEXT [--action A] [--result R]
        [--detail TEXT] [--entity E] [--issue-type T] [--severity S] [--error TEXT]
        [--session ID] [--who NAME]
                                record an observation/decision/action in claude_activity_log
                                (who defaults to claude_code)
                                --type: ${OBSERVATION_TYPES.join("|")}
                                --decision: ${DECISIONS.join("|")}
  catalyst activity view [--since 1h|ISO-TIME] [--limit N] [--json]
                                recent activity (default: last 24 h); --json adds the views'
                                summary, recurring issues, escalations and failed actions
  catalyst version              print the version and the git commit it was built from
  catalyst help                 this text

Services: ${SERVICE_NAMES.join(", ")}
Configuration comes from the environment (and .env); see the README.`;

class UsageError extends Error {}

function parseOnly(args: string[]): ServiceName[] | undefined {
  let only: ServiceName[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg === "--only" ? args[++i] : arg.startsWith("--only=") ? arg.slice("--only=".length) : null;
    if (value === null) throw new UsageError(`unknown option for serve: ${arg}`);
    if (!value) throw new UsageError("--only needs a comma-separated list of services");
    const names = value.split(",").map((s) => s.trim());
    const unknown = names.filter((n) => !isServiceName(n));
    if (unknown.length > 0) throw new UsageError(`unknown service(s): ${unknown.join(", ")}`);
    only = [...new Set(names as ServiceName[])];
  }
  return only;
}

function noArgs(command: string, args: string[]): void {
  if (args.length > 0) throw new UsageError(`${command} takes no arguments (got ${args.join(" ")})`);
}

async function serve(args: string[]): Promise<number> {
  const only = parseOnly(args);
  const config = loadConfig();
  const appliance = await startAppliance(config, { only });
  const { apiKey, database, services } = appliance;
  const db = database.embedded ? `embedded PostgreSQL in ${config.dataDir}` : "PostgreSQL at DATABASE_URL";
  console.log(`catalyst ${VERSION} (commit ${COMMIT}) running in ${config.mode} mode: ${db}, ${config.redisUrl ? "Redis bus" : "in-process bus"}`);
  if (database.migrations.applied.length > 0) console.log(`applied migrations: ${database.migrations.applied.join(", ")}`);
  for (const service of services) console.log(`  ${service.padEnd(13)} http://${config.bindHost}:${servicePort(config, service)}`);
  if (apiKey.source === "CATALYST_API_KEY") console.log("API key: from CATALYST_API_KEY");
  else console.log(`API key: ${apiKey.key}  (${apiKey.generated ? "generated into" : "from"} ${apiKey.source})`);
  return new Promise((resolve) => {
    const shutdown = (signal: string) => {
      console.log(`${signal}: stopping`);
      appliance.stop().then(
        () => resolve(0),
        (error: Error) => {
          console.error(`catalyst: stop failed: ${error.message}`);
          resolve(1);
        },
      );
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
  });
}

/** `--name value` / `--name=value` options of a command, each allowed at most once. */
function parseOptions(command: string, args: string[], names: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !names.includes(match[1]!)) throw new UsageError(`unknown option for ${command}: ${arg}`);
    const value = match[2] ?? args[++i];
    if (value === undefined || value === "") throw new UsageError(`--${match[1]} needs a value`);
    options[match[1]!] = value;
  }
  return options;
}

function numberOption(options: Record<string, string>, name: string, check: (n: number) => boolean, what: string): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!check(n)) throw new UsageError(`--${name} must be ${what} (got "${value}")`);
  return n;
}

async function venueCommand(args: string[]): Promise<number> {
  const options = parseOptions("venue", args, ["port", "host", "seed", "speed", "start"]);
  const config = loadConfig();
  const port = numberOption(options, "port", (n) => Number.isInteger(n) && n > 0 && n < 65536, "a TCP port") ?? servicePort(config, "venue");
  const start = options.start === undefined ? config.venue.start : parseSimStart(options.start);
  if (start === null && options.start !== undefined) throw new UsageError("--start must be YYYY-MM-DD, YYYY-MM-DDTHH:MM (New York time) or an RFC 3339 instant");
  const settings = {
    ...config.venue,
    seed: numberOption(options, "seed", (n) => Number.isInteger(n) && n > 0, "a whole number > 0") ?? config.venue.seed,
    speed: numberOption(options, "speed", (n) => n > 0 && Number.isFinite(n), "a number > 0") ?? config.venue.speed,
    start,
  };
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const apiKey = resolveApiKey(config);
  const log = createLogger("venue", config.logLevel);
  const { venue, server } = startVenue(settings, apiKey.key, log);
  const host = options.host ?? config.bindHost;
  try {
    server.listen({ port, hostname: host });
  } catch (error) {
    if ((error as { code?: string }).code === "EADDRINUSE") throw new StartupError(`port ${port} (venue) is already in use: stop what holds it, or pass --port`);
    throw error;
  }
  const clock = venue.clock.state();
  console.log(`catalyst venue on http://${host}:${server.port} (trade_updates: ws://${host}:${server.port}/stream)`);
  console.log(`  seed ${settings.seed}, ${venue.market.assets().length} symbols, clock ${new Date(clock.now).toISOString()} at ${clock.speed}x`);
  console.log(`  APCA-API-KEY-ID: ${settings.keyId}  APCA-API-SECRET-KEY: ${settings.secretKey === null ? `the API key (${apiKey.source})` : "VENUE_SECRET_KEY"}`);
  return new Promise((resolve) => {
    const shutdown = () => server.stop(true).then(() => resolve(0));
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);
  });
}

async function migrateCommand(args: string[]): Promise<number> {
  noArgs("migrate", args);
  const database = await openApplianceDatabase(loadConfig());
  const { applied, alreadyApplied } = database.migrations;
  await database.close();
  console.log(applied.length > 0 ? `applied ${applied.join(", ")} (${alreadyApplied} already applied)` : `up to date (${alreadyApplied} migrations applied)`);
  return 0;
}

/** The one FILE argument of backup and restore. */
function fileArgument(command: string, args: string[]): string {
  if (args.length !== 1 || args[0]!.startsWith("-")) throw new UsageError(`${command} needs exactly one FILE`);
  return args[0]!;
}

async function backupCommand(args: string[]): Promise<number> {
  const file = fileArgument("backup", args);
  const { tables, rows } = await backupDatabase(loadConfig(), file);
  console.log(`backed up ${rows} rows of ${tables} tables to ${file}`);
  return 0;
}

async function restoreCommand(args: string[]): Promise<number> {
  const file = fileArgument("restore", args);
  const { tables, rows } = await restoreDatabaseFrom(loadConfig(), file);
  console.log(`restored ${rows} rows of ${tables} tables from ${file}`);
  return 0;
}

async function sentimentCommand(args: string[]): Promise<number> {
  const json = args.includes("--json");
  const texts = args.filter((a) => a !== "--json");
  const option = texts.find((a) => a.startsWith("--"));
  if (option) throw new UsageError(`unknown option for sentiment: ${option}`);
  if (texts.length === 0) throw new UsageError("sentiment needs at least one headline to score");
  const config = loadConfig();
  const model = await loadSentimentModel(config.news.modelsDir, createLogger("sentiment", config.logLevel));
  const scores = await model.score(texts);
  if (json) {
    console.log(JSON.stringify({ model: model.name, sentiments: texts.map((text, i) => ({ text, ...scores[i]! })) }));
    return 0;
  }
  console.log(`model: ${model.name}`);
  for (const [i, text] of texts.entries()) {
    const s = scores[i]!;
    console.log(`${s.label.padEnd(8)}  ${s.score >= 0 ? "+" : ""}${s.score.toFixed(4)}  confidence ${s.confidence.toFixed(2)}  ${text}`);
  }
  return 0;
}

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

async function activityLog(args: string[]): Promise<number> {
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

function activityCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "log") return activityLog(rest);
  if (sub === "view") return activityView(rest);
  throw new UsageError(sub === undefined ? "activity needs log or view" : `unknown activity command: ${sub} (use log or view)`);
}

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "serve":
      return serve(args);
    case "migrate":
      return migrateCommand(args);
    case "backup":
      return backupCommand(args);
    case "restore":
      return restoreCommand(args);
    case "mcp":
      if (args.length !== 1 || args[0] !== "--stdio") throw new UsageError("mcp needs --stdio (over HTTP, MCP is served at /mcp on the orchestration port)");
      await serveMcpOverStdio(loadConfig());
      return 0;
    case "venue":
      return venueCommand(args);
    case "sentiment":
      return sentimentCommand(args);
    case "activity":
      return activityCommand(args);
    case "doctor": {
      const parsed = parseDoctorArgs(args);
      if (typeof parsed === "string") throw new UsageError(parsed);
      return doctorCommand(loadConfig(), parsed);
    }
    case "version":
    case "--version":
      noArgs("version", args);
      console.log(`catalyst ${VERSION} (commit ${COMMIT})`);
      return 0;
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    case undefined:
      throw new UsageError("no command given");
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

try {
  process.exit(await run(process.argv.slice(2)));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`catalyst: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  // Config, start-up and database errors are the user's to fix: one line saying what, no stack.
  const known = error instanceof ConfigError || error instanceof StartupError || error instanceof CliDatabaseError;
  console.error(`catalyst: ${errorMessage(error)}`);
  if (!known && error instanceof Error && error.stack) console.error(error.stack.split("\n").slice(1, 4).join("\n"));
  process.exit(1);
}
