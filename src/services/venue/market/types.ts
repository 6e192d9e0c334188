/** The synthetic market's public records (re-exported by market.ts, which the venue consumes). */

export type CatalystKind =
  | "earnings"
  | "fda"
  | "merger"
  | "offering"
  | "analyst"
  | "guidance"
  | "contract"
  | "legal"
  | "general";

export type ListingExchange = "NYSE" | "NASDAQ" | "ARCA" | "AMEX";

export interface SimAsset {
  /** UUID v4-shaped, fixed by seed and symbol. */
  id: string;
  symbol: string;
  name: string;
  exchange: ListingExchange;
  sector: string;
  tradable: boolean;
  shortable: boolean;
  easyToBorrow: boolean;
  marginable: boolean;
  fractionable: boolean;
  /** Reference price for the first simulated day: the close it opens from. */
  basePrice: number;
  avgDailyVolume: number;
  /** Daily return standard deviation (market part and idiosyncratic part together). */
  dailyVolatility: number;
  /** Quoted spread in basis points of price (callers apply at least one tick). */
  spreadBps: number;
}

export interface SimBar {
  /** Epoch ms: the minute's start, or for daily bars midnight ET of the day (as Alpaca stamps them). */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  /** Trade count. */
  n: number;
  /** Volume-weighted average price. */
  vw: number;
}

export interface SimNews {
  id: number;
  /** Epoch ms. */
  createdAt: number;
  symbols: string[];
  headline: string;
  summary: string;
  content: string;
  author: string;
  source: string;
  url: string;
  kind: CatalystKind;
  /** +1 bullish, -1 bearish, 0 neutral/noise. */
  direction: 1 | -1 | 0;
  /** Fractional price impact, e.g. 0.12 (the move the news causes; 0 for noise). */
  impact: number;
}
