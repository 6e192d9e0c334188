/**
 * scripts/backup → change the data → scripts/restore gives back exactly the backed-up rows and
 * sequences, on the embedded database (backed up through the running appliance's wire server from
 * another process) and on the machine's PostgreSQL (pg_dump / pg_restore).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import postgres, { type Sql } from "postgres";
import { loadConfig } from "../../src/config.ts";
import { openApplianceDatabase, type ApplianceDatabase } from "../../src/runtime/database.ts";
import { freshPostgresDatabase, tempDir } from "../support/env.ts";

const root = join(import.meta.dir, "../..");
const work = tempDir("catalyst-backup-");
afterAll(() => work.remove());

// The scripts call the catalyst command; from the source tree here (the binary's is the same code).
const catalystBin = join(work.path, "catalyst");
writeFileSync(catalystBin, `#!/bin/sh\nexec ${process.execPath} ${join(root, "src/cli.ts")} "$@"\n`);
chmodSync(catalystBin, 0o755);

async function script(name: "backup" | "restore", arg: string | string[], envFile: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  // Async: the embedded database is served from this process while the script runs.
  const child = Bun.spawn([join(root, "scripts", name), ...[arg].flat()], {
    env: { PATH: process.env.PATH ?? "", HOME: work.path, CATALYST_ENV_FILE: envFile, CATALYST_BIN: catalystBin },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { exitCode, stdout, stderr };
}

/** Every row of every table and every sequence, as PostgreSQL prints them. */
async function fingerprint(sql: Sql): Promise<string[]> {
  const tables = await sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public' order by 1`;
  const out: string[] = [];
  for (const { name } of tables) {
    const rows = await sql.unsafe<{ row: string }[]>(`select row_to_json(t)::text as row from "${name}" t order by 1`);
    out.push(`${name}: ${rows.map((r) => r.row).join("\n")}`);
  }
  const sequences = await sql`select sequencename, last_value::text from pg_sequences where schemaname = 'public' order by 1`;
  return [...out, JSON.stringify(sequences)];
}

async function writeTradingData(sql: Sql, symbol: string, notional: string): Promise<void> {
  await sql`select get_or_create_security(${symbol})`;
  await sql`update securities set name = ${`${symbol} "Holdings" — ünïcode; it's`} where symbol = ${symbol}`;
  await sql`insert into risk_parameters (changed_by, change_reason, max_open_positions, max_position_notional, max_position_pct_equity,
    max_daily_loss, daily_loss_warn_pct, max_sector_exposure_pct, min_reward_risk, max_trades_per_day, risk_per_trade_pct, effective_from)
    values ('test', 'backup round trip', 3, ${notional}, 12.34, 1999.99, 75, 40, 1.75, 7, 0.85, clock_timestamp())`;
}

const cases: { name: string; open(): Promise<{ database: ApplianceDatabase; envLines: string; reopen(): Promise<ApplianceDatabase>; cleanup(): Promise<void> }> }[] = [
  {
    name: "embedded",
    async open() {
      const dataDir = join(work.path, "embedded-data");
      const config = loadConfig({ CATALYST_DATA_DIR: dataDir, HOME: work.path });
      return { database: await openApplianceDatabase(config), envLines: `CATALYST_DATA_DIR=${dataDir}\n`, reopen: () => openApplianceDatabase(config), cleanup: async () => undefined };
    },
  },
  {
    name: "postgres",
    async open() {
      const db = await freshPostgresDatabase();
      const config = loadConfig({ DATABASE_URL: db.url, HOME: work.path, CATALYST_DATA_DIR: join(work.path, "pg-data") });
      return { database: await openApplianceDatabase(config), envLines: `DATABASE_URL=${db.url}\n`, reopen: () => openApplianceDatabase(config), cleanup: db.drop };
    },
  },
];

for (const { name, open } of cases) describe(`backup → restore on ${name}`, () => {
  test("the restored database holds exactly the backed-up rows and sequences", async () => {
    const { database, envLines, reopen, cleanup } = await open();
    const envFile = join(work.path, `${name}.env`);
    writeFileSync(envFile, `# as /etc/catalyst/catalyst.env\n${envLines}`);
    let sql = postgres(database.url, { max: 1, onnotice: () => undefined });
    let reopened: ApplianceDatabase | undefined;
    try {
      await writeTradingData(sql, "ACME", "12345.67");
      const before = await fingerprint(sql);

      // Backed up while the database is open and served (the appliance running).
      const backup = await script("backup", join(work.path, `${name}-backups`), envFile);
      expect(backup.stderr).toBe("");
      expect(backup.exitCode).toBe(0);
      const file = backup.stdout.trim();
      expect(file).toMatch(name === "embedded" ? /catalyst-\d{8}T\d{6}Z\.catalyst-dump\.gz$/ : /catalyst-\d{8}T\d{6}Z\.pgdump$/);

      await writeTradingData(sql, "BETA", "99.01");
      await sql`delete from securities where symbol = 'ACME'`;
      expect(await fingerprint(sql)).not.toEqual(before);
      await sql.end();
      await database.close();

      const restore = await script("restore", file, envFile);
      expect(restore.stderr).toBe("");
      expect(restore.exitCode).toBe(0);

      reopened = await reopen();
      sql = postgres(reopened.url, { max: 1, onnotice: () => undefined });
      expect(await fingerprint(sql)).toEqual(before);
      // Identities continue after the restored rows.
      const [acme] = await sql<{ security_id: string }[]>`select security_id from securities where symbol = 'ACME'`;
      const [next] = await sql<{ id: string }[]>`select get_or_create_security('GAMMA')::text as id`;
      expect(BigInt(next!.id)).toBe(BigInt(acme!.security_id) + 1n);
    } finally {
      await sql.end();
      await reopened?.close();
      await database.close();
      await cleanup();
    }
  }, 60_000);
});

test("restore into the embedded database is refused while the appliance holds it", async () => {
  const dataDir = join(work.path, "busy-data");
  const config = loadConfig({ CATALYST_DATA_DIR: dataDir, HOME: work.path });
  const database = await openApplianceDatabase(config);
  const envFile = join(work.path, "busy.env");
  writeFileSync(envFile, `CATALYST_DATA_DIR=${dataDir}\n`);
  try {
    const backup = await script("backup", join(work.path, "busy-backups"), envFile);
    expect(backup.exitCode).toBe(0);
    const restore = await script("restore", backup.stdout.trim(), envFile);
    expect(restore.exitCode).toBe(1);
    expect(restore.stderr).toContain(`is in use by process ${process.pid}`);
  } finally {
    await database.close();
  }
}, 60_000);

test("backup keeps the newest N of its own files and touches nothing else; a bad --keep writes nothing", async () => {
  const db = await freshPostgresDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, HOME: work.path, CATALYST_DATA_DIR: join(work.path, "rotate-data") });
  const database = await openApplianceDatabase(config);
  const envFile = join(work.path, "rotate.env");
  writeFileSync(envFile, `DATABASE_URL=${db.url}\n`);
  const dir = join(work.path, "rotate-backups");
  mkdirSync(dir, { mode: 0o755 });
  const older = ["catalyst-20260101T000000Z.pgdump", "catalyst-20260102T000000Z.catalyst-dump.gz", "catalyst-20260103T000000Z.pgdump"];
  const notOurs = ["catalyst-20250101T000000Z.pgdump.partial", "notes.txt", "catalyst-manual.pgdump"];
  for (const name of [...older, ...notOurs]) writeFileSync(join(dir, name), "x");
  try {
    const refused = await script("backup", [dir, "--keep", "0"], envFile);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("--keep must be a whole number");
    expect(readdirSync(dir).sort()).toEqual([...older, ...notOurs].sort());

    const kept = await script("backup", [dir, "--keep", "2"], envFile);
    expect(kept.exitCode).toBe(0);
    const file = kept.stdout.trim();
    expect(file).toMatch(/catalyst-\d{8}T\d{6}Z\.pgdump$/);
    expect(kept.stderr).toContain("deleted old backup");
    expect(readdirSync(dir).sort()).toEqual([file.split("/").pop()!, older[2]!, ...notOurs].sort());
    // A directory it is given keeps its owner and mode (it could be /tmp or /root).
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  } finally {
    await database.close();
    await db.drop();
  }
}, 60_000);
