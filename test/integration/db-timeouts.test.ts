/**
 * The pools' timeouts, on both backends: a statement waiting on a row lock held by another
 * connection is cut off by lock_timeout (55P03), and a connection that sits idle inside a
 * transaction is ended by idle_in_transaction_session_timeout, freeing what it held. On the
 * embedded database the wire server enforces both (the session is shared: the wait is for it).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres, { type Sql } from "postgres";
import { connectDatabase } from "../../src/adapters/db/client.ts";
import { loadConfig } from "../../src/config.ts";
import { openApplianceDatabase, type ApplianceDatabase } from "../../src/runtime/database.ts";
import { BACKENDS, type Backend } from "../support/env.ts";

const SHORT = { statementTimeoutMs: 30_000, lockTimeoutMs: 300, idleInTransactionTimeoutMs: 300 };

for (const backend of BACKENDS) {
  describe(`database timeouts on ${backend.name}`, () => {
    let prepared: Awaited<ReturnType<Backend["prepare"]>>;
    let database: ApplianceDatabase;
    /** A plain connection, no timeouts: the test's own lock holder. */
    let holder: Sql;

    beforeAll(async () => {
      prepared = await backend.prepare();
      database = await openApplianceDatabase(loadConfig(prepared.env));
      holder = postgres(database.url, { max: 1, onnotice: () => undefined });
    }, 60_000);

    afterAll(async () => {
      await holder?.end();
      await database?.close();
      await prepared?.cleanup();
    });

    test("a statement blocked on a held row lock fails with lock_timeout and the pool keeps working", async () => {
      const pool = connectDatabase(database.url, { max: 1, application: "test-lock", timeouts: SHORT });
      try {
        await pool`select 1`; // connected: opening a connection is not a statement that lock_timeout cuts on the embedded one
        const release = Promise.withResolvers<void>();
        const locked = Promise.withResolvers<void>();
        const holding = holder.begin(async (tx) => {
          await tx`select 1 from risk_state for update`;
          locked.resolve();
          await release.promise;
        });
        await locked.promise;
        const cutOff = (query: Promise<unknown>) => query.then(() => null, (error: { code?: string }) => error);
        // Both ways postgres.js sends a statement: whole (no parameters), and described first (a new one with parameters).
        const blocked = await cutOff(pool`update risk_state set kill_switch_reason = 'x'`);
        const blockedWithParameter = await cutOff(pool`update risk_state set kill_switch_reason = ${"y"}`);
        release.resolve();
        await holding;
        expect(blocked?.code).toBe("55P03");
        expect(blockedWithParameter?.code).toBe("55P03");
        // Cut off, not broken: the same pool runs the statement once the lock is free.
        const [row] = await pool`update risk_state set kill_switch_reason = ${null} returning 1 as ok`;
        expect(row!.ok).toBe(1);
      } finally {
        await pool.end();
      }
    });

    test("a transaction left idle is ended by idle_in_transaction_session_timeout and its lock released", async () => {
      const idle = connectDatabase(database.url, { max: 1, application: "test-idle", timeouts: SHORT });
      const waiter = connectDatabase(database.url, { max: 1, application: "test-waiter", timeouts: { ...SHORT, lockTimeoutMs: 60_000 } });
      try {
        const forgotten = Promise.withResolvers<void>();
        void idle
          .begin(async (tx) => {
            await tx`select 1 from risk_state for update`;
            forgotten.resolve();
            await new Promise(() => undefined); // a caller that never finishes its transaction
          })
          .catch(() => undefined);
        await forgotten.promise;
        // Waits behind the idle transaction (no lock_timeout to speak of) until the idle one is ended.
        const [row] = await waiter`update risk_state set kill_switch_reason = null returning 1 as ok`;
        expect(row!.ok).toBe(1);
      } finally {
        await Promise.all([idle.end({ timeout: 1 }), waiter.end()]);
      }
    });
  });
}
