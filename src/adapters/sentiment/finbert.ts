/**
 * FinBERT (or any positive/negative/neutral text classifier) through @xenova/transformers,
 * loaded only from a local folder: remote models are switched off, so nothing is downloaded.
 * score = p(positive) − p(negative); the label is the most probable class, its probability the confidence.
 */
import { basename, dirname } from "node:path";
import { round4, SENTIMENT_LABELS, type Sentiment, type SentimentLabel } from "../../domain/news/sentiment.ts";
import type { SentimentModel } from "./model.ts";
import { configureOnnxWasm, useOnnxWasm } from "./onnx-runtime.ts";

/** Texts per forward pass: padding is to the longest in the batch, so small batches stay cheap. */
const BATCH = 16;

type Classifier = (texts: string[], options: { topk: null }) => Promise<{ label: string; score: number }[][]>;

function toSentiment(scores: readonly { label: string; score: number }[], model: string): Sentiment {
  const p = (label: SentimentLabel) => scores.find((s) => s.label.toLowerCase() === label)?.score ?? 0;
  const label = SENTIMENT_LABELS.reduce((best, l) => (p(l) > p(best) ? l : best), "neutral" as SentimentLabel);
  return { score: round4(p("positive") - p("negative")), label, confidence: round4(p(label), 0, 1), model };
}

export interface FinbertModel extends SentimentModel {
  /** The ONNX Runtime WebAssembly file in use. */
  runtime: string;
}

/** Loads the model in `dir` (a folder checked by findModelFolder). Throws if transformers.js cannot. */
export async function finbertModel(dir: string, quantized: boolean): Promise<FinbertModel> {
  await useOnnxWasm();
  // Imported on first use: the appliance without a model never loads transformers or ONNX Runtime.
  const { env, pipeline } = await import("@xenova/transformers");
  const runtime = configureOnnxWasm(env.backends.onnx);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(dir)}/`;
  env.useFSCache = false;
  env.useBrowserCache = false;
  const classify = (await pipeline("text-classification", basename(dir), { quantized })) as unknown as Classifier;
  const name = `finbert:${basename(dir)}`;
  return {
    name,
    runtime,
    async score(texts) {
      const results: Sentiment[] = [];
      for (let i = 0; i < texts.length; i += BATCH) {
        const output = await classify(texts.slice(i, i + BATCH), { topk: null });
        for (const scores of output) results.push(toSentiment(scores, name));
      }
      return results;
    },
  };
}
