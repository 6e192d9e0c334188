#!/usr/bin/env bun
/** The `catalyst` command. */
import { ConfigError, loadConfig, servicePort } from "./config.ts";
import { openApplianceDatabase } from "./runtime/database.ts";
import { StartupError, startAppliance } from "./runtime/supervisor.ts";
import { isServiceName, SERVICE_NAMES, type ServiceName } from "./runtime/services.ts";
import { VERSION } from "./version.ts";

const USAGE = `catalyst ${VERSION} — a day-trading appliance for one trader on Alpaca

Usage:
  catalyst serve [--only a,b]   run the services (all of them, or the named ones)
  catalyst migrate              apply the database migrations and exit
  catalyst version              print the version
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
  console.log(`catalyst ${VERSION} running in ${config.mode} mode: ${db}, ${config.redisUrl ? "Redis bus" : "in-process bus"}`);
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

async function migrateCommand(args: string[]): Promise<number> {
  noArgs("migrate", args);
  const database = await openApplianceDatabase(loadConfig());
  const { applied, alreadyApplied } = database.migrations;
  await database.close();
  console.log(applied.length > 0 ? `applied ${applied.join(", ")} (${alreadyApplied} already applied)` : `up to date (${alreadyApplied} migrations applied)`);
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "serve":
      return serve(args);
    case "migrate":
      return migrateCommand(args);
    case "version":
    case "--version":
      noArgs("version", args);
      console.log(`catalyst ${VERSION}`);
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
  const known = error instanceof ConfigError || error instanceof StartupError;
  console.error(`catalyst: ${error instanceof Error ? error.message : String(error)}`);
  if (!known && error instanceof Error && error.stack) console.error(error.stack.split("\n").slice(1, 4).join("\n"));
  process.exit(1);
}
