/** `catalyst sentiment [--json] "headline" ...`: the news service's model, from the command line. */
import { loadSentimentModel } from "../adapters/sentiment/load.ts";
import { loadConfig } from "../config.ts";
import { createLogger } from "../runtime/log.ts";
import { UsageError } from "./args.ts";

export async function sentimentCommand(args: string[]): Promise<number> {
  const json = args.includes("--json");
  const texts = args.filter((a) => a !== "--json");
  const option = texts.find((a) => a.startsWith("--"));
  if (option) throw new UsageError(`unknown option for sentiment: ${option}`);
  if (texts.length === 0) throw new UsageError("sentiment needs at least one headline to score");
  const config = loadConfig();
  const model = await loadSentimentModel(config.news.modelsDir, createLogger("sentiment", config.logLevel));
  const scores = await model.score(texts);
  if (json) {
    console.log(JSON.stringify({ model: model.name, sentiments: texts.map((text, i) => ({ text, ...scores[i]! })) }));
    return 0;
  }
  console.log(`model: ${model.name}`);
  for (const [i, text] of texts.entries()) {
    const s = scores[i]!;
    console.log(`${s.label.padEnd(8)}  ${s.score >= 0 ? "+" : ""}${s.score.toFixed(4)}  confidence ${s.confidence.toFixed(2)}  ${text}`);
  }
  return 0;
}
