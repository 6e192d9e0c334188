/**
 * The enrichment evidence, asked of the news, technical and pattern services through their shared
 * contracts. A failure is a warning and missing evidence (a zero component), never a failed scan.
 */
import { catalystsRoute, ingestNewsRoute } from "../../contracts/news.ts";
import { MAX_BATCH_SYMBOLS } from "../../contracts/common.ts";
import { patternsBatchRoute } from "../../contracts/pattern.ts";
import { indicatorsBatchRoute } from "../../contracts/technical.ts";
import type { CatalystEvidence, PatternEvidence, TechnicalEvidence } from "../../domain/scanner/score.ts";
import { type ServiceClient, ServiceCallError } from "../../runtime/client.ts";
import { chunk } from "../../runtime/concurrency.ts";

export interface SymbolEvidence {
  technical: TechnicalEvidence | null;
  patterns: PatternEvidence[];
  atr: number | null;
}

export interface ScanEvidence {
  /** Fresh catalysts of the last 24 h by symbol (news is ingested first, so the scan sees the latest). */
  catalysts(warnings: string[]): Promise<Map<string, CatalystEvidence[]>>;
  forSymbols(symbols: string[], warnings: string[]): Promise<Map<string, SymbolEvidence>>;
}

const TIMEFRAME = "5Min" as const;

const describe = (error: unknown) => (error instanceof ServiceCallError ? error.message : String(error));

export function serviceEvidence(client: ServiceClient): ScanEvidence {
  return {
    async catalysts(warnings) {
      const bySymbol = new Map<string, CatalystEvidence[]>();
      try {
        await client.call(ingestNewsRoute, { body: {} }, { timeoutMs: 30_000 });
      } catch (error) {
        warnings.push(`news ingest failed, catalysts may be stale: ${describe(error)}`);
      }
      try {
        const answer = await client.call(catalystsRoute, { query: { hours: 24, limit: 1000 } });
        for (const c of answer.catalysts) {
          const list = bySymbol.get(c.symbol) ?? [];
          list.push({ type: c.type, strength: c.strength, direction: c.direction, headline: c.headline, publishedAt: Date.parse(c.publishedAt) });
          bySymbol.set(c.symbol, list);
        }
      } catch (error) {
        warnings.push(`no catalysts: the news service failed (${describe(error)}); catalyst components are 0`);
      }
      return bySymbol;
    },

    async forSymbols(symbols, warnings) {
      const found = new Map<string, SymbolEvidence>(symbols.map((symbol) => [symbol, { technical: null, patterns: [], atr: null }]));
      // Batches: each service reads the market once per batch, not once per symbol (broker rate limits).
      await Promise.all(
        chunk(symbols, MAX_BATCH_SYMBOLS).map(async (batch) => {
          const [technical, patterns] = await Promise.allSettled([
            client.call(indicatorsBatchRoute, { body: { symbols: batch, timeframe: TIMEFRAME } }, { timeoutMs: 30_000 }),
            client.call(patternsBatchRoute, { body: { symbols: batch, timeframe: TIMEFRAME } }, { timeoutMs: 30_000 }),
          ]);
          if (technical.status === "rejected") warnings.push(`no indicators for ${batch.length} symbols (${describe(technical.reason)})`);
          else {
            for (const { symbol, report, error } of technical.value.results) {
              if (error) warnings.push(`${symbol}: no indicators (${error.message})`);
              if (report) Object.assign(found.get(symbol)!, { technical: { score: report.signal.score, direction: report.signal.direction }, atr: report.indicators.atr14 });
            }
          }
          if (patterns.status === "rejected") warnings.push(`no patterns for ${batch.length} symbols (${describe(patterns.reason)})`);
          else {
            for (const { symbol, report, error } of patterns.value.results) {
              if (error) warnings.push(`${symbol}: no patterns (${error.message})`);
              if (report) found.get(symbol)!.patterns = report.patterns;
            }
          }
        }),
      );
      return found;
    },
  };
}
