#!/usr/bin/env bun
/**
 * An unattended trading week on the COMPILED binary (Thanksgiving week 2026: Thursday closed,
 * Friday closes 13:00), embedded database, CYCLE_AUTOSTART=aggressive, the venue at 600× as its own
 * process (`catalyst venue`: the broker outlives a crash of the appliance). The venue clock is moved
 * to each next morning. Each evening: every open position has a working stop at the venue, DB =
 * venue, one day summary at a loopback webhook, `catalyst backup` restored into a fresh data dir
 * holds the same rows. Wednesday mid-session the appliance is SIGKILLed and started again: the
 * cycle resumes, no order twice at the venue, no fill lost. The appliance's RSS is sampled all week.
 *
 * Too long for the CI suite's budget (the sessions alone are ~2.5 min of 600× market time), so
 * .ci/run runs it after the suite: `bun scripts/week.ts [path/to/built/catalyst]`. Exit 0 = all held.
 */
import postgres, { type Sql } from "postgres";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, servicePort } from "../src/config.ts";
import { servingDatabaseUrl } from "../src/adapters/db/data-dir.ts";
import { openEmbeddedDatabase } from "../src/adapters/db/embedded.ts";
import { etInstant, session } from "../src/domain/exchange-calendar.ts";
import { SERVICE_NAMES, type ServiceName } from "../src/runtime/services.ts";
import { disagreements } from "../test/support/agreement.ts";
import { unitRuntimeEnv } from "../test/support/binary.ts";
import { freePortBase, tempDir, venueFetch, waitFor } from "../test/support/env.ts";
import { startWebhookSink } from "../test/support/webhook-sink.ts";

const WEEK = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"];
const CRASH_DAY = "2026-11-25";
const API_KEY = "week-test-key-5e8d2c7a9b1f3e6d";
const MAIN_TABLES = ["trading_cycles", "workflow_day_decisions", "orders", "fills", "positions", "scans", "position_exit_attempts"];
/** Real time a 600× session may take, with room for a slow shared box. */
const DAY_TIMEOUT_MS = 240_000;

const root = join(import.meta.dir, "..");
const work = tempDir("catalyst-week-");
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

function buildBinary(): string {
  if (process.argv[2]) return process.argv[2];
  const binary = join(work.path, "catalyst");
  const build = Bun.spawnSync(["bun", "scripts/build.ts", binary], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
  return binary;
}

const binary = buildBinary();
const hook = startWebhookSink();
const base = await freePortBase();
const dataDir = join(work.path, "data");
const env: Record<string, string> = {
  PATH: process.env.PATH ?? "",
  HOME: work.path,
  CATALYST_MODE: "sim",
  CATALYST_API_KEY: API_KEY,
  CATALYST_DATA_DIR: dataDir,
  CATALYST_PORT_BASE: String(base),
  CATALYST_LOG_LEVEL: "error",
  VENUE_START: `${WEEK[0]}T08:00`,
  VENUE_SPEED: "600",
  CYCLE_AUTOSTART: "aggressive",
  WORKFLOW_TICK_SECONDS: "1",
  DOCTOR_TICK_SECONDS: "1",
  RISK_MONITOR_SECONDS: "1",
  BROKER_REQUESTS_PER_MINUTE: "100000",
  ALERT_WEBHOOK_URL: hook.url,
  ALERT_WEBHOOK_SECRET: hook.secret,
  ALERT_BATCH_SECONDS: "1",
  // The runtime settings catalyst.service gives the binary (its garbage-collection sizing), as systemd would.
  ...unitRuntimeEnv(),
};
const config = loadConfig(env);
const venueCall = venueFetch(config, API_KEY);
const venue = async (path: string, init: { method?: string; body?: unknown } = {}) =>
  (await venueCall(path, { method: init.method ?? "GET", body: init.body === undefined ? undefined : JSON.stringify(init.body) })).json() as Promise<any>;
const api = async (service: ServiceName, path: string, init: { method?: string; body?: unknown } = {}) => {
  const response = await fetch(`http://127.0.0.1:${servicePort(config, service)}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { "x-api-key": API_KEY, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
};
const marketNow = async () => Date.parse((await venue("/admin/v1/clock")).now);

const logFile = join(work.path, "appliance.log");
const spawn = (args: string[], log: string) => Bun.spawn([binary, ...args], { cwd: work.path, env, stdout: "ignore", stderr: Bun.file(log) });
const serveAll = () => spawn(["serve", "--only", SERVICE_NAMES.filter((s) => s !== "venue").join(",")], logFile);
const run = (args: string[], extra: Record<string, string> = {}) => {
  const done = Bun.spawnSync([binary, ...args], { cwd: work.path, env: { ...env, ...extra }, stdout: "pipe", stderr: "pipe" });
  if (done.exitCode !== 0) throw new Error(`catalyst ${args.join(" ")}: exit ${done.exitCode}: ${done.stderr.toString()}`);
  return done.stdout.toString().trim();
};

// ---- the appliance, its RSS, its database ----

const venueProcess = spawn(["venue"], join(work.path, "venue.log"));
await waitFor("the venue", () => fetch(`http://127.0.0.1:${servicePort(config, "venue")}/admin/v1/clock`).then(() => true, () => false), 30_000, 100);
let appliance = serveAll();
let sql = null as Sql | null;
const rssByDay = new Map<string, number>();
let today = WEEK[0]!;
const sampler = setInterval(() => {
  try {
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${appliance.pid}/status`, "utf8"))?.[1] ?? 0);
    rssByDay.set(today, Math.max(rssByDay.get(today) ?? 0, kb));
  } catch {
    // Between a kill and the restart there is no process to read.
  }
}, 500);

async function startServe(): Promise<void> {
  await waitFor("every service healthy", async () => {
    for (const service of SERVICE_NAMES) {
      const ok = await fetch(`http://127.0.0.1:${servicePort(config, service)}/health`).then((r) => r.status === 200, () => false);
      if (!ok) return false;
    }
    return true;
  }, 60_000, 250);
  const url = servingDatabaseUrl(dataDir);
  if (!url) throw new Error("the embedded database published no URL");
  sql = postgres(url, { max: 2, onnotice: () => undefined });
}

const db = () => sql!;
const t = { api, venue, get sql() { return db(); } };

// ---- the evening's checks ----

async function eveningChecks(day: string): Promise<void> {
  const problems = await disagreements(t);
  check(problems.length === 0, `${day}: DB = venue${problems.length ? ` (${problems.slice(0, 5).join("; ")})` : ""}`);

  // No naked position: every venue position has a working stop for its shares at the venue.
  const positions: any[] = await venue("/v2/positions");
  const open: any[] = await venue("/v2/orders?status=open&limit=500");
  const naked = positions.filter((p) => {
    const exitSide = p.side === "long" ? "sell" : "buy";
    const stopQty = open.filter((o) => o.symbol === p.symbol && o.side === exitSide && (o.type === "stop" || o.type === "stop_limit")).reduce((n, o) => n + Number(o.qty) - Number(o.filled_qty), 0);
    return stopQty < Math.abs(Number(p.qty));
  });
  check(naked.length === 0, `${day}: ${positions.length} position(s) held overnight, none naked${naked.length ? ` (naked: ${naked.map((p) => p.symbol).join(", ")})` : ""}`);

  // No lost fill: every share the venue filled is in the fills table, per order.
  const venueOrders: any[] = await venue(`/v2/orders?status=all&limit=500&direction=asc&nested=false&after=${new Date(etInstant(WEEK[0]!, "00:00")).toISOString()}`);
  const filled = await db()`select o.broker_order_id, coalesce(sum(f.qty), 0)::text as qty from orders o left join fills f using (order_id) where o.broker_order_id is not null group by o.broker_order_id`;
  const ours = new Map(filled.map((r) => [r.broker_order_id as string, Number(r.qty)]));
  const lost = venueOrders.filter((o) => Number(o.filled_qty) > 0 && ours.get(o.id) !== Number(o.filled_qty));
  check(lost.length === 0 && venueOrders.length < 500, `${day}: every venue fill in the fills table (${venueOrders.length} venue orders)${lost.length ? ` (lost: ${lost.map((o) => o.id).join(", ")})` : ""}`);

  const summaries = hook.deliveries.filter((d) => d.body.title.includes(`Day summary ${day}`));
  check(summaries.length === 1, `${day}: one day summary at the webhook (got ${summaries.length})`);

  // The evening's backup, restored into a fresh data dir, holds the same rows.
  const file = join(work.path, `backup-${day}.gz`);
  run(["backup", file]);
  const live = await countRows(db());
  const fresh = join(work.path, `restored-${day}`);
  mkdirSync(fresh, { recursive: true, mode: 0o700 });
  run(["restore", file], { CATALYST_DATA_DIR: fresh });
  const restored = await openEmbeddedDatabase({ dataDir: fresh });
  const restoredSql = postgres(restored.url, { max: 1, onnotice: () => undefined });
  const copy = await countRows(restoredSql);
  await restoredSql.end();
  await restored.close();
  rmSync(fresh, { recursive: true, force: true });
  check(JSON.stringify(copy) === JSON.stringify(live), `${day}: backup restored with the same rows ${JSON.stringify(live)}${JSON.stringify(copy) === JSON.stringify(live) ? "" : ` (restored ${JSON.stringify(copy)})`}`);
}

async function countRows(s: Sql): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of MAIN_TABLES) counts[table] = Number((await s.unsafe(`select count(*)::int as n from ${table}`))[0]!.n);
  return counts;
}

// ---- the week ----

async function crashAndRestart(day: string): Promise<void> {
  const before = await waitFor("Wednesday's cycle to have entries", async () => {
    const [c] = await db()`select c.cycle_id, (select count(*)::int from orders o where o.cycle_id = c.cycle_id and o.role = 'entry') as entries
                             from trading_cycles c where trading_date = ${day}`;
    return c && c.entries > 0 && (await marketNow()) >= etInstant(day, "10:30") ? c : null;
  }, DAY_TIMEOUT_MS, 250);
  appliance.kill("SIGKILL");
  await appliance.exited;
  await sql?.end({ timeout: 1 }).catch(() => undefined);
  console.log(`     ${day}: SIGKILL at ${new Date(await marketNow()).toISOString()} with ${before.entries} entr(ies) placed; starting again`);
  appliance = serveAll();
  await startServe();
  const resumed = await waitFor("the cycle to go on after the restart", async () => {
    const { body } = await api("workflow", "/api/v1/cycles/current");
    return body?.cycleId === before.cycle_id && Date.parse(body.lastActivityAt) > (await marketNow()) - 20 * 60_000 ? body : null;
  }, 60_000, 250);
  check(resumed.cycleId === before.cycle_id, `${day}: after SIGKILL the same cycle resumed (${resumed.state})`);
}

try {
  await startServe();
  for (const day of WEEK) {
    today = day;
    if (day !== WEEK[0]) await venue("/admin/v1/clock", { method: "PUT", body: { time: new Date(etInstant(day, "08:55")).toISOString(), speed: 600 } });
    const plan = session(day);
    if (!plan) {
      await waitFor(`${day} midday`, async () => (await marketNow()) >= etInstant(day, "12:00"), DAY_TIMEOUT_MS, 250);
      const [cycles] = await db()`select count(*)::int as n from trading_cycles where trading_date = ${day}`;
      check(cycles!.n === 0, `${day} (holiday): no cycle started`);
      const live = await db()`select trading_date::text from trading_cycles where state not in ('closed', 'error')`;
      check(live.length === 0, `${day} (holiday): the day before was finished (${live.map((r) => r.trading_date).join(", ") || "no live cycle"})`);
      continue;
    }
    const [cycle] = await waitFor(`${day}'s cycle autostarted`, async () => {
      const rows = await db()`select cycle_id, config->'plan'->>'close' as close from trading_cycles where trading_date = ${day}`;
      return rows.length > 0 ? rows : null;
    }, DAY_TIMEOUT_MS, 250);
    check(Date.parse(cycle!.close) === plan.close, `${day}: autostarted with the day's close ${cycle!.close}`);
    // Yesterday never blocks today: by the time today's cycle started, every earlier one was closed, saying why.
    const earlier = await db()`select trading_date::text as day, state, config->'end'->>'reason' as reason from trading_cycles where trading_date < ${day}`;
    check(earlier.every((c) => c.state === "closed"), `${day}: every earlier cycle closed (${earlier.map((c) => `${c.day} ${c.state}${c.reason ? `: ${c.reason}` : ""}`).join("; ") || "none"})`);
    const decided = await db()`select decision, reason from workflow_day_decisions where trading_date = ${day} order by decision_id`;
    console.log(`     ${day}: decisions ${decided.map((d) => `${d.decision} (${d.reason})`).join("; ")}`);
    if (day === CRASH_DAY) await crashAndRestart(day);
    // Evening: the summary is due 15 market minutes after the close.
    await waitFor(`${day}'s summary`, async () => hook.deliveries.some((d) => d.body.title.includes(`Day summary ${day}`)), DAY_TIMEOUT_MS, 250);
    const [state] = await db()`select state, (select count(*)::int from orders o where o.cycle_id = c.cycle_id and o.role = 'entry') as entries from trading_cycles c where cycle_id = ${cycle!.cycle_id}`;
    console.log(`     ${day}: cycle ${state!.state}, ${state!.entries} entr(ies); peak RSS so far ${((rssByDay.get(day) ?? 0) / 1024).toFixed(0)} MB`);
    await eveningChecks(day);
  }
} catch (error) {
  check(false, `the week ran to its end: ${(error as Error).message}`);
} finally {
  clearInterval(sampler);
  const peaks = WEEK.map((day) => `${day} ${((rssByDay.get(day) ?? 0) / 1024).toFixed(0)} MB`);
  const first = rssByDay.get(WEEK[0]!) ?? 0;
  const last = rssByDay.get(WEEK.at(-1)!) ?? 0;
  console.log(`RSS peak per day: ${peaks.join(", ")}; growth Monday → Friday ${((last - first) / 1024).toFixed(0)} MB`);
  await sql?.end({ timeout: 1 }).catch(() => undefined);
  appliance.kill("SIGTERM");
  await appliance.exited;
  const log = await Bun.file(logFile).text().catch(() => "");
  if (failures.length > 0 && log) console.log(`appliance log (tail):\n${log.split("\n").slice(-20).join("\n")}`);
  venueProcess.kill("SIGTERM");
  await venueProcess.exited;
  hook.stop();
  work.remove();
}
console.log(failures.length === 0 ? "week: all checks held" : `week: ${failures.length} check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
