/**
 * The fill model, pure and documented (README "Simulated venue"):
 * - Liquidity: an order takes at most PARTICIPATION of a minute bar's volume per minute (at least one
 *   share when the bar traded), so size relative to volume gives partial fills across minutes.
 * - Market orders (and marketable limits) execute at the next trade: the trade price one second after
 *   they start working, crossing half the quoted spread, plus slippage growing with the square root
 *   of size over that minute's liquidity (capped).
 * - Resting limits fill when a bar touches them, at the limit or at the bar's open if it opened
 *   through the limit. Stops trigger when a bar reaches them and fill like a market order at the
 *   stop (or the open, if it gapped through), crossing half the spread.
 * - Within one bar, a protective stop is assumed to trigger before a take-profit limit (pessimistic).
 */
import { roundTicks } from "./ticks.ts";
import type { Side } from "./types.ts";

export const PARTICIPATION = 0.1;
const SLIPPAGE_BPS_AT_FULL_LIQUIDITY = 5;
const MAX_SLIPPAGE_BPS = 50;

export interface BarTicks {
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

/** Shares an order may take from one minute's trading. */
export function minuteLiquidity(barVolume: number): number {
  if (barVolume <= 0) return 0;
  return Math.max(1, Math.floor(barVolume * PARTICIPATION));
}

/** Execution price of a marketable order at a trade price: cross half the spread, then slip. */
export function marketExecutionPrice(side: Side, tradePrice: number, spread: number, qty: number, liquidity: number): number {
  const half = spread / 2;
  const pressure = liquidity > 0 ? Math.sqrt(qty / liquidity) : 1;
  const slippageBps = Math.min(MAX_SLIPPAGE_BPS, SLIPPAGE_BPS_AT_FULL_LIQUIDITY * pressure);
  const slip = (tradePrice * slippageBps) / 10_000;
  return side === "buy" ? roundTicks(tradePrice + half + slip, "up") : Math.max(1, roundTicks(tradePrice - half - slip, "down"));
}

/** Whether a limit at `limit` accepts an execution price. */
export function withinLimit(side: Side, price: number, limit: number): boolean {
  return side === "buy" ? price <= limit : price >= limit;
}

/** The fill price of a resting limit in a bar, or null if the bar did not touch it. */
export function limitTouch(side: Side, limit: number, bar: BarTicks): number | null {
  if (side === "buy") return bar.l <= limit ? Math.min(limit, bar.o) : null;
  return bar.h >= limit ? Math.max(limit, bar.o) : null;
}

/** The price a stop triggers at in a bar (the stop, or the open if it gapped through), or null. */
export function stopTrigger(side: Side, stop: number, bar: BarTicks): number | null {
  if (side === "buy") return bar.h >= stop ? Math.max(stop, bar.o) : null;
  return bar.l <= stop ? Math.min(stop, bar.o) : null;
}

/** Whether a stop is already through at the current trade price (it triggers at once). */
export function stopCrossed(side: Side, stop: number, tradePrice: number): boolean {
  return side === "buy" ? tradePrice >= stop : tradePrice <= stop;
}
