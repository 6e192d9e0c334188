/** One symbol's pattern report: bars from the broker, the detectors, and a small cache. */
import { BrokerError, type Broker, type Timeframe } from "../../adapters/broker/broker.ts";
import { recentBars } from "../../adapters/broker/recent-bars.ts";
import { detectPatterns, PATTERN_RULES_VERSION } from "../../domain/patterns/detect.ts";
import type { PatternReport } from "../../contracts/pattern.ts";
import { marketNow } from "../../runtime/broker.ts";
import { ApiError } from "../../runtime/errors.ts";
import { LruCache } from "../../runtime/lru.ts";
import { checkEnough, loadPrevClose } from "./bars.ts";

/** Completed bars never change, so a report is reusable until a new bar closes. */
const CACHE_ENTRIES = 512;

export interface PatternRequest {
  symbol: string;
  timeframe: Timeframe;
  limit: number;
  minConfidence: number;
}

export type PatternAnalyzer = (request: PatternRequest) => Promise<PatternReport>;

export function createPatternAnalyzer(broker: Pick<Broker, "getClock" | "getBars" | "getAsset">): PatternAnalyzer {
  const cache = new LruCache<string, PatternReport>(CACHE_ENTRIES);

  const analyze = async ({ symbol, timeframe, limit }: PatternRequest): Promise<PatternReport> => {
    const now = await marketNow(broker);
    const bars = await recentBars(broker, symbol, timeframe, limit, now);
    // Only an empty answer needs the asset lookup, to tell an unknown ticker from one without bars yet.
    const symbolExists = bars.length > 0 || (await broker.getAsset(symbol)) !== null;
    checkEnough(symbol, timeframe, bars, symbolExists);
    const asOf = bars.at(-1)!.timestamp;
    const key = `${symbol}|${timeframe}|${limit}|${asOf}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const prevClose = await loadPrevClose(broker, symbol, timeframe, bars);
    const report: PatternReport = {
      symbol,
      timeframe,
      asOf,
      bars: bars.length,
      patterns: detectPatterns({ bars, timeframe, prevClose }),
      version: PATTERN_RULES_VERSION,
    };
    cache.set(key, report);
    return report;
  };

  return async (request) => {
    try {
      const report = await analyze(request);
      return { ...report, patterns: report.patterns.filter((p) => p.confidence >= request.minConfidence) };
    } catch (error) {
      if (error instanceof BrokerError) {
        throw new ApiError(503, "broker_unavailable", `market data is unavailable right now (${error.message}); try again shortly`);
      }
      throw error;
    }
  };
}
