/**
 * Health tells the truth about the broker, on both backends: services whose broker URL points at
 * a closed port (as paper mode would with no route to Alpaca; here the simulated venue's URL, the
 * same SDK over HTTP) report `degraded` with the broker check saying why, and the system health
 * is `down` naming the broker, while risk refuses with 503 broker_unavailable.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { servicePort } from "../../src/config.ts";
import { startTestAppliance } from "../support/appliance.ts";
import { BACKENDS } from "../support/env.ts";
import { connectMcp, mcpUrl } from "../support/mcp.ts";

async function closedPort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

for (const backend of BACKENDS) {
  describe(`health with the broker unreachable on ${backend.name}`, () => {
    let t: Awaited<ReturnType<typeof startTestAppliance>>;

    beforeAll(async () => {
      t = await startTestAppliance(backend, { CATALYST_URL_VENUE: `http://127.0.0.1:${await closedPort()}` }, ["orchestration", "risk", "trading"]);
    }, 60_000);

    afterAll(async () => {
      await t?.stop();
    });

    test("each service's /health is degraded (still 200: it serves) and its broker check says why", async () => {
      for (const service of ["orchestration", "risk", "trading"] as const) {
        const response = await fetch(`http://127.0.0.1:${servicePort(t.config, service)}/health`);
        expect(response.status).toBe(200);
        const body = await response.json();
        expect(body.status).toBe("degraded");
        expect(body.checks.database.ok).toBe(true);
        expect(body.checks.bus.ok).toBe(true);
        expect(body.checks.broker).toMatchObject({ ok: false, kind: "venue", lastSuccessAt: null, lastSuccessAgeSeconds: null });
        expect(body.checks.broker.detail).toContain("the broker's account could not be read");
      }
    });

    test("the system health is down and names the broker; risk agrees (503 broker_unavailable)", async () => {
      const { status, body } = await t.api("orchestration", "/api/v1/system/health");
      expect(status).toBe(200);
      expect(body.status).toBe("down");
      // One line per distinct failure, naming the services that saw it (refused, or timed out, as the probe found it).
      const brokerLines: string[] = body.problems.filter((p: string) => p.startsWith("broker: the broker's account could not be read"));
      const named = new Set(brokerLines.flatMap((line) => line.slice(line.lastIndexOf("(") + 1, -1).split(", ")));
      expect([...named].filter((s) => ["orchestration", "risk", "trading"].includes(s)).sort()).toEqual(["orchestration", "risk", "trading"]);
      expect(body.problems.find((p: string) => p.startsWith("venue is unreachable"))).toBeDefined();

      const risk = await t.api("risk", "/api/v1/risk/status");
      expect(risk.status).toBe(503);
      expect(risk.body.error.code).toBe("broker_unavailable");
    });

    test("the MCP resource system://health says the same", async () => {
      const client = await connectMcp(mcpUrl(t.config), { "x-api-key": t.key });
      try {
        const read = await client.readResource({ uri: "system://health" });
        const body = JSON.parse((read.contents[0] as { text: string }).text);
        expect(body.data.status).toBe("down");
        expect(body.data.problems.some((p: string) => p.startsWith("broker: the broker's account could not be read"))).toBe(true);
      } finally {
        await client.close();
      }
    });
  });
}
