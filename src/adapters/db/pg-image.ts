import { PGlite } from "@electric-sql/pglite";
import { mkdir, rename, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pgliteAssetOptions, registeredPgImage } from "./pglite-assets.ts";
import { createLogger } from "../../runtime/log.ts";

// The "image" is a gzipped tarball of an initialised PGDATA. Unpacking it into an empty data dir
// takes ~0.4 s, against ~6 s and ~1 GB RSS for PGlite's initdb, so a first start never runs initdb.

const REPO_DIR = join(import.meta.dir, "..", "..", "..");

/**
 * The pre-initialised cluster image (a gzipped tar): the one registered by the compiled binary,
 * else the cached one under node_modules/.cache, else a freshly built one (which is then cached).
 */
export async function ensurePgImage(): Promise<Blob> {
  const registered = registeredPgImage();
  if (registered) return registered;

  const cachePath = await pgImageCachePath();
  const cached = Bun.file(cachePath);
  if (await cached.exists()) return cached;

  const image = await buildPgImage();
  try {
    await writeAtomically(cachePath, image);
  } catch (error) {
    createLogger("embedded-db", "warn").warn("could not cache the PostgreSQL image", { path: cachePath, error: String(error) });
  }
  return image;
}

/**
 * Unpacks the image into `pgDir` natively. PGlite's own loader (`loadDataDir`) gunzips in
 * JavaScript and writes each of its ~1,000 files through the WebAssembly file system: ~1 s more
 * on every first start.
 */
export async function unpackPgImage(pgDir: string): Promise<void> {
  await new Bun.Archive(await (await ensurePgImage()).bytes()).extract(pgDir);
}

/** Runs initdb once in memory and dumps the resulting PGDATA. */
export async function buildPgImage(): Promise<Blob> {
  const db = await PGlite.create({ ...(await pgliteAssetOptions()) });
  try {
    return await db.dumpDataDir("gzip");
  } finally {
    await db.close();
  }
}

/** Keyed by PGlite version: an image is only valid for the PostgreSQL build that made it. */
async function pgImageCachePath(): Promise<string> {
  const entry = Bun.resolveSync("@electric-sql/pglite", REPO_DIR);
  const manifest = (await Bun.file(join(dirname(entry), "..", "package.json")).json()) as { version: string };
  return join(REPO_DIR, "node_modules", ".cache", "catalyst", `pgimage-${manifest.version}.tar.gz`);
}

/** tmp + rename, so concurrent processes never see (or leave) a half-written image. */
async function writeAtomically(path: string, content: Blob): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${crypto.randomUUID()}.tmp`;
  try {
    await Bun.write(tmp, content);
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}
