/** Fetched articles → rows to store: dedupe key, tickers a security can hold, catalyst, sentiment. */
import type { NewsArticle } from "../../adapters/broker/broker.ts";
import { TICKER_PATTERN } from "../../contracts/common.ts";
import { CLASSIFIER_VERSION, classifyCatalyst } from "../../domain/news/classify.ts";
import { dedupeKey } from "../../domain/news/dedupe.ts";
import type { Sentiment } from "../../domain/news/sentiment.ts";
import { plainText } from "../../domain/news/text.ts";
import type { ArticleToStore } from "./store.ts";

const TICKER = new RegExp(TICKER_PATTERN);

/** Feed symbols a security can hold (the securities CHECK); anything else is dropped, not fatal. */
export function validSymbols(symbols: readonly string[]): string[] {
  return [...new Set(symbols.map((s) => s.trim().toUpperCase()).filter((s) => TICKER.test(s)))];
}

/** What the sentiment model reads: the headline, then the summary (HTML removed). */
export function sentimentText(article: NewsArticle): string {
  const summary = plainText(article.summary).trim();
  return summary ? `${article.headline.trim()}. ${summary}` : article.headline.trim();
}

/** The fetch's articles by dedupe key (a story fetched twice in one go counts once). */
export function byDedupeKey(articles: readonly NewsArticle[]): Map<string, NewsArticle> {
  return new Map(articles.map((a) => [dedupeKey({ source: a.source, sourceId: a.id, headline: a.headline, publishedAt: a.createdAt }), a]));
}

export function articleToStore(key: string, article: NewsArticle, sentiment: Sentiment): ArticleToStore {
  const catalyst = classifyCatalyst(article.headline, article.summary);
  return {
    dedupeKey: key,
    source: article.source || "unknown",
    sourceArticleId: String(article.id),
    headline: article.headline,
    summary: article.summary,
    url: article.url,
    author: article.author || null,
    publishedAt: article.createdAt,
    symbols: validSymbols(article.symbols),
    sentiment,
    catalyst,
    metadata: {
      classifier: CLASSIFIER_VERSION,
      updatedAt: article.updatedAt,
      feedSymbols: article.symbols,
      catalyst: catalyst && { polarity: catalyst.polarity, terms: catalyst.terms },
    },
  };
}
