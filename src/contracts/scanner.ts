/** The scanner's routes (5001): run a scan, read the latest one, and a symbol's scan history. */
import { Type as t, type Static } from "@sinclair/typebox";
import { Ticker, TradeDirection } from "./common.ts";
import { defineRoute } from "./route.ts";

export const ScanMode = t.Union([t.Literal("conservative"), t.Literal("normal"), t.Literal("aggressive")]);
const Score = t.Number({ minimum: 0, maximum: 1 });

export const ScoreComponents = t.Object({
  catalyst: Score,
  momentum: Score,
  volume: Score,
  technical: Score,
  pattern: Score,
});

const Suggestion = t.Object({
  entry: t.Number(),
  stop: t.Number(),
  target: t.Number(),
  /** Which evidence set the levels: a pattern's name, or "atr". */
  basis: t.String(),
});

/** The news item a candidate's catalyst score credits. */
export const CandidateCatalyst = t.Object({
  /** earnings, fda, merger_acquisition, guidance, … */
  kind: t.String(),
  headline: t.String(),
  strength: Score,
  publishedAt: t.String(),
});
export type CandidateCatalyst = Static<typeof CandidateCatalyst>;

export const ScanCandidate = t.Object({
  rank: t.Integer({ minimum: 1 }),
  symbol: t.String(),
  /** Weighted sum of the components, 0–1, on the scale of the scan's scoringVersion. */
  score: Score,
  direction: TradeDirection,
  price: t.Number(),
  changePct: t.Number(),
  gapPct: t.Union([t.Number(), t.Null()]),
  relativeVolume: t.Union([t.Number(), t.Null()]),
  components: ScoreComponents,
  /** Why, in plain sentences: each component's evidence and every penalty applied. */
  reasons: t.Array(t.String()),
  suggested: t.Union([Suggestion, t.Null()]),
  /** The aligned chart pattern the pattern score credits (null: none; the stop then came from ATR). */
  pattern: t.Union([t.String(), t.Null()]),
  catalyst: t.Union([CandidateCatalyst, t.Null()]),
});

export const ScanReport = t.Object({
  scanId: t.String({ format: "uuid" }),
  cycleId: t.Union([t.String(), t.Null()]),
  mode: ScanMode,
  /** The market instant scanned (the venue's clock in sim mode). */
  asOf: t.String(),
  scoringVersion: t.String(),
  weights: ScoreComponents,
  universeSize: t.Integer(),
  prefiltered: t.Integer(),
  enriched: t.Integer(),
  durationMs: t.Integer(),
  /** Where the time went (stages overlap: news runs beside universe and snapshots). */
  stagesMs: t.Object({ universe: t.Integer(), news: t.Integer(), snapshots: t.Integer(), averages: t.Integer(), enrichment: t.Integer() }),
  /** Evidence that could not be gathered (a service down, a symbol without bars): the scan went on without it. */
  warnings: t.Array(t.String()),
  candidates: t.Array(ScanCandidate),
});
export type ScanReport = Static<typeof ScanReport>;
export type ScanCandidate = Static<typeof ScanCandidate>;
export type ScoreComponents = Static<typeof ScoreComponents>;

export const runScanRoute = defineRoute({
  service: "scanner",
  method: "POST",
  path: "/api/v1/scan",
  summary: "Scan the whole universe now and return the ranked candidates (stored, and published on catalyst:scan_complete)",
  body: t.Object({
    mode: t.Optional(ScanMode),
    limit: t.Optional(t.Integer({ minimum: 1, maximum: 50, description: "most candidates returned (default by mode)" })),
    cycleId: t.Optional(t.String({ format: "uuid", description: "the trading cycle this scan belongs to" })),
  }),
  response: ScanReport,
});

export const latestScanRoute = defineRoute({
  service: "scanner",
  method: "GET",
  path: "/api/v1/scan/latest",
  summary: "The most recent scan (404 before the first one)",
  response: ScanReport,
});

export const candidateHistoryRoute = defineRoute({
  service: "scanner",
  method: "GET",
  path: "/api/v1/scan/candidates/:symbol",
  summary: "How a symbol ranked in recent scans, newest first (404 if it never made a list)",
  params: t.Object({ symbol: Ticker }),
  query: t.Object({ limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20 })) }),
  response: t.Object({
    symbol: t.String(),
    appearances: t.Array(
      t.Object({
        scanId: t.String(),
        asOf: t.String(),
        scoringVersion: t.String(),
        rank: t.Integer(),
        score: Score,
        direction: TradeDirection,
        price: t.Number(),
        components: ScoreComponents,
        reasons: t.Array(t.String()),
      }),
    ),
  }),
});
