import { expect, test } from "bun:test";
import { logLine } from "../../src/runtime/log.ts";

test("a log line is one JSON object; for journald it leads with the level's syslog priority", () => {
  const entry = { level: "warn" as const, service: "risk", msg: "daily loss warning" };
  expect(logLine(entry, false)).toBe(`${JSON.stringify(entry)}\n`);
  expect(logLine(entry, true)).toBe(`<4>${JSON.stringify(entry)}\n`);
  expect(["debug", "info", "warn", "error"].map((level) => logLine({ level: level as "info" }, true).slice(0, 3))).toEqual(["<7>", "<6>", "<4>", "<3>"]);
});
