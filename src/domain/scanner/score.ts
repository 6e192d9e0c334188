/**
 * The composite score (K37: the original scored the size of a move whatever its direction, so a
 * 6 % drop looked "optimal" to a long-only system, and its top scores lost money). Here the
 * direction comes first — from the news, else from the move — and every component measures
 * evidence FOR that direction, 0–1, with a sentence saying why. Extended moves are penalised.
 */
export const SCORING_VERSION = "scan-3.0.0";

export type TradeDirection = "long" | "short";

export interface ScoreWeights {
  catalyst: number;
  momentum: number;
  volume: number;
  technical: number;
  pattern: number;
}

export type Components = ScoreWeights;

export interface CatalystEvidence {
  type: string;
  strength: number;
  direction: "bullish" | "bearish" | "neutral";
  headline: string;
  /** Epoch ms. */
  publishedAt: number;
}

export interface TechnicalEvidence {
  score: number;
  direction: "long" | "short" | "neutral";
}

export interface PatternEvidence {
  name: string;
  direction: TradeDirection;
  confidence: number;
  entry: number;
  stop: number;
  target: number;
}

export interface CandidateEvidence {
  symbol: string;
  price: number;
  changePct: number;
  relativeVolume: number | null;
  /** The last regular-session close before the scan (epoch ms): news older than it is already in the price. */
  lastCloseMs: number;
  catalysts: CatalystEvidence[];
  technical: TechnicalEvidence | null;
  patterns: PatternEvidence[];
}

export interface ScoredCandidate {
  symbol: string;
  direction: TradeDirection;
  score: number;
  components: Components;
  reasons: string[];
  /** The aligned pattern with the highest confidence, if any: its levels become the suggestion. */
  bestPattern: PatternEvidence | null;
  /** The news the catalyst component credits (the strongest aligned, weighed by freshness), as published. */
  catalyst: CatalystEvidence | null;
}

/** News from before the last close has had a session to be priced in: it counts half. */
export const PRICED_IN_WEIGHT = 0.5;

/** The catalysts with their strength weighed by freshness. */
function weighedCatalysts(evidence: CandidateEvidence): CatalystEvidence[] {
  return evidence.catalysts.map((c) => (c.publishedAt < evidence.lastCloseMs ? { ...c, strength: c.strength * PRICED_IN_WEIGHT, type: `${c.type} (before the last close)` } : c));
}

/** Net news weight below this does not decide a direction; the move does. */
const CATALYST_DECIDES = 0.2;
const pct = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(1)}%`;
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

function strongestIndex(catalysts: CatalystEvidence[], direction: "bullish" | "bearish"): number {
  let best = -1;
  catalysts.forEach((c, i) => {
    if (c.direction === direction && (best < 0 || c.strength > catalysts[best]!.strength)) best = i;
  });
  return best;
}

function strongest(catalysts: CatalystEvidence[], direction: "bullish" | "bearish"): CatalystEvidence | null {
  return catalysts[strongestIndex(catalysts, direction)] ?? null;
}

/** The news item the catalyst component credits, with its own type and strength (not the freshness-weighed copy). */
function creditedCatalyst(evidence: CandidateEvidence, direction: TradeDirection): CatalystEvidence | null {
  return evidence.catalysts[strongestIndex(weighedCatalysts(evidence), direction === "long" ? "bullish" : "bearish")] ?? null;
}

export function chooseDirection(evidence: CandidateEvidence): { direction: TradeDirection; why: string } {
  const catalysts = weighedCatalysts(evidence);
  const bull = strongest(catalysts, "bullish");
  const bear = strongest(catalysts, "bearish");
  const net = (bull?.strength ?? 0) - (bear?.strength ?? 0);
  if (Math.abs(net) >= CATALYST_DECIDES) {
    const lead = (net > 0 ? bull : bear)!;
    return { direction: net > 0 ? "long" : "short", why: `${net > 0 ? "bullish" : "bearish"} ${lead.type} news decides the direction` };
  }
  if (evidence.changePct !== 0) {
    return { direction: evidence.changePct > 0 ? "long" : "short", why: `no decisive news: the move (${pct(evidence.changePct)}) decides the direction` };
  }
  if (evidence.technical && evidence.technical.direction !== "neutral") {
    return { direction: evidence.technical.direction, why: "no news or move: the technical signal decides the direction" };
  }
  return { direction: "long", why: "no directional evidence at all" };
}

function catalystComponent(evidence: CandidateEvidence, direction: TradeDirection, reasons: string[]): number {
  const catalysts = weighedCatalysts(evidence);
  const aligned = strongest(catalysts, direction === "long" ? "bullish" : "bearish");
  const opposed = strongest(catalysts, direction === "long" ? "bearish" : "bullish");
  if (!aligned) {
    reasons.push(opposed ? `catalyst 0: the news (${opposed.type}) points the other way` : "catalyst 0: no news catalyst in the window");
    return 0;
  }
  // Conflicting news weakens the case by the opposing strength.
  const value = Math.max(0, aligned.strength - (opposed?.strength ?? 0) / 2);
  reasons.push(`catalyst ${value.toFixed(2)}: ${aligned.direction} ${aligned.type} (strength ${aligned.strength.toFixed(2)})${opposed ? `, weakened by ${opposed.type} news` : ""}`);
  return value;
}

/**
 * Aligned move m (%): nothing for a move against the direction; rising to full credit at 8 %;
 * beyond 15 % the move is extended — chasing it lost money (K37) — so credit falls toward 0.25.
 */
export function momentumCredit(alignedMovePct: number): number {
  const m = alignedMovePct;
  if (m <= 0) return 0;
  if (m <= 8) return m / 8;
  if (m <= 15) return 1;
  return Math.max(0.25, 1 - (m - 15) / 30);
}

function momentumComponent(evidence: CandidateEvidence, direction: TradeDirection, reasons: string[]): number {
  const aligned = direction === "long" ? evidence.changePct : -evidence.changePct;
  const value = momentumCredit(aligned);
  if (aligned <= 0) reasons.push(`momentum 0: price ${pct(evidence.changePct)} moves against a ${direction}`);
  else if (aligned > 15) reasons.push(`momentum ${value.toFixed(2)}: ${pct(evidence.changePct)} is extended, chasing penalty`);
  else reasons.push(`momentum ${value.toFixed(2)}: ${pct(evidence.changePct)} since the last close`);
  return value;
}

/** Relative volume r: 1× → 0, 10× → 1 (log scale: the fifth doubling matters less than the first). */
export function volumeCredit(relativeVolume: number | null): number {
  if (relativeVolume === null || relativeVolume <= 1) return 0;
  return Math.min(1, Math.log10(relativeVolume));
}

function technicalComponent(evidence: CandidateEvidence, direction: TradeDirection, reasons: string[]): number {
  const tech = evidence.technical;
  if (!tech) {
    reasons.push("technical 0: no indicator set");
    return 0;
  }
  if (tech.direction === "neutral") {
    reasons.push(`technical ${(tech.score / 200).toFixed(2)}: indicators neutral`);
    return tech.score / 200;
  }
  if (tech.direction !== direction) {
    reasons.push(`technical 0: indicators point ${tech.direction}`);
    return 0;
  }
  reasons.push(`technical ${(tech.score / 100).toFixed(2)}: indicators agree (${tech.direction} ${tech.score.toFixed(0)}/100)`);
  return tech.score / 100;
}

function bestAlignedPattern(evidence: CandidateEvidence, direction: TradeDirection): PatternEvidence | null {
  let best: PatternEvidence | null = null;
  for (const p of evidence.patterns) if (p.direction === direction && (!best || p.confidence > best.confidence)) best = p;
  return best;
}

export function scoreCandidate(evidence: CandidateEvidence, weights: ScoreWeights): ScoredCandidate {
  const { direction, why } = chooseDirection(evidence);
  const reasons = [why];
  const pattern = bestAlignedPattern(evidence, direction);
  const components: Components = {
    catalyst: catalystComponent(evidence, direction, reasons),
    momentum: momentumComponent(evidence, direction, reasons),
    volume: volumeCredit(evidence.relativeVolume),
    technical: technicalComponent(evidence, direction, reasons),
    pattern: pattern ? pattern.confidence : 0,
  };
  reasons.push(
    evidence.relativeVolume === null ? "volume 0: no average volume to compare with" : `volume ${components.volume.toFixed(2)}: ${evidence.relativeVolume.toFixed(1)}× the usual pace`,
  );
  reasons.push(pattern ? `pattern ${pattern.confidence.toFixed(2)}: ${pattern.name}` : `pattern 0: no ${direction} pattern`);
  for (const key of Object.keys(components) as (keyof Components)[]) components[key] = round4(Math.min(1, Math.max(0, components[key])));
  const score = (Object.keys(components) as (keyof Components)[]).reduce((sum, key) => sum + weights[key] * components[key], 0);
  return { symbol: evidence.symbol, direction, score: round4(Math.min(1, score)), components, reasons, bestPattern: pattern, catalyst: creditedCatalyst(evidence, direction) };
}
