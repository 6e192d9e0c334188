/**
 * `catalyst demo` from the built binary: one whole simulated day (2026-03-10, aggressive, the
 * market at 600×) end to end, on its own embedded appliance. It must exit 0 and print a summary
 * whose P&L is the venue account's change, to the cent; it must ignore the configured database
 * and bus (a rehearsal never reaches anything real).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { addDecimal, compareDecimal } from "../../src/domain/money.ts";
import { releaseBinary } from "../support/binary.ts";
import { tempDir } from "../support/env.ts";

const work = tempDir("catalyst-demo-");
let binary: string;

beforeAll(() => {
  binary = releaseBinary();
}, 120_000);

afterAll(() => work.remove());

test("`catalyst demo --speed 600` runs a whole day and its summary's P&L equals the venue account's change", async () => {
  const dataDir = join(work.path, "demo-data");
  const child = Bun.spawn([binary, "demo", "--date", "2026-03-10", "--speed", "600", "--data-dir", dataDir], {
    cwd: work.path,
    // Were these used, the demo would fail: nothing listens there.
    env: { PATH: process.env.PATH ?? "", HOME: work.path, DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", REDIS_URL: "redis://127.0.0.1:1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });

  const pnl = /^P&L: (-?\d+\.\d\d) realized, (-?\d+\.\d\d) unrealized$/m.exec(stdout);
  const venue = /^venue account: (\d+\.\d\d) → (\d+\.\d\d) \(change (-?\d+\.\d\d)\) — equals the reported P&L$/m.exec(stdout);
  const trades = /^trades: (\d+) \((\d+) won, (\d+) lost\)$/m.exec(stdout);
  expect(pnl).not.toBeNull();
  expect(venue).not.toBeNull();
  expect(trades).not.toBeNull();
  expect(compareDecimal(addDecimal(pnl![1]!, pnl![2]!), venue![3]!)).toBe(0);
  expect(pnl![2]).toBe("0.00"); // flat after the flatten
  expect(stdout).toMatch(/^day 2026-03-10: cycle closed, \d+ scans, \d+ entries$/m);
  expect(Number(trades![1])).toBeGreaterThanOrEqual(1);

  // The report page was saved in the data dir given, and tells the day's trades.
  const report = join(dataDir, "catalyst-demo-2026-03-10.html");
  expect(stdout).toContain(`report page: ${report}`);
  expect(existsSync(report)).toBe(true);
  const page = readFileSync(report, "utf8");
  expect(page).toContain("By scan score");
  expect(page).toContain(`${trades![1]} (${trades![2]}/${trades![3]})`);
  console.log(stdout.split("\n").filter((line) => !line.startsWith("  ")).join("\n"));
}, 300_000);

test("a day the exchange is closed is refused naming the trading days around it (exit 2); so is a data dir already in use (exit 1)", () => {
  const demo = (...args: string[]) => Bun.spawnSync([binary, "demo", ...args], { cwd: work.path, env: { PATH: process.env.PATH ?? "", HOME: work.path }, stdout: "pipe", stderr: "pipe" });
  const closed = demo("--date", "2026-03-08");
  expect(closed.exitCode).toBe(2);
  expect(closed.stderr.toString()).toContain("--date 2026-03-08 is not a trading day (weekend or exchange holiday): try 2026-03-06 or 2026-03-09");
  // The first test's folder holds its day: a second day there would mix with it.
  const used = demo("--data-dir", join(work.path, "demo-data"));
  expect(used.exitCode).toBe(1);
  expect(used.stderr.toString()).toBe(`catalyst: --data-dir ${join(work.path, "demo-data")} is not empty: give a new or empty folder (a demo starts from nothing)\n`);
});
