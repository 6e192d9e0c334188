/**
 * The news tables: articles (dedupe_key unique, so a re-ingest is a no-op), their links to
 * securities (get_or_create_security: the ticker lives only in securities), and the two reads.
 * postgres.js hands NUMERIC and BIGINT back as strings and TIMESTAMPTZ as Date.
 */
import type { JSONValue, Sql } from "postgres";
import { type CatalystType, isCatalystType, type Polarity } from "../../domain/news/catalyst-rules.ts";
import type { CatalystMatch } from "../../domain/news/classify.ts";
import { SENTIMENT_LABELS, type Sentiment, type SentimentLabel } from "../../domain/news/sentiment.ts";

export interface ArticleToStore {
  dedupeKey: string;
  source: string;
  sourceArticleId: string | null;
  headline: string;
  summary: string;
  url: string | null;
  author: string | null;
  publishedAt: string;
  symbols: string[];
  sentiment: Sentiment;
  catalyst: CatalystMatch | null;
  /** Stored as JSONB: what produced the classification, for the audit. */
  metadata: Record<string, JSONValue>;
}

export async function lastPublishedAt(sql: Sql, symbols: readonly string[] | null): Promise<number | null> {
  const [row] = symbols
    ? await sql<{ at: Date | null }[]>`
        select max(a.published_at) as at
        from news_articles a
        join news_article_securities l on l.article_id = a.article_id
        join securities s on s.security_id = l.security_id
        where s.symbol = any(${symbols as string[]}::text[])`
    : await sql<{ at: Date | null }[]>`select max(published_at) as at from news_articles`;
  return row?.at ? row.at.getTime() : null;
}

export async function storedKeys(sql: Sql, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await sql<{ dedupe_key: string }[]>`select dedupe_key from news_articles where dedupe_key = any(${keys as string[]}::text[])`;
  return new Set(rows.map((r) => r.dedupe_key));
}

/**
 * Inserts the articles and their security links in ONE transaction: all or nothing. Returns the
 * ids of the rows this call inserted (a concurrent ingest that got there first keeps its own).
 */
export async function storeArticles(sql: Sql, articles: readonly ArticleToStore[]): Promise<Map<string, number>> {
  if (articles.length === 0) return new Map();
  return sql.begin(async (tx) => {
    // Scored just now: the database's clock, like created_at (an audit time, not market time).
    const [{ now }] = await tx<[{ now: Date }]>`select now() as now`;
    const rows = articles.map((a) => ({
      source: a.source,
      source_article_id: a.sourceArticleId,
      dedupe_key: a.dedupeKey,
      headline: a.headline,
      summary: a.summary,
      url: a.url,
      author: a.author,
      published_at: a.publishedAt,
      sentiment_score: a.sentiment.score,
      sentiment_label: a.sentiment.label,
      sentiment_confidence: a.sentiment.confidence,
      sentiment_model: a.sentiment.model,
      sentiment_at: now,
      catalyst_type: a.catalyst?.type ?? null,
      catalyst_strength: a.catalyst?.strength ?? null,
      metadata: tx.json(a.metadata),
    }));
    const inserted = await tx<{ article_id: string; dedupe_key: string }[]>`
      insert into news_articles ${tx(rows)}
      on conflict do nothing
      returning article_id, dedupe_key`;
    const ids = new Map(inserted.map((r) => [r.dedupe_key, Number(r.article_id)]));
    const links = articles.flatMap((a) => {
      const id = ids.get(a.dedupeKey);
      return id === undefined ? [] : a.symbols.map((symbol) => ({ id, symbol }));
    });
    if (links.length > 0) {
      // Sorted, so concurrent ingests create new securities in the same order (no deadlock).
      const symbols = [...new Set(links.map((l) => l.symbol))].sort();
      const securities = await tx<{ symbol: string; security_id: string }[]>`
        select symbol, get_or_create_security(symbol) as security_id
        from unnest(${symbols}::text[]) with ordinality as s(symbol, n)
        order by n`;
      const securityId = new Map(securities.map((s) => [s.symbol, s.security_id]));
      const linkRows = links.map((l) => ({ article_id: l.id, security_id: securityId.get(l.symbol)! }));
      await tx`insert into news_article_securities ${tx(linkRows)} on conflict do nothing`;
    }
    return ids;
  });
}

interface ArticleRow {
  article_id: string;
  source: string;
  headline: string;
  summary: string | null;
  url: string | null;
  published_at: Date;
  sentiment_score: string | null;
  sentiment_label: string | null;
  sentiment_confidence: string | null;
  sentiment_model: string | null;
  catalyst_type: string | null;
  catalyst_strength: string | null;
}

function sentimentOf(row: ArticleRow): Sentiment | null {
  if (row.sentiment_score === null || row.sentiment_model === null) return null;
  const label = SENTIMENT_LABELS.includes(row.sentiment_label as SentimentLabel) ? (row.sentiment_label as SentimentLabel) : "neutral";
  return { score: Number(row.sentiment_score), label, confidence: Number(row.sentiment_confidence ?? 0), model: row.sentiment_model };
}

export interface StoredArticle {
  id: number;
  source: string;
  headline: string;
  summary: string;
  url: string | null;
  publishedAt: string;
  symbols: string[];
  sentiment: Sentiment | null;
  catalyst: { type: CatalystType; strength: number } | null;
}

export async function listArticles(sql: Sql, query: { symbol: string | null; since: string | null; limit: number }): Promise<StoredArticle[]> {
  const rows = await sql<(ArticleRow & { symbols: string[] })[]>`
    select a.article_id, a.source, a.headline, a.summary, a.url, a.published_at,
           a.sentiment_score, a.sentiment_label, a.sentiment_confidence, a.sentiment_model,
           a.catalyst_type, a.catalyst_strength,
           array(select s.symbol from news_article_securities l join securities s on s.security_id = l.security_id
                 where l.article_id = a.article_id order by s.symbol) as symbols
    from news_articles a
    where true
      ${query.symbol === null ? sql`` : sql`and exists (select 1 from news_article_securities l join securities s on s.security_id = l.security_id
                                                      where l.article_id = a.article_id and s.symbol = ${query.symbol})`}
      ${query.since === null ? sql`` : sql`and a.published_at >= ${query.since}`}
    order by a.published_at desc, a.article_id desc
    limit ${query.limit}`;
  return rows.map((row) => ({
    id: Number(row.article_id),
    source: row.source,
    headline: row.headline,
    summary: row.summary ?? "",
    url: row.url,
    publishedAt: row.published_at.toISOString(),
    symbols: row.symbols,
    sentiment: sentimentOf(row),
    // A type this version does not know (written by a newer one) reads as no catalyst.
    catalyst: row.catalyst_type !== null && isCatalystType(row.catalyst_type) ? { type: row.catalyst_type, strength: Number(row.catalyst_strength) } : null,
  }));
}

export interface StoredCatalyst {
  articleId: number;
  symbol: string;
  type: CatalystType;
  strength: number;
  polarity: Polarity;
  sentiment: Sentiment | null;
  headline: string;
  publishedAt: string;
}

export async function listCatalysts(
  sql: Sql,
  query: { fromMs: number; toMs: number; minStrength: number; symbol: string | null; limit: number },
): Promise<StoredCatalyst[]> {
  const rows = await sql<(ArticleRow & { symbol: string; polarity: number | null })[]>`
    select a.article_id, s.symbol, a.source, a.headline, a.summary, a.url, a.published_at,
           a.sentiment_score, a.sentiment_label, a.sentiment_confidence, a.sentiment_model,
           a.catalyst_type, a.catalyst_strength, (a.metadata #>> '{catalyst,polarity}')::int as polarity
    from news_articles a
    join news_article_securities l on l.article_id = a.article_id
    join securities s on s.security_id = l.security_id
    where a.catalyst_type is not null
      and a.catalyst_strength >= ${query.minStrength}
      and a.published_at >= ${new Date(query.fromMs)}
      and a.published_at <= ${new Date(query.toMs)}
      ${query.symbol === null ? sql`` : sql`and s.symbol = ${query.symbol}`}
    order by a.published_at desc, a.article_id desc, s.symbol
    limit ${query.limit}`;
  return rows.flatMap((row) => {
    const type = row.catalyst_type;
    if (type === null || !isCatalystType(type)) return [];
    return [
      {
        articleId: Number(row.article_id),
        symbol: row.symbol,
        type,
        strength: Number(row.catalyst_strength),
        polarity: Math.sign(row.polarity ?? 0) as Polarity,
        sentiment: sentimentOf(row),
        headline: row.headline,
        publishedAt: row.published_at.toISOString(),
      },
    ];
  });
}
