/**
 * postgres.js connections: one pool per thread, the same client for PostgreSQL and the embedded one.
 * NUMERIC and BIGINT arrive as strings (postgres.js' default), so money is never silently a float.
 */
import postgres, { type Sql } from "postgres";
import { withDeadline } from "../../runtime/deadline.ts";
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from "../../config.ts";

/**
 * Options for `sql.unsafe` with constant text: postgres.js prepares tagged queries but not unsafe
 * ones, and re-planning the order path's statements cost about a millisecond each (bench/orders.ts).
 */
export const PREPARED = { prepare: true } as const;

/**
 * A pool whose connections carry the timeouts as startup parameters (milliseconds), so they hold
 * from the first statement: on PostgreSQL as settings, on the embedded one read by its wire server.
 */
export function connectDatabase(url: string, options: { max: number; application: string; timeouts?: DatabaseTimeouts }): Sql {
  const timeouts = options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  return postgres(url, {
    max: options.max,
    idle_timeout: 30,
    connect_timeout: 10,
    connection: {
      application_name: options.application,
      statement_timeout: timeouts.statementTimeoutMs,
      lock_timeout: timeouts.lockTimeoutMs,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
    },
    onnotice: () => undefined,
  });
}

export interface DatabaseCheck {
  ok: boolean;
  kind: "postgresql";
  latencyMs: number;
  detail?: string;
}

export async function checkDatabase(sql: Sql, timeoutMs = 2000): Promise<DatabaseCheck> {
  const started = performance.now();
  try {
    await withDeadline(sql`select 1`, timeoutMs, "select 1");
    return { ok: true, kind: "postgresql", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, kind: "postgresql", latencyMs: Math.round(performance.now() - started), detail: (error as Error).message };
  }
}
