/**
 * Order path figures: an entry intent through trading (risk gate in the order transaction, the
 * bracket sent to the venue, its answer recorded) until the response, 1,000 times one after the
 * other; and the same bracket sent straight through the Alpaca SDK (our adapter, no risk, no
 * database) as the baseline. The venue clock is paused so nothing fills: each entry is a limit
 * 1.5 % under the market, cancelled (unmeasured) before the next. Run on the embedded database and
 * on the machine's PostgreSQL, one after the other.
 */
import { createAlpacaBroker } from "../src/adapters/broker/alpaca.ts";
import { brokerEndpoints } from "../src/adapters/broker/endpoints.ts";
import { liquidSymbols } from "../test/support/appliance.ts";
import { freshPostgresDatabase } from "../test/support/env.ts";
import { startBenchAppliance } from "./sim-appliance.ts";
import { fmt, median, percentile } from "./stats.ts";

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000);

interface Figures {
  ours: number[];
  bare: number[];
}

/** One appliance (venue, risk, trading) on the given database; the bracket path measured both ways. */
async function measure(databaseUrl: string | null): Promise<Figures> {
  const t = await startBenchAppliance(["venue", "risk", "trading"], databaseUrl);
  const trading = (path: string, body?: unknown) => t.api("trading", path, { body });

  const { symbol, price } = (await liquidSymbols(t, 1))[0]!;
  const limit = (price * 0.985).toFixed(2);
  const intent = { symbol, side: "long", type: "limit", limitPrice: limit, stopLoss: (price * 0.975).toFixed(2), takeProfit: (price * 1.06).toFixed(2), qty: 10, source: "api" };

  const ours: number[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const began = performance.now();
    const placed = await trading("/api/v1/orders", intent);
    ours.push(performance.now() - began);
    if (placed.status !== 200) throw new Error(`order ${i} failed: ${JSON.stringify(placed.body)}`);
    await trading(`/api/v1/orders/${placed.body.order.orderId}/cancel`, {});
  }

  const direct = createAlpacaBroker({ ...brokerEndpoints(t.config, t.key), callerName: "bench", requestsPerMinute: 1_000_000 });
  const bare: number[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const began = performance.now();
    const outcome = await direct.submitOrder({
      symbol,
      qty: "10",
      side: "buy",
      type: "limit",
      limitPrice: limit,
      timeInForce: "gtc",
      orderClass: "bracket",
      takeProfit: { limitPrice: intent.takeProfit },
      stopLoss: { stopPrice: intent.stopLoss },
      clientOrderId: `bench-${i}-${crypto.randomUUID().slice(0, 8)}`,
    });
    bare.push(performance.now() - began);
    if (outcome.kind !== "submitted") throw new Error(`bare order ${i}: ${JSON.stringify(outcome)}`);
    await direct.cancelOrder(outcome.order.id);
  }
  await t.stop();
  return { ours, bare };
}

function report(label: string, { ours, bare }: Figures) {
  const p50 = median(ours);
  console.log(`\nOrder path on ${label} (sim venue, ${ORDERS} bracket entries one after another)`);
  console.log(`intent → risk → venue → DB row       p50 ${fmt(p50, 1)} ms, p99 ${fmt(percentile(ours, 99), 1)} ms   targets p50 ≤ 10 ms, p99 ≤ 50 ms`);
  console.log(`same bracket straight through the SDK p50 ${fmt(median(bare), 1)} ms, p99 ${fmt(percentile(bare, 99), 1)} ms`);
  console.log(`ratio (p50 ours ÷ p50 SDK)            ${fmt(p50 / median(bare), 2)}×   target ≤ 3×`);
}

report("the embedded database", await measure(null));
const postgresDb = await freshPostgresDatabase();
try {
  report("PostgreSQL (127.0.0.1)", await measure(postgresDb.url));
} finally {
  await postgresDb.drop();
}
