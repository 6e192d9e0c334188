/**
 * Long and short as data, so each detector is written once and mirrored: a "favourable" price is
 * higher for a long (the bar's high) and lower for a short (the bar's low).
 */
import type { Bar } from "../../adapters/broker/broker.ts";
import type { Direction } from "./types.ts";

export interface Side {
  direction: Direction;
  /** +1 long, -1 short: sign × (a − b) > 0 means a is better for the trade than b. */
  sign: 1 | -1;
  /** The bar's extreme in the trade's favour (long: high) and against it (long: low). */
  favorable(bar: Bar): number;
  adverse(bar: Bar): number;
}

export const LONG: Side = { direction: "long", sign: 1, favorable: (bar) => bar.high, adverse: (bar) => bar.low };
export const SHORT: Side = { direction: "short", sign: -1, favorable: (bar) => bar.low, adverse: (bar) => bar.high };
export const SIDES: readonly Side[] = [LONG, SHORT];

/** How far `a` is beyond `b` in the trade's favour (negative when against it). */
export function beyond(side: Side, a: number, b: number): number {
  return side.sign * (a - b);
}

/** The most favourable extreme of the bars (long: highest high). */
export function favorableExtreme(side: Side, bars: readonly Bar[]): number {
  return side.sign * Math.max(...bars.map((bar) => side.sign * side.favorable(bar)));
}

/** The most adverse extreme of the bars (long: lowest low). */
export function adverseExtreme(side: Side, bars: readonly Bar[]): number {
  return -side.sign * Math.max(...bars.map((bar) => -side.sign * side.adverse(bar)));
}
