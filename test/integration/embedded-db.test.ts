import { protocol } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { embeddedDatabaseSecret } from "../../src/adapters/db/data-dir.ts";
import { fsyncCounter } from "../../src/adapters/db/durable-fs.ts";
import { openEmbeddedDatabase, type EmbeddedDatabase } from "../../src/adapters/db/embedded.ts";
import { scanReadyForQuery } from "../../src/adapters/db/pg-wire.ts";
import type { LoadResult, LoadTask } from "../support/db-load-worker.ts";
import { scramClient } from "../support/scram-client.ts";

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

/** The code of an Authentication ('R') message at the start of `bytes`, or null. */
function authenticationCode(bytes: Uint8Array): number | null {
  if (bytes.length < 9 || bytes[0] !== 0x52) return null;
  return new DataView(bytes.buffer, bytes.byteOffset).getInt32(5);
}

/** Lines the process writes to stderr (where the logger writes) while `run` runs. */
async function captureStderr(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await run();
  } finally {
    process.stderr.write = write;
  }
  return lines.join("").split("\n").filter((line) => line !== "");
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
    /** Startup and the SCRAM-SHA-256 exchange; returns the transaction status of the first ReadyForQuery. */
    async login(password: string) {
      const scram = scramClient(password);
      this.send(serialize.startup({ user: "postgres", database: "postgres" }));
      await until(() => authenticationCode(received) === 10);
      this.send(scram.initialResponse);
      await until(() => authenticationCode(received) === 11 || closed);
      const length = new DataView(received.buffer, received.byteOffset).getInt32(1);
      return this.roundTrip(scram.finalResponse(new TextDecoder().decode(received.subarray(9, 1 + length))));
    },
  };
}

describe("embedded database over the wire", () => {
  let dataDir: string;
  let embedded: EmbeddedDatabase;
  let url: string;
  let sql: postgres.Sql;
  const password = () => decodeURIComponent(new URL(url).password);

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
    expect(await inBlock.login(password())).toBe("I");
    expect(await inBlock.roundTrip(serialize.query("begin; insert into rows_under_test (tag) values ('gone-1')"))).toBe("T");
    inBlock.socket.terminate();

    // Execute without Sync: an implicit transaction that a plain Sync would have committed.
    const midExtended = await rawClient(Number(port));
    await midExtended.login(password());
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
    await garbage.login(password());
    garbage.send(Uint8Array.of(0x51, 0xff, 0xff, 0xff, 0xff)); // Query with a negative length
    await garbage.until(() => garbage.isClosed());
    expect(String.fromCharCode(garbage.received()[0]!)).toBe("E");
    expect(new TextDecoder().decode(garbage.received())).toContain("C08P01");
    expect((await sql`select 1 as one`)[0]!.one).toBe(1);
  });

  test("(j) only the data dir's password gets in: none or a wrong one is refused with 28P01 and logged", async () => {
    const secretFile = join(dataDir, "embedded-db.secret");
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, "embedded-db.url")).mode & 0o777).toBe(0o600);
    expect(password()).toBe(readFileSync(secretFile, "utf8").trim());
    expect((await sql`select 1 as one`)[0]!.one).toBe(1);

    for (const attempt of ["", "wrong-password-0123456789"]) {
      const wrong = new URL(url);
      wrong.password = attempt;
      const intruder = postgres(wrong.href, { max: 1, onnotice: () => undefined });
      const logged = await captureStderr(async () => {
        await expect(intruder`select count(*) from rows_under_test`).rejects.toMatchObject({
          code: "28P01",
          message: 'password authentication failed for user "postgres"',
        });
      });
      await intruder.end({ timeout: 0 });
      const refusals = logged.filter((line) => line.includes("refused a connection"));
      expect(refusals).toHaveLength(1);
      expect(JSON.parse(refusals[0]!)).toMatchObject({ level: "warn", service: "embedded-db", code: "28P01", peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
      expect(logged.join("\n")).not.toContain(password());
    }
    expect((await sql`select 1 as one`)[0]!.one).toBe(1);
  });

  test("(j') nothing runs before authentication; a wrong mechanism or mangled SCRAM is 08P01, logged", async () => {
    const { port } = new URL(url);
    /** What the server answers (until it hangs up) when the client replies `reply` to AuthenticationSASL. */
    const answerTo = async (reply: Uint8Array) => {
      const client = await rawClient(Number(port));
      client.send(serialize.startup({ user: "postgres", database: "postgres" }));
      await client.until(() => authenticationCode(client.received()) === 10);
      client.send(reply);
      await client.until(() => client.isClosed());
      return new TextDecoder().decode(client.received());
    };
    const logged = await captureStderr(async () => {
      expect(await answerTo(serialize.query("insert into rows_under_test (tag) values ('unauthenticated')"))).toContain("C08P01");
      expect(await answerTo(serialize.sendSASLInitialResponseMessage("SCRAM-SHA-1", "n,,n=*,r=abc"))).toContain("C08P01");
      expect(await answerTo(serialize.sendSASLInitialResponseMessage("SCRAM-SHA-256", "n,,n=*"))).toContain("Mmalformed SCRAM message");
    });
    expect(logged.filter((line) => line.includes("refused a connection") && line.includes('"code":"08P01"'))).toHaveLength(3);
    const [{ count }] = await sql<[{ count: number }]>`select count(*)::int as count from rows_under_test where tag = 'unauthenticated'`;
    expect(count).toBe(0);
  });

  test("(j'') the secret file: generated once, owner-only, replaced if others could read it", () => {
    const dir = mkdtempSync(join(tmpdir(), "catalyst-secret-"));
    try {
      const secret = embeddedDatabaseSecret(dir);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(embeddedDatabaseSecret(dir)).toBe(secret);
      const file = join(dir, "embedded-db.secret");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      chmodSync(file, 0o644);
      const replaced = embeddedDatabaseSecret(dir);
      expect(replaced).not.toBe(secret);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
