/**
 * Technical figures: the indicator set and signal for 100 symbols × one regular session of
 * 1-minute bars (390 each) from the synthetic market, in this process.
 */
import type { Bar } from "../src/adapters/broker/broker.ts";
import { session } from "../src/domain/exchange-calendar.ts";
import { computeIndicators } from "../src/domain/indicators/compute.ts";
import { technicalSignal } from "../src/domain/indicators/signal.ts";
import { SyntheticMarket } from "../src/services/venue/market/market.ts";
import { fmt, median, percentile } from "./stats.ts";

const DAY = "2026-03-10";
const SYMBOLS = 100;
const RUNS = 15;
const WARMUP_RUNS = 6;

const market = new SyntheticMarket(1);
const { open, close } = session(DAY)!;
const series: Bar[][] = market
  .assets()
  .filter((a) => a.tradable)
  .map((a) =>
    market
      .minuteBars(a.symbol, DAY)
      .filter((b) => b.t >= open && b.t < close)
      .map((b) => ({ timestamp: new Date(b.t).toISOString(), open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v, vwap: b.vw, tradeCount: b.n })),
  )
  // Liquid names trade every minute: a full session of bars each.
  .filter((bars) => bars.length === 390)
  .slice(0, SYMBOLS);
if (series.length < SYMBOLS) throw new Error(`only ${series.length} symbols with a full session of bars`);

function timedMs(run: () => void): number {
  const began = performance.now();
  run();
  return performance.now() - began;
}

function computeAll(): void {
  for (const bars of series) {
    const result = computeIndicators(bars);
    if (result.kind !== "ok") throw new Error("insufficient bars");
    technicalSignal(result.indicators, bars.at(-1)!.close);
  }
}

// Warm-up: the first passes run while the JIT is still compiling technicalindicators' generators.
const firstMs = timedMs(computeAll);
for (let i = 0; i < WARMUP_RUNS - 1; i++) computeAll();
const runs: number[] = [];
for (let i = 0; i < RUNS; i++) runs.push(timedMs(computeAll));

console.log(`\nTechnical indicators (${SYMBOLS} symbols × 390 one-minute bars, ${RUNS} runs)`);
console.log(`indicator set + signal, all symbols    median ${fmt(median(runs), 1)} ms, p90 ${fmt(percentile(runs, 90), 1)} ms [${runs.map((ms) => fmt(ms)).join(", ")}], first (cold) ${fmt(firstMs)} ms   target ≤ 100 ms`);
