/**
 * Who owns a data dir: `<dataDir>/catalyst.lock` holds the pid of the one process that opens its
 * embedded database, and `<dataDir>/embedded-db.url` where that process serves it (password
 * included), so CLI commands run beside a `catalyst serve` reach the database through it. No
 * PGlite here: a CLI command talking to a running appliance never loads it.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StartupError } from "../../runtime/errors.ts";

/** In the data dir while a process serves its database: the wire server's postgres:// URL. */
const URL_FILE = "embedded-db.url";
/** The embedded database's password (owner-only), generated on first open. */
const SECRET_FILE = "embedded-db.secret";

/** Lock files this process holds, so a restarted process that got the same pid can take its own stale lock. */
const heldLocks = new Set<string>();

/**
 * The wire-server URL of the catalyst that holds `dataDir` (its database can only be reached
 * through it), or null when no live process holds it and the caller may open the database itself.
 */
export function servingDatabaseUrl(dataDir: string): string | null {
  const lockPath = join(dataDir, "catalyst.lock");
  const holder = readLockPid(lockPath);
  const isOurOwnStaleLock = holder === process.pid && !heldLocks.has(lockPath);
  if (holder === null || !isAlive(holder) || isOurOwnStaleLock) return null;
  try {
    return readFileSync(join(dataDir, URL_FILE), "utf8").trim();
  } catch {
    throw new StartupError(
      `The catalyst data dir ${dataDir} is in use by process ${holder}, which has not published its database address ` +
        `(${join(dataDir, URL_FILE)}). If it is starting, try again in a moment; otherwise stop it.`,
    );
  }
}

/** Writes `<dataDir>/embedded-db.url` (owner-only: whoever reads it can use the database); returns its removal. */
export function publishUrl(dataDir: string, url: string): () => void {
  const path = join(dataDir, URL_FILE);
  // A file left by a crashed process may have other permissions: mode applies only on creation.
  rmSync(path, { force: true });
  writeFileSync(path, `${url}\n`, { mode: 0o600, flag: "wx" });
  return () => rmSync(path, { force: true });
}

/**
 * The password of the embedded database's wire server, from `<dataDir>/embedded-db.secret`; generated
 * (32 random bytes, base64url: safe in a URL) when missing, too short, or readable by anyone but
 * the owner: a secret others could read may have leaked, and only the URL file depends on it.
 */
export function embeddedDatabaseSecret(dataDir: string): string {
  const path = join(dataDir, SECRET_FILE);
  try {
    const secret = readFileSync(path, "utf8").trim();
    if (secret.length >= 32 && (statSync(path).mode & 0o077) === 0) return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  // Mode applies only on creation: remove what is there first.
  rmSync(path, { force: true });
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return secret;
}

/** Takes `<dataDir>/catalyst.lock` (O_EXCL, holding our pid); a lock whose process is dead is taken over. */
export function lockDataDir(dataDir: string): () => void {
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
      throw new StartupError(
        `The catalyst data dir ${dataDir} is in use by process ${holder} (lock file ${lockPath}). ` +
          `Stop the other catalyst, or set CATALYST_DATA_DIR to another directory.`,
      );
    }
    rmSync(lockPath, { force: true });
  }
  throw new StartupError(`Could not take the lock ${lockPath}: another process keeps replacing it.`);
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
