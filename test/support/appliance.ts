/**
 * A whole appliance for one integration test, on one backend: started on free ports in sim mode,
 * with typed-enough helpers to call its services, the venue's admin API and its database.
 */
import postgres, { type Sql } from "postgres";
import { loadConfig, servicePort, type Config } from "../../src/config.ts";
import { startAppliance, type Appliance } from "../../src/runtime/supervisor.ts";
import type { ServiceName } from "../../src/runtime/services.ts";
import { BACKENDS, freePortBase, venueFetch, type Backend } from "./env.ts";

export interface TestAppliance {
  config: Config;
  appliance: Appliance;
  key: string;
  /** JSON in, {status, body} out, with the API key. */
  api(service: ServiceName, path: string, init?: { method?: string; body?: unknown; key?: string | null }): Promise<{ status: number; body: any }>;
  venue(path: string, init?: { method?: string; body?: unknown }): Promise<any>;
  sql: Sql;
  stop(): Promise<void>;
}

export async function startTestAppliance(
  backend: Backend,
  env: Record<string, string> = {},
  only?: ServiceName[],
): Promise<TestAppliance & { restart(): Promise<TestAppliance> }> {
  const prepared = await backend.prepare();
  const config = loadConfig({ ...prepared.env, CATALYST_PORT_BASE: String(await freePortBase()), CATALYST_LOG_LEVEL: "error", ...env });
  const open = async (): Promise<TestAppliance> => {
    const appliance = await startAppliance(config, { only });
    const key = appliance.apiKey.key;
    const rawVenue = venueFetch(config, key);
    const sql = postgres(appliance.database.url, { max: 4, onnotice: () => undefined });
    return {
      config,
      appliance,
      key,
      sql,
      async api(service, path, init = {}) {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (init.key !== null) headers["x-api-key"] = init.key ?? key;
        const response = await fetch(`http://127.0.0.1:${servicePort(config, service)}${path}`, {
          method: init.method ?? (init.body === undefined ? "GET" : "POST"),
          headers,
          body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
        });
        return { status: response.status, body: await response.json().catch(() => null) };
      },
      async venue(path, init = {}) {
        const response = await rawVenue(path, { method: init.method ?? (init.body === undefined ? "GET" : "POST"), body: init.body === undefined ? undefined : JSON.stringify(init.body) });
        return response.json().catch(() => null);
      },
      async stop() {
        await sql.end({ timeout: 5 });
        await appliance.stop();
      },
    };
  };
  let current = await open();
  return {
    ...current,
    get sql() {
      return current.sql;
    },
    async restart() {
      await current.stop();
      current = await open();
      return current;
    },
    async stop() {
      await current.stop();
      await prepared.cleanup();
    },
  } as TestAppliance & { restart(): Promise<TestAppliance> };
}

/** A simulated day on the embedded backend: the venue from `start` (ET) at `speed`×, workflow and risk ticking every second, broker pacing off. */
export function startSimulatedDay(start: string, speed: number) {
  return startTestAppliance(BACKENDS.find((b) => b.name === "embedded")!, {
    VENUE_START: start,
    VENUE_SPEED: String(speed),
    WORKFLOW_TICK_SECONDS: "1",
    RISK_MONITOR_SECONDS: "1",
    BROKER_REQUESTS_PER_MINUTE: "100000",
  });
}

/** Liquid symbols priced $5–$300 at the venue's now, most active first (by volume, or by number of trades). */
export async function liquidSymbols(t: Pick<TestAppliance, "venue">, count: number, by: "volume" | "trades" = "volume"): Promise<{ symbol: string; price: number }[]> {
  const actives = await t.venue(`/v1beta1/screener/stocks/most-actives?top=100&by=${by}`);
  const symbols = actives.most_actives.map((a: { symbol: string }) => a.symbol).join(",");
  const snapshots = await t.venue(`/v2/stocks/snapshots?symbols=${symbols}`);
  return Object.entries(snapshots as Record<string, { latestTrade: { p: number } }>)
    .map(([symbol, s]) => ({ symbol, price: s.latestTrade.p }))
    .filter((s) => s.price >= 5 && s.price <= 300)
    .slice(0, count);
}
