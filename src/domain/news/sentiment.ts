/** A sentiment score as every model reports it: which model said so is part of the answer. */

export type SentimentLabel = "negative" | "neutral" | "positive";
export const SENTIMENT_LABELS: readonly SentimentLabel[] = ["negative", "neutral", "positive"];

export interface Sentiment {
  /** −1 (negative) … +1 (positive). */
  score: number;
  label: SentimentLabel;
  /** 0…1: how sure the model is of its label. */
  confidence: number;
  /** "lexicon-v1", "finbert:<folder>". */
  model: string;
}

/** Scores within ±NEUTRAL_BAND are neutral. */
export const NEUTRAL_BAND = 0.15;

export function labelOf(score: number): SentimentLabel {
  if (score >= NEUTRAL_BAND) return "positive";
  if (score <= -NEUTRAL_BAND) return "negative";
  return "neutral";
}

/** Four decimals and within [lo, hi]: what the database column holds (NUMERIC(5,4)). */
export function round4(value: number, lo = -1, hi = 1): number {
  return Math.round(Math.min(hi, Math.max(lo, value)) * 10_000) / 10_000;
}
