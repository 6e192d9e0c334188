/** GET /api/v1/indicators/:symbol — bars from the broker, indicators and signal, cached per bar set. */
import type { MarketDataBroker, TradingBroker } from "../../adapters/broker/broker.ts";
import { recentBars } from "../../adapters/broker/recent-bars.ts";
import { DEFAULT_BAR_LIMIT, DEFAULT_TIMEFRAME, type IndicatorsResponse, type indicatorsRoute } from "../../contracts/technical.ts";
import type { RouteHandlerInput } from "../../contracts/route.ts";
import { computeIndicators } from "../../domain/indicators/compute.ts";
import { TECHNICAL_SIGNAL_VERSION, technicalSignal } from "../../domain/indicators/signal.ts";
import { marketNow } from "../../runtime/broker.ts";
import { ApiError } from "../../runtime/errors.ts";
import { LruCache } from "../../runtime/lru.ts";
import { brokerFailure } from "./broker-failure.ts";

/** Answers kept: a full scan of a few hundred symbols on two or three timeframes fits. */
const CACHE_ENTRIES = 2_000;

type IndicatorsAnswer = Omit<IndicatorsResponse, "cached">;

export function indicatorsHandler(broker: Pick<TradingBroker, "getClock"> & Pick<MarketDataBroker, "getBars">) {
  const cache = new LruCache<string, IndicatorsAnswer>(CACHE_ENTRIES);

  return async ({ params, query }: RouteHandlerInput<typeof indicatorsRoute>): Promise<IndicatorsResponse> => {
    const symbol = params.symbol.toUpperCase();
    const timeframe = query.timeframe ?? DEFAULT_TIMEFRAME;
    const limit = query.limit ?? DEFAULT_BAR_LIMIT;
    const bars = await marketNow(broker)
      .then((now) => recentBars(broker, symbol, timeframe, limit, now))
      .catch((error: unknown) => {
        throw brokerFailure(error);
      });
    const last = bars.at(-1);
    if (!last) {
      throw new ApiError(404, "unknown_symbol", `no ${timeframe} bars for ${symbol}: check the ticker is a listed, tradable US equity (GET /v2/assets/${symbol} on the broker)`, "symbol");
    }
    // Completed bars only, so the last one's start names the whole set.
    const key = `${symbol}|${timeframe}|${limit}|${last.timestamp}`;
    const hit = cache.get(key);
    if (hit) return { ...hit, cached: true };

    const computed = computeIndicators(bars, { vwapAnchor: timeframe === "1Day" ? "window" : "session" });
    if (computed.kind === "insufficient_bars") {
      throw new ApiError(
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
}
