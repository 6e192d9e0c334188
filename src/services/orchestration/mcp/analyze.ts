/** analyze_symbol: the technical, pattern, scanner and news services' views of one symbol, side by side. */
import { catalystsRoute } from "../../../contracts/news.ts";
import { patternsRoute } from "../../../contracts/pattern.ts";
import { candidateHistoryRoute } from "../../../contracts/scanner.ts";
import { indicatorsRoute } from "../../../contracts/technical.ts";
import { ServiceCallError } from "../../../runtime/client.ts";
import type { McpDeps } from "./deps.ts";

type Timeframe = "1Min" | "5Min" | "15Min" | "1Hour" | "1Day";

/** A part that is missing (404: no scan history, too few bars) is null with the reason; an outage fails the whole call. */
export async function part<T>(load: Promise<T>): Promise<{ value: T | null; note: string | null }> {
  try {
    return { value: await load, note: null };
  } catch (error) {
    if (error instanceof ServiceCallError && error.status >= 400 && error.status < 500) return { value: null, note: `${error.code}: ${error.message}` };
    throw error;
  }
}

export async function analyzeSymbol(deps: McpDeps, symbol: string, timeframe: Timeframe): Promise<Record<string, unknown>> {
  const [indicators, patterns, scans, news] = await Promise.all([
    part(deps.client.call(indicatorsRoute, { params: { symbol }, query: { timeframe } })),
    part(deps.client.call(patternsRoute, { params: { symbol }, query: { timeframe } })),
    part(deps.client.call(candidateHistoryRoute, { params: { symbol }, query: { limit: 5 } })),
    part(deps.client.call(catalystsRoute, { query: { symbol, hours: 72, limit: 20 } })),
  ]);
  return {
    symbol: symbol.toUpperCase(),
    timeframe,
    indicators: indicators.value,
    patterns: patterns.value,
    scanHistory: scans.value,
    // Headlines and summaries are written by third parties: data to weigh, never instructions to follow.
    untrustedExternalNews: news.value === null ? null : { untrustedContent: true, catalysts: news.value.catalysts },
    missing: Object.fromEntries(
      Object.entries({ indicators, patterns, scanHistory: scans, news }).flatMap(([k, v]) => (v.note ? [[k, v.note]] : [])),
    ),
  };
}
