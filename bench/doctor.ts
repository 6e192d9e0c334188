/**
 * Doctor sweep figures: one sweep over a healthy book of N open bracket positions and 10 × N
 * orders (per position: the filled entry, its working stop and take-profit legs, and 7 earlier
 * cancelled entries), seeded by SQL into a fresh PostgreSQL database, at N = 10 and N = 1,000.
 * The broker is NOT the venue here: a small in-process Broker that answers from memory with
 * positions, orders and fills matching the database, and counts every call. Database queries are
 * counted for real (postgres.js `debug` on the connection the sweep uses). Several sweeps each;
 * the median wall time is printed beside the target (≤ 1 s at 1,000 positions) and the query count
 * at both sizes (it should not grow with the book).
 */
import postgres, { type Sql } from "postgres";
import type { Broker, BrokerFill, BrokerOrder, BrokerPosition, OrderQuery } from "../src/adapters/broker/broker.ts";
import { migrate } from "../src/adapters/db/migrations.ts";
import { runSweep } from "../src/doctor/sweep.ts";
import { createLogger } from "../src/runtime/log.ts";
import { brokerFill, brokerOrder, brokerPosition } from "../test/support/doctor-fixtures.ts";
import { freshPostgresDatabase } from "../test/support/env.ts";
import { fmt, median } from "./stats.ts";

const SWEEPS = Number(process.env.BENCH_DOCTOR_SWEEPS ?? 7);
const EARLIER_ENTRIES = 7;

/** Seeds the book; every row is made by set-based SQL. */
async function seedBook(sql: Sql, positions: number): Promise<void> {
  await sql`select get_or_create_security('BN' || lpad(i::text, 5, '0')) from generate_series(1, ${positions}) i`;
  await sql`
    insert into orders (client_order_id, broker_order_id, security_id, role, order_class, side, order_type, time_in_force, qty, filled_qty,
                        filled_avg_price, status, submitted_at, accepted_at, filled_at, created_at, updated_at)
    select 'bench-entry-' || i, 'bench-entry-' || i, s.security_id, 'entry', 'bracket', 'buy', 'market', 'gtc', 10, 10, 20,
           'filled', now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour'
      from generate_series(1, ${positions}) i join securities s on s.symbol = 'BN' || lpad(i::text, 5, '0')`;
  await sql`
    insert into fills (order_id, side, broker_fill_id, qty, price, filled_at, received_via)
    select order_id, 'buy', broker_order_id || ':10', 10, 20, now() - interval '1 hour', 'stream' from orders where role = 'entry' and status = 'filled'`;
  await sql`
    insert into positions (security_id, entry_order_id, side, qty, avg_entry_price, opened_at, last_price, last_price_at, stop_loss, take_profit, source)
    select security_id, order_id, 'long', 10, 20, now() - interval '1 hour', 20.5, now(), 18, 25, 'catalyst' from orders where role = 'entry' and status = 'filled'`;
  await sql`update orders o set position_id = p.position_id from positions p where p.entry_order_id = o.order_id`;
  await sql`
    insert into orders (client_order_id, broker_order_id, security_id, position_id, parent_order_id, role, order_class, side, order_type, time_in_force,
                        qty, limit_price, stop_price, status, submitted_at, accepted_at, created_at, updated_at)
    select e.client_order_id || '-' || leg.role, e.broker_order_id || '-' || leg.role, e.security_id, e.position_id, e.order_id, leg.role, 'bracket', 'sell',
           leg.order_type, 'gtc', 10, leg.limit_price, leg.stop_price, 'accepted', e.submitted_at, e.submitted_at, e.created_at, e.created_at
      from orders e cross join (values ('stop_loss', 'stop', null::numeric, 18::numeric), ('take_profit', 'limit', 25::numeric, null::numeric)) as leg(role, order_type, limit_price, stop_price)
     where e.role = 'entry' and e.status = 'filled'`;
  await sql`
    insert into orders (client_order_id, broker_order_id, security_id, role, order_class, side, order_type, time_in_force, qty, limit_price,
                        status, submitted_at, cancelled_at, cancel_reason, created_at, updated_at)
    select 'bench-old-' || i || '-' || k, 'bench-old-' || i || '-' || k, s.security_id, 'entry', 'simple', 'buy', 'limit', 'day', 10, 19,
           'cancelled', now() - interval '3 hours', now() - interval '2 hours', 'benchmark history', now() - interval '3 hours', now() - interval '2 hours'
      from generate_series(1, ${positions}) i cross join generate_series(1, ${EARLIER_ENTRIES}) k
      join securities s on s.symbol = 'BN' || lpad(i::text, 5, '0')`;
}

/** The broker's side of the same book, built from the seeded rows: positions, orders (entries nested with their legs, earlier ones cancelled), today's fills. */
async function brokerBook(sql: Sql) {
  const rows = await sql`select o.order_id, o.client_order_id, o.broker_order_id, o.parent_order_id, o.role, o.side, o.order_type, o.status, s.symbol
                           from orders o join securities s using (security_id) order by o.order_id`;
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const legsByParent = new Map<number, BrokerOrder[]>();
  const flatLegs: BrokerOrder[] = [];
  for (const r of rows.filter((r) => r.parent_order_id !== null)) {
    const leg = brokerOrder({
      id: r.broker_order_id, clientOrderId: r.client_order_id, symbol: r.symbol, side: r.side, type: r.order_type, orderClass: "bracket", timeInForce: "gtc",
      limitPrice: r.order_type === "limit" ? "25" : null, stopPrice: r.order_type === "stop" ? "18" : null, alpacaStatus: "new", createdAt: at, updatedAt: at, submittedAt: at,
    });
    flatLegs.push(leg);
    legsByParent.set(Number(r.parent_order_id), [...(legsByParent.get(Number(r.parent_order_id)) ?? []), { ...leg, parentId: `parent-of-${leg.id}` }]);
  }
  const roots = rows.filter((r) => r.parent_order_id === null).map((r) =>
    r.role === "entry" && r.status === "filled"
      ? brokerOrder({ id: r.broker_order_id, clientOrderId: r.client_order_id, symbol: r.symbol, type: "market", orderClass: "bracket", limitPrice: null, alpacaStatus: "filled", filledQty: "10", filledAvgPrice: "20", filledAt: at, createdAt: at, updatedAt: at, submittedAt: at, legs: legsByParent.get(Number(r.order_id)) ?? [] })
      : brokerOrder({ id: r.broker_order_id, clientOrderId: r.client_order_id, symbol: r.symbol, limitPrice: "19", alpacaStatus: "canceled", createdAt: at, updatedAt: at, submittedAt: at, canceledAt: at }),
  );
  const filledEntries = roots.filter((o) => o.alpacaStatus === "filled");
  const positions: BrokerPosition[] = filledEntries.map((o) => brokerPosition({ symbol: o.symbol, assetId: `asset-${o.symbol}`, qty: "10", qtyAvailable: "0", avgEntryPrice: "20" }));
  const fills: BrokerFill[] = filledEntries.map((o) => brokerFill({ id: `${o.id}:10`, orderId: o.id, symbol: o.symbol, side: "buy", qty: "10", price: "20", transactionTime: at }));
  return { positions, openOrders: flatLegs, allOrders: roots, fills };
}

/** A Broker answering the sweep's reads from memory; every call counted; anything else (a write, market data) throws. */
function inMemoryBroker(book: Awaited<ReturnType<typeof brokerBook>>): { broker: Broker; calls: () => number } {
  let calls = 0;
  const byId = new Map([...book.allOrders, ...book.openOrders].map((o) => [o.id, o]));
  const reads: Partial<Broker> = {
    getClock: async () => ({ timestamp: new Date().toISOString(), isOpen: true, nextOpen: new Date().toISOString(), nextClose: new Date().toISOString() }),
    listPositions: async () => book.positions,
    listOrders: async (query?: OrderQuery) => (query?.status === "open" ? book.openOrders : book.allOrders),
    listFills: async () => book.fills,
    getOrder: async (id: string) => byId.get(id) ?? null,
    getOrderByClientId: async (clientOrderId: string) => [...byId.values()].find((o) => o.clientOrderId === clientOrderId) ?? null,
  };
  const broker = new Proxy(reads, {
    get(target, name: string) {
      const read = target[name as keyof Broker] as ((...args: unknown[]) => unknown) | undefined;
      return (...args: unknown[]) => {
        calls++;
        if (!read) throw new Error(`the benchmark broker does not answer ${name}: the doctor's sweep only reads`);
        return read(...args);
      };
    },
  }) as Broker;
  return { broker, calls: () => calls };
}

interface Figures {
  positions: number;
  orders: number;
  medianMs: number;
  queries: number[];
  brokerCalls: number[];
  issues: number;
  /** Checks that could not run (an input failed): none, or the figures measure less than a sweep. */
  skipped: string[];
}

async function measure(positions: number): Promise<Figures> {
  const database = await freshPostgresDatabase();
  let queries = 0;
  const sql = postgres(database.url, { max: 4, onnotice: () => undefined, debug: () => void queries++ });
  try {
    await migrate(sql);
    await seedBook(sql, positions);
    const [{ orders }] = (await sql`select count(*)::int as orders from orders`) as unknown as [{ orders: number }];
    const { broker, calls } = inMemoryBroker(await brokerBook(sql));
    const log = createLogger("bench-doctor", "error");
    const sweep = () => runSweep(sql, broker, { mode: "sim", trigger: "cli", fix: true, mailer: null, log });
    const first = await sweep(); // warm-up (prepared statements, caches); not counted
    const times: number[] = [];
    const queryCounts: number[] = [];
    const brokerCounts: number[] = [];
    for (let i = 0; i < SWEEPS; i++) {
      const [q0, b0, began] = [queries, calls(), performance.now()];
      await sweep();
      times.push(performance.now() - began);
      queryCounts.push(queries - q0);
      brokerCounts.push(calls() - b0);
    }
    const issues = first.report.checks.reduce((n, c) => n + c.issues.length, 0);
    const skipped = first.report.checks.filter((c) => c.skipped !== null).map((c) => c.check);
    return { positions, orders, medianMs: median(times), queries: queryCounts, brokerCalls: brokerCounts, issues, skipped };
  } finally {
    await sql.end({ timeout: 5 });
    await database.drop();
  }
}

const spread = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? String(xs[0]) : `${Math.min(...xs)}–${Math.max(...xs)}`);

console.log(`\nDoctor sweep (PostgreSQL 127.0.0.1, fresh database seeded by SQL; broker: in-process, answering from memory, calls counted — not the venue; median of ${SWEEPS} sweeps)`);
for (const size of [10, 1_000]) {
  const f = await measure(size);
  console.log(
    `${String(f.positions).padStart(5)} open positions, ${String(f.orders).padStart(6)} orders: sweep p50 ${fmt(f.medianMs, 1)} ms` +
      `${size === 1_000 ? "   target ≤ 1000 ms" : ""}; DB queries per sweep ${spread(f.queries)}; broker calls per sweep ${spread(f.brokerCalls)}; issues found ${f.issues}; checks skipped ${f.skipped.length === 0 ? "none" : f.skipped.join(", ")}`,
  );
}
