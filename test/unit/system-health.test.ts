import { describe, expect, test } from "bun:test";
import { summarizeHealth } from "../../src/services/orchestration/system-health.ts";

const up = { ok: true, kind: "postgresql" };
function service(name: string, checks: Record<string, { ok: boolean; kind: string; detail?: string }> = {}, status: "ok" | "degraded" | "down" = "ok") {
  return { service: name, status, mode: "paper" as const, version: "test", uptimeSeconds: 1, checks: { database: up, bus: { ok: true, kind: "redis" }, broker: { ok: true, kind: "alpaca" }, ...checks } };
}
const noBroker = { broker: { ok: false, kind: "alpaca", detail: "the broker's account could not be read: connection refused" } };

describe("the appliance's health from its services'", () => {
  test("ok when every service is ok, with no problems", () => {
    expect(summarizeHealth([service("risk"), service("trading")])).toEqual({ status: "ok", problems: [] });
  });
  test("down when the broker is unreachable, one line naming every service that saw it", () => {
    expect(summarizeHealth([service("risk", noBroker, "degraded"), service("trading", noBroker, "degraded"), service("news")])).toEqual({
      status: "down",
      problems: ["broker: the broker's account could not be read: connection refused (risk, trading)"],
    });
  });
  test("degraded when Redis does not answer or a service is unreachable, saying which", () => {
    const redis = { bus: { ok: false, kind: "redis", detail: "redis PING failed: Connection is closed." } };
    expect(summarizeHealth([service("risk", redis, "degraded"), { service: "scanner", status: "unreachable" as const, detail: "connection refused" }])).toEqual({
      status: "degraded",
      problems: ["scanner is unreachable: connection refused", "bus: redis PING failed: Connection is closed. (risk)"],
    });
  });
  test("down when no service is up", () => {
    expect(summarizeHealth([{ service: "risk", status: "unreachable" as const, detail: "refused" }]).status).toBe("down");
  });
});
