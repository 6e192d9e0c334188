/** The technical signal: the rules' signed votes summed to a net, its side and its strength (0–100). */
import type { IndicatorSet } from "./compute.ts";
import { collectVotes, MAX_NET_POINTS, sideOf } from "./signal-rules.ts";

/** Bump when a rule, weight or threshold changes: stored scores say which rules made them. */
export const TECHNICAL_SIGNAL_VERSION = "technical-signal/1";

/** A net at or beyond ±20 picks a side (the original's BUY ≥ 70 / SELL ≤ 30 around its 50). */
export const DIRECTION_THRESHOLD = 20;

export type SignalDirection = "long" | "short" | "neutral";

export interface TechnicalSignal {
  /** |net| as a share of the largest possible net, 0–100, whole. */
  score: number;
  direction: SignalDirection;
  /** One line per vote ("RSI 28.4 < 30: oversold (+20 long)"), then the sum. */
  reasons: string[];
}

export function technicalSignal(indicators: IndicatorSet, lastClose: number): TechnicalSignal {
  const votes = collectVotes(indicators, lastClose);
  const net = votes.reduce((total, v) => total + v.points, 0);
  const direction: SignalDirection = net >= DIRECTION_THRESHOLD ? "long" : net <= -DIRECTION_THRESHOLD ? "short" : "neutral";
  const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
  const reasons = votes.map((v) => `${v.finding} (${signed(v.points)} ${sideOf(v.points)})`);
  reasons.push(`net ${signed(net)} of ±${MAX_NET_POINTS}: ${direction} (a side needs ±${DIRECTION_THRESHOLD})`);
  return { score: Math.round((Math.abs(net) / MAX_NET_POINTS) * 100), direction, reasons };
}
