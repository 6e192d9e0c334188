/**
 * The prints inside one generated minute bar, for Alpaca's historical trades endpoint. The market
 * generates bars, not ticks, so each minute is told as at most four prints that reproduce its
 * open, high, low, close and volume: open → low → high → close on an up minute, open → high → low
 * → close on a down one (the usual reading of a bar's path), 15 s apart.
 */
import type { SimBar } from "./types.ts";

export interface Print {
  at: number;
  price: number;
  size: number;
}

const PRINT_SPACING_MS = 15_000;

export function minutePrints(bar: SimBar): Print[] {
  const up = bar.c >= bar.o;
  const path = [bar.o, up ? bar.l : bar.h, up ? bar.h : bar.l, bar.c];
  // Fewer trades than four prints: keep the open and the close, then the extremes.
  const count = Math.max(1, Math.min(path.length, bar.n, bar.v));
  const prices = count === 1 ? [bar.c] : count === 2 ? [bar.o, bar.c] : count === 3 ? [bar.o, path[1]!, bar.c] : path;
  const base = Math.floor(bar.v / count);
  return prices.map((price, i) => ({
    at: bar.t + i * PRINT_SPACING_MS,
    price,
    // The remainder goes to the closing print, so the sizes add up to the bar's volume.
    size: i === count - 1 ? bar.v - base * (count - 1) : base,
  }));
}
