/** technical (5003): the indicator set and technical signal of one symbol on one timeframe. */
import { type Static, type TSchema, Type as t } from "@sinclair/typebox";
import { INDICATOR_MIN_BARS } from "../domain/indicators/compute.ts";
import { batchResults, MAX_BATCH_SYMBOLS, Ticker, Timeframe } from "./common.ts";
import { defineRoute } from "./route.ts";

export const DEFAULT_TIMEFRAME: Timeframe = "5Min";
export const DEFAULT_BAR_LIMIT = 300;
export const MAX_BAR_LIMIT = 1_000;

const nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);

export const Indicators = t.Object({
  rsi14: nullable(t.Number()),
  macd: nullable(t.Object({ macd: t.Number(), signal: t.Number(), histogram: t.Number() })),
  ema9: nullable(t.Number()),
  ema20: nullable(t.Number()),
  ema50: nullable(t.Number()),
  ema200: nullable(t.Number()),
  sma20: nullable(t.Number()),
  sma50: nullable(t.Number()),
  /** Anchored to the last bar's ET session intraday; over all the bars on 1Day. */
  vwap: nullable(t.Number()),
  atr14: nullable(t.Number()),
  bb: nullable(t.Object({ upper: t.Number(), middle: t.Number(), lower: t.Number() })),
  stoch: nullable(t.Object({ k: t.Number(), d: t.Number() })),
  adx14: nullable(t.Number()),
  obv: nullable(t.Number()),
  /** Last bar's volume over the mean of the 20 bars before it. */
  relVolume: nullable(t.Number()),
});

export const TechnicalSignalSchema = t.Object({
  score: t.Integer({ minimum: 0, maximum: 100 }),
  direction: t.Union([t.Literal("long"), t.Literal("short"), t.Literal("neutral")]),
  reasons: t.Array(t.String()),
  version: t.String(),
});

export const IndicatorsResponse = t.Object({
  symbol: t.String(),
  timeframe: Timeframe,
  /** ISO start of the last bar used. */
  asOf: t.String(),
  /** How many bars the indicators were computed on (≤ limit). */
  bars: t.Integer(),
  indicators: Indicators,
  signal: TechnicalSignalSchema,
  /** true when served from the in-memory cache (same bars as a previous answer). */
  cached: t.Boolean(),
});

export type IndicatorsResponse = Static<typeof IndicatorsResponse>;

export const indicatorsRoute = defineRoute({
  service: "technical",
  method: "GET",
  path: "/api/v1/indicators/:symbol",
  summary: "Indicators (RSI, MACD, EMAs, SMAs, VWAP, ATR, Bollinger, Stochastic, ADX, OBV, relative volume) and the technical signal",
  params: t.Object({ symbol: Ticker }),
  query: t.Object({
    timeframe: t.Optional(t.Union(Timeframe.anyOf, { default: DEFAULT_TIMEFRAME })),
    /** Bars to compute on, the most recent; regular-session bars only for intraday timeframes. */
    limit: t.Optional(t.Integer({ minimum: INDICATOR_MIN_BARS, maximum: MAX_BAR_LIMIT, default: DEFAULT_BAR_LIMIT })),
  }),
  response: IndicatorsResponse,
});

export const indicatorsBatchRoute = defineRoute({
  service: "technical",
  method: "POST",
  path: "/api/v1/indicators/batch",
  summary: "The same for up to 100 symbols in one call (one market-data request): each symbol's report, or its error",
  body: t.Object({
    symbols: t.Array(Ticker, { minItems: 1, maxItems: MAX_BATCH_SYMBOLS }),
    timeframe: t.Optional(Timeframe),
    limit: t.Optional(t.Integer({ minimum: INDICATOR_MIN_BARS, maximum: MAX_BAR_LIMIT })),
  }),
  response: batchResults(IndicatorsResponse),
});
