/**
 * Indicators and signal for one symbol or many: bars from the broker (one multi-symbol request
 * for a batch), computed and cached per bar set. A per-symbol failure is that symbol's error.
 */
import type { MarketDataBroker, TradingBroker } from "../../adapters/broker/broker.ts";
import { recentBarsOf } from "../../adapters/broker/recent-bars.ts";
import type { Timeframe } from "../../contracts/common.ts";
import type { IndicatorsResponse } from "../../contracts/technical.ts";
import { computeIndicators } from "../../domain/indicators/compute.ts";
import { TECHNICAL_SIGNAL_VERSION, technicalSignal } from "../../domain/indicators/signal.ts";
import { brokerFailure, marketNow } from "../../runtime/broker.ts";
import { ApiError } from "../../runtime/errors.ts";
import { LruCache } from "../../runtime/lru.ts";

/** Answers kept: a full scan of a few hundred symbols on two or three timeframes fits. */
const CACHE_ENTRIES = 2_000;

type IndicatorsAnswer = Omit<IndicatorsResponse, "cached">;
export type IndicatorsOutcome = IndicatorsResponse | ApiError;

export type IndicatorEngine = (symbols: string[], timeframe: Timeframe, limit: number) => Promise<Map<string, IndicatorsOutcome>>;

export function indicatorEngine(broker: Pick<TradingBroker, "getClock"> & Pick<MarketDataBroker, "getBars">): IndicatorEngine {
  const cache = new LruCache<string, IndicatorsAnswer>(CACHE_ENTRIES);

  const one = (symbol: string, timeframe: Timeframe, limit: number, bars: Parameters<typeof computeIndicators>[0]): IndicatorsOutcome => {
    const last = bars.at(-1);
    if (!last) {
      return new ApiError(404, "unknown_symbol", `no ${timeframe} bars for ${symbol}: check the ticker is a listed, tradable US equity (GET /v2/assets/${symbol} on the broker)`, "symbol");
    }
    // Completed bars only, so the last one's start names the whole set.
    const key = `${symbol}|${timeframe}|${limit}|${last.timestamp}`;
    const hit = cache.get(key);
    if (hit) return { ...hit, cached: true };
    const computed = computeIndicators(bars, { vwapAnchor: timeframe === "1Day" ? "window" : "session" });
    if (computed.kind === "insufficient_bars") {
      return new ApiError(
        422,
        "insufficient_bars",
        `${symbol} has only ${computed.given} ${timeframe} bars up to now; the indicators need at least ${computed.needed}: ${timeframe === "1Min" ? "try again later" : "try a shorter timeframe (more bars per day), or later"}`,
      );
    }
    const answer: IndicatorsAnswer = {
      symbol,
      timeframe,
      asOf: last.timestamp,
      bars: bars.length,
      indicators: computed.indicators,
      signal: { ...technicalSignal(computed.indicators, last.close), version: TECHNICAL_SIGNAL_VERSION },
    };
    cache.set(key, answer);
    return { ...answer, cached: false };
  };

  return async (symbols, timeframe, limit) => {
    const bySymbol = await marketNow(broker)
      .then((now) => recentBarsOf(broker, symbols, timeframe, limit, now))
      .catch((error: unknown) => {
        throw brokerFailure(error);
      });
    return new Map(symbols.map((symbol) => [symbol, one(symbol, timeframe, limit, bySymbol.get(symbol) ?? [])]));
  };
}
