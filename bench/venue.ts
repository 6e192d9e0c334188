/**
 * Venue figures: generator speed, and — against `catalyst venue` in its own process, through the
 * official Alpaca SDK over HTTP — orders accepted per second, snapshot latency for 1,000 symbols,
 * one day of 1-minute bars for 100 symbols, and the venue's RSS with the whole universe loaded.
 */
import { marketData, trading } from "@alpacahq/alpaca-trade-api";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SyntheticMarket } from "../src/services/venue/market/market.ts";
import { freePortBase } from "../test/support/env.ts";
import { fmt, median, rssMb, timed } from "./stats.ts";

const root = join(import.meta.dir, "..");



// ---- generator, in this process ----
const SEED = 1;
const universeBuild = await timed(async () => new SyntheticMarket(SEED));
const market = new SyntheticMarket(SEED);
const symbols = market.assets().filter((a) => a.tradable).map((a) => a.symbol);
const genSymbols = symbols.slice(0, 2_000);
const genMs = await timed(async () => {
  for (const symbol of genSymbols) market.minuteBars(symbol, "2026-03-10");
});

// ---- the venue, in its own process ----
const port = (await freePortBase()) + 7;
const dataDir = mkdtempSync(join(tmpdir(), "catalyst-bench-venue-"));
const child = Bun.spawn(["bun", join(root, "src/cli.ts"), "venue", "--port", String(port), "--seed", String(SEED), "--start", "2026-03-10T11:00"], {
  env: { PATH: process.env.PATH ?? "", HOME: dataDir, CATALYST_DATA_DIR: dataDir, CATALYST_LOG_LEVEL: "error", VENUE_KEY_ID: "bench", VENUE_SECRET_KEY: "bench-secret" },
  stdout: "ignore",
  stderr: "inherit",
});
const basePath = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  if (await fetch(`${basePath}/health`).then((r) => r.ok, () => false)) break;
  if (i > 300) throw new Error("venue did not start");
  await Bun.sleep(50);
}
const credentials = { basePath, keyId: "bench", secret: "bench-secret", timeoutMs: 30_000 };
const orders = new trading.OrdersApi(new trading.Configuration(credentials));
const stocks = new marketData.StockApi(new marketData.Configuration(credentials));

// Orders: far-below-market limit buys (they rest), 64 in flight at a time.
const ORDER_COUNT = 4_000;
const IN_FLIGHT = 64;
const liquid = symbols.slice(0, 50);
let next = 0;
const failures: string[] = [];
const orderMs = await timed(async () => {
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < ORDER_COUNT) {
        const n = next++;
        await orders
          .postOrder({
            postOrderRequest: { symbol: liquid[n % liquid.length]!, qty: "1", side: "buy", type: "limit", limitPrice: "0.01", timeInForce: "gtc", clientOrderId: `bench-${n}` },
          })
          .catch((error: Error) => failures.push(error.message));
      }
    }),
  );
});
if (failures.length > 0) console.error(`${failures.length} orders failed, e.g. ${failures[0]}`);

const snapshotSymbols = symbols.slice(0, 1_000).join(",");
const snapshotCold = await timed(() => stocks.stockSnapshots({ symbols: snapshotSymbols }));
const snapshotWarm: number[] = [];
for (let i = 0; i < 7; i++) snapshotWarm.push(await timed(() => stocks.stockSnapshots({ symbols: snapshotSymbols })));

const barSymbols = symbols.slice(2_000, 2_100).join(",");
const barRuns: number[] = [];
let barCount = 0;
for (let i = 0; i < 5; i++) {
  barRuns.push(
    await timed(async () => {
      barCount = 0;
      let pageToken: string | undefined;
      do {
        const page = await stocks.stockBars({ symbols: barSymbols, timeframe: "1Min", start: new Date("2026-03-10T08:00:00Z"), end: new Date("2026-03-10T16:00:00Z"), limit: 10_000, pageToken });
        for (const list of Object.values(page.bars ?? {})) barCount += list.length;
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
    }),
  );
}

// Whole universe: snapshots of every symbol in chunks, then the movers screen.
for (let i = 0; i < symbols.length; i += 1_000) await stocks.stockSnapshots({ symbols: symbols.slice(i, i + 1_000).join(",") });
await fetch(`${basePath}/v1beta1/screener/stocks/movers?top=10`, { headers: { "APCA-API-KEY-ID": "bench", "APCA-API-SECRET-KEY": "bench-secret" } });
const rss = rssMb(child.pid);
child.kill("SIGTERM");
await child.exited;
rmSync(dataDir, { recursive: true, force: true });

console.log(`\nSimulated venue (seed ${SEED}, ${symbols.length} tradable symbols)`);
console.log(`universe build                       ${fmt(universeBuild)} ms`);
console.log(`generator, 1-minute bars             ${fmt(genSymbols.length / (genMs / 1000))} symbol-days/s (${genSymbols.length} symbol-days in ${fmt(genMs)} ms)`);
console.log(`orders accepted via SDK              ${fmt((ORDER_COUNT - failures.length) / (orderMs / 1000))} orders/s (${ORDER_COUNT - failures.length} accepted, ${IN_FLIGHT} in flight)   target ≥ 2000/s`);
console.log(`snapshots, 1,000 symbols             median ${fmt(median(snapshotWarm), 1)} ms warm [${snapshotWarm.map((m) => fmt(m)).join(", ")}], first ${fmt(snapshotCold)} ms   target ≤ 50 ms`);
console.log(`1-min bars, 100 symbols × 1 day      median ${fmt(median(barRuns))} ms [${barRuns.map((m) => fmt(m)).join(", ")}] (${barCount} bars)`);
console.log(`venue RSS, whole universe loaded     ${fmt(rss)} MB   target ≤ 200 MB`);
