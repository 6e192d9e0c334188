// Does a commit on the embedded database reach the disk? Run under strace:
//   strace -f -e trace=fsync,fdatasync -o /tmp/trace bun bench/fsync-probe.ts [on|off]
// It opens a fresh data dir, commits 5 single-row inserts between two markers written to stderr,
// and prints how many fsync(2) calls DurableNodeFS made for those commits.
import { mkdtempSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fsyncCounter } from "../src/adapters/db/durable-fs.ts";
import { openEmbeddedDatabase } from "../src/adapters/db/embedded.ts";

const fsync = (process.argv[2] ?? "on") !== "off";
const dataDir = mkdtempSync(join(tmpdir(), "catalyst-fsync-probe-"));
const embedded = await openEmbeddedDatabase({ dataDir, fsync });
try {
  const db = embedded.db;
  for (const name of ["fsync", "wal_sync_method", "synchronous_commit"]) {
    const row = (await db.query<Record<string, string>>(`SHOW ${name}`)).rows[0]!;
    writeSync(2, `${name}=${row[name]}\n`);
  }
  await db.exec("CREATE TABLE probe (x int)");
  const before = fsyncCounter.calls;
  writeSync(2, "PROBE-BEGIN\n");
  for (let i = 0; i < 5; i++) await db.query("INSERT INTO probe VALUES ($1)", [i]);
  writeSync(2, "PROBE-END\n");
  writeSync(2, `fsync(2) calls for 5 commits: ${fsyncCounter.calls - before}\n`);
} finally {
  await embedded.close();
  rmSync(dataDir, { recursive: true, force: true });
}
