/**
 * Order path figures: an entry intent through trading (risk gate in the order transaction, the
 * bracket sent to the venue, its answer recorded) until the response, one after the other. The
 * venue clock is paused so nothing fills: each entry is a limit 1.5 % under the market, cancelled
 * (unmeasured) before the next.
 *
 * In one run, on the embedded database (PGlite, opened here exactly as `serve` opens it and reached
 * over its wire server): the path with fsync on and with fsync off; p50 with 100, 1,000 and 5,000
 * entries already on the day (the earlier ones cloned from a real bracket, legs and all, on the
 * same symbol); the floor (the two broker calls the path makes, a snapshot and the bracket, straight
 * through the Alpaca SDK, plus two single-row commits on the same database); the embedded
 * database's open time with fsync on and off; and the path on the machine's PostgreSQL for context.
 */
import type { Sql } from "postgres";
import postgres from "postgres";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAlpacaBroker } from "../src/adapters/broker/alpaca.ts";
import { brokerEndpoints } from "../src/adapters/broker/endpoints.ts";
import { fsyncCounter } from "../src/adapters/db/durable-fs.ts";
import { openEmbeddedDatabase, type EmbeddedDatabase } from "../src/adapters/db/embedded.ts";
import { liquidSymbols } from "../test/support/appliance.ts";
import { freshPostgresDatabase } from "../test/support/env.ts";
import { startBenchAppliance } from "./sim-appliance.ts";
import { fmt, median, percentile } from "./stats.ts";

/** Entries measured for each p50/p99 (fsync on, fsync off, PostgreSQL). */
const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
/** Entries measured at each day size. */
const PER_LEVEL = Number(process.env.BENCH_ORDERS_PER_LEVEL ?? 100);
const LEVELS = [100, 1_000, 5_000];
const WARMUP = 20;

type Appliance = Awaited<ReturnType<typeof startBenchAppliance>>;

interface Path {
  t: Appliance;
  sql: Sql;
  symbol: string;
  limit: string;
  intent: Record<string, unknown>;
  lastEntryId: number;
}

async function startPath(databaseUrl: string): Promise<Path> {
  const t = await startBenchAppliance(["venue", "risk", "trading"], databaseUrl);
  const { symbol, price } = (await liquidSymbols(t, 1))[0]!;
  const limit = (price * 0.985).toFixed(2);
  const intent = { symbol, side: "long", type: "limit", limitPrice: limit, stopLoss: (price * 0.975).toFixed(2), takeProfit: (price * 1.06).toFixed(2), qty: 10, source: "api" };
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  return { t, sql, symbol, limit, intent, lastEntryId: 0 };
}

/** fsync(2) calls the embedded database made while entries were being placed (cancels not counted). */
const placing = { entries: 0, fsyncs: 0 };

/** `n` entries one after another; the milliseconds each took to answer. */
async function placeEntries(path: Path, n: number): Promise<number[]> {
  const took: number[] = [];
  for (let i = 0; i < n; i++) {
    const fsyncsBefore = fsyncCounter.calls;
    const began = performance.now();
    const placed = await path.t.api("trading", "/api/v1/orders", { body: path.intent });
    took.push(performance.now() - began);
    placing.entries++;
    placing.fsyncs += fsyncCounter.calls - fsyncsBefore;
    if (placed.status !== 200) throw new Error(`order failed: ${JSON.stringify(placed.body)}`);
    path.lastEntryId = placed.body.order.orderId;
    const cancelled = await path.t.api("trading", `/api/v1/orders/${path.lastEntryId}/cancel`, { body: {} });
    if (cancelled.body?.order?.status !== "cancelled") throw new Error(`cancel of ${path.lastEntryId}: ${JSON.stringify(cancelled.body)}`);
  }
  return took;
}

async function entriesOnTheDay(sql: Sql): Promise<number> {
  const [row] = await sql`select count(*)::int as n from orders where role = 'entry'`;
  return row!.n;
}

/**
 * Brings the day to `target` entries by cloning the last placed bracket (entry and legs, as
 * cancelled at the broker) with fresh client and broker ids. The day's entry counter (one row the
 * gate reads by key) is left alone: the risk API caps the daily limit at 1,000, and its value does
 * not change what the read costs.
 */
async function seedDay(path: Path, target: number): Promise<void> {
  const { sql } = path;
  const missing = target - (await entriesOnTheDay(sql));
  if (missing <= 0) return;
  const columns = (
    await sql<{ column_name: string }[]>`
      select column_name from information_schema.columns
       where table_name = 'orders' and table_schema = current_schema() and is_generated = 'NEVER' and identity_generation is null
         and column_name not in ('client_order_id', 'broker_order_id', 'parent_order_id', 'replaced_by_order_id', 'position_id')
       order by ordinal_position`
  ).map((c) => c.column_name);
  const list = columns.join(", ");
  const from = (alias: string) => columns.map((c) => `${alias}.${c}`).join(", ");
  const batch = crypto.randomUUID().slice(0, 8);
  await sql.unsafe(
      `with entries as (
         insert into orders (client_order_id, broker_order_id, ${list})
         select 'seed-${batch}-' || g.i, 'seed-${batch}-' || g.i, ${from("e")}
           from orders e, generate_series(1, $2::int) g(i)
          where e.order_id = $1
         returning order_id, client_order_id)
       insert into orders (client_order_id, broker_order_id, parent_order_id, ${list})
       select n.client_order_id || '-' || l.role, n.client_order_id || '-' || l.role, n.order_id, ${from("l")}
         from entries n, orders l
        where l.parent_order_id = $1`,
    [path.lastEntryId, missing],
  );
  await sql`analyze orders`;
}

const p50 = (xs: number[]) => median(xs);
const p99 = (xs: number[]) => percentile(xs, 99);

async function openEmbedded(fsync: boolean): Promise<{ embedded: EmbeddedDatabase; remove(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), `catalyst-bench-orders-${fsync ? "on" : "off"}-`));
  const embedded = await openEmbeddedDatabase({ dataDir, fsync });
  return {
    embedded,
    async remove() {
      await embedded.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** First open (cluster unpacked from the image) and reopen of an existing cluster, each 3 times; medians. */
async function openTimes(fsync: boolean): Promise<{ first: number; reopen: number }> {
  const first: number[] = [];
  const reopen: number[] = [];
  for (let i = 0; i < 3; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), "catalyst-bench-open-"));
    try {
      let began = performance.now();
      let db = await openEmbeddedDatabase({ dataDir, fsync });
      first.push(performance.now() - began);
      await db.db.exec("create table if not exists opened (at timestamptz default now()); insert into opened default values");
      await db.close();
      began = performance.now();
      db = await openEmbeddedDatabase({ dataDir, fsync });
      reopen.push(performance.now() - began);
      await db.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { first: median(first), reopen: median(reopen) };
}

/**
 * The floor, one sample per call: the path's two broker calls straight through the SDK, then two
 * single-row commits on the same database (measured right after the path, before the day grows).
 */
async function floorRunner(path: Path, databaseUrl: string) {
  const direct = createAlpacaBroker({ ...brokerEndpoints(path.t.config, path.t.key), callerName: "bench", requestsPerMinute: 1_000_000 });
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  await sql`create table if not exists bench_floor (id bigint generated always as identity primary key, at timestamptz not null default now())`;
  const figures = { total: [] as number[], broker: [] as number[], commits: [] as number[] };
  let i = 0;
  return {
    figures,
    async once() {
      const began = performance.now();
      await direct.getSnapshots([path.symbol]);
      const outcome = await direct.submitOrder({
        symbol: path.symbol,
        qty: "10",
        side: "buy",
        type: "limit",
        limitPrice: path.limit,
        timeInForce: "gtc",
        orderClass: "bracket",
        takeProfit: { limitPrice: String(path.intent.takeProfit) },
        stopLoss: { stopPrice: String(path.intent.stopLoss) },
        clientOrderId: `bench-${i++}-${crypto.randomUUID().slice(0, 8)}`,
      });
      const brokerDone = performance.now();
      await sql`insert into bench_floor default values`;
      await sql`insert into bench_floor default values`;
      const done = performance.now();
      figures.total.push(done - began);
      figures.broker.push(brokerDone - began);
      figures.commits.push(done - brokerDone);
      if (outcome.kind !== "submitted") throw new Error(`bare order: ${JSON.stringify(outcome)}`);
      await direct.cancelOrder(outcome.order.id);
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/** How the order path's reads that could grow with the day are planned, with the day at its largest. */
async function orderPathPlans(sql: Sql): Promise<string[]> {
  const queries: Record<string, string> = {
    "gate: working entries": `select o.order_id from orders o where o.role = 'entry' and o.status in ('created', 'submitted', 'accepted', 'partial_fill')`,
    "idempotency: key lookup": `select order_id from orders where client_order_id = 'bench-none'`,
    "legs of an entry": `select order_id from orders where parent_order_id = 1`,
    "day's entry count": `select entries_count from risk_daily_state where trading_date = current_date`,
  };
  const out: string[] = [];
  for (const [label, query] of Object.entries(queries)) {
    const rows = await sql.unsafe(`explain ${query}`);
    out.push(`${label}: ${String(Object.values(rows[0]!)[0]).trim()}`);
  }
  return out;
}

const line = (label: string, measured: string, target = "", met?: boolean) =>
  console.log(`${label.padEnd(60)} ${measured.padEnd(30)} ${target}${met === undefined ? "" : met ? "  met" : "  NOT MET"}`);

console.log(`\nOrder path (sim venue, bracket entries one after another, each cancelled unmeasured before the next)`);

// Start-up cost of the embedded database.
const openOn = await openTimes(true);
const openOff = await openTimes(false);

// fsync off: a database of its own, the same procedure up to the first p50/p99.
const off = await openEmbedded(false);
let offFigures: number[];
try {
  const path = await startPath(off.embedded.url);
  await placeEntries(path, WARMUP);
  await seedDay(path, LEVELS[0]!);
  offFigures = await placeEntries(path, ORDERS);
  await path.sql.end({ timeout: 5 });
  await path.t.stop();
} finally {
  await off.remove();
}

// fsync on (the appliance's setting): p50/p99, then the day grown to 1,000 and 5,000 entries, then the floor.
const on = await openEmbedded(true);
const atLevel = new Map<number, { p50: number; from: number; to: number }>();
let onFigures: number[];
let floorFigures: Awaited<ReturnType<typeof floorRunner>>["figures"];
let plans: string[] = [];
let fsyncsPerEntry = 0;
try {
  const path = await startPath(on.embedded.url);
  Object.assign(placing, { entries: 0, fsyncs: 0 });
  await placeEntries(path, WARMUP);
  await seedDay(path, LEVELS[0]!);
  onFigures = await placeEntries(path, ORDERS);
  // The floor right after, on the same database and venue, before the day is grown.
  const floor = await floorRunner(path, on.embedded.url);
  for (let i = 0; i < ORDERS; i++) await floor.once();
  floorFigures = floor.figures;
  await floor.close();
  atLevel.set(LEVELS[0]!, { p50: p50(onFigures.slice(0, PER_LEVEL)), from: LEVELS[0]!, to: LEVELS[0]! + PER_LEVEL });
  for (const level of LEVELS.slice(1)) {
    await seedDay(path, level);
    const from = await entriesOnTheDay(path.sql);
    atLevel.set(level, { p50: p50(await placeEntries(path, PER_LEVEL)), from, to: from + PER_LEVEL });
  }
  fsyncsPerEntry = placing.fsyncs / placing.entries;
  plans = await orderPathPlans(path.sql);
  await path.sql.end({ timeout: 5 });
  await path.t.stop();
} finally {
  await on.remove();
}

// The machine's PostgreSQL, for context.
const pg = await freshPostgresDatabase();
let pgFigures: number[];
try {
  const path = await startPath(pg.url);
  await placeEntries(path, WARMUP);
  await seedDay(path, LEVELS[0]!);
  pgFigures = await placeEntries(path, ORDERS);
  await path.sql.end({ timeout: 5 });
  await path.t.stop();
} finally {
  await pg.drop();
}

const floorP50 = p50(floorFigures.total);
const growth = atLevel.get(5_000)!.p50 / atLevel.get(100)!.p50;
console.log(`${"".padEnd(60)} ${"measured".padEnd(30)} target`);
line(`embedded, fsync on: p50 / p99 (${ORDERS} entries)`, `${fmt(p50(onFigures), 1)} / ${fmt(p99(onFigures), 1)} ms`, "p50 ≤ 10 ms, p99 ≤ 50 ms", p50(onFigures) <= 10 && p99(onFigures) <= 50);
line(`embedded, fsync off: p50 / p99 (${ORDERS} entries)`, `${fmt(p50(offFigures), 1)} / ${fmt(p99(offFigures), 1)} ms`, "(what durability costs)");
line("cost of fsync on the path (p50 on − p50 off)", `${fmt(p50(onFigures) - p50(offFigures), 1)} ms`);
line("fsync(2) calls per entry placed (fsync on)", `${fmt(fsyncsPerEntry, 2)}`, "≥ 1 (the entry's commits reach the disk)", fsyncsPerEntry >= 1);
for (const level of LEVELS) {
  const l = atLevel.get(level)!;
  line(`fsync on, p50 at ${level.toLocaleString("en-US")} entries on the day (${l.from}→${l.to})`, `${fmt(l.p50, 1)} ms`);
}
line("growth: p50 at 5,000 ÷ p50 at 100", `${fmt(growth, 2)}×`, "≤ 1.2×", growth <= 1.2);
line("floor: snapshot + bracket via SDK + 2 commits, p50", `${fmt(floorP50, 1)} ms`, `(SDK ${fmt(p50(floorFigures.broker), 1)} ms, commits ${fmt(p50(floorFigures.commits), 1)} ms)`);
line("ratio: path p50 (fsync on) ÷ floor p50", `${fmt(p50(onFigures) / floorP50, 2)}×`, "≤ 1.5×", p50(onFigures) / floorP50 <= 1.5);
line("embedded open, fsync on: first (from image) / reopen", `${fmt(openOn.first)} / ${fmt(openOn.reopen)} ms`);
line("embedded open, fsync off: first (from image) / reopen", `${fmt(openOff.first)} / ${fmt(openOff.reopen)} ms`);
console.log(`plans with ${LEVELS.at(-1)!.toLocaleString("en-US")} entries on the day:`);
for (const plan of plans) console.log(`  ${plan}`);
line(`PostgreSQL (127.0.0.1), p50 / p99 (${ORDERS} entries)`, `${fmt(p50(pgFigures), 1)} / ${fmt(p99(pgFigures), 1)} ms`, "(context)");
