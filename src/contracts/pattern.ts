/** The pattern service's route (5002): chart and candlestick patterns on a symbol's recent bars. */
import { Type as t, type Static } from "@sinclair/typebox";
import { batchResults, MAX_BATCH_SYMBOLS, Ticker, Timeframe, TradeDirection } from "./common.ts";
import { defineRoute } from "./route.ts";

export const DetectedPatternSchema = t.Object({
  /** snake_case, e.g. bull_flag, breakout, bullish_abcd, gap_and_go, vwap_reclaim, bullish_engulfing. */
  name: t.String(),
  kind: t.Union([t.Literal("chart"), t.Literal("candlestick")]),
  direction: TradeDirection,
  confidence: t.Number({ minimum: 0, maximum: 1 }),
  /** Suggested levels on the tick grid: long stop < entry < target, short the reverse. */
  entry: t.Number(),
  stop: t.Number(),
  target: t.Number(),
  /** Timestamps of the pattern's first and last bar. */
  startTime: t.String(),
  endTime: t.String(),
  reasons: t.Array(t.String()),
});

export const PatternReport = t.Object({
  symbol: t.String(),
  timeframe: Timeframe,
  /** Timestamp of the last (completed) bar analysed. */
  asOf: t.String(),
  /** How many bars were analysed. */
  bars: t.Integer(),
  /** Most confident first. */
  patterns: t.Array(DetectedPatternSchema),
  /** The detectors' rules version. */
  version: t.String(),
});
export type PatternReport = Static<typeof PatternReport>;

export const patternsRoute = defineRoute({
  service: "pattern",
  method: "GET",
  path: "/api/v1/patterns/:symbol",
  summary: "Chart and candlestick patterns completed on the symbol's latest regular-session bars, with entry, stop and target",
  params: t.Object({ symbol: Ticker }),
  query: t.Object({
    timeframe: t.Optional(t.Union(Timeframe.anyOf, { default: "5Min", description: "bar size (default 5Min)" })),
    limit: t.Optional(t.Integer({ minimum: 20, maximum: 500, default: 120, description: "bars analysed, the latest ones (default 120)" })),
    minConfidence: t.Optional(t.Number({ minimum: 0, maximum: 1, default: 0, description: "leave out patterns below this confidence" })),
  }),
  response: PatternReport,
});

export const patternsBatchRoute = defineRoute({
  service: "pattern",
  method: "POST",
  path: "/api/v1/patterns/batch",
  summary: "The same for up to 100 symbols in one call (one market-data request): each symbol's report, or its error",
  body: t.Object({
    symbols: t.Array(Ticker, { minItems: 1, maxItems: MAX_BATCH_SYMBOLS }),
    timeframe: t.Optional(Timeframe),
    limit: t.Optional(t.Integer({ minimum: 20, maximum: 500 })),
    minConfidence: t.Optional(t.Number({ minimum: 0, maximum: 1 })),
  }),
  response: batchResults(PatternReport),
});
