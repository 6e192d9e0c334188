/**
 * A logical dump of Catalyst's data that works the same on PostgreSQL and on the embedded PGlite
 * (whose PostgreSQL 18 no Debian pg_dump can read). The schema is not dumped: it is the sql/
 * migrations, whose versions the dump records. Format: gzip'd JSON lines: a header, then per table
 * `{"table","rows"}` and that many rows as PostgreSQL's own row_to_json text (never parsed here, so
 * NUMERIC keeps every digit), then the sequences.
 */
import { rename } from "node:fs/promises";
import type { Sql, TransactionSql } from "postgres";
import { COMMIT, VERSION } from "../../version.ts";
import { loadMigrations, migrate, type Migration } from "./migrations.ts";

const FORMAT = "catalyst-dump";
const FORMAT_VERSION = 1;
const ROWS_PER_BATCH = 500;

interface DumpHeader {
  format: typeof FORMAT;
  formatVersion: number;
  catalyst: string;
  createdAt: string;
  /** "NNN_name" of every migration applied to the dumped database. */
  migrations: string[];
}

interface SequenceValue {
  name: string;
  value: string;
  isCalled: boolean;
}

export interface DumpSummary {
  tables: number;
  rows: number;
}

const migrationLabel = (m: { version: number; name: string }) => `${String(m.version).padStart(3, "0")}_${m.name}`;

/** Writes every table in one repeatable-read snapshot, so the dump is consistent while services write. */
export async function dumpDatabase(sql: Sql, path: string): Promise<DumpSummary> {
  const lines: string[] = [];
  let rows = 0;
  const tables = await sql.begin("isolation level repeatable read read only", async (tx) => {
    const migrations = await tx<{ version: number; name: string }[]>`select version, name from schema_migrations order by version`;
    const header: DumpHeader = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      catalyst: `${VERSION} (commit ${COMMIT})`,
      createdAt: new Date().toISOString(),
      migrations: migrations.map(migrationLabel),
    };
    lines.push(JSON.stringify(header));
    const tables = await catalystTables(tx);
    for (const table of tables) {
      const data = await tx.unsafe<{ row: string }[]>(`select row_to_json(t)::text as row from ${quoteIdent(table)} t`);
      lines.push(JSON.stringify({ table, rows: data.length }), ...data.map((d) => d.row));
      rows += data.length;
    }
    const sequences = await tx<{ name: string; value: string | null }[]>`
      select sequencename as name, last_value::text as value from pg_sequences where schemaname = 'public' order by 1`;
    const values: SequenceValue[] = sequences.map((s) => ({ name: s.name, value: s.value ?? "1", isCalled: s.value !== null }));
    lines.push(JSON.stringify({ sequences: values }));
    return tables.length;
  });
  const partial = `${path}.partial`;
  await Bun.write(partial, Bun.gzipSync(new TextEncoder().encode(`${lines.join("\n")}\n`)));
  await rename(partial, path);
  return { tables, rows };
}

/**
 * Replaces every table's rows with the dump's, in one transaction. An empty database is first
 * migrated to the dump's schema; afterwards the remaining migrations of this release run. Nothing
 * else may write meanwhile (stop the appliance; the embedded database's lock enforces it there).
 */
export async function restoreDatabase(sql: Sql, path: string, release: Migration[] = loadMigrations()): Promise<DumpSummary> {
  const lines = new TextDecoder().decode(Bun.gunzipSync(await Bun.file(path).bytes())).split("\n");
  if (lines.at(-1) === "") lines.pop();
  const header = JSON.parse(lines[0] ?? "null") as DumpHeader | null;
  if (header?.format !== FORMAT || header.formatVersion !== FORMAT_VERSION) throw new Error(`${path} is not a catalyst dump (catalyst backup writes them)`);
  const known = release.map(migrationLabel);
  const unknown = header.migrations.find((label, i) => known[i] !== label);
  if (unknown) throw new Error(`the dump needs migration ${unknown}, which this catalyst (${VERSION}) does not have: restore with the release that made it (${header.catalyst})`);
  await migrate(sql, release.slice(0, header.migrations.length));
  const [counted] = await sql<{ applied: number }[]>`select count(*)::int as applied from schema_migrations`;
  const applied = counted!.applied;
  if (applied !== header.migrations.length) {
    throw new Error(`the database is at migration ${applied}, the dump at ${header.migrations.length}: restore into a database at the dump's schema or an empty one`);
  }
  let rows = 0;
  let tables = 0;
  await sql.begin(async (tx) => {
    // Foreign keys form cycles (orders ↔ positions) and triggers guard appends: the rows were
    // consistent when dumped, so load them as a replica does, with neither firing. Needs a superuser.
    await tx`set local session_replication_role = replica`;
    const present = await catalystTables(tx);
    if (present.length > 0) await tx.unsafe(`truncate ${present.map(quoteIdent).join(", ")} restart identity`);
    let at = 1;
    while (at < lines.length) {
      const entry = JSON.parse(lines[at]!) as { table: string; rows: number } | { sequences: SequenceValue[] };
      at++;
      if ("sequences" in entry) {
        for (const s of entry.sequences) await tx`select setval(${quoteIdent(s.name)}, ${s.value}::bigint, ${s.isCalled})`;
        continue;
      }
      if (!present.includes(entry.table)) throw new Error(`the dump has table ${entry.table}, which the database does not`);
      const columns = (await insertableColumns(tx, entry.table)).map(quoteIdent).join(", ");
      for (let start = 0; start < entry.rows; start += ROWS_PER_BATCH) {
        const batch = lines.slice(at + start, at + Math.min(entry.rows, start + ROWS_PER_BATCH));
        // Bound as text: a parameter typed json would be JSON-encoded again by postgres.js.
        await tx.unsafe(
          `insert into ${quoteIdent(entry.table)} (${columns}) overriding system value
           select ${columns} from json_populate_recordset(null::${quoteIdent(entry.table)}, $1::text::json)`,
          [`[${batch.join(",")}]`],
        );
      }
      at += entry.rows;
      rows += entry.rows;
      tables++;
    }
  });
  await migrate(sql, release);
  return { tables, rows };
}

/** Catalyst's tables: everything in public but the migration record. */
async function catalystTables(sql: Sql | TransactionSql): Promise<string[]> {
  const tables = await sql<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and c.relname <> 'schema_migrations' order by 1`;
  return tables.map((t) => t.name);
}

/** Columns an INSERT may set: not dropped, not generated from others. */
async function insertableColumns(sql: Sql | TransactionSql, table: string): Promise<string[]> {
  const columns = await sql<{ name: string }[]>`
    select attname as name from pg_attribute
    where attrelid = ${quoteIdent(table)}::regclass and attnum > 0 and not attisdropped and attgenerated = ''
    order by attnum`;
  return columns.map((c) => c.name);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
