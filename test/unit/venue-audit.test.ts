import { expect, test } from "bun:test";
import { AuditLog } from "../../src/services/venue/audit.ts";

const request = (path: string) => ({ at: "", simTime: "", method: "GET", path, query: "", status: 200, caller: "test", keyId: null, body: null, fault: null, durationMs: 0 });

test("the audit keeps the newest `capacity` requests; sequence numbers go on past what it dropped", () => {
  const audit = new AuditLog(3);
  for (let i = 1; i <= 5; i++) audit.record(request(`/r${i}`));
  expect(audit.lastSeq).toBe(5);
  expect(audit.query({ limit: 10 }).map((e) => [e.seq, e.path])).toEqual([
    [3, "/r3"],
    [4, "/r4"],
    [5, "/r5"],
  ]);
  expect(audit.query({ afterSeq: 4, limit: 10 }).map((e) => e.seq)).toEqual([5]);
});

test("by default it is bounded at 20,000 requests", () => {
  const audit = new AuditLog();
  for (let i = 0; i < 20_005; i++) audit.record(request("/v2/clock"));
  const kept = audit.query({ limit: 30_000 });
  expect(kept).toHaveLength(20_000);
  expect(kept[0]!.seq).toBe(6);
});
