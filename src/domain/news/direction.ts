/**
 * Which way a catalyst points: the classifier's reading of the event ("misses", "downgrade",
 * "complete response letter") leads, the sentiment score confirms or tempers it; with no event
 * polarity the sentiment decides alone.
 */
import type { Polarity } from "./catalyst-rules.ts";
import { NEUTRAL_BAND } from "./sentiment.ts";

export type CatalystDirection = "bullish" | "bearish" | "neutral";

const EVENT_SHARE = 0.6;

export interface DirectedCatalyst {
  direction: CatalystDirection;
  /** strength × lean: −1 (strong bearish) … +1 (strong bullish), what a scanner ranks by. */
  signedStrength: number;
}

export function catalystDirection(strength: number, polarity: Polarity, sentimentScore: number): DirectedCatalyst {
  // −1…+1: the event's polarity blended with the sentiment score.
  const lean = polarity === 0 ? sentimentScore : EVENT_SHARE * polarity + (1 - EVENT_SHARE) * sentimentScore;
  const direction: CatalystDirection = lean >= NEUTRAL_BAND ? "bullish" : lean <= -NEUTRAL_BAND ? "bearish" : "neutral";
  return { direction, signedStrength: Math.round(strength * lean * 10_000) / 10_000 };
}
