/**
 * Redis going away and coming back, with a real redis-server on a spare port: services stay up
 * (degraded health), the bus reports failure instead of hanging, and everything recovers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { RedisBus } from "../../src/adapters/bus/redis.ts";
import type { BusMessage } from "../../src/contracts/bus.ts";
import { loadConfig, servicePort, type Config } from "../../src/config.ts";
import { startAppliance, type Appliance } from "../../src/runtime/supervisor.ts";
import { freePortBase, freshPostgresDatabase, tempDir, waitFor } from "../support/env.ts";

let redisPort = 0;
let redis: Subprocess | null = null;

function startRedis(): Subprocess {
  return Bun.spawn(["redis-server", "--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdout: "ignore",
    stderr: "ignore",
  });
}

async function stopRedis(): Promise<void> {
  redis?.kill("SIGKILL");
  await redis?.exited;
  redis = null;
}

describe("Redis outage", () => {
  let appliance: Appliance;
  let config: Config;
  let cleanup: () => Promise<void>;
  const health = async (service: "scanner" | "risk") =>
    (await fetch(`http://127.0.0.1:${servicePort(config, service)}/health`)).json() as Promise<{
      status: string;
      checks: { database: { ok: boolean }; bus: { ok: boolean; kind: string } };
    }>;

  beforeAll(async () => {
    redisPort = await freePortBase(); // a block of its own: the appliance's block is all in use (the venue too)
    redis = startRedis();
    const portBase = await freePortBase();
    const db = await freshPostgresDatabase();
    const dir = tempDir();
    cleanup = async () => (await db.drop(), dir.remove());
    config = loadConfig({
      CATALYST_DATA_DIR: dir.path,
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      CATALYST_PORT_BASE: String(portBase),
      CATALYST_LOG_LEVEL: "error",
    });
    await waitFor("redis-server to accept connections", async () => {
      const probe = new RedisBus(config.redisUrl!, "probe", "test");
      const up = await probe.connect();
      await probe.close();
      return up;
    });
    // The venue too: without a broker, health is rightly degraded whatever Redis does.
    appliance = await startAppliance(config, { only: ["venue", "scanner", "risk"] });
  }, 60_000);

  afterAll(async () => {
    await appliance?.stop();
    await stopRedis();
    await cleanup?.();
  });

  test("down → degraded but serving; back → ok; the bus delivers again", async () => {
    const bus = new RedisBus(config.redisUrl!, "outage", "test");
    await bus.connect();
    const received: BusMessage[] = [];
    bus.subscribe("risk_alert", (m) => received.push(m));
    await Bun.sleep(100);
    expect(await bus.publish("risk_alert", { n: 1 })).toBe(true);
    await waitFor("the first message", async () => received.length === 1);
    expect((await health("scanner")).status).toBe("ok");

    await stopRedis();
    const degraded = await waitFor("degraded health", async () => {
      const h = await health("scanner");
      return h.status === "degraded" ? h : null;
    });
    expect(degraded.checks.database.ok).toBe(true);
    expect(degraded.checks.bus).toMatchObject({ ok: false, kind: "redis" });
    expect((await fetch(`http://127.0.0.1:${servicePort(config, "risk")}/health`)).status).toBe(200);
    // While Redis is away the bus answers at once instead of queueing or hanging.
    expect(await bus.publish("risk_alert", { n: 2 })).toBe(false);

    redis = startRedis();
    await waitFor("health to recover", async () => (await health("scanner")).status === "ok" && (await health("risk")).status === "ok", 20_000);
    await waitFor("the bus to reconnect", async () => bus.health().ok, 10_000);
    await Bun.sleep(200);
    expect(await bus.publish("risk_alert", { n: 3 })).toBe(true);
    await waitFor("delivery after recovery", async () => received.some((m) => (m.payload as { n: number }).n === 3));
    expect(received.some((m) => (m.payload as { n: number }).n === 2)).toBe(false);
    await bus.close();
  });
});
