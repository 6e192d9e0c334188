/** Bars, latest trades and quotes, snapshots, screeners and news on Alpaca's market-data API. */
import { pagination } from "@alpacahq/alpaca-trade-api";
import { brokerCall } from "./alpaca-errors.ts";
import { mapBar, mapMostActive, mapMover, mapNews, mapQuote, mapSnapshot, mapTrade, optionalDate } from "./alpaca-mapping.ts";
import type { AlpacaApis } from "./alpaca.ts";
import { BrokerError, type Bar, type MarketDataBroker, type NewsArticle, type Quote, type Snapshot, type Trade } from "./broker.ts";

/**
 * Symbols per request: ~6 KB of URL at 1,000, well under servers' 8 KB limits. Few, large requests
 * matter: the SDK's bucket keeps us under Alpaca's ~200 requests a minute, so a whole-universe
 * snapshot in 100-symbol requests (80 of them) would stall a scan for tens of seconds.
 */
const SYMBOLS_PER_REQUEST = 1_000;
const BAR_PAGE_MAX = 10_000;
const MAX_BAR_PAGES = 1_000;
const NEWS_PAGE_MAX = 50;
const DEFAULT_NEWS_LIMIT = 50;

/** One request per chunk of symbols, answers merged into one map. */
async function bySymbolChunks<T>(
  symbols: string[],
  fetchChunk: (symbols: string) => Promise<Record<string, T>>,
): Promise<Record<string, T>> {
  const merged: Record<string, T> = {};
  for (const chunk of pagination.chunk(symbols, SYMBOLS_PER_REQUEST)) {
    Object.assign(merged, await fetchChunk(chunk.join(",")));
  }
  return merged;
}

function mapEach<In, Out>(items: Record<string, In | null | undefined>, map: (symbol: string, item: In) => Out): Record<string, Out> {
  const out: Record<string, Out> = {};
  for (const [symbol, item] of Object.entries(items)) {
    // Alpaca answers null for a symbol it has nothing on.
    if (item !== null && item !== undefined) out[symbol] = map(symbol, item);
  }
  return out;
}

export function alpacaMarketData(apis: AlpacaApis): MarketDataBroker {
  return {
    getBars: (symbols, timeframe, query) =>
      brokerCall("getBars", () =>
        bySymbolChunks(symbols, async (chunk) => {
          const bars: Record<string, Bar[]> = {};
          const seenTokens = new Set<string>();
          let pageToken: string | undefined;
          for (let page = 0; page < MAX_BAR_PAGES; page++) {
            const response = await apis.stocks.stockBars({
              symbols: chunk,
              timeframe,
              start: new Date(query.start),
              end: optionalDate(query.end),
              limit: Math.min(query.limit ?? BAR_PAGE_MAX, BAR_PAGE_MAX),
              pageToken,
            });
            for (const [symbol, symbolBars] of Object.entries(response.bars ?? {})) {
              (bars[symbol] ??= []).push(...symbolBars.map(mapBar));
            }
            const next = response.nextPageToken;
            if (!next || seenTokens.has(next)) return bars;
            seenTokens.add(next);
            pageToken = next;
          }
          throw new BrokerError("too_many_pages", "getBars", `more than ${MAX_BAR_PAGES} pages of bars`);
        }),
      ),

    getLatestTrades: (symbols) =>
      brokerCall("getLatestTrades", () =>
        bySymbolChunks<Trade>(symbols, async (chunk) => {
          const { trades } = await apis.stocks.stockLatestTrades({ symbols: chunk });
          return mapEach(trades, (_, trade) => mapTrade(trade));
        }),
      ),

    getLatestQuotes: (symbols) =>
      brokerCall("getLatestQuotes", () =>
        bySymbolChunks<Quote>(symbols, async (chunk) => {
          const { quotes } = await apis.stocks.stockLatestQuotes({ symbols: chunk });
          return mapEach(quotes, (_, quote) => mapQuote(quote));
        }),
      ),

    getSnapshots: (symbols) =>
      brokerCall("getSnapshots", () =>
        bySymbolChunks<Snapshot>(symbols, async (chunk) => mapEach(await apis.stocks.stockSnapshots({ symbols: chunk }), mapSnapshot)),
      ),

    getMostActives: (top) =>
      brokerCall("getMostActives", async () => (await apis.screener.mostActives({ by: "volume", top })).mostActives.map(mapMostActive)),

    getMovers: (top) =>
      brokerCall("getMovers", async () => {
        const movers = await apis.screener.movers({ marketType: "stocks", top });
        return { gainers: movers.gainers.map(mapMover), losers: movers.losers.map(mapMover) };
      }),

    getNews: (query = {}) =>
      brokerCall("getNews", async () => {
        const limit = query.limit ?? DEFAULT_NEWS_LIMIT;
        const articles: NewsArticle[] = [];
        const seenTokens = new Set<string>();
        let pageToken: string | undefined;
        while (articles.length < limit) {
          const response = await apis.news.news({
            symbols: query.symbols?.join(","),
            start: optionalDate(query.start),
            end: optionalDate(query.end),
            sort: "desc",
            limit: Math.min(limit - articles.length, NEWS_PAGE_MAX),
            includeContent: query.includeContent ?? false,
            pageToken,
          });
          articles.push(...response.news.map(mapNews));
          const next = response.nextPageToken;
          if (!next || seenTokens.has(next) || response.news.length === 0) break;
          seenTokens.add(next);
          pageToken = next;
        }
        return articles.slice(0, limit);
      }),
  };
}
