/**
 * An appliance (risk + trading) run as a child process so a test can SIGKILL it mid-step and start
 * it again on the same backend (the embedded data dir, or the PostgreSQL database, is kept). The
 * venue runs in the test's own process, so it outlives every crash and remembers every request.
 */
import postgres, { type Sql } from "postgres";
import { join } from "node:path";
import { servingDatabaseUrl } from "../../src/adapters/db/data-dir.ts";
import { createLogger } from "../../src/runtime/log.ts";
import { startVenue } from "../../src/services/venue/app.ts";
import type { Venue } from "../../src/services/venue/venue.ts";
import { freePortBase, waitFor, type Backend } from "./env.ts";

const CLI = join(import.meta.dir, "../../src/cli.ts");

export interface KillableAppliance {
  venue: Venue;
  /** The venue's HTTP API with the test's credentials (JSON out). */
  venueApi(path: string, init?: { method?: string; body?: unknown }): Promise<any>;
  api(service: "risk" | "trading", path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  /** Starts the appliance (again) and waits until risk and trading answer. */
  start(): Promise<void>;
  kill(): Promise<void>;
  /** The database the last started appliance uses. */
  database(): Sql;
  /** SIGTERM, close connections, stop the venue, drop the backend (kept with KEEP_CRASH_LOGS). */
  close(): Promise<void>;
}

/** The backend decides the database: a DATABASE_URL (or Redis) from the caller's environment must not leak in. */
function withoutDatabaseEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...rest } = env;
  return rest;
}

export async function killableAppliance(backend: Backend, key: string, venueStart: number, env: Record<string, string> = {}): Promise<KillableAppliance> {
  const base = await freePortBase();
  const prepared = await backend.prepare();
  const { venue, server } = startVenue({ keyId: "sim", secretKey: null, seed: 1, speed: 1, start: venueStart, initialCashUsd: 100_000 }, key, createLogger("venue", "error"));
  server.listen({ port: base + 7, hostname: "127.0.0.1" });
  let proc: ReturnType<typeof Bun.spawn> | null = null;
  let sql: Sql | undefined;
  let starts = 0;

  const api: KillableAppliance["api"] = (service, path, init = {}) =>
    fetch(`http://127.0.0.1:${base + (service === "risk" ? 4 : 5)}${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));

  return {
    venue,
    api,
    venueApi: (path, init = {}) =>
      fetch(`http://127.0.0.1:${base + 7}${path}`, {
        method: init.method ?? "GET",
        headers: { "APCA-API-KEY-ID": "sim", "APCA-API-SECRET-KEY": key, "content-type": "application/json" },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }).then((r) => r.json()),
    async start() {
      // The embedded database's address changes with each start.
      await sql?.end({ timeout: 5 });
      sql = undefined;
      proc = Bun.spawn([process.execPath, CLI, "serve", "--only", "risk,trading"], {
        env: {
          ...withoutDatabaseEnv(process.env),
          ...prepared.env,
          CATALYST_API_KEY: key,
          CATALYST_PORT_BASE: String(base),
          CATALYST_URL_VENUE: `http://127.0.0.1:${base + 7}`,
          CATALYST_LOG_LEVEL: "error",
          BROKER_REQUESTS_PER_MINUTE: "100000",
          ...env,
        },
        stdout: "ignore",
        stderr: Bun.file(join(prepared.env.CATALYST_DATA_DIR!, `appliance-${++starts}.log`)),
      });
      const up = async (service: "risk" | "trading") => (await api(service, "/health").catch(() => null))?.status === 200;
      await waitFor("trading and risk to answer", async () => (await up("trading")) && (await up("risk")), 30_000);
    },
    async kill() {
      proc?.kill("SIGKILL");
      await proc?.exited;
    },
    database() {
      const url = prepared.env.DATABASE_URL ?? servingDatabaseUrl(prepared.env.CATALYST_DATA_DIR!);
      if (!url) throw new Error("no appliance is serving the embedded database");
      sql ??= postgres(url, { max: 2, onnotice: () => undefined });
      return sql;
    },
    async close() {
      await sql?.end({ timeout: 5 });
      proc?.kill("SIGTERM");
      await proc?.exited;
      await server.stop(true);
      if (process.env.KEEP_CRASH_LOGS) console.log(prepared.env.CATALYST_DATA_DIR);
      else await prepared.cleanup();
    },
  };
}
