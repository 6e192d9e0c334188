import { describe, expect, test } from "bun:test";
import { ServiceCallError } from "../../src/runtime/client.ts";
import { isRefusal } from "../../src/services/workflow/failures.ts";
import { SerialRunner } from "../../src/services/workflow/serial.ts";

describe("a failed call: refusal (skip it) or outage (retry next tick)", () => {
  const failure = (status: number, code: string) => new ServiceCallError("trading", status, code, code);

  test("risk said no, or the request was bad: a refusal", () => {
    expect(isRefusal(failure(422, "risk_rejected"))).toBe(true);
    expect(isRefusal(failure(409, "kill_switch"))).toBe(true);
    expect(isRefusal(failure(404, "unknown_symbol"))).toBe(true);
  });

  test("unreachable, 5xx, busy, a route not served yet, an off-contract answer, any other error: an outage", () => {
    for (const [status, code] of [
      [0, "unreachable"],
      [503, "broker_unavailable"],
      [500, "internal"],
      [429, "rate_limited"],
      [408, "timeout"],
      [404, "not_found"],
      [200, "bad_response"],
    ] as const) {
      expect([status, code, isRefusal(failure(status, code))]).toEqual([status, code, false]);
    }
    expect(isRefusal(new Error("boom"))).toBe(false);
  });
});

describe("serial runner", () => {
  test("runs one piece of work at a time, in order, busy meanwhile; a failure does not block the next", async () => {
    const serial = new SerialRunner();
    const log: string[] = [];
    const work = (name: string, ms: number, fail = false) => async () => {
      log.push(`${name} start`);
      await Bun.sleep(ms);
      log.push(`${name} end`);
      if (fail) throw new Error(name);
      return name;
    };
    expect(serial.busy).toBe(false);
    const a = serial.run(work("a", 20, true));
    const b = serial.run(work("b", 5));
    expect(serial.busy).toBe(true);
    expect(await a.catch((e: Error) => e.message)).toBe("a");
    expect(await b).toBe("b");
    expect(log).toEqual(["a start", "a end", "b start", "b end"]);
    expect(serial.busy).toBe(false);
  });
});
