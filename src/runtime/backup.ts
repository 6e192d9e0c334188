/**
 * `catalyst backup FILE` / `catalyst restore FILE`: the dump of src/adapters/db/dump.ts, from the
 * configured database. The embedded one is read through the running appliance's wire server when
 * it runs (one consistent snapshot, no downtime), else opened here; restore needs it stopped.
 */
import { resolve } from "node:path";
import type { Sql } from "postgres";
import { connectDatabase } from "../adapters/db/client.ts";
import { dumpDatabase, restoreDatabase, type DumpSummary } from "../adapters/db/dump.ts";
import type { Config } from "../config.ts";
import { withCliDatabase } from "./cli-database.ts";

export async function backupDatabase(config: Config, file: string): Promise<DumpSummary> {
  const path = resolve(file);
  return withCliDatabase(config, (sql) => dumpDatabase(sql, path));
}

export async function restoreDatabaseFrom(config: Config, file: string): Promise<DumpSummary> {
  const path = resolve(file);
  if (config.databaseUrl) return withConnection(config, config.databaseUrl, (sql) => restoreDatabase(sql, path));
  // Takes the data dir's lock: refused while the appliance runs.
  const { openEmbeddedDatabase } = await import("../adapters/db/embedded.ts");
  const embedded = await openEmbeddedDatabase({ dataDir: config.dataDir });
  try {
    return await withConnection(config, embedded.url, (sql) => restoreDatabase(sql, path));
  } finally {
    await embedded.close();
  }
}

async function withConnection<T>(config: Config, url: string, use: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = connectDatabase(url, { max: 1, application: "catalyst-backup", timeouts: config.databaseTimeouts });
  try {
    return await use(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
