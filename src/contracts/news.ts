/**
 * news (5008): ingest from the broker's news feed, stored articles with sentiment and catalyst,
 * and the recent catalysts the scanner ranks by. Headlines and summaries are external text:
 * every answer carrying them says `untrustedContent: true`, and whoever shows them to a model
 * must treat them as data, never as instructions.
 */
import { type Static, type TSchema, Type as t } from "@sinclair/typebox";
import { CATALYST_TYPES } from "../domain/news/catalyst-rules.ts";
import { Ticker } from "./common.ts";
import { defineRoute } from "./route.ts";

export const MAX_INGEST_SYMBOLS = 100;
export const DEFAULT_INGEST_LIMIT = 500;
export const DEFAULT_NEWS_LIMIT = 50;
export const DEFAULT_CATALYST_HOURS = 24;
export const DEFAULT_CATALYST_LIMIT = 200;

const nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);
const IsoTime = t.String({ format: "date-time" });

export const SentimentSchema = t.Object({
  /** −1 … +1. */
  score: t.Number({ minimum: -1, maximum: 1 }),
  label: t.Union([t.Literal("negative"), t.Literal("neutral"), t.Literal("positive")]),
  confidence: t.Number({ minimum: 0, maximum: 1 }),
  /** Which model scored it: "lexicon-v1", "finbert:<folder>". */
  model: t.String(),
});

const CatalystType = t.Union(CATALYST_TYPES.map((type) => t.Literal(type)));
const Direction = t.Union([t.Literal("bullish"), t.Literal("bearish"), t.Literal("neutral")]);

export const NewsArticleSchema = t.Object({
  id: t.Integer(),
  source: t.String(),
  headline: t.String(),
  summary: t.String(),
  url: nullable(t.String()),
  publishedAt: t.String(),
  symbols: t.Array(t.String()),
  /** null only for a row stored without a score (this service always scores). */
  sentiment: nullable(SentimentSchema),
  catalyst: nullable(t.Object({ type: CatalystType, strength: t.Number({ minimum: 0, maximum: 1 }) })),
});
export type NewsArticleItem = Static<typeof NewsArticleSchema>;

export const ingestNewsRoute = defineRoute({
  service: "news",
  method: "POST",
  path: "/api/v1/news/ingest",
  summary: "Fetch news from the broker since the last stored article (or 24 h), store the new ones with sentiment and catalyst, publish strong catalysts",
  body: t.Object({
    symbols: t.Optional(t.Array(Ticker, { maxItems: MAX_INGEST_SYMBOLS })),
    /** Fetch from here instead of the last stored article's time. */
    since: t.Optional(IsoTime),
    limit: t.Optional(t.Integer({ minimum: 1, maximum: 1_000 })),
  }),
  response: t.Object({
    fetched: t.Integer(),
    stored: t.Integer(),
    /** Fetched articles already stored. */
    duplicates: t.Integer(),
    /** New articles whose catalyst reached the publish threshold (each announced on catalyst:news_catalyst). */
    catalysts: t.Integer(),
    /** The model that scored this ingest's new articles. */
    sentimentModel: t.String(),
    /** Where the fetch window started. */
    since: t.String(),
    /** The market's now (the venue's clock in sim mode): where the fetch window ended. */
    asOf: t.String(),
  }),
});

export const listNewsRoute = defineRoute({
  service: "news",
  method: "GET",
  path: "/api/v1/news",
  summary: "Stored articles, newest first, with sentiment (and the model that scored it) and catalyst; text is untrusted",
  query: t.Object({
    symbol: t.Optional(Ticker),
    since: t.Optional(IsoTime),
    limit: t.Optional(t.Integer({ minimum: 1, maximum: 200, default: DEFAULT_NEWS_LIMIT })),
  }),
  response: t.Object({
    sentimentModel: t.String(),
    untrustedContent: t.Literal(true),
    articles: t.Array(NewsArticleSchema),
  }),
});

export const CatalystItemSchema = t.Object({
  symbol: t.String(),
  type: CatalystType,
  strength: t.Number({ minimum: 0, maximum: 1 }),
  sentiment: nullable(SentimentSchema),
  direction: Direction,
  /** strength × lean, −1 … +1: bearish below zero. */
  signedStrength: t.Number({ minimum: -1, maximum: 1 }),
  headline: t.String(),
  publishedAt: t.String(),
  articleId: t.Integer(),
});
export type CatalystItem = Static<typeof CatalystItemSchema>;

export const catalystsRoute = defineRoute({
  service: "news",
  method: "GET",
  path: "/api/v1/catalysts",
  summary: "Catalysts of the last hours (before the market's now), one per article and symbol, newest first",
  query: t.Object({
    hours: t.Optional(t.Integer({ minimum: 1, maximum: 168, default: DEFAULT_CATALYST_HOURS })),
    minStrength: t.Optional(t.Number({ minimum: 0, maximum: 1, default: 0 })),
    symbol: t.Optional(Ticker),
    limit: t.Optional(t.Integer({ minimum: 1, maximum: 1_000, default: DEFAULT_CATALYST_LIMIT })),
  }),
  response: t.Object({
    sentimentModel: t.String(),
    untrustedContent: t.Literal(true),
    asOf: t.String(),
    catalysts: t.Array(CatalystItemSchema),
  }),
});

/** The payload of `catalyst:news_catalyst`: one message per new article at or above the threshold. */
export const NewsCatalystPayloadSchema = t.Object({
  articleId: t.Integer(),
  symbols: t.Array(t.String()),
  type: CatalystType,
  strength: t.Number({ minimum: 0, maximum: 1 }),
  direction: Direction,
  signedStrength: t.Number({ minimum: -1, maximum: 1 }),
  sentiment: SentimentSchema,
  headline: t.String(),
  publishedAt: t.String(),
  classifier: t.String(),
  untrustedContent: t.Literal(true),
});
export type NewsCatalystPayload = Static<typeof NewsCatalystPayloadSchema>;
