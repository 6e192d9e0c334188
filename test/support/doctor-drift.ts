/**
 * Real drift between Catalyst's database and the simulated venue, for the doctor's integration
 * tests: bracket positions opened through the trading API, then changed behind Catalyst's back
 * through the venue (its admin API, or Alpaca's API signed by "someone else"), and the doctor's
 * sweep run as the library entry with the broker signed as "doctor".
 */
import type { trading } from "@alpacahq/alpaca-trade-api";
import type { Broker } from "../../src/adapters/broker/broker.ts";
import { createAlpacaBroker } from "../../src/adapters/broker/alpaca.ts";
import { brokerEndpoints } from "../../src/adapters/broker/endpoints.ts";
import type { Mailer } from "../../src/adapters/mail/mailer.ts";
import type { DoctorReport, ReportIssue } from "../../src/domain/doctor/report.ts";
import type { IssueType } from "../../src/domain/doctor/types.ts";
import { runSweep } from "../../src/doctor/sweep.ts";
import { createLogger } from "../../src/runtime/log.ts";
import type { TestAppliance } from "./appliance.ts";
import { waitFor } from "./env.ts";

type RetryConfig = trading.RetryConfig;

/**
 * The appliance the doctor tests start: a venue day running 10× from 10:30 ET (fills within ~0.1 s),
 * broker pacing off, no scheduled sweep (DOCTOR_TICK_SECONDS a day: the test's own sweeps must not
 * race one that fixes first), and a hard bound that lets tests raise the day's trade limit (the
 * limit in force is a risk_parameters row; the chaos test inserts one).
 */
export const DOCTOR_APPLIANCE_ENV = {
  VENUE_START: "2026-03-10T10:30",
  VENUE_SPEED: "10",
  BROKER_REQUESTS_PER_MINUTE: "100000",
  DOCTOR_TICK_SECONDS: "86400",
  RISK_MAX_TRADES_PER_DAY: "100000",
  TRADING_UNKNOWN_ORDER_SECONDS: "2",
};

/**
 * The broker as the doctor uses it: signed `catalyst-doctor/<version>`, so the venue's audit can tell its calls apart.
 * readRetry: reads retried as often as the shipped policy, with shorter waits (a test whose venue fails every request).
 */
export function doctorBroker(t: Pick<TestAppliance, "config" | "key">, options: { readRetry?: RetryConfig } = {}): Broker {
  return createAlpacaBroker({ ...brokerEndpoints(t.config, t.key), callerName: "doctor", requestsPerMinute: 100_000, readRetry: options.readRetry });
}

/** The shipped read retries (3, honouring Retry-After) with waits of tens of ms instead of 250 ms doubling. */
export const QUICK_READ_RETRY: RetryConfig = { maxRetries: 3, retryDelayMs: 10, maxDelayMs: 40, respectRetryAfter: true };

/**
 * The default rules cap phantom fixes at 3 an hour with a 5-minute cooldown (and qty_mismatch at
 * a 5-minute cooldown): right for production, too few for a test that fixes hundreds in minutes.
 * Tests lift the caps and cooldowns (nothing else: which rules auto-fix stays as shipped).
 */
export async function liftFixRateLimits(t: Pick<TestAppliance, "sql">): Promise<void> {
  await t.sql`update doctor_claude_rules set max_auto_fixes_per_hour = 1000000, cooldown_minutes = 0 where auto_fix_enabled`;
}

const quiet = createLogger("doctor-test", "error");

/**
 * The second look at a disagreement, for tests whose drift is made and waited for before the sweep
 * (and the trading sync run just before it): 100 ms after the first instead of the shipped 500 ms.
 * The second look still runs and still drops what it does not see again; a race seen in both looks
 * is reported and fails the test (nothing is let through that the longer wait would have caught).
 */
const TEST_CONFIRM_DELAY_MS = 100;

/**
 * One sweep, right after the trading service's own sync (which it runs every few seconds anyway):
 * positions opened moments ago have their first mark, so stale_pnl does not fire on a fresh book.
 * Its second look comes TEST_CONFIRM_DELAY_MS after the first unless `confirmDelayMs` says otherwise.
 */
export async function sweep(
  t: Pick<TestAppliance, "sql" | "api">,
  broker: Broker,
  options: { fix: boolean; mailer?: Mailer | null; confirmDelayMs?: number },
): Promise<DoctorReport> {
  await t.api("trading", "/api/v1/sync", { method: "POST" });
  const { report } = await runSweep(t.sql, broker, { mode: "sim", trigger: "cli", fix: options.fix, mailer: options.mailer ?? null, log: quiet, confirmDelayMs: options.confirmDelayMs ?? TEST_CONFIRM_DELAY_MS });
  return report;
}

export type FoundIssue = ReportIssue & { check: string };

export function issuesIn(report: DoctorReport, type?: IssueType): FoundIssue[] {
  return report.checks.flatMap((c) => c.issues.map((i) => ({ ...i, check: c.check }))).filter((i) => type === undefined || i.type === type);
}

export async function openDoctorIssues(t: Pick<TestAppliance, "sql">): Promise<{ issue_key: string; severity: string }[]> {
  return [...(await t.sql<{ issue_key: string; severity: string }[]>`select issue_key, severity from doctor_issues where resolved_at is null order by issue_id`)];
}

export interface BracketPosition {
  symbol: string;
  positionId: number;
  entryOrderId: number;
  qty: number;
  /** The DB order ids of its stop-loss and take-profit legs. */
  legOrderIds: number[];
}

/** A long market bracket of `qty` shares through the trading API (stop 10 % under, target 25 % over), waited for until its position is open. */
export async function openBracket(t: Pick<TestAppliance, "api" | "sql">, symbol: string, price: number, qty: number): Promise<BracketPosition> {
  const placed = await t.api("trading", "/api/v1/orders", {
    body: { symbol, side: "long", type: "market", qty, stopLoss: (price * 0.9).toFixed(2), takeProfit: (price * 1.25).toFixed(2), source: "api" },
  });
  if (placed.status !== 200) throw new Error(`bracket ${symbol} refused: ${placed.status} ${JSON.stringify(placed.body)}`);
  const position = await waitFor(
    `an open ${symbol} position`,
    async () => (await t.sql`select p.position_id from positions p where p.entry_order_id = ${placed.body.order.orderId} and p.status = 'open'`)[0],
    15_000,
    20,
  );
  return { symbol, positionId: Number(position.position_id), entryOrderId: placed.body.order.orderId, qty, legOrderIds: placed.body.legs.map((l: any) => l.orderId) };
}

/** A market order placed outside Catalyst (the venue's admin API: another app, the broker's web page), waited for until filled. */
export async function externalOrder(t: Pick<TestAppliance, "venue">, symbol: string, side: "buy" | "sell", qty: number): Promise<any> {
  const order = await t.venue("/admin/v1/orders", { body: { symbol, qty: String(qty), side, type: "market", time_in_force: "day" } });
  if (!order?.id) throw new Error(`external ${side} ${qty} ${symbol} refused: ${JSON.stringify(order)}`);
  return waitFor(`external order ${order.id} filled`, async () => {
    const now = await t.venue(`/v2/orders/${order.id}`);
    return now.status === "filled" && now;
  }, 15_000, 20);
}

/** Someone at the broker cancels a bracket's legs (signed as the test, not as Catalyst), then trading has recorded them cancelled. */
export async function cancelLegsAtBroker(t: Pick<TestAppliance, "venue" | "sql">, position: BracketPosition): Promise<void> {
  const legs = await t.sql`select broker_order_id from orders where order_id = any(${position.legOrderIds}) and status not in ('cancelled', 'filled', 'expired', 'rejected')`;
  for (const leg of legs) await t.venue(`/v2/orders/${leg.broker_order_id}`, { method: "DELETE" });
  await waitFor(`${position.symbol} legs cancelled in the database`, async () => {
    const [row] = await t.sql`select count(*)::int as live from orders where order_id = any(${position.legOrderIds}) and status <> 'cancelled'`;
    return row!.live === 0;
  }, 15_000, 20);
}

/** Closes a position through the trading API (an exit Catalyst places and records), waited for until the database has it closed. */
export async function closeThroughTrading(t: Pick<TestAppliance, "api" | "sql">, positionId: number): Promise<void> {
  const closed = await t.api("trading", `/api/v1/positions/${positionId}/close`, { body: { reason: "test cleanup" } });
  if (closed.status !== 200) throw new Error(`closing position ${positionId} refused: ${closed.status} ${JSON.stringify(closed.body)}`);
  await waitFor(`position ${positionId} closed`, async () => (await t.sql`select status from positions where position_id = ${positionId}`)[0]!.status === "closed", 15_000, 20);
}

export async function vanishAtVenue(t: Pick<TestAppliance, "venue">, symbol: string): Promise<void> {
  const answer = await t.venue(`/admin/v1/positions/${symbol}/vanish`, { body: {} });
  if (!answer?.vanished) throw new Error(`vanish ${symbol}: ${JSON.stringify(answer)}`);
}

/** An order row as if it had been sent long ago, carrying a broker id the venue never issued. */
export async function insertOrderUnknownToBroker(t: Pick<TestAppliance, "sql">, symbol: string): Promise<number> {
  const [row] = await t.sql`
    insert into orders (client_order_id, broker_order_id, security_id, role, order_class, side, order_type, time_in_force, qty, limit_price,
                        status, submitted_at, created_at, updated_at)
    values (${`cat-ghost-${crypto.randomUUID()}`}, ${crypto.randomUUID()}, get_or_create_security(${symbol}), 'entry', 'simple', 'buy', 'limit', 'day', 1, 1.00,
            'accepted', now() - interval '2 hours', now() - interval '2 hours', now() - interval '2 hours')
    returning order_id`;
  return Number(row!.order_id);
}

/** Writes by the doctor in the venue's audit: must stay empty. */
export async function doctorWritesAtVenue(t: Pick<TestAppliance, "venue">): Promise<{ all: number; writes: any[] }> {
  const { entries } = await t.venue("/admin/v1/audit?caller=catalyst-doctor&limit=10000");
  return { all: entries.length, writes: entries.filter((e: any) => ["POST", "PUT", "PATCH", "DELETE"].includes(e.method)) };
}
