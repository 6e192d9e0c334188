/** The appliance over real HTTP, on both backends: health, the key guard, restarts, system health. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig, servicePort, type Config } from "../../src/config.ts";
import { startAppliance, type Appliance } from "../../src/runtime/supervisor.ts";
import { SERVICE_NAMES } from "../../src/runtime/services.ts";

/** Catalyst's own services; the venue speaks Alpaca's protocol instead (tested below and in venue tests). */
const CATALYST_SERVICES = SERVICE_NAMES.filter((name) => name !== "venue");
import { BACKENDS, freePortBase, waitFor } from "../support/env.ts";

for (const backend of BACKENDS) {
  describe(`appliance on ${backend.name}`, () => {
    let appliance: Appliance;
    let config: Config;
    let cleanup: () => Promise<void>;
    const url = (service: (typeof SERVICE_NAMES)[number], path: string) => `http://127.0.0.1:${servicePort(config, service)}${path}`;

    beforeAll(async () => {
      const prepared = await backend.prepare();
      cleanup = prepared.cleanup;
      config = loadConfig({ ...prepared.env, CATALYST_PORT_BASE: String(await freePortBase()), CATALYST_LOG_LEVEL: "error" });
      appliance = await startAppliance(config);
    }, 60_000);

    afterAll(async () => {
      await appliance?.stop();
      await cleanup?.();
    });

    test("every service answers /health without a key, reporting database, bus and broker", async () => {
      const expectedBus = backend.name === "embedded" ? "in-process" : "redis";
      for (const service of CATALYST_SERVICES) {
        const response = await fetch(url(service, "/health"));
        expect(response.status).toBe(200);
        const body = await response.json();
        expect(body).toMatchObject({ service, status: "ok", mode: "sim" });
        expect(body.checks.database).toMatchObject({ ok: true, kind: "postgresql" });
        expect(body.checks.bus).toMatchObject({ ok: true, kind: expectedBus });
        expect(body.checks.broker).toMatchObject({ ok: true, kind: "venue", lastSuccessAgeSeconds: expect.any(Number) });
        expect(Date.parse(body.checks.broker.lastSuccessAt)).toBeGreaterThan(0);
      }
    });

    test("in sim mode the venue runs too: /health reports its clock and market, Alpaca's key headers guard the rest", async () => {
      const health = await (await fetch(url("venue", "/health"))).json();
      expect(health).toMatchObject({ service: "venue", status: "ok", mode: "sim", checks: { clock: { ok: true }, market: { ok: true } } });
      const anonymous = await fetch(url("venue", "/v2/account"));
      expect(anonymous.status).toBe(401);
      expect((await anonymous.json()).code).toBe(40110000);
      const account = await fetch(url("venue", "/v2/account"), { headers: { "APCA-API-KEY-ID": "sim", "APCA-API-SECRET-KEY": appliance.apiKey.key } });
      expect(account.status).toBe(200);
      expect((await account.json()).status).toBe("ACTIVE");
    });

    test("the API key was generated into the data dir (sim mode, none configured)", () => {
      expect(appliance.apiKey.generated).toBe(true);
      expect(appliance.apiKey.source).toBe(`${config.dataDir}/api-key`);
      expect(appliance.apiKey.key.length).toBeGreaterThanOrEqual(32);
    });

    test("a missing or wrong key gets 401 with a JSON error on every service, unknown paths included", async () => {
      for (const service of CATALYST_SERVICES) {
        for (const [path, headers] of [
          ["/openapi/json", {}],
          ["/no/such/path", {}],
          ["/no/such/path", { "x-api-key": "wrong-key-wrong-key" }],
          ["/openapi/json", { authorization: "Bearer wrong-key-wrong-key" }],
        ] as const) {
          const response = await fetch(url(service, path), { headers });
          expect(response.status).toBe(401);
          expect((await response.json()).error.code).toBe("unauthorized");
        }
      }
    });

    test("with the key: OpenAPI document served, unknown path 404 with a JSON error", async () => {
      const headers = { "x-api-key": appliance.apiKey.key };
      for (const service of CATALYST_SERVICES) {
        const doc = await fetch(url(service, "/openapi/json"), { headers });
        expect(doc.status).toBe(200);
        expect((await doc.json()).paths["/health"]).toBeDefined();
        const missing = await fetch(url(service, "/no/such/path"), { headers });
        expect(missing.status).toBe(404);
        expect((await missing.json()).error.code).toBe("not_found");
      }
    });

    test("orchestration reports every service's health through the typed client", async () => {
      const response = await fetch(url("orchestration", "/api/v1/system/health"), { headers: { "x-api-key": appliance.apiKey.key } });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.status).toBe("ok");
      expect(body.services.map((s: { service: string }) => s.service).sort()).toEqual([...SERVICE_NAMES].sort());
    });

    test("a worker that dies is restarted and serves again; the others never stop", async () => {
      appliance.terminateWorker("scanner");
      await waitFor("scanner to go down", async () => {
        try {
          await fetch(url("scanner", "/health"));
          return false;
        } catch {
          return true;
        }
      });
      expect((await fetch(url("risk", "/health"))).status).toBe(200);
      await waitFor("scanner to come back", async () => (await fetch(url("scanner", "/health"))).status === 200);
      expect(appliance.restarts("scanner")).toBe(1);
      expect(appliance.restarts("risk")).toBe(0);
    });
  });
}
