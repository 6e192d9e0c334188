import { PGlite } from "@electric-sql/pglite";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePgImage } from "./pg-image.ts";
import { pgliteAssetOptions } from "./pglite-assets.ts";
import { startWireServer } from "./wire-server.ts";

export interface EmbeddedDatabase {
  /** For inspection only while serving: a query here is not kept out of a wire client's open transaction. */
  db: PGlite;
  /** postgres:// URL of the wire server in front of `db`. */
  url: string;
  close(): Promise<void>;
}

/**
 * shared_buffers is PostgreSQL's default 128MB otherwise, all of it touched at start: 16MB cuts the
 * reopened PGlite from ~270 to ~150 MB RSS, and the appliance's data set is far smaller.
 */
const START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

/** Lock files this process holds, so a restarted process that got the same pid can take its own stale lock. */
const heldLocks = new Set<string>();

/** Opens (first time: creates from the image) the PGlite cluster in `<dataDir>/pg` and serves it on loopback. */
export async function openEmbeddedDatabase(opts: { dataDir: string }): Promise<EmbeddedDatabase> {
  mkdirSync(opts.dataDir, { recursive: true });
  const releaseLock = lockDataDir(opts.dataDir);
  let db: PGlite | undefined;
  try {
    db = await openPglite(opts.dataDir);
    const server = await startWireServer(db);
    // For `catalyst backup` while the appliance runs: the data dir is ours (0700), so is the file.
    writeFileSync(urlFile(opts.dataDir), `${server.url}\n`, { mode: 0o600 });
    const opened = db;
    let closing: Promise<void> | undefined;
    const close = async () => {
      try {
        rmSync(urlFile(opts.dataDir), { force: true });
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

/**
 * The wire server URL of the process that holds this data dir's lock, or null if none is alive
 * (then the caller may open the data dir itself).
 */
export function runningEmbeddedUrl(dataDir: string): string | null {
  const holder = readLockPid(join(dataDir, "catalyst.lock"));
  if (holder === null || holder === process.pid || !isAlive(holder)) return null;
  try {
    return readFileSync(urlFile(dataDir), "utf8").trim() || null;
  } catch {
    return null;
  }
}

const urlFile = (dataDir: string) => join(dataDir, "pg.url");

async function openPglite(dataDir: string): Promise<PGlite> {
  const pgDir = join(dataDir, "pg");
  // Present while an image is being unpacked: if we died mid-way, the half-written cluster is ours to discard.
  const loadingMarker = join(dataDir, "pg.loading");
  if (existsSync(loadingMarker)) rmSync(pgDir, { recursive: true, force: true });
  const isNew = !existsSync(join(pgDir, "PG_VERSION"));
  if (isNew) writeFileSync(loadingMarker, "");
  const db = await PGlite.create({
    dataDir: pgDir,
    startParams: START_PARAMS,
    ...(isNew ? { loadDataDir: await ensurePgImage() } : {}),
    ...(await pgliteAssetOptions()),
  });
  if (isNew) rmSync(loadingMarker);
  return db;
}

/** Takes `<dataDir>/catalyst.lock` (O_EXCL, holding our pid); a lock whose process is dead is taken over. */
function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, "catalyst.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: "wx" });
      heldLocks.add(lockPath);
      return () => releaseLock(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readLockPid(lockPath);
    const isOurOwnStaleLock = holder === process.pid && !heldLocks.has(lockPath);
    if (holder !== null && isAlive(holder) && !isOurOwnStaleLock) {
      throw new Error(
        `The catalyst data dir ${dataDir} is in use by process ${holder} (lock file ${lockPath}). ` +
          `Stop the other catalyst, or set CATALYST_DATA_DIR to another directory.`,
      );
    }
    rmSync(lockPath, { force: true });
  }
  throw new Error(`Could not take the lock ${lockPath}: another process keeps replacing it.`);
}

function releaseLock(lockPath: string): void {
  if (!heldLocks.delete(lockPath)) return;
  if (readLockPid(lockPath) === process.pid) rmSync(lockPath, { force: true });
}

function readLockPid(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
