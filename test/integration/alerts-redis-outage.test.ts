/**
 * Alerts while Redis is down, with a real redis-server on a spare port (PostgreSQL + Redis only:
 * the in-process bus has no Redis to lose). Risk's publish fails, the worker hands the message to
 * the main thread, and the notifier there still tells the trader; after Redis returns, alerts go
 * through Redis again, each exactly once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { RedisBus } from "../../src/adapters/bus/redis.ts";
import { servicePort } from "../../src/config.ts";
import { startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";
import { startWebhookSink, type WebhookSink } from "../support/webhook-sink.ts";

function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

describe("alerts with Redis down", () => {
  const redisPort = freePort();
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  let redis: Subprocess | null = null;
  let t: TestAppliance;
  let hook: WebhookSink;

  const startRedis = () => {
    redis = Bun.spawn(["redis-server", "--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdout: "ignore", stderr: "ignore" });
  };
  const stopRedis = async () => {
    redis?.kill("SIGKILL");
    await redis?.exited;
    redis = null;
  };
  const riskBus = async () => (await (await fetch(`http://127.0.0.1:${servicePort(t.config, "risk")}/health`)).json()).checks.bus as { ok: boolean };
  const stopSet = (reason: string) => t.api("risk", "/api/v1/risk/emergency-stop", { body: { reason, setBy: "tester" } });
  const stopCleared = () => t.api("risk", "/api/v1/risk/emergency-stop?clearedBy=tester", { method: "DELETE" });
  const told = (kind: string, text: string) => hook.deliveries.filter((d) => d.verified).flatMap((d) => d.body.events).filter((e) => e.kind === kind && (e as { text?: string }).text?.includes(text));

  beforeAll(async () => {
    startRedis();
    await waitFor("redis-server to accept connections", async () => {
      const probe = new RedisBus(redisUrl, "probe", "test");
      const up = await probe.connect();
      await probe.close();
      return up;
    });
    hook = startWebhookSink();
    const postgres = BACKENDS.find((b) => b.name === "postgres+redis")!;
    t = await startTestAppliance(
      postgres,
      { REDIS_URL: redisUrl, VENUE_START: "2026-03-10T10:30", ALERT_WEBHOOK_URL: hook.url, ALERT_WEBHOOK_SECRET: hook.secret, ALERT_BATCH_SECONDS: "0.2" },
      ["venue", "risk", "trading"],
    );
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    hook?.stop();
    await stopRedis();
  });

  test("up: through Redis; down: still told, through the main thread; back: through Redis again, once each", async () => {
    expect((await stopSet("while redis is up")).status).toBe(200);
    await waitFor("the first stop's alert", async () => told("kill_switch", "while redis is up").length === 1);
    expect((await stopCleared()).status).toBe(200);
    await waitFor("the first clear's alert", async () => told("kill_switch_cleared", "cleared").length === 1);

    await stopRedis();
    await waitFor("risk to see the bus down", async () => !(await riskBus()).ok, 20_000);
    expect((await stopSet("while redis is down")).status).toBe(200);
    await waitFor("the alert sent with Redis down", async () => told("kill_switch", "while redis is down").length === 1);
    expect((await stopCleared()).status).toBe(200);
    await waitFor("the second clear's alert", async () => told("kill_switch_cleared", "cleared").length === 2);

    startRedis();
    await waitFor("risk to see the bus again", async () => (await riskBus()).ok, 20_000);
    // The notifier re-subscribes on its own connection: probe through Redis until it hears again.
    const probe = new RedisBus(redisUrl, t.config.busNamespace, "probe");
    await probe.connect();
    let n = 0;
    await waitFor("the notifier to hear Redis again", async () => {
      await probe.publish("risk_alert", { kind: "probe", level: "warning", message: `probe ${++n}` });
      return hook.deliveries.some((d) => d.body.events.some((e) => e.kind === "other"));
    }, 20_000, 250);
    await probe.close();
    expect((await stopSet("after redis returned")).status).toBe(200);
    await waitFor("the alert after recovery", async () => told("kill_switch", "after redis returned").length === 1, 20_000);
    expect((await stopCleared()).status).toBe(200);
    await waitFor("the third clear's alert", async () => told("kill_switch_cleared", "cleared").length === 3);
    // Every alert once: nothing doubled by the two paths.
    expect(told("kill_switch", "").map((e) => (e as { text?: string }).text)).toEqual([
      "emergency stop by tester: while redis is up",
      "emergency stop by tester: while redis is down",
      "emergency stop by tester: after redis returned",
    ]);
  }, 60_000);
});
