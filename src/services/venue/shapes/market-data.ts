/** Generated market data in Alpaca's market-data JSON (test/fixtures/alpaca/data-openapi.yaml). */
import type { SimBar, SimNews } from "../market/market.ts";

const EXCHANGE_CODE = "V";

export function barJson(bar: SimBar) {
  return { t: new Date(bar.t).toISOString(), o: bar.o, h: bar.h, l: bar.l, c: bar.c, v: bar.v, n: bar.n, vw: bar.vw };
}

export function tradeJson(at: number, price: number, size: number, id: number) {
  return { t: new Date(at).toISOString(), x: EXCHANGE_CODE, p: price, s: size, c: ["@"], i: id, z: "C" };
}

export function quoteJson(at: number, bid: number, ask: number, size: number) {
  return { t: new Date(at).toISOString(), ax: EXCHANGE_CODE, ap: ask, as: size, bx: EXCHANGE_CODE, bp: bid, bs: size, c: ["R"], z: "C" };
}

export function newsJson(item: SimNews, includeContent: boolean) {
  const at = new Date(item.createdAt).toISOString();
  return {
    id: item.id,
    headline: item.headline,
    author: item.author,
    created_at: at,
    updated_at: at,
    summary: item.summary,
    content: includeContent ? item.content : "",
    url: item.url,
    images: [],
    symbols: item.symbols,
    source: item.source,
  };
}

/** Minute bars rolled up into longer bars aligned on multiples of the bucket since the epoch. */
export function aggregateBars(bars: readonly SimBar[], bucketMs: number): SimBar[] {
  const out: SimBar[] = [];
  let current: SimBar | null = null;
  let notional = 0;
  for (const bar of bars) {
    const start = Math.floor(bar.t / bucketMs) * bucketMs;
    if (!current || current.t !== start) {
      if (current) out.push(finish(current, notional));
      current = { ...bar, t: start };
      notional = bar.vw * bar.v;
      continue;
    }
    current.h = Math.max(current.h, bar.h);
    current.l = Math.min(current.l, bar.l);
    current.c = bar.c;
    current.v += bar.v;
    current.n += bar.n;
    notional += bar.vw * bar.v;
  }
  if (current) out.push(finish(current, notional));
  return out;
}

function finish(bar: SimBar, notional: number): SimBar {
  return { ...bar, vw: bar.v > 0 ? Math.round((notional / bar.v) * 10_000) / 10_000 : bar.c };
}
