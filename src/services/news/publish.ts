/** catalyst:news_catalyst: one message per newly stored article whose catalyst reaches the threshold. */
import type { Bus } from "../../adapters/bus/bus.ts";
import type { NewsCatalystPayload } from "../../contracts/news.ts";
import { CLASSIFIER_VERSION } from "../../domain/news/classify.ts";
import { catalystDirection } from "../../domain/news/direction.ts";
import type { Logger } from "../../runtime/log.ts";
import type { ArticleToStore } from "./store.ts";

/** Returns how many new catalysts reached the threshold. */
export async function publishCatalysts(
  bus: Bus,
  log: Logger,
  threshold: number,
  articles: readonly ArticleToStore[],
  storedIds: ReadonlyMap<string, number>,
): Promise<number> {
  let count = 0;
  for (const article of articles) {
    const articleId = storedIds.get(article.dedupeKey);
    const { catalyst } = article;
    // Not stored by this ingest (a concurrent one did), no catalyst, too weak, or about no security.
    if (articleId === undefined || !catalyst || catalyst.strength < threshold || article.symbols.length === 0) continue;
    const payload: NewsCatalystPayload = {
      articleId,
      symbols: article.symbols,
      type: catalyst.type,
      strength: catalyst.strength,
      ...catalystDirection(catalyst.strength, catalyst.polarity, article.sentiment.score),
      sentiment: article.sentiment,
      headline: article.headline,
      publishedAt: article.publishedAt,
      classifier: CLASSIFIER_VERSION,
      untrustedContent: true,
    };
    // Stored already: a bus that is down loses the notice, not the catalyst (GET /catalysts has it).
    if (!(await bus.publish("news_catalyst", payload))) log.warn("news_catalyst not published: bus down", { articleId });
    count++;
  }
  return count;
}
