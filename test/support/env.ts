/**
 * The backends every integration test runs against: the embedded defaults (PGlite + in-process
 * bus) and the machine's real PostgreSQL + Redis (each test run gets its own fresh database).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { servicePort, type Config } from "../../src/config.ts";

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface Backend {
  name: "embedded" | "postgres+redis";
  /** Environment for a fresh, isolated appliance on this backend. */
  prepare(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
}

function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export function tempDir(prefix = "catalyst-test-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A fresh database on the real server, dropped again by the returned cleanup. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueName("catalyst_t");
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => undefined });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export const BACKENDS: Backend[] = [
  {
    name: "embedded",
    async prepare() {
      const dir = tempDir();
      return { env: { CATALYST_DATA_DIR: dir.path }, cleanup: async () => dir.remove() };
    },
  },
  {
    name: "postgres+redis",
    async prepare() {
      const dir = tempDir();
      const db = await freshPostgresDatabase();
      return {
        env: {
          CATALYST_DATA_DIR: dir.path,
          DATABASE_URL: db.url,
          REDIS_URL: REDIS_TEST_URL,
          // Runs on this machine share one Redis: a namespace per run keeps their messages apart.
          CATALYST_BUS_NAMESPACE: uniqueName("t").toLowerCase().slice(0, 32),
        },
        cleanup: async () => {
          await db.drop();
          dir.remove();
        },
      };
    },
  },
];

export { freePortBase } from "../../src/runtime/free-ports.ts";

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, pollMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await Bun.sleep(pollMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

/** Requests to a sim-mode appliance's venue (Alpaca's API and /admin/v1), signed with its default key pair. */
export function venueFetch(config: Config, apiKey: string) {
  const headers = { "APCA-API-KEY-ID": config.venue.keyId, "APCA-API-SECRET-KEY": config.venue.secretKey ?? apiKey, "content-type": "application/json" };
  return (path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${servicePort(config, "venue")}${path}`, { ...init, headers: { ...headers, ...init.headers } });
}
