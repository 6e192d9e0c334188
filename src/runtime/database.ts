/** The database the appliance uses: DATABASE_URL, or the embedded PostgreSQL in the data dir. */
import { connectDatabase } from "../adapters/db/client.ts";
import { migrate, type MigrationResult } from "../adapters/db/migrations.ts";
import type { Config } from "../config.ts";

export interface ApplianceDatabase {
  url: string;
  embedded: boolean;
  migrations: MigrationResult;
  /** The embedded PostgreSQL's WebAssembly memory (0 on DATABASE_URL): it only grows, never shrinks. */
  embeddedMemoryBytes(): number;
  close(): Promise<void>;
}

/** Opens (or starts) the database and brings its schema up to date before any service runs. */
export async function openApplianceDatabase(config: Config): Promise<ApplianceDatabase> {
  // Loaded only when used: with DATABASE_URL set, PGlite never enters memory.
  const embedded = config.databaseUrl
    ? null
    : await (await import("../adapters/db/embedded.ts")).openEmbeddedDatabase({ dataDir: config.dataDir });
  const url = config.databaseUrl ?? embedded!.url;
  const sql = connectDatabase(url, { max: 1, application: "catalyst-migrate", timeouts: config.databaseTimeouts });
  let migrations: MigrationResult;
  try {
    migrations = await migrate(sql);
  } catch (error) {
    await sql.end({ timeout: 5 });
    await embedded?.close();
    throw error;
  }
  await sql.end({ timeout: 5 });
  const embeddedMemoryBytes = () => embedded?.db.Module.HEAPU8.byteLength ?? 0;
  return { url, embedded: embedded !== null, migrations, embeddedMemoryBytes, close: async () => embedded?.close() };
}
