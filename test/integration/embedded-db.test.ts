import { protocol } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { fsyncCounter } from "../../src/adapters/db/durable-fs.ts";
import { openEmbeddedDatabase, type EmbeddedDatabase } from "../../src/adapters/db/embedded.ts";
import { scanReadyForQuery } from "../../src/adapters/db/pg-wire.ts";
import type { LoadResult, LoadTask } from "../support/db-load-worker.ts";

const { serialize } = protocol;
const REAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const WORKERS = 8;
const INSERTS_PER_WORKER = 200;
const TRANSACTIONS_PER_WORKER = 20;

// First start may build the PGlite image once per machine (~6 s); the load scenarios take a few seconds.
setDefaultTimeout(30_000);

const uniqueTableName = (purpose: string) => `${purpose}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;

async function createLoadTable(url: string, table: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  await sql`create table ${sql(table)} (id bigserial primary key, tag text not null unique, worker int not null)`;
  await sql.end();
}

function runWorker(task: LoadTask): Promise<LoadResult> {
  const worker = new Worker(new URL("../support/db-load-worker.ts", import.meta.url));
  return new Promise<LoadResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<LoadResult>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(task);
  }).finally(() => worker.terminate());
}

/** The concurrency scenario: 8 workers with pools of 4, all at once; then every row is checked. */
async function runConcurrencyScenario(url: string, table: string): Promise<void> {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: WORKERS }, (_, worker) =>
      runWorker({ url, table, worker, inserts: INSERTS_PER_WORKER, transactions: TRANSACTIONS_PER_WORKER }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const statements = results.reduce((total, result) => total + result.statements, 0);
  console.log(`concurrency (${new URL(url).port}): ${statements} statements in ${seconds.toFixed(2)} s = ${Math.round(statements / seconds)}/s`);

  expect(results.flatMap((result) => result.unexpectedErrors)).toEqual([]);
  const committed = results.flatMap((result) => result.committed);
  const rolledBack = results.flatMap((result) => result.rolledBack);
  expect(committed).toHaveLength(WORKERS * (INSERTS_PER_WORKER + (TRANSACTIONS_PER_WORKER / 2) * 3));
  expect(rolledBack).toHaveLength(WORKERS * (TRANSACTIONS_PER_WORKER / 2) * 3 + WORKERS * (TRANSACTIONS_PER_WORKER / 4));

  const sql = postgres(url, { max: 1 });
  const stored = new Set((await sql`select tag from ${sql(table)}`).map((row) => row.tag as string));
  await sql.end();
  expect(stored.size).toBe(committed.length);
  expect(committed.filter((tag) => !stored.has(tag))).toEqual([]);
  expect(rolledBack.filter((tag) => stored.has(tag))).toEqual([]);
}

/** A bare protocol client, for what postgres.js will not do: vanish mid-transaction, send garbage. */
async function rawClient(port: number) {
  let received = new Uint8Array(0);
  let closed = false;
  let wake = () => {};
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_socket, chunk) {
        const next = new Uint8Array(received.length + chunk.length);
        next.set(received);
        next.set(chunk, received.length);
        received = next;
        wake();
      },
      close() {
        closed = true;
        wake();
      },
    },
  });
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error("raw client timed out");
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
  return {
    socket,
    received: () => received,
    isClosed: () => closed,
    until,
    /** Sends, forgetting what was received so far. */
    send(bytes: Uint8Array) {
      received = new Uint8Array(0);
      socket.write(bytes);
    },
    /** Sends and waits for the response to end in ReadyForQuery; returns the transaction status. */
    async roundTrip(bytes: Uint8Array) {
      this.send(bytes);
      await until(() => scanReadyForQuery(received).endsWithReadyForQuery);
      return scanReadyForQuery(received).lastStatus;
    },
  };
}

describe("embedded database over the wire", () => {
  let dataDir: string;
  let embedded: EmbeddedDatabase;
  let url: string;
  let sql: postgres.Sql;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "catalyst-embedded-"));
    const started = performance.now();
    embedded = await openEmbeddedDatabase({ dataDir });
    console.log(`first start (from image): ${Math.round(performance.now() - started)} ms`);
    url = embedded.url;
    sql = postgres(url, { max: 2, onnotice: () => undefined });
    await sql`create table rows_under_test (id serial primary key, tag text not null)`;
  });

  afterAll(async () => {
    await sql?.end();
    await embedded?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("(a) 8 workers with pools of 4: every committed row present, no rolled-back row, no errors", async () => {
    const table = uniqueTableName("load");
    await createLoadTable(url, table);
    // Simple-protocol probe without type fetching: it prepares no statements of its own.
    const probe = postgres(url, { max: 1, fetch_types: false });
    const preparedStatements = async () =>
      (await probe.unsafe("select name from pg_prepared_statements order by name")).map((row) => row.name as string);
    const before = await preparedStatements();

    await runConcurrencyScenario(url, table);

    // Every worker's pool has ended: their statements were deallocated from the shared session.
    let after = await preparedStatements();
    for (let attempt = 0; attempt < 20 && after.length !== before.length; attempt++) {
      await Bun.sleep(100);
      after = await preparedStatements();
    }
    await probe.end();
    expect(after).toEqual(before);
  });

  test("(b) a client holding a transaction open blocks the others until it commits", async () => {
    const holder = postgres(url, { max: 1 });
    const other = postgres(url, { max: 1 });
    await other`select 1`; // connected, so only the lock can delay it
    const { promise: inTransaction, resolve: entered } = Promise.withResolvers<void>();
    const holding = holder.begin(async (tx) => {
      await tx`insert into rows_under_test (tag) values ('held-1')`;
      entered();
      await Bun.sleep(400);
      await tx`insert into rows_under_test (tag) values ('held-2')`;
    });
    await inTransaction;
    const asked = performance.now();
    const [{ count }] = await other<[{ count: number }]>`select count(*)::int as count from rows_under_test where tag like 'held-%'`;
    const waited = performance.now() - asked;
    await holding;
    expect(count).toBe(2); // it ran after the commit, never inside or before it
    expect(waited).toBeGreaterThan(250);
    await Promise.all([holder.end(), other.end()]);
  });

  test("(c) a large SELECT (50k rows, ~10 MB) arrives complete", async () => {
    const rows = await sql`select i, repeat('x', 200) as pad from generate_series(1, 50000) as i`;
    expect(rows).toHaveLength(50_000);
    expect(rows.reduce((total, row) => total + (row.i as number), 0)).toBe((50_000 * 50_001) / 2);
    expect(rows.every((row) => (row.pad as string).length === 200)).toBe(true);
  });

  test("(d) a client that vanishes mid-transaction is rolled back and does not wedge others", async () => {
    const { port } = new URL(url);
    const inBlock = await rawClient(Number(port));
    expect(await inBlock.roundTrip(serialize.startup({ user: "postgres", database: "postgres" }))).toBe("I");
    expect(await inBlock.roundTrip(serialize.query("begin; insert into rows_under_test (tag) values ('gone-1')"))).toBe("T");
    inBlock.socket.terminate();

    // Execute without Sync: an implicit transaction that a plain Sync would have committed.
    const midExtended = await rawClient(Number(port));
    await midExtended.roundTrip(serialize.startup({ user: "postgres", database: "postgres" }));
    midExtended.send(
      new Uint8Array([
        ...serialize.parse({ name: "left_behind", text: "insert into rows_under_test (tag) values ('gone-2')" }),
        ...serialize.bind({ statement: "left_behind" }),
        ...serialize.execute({}),
        ...serialize.flush(),
      ]),
    );
    await midExtended.until(() => new TextDecoder().decode(midExtended.received()).includes("INSERT 0 1"));
    midExtended.socket.terminate();

    const [{ count }] = await sql<[{ count: number }]>`select count(*)::int as count from rows_under_test where tag like 'gone-%'`;
    expect(count).toBe(0);
    const [{ open }] = await sql<[{ open: number }]>`select count(*)::int as open from pg_prepared_statements where name like '%left_behind'`;
    expect(open).toBe(0);
  });

  test("(d') a client sending garbage gets an ErrorResponse and is disconnected; others carry on", async () => {
    const { port } = new URL(url);
    const garbage = await rawClient(Number(port));
    await garbage.roundTrip(serialize.startup({ user: "postgres", database: "postgres" }));
    garbage.send(Uint8Array.of(0x51, 0xff, 0xff, 0xff, 0xff)); // Query with a negative length
    await garbage.until(() => garbage.isClosed());
    expect(String.fromCharCode(garbage.received()[0]!)).toBe("E");
    expect(new TextDecoder().decode(garbage.received())).toContain("C08P01");
    expect((await sql`select 1 as one`)[0]!.one).toBe(1);
  });

  test("(h) COPY FROM STDIN, which would kill PGlite's backend, is refused with 0A000", async () => {
    await expect(sql.unsafe("copy rows_under_test (tag) from stdin")).rejects.toMatchObject({ code: "0A000" });
    await expect(sql`copy rows_under_test (tag) from stdin`.writable()).rejects.toMatchObject({ code: "0A000" });
    expect((await sql`select 1 as one`)[0]!.one).toBe(1);
  });

  test("(g) more than 40 simultaneous connections all succeed", async () => {
    const many = postgres(url, { max: 50 });
    const reserved = await Promise.all(Array.from({ length: 50 }, () => many.reserve()));
    const answers = await Promise.all(reserved.map((connection, index) => connection`select ${index}::int as n`));
    expect(answers.map(([row]) => row!.n)).toEqual(Array.from({ length: 50 }, (_, index) => index));
    for (const connection of reserved) connection.release();
    await many.end();
  });

  test("(i) durable by default: fsync on, and every acknowledged commit called the real fsync(2)", async () => {
    const settings = await sql<{ name: string; setting: string }[]>`
      select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'wal_sync_method') order by name`;
    expect(settings.map((row) => `${row.name}=${row.setting}`)).toEqual(["fsync=on", "synchronous_commit=on", "wal_sync_method=fsync"]);
    const before = fsyncCounter.calls;
    for (let i = 0; i < 3; i++) await sql`insert into rows_under_test (tag) values (${`durable-${i}`})`;
    // One WAL flush per commit at least (strace of bench/fsync-probe.ts shows them as fsync(2) on pg_wal).
    expect(fsyncCounter.calls - before).toBeGreaterThanOrEqual(3);
  });

  test("(f) a second open of the same data dir fails with a clear lock error", async () => {
    const second = openEmbeddedDatabase({ dataDir });
    await expect(second).rejects.toThrow(`in use by process ${process.pid}`);
    await expect(second).rejects.toThrow("CATALYST_DATA_DIR");
    expect((await sql`select 1 as one`)[0]!.one).toBe(1); // the first is unharmed
  });

  test("(e) data persists across close and a fast reopen; close() drops idle clients", async () => {
    await sql`insert into rows_under_test (tag) values ('persisted')`;
    const idle = postgres(url, { max: 1 });
    await idle`select 1`;
    await embedded.close();
    await expect(idle`select 1`).rejects.toThrow();
    // The server is gone: don't let postgres.js wait for it.
    await Promise.all([idle.end({ timeout: 0 }), sql.end({ timeout: 0 })]);

    const started = performance.now();
    embedded = await openEmbeddedDatabase({ dataDir });
    const reopenMs = performance.now() - started;
    console.log(`reopen: ${Math.round(reopenMs)} ms, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
    expect(reopenMs).toBeLessThan(4_000);

    url = embedded.url;
    sql = postgres(url, { max: 1 });
    const [{ count }] = await sql<[{ count: number }]>`select count(*)::int as count from rows_under_test where tag = 'persisted'`;
    expect(count).toBe(1);
  });
});

describe("the same concurrency scenario on PostgreSQL 15", () => {
  test("(a) against postgres://127.0.0.1:5432/test", async () => {
    const table = uniqueTableName("embedded_db_load");
    await createLoadTable(REAL_POSTGRES_URL, table);
    try {
      await runConcurrencyScenario(REAL_POSTGRES_URL, table);
    } finally {
      const sql = postgres(REAL_POSTGRES_URL, { max: 1, onnotice: () => undefined });
      await sql`drop table if exists ${sql(table)}`;
      await sql.end();
    }
  });
});
