// One Bun Worker of the embedded-database concurrency test: its own postgres.js pool hammering a
// table with prepared, unnamed-extended and simple-protocol inserts plus transactions, some of
// which fail on purpose. Reports which tags must be present and which must not.
import postgres from "postgres";

declare const self: Worker;

export interface LoadTask {
  url: string;
  table: string;
  worker: number;
  inserts: number;
  transactions: number;
}

export interface LoadResult {
  worker: number;
  /** Tags whose insert committed. */
  committed: string[];
  /** Tags inserted in a transaction or savepoint that was rolled back. */
  rolledBack: string[];
  unexpectedErrors: string[];
  statements: number;
}

class DeliberateFailure extends Error {}

self.onmessage = async (event: MessageEvent<LoadTask>) => {
  self.postMessage(await runLoad(event.data));
};

async function runLoad({ url, table, worker, inserts, transactions }: LoadTask): Promise<LoadResult> {
  const sql = postgres(url, { max: 4, onnotice: () => undefined });
  const result: LoadResult = { worker, committed: [], rolledBack: [], unexpectedErrors: [], statements: 0 };
  const insertSql = `insert into "${table}" (tag, worker) values ($1, $2)`;

  const insert = async (index: number) => {
    const tag = `w${worker}-i${index}`;
    switch (index % 3) {
      case 0: // named prepared statement (postgres.js default)
        await sql`insert into ${sql(table)} (tag, worker) values (${tag}, ${worker})`;
        break;
      case 1: // unnamed statement, extended protocol
        await sql.unsafe(insertSql, [tag, worker], { prepare: false });
        break;
      default: // simple query protocol
        await sql.unsafe(`insert into "${table}" (tag, worker) values ('${tag}', ${worker})`);
    }
    result.statements += 1;
    result.committed.push(tag);
  };

  const transaction = async (index: number) => {
    const tags = [0, 1, 2].map((step) => `w${worker}-t${index}-${step}`);
    const outcome = index % 4; // 0: commit with a failed savepoint, 1: JS throw, 2: SQL error, 3: commit
    const savepointTag = `w${worker}-t${index}-savepoint`;
    try {
      await sql.begin(async (tx) => {
        await tx`insert into ${tx(table)} (tag, worker) values (${tags[0]!}, ${worker})`;
        await tx.unsafe(insertSql, [tags[1]!, worker], { prepare: false });
        await tx`select count(*) from ${tx(table)} where worker = ${worker}`;
        if (outcome === 0) {
          await tx
            .savepoint(async (savepoint) => {
              await savepoint`insert into ${savepoint(table)} (tag, worker) values (${savepointTag}, ${worker})`;
              await savepoint`select 1 / 0`;
            })
            .catch((error: { code?: string }) => {
              if (error.code !== "22012") throw error;
            });
        }
        if (outcome === 1) throw new DeliberateFailure();
        if (outcome === 2) await tx`insert into ${tx(table)} (tag, worker) values (${tags[0]!}, ${worker})`;
        await tx`insert into ${tx(table)} (tag, worker) values (${tags[2]!}, ${worker})`;
      });
      result.committed.push(...tags);
      if (outcome === 0) result.rolledBack.push(savepointTag);
    } catch (error) {
      const deliberate = (outcome === 1 && error instanceof DeliberateFailure) || (outcome === 2 && (error as { code?: string }).code === "23505");
      if (!deliberate) throw error;
      result.rolledBack.push(...tags);
    }
    result.statements += 5;
  };

  const work = [
    ...Array.from({ length: inserts }, (_, index) => insert(index)),
    ...Array.from({ length: transactions }, (_, index) => transaction(index)),
  ];
  for (const outcome of await Promise.allSettled(work)) {
    if (outcome.status === "rejected") result.unexpectedErrors.push(String(outcome.reason));
  }
  await sql.end();
  return result;
}
