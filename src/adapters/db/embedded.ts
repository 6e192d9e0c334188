import { PGlite } from "@electric-sql/pglite";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { embeddedDatabaseSecret, lockDataDir, publishUrl } from "./data-dir.ts";
import { DurableNodeFS, fsyncPath, fsyncTree } from "./durable-fs.ts";
import { unpackPgImage } from "./pg-image.ts";
import { pgliteAssetOptions } from "./pglite-assets.ts";
import { startWireServer } from "./wire-server.ts";

export interface EmbeddedDatabase {
  /** For inspection only while serving: a query here is not kept out of a wire client's open transaction. */
  db: PGlite;
  /** postgres:// URL of the wire server in front of `db`, with its password: never log it. */
  url: string;
  close(): Promise<void>;
}

/**
 * PGlite's defaults minus `-F` (fsync off): a commit is acknowledged once its WAL is on disk.
 * wal_sync_method=fsync because fdatasync() is a no-op in PGlite's Emscripten runtime, while fsync()
 * reaches the OS through DurableNodeFS (see durable-fs.ts). synchronous_commit stays on.
 * shared_buffers is PostgreSQL's default 128MB otherwise, all of it touched at start: 16MB cuts the
 * reopened PGlite from ~270 to ~150 MB RSS, and the appliance's data set is far smaller.
 */
export function embeddedStartParams(opts: { fsync?: boolean } = {}): string[] {
  const fsync = opts.fsync ?? true;
  return [
    ...PGlite.defaultStartParams.filter((param) => param !== "-F"),
    "-c", `fsync=${fsync ? "on" : "off"}`,
    "-c", "wal_sync_method=fsync",
    "-c", "synchronous_commit=on",
    "-c", "shared_buffers=16MB",
  ];
}

/**
 * Opens (first time: creates from the image) the PGlite cluster in `<dataDir>/pg` and serves it on
 * loopback behind the data dir's password, publishing the wire server's URL (password included,
 * owner-only) in the data dir for CLI commands run beside it.
 */
export async function openEmbeddedDatabase(opts: {
  dataDir: string;
  /** Off only to measure what durability costs (bench/orders.ts); the appliance always syncs. */
  fsync?: boolean;
}): Promise<EmbeddedDatabase> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const releaseLock = lockDataDir(opts.dataDir);
  let db: PGlite | undefined;
  try {
    db = await openPglite(opts.dataDir, opts.fsync ?? true);
    const server = await startWireServer(db, { password: embeddedDatabaseSecret(opts.dataDir) });
    let unpublish: () => void;
    try {
      unpublish = publishUrl(opts.dataDir, server.url);
    } catch (error) {
      await server.close();
      throw error;
    }
    const opened = db;
    let closing: Promise<void> | undefined;
    const close = async () => {
      try {
        unpublish();
        await server.close();
        await opened.close();
      } finally {
        releaseLock();
      }
    };
    return { db, url: server.url, close: () => (closing ??= close()) };
  } catch (error) {
    await db?.close().catch(() => undefined);
    releaseLock();
    throw error;
  }
}

async function openPglite(dataDir: string, fsync: boolean): Promise<PGlite> {
  const pgDir = join(dataDir, "pg");
  // Present while an image is being unpacked: if we died mid-way, the half-written cluster is ours to discard.
  const loadingMarker = join(dataDir, "pg.loading");
  if (existsSync(loadingMarker)) rmSync(pgDir, { recursive: true, force: true });
  const isNew = !existsSync(join(pgDir, "PG_VERSION"));
  if (isNew) {
    writeFileSync(loadingMarker, "");
    if (fsync) fsyncPath(dataDir);
    await unpackPgImage(pgDir);
  }
  const db = await PGlite.create({
    fs: new DurableNodeFS(pgDir),
    startParams: embeddedStartParams({ fsync }),
    ...(await pgliteAssetOptions()),
  });
  if (isNew) {
    // The unpacked image was written around PostgreSQL, which never syncs it: do so before the
    // marker goes, or a power cut could leave a cluster that looks whole and is not.
    if (fsync) fsyncTree(pgDir);
    rmSync(loadingMarker);
    if (fsync) fsyncPath(dataDir);
  }
  return db;
}
