/**
 * Pattern reports for one symbol or many: bars from the broker (one multi-symbol request for a
 * batch, one more for the previous closes), the detectors, and a small cache per bar set.
 */
import type { Bar, Broker, Timeframe } from "../../adapters/broker/broker.ts";
import { recentBarsOf } from "../../adapters/broker/recent-bars.ts";
import type { PatternReport } from "../../contracts/pattern.ts";
import { detectPatterns, PATTERN_RULES_VERSION } from "../../domain/patterns/detect.ts";
import { brokerFailure, marketNow } from "../../runtime/broker.ts";
import { ApiError } from "../../runtime/errors.ts";
import { LruCache } from "../../runtime/lru.ts";
import { checkEnough, loadPrevCloses } from "./bars.ts";

/** Completed bars never change, so a report is reusable until a new bar closes. */
const CACHE_ENTRIES = 512;

export interface PatternRequest {
  symbols: string[];
  timeframe: Timeframe;
  limit: number;
  minConfidence: number;
}

export type PatternOutcome = PatternReport | ApiError;
export type PatternAnalyzer = (request: PatternRequest) => Promise<Map<string, PatternOutcome>>;

export function createPatternAnalyzer(broker: Pick<Broker, "getClock" | "getBars" | "getAsset">): PatternAnalyzer {
  const cache = new LruCache<string, PatternReport>(CACHE_ENTRIES);

  const analyze = async ({ symbols, timeframe, limit }: PatternRequest): Promise<Map<string, PatternOutcome>> => {
    const now = await marketNow(broker);
    const barsBySymbol = await recentBarsOf(broker, symbols, timeframe, limit, now);
    const outcomes = new Map<string, PatternOutcome>();
    const toDetect = new Map<string, Bar[]>();
    for (const symbol of symbols) {
      const bars = barsBySymbol.get(symbol) ?? [];
      try {
        // Only an empty answer needs the asset lookup, to tell an unknown ticker from one without bars yet.
        checkEnough(symbol, timeframe, bars, bars.length > 0 || (await broker.getAsset(symbol)) !== null);
      } catch (error) {
        if (error instanceof ApiError) outcomes.set(symbol, error);
        else throw error;
        continue;
      }
      const cached = cache.get(`${symbol}|${timeframe}|${limit}|${bars.at(-1)!.timestamp}`);
      if (cached) outcomes.set(symbol, cached);
      else toDetect.set(symbol, bars);
    }
    const prevCloses = await loadPrevCloses(broker, timeframe, toDetect);
    for (const [symbol, bars] of toDetect) {
      const asOf = bars.at(-1)!.timestamp;
      const report: PatternReport = {
        symbol,
        timeframe,
        asOf,
        bars: bars.length,
        patterns: detectPatterns({ bars, timeframe, prevClose: prevCloses.get(symbol) ?? null }),
        version: PATTERN_RULES_VERSION,
      };
      cache.set(`${symbol}|${timeframe}|${limit}|${asOf}`, report);
      outcomes.set(symbol, report);
    }
    return outcomes;
  };

  return async (request) => {
    try {
      const outcomes = await analyze(request);
      for (const [symbol, outcome] of outcomes) {
        if (!(outcome instanceof ApiError)) outcomes.set(symbol, { ...outcome, patterns: outcome.patterns.filter((p) => p.confidence >= request.minConfidence) });
      }
      return outcomes;
    } catch (error) {
      throw brokerFailure(error);
    }
  };
}
