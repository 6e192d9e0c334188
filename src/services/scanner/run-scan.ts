/**
 * One scan, start to finish: universe → snapshots → pre-filter → enrichment of the top N →
 * direction-aware scores → ranked list. Evidence that cannot be had (a service down, a symbol
 * without enough bars) becomes a warning and a zero component, never a failed scan.
 */
import { randomUUID } from "node:crypto";
import type { ScanCandidate, ScanReport } from "../../contracts/scanner.ts";
import type { Broker } from "../../adapters/broker/broker.ts";
import type { ScannerSettings } from "../../config.ts";
import { etDate, lastCloseAtOrBefore, session } from "../../domain/exchange-calendar.ts";
import { SCAN_MODES, type ScanMode } from "../../domain/scanner/modes.ts";
import { prefilter } from "../../domain/scanner/prefilter.ts";
import { scoreCandidate, SCORING_VERSION } from "../../domain/scanner/score.ts";
import { relativeVolume } from "../../domain/scanner/snapshot-metrics.ts";
import { suggestLevels } from "../../domain/scanner/suggest.ts";
import { marketNow } from "../../runtime/broker.ts";
import type { ScanEvidence } from "./evidence.ts";
import type { ScannerMarketView } from "./market-view.ts";
import type { StoredCandidate } from "./store.ts";

export interface ScanRequest {
  mode: ScanMode;
  limit?: number;
  cycleId: string | null;
}

export interface ScanOutcome {
  report: ScanReport;
  stored: StoredCandidate[];
}

export async function runScan(
  request: ScanRequest,
  deps: { broker: Broker; market: ScannerMarketView; evidence: ScanEvidence; settings: ScannerSettings },
): Promise<ScanOutcome> {
  const began = performance.now();
  const { market, evidence, settings } = deps;
  const rules = SCAN_MODES[request.mode];
  const warnings: string[] = [];
  const stagesMs: ScanReport["stagesMs"] = { universe: 0, news: 0, snapshots: 0, averages: 0, enrichment: 0 };
  const timed = async <T>(stage: keyof ScanReport["stagesMs"], work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      stagesMs[stage] = Math.round(performance.now() - start);
    }
  };
  const nowMs = await marketNow(deps.broker);
  const lastCloseMs = lastCloseAtOrBefore(nowMs);

  // News is ingested and read while the universe and its snapshots load.
  const catalystsReady = timed("news", () => evidence.catalysts(warnings));
  const members = await timed("universe", () => market.tradableUniverse(nowMs));
  const shortable = new Map(members.map((m) => [m.symbol, m.shortable]));
  const metrics = await timed("snapshots", () => market.snapshotMetrics(members.map((m) => m.symbol), nowMs));
  const catalysts = await catalystsReady;

  const strongestCatalyst = new Map<string, number>();
  for (const [symbol, list] of catalysts) strongestCatalyst.set(symbol, Math.max(...list.map((c) => c.strength)));
  const today = session(etDate(nowMs));
  const regularOpen = today !== null && nowMs >= today.open && nowMs < today.close;
  const funnel = prefilter(metrics, settings, regularOpen, strongestCatalyst);

  // The 20-day average volume is fetched only for the enrichment set: the last universe rule applies here.
  const shortlist = funnel.ranked.slice(0, settings.enrichTop * 2);
  const averages = await timed("averages", () => market.averageDailyVolumes(shortlist.map((m) => m.symbol), nowMs));
  const enrichSet = shortlist.filter((m) => (averages.get(m.symbol) ?? 0) >= settings.minAvgVolume).slice(0, settings.enrichTop);
  const enriched = await timed("enrichment", () => evidence.forSymbols(enrichSet.map((m) => m.symbol), warnings));

  const scored = enrichSet.map((m) => {
    const relVol = relativeVolume(m.dayVolume, averages.get(m.symbol) ?? 0, nowMs);
    const found = enriched.get(m.symbol);
    const result = scoreCandidate(
      {
        symbol: m.symbol,
        price: m.price,
        changePct: m.changePct,
        relativeVolume: relVol,
        lastCloseMs,
        catalysts: catalysts.get(m.symbol) ?? [],
        technical: found?.technical ?? null,
        patterns: found?.patterns ?? [],
      },
      settings.weights,
    );
    return { metrics: m, relVol, result, atr: found?.atr ?? null };
  });

  const eligible = scored
    .filter(({ result }) => result.score >= rules.minScore)
    .filter(({ result, metrics }) => result.direction === "long" || (rules.allowShorts && shortable.get(metrics.symbol) === true))
    .sort((a, b) => b.result.score - a.result.score || (a.metrics.symbol < b.metrics.symbol ? -1 : 1))
    .slice(0, request.limit ?? rules.maxCandidates);

  const stored: StoredCandidate[] = eligible.map(({ metrics, relVol, result, atr }, i): StoredCandidate => {
    const candidate: ScanCandidate = {
      rank: i + 1,
      symbol: metrics.symbol,
      score: result.score,
      direction: result.direction,
      price: metrics.price,
      changePct: metrics.changePct,
      gapPct: metrics.gapPct,
      relativeVolume: relVol,
      components: result.components,
      reasons: result.reasons,
      suggested: suggestLevels(result.direction, metrics.price, result.bestPattern, atr),
      pattern: result.bestPattern?.name ?? null,
      catalyst: result.catalyst && {
        kind: result.catalyst.type,
        headline: result.catalyst.headline,
        strength: result.catalyst.strength,
        publishedAt: new Date(result.catalyst.publishedAt).toISOString(),
      },
    };
    return { ...candidate, dayVolume: metrics.dayVolume };
  });

  const report: ScanReport = {
    scanId: randomUUID(),
    cycleId: request.cycleId,
    mode: request.mode,
    asOf: new Date(nowMs).toISOString(),
    scoringVersion: SCORING_VERSION,
    weights: settings.weights,
    universeSize: funnel.universeSize,
    prefiltered: funnel.ranked.length,
    enriched: enrichSet.length,
    durationMs: Math.round(performance.now() - began),
    stagesMs,
    warnings,
    candidates: stored.map(({ dayVolume: _, ...candidate }) => candidate),
  };
  return { report, stored };
}
