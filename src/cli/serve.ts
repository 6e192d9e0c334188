/**
 * `catalyst serve [--only a,b]`: the appliance in the foreground until SIGTERM or SIGINT. It logs
 * one JSON "catalyst started" line; only at a terminal does it also print the API key.
 */
import { loadConfig, servicePort, type Config } from "../config.ts";
import { marketClosed, marketClosedLine } from "../domain/market-hours.ts";
import { createLogger } from "../runtime/log.ts";
import { startAppliance, type Appliance } from "../runtime/supervisor.ts";
import { isServiceName, type ServiceName } from "../runtime/services.ts";
import { COMMIT, VERSION } from "../version.ts";
import { UsageError } from "./args.ts";

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

/** For a person at a terminal: what runs where, and the key to call it with. */
function printBanner(config: Config, apiKey: Appliance["apiKey"], db: string, urls: Record<string, string>): void {
  console.log(`catalyst ${VERSION} (commit ${COMMIT}) running in ${config.mode} mode: ${db}, ${config.redisUrl ? "Redis bus" : "in-process bus"}`);
  for (const [service, url] of Object.entries(urls)) console.log(`  ${service.padEnd(13)} ${url}`);
  if (apiKey.source === "CATALYST_API_KEY") console.log("API key: from CATALYST_API_KEY");
  else console.log(`API key: ${apiKey.key}  (${apiKey.generated ? "generated into" : "from"} ${apiKey.source})`);
}

export async function serve(args: string[]): Promise<number> {
  const only = parseOnly(args);
  const config = loadConfig();
  const appliance = await startAppliance(config, { only });
  const { apiKey, database, services } = appliance;
  const log = createLogger("supervisor", config.logLevel);
  const db = database.embedded ? `embedded PostgreSQL in ${config.dataDir}` : "PostgreSQL at DATABASE_URL";
  const urls = Object.fromEntries(services.map((service) => [service, `http://${config.bindHost}:${servicePort(config, service)}`]));
  // The key itself never reaches the log (journald keeps it); the line says where it comes from.
  log.info("catalyst started", {
    version: VERSION,
    commit: COMMIT,
    mode: config.mode,
    database: db,
    bus: config.redisUrl ? "redis" : "in-process",
    migrationsApplied: database.migrations.applied,
    services: urls,
    apiKeyFrom: apiKey.source,
  });
  if (process.stdout.isTTY) printBanner(config, apiKey, db, urls);
  if (config.mode === "sim" && services.includes("venue")) {
    // The venue's clock starts at VENUE_START, else at the real now.
    const simNow = config.venue.start ?? Date.now();
    const closed = marketClosed(simNow);
    if (closed) {
      const line = marketClosedLine(simNow, closed);
      log.info(line, { simNow: new Date(simNow).toISOString(), nextOpen: new Date(closed.nextOpen).toISOString(), rehearse: "catalyst demo" });
      if (process.stdout.isTTY) console.log(line);
    }
  }
  return new Promise((resolve) => {
    const shutdown = (signal: string) => {
      log.info("stopping", { signal });
      appliance.stop().then(
        () => resolve(0),
        (error: Error) => {
          log.error("stop failed", { error: error.message });
          resolve(1);
        },
      );
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
  });
}
