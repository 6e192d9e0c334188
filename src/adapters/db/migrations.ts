/**
 * Numbered migrations from sql/: applied in order, each in its own transaction, recorded with a
 * checksum so an edited, already-applied file is refused instead of silently diverging.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Sql } from "postgres";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** Set by the compiled binary, which carries the sql/ files inside it. */
let embedded: Migration[] | null = null;

export function registerEmbeddedMigrations(files: Record<string, string>): void {
  embedded = parseMigrationFiles(files);
}

export function parseMigrationFiles(files: Record<string, string>): Migration[] {
  const migrations = Object.entries(files).map(([file, sql]) => {
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`sql/${file}: migration files are named NNN_name.sql`);
    return { version: Number(match[1]), name: match[2]!, sql };
  });
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`sql/: expected migration ${String(i + 1).padStart(3, "0")}, found ${m.version} (${m.name})`);
  });
  return migrations;
}

export const SQL_DIR = join(import.meta.dir, "../../../sql");

export function loadMigrations(dir: string = SQL_DIR): Migration[] {
  if (embedded) return embedded;
  const files = readdirSync(dir).filter((f) => f.endsWith(".sql"));
  return parseMigrationFiles(Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), "utf8")])));
}

function checksum(sql: string): string {
  return new Bun.CryptoHasher("sha256").update(sql).digest("hex");
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

// Any constant works; it only has to be the same in every process migrating this database.
const MIGRATION_LOCK = 7_240_001;

export async function migrate(sql: Sql, migrations: Migration[] = loadMigrations()): Promise<MigrationResult> {
  await sql.begin(async (tx) => {
    // Under the lock too: concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL.
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`;
  });
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const migration of migrations) {
    const label = `${String(migration.version).padStart(3, "0")}_${migration.name}`;
    const done = await sql.begin(async (tx) => {
      // Serialises concurrent migrators (two hosts starting at once); released at commit.
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
      const [row] = await tx<{ checksum: string }[]>`select checksum from schema_migrations where version = ${migration.version}`;
      if (row) {
        if (row.checksum !== checksum(migration.sql)) {
          throw new Error(`migration ${label} was changed after it was applied; add a new migration instead of editing it`);
        }
        return true;
      }
      await tx.unsafe(migration.sql);
      await tx`insert into schema_migrations (version, name, checksum) values (${migration.version}, ${migration.name}, ${checksum(migration.sql)})`;
      return false;
    });
    if (done) alreadyApplied++;
    else applied.push(label);
  }
  return { applied, alreadyApplied };
}
