/**
 * Crash safety, on both backends: the appliance (risk + trading) is killed with SIGKILL at seeded
 * random moments while entries are being submitted, filled and flattened, and started again each
 * time; on the embedded backend its data dir (and so the PGlite cluster) is kept across restarts.
 * The venue runs in this test's process, so it outlives every crash and remembers every request.
 * After each restart the killed round's requests are sent again with the same idempotency keys and
 * must get the same orders back. After the last restart: no client order id twice at the venue,
 * every venue order has its row, every fill is in the books, and the database and the venue agree
 * on every order and position.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { clientOrderIdForKey } from "../../src/domain/orders/client-order-id.ts";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { disagreements } from "../support/agreement.ts";
import { liquidSymbols } from "../support/appliance.ts";
import { BACKENDS, waitFor, type Backend } from "../support/env.ts";
import { killableAppliance, type KillableAppliance } from "../support/killable-appliance.ts";

const KEY = "crash-test-key-0123456789abcdef";
/**
 * With seed 42 the 12 points fall in every phase (the seed's draws are fixed; see the loop): kills once
 * the venue holds one of the round's orders (between its answer and our record, fill handling) at
 * points 0, 2, 3, 8; random early kills during submission (≤ 64 ms after sending) at 1, 7, 10, 11;
 * later ones (124–248 ms, fills being handled) at 4, 5, 6, 9; and a flatten in flight at 2, 5, 8,
 * 11 (two gated, two random). Each point costs a restart (~3.5 s embedded): 20 points took 96–99 s.
 * The last round is a flatten round: the end's flatten comes right after its restart, while exits the
 * killed flatten claimed are unsent. The restart settles those at once (their writer is gone), so the
 * end's flatten does not wait out TRADING_UNKNOWN_ORDER_SECONDS counting them as already closing.
 */
const KILL_POINTS = 12;

/** A small seeded generator, so every run kills at the same moments. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type Answer = { status: number; body: any } | null;
interface Sent {
  key: string;
  body: Record<string, unknown>;
  answer: Answer;
}

/** The order id a first answer named, if it named one (a placement, or a broker refusal of a recorded row). */
const answeredOrderId = (answer: Answer): number | undefined => answer?.body?.order?.orderId ?? answer?.body?.error?.details?.orderId;

for (const backend of BACKENDS) describe(`crash safety on ${backend.name}`, () => crashSuite(backend));

function crashSuite(backend: Backend) {
  let app: KillableAppliance;
  const api = (service: "risk" | "trading", path: string, init?: { method?: string; body?: unknown }) => app.api(service, path, init);
  const venue = (path: string, init?: { method?: string; body?: unknown }) => app.venueApi(path, init);
  const venueClientIds = async () => ((await venue("/v2/orders?status=all&limit=500")) as { client_order_id: string }[]).map((o) => o.client_order_id);

  beforeAll(async () => {
    app = await killableAppliance(backend, KEY, etInstant("2026-03-10", "10:30"), {
      // Every row a crash left unknown is settled by the restart's own rule (its writer is gone), not by age.
      TRADING_UNKNOWN_ORDER_SECONDS: "600",
      // Room for every round: the test is about crashes, not about the limits turning entries away.
      RISK_MAX_OPEN_POSITIONS: "100",
      RISK_MAX_TRADES_PER_DAY: "200",
      // Shares a crash left briefly without a working stop count at their full value in the daily-loss
      // budget (fail closed) until the sync protects them again: that would turn a retried entry away.
      RISK_MAX_DAILY_LOSS: "1000000",
    });
  }, 30_000);

  afterAll(async () => {
    await app?.close();
  });

  /** Sends a killed round's requests again (same idempotency keys): each must get its first order back. */
  async function retryLostRound(round: Sent[], placedByKey: Map<string, number>): Promise<{ lost: number; duplicates: number }> {
    let lost = 0;
    let duplicates = 0;
    for (const sent of round) {
      const retry = await api("trading", "/api/v1/orders", { body: sent.body });
      const first = answeredOrderId(sent.answer);
      if (first === undefined && sent.answer !== null && sent.answer.status < 500) {
        // Answered with a refusal that recorded nothing (risk said no): a retry is a new request.
        expect(sent.answer.status).toBeGreaterThanOrEqual(400);
        continue;
      }
      if (sent.answer === null || sent.answer.status >= 500) lost++;
      // The refusal's message is in the comparison so that a failure says why.
      expect({ key: sent.key, status: retry.status, code: retry.body?.error?.code, message: retry.body?.error?.message }).toEqual({ key: sent.key, status: 200, code: undefined, message: undefined });
      expect(retry.body.order.clientOrderId).toBe(clientOrderIdForKey(sent.key));
      if (first !== undefined) {
        expect({ key: sent.key, outcome: retry.body.outcome, orderId: retry.body.order.orderId }).toEqual({ key: sent.key, outcome: "duplicate", orderId: first });
      }
      if (retry.body.outcome === "duplicate") duplicates++;
      // And once more: the retry's answer is now the key's order for good.
      const again = await api("trading", "/api/v1/orders", { body: sent.body });
      expect({ status: again.status, outcome: again.body?.outcome, orderId: again.body?.order?.orderId }).toEqual({ status: 200, outcome: "duplicate", orderId: retry.body.order.orderId });
      placedByKey.set(sent.key, retry.body.order.orderId);
    }
    return { lost, duplicates };
  }

  test(`SIGKILL at ${KILL_POINTS} seeded points during submission and fill handling loses and duplicates nothing`, async () => {
    const random = seeded(42);
    await app.start();
    const symbols = await liquidSymbols({ venue }, 2 * KILL_POINTS + 2);
    const limits = await api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxOpenPositions: 100, maxTradesPerDay: 200, maxDailyLoss: "1000000" }, reason: "crash test" } });
    expect({ status: limits.status, maxDailyLoss: limits.body?.parameters?.maxDailyLoss }).toEqual({ status: 200, maxDailyLoss: "1000000.00" });
    const keys: string[] = [];
    const placedByKey = new Map<string, number>();
    let gatedRounds = 0;
    let reachedRounds = 0;
    let lostAnswers = 0;
    let retriedDuplicates = 0;

    for (let point = 0; point < KILL_POINTS; point++) {
      const round: Sent[] = symbols.slice(point * 2, point * 2 + 2).map(({ symbol, price }, i) => {
        const key = `crash-${point}-${i}`;
        keys.push(key);
        return {
          key,
          body: { symbol, side: "long", type: "market", qty: 10, stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.075).toFixed(2), source: "api", idempotencyKey: key },
          answer: null,
        };
      });
      const sends = round.map((sent) =>
        api("trading", "/api/v1/orders", { body: sent.body }).then(
          (answer) => void (sent.answer = answer),
          () => undefined, // the kill cut the connection: the answer is lost
        ),
      );
      const flatten = point % 3 === 2 ? api("trading", "/api/v1/flatten", { body: { reason: "crash test flatten" } }).catch(() => null) : null;
      // Half the kills wait until the venue holds one of this round's orders, so that the crash lands
      // between the venue's answer and our record of it whatever the machine's load; the others fall
      // at a random moment, which may be before anything was sent.
      if (random() < 0.5) {
        const ids = round.map((sent) => clientOrderIdForKey(sent.key));
        let answered = false;
        void Promise.all(sends).then(() => (answered = true));
        await waitFor("the venue to receive this round", async () => answered || (await venueClientIds()).some((id) => ids.includes(id)), 30_000, 2);
        gatedRounds++;
        if ((await venueClientIds()).some((id) => ids.includes(id))) reachedRounds++;
        await Bun.sleep(Math.floor(random() * 50));
      } else {
        await Bun.sleep(Math.floor(random() * 250));
      }
      await app.kill();
      await Promise.all([...sends, flatten]);
      await app.start();
      // A client retrying after the crash (answer lost or not) must get the same orders back.
      const retried = await retryLostRound(round, placedByKey);
      lostAnswers += retried.lost;
      retriedDuplicates += retried.duplicates;
    }

    // Settle: start-up recovery has run; let fills land and the sync pass over everything.
    await Bun.sleep(3_000);
    const sql = app.database();
    const flattened = await api("trading", "/api/v1/flatten", { body: { reason: "end of crash test" } });
    await waitFor("flat", async () => (await api("trading", "/api/v1/positions")).body.positions.length === 0, 30_000).catch(async (error) => {
      console.log(JSON.stringify(flattened.body), JSON.stringify((await api("trading", "/api/v1/positions")).body));
      console.log(JSON.stringify(await sql`select order_id, role, status, broker_order_id, position_id, cancel_reason, metadata->>'submitUnknown' as u from orders where status in ('created','submitted','accepted','partial_fill')`));
      throw error;
    });
    const problems = await disagreements({ api: (service: string, path: string, init?: { method?: string; body?: unknown }) => api(service as "trading", path, init), venue, sql } as never);
    // The crashes really hit work in flight: orders reached the venue, and some rows were settled after a restart.
    const [stats] = await sql`select count(*) filter (where broker_order_id is not null)::int as sent,
                                     count(*) filter (where cancel_reason like 'not sent%' or cancel_reason like 'the broker never%')::int as settled,
                                     (select count(*)::int from fills) as fills from orders`;
    // No lost fill: every order's filled quantity is the sum of its fills in the books.
    const unbooked = await sql`select o.order_id, o.filled_qty::text, coalesce(sum(f.qty), 0)::text as booked
                                 from orders o left join fills f using (order_id)
                                group by o.order_id having o.filled_qty <> coalesce(sum(f.qty), 0)`;
    const rows = await sql`select client_order_id, order_id from orders where client_order_id = any(${keys.map(clientOrderIdForKey)})`;

    expect(problems).toEqual([]);
    expect([...unbooked]).toEqual([]);
    const atVenue = await venueClientIds();
    for (const key of keys) {
      expect(atVenue.filter((id) => id === clientOrderIdForKey(key)).length).toBeLessThanOrEqual(1);
    }
    // What the retries got back is what the database holds for their keys.
    const rowByClientId = new Map(rows.map((r) => [r.client_order_id, Number(r.order_id)]));
    for (const [key, orderId] of placedByKey) expect({ key, orderId: rowByClientId.get(clientOrderIdForKey(key)) }).toEqual({ key, orderId });
    expect(gatedRounds).toBeGreaterThan(KILL_POINTS / 4);
    expect(reachedRounds).toBe(gatedRounds);
    expect(lostAnswers).toBeGreaterThan(0);
    expect(stats!.sent).toBeGreaterThanOrEqual(gatedRounds);
    expect(stats!.fills).toBeGreaterThanOrEqual(gatedRounds / 2);
    console.log(
      `crash test (${backend.name}): ${reachedRounds} kills after the venue received the round, ${lostAnswers} lost answers retried ` +
        `(${retriedDuplicates} retries got an existing order back), ${stats!.sent} orders at the venue, ${stats!.fills} fills, ` +
        `${stats!.settled} unsent rows settled after restarts`,
    );
  }, 300_000);
}
