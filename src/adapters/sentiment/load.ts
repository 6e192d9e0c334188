/**
 * The sentiment model the news service (and `catalyst sentiment`) uses: FinBERT from the models
 * folder when it is there and loads, otherwise the finance lexicon; the log says which and why.
 */
import type { Logger } from "../../runtime/log.ts";
import { finbertModel } from "./finbert.ts";
import { lexiconModel } from "./lexicon.ts";
import type { SentimentModel } from "./model.ts";
import { findModelFolder } from "./model-folder.ts";

export async function loadSentimentModel(modelsDir: string | null, log: Logger): Promise<SentimentModel> {
  const fallback = (reason: string) => {
    log.warn("sentiment model: finance lexicon (FinBERT not used)", { model: lexiconModel.name, reason });
    return lexiconModel;
  };
  if (modelsDir === null) {
    log.info("sentiment model: finance lexicon", { model: lexiconModel.name, reason: "CATALYST_MODELS_DIR is not set" });
    return lexiconModel;
  }
  const folder = findModelFolder(modelsDir);
  if (!folder.ok) return fallback(folder.reason);
  const started = performance.now();
  try {
    const model = await finbertModel(folder.dir, folder.quantized);
    // One real pass now, so a model that loads but cannot run is caught here, not at the first ingest.
    await model.score(["model check"]);
    log.info("sentiment model: FinBERT", { model: model.name, dir: folder.dir, quantized: folder.quantized, onnxRuntime: model.runtime, ms: Math.round(performance.now() - started) });
    return model;
  } catch (error) {
    return fallback(`${folder.dir} did not load: ${(error as Error).message}`);
  }
}
