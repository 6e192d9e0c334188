/**
 * Crash safety: the appliance (risk + trading) is killed with SIGKILL at seeded random moments
 * while entries are being submitted, filled and flattened, and started again each time. The venue
 * runs in this test's process, so it outlives every crash and remembers every request. After the
 * last restart: no client order id twice at the venue, every venue order has its row, every fill
 * is in the books, and the database and the venue agree on every order and position.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres, { type Sql } from "postgres";
import { join } from "node:path";
import { clientOrderIdForKey } from "../../src/domain/orders/client-order-id.ts";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { createLogger } from "../../src/runtime/log.ts";
import { startVenue } from "../../src/services/venue/app.ts";
import { disagreements } from "../support/agreement.ts";
import { liquidSymbols } from "../support/appliance.ts";
import { freePortBase, freshPostgresDatabase, tempDir, waitFor } from "../support/env.ts";

const KEY = "crash-test-key-0123456789abcdef";
const KILL_POINTS = 20;
const CLI = join(import.meta.dir, "../../src/cli.ts");

/** A small seeded generator, so every run kills at the same moments. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

let venueServer: ReturnType<typeof startVenue>["server"];
let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
let sql: Sql;
let base: number;
const dir = tempDir();

const venue = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`http://127.0.0.1:${base + 7}${path}`, {
    method: init.method ?? "GET",
    headers: { "APCA-API-KEY-ID": "sim", "APCA-API-SECRET-KEY": KEY, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  }).then((r) => r.json());
const api = (service: "risk" | "trading", path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`http://127.0.0.1:${base + (service === "risk" ? 4 : 5)}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { "x-api-key": KEY, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));

const venueClientIds = async () => ((await venue("/v2/orders?status=all&limit=500")) as { client_order_id: string }[]).map((o) => o.client_order_id);

let starts = 0;
function spawnAppliance() {
  return Bun.spawn([process.execPath, CLI, "serve", "--only", "risk,trading"], {
    env: {
      ...process.env,
      CATALYST_API_KEY: KEY,
      CATALYST_DATA_DIR: dir.path,
      DATABASE_URL: db.url,
      CATALYST_PORT_BASE: String(base),
      CATALYST_URL_VENUE: `http://127.0.0.1:${base + 7}`,
      CATALYST_LOG_LEVEL: "error",
      BROKER_REQUESTS_PER_MINUTE: "100000",
      TRADING_UNKNOWN_ORDER_SECONDS: "2",
      // Room for every round: the test is about crashes, not about the limits turning entries away.
      RISK_MAX_OPEN_POSITIONS: "100",
      RISK_MAX_TRADES_PER_DAY: "200",
    },
    stdout: "ignore",
    stderr: Bun.file(join(dir.path, `appliance-${++starts}.log`)),
  });
}

async function ready() {
  await waitFor("trading and risk to answer", async () => (await api("trading", "/health").catch(() => null))?.status === 200 && (await api("risk", "/health").catch(() => null))?.status === 200, 30_000);
}

beforeAll(async () => {
  base = await freePortBase();
  db = await freshPostgresDatabase();
  sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  const settings = { keyId: "sim", secretKey: null, seed: 1, speed: 1, start: etInstant("2026-03-10", "10:30"), initialCashUsd: 100_000 };
  venueServer = startVenue(settings, KEY, createLogger("venue", "error")).server;
  venueServer.listen({ port: base + 7, hostname: "127.0.0.1" });
}, 30_000);

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await venueServer?.stop(true);
  await db?.drop();
  if (process.env.KEEP_CRASH_LOGS) console.log(dir.path); else dir.remove();
});

test(`SIGKILL at ${KILL_POINTS} seeded points during submission and fill handling loses and duplicates nothing`, async () => {
  const random = seeded(42);
  let proc = spawnAppliance();
  await ready();
  const symbols = await liquidSymbols({ venue }, 2 * KILL_POINTS + 2);
  await api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxOpenPositions: 100, maxTradesPerDay: 200 }, reason: "crash test" } });
  const keys: string[] = [];
  let gatedRounds = 0;
  let reachedRounds = 0;
  let previous: unknown[] = [];

  for (let point = 0; point < KILL_POINTS; point++) {
    // A client retrying the last round's requests after the crash must get the same orders back.
    const retries = previous.map((body) => api("trading", "/api/v1/orders", { body }).catch(() => null));
    const round = symbols.slice(point * 2, point * 2 + 2).map(({ symbol, price }, i) => {
      const key = `crash-${point}-${i}`;
      keys.push(key);
      return { symbol, side: "long", type: "market", qty: 10, stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), source: "api", idempotencyKey: key };
    });
    const sends = round.map((body) => api("trading", "/api/v1/orders", { body }).catch(() => null));
    const flatten = point % 3 === 2 ? api("trading", "/api/v1/flatten", { body: { reason: "crash test flatten" } }).catch(() => null) : null;
    // Half the kills wait until the venue holds one of this round's orders, so that the crash lands
    // between the venue's answer and our record of it whatever the machine's load; the others fall
    // at a random moment, which may be before anything was sent.
    if (random() < 0.5) {
      const ids = round.map((body) => clientOrderIdForKey(body.idempotencyKey));
      let answered = false;
      void Promise.all(sends).then(() => (answered = true));
      await waitFor("the venue to receive this round", async () => answered || (await venueClientIds()).some((id) => ids.includes(id)), 30_000, 2);
      gatedRounds++;
      if ((await venueClientIds()).some((id) => ids.includes(id))) reachedRounds++;
      await Bun.sleep(Math.floor(random() * 50));
    } else {
      await Bun.sleep(Math.floor(random() * 250));
    }
    proc.kill("SIGKILL");
    await proc.exited;
    await Promise.all([...retries, ...sends, flatten]);
    previous = round;
    proc = spawnAppliance();
    await ready();
  }

  // Settle: start-up recovery has run; let fills land and the sync pass over everything.
  await Bun.sleep(3_000);
  const flattened = await api("trading", "/api/v1/flatten", { body: { reason: "end of crash test" } });
  await waitFor("flat", async () => (await api("trading", "/api/v1/positions")).body.positions.length === 0, 30_000).catch(async (error) => {
    console.log(JSON.stringify(flattened.body), JSON.stringify((await api("trading", "/api/v1/positions")).body));
    console.log(JSON.stringify(await sql`select order_id, role, status, broker_order_id, position_id, cancel_reason, metadata->>'submitUnknown' as u from orders where status in ('created','submitted','accepted','partial_fill')`));
    throw error;
  });
  const problems = await disagreements({ api: (service: string, path: string, init?: { method?: string; body?: unknown }) => api(service as "trading", path, init), venue, sql } as never);
  proc.kill("SIGTERM");
  await proc.exited;

  expect(problems).toEqual([]);
  const atVenue = await venueClientIds();
  for (const key of keys) {
    expect(atVenue.filter((id) => id === clientOrderIdForKey(key)).length).toBeLessThanOrEqual(1);
  }
  // The crashes really hit work in flight: orders reached the venue, and some rows were settled after a restart.
  const [stats] = await sql`select count(*) filter (where broker_order_id is not null)::int as sent,
                                   count(*) filter (where cancel_reason like 'not sent%' or cancel_reason like 'the broker never%')::int as settled,
                                   (select count(*)::int from fills) as fills from orders`;
  expect(gatedRounds).toBeGreaterThan(KILL_POINTS / 4);
  expect(reachedRounds).toBe(gatedRounds);
  expect(stats!.sent).toBeGreaterThanOrEqual(gatedRounds);
  expect(stats!.fills).toBeGreaterThanOrEqual(gatedRounds / 2);
  console.log(`crash test: ${reachedRounds} kills after the venue received the round, ${stats!.sent} orders at the venue, ${stats!.fills} fills, ${stats!.settled} unsent rows settled after restarts`);
}, 300_000);
