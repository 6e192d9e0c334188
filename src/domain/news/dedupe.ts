/**
 * The key that makes a re-ingest a no-op: the feed's own id when it has one, otherwise the
 * normalised headline and its (UTC) day, so the same story fetched twice is stored once.
 */
import { plainText } from "./text.ts";

export interface DedupeInput {
  source: string;
  sourceId: string | number | null;
  headline: string;
  /** ISO-8601 instant. */
  publishedAt: string;
}

const MAX_HEADLINE_KEY = 200;

export function dedupeKey(article: DedupeInput): string {
  const source = article.source.trim().toLowerCase() || "unknown";
  if (article.sourceId !== null && String(article.sourceId).trim() !== "") return `${source}:id:${String(article.sourceId).trim()}`;
  const headline = plainText(article.headline)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .slice(0, MAX_HEADLINE_KEY);
  return `${source}:headline:${article.publishedAt.slice(0, 10)}:${headline}`;
}
