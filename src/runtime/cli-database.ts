/**
 * The database for one CLI command (`catalyst activity …`, the doctor): PostgreSQL at DATABASE_URL,
 * the embedded database of the `catalyst serve` that holds the data dir (reached through its wire
 * server: PGlite allows one process), or the embedded database opened just for the command.
 */
import type { Sql } from "postgres";
import { connectDatabase } from "../adapters/db/client.ts";
import { servingDatabaseUrl } from "../adapters/db/data-dir.ts";
import type { Config } from "../config.ts";
import { openApplianceDatabase } from "./database.ts";
import { errorMessage, UserFixableError } from "./errors.ts";

/** Errors that mean "could not connect", as opposed to a failing query (postgres.js codes and PostgreSQL SQLSTATEs). */
const CONNECT_FAILURES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "CONNECT_TIMEOUT", "28P01", "28000", "3D000", "57P01", "57P03"]);

/** A database that could not be reached, saying which one and what to do (never the password). */
export class CliDatabaseError extends UserFixableError {
  override name = "CliDatabaseError";
}

export async function withCliDatabase<T>(config: Config, work: (sql: Sql) => Promise<T>): Promise<T> {
  const served = config.databaseUrl ? null : servingDatabaseUrl(config.dataDir);
  if (served !== null) {
    // Named by host and port only: the served URL carries the database's password.
    const { host } = new URL(served);
    return withConnection(config, served, work, `the embedded database of the catalyst serving ${config.dataDir} (${host}): is it still running?`);
  }
  // Migrates too, as `serve` would: a command may be the first to touch a new database.
  const database = await openApplianceDatabase(config).catch((error: unknown) => {
    throw reachError(error, describe(config));
  });
  try {
    return await withConnection(config, database.url, work, describe(config));
  } finally {
    await database.close();
  }
}

function describe(config: Config): string {
  if (!config.databaseUrl) return `the embedded database in ${config.dataDir}`;
  const url = new URL(config.databaseUrl);
  return `the PostgreSQL at DATABASE_URL (${url.hostname}:${url.port || 5432}${url.pathname}): check that it runs and that DATABASE_URL is right`;
}

async function withConnection<T>(config: Config, url: string, work: (sql: Sql) => Promise<T>, what: string): Promise<T> {
  const sql = connectDatabase(url, { max: 2, application: "catalyst-cli", timeouts: config.databaseTimeouts });
  try {
    return await work(sql);
  } catch (error) {
    throw reachError(error, what);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function reachError(error: unknown, what: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !CONNECT_FAILURES.has(code)) return error;
  return new CliDatabaseError(`cannot reach ${what} (${errorMessage(error)})`);
}
