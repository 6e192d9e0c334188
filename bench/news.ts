/**
 * News figures, in this process: sentiment headlines per second for the finance lexicon and for
 * the transformers.js path (a tiny generated FinBERT-shaped model: it measures tokenizer, ONNX
 * Runtime and pipeline overhead, not a real FinBERT's 110 M parameters), and catalyst
 * classifications per second — over ~2,000 headline + summary texts from the venue's generator.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finbertModel } from "../src/adapters/sentiment/finbert.ts";
import { lexiconModel } from "../src/adapters/sentiment/lexicon.ts";
import type { SentimentModel } from "../src/adapters/sentiment/model.ts";
import { tradingDaysBetween } from "../src/domain/exchange-calendar.ts";
import { classifyCatalyst } from "../src/domain/news/classify.ts";
import { SyntheticMarket } from "../src/services/venue/market/market.ts";
import { writeTinySentimentModel } from "../test/support/tiny-sentiment-model.ts";
import { fmt, median, timed } from "./stats.ts";

const TEXTS = 2_000;
const market = new SyntheticMarket(1);
const items = tradingDaysBetween("2026-01-02", "2026-06-30").flatMap((day) => market.news(day)).slice(0, TEXTS);
if (items.length < TEXTS) throw new Error(`only ${items.length} news items generated`);
const texts = items.map((n) => `${n.headline}. ${n.summary}`);

async function perSecond(model: SentimentModel, runs: number): Promise<{ median: number; runs: number[] }> {
  await model.score(texts.slice(0, 50)); // warm-up: JIT, ONNX Runtime session
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) rates.push(TEXTS / ((await timed(() => model.score(texts))) / 1000));
  return { median: median(rates), runs: rates };
}

const modelDir = mkdtempSync(join(tmpdir(), "catalyst-bench-news-"));
try {
  const lexicon = await perSecond(lexiconModel, 7);
  const loadStarted = performance.now();
  const tiny = await finbertModel(writeTinySentimentModel(join(modelDir, "tiny-finbert")), true);
  const loadMs = performance.now() - loadStarted;
  const transformers = await perSecond(tiny, 5);
  const classifyRuns: number[] = [];
  for (let i = 0; i < 7; i++) {
    classifyRuns.push(TEXTS / ((await timed(async () => items.forEach((n) => classifyCatalyst(n.headline, n.summary)))) / 1000));
  }

  const list = (rates: number[]) => rates.map((r) => fmt(r)).join(", ");
  console.log(`\nNews (${TEXTS} headline + summary texts from the venue's generator)`);
  console.log(`sentiment, lexicon-v1                   median ${fmt(lexicon.median)} texts/s [${list(lexicon.runs)}]`);
  console.log(`sentiment, transformers.js (tiny model) median ${fmt(transformers.median)} texts/s [${list(transformers.runs)}], load ${fmt(loadMs)} ms`);
  console.log(`catalyst classification                 median ${fmt(median(classifyRuns))} texts/s [${list(classifyRuns)}]`);
} finally {
  rmSync(modelDir, { recursive: true, force: true });
}
