import { expect, test } from "bun:test";
import { parseActivityLog } from "../../src/cli/activity.ts";
import { WATCHDOG_GUIDE } from "../../src/cli/watchdog-guide.ts";
import { parseDoctorArgs } from "../../src/doctor/command.ts";
import { DECISIONS } from "../../src/doctor/activity.ts";
import { CHECK_NAMES } from "../../src/domain/doctor/types.ts";

/** The guide's example command lines, split as a shell would (double quotes only). */
function commands(prefix: string): string[][] {
  return WATCHDOG_GUIDE.split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith(prefix))
    .map((line) => [...line.slice("catalyst ".length).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!));
}

test("every activity log line the guide shows is one the CLI accepts, and together they use the loop's decisions", () => {
  const logs = commands("catalyst activity log ");
  expect(logs.length).toBeGreaterThanOrEqual(4);
  const entries = logs.map(([, , ...args]) => parseActivityLog(args));
  expect(entries.every((e) => e.sessionId === "S1" && e.metadata?.who === "claude_code")).toBe(true);
  expect(new Set(entries.map((e) => e.decision))).toEqual(new Set(["monitor", "no_action", "auto_fix", "escalate"]));
});

test("every doctor line the guide shows parses, and every check it names exists", () => {
  const doctors = commands("catalyst doctor ");
  expect(doctors.length).toBeGreaterThanOrEqual(2);
  for (const [, ...args] of doctors) expect(typeof parseDoctorArgs(args)).not.toBe("string");
  const named = [...WATCHDOG_GUIDE.matchAll(/\b([a-z]+_[a-z_]+)\b/g)].map((m) => m[1]!).filter((word) => word.endsWith("_positions") || word.endsWith("_orders"));
  for (const check of named) expect(CHECK_NAMES).toContain(check as (typeof CHECK_NAMES)[number]);
  for (const decision of DECISIONS) expect(WATCHDOG_GUIDE).toContain(decision);
});
