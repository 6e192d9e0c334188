/**
 * `catalyst activity log|view` as a user runs them (a subprocess), and withCliDatabase under them,
 * on both backends: alone (the command opens the database itself) and beside a running serve
 * (the embedded database is reached through the serving process's wire server).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Sql } from "postgres";
import { loadConfig, type Config } from "../../src/config.ts";
import { withCliDatabase } from "../../src/runtime/cli-database.ts";
import { startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { cli } from "../support/cli.ts";
import { BACKENDS, tempDir } from "../support/env.ts";

function envOf(config: Config): Record<string, string> {
  return { CATALYST_DATA_DIR: config.dataDir, ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}) };
}

const LOG_ARGS = ["activity", "log", "--type", "manual_check", "--decision", "escalate", "--reason", "AAPL stop looks missing", "--entity", "position:3", "--issue-type", "missing_stop", "--severity", "critical", "--action", "alert_sent", "--result", "success", "--session", "s-1"];

describe("activity usage errors (exit 2, naming the option)", () => {
  const cases: [string[], string][] = [
    [["activity", "log", "--type", "nap", "--decision", "monitor", "--reason", "x"], "--type: must be one of sweep, manual_check"],
    [["activity", "log", "--type", "sweep", "--decision", "monitor"], "activity log needs --reason"],
    [["activity", "log", "--type", "sweep", "--decision", "panic", "--reason", "x"], "--decision: must be one of"],
    [["activity", "log", "--type", "sweep", "--decision", "monitor", "--reason", "x", "--result", "failed"], "--error: is required"],
    [["activity", "log", "--type", "sweep", "--decision", "monitor", "--reason", "x", "--issue-type", "Bad Type"], "--issue-type: must be snake_case"],
    [["activity", "view", "--since", "yesterday"], "--since must be a duration"],
    [["activity", "view", "--colour"], "unknown option for activity view: --colour"],
    [["activity", "dance"], "unknown activity command: dance"],
  ];
  for (const [args, message] of cases) test(JSON.stringify(args), async () => {
    const dir = tempDir();
    const result = await cli({ CATALYST_DATA_DIR: dir.path }, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`catalyst: ${message}`);
    // Refused before touching the database.
    expect(existsSync(join(dir.path, "pg"))).toBe(false);
    dir.remove();
  });
});

for (const backend of BACKENDS) {
  describe(`activity CLI on ${backend.name}, no serve running`, () => {
    let prepared: Awaited<ReturnType<(typeof backend)["prepare"]>>;
    let env: Record<string, string>;

    beforeAll(async () => {
      prepared = await backend.prepare();
      // A data dir that does not exist yet: the command creates it, owner-only.
      env = { ...prepared.env, CATALYST_DATA_DIR: join(prepared.env.CATALYST_DATA_DIR!, "new") };
    });
    afterAll(() => prepared?.cleanup());

    test("log then view: the entry (who: claude_code) and the views' JSON; the database is closed after each", async () => {
      const logged = await cli(env, ...LOG_ARGS);
      expect(logged.stderr).toBe("");
      expect(logged.code).toBe(0);
      expect(logged.stdout).toMatch(/^logged activity \d+\n$/);

      const viewed = await cli(env, "activity", "view", "--json");
      expect(viewed.code).toBe(0);
      const report = JSON.parse(viewed.stdout);
      expect(Object.keys(report).sort()).toEqual(["entries", "escalations", "failed", "pipeline", "recurring", "since", "summary"]);
      expect(report.entries).toEqual([
        expect.objectContaining({
          observation_type: "manual_check",
          decision: "escalate",
          decision_reasoning: "AAPL stop looks missing",
          entity: "position:3",
          issue_type: "missing_stop",
          issue_severity: "critical",
          action_type: "alert_sent",
          action_result: "success",
          session_id: "s-1",
          metadata: { who: "claude_code" },
        }),
      ]);
      expect(report.summary[0]).toMatchObject({ total_entries: "1", escalations: "1" });
      expect(report.recurring).toEqual([expect.objectContaining({ issue_type: "missing_stop", escalations: "1" })]);
      expect(report.escalations).toEqual([expect.objectContaining({ entity: "position:3", escalation_priority: "critical" })]);
      expect(report.failed).toEqual([]);

      const table = await cli(env, "activity", "view", "--since", "1h");
      expect(table.code).toBe(0);
      expect(table.stdout).toContain("1 entries, 0 sweeps, 1 escalations");
      expect(table.stdout).toMatch(/manual_check\s+escalate\s+alert_sent\s+success\s+missing_stop position:3\s+claude_code\s+AAPL stop looks missing/);
      expect((await cli(env, "activity", "view", "--since", new Date(Date.now() + 60_000).toISOString())).stdout).toContain("no entries since");

      if (backend.name !== "embedded") return;
      const dataDir = env.CATALYST_DATA_DIR!;
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(existsSync(join(dataDir, "catalyst.lock"))).toBe(false);
      expect(existsSync(join(dataDir, "embedded-db.url"))).toBe(false);
    }, 60_000);
  });

  describe(`activity CLI on ${backend.name}, beside a running serve`, () => {
    let t: TestAppliance;

    beforeAll(async () => {
      t = await startTestAppliance(backend, {}, ["reporting"]);
    }, 60_000);
    afterAll(() => t?.stop());

    test("the CLI writes into the serving appliance's database and reads it back", async () => {
      const logged = await cli(envOf(t.config), ...LOG_ARGS, "--who", "user");
      expect(logged.stderr).toBe("");
      expect(logged.code).toBe(0);
      const logId = Number(/logged activity (\d+)/.exec(logged.stdout)![1]);
      const [row] = await t.sql`select metadata, decision from claude_activity_log where log_id = ${logId}`;
      expect(row).toEqual({ metadata: { who: "user" }, decision: "escalate" });

      const viewed = await cli(envOf(t.config), "activity", "view", "--json");
      expect(viewed.code).toBe(0);
      expect(JSON.parse(viewed.stdout).entries.map((e: { log_id: number }) => e.log_id)).toEqual([logId]);
    }, 60_000);

    test("withCliDatabase reaches the same database in-process", async () => {
      const count = (sql: Sql) => sql<{ n: number }[]>`select count(*)::int as n from claude_activity_log`.then((rows) => rows[0]!.n);
      expect(await withCliDatabase(loadConfig(envOf(t.config)), count)).toBe(await count(t.sql));
    });

    if (backend.name === "embedded") {
      test("the serving process publishes its database URL owner-only", () => {
        const urlFile = join(t.config.dataDir, "embedded-db.url");
        expect(statSync(urlFile).mode & 0o777).toBe(0o600);
        expect(Bun.file(urlFile).size).toBeGreaterThan(0);
      });
    }
  });
}

describe("withCliDatabase refusals say what to do", () => {
  test("a data dir held by a live process that serves no database: try again or stop it", async () => {
    const dir = tempDir();
    const holder = Bun.spawn(["sleep", "60"]);
    try {
      await Bun.write(join(dir.path, "catalyst.lock"), `${holder.pid}\n`);
      const config = loadConfig({ CATALYST_DATA_DIR: dir.path });
      await expect(withCliDatabase(config, async () => 1)).rejects.toThrow(`in use by process ${holder.pid}, which has not published its database address`);
    } finally {
      holder.kill();
      await holder.exited;
      dir.remove();
    }
  });

  test("after the serve stops its URL is gone, and the CLI opens the database itself", async () => {
    const t = await startTestAppliance(BACKENDS[0]!, {}, ["reporting"]);
    const dataDir = t.config.dataDir;
    await t.appliance.stop();
    expect(existsSync(join(dataDir, "embedded-db.url"))).toBe(false);
    expect(await withCliDatabase(loadConfig({ CATALYST_DATA_DIR: dataDir }), async (sql) => (await sql`select 1 as one`)[0]!.one)).toBe(1);
    await t.stop();
  }, 60_000);

  test("PostgreSQL unreachable: one line naming DATABASE_URL's host, never its password (exit 1)", async () => {
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = listener.port;
    listener.stop(true);
    const dir = tempDir();
    const result = await cli({ CATALYST_DATA_DIR: dir.path, DATABASE_URL: `postgres://trader:pg-secret-pw@127.0.0.1:${port}/catalyst` }, "activity", "view");
    dir.remove();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`catalyst: cannot reach the PostgreSQL at DATABASE_URL (127.0.0.1:${port}/catalyst)`);
    expect(result.stderr).not.toContain("pg-secret-pw");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("a serving catalyst that stopped answering: named by data dir and address, never the embedded password", async () => {
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = listener.port;
    listener.stop(true);
    const dir = tempDir();
    const holder = Bun.spawn(["sleep", "60"]);
    try {
      await Bun.write(join(dir.path, "catalyst.lock"), `${holder.pid}\n`);
      await Bun.write(join(dir.path, "embedded-db.url"), `postgres://postgres:embedded-secret-pw@127.0.0.1:${port}/postgres\n`);
      const result = await cli({ CATALYST_DATA_DIR: dir.path }, "activity", "view");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot reach the embedded database of the catalyst serving ${dir.path} (127.0.0.1:${port})`);
      expect(result.stderr).not.toContain("embedded-secret-pw");
    } finally {
      holder.kill();
      await holder.exited;
      dir.remove();
    }
  });
});
