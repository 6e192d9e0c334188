/**
 * One ingest: fetch the broker's news since the last stored article (or 24 h before the market's
 * now), skip what is stored, classify and score the rest (one sentiment batch), store it all in one
 * transaction, then publish each new catalyst at or above the threshold on catalyst:news_catalyst.
 */
import type { Sql } from "postgres";
import type { Broker } from "../../adapters/broker/broker.ts";
import type { Bus } from "../../adapters/bus/bus.ts";
import { lexiconModel } from "../../adapters/sentiment/lexicon.ts";
import type { SentimentModel } from "../../adapters/sentiment/model.ts";
import type { Sentiment } from "../../domain/news/sentiment.ts";
import { marketNow } from "../../runtime/broker.ts";
import { ApiError, via } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import { brokerUnavailable, databaseUnavailable } from "./failures.ts";
import { articleToStore, byDedupeKey, sentimentText, validSymbols } from "./prepare.ts";
import { publishCatalysts } from "./publish.ts";
import { lastPublishedAt, storeArticles, storedKeys } from "./store.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface IngestDeps {
  sql: Sql;
  bus: Bus;
  broker: Pick<Broker, "getClock" | "getNews">;
  model: SentimentModel;
  log: Logger;
  catalystThreshold: number;
}

export interface IngestRequest {
  symbols?: string[];
  since?: string;
  limit: number;
}

export interface IngestResult {
  fetched: number;
  stored: number;
  duplicates: number;
  catalysts: number;
  sentimentModel: string;
  since: string;
  asOf: string;
}

/** Where the fetch starts: as asked, else the last stored article (of these symbols), else a day back. */
async function windowStart(sql: Sql, request: IngestRequest, symbols: string[] | null, nowMs: number): Promise<number> {
  if (request.since !== undefined) {
    const since = Date.parse(request.since);
    if (since > nowMs) {
      throw new ApiError(422, "validation_failed", `body field "since": ${request.since} is after the market's now (${new Date(nowMs).toISOString()})`, "since");
    }
    return since;
  }
  const last = await via(() => lastPublishedAt(sql, symbols), databaseUnavailable);
  // A stored article "after" now means the simulated clock was set back: start from a day ago.
  return last !== null && last <= nowMs ? last : nowMs - DAY_MS;
}

/** The model's scores, or the lexicon's when the model fails: a broken model must not stop the news. */
async function score(model: SentimentModel, texts: string[], log: Logger): Promise<{ model: SentimentModel; sentiments: Sentiment[] }> {
  try {
    return { model, sentiments: await model.score(texts) };
  } catch (error) {
    log.warn("sentiment model failed; this ingest is scored by the finance lexicon", { model: model.name, error: (error as Error).message });
    return { model: lexiconModel, sentiments: await lexiconModel.score(texts) };
  }
}

export async function ingestNews(deps: IngestDeps, request: IngestRequest): Promise<IngestResult> {
  const { sql, broker, log } = deps;
  const symbols = request.symbols ? validSymbols(request.symbols) : null;
  const nowMs = await via(() => marketNow(broker), brokerUnavailable);
  const sinceMs = await windowStart(sql, request, symbols, nowMs);
  const articles = await via(
    () => broker.getNews({ symbols: symbols ?? undefined, start: new Date(sinceMs).toISOString(), end: new Date(nowMs).toISOString(), limit: request.limit }),
    brokerUnavailable,
  );
  if (articles.length === request.limit) {
    log.warn("news ingest hit its limit: older articles in the window were not fetched", { limit: request.limit, since: new Date(sinceMs).toISOString() });
  }

  const fetched = byDedupeKey(articles);
  const known = await via(() => storedKeys(sql, [...fetched.keys()]), databaseUnavailable);
  const fresh = [...fetched].filter(([key]) => !known.has(key));
  const scored = await score(deps.model, fresh.map(([, article]) => sentimentText(article)), log);
  const rows = fresh.map(([key, article], i) => articleToStore(key, article, scored.sentiments[i]!));
  const storedIds = await via(() => storeArticles(sql, rows), databaseUnavailable);
  const catalysts = await publishCatalysts(deps.bus, log, deps.catalystThreshold, rows, storedIds);
  return {
    fetched: articles.length,
    stored: storedIds.size,
    duplicates: articles.length - storedIds.size,
    catalysts,
    sentimentModel: scored.model.name,
    since: new Date(sinceMs).toISOString(),
    asOf: new Date(nowMs).toISOString(),
  };
}
