#!/usr/bin/env bun
/**
 * The `catalyst` command. Each command's code is imported only when it runs: `serve` should not
 * carry the MCP client, the venue or the sentiment model in its main thread's memory.
 */
import { DECISIONS, OBSERVATION_TYPES } from "./doctor/activity.ts";
import { loadConfig } from "./config.ts";
import { errorMessage, UserFixableError } from "./runtime/errors.ts";
import { createLogger } from "./runtime/log.ts";
import { SERVICE_NAMES } from "./runtime/services.ts";
import { COMMIT, VERSION } from "./version.ts";
import { noArgs, UsageError } from "./cli/args.ts";

const USAGE = `catalyst ${VERSION} — a day-trading appliance for one trader on Alpaca

Usage:
  catalyst demo [--date D] [--speed X] [--mode M] [--data-dir DIR]
                                rehearse one whole simulated trading day end to end (scans,
                                entries, exits, flatten) on its own sim appliance, then print
                                the day's trades, P&L and the venue account's change; defaults:
                                the last trading day, 300×, aggressive, a temporary folder
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
  catalyst sectors import FILE.csv
                                load the ticker → sector table the sector limit uses (paper and
                                live; sim mode takes the venue's): header symbol,sector, then
                                SYMBOL,SECTOR (XLK, a GICS sector name or its 2-digit code); a bad
                                line refuses the whole file, naming line and field
  catalyst cycle skip [--date YYYY-MM-DD] [--reason TEXT]
                                autostart (CYCLE_AUTOSTART) does not start that trading day's
                                cycle (default today, or the next trading day once today closed)
  catalyst alerts test          send one critical, one warning and one info test alert through
                                every configured channel (SMTP_URL, ALERT_WEBHOOK_URL) and say
                                per channel what happened; exit 1 if one failed or none is set
  catalyst auth code            a one-time code (10 min) to type on the authorize page of a remote
                                MCP connector (Claude's custom connector) instead of the API key
  catalyst auth list [--all] [--json]
                                the connectors authorized by OAuth (--all: revoked ones too)
  catalyst auth revoke ID|--all end a connector's access and refresh tokens at once
  catalyst version              print the version and the git commit it was built from
  catalyst help                 this text
  catalyst help watchdog        how a Claude Code session keeps watch during market hours:
                                doctor --json, decide, activity log

Services: ${SERVICE_NAMES.join(", ")}
Configuration comes from the environment (and .env); see the README.`;

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "serve":
      return (await import("./cli/serve.ts")).serve(args);
    case "migrate":
      return (await import("./cli/database.ts")).migrateCommand(args);
    case "backup":
      return (await import("./cli/database.ts")).backupCommand(args);
    case "restore":
      return (await import("./cli/database.ts")).restoreCommand(args);
    case "mcp":
      if (args.length !== 1 || args[0] !== "--stdio") throw new UsageError("mcp needs --stdio (over HTTP, MCP is served at /mcp on the orchestration port)");
      await (await import("./services/orchestration/mcp/stdio.ts")).serveMcpOverStdio(loadConfig());
      return 0;
    case "venue":
      return (await import("./cli/venue.ts")).venueCommand(args);
    case "demo":
      return (await import("./cli/demo.ts")).demoCommand(args);
    case "sentiment":
      return (await import("./cli/sentiment.ts")).sentimentCommand(args);
    case "activity":
      return (await import("./cli/activity.ts")).activityCommand(args);
    case "sectors":
      return (await import("./cli/sectors.ts")).sectorsCommand(args);
    case "auth":
      return (await import("./cli/auth.ts")).authCommand(args);
    case "doctor": {
      const { doctorCommand, parseDoctorArgs } = await import("./doctor/command.ts");
      const parsed = parseDoctorArgs(args);
      if (typeof parsed === "string") throw new UsageError(parsed);
      return doctorCommand(loadConfig(), parsed);
    }
    case "cycle":
      return (await import("./cli/cycle.ts")).cycleCommand(args);
    case "alerts":
      return (await import("./cli/alerts.ts")).alertsCommand(args);
    case "version":
    case "--version":
      noArgs("version", args);
      console.log(`catalyst ${VERSION} (commit ${COMMIT})`);
      return 0;
    case "help":
    case "--help":
    case "-h":
      if (args.length === 1 && args[0] === "watchdog") {
        console.log((await import("./cli/watchdog-guide.ts")).WATCHDOG_GUIDE);
        return 0;
      }
      if (args.length > 0) throw new UsageError(`help takes no topic but watchdog (got ${args.join(" ")})`);
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
  const known = error instanceof UserFixableError;
  const stack = !known && error instanceof Error && error.stack ? error.stack.split("\n").slice(1, 4).join("\n") : null;
  if (process.env.JOURNAL_STREAM) {
    // Under systemd the journal keeps one JSON object per line, this one included.
    const failure = { command: process.argv[2] ?? null, error: errorMessage(error) };
    createLogger("cli", "error").error("catalyst failed", stack ? { ...failure, stack } : failure);
  } else {
    console.error(`catalyst: ${errorMessage(error)}`);
    if (stack) console.error(stack);
  }
  process.exit(1);
}
