/** Alpaca's market-data API: stock bars, latest trades/quotes/bars, snapshots, screener, news. */
import { Elysia } from "elysia";
import { addDays, etDate, tradingDaysBetween } from "../../../domain/exchange-calendar.ts";
import { invalid, notFound } from "../exchange/types.ts";
import { currentTradingDay, type Snapshot } from "../feed.ts";
import type { SimBar } from "../market/market.ts";
import { minutePrints, type Print } from "../market/tape.ts";
import { instant, integerParam, queryChoice, symbolList } from "../parse.ts";
import { aggregateBars, barJson, newsJson, quoteJson, tradeJson } from "../shapes/market-data.ts";
import type { Venue } from "../venue.ts";

type Query = Record<string, string | undefined>;

const MINUTE = 60_000;
const DAY_MS = 86_400_000;
const MAX_BAR_LIMIT = 10_000;
const MAX_SNAPSHOT_SYMBOLS = 5_000;
/** Snapshots of more symbols than this in one request are a pass over the universe (a scan's). */
const SWEEP_SYMBOLS = 100;
const MAX_NEWS_LIMIT = 50;
const MAX_TRADE_LIMIT = 10_000;
/** How far back news and bar queries without a start look. */
const DEFAULT_NEWS_LOOKBACK_DAYS = 7;

type Timeframe = { kind: "minutes"; bucketMs: number } | { kind: "day" };

export function parseTimeframe(value: string | undefined): Timeframe {
  const match = /^(\d+)(Min|T|Hour|H|Day|D)$/.exec(value ?? "");
  if (!match) throw invalid(`invalid timeframe ${JSON.stringify(value ?? "")}: use e.g. 1Min, 5Min, 15Min, 1Hour or 1Day`);
  const n = Number(match[1]);
  const unit = match[2]!;
  if (unit === "Day" || unit === "D") {
    if (n !== 1) throw invalid("invalid timeframe: only 1Day is supported for daily bars");
    return { kind: "day" };
  }
  const hours = unit === "Hour" || unit === "H";
  if (n < 1 || n > (hours ? 23 : 59)) throw invalid(`invalid timeframe ${value}: ${hours ? "hours 1-23" : "minutes 1-59"}`);
  return { kind: "minutes", bucketMs: n * (hours ? 60 : 1) * MINUTE };
}

/** Opaque paging token: the symbol and bar time to resume after. */
function encodeToken(symbol: string, t: number): string {
  return Buffer.from(`${symbol}|${t}`).toString("base64url");
}

function decodeToken(token: string | undefined): { symbol: string; t: number } | null {
  if (!token) return null;
  const [symbol, t] = Buffer.from(token, "base64url").toString().split("|");
  if (!symbol || t === undefined || Number.isNaN(Number(t))) throw invalid("invalid page_token");
  return { symbol, t: Number(t) };
}

export function marketDataRoutes(venue: Venue) {
  const { market, feed } = venue;

  const requireSymbols = (query: Query, max: number) => {
    const symbols = symbolList(query.symbols);
    if (symbols.length === 0) throw invalid("symbols is required");
    if (symbols.length > max) throw invalid(`too many symbols: at most ${max} per request`);
    return symbols;
  };

  const barsFor = (symbol: string, timeframe: Timeframe, start: number, end: number, now: number): SimBar[] => {
    if (!market.asset(symbol)) return [];
    const until = Math.min(end, now);
    const days = tradingDaysBetween(etDate(start), etDate(until));
    if (timeframe.kind === "day") {
      return days.map((day) => feed.dailyBarAsOf(symbol, day, now)).filter((bar): bar is SimBar => bar !== null && bar.t >= start - DAY_MS && bar.t <= until);
    }
    const out: SimBar[] = [];
    for (const day of days) {
      const minutes = feed.completedMinutes(symbol, day, now);
      const bars = timeframe.bucketMs === MINUTE ? minutes : aggregateBars(minutes, timeframe.bucketMs);
      for (const bar of bars) if (bar.t >= start && bar.t < until) out.push(bar);
    }
    return out;
  };

  /** Bars for many symbols, `limit` in total across them, resumable by page token. */
  const multiBars = (query: Query, symbols: string[]) => {
    const now = venue.now();
    const timeframe = parseTimeframe(query.timeframe);
    const end = instant(query.end, "end") ?? now;
    const start = instant(query.start, "start") ?? new Date(`${etDate(now)}T00:00:00Z`).getTime();
    if (start > end) throw invalid("start must not be after end");
    const limit = integerParam(query.limit, "limit", 1_000, 1, MAX_BAR_LIMIT);
    const resume = decodeToken(query.page_token);
    const sorted = [...symbols].sort();
    const bars: Record<string, ReturnType<typeof barJson>[]> = {};
    let taken = 0;
    let next: string | null = null;
    for (const symbol of sorted) {
      if (resume && symbol < resume.symbol) continue;
      const list = barsFor(symbol, timeframe, start, end, now).filter((bar) => !resume || symbol !== resume.symbol || bar.t > resume.t);
      if (list.length === 0) continue;
      const room = limit - taken;
      const page = list.slice(0, room);
      bars[symbol] = page.map(barJson);
      taken += page.length;
      if (page.length < list.length || taken >= limit) {
        const last = page.at(-1);
        const more = page.length < list.length || sorted.indexOf(symbol) < sorted.length - 1;
        if (more && last) next = encodeToken(symbol, last.t);
        break;
      }
    }
    return { bars, next_page_token: next };
  };

  /** One symbol's prints in [start, end), of minutes completed by now, `limit` at a time, resumable by page token. */
  const tradesPage = (symbol: string, query: Query) => {
    const now = venue.now();
    const end = instant(query.end, "end") ?? now;
    const start = instant(query.start, "start") ?? new Date(`${etDate(now)}T00:00:00Z`).getTime();
    if (start > end) throw invalid("start must not be after end");
    const limit = integerParam(query.limit, "limit", 1_000, 1, MAX_TRADE_LIMIT);
    const after = decodeToken(query.page_token)?.t ?? -Infinity;
    const prints: Print[] = [];
    let more = false;
    for (const bar of barsFor(symbol, { kind: "minutes", bucketMs: MINUTE }, start - MINUTE, end, now)) {
      for (const print of minutePrints(bar)) {
        if (print.at < start || print.at >= end || print.at <= after) continue;
        if (prints.length === limit) more = true;
        else prints.push(print);
      }
      if (more) break;
    }
    return {
      symbol,
      trades: prints.map((p) => tradeJson(p.at, p.price, p.size, tradeId(p.at))),
      next_page_token: more ? encodeToken(symbol, prints.at(-1)!.at) : null,
    };
  };

  const topOf = (symbol: string) => {
    const top = market.asset(symbol) ? feed.top(symbol, venue.now()) : null;
    if (!top) throw notFound(`no data for symbol ${symbol}`);
    return top;
  };

  const snapshotOf = (symbol: string, now: number) => {
    const snap = feed.snapshot(symbol, now);
    return snap ? snapshotJson(snap) : null;
  };

  return new Elysia({ name: "venue-market-data" })
    .get("/v2/stocks/bars", ({ query }: { query: Query }) => multiBars(query, requireSymbols(query, MAX_SNAPSHOT_SYMBOLS)))
    .get("/v2/stocks/bars/latest", ({ query }: { query: Query }) => {
      const now = venue.now();
      const bars: Record<string, ReturnType<typeof barJson>> = {};
      for (const symbol of requireSymbols(query, MAX_SNAPSHOT_SYMBOLS)) {
        const bar = market.lastCompletedMinuteBar(symbol, currentTradingDay(now), now);
        if (bar) bars[symbol] = barJson(bar);
      }
      return { bars };
    })
    .get("/v2/stocks/trades/latest", ({ query }: { query: Query }) => {
      const now = venue.now();
      const trades: Record<string, ReturnType<typeof tradeJson>> = {};
      for (const symbol of requireSymbols(query, MAX_SNAPSHOT_SYMBOLS)) {
        const snap = feed.top(symbol, now);
        if (snap) trades[symbol] = tradeJson(snap.trade.at, snap.trade.price, snap.trade.size, tradeId(snap.trade.at));
      }
      return { trades };
    })
    .get("/v2/stocks/quotes/latest", ({ query }: { query: Query }) => {
      const now = venue.now();
      const quotes: Record<string, ReturnType<typeof quoteJson>> = {};
      for (const symbol of requireSymbols(query, MAX_SNAPSHOT_SYMBOLS)) {
        const snap = feed.top(symbol, now);
        if (snap) quotes[symbol] = quoteJson(snap.quote.at, snap.quote.bid, snap.quote.ask, snap.quote.size);
      }
      return { quotes };
    })
    .get("/v2/stocks/snapshots", ({ query }: { query: Query }) => {
      const now = venue.now();
      const symbols = requireSymbols(query, MAX_SNAPSHOT_SYMBOLS);
      const out: Record<string, ReturnType<typeof snapshotJson>> = {};
      const pass = () => {
        for (const symbol of symbols) {
          const snap = snapshotOf(symbol, now);
          if (snap) out[symbol] = snap;
        }
      };
      // A scan's chunk of the universe is a sweep; a few symbols are likely read again.
      if (symbols.length > SWEEP_SYMBOLS) market.sweep(pass);
      else pass();
      return out;
    })
    .get("/v2/stocks/:symbol/bars", ({ params, query }: { params: { symbol: string }; query: Query }) => {
      const symbol = params.symbol.toUpperCase();
      const { bars, next_page_token } = multiBars(query, [symbol]);
      return { symbol, bars: bars[symbol] ?? [], next_page_token };
    })
    .get("/v2/stocks/:symbol/trades", ({ params, query }: { params: { symbol: string }; query: Query }) => tradesPage(params.symbol.toUpperCase(), query))
    .get("/v2/stocks/:symbol/trades/latest", ({ params }: { params: { symbol: string } }) => {
      const symbol = params.symbol.toUpperCase();
      const { trade } = topOf(symbol);
      return { symbol, trade: tradeJson(trade.at, trade.price, trade.size, tradeId(trade.at)) };
    })
    .get("/v2/stocks/:symbol/quotes/latest", ({ params }: { params: { symbol: string } }) => {
      const symbol = params.symbol.toUpperCase();
      const { quote } = topOf(symbol);
      return { symbol, quote: quoteJson(quote.at, quote.bid, quote.ask, quote.size) };
    })
    .get("/v2/stocks/:symbol/snapshot", ({ params }: { params: { symbol: string } }) => {
      const symbol = params.symbol.toUpperCase();
      const snap = snapshotOf(symbol, venue.now());
      if (!snap) throw notFound(`no data for symbol ${symbol}`);
      return { symbol, ...snap };
    })
    .get("/v1beta1/screener/stocks/most-actives", ({ query }: { query: Query }) => {
      const by = queryChoice(query.by, "by", ["volume", "trades"] as const, "volume");
      const top = integerParam(query.top, "top", 10, 1, 100);
      const { rows, at } = venue.screener();
      const ranked = [...rows].sort((a, b) => (by === "volume" ? b.volume - a.volume : b.trades - a.trades) || a.symbol.localeCompare(b.symbol));
      return {
        most_actives: ranked.slice(0, top).map((r) => ({ symbol: r.symbol, volume: r.volume, trade_count: r.trades })),
        last_updated: new Date(at).toISOString(),
      };
    })
    .get("/v1beta1/screener/:market/movers", ({ params, query }: { params: { market: string }; query: Query }) => {
      if (params.market !== "stocks") throw invalid(`invalid market_type ${JSON.stringify(params.market)}: the simulated venue has stocks`);
      const top = integerParam(query.top, "top", 10, 1, 50);
      const { rows, at } = venue.screener();
      const mover = (r: (typeof rows)[number]) => ({ symbol: r.symbol, percent_change: r.percentChange, change: r.change, price: r.price });
      const byChange = [...rows].sort((a, b) => b.percentChange - a.percentChange || a.symbol.localeCompare(b.symbol));
      return {
        gainers: byChange.slice(0, top).map(mover),
        losers: byChange.slice(-top).reverse().map(mover),
        market_type: "stocks",
        last_updated: new Date(at).toISOString(),
      };
    })
    .get("/v1beta1/news", ({ query }: { query: Query }) => {
      const now = venue.now();
      const symbols = new Set(symbolList(query.symbols));
      const limit = integerParam(query.limit, "limit", 10, 1, MAX_NEWS_LIMIT);
      const sort = queryChoice(query.sort, "sort", ["asc", "desc"] as const, "desc");
      const end = Math.min(instant(query.end, "end") ?? now, now);
      const start = instant(query.start, "start") ?? end - DEFAULT_NEWS_LOOKBACK_DAYS * DAY_MS;
      const resumeAfter = query.page_token ? Number(Buffer.from(query.page_token, "base64url").toString()) : null;
      if (resumeAfter !== null && Number.isNaN(resumeAfter)) throw invalid("invalid page_token");
      const items = tradingAndClosedDays(start, end)
        .flatMap((day) => market.news(day))
        .filter((item) => item.createdAt >= start && item.createdAt <= end && (symbols.size === 0 || item.symbols.some((s) => symbols.has(s))));
      if (sort === "desc") items.reverse();
      const from = resumeAfter === null ? 0 : items.findIndex((item) => item.id === resumeAfter) + 1;
      const page = items.slice(from, from + limit);
      const more = from + limit < items.length;
      const includeContent = query.include_content === "true";
      return {
        news: page.map((item) => newsJson(item, includeContent)),
        next_page_token: more && page.length > 0 ? Buffer.from(String(page.at(-1)!.id)).toString("base64url") : null,
      };
    });
}

function snapshotJson(snap: Snapshot) {
  return {
    latestTrade: tradeJson(snap.trade.at, snap.trade.price, snap.trade.size, tradeId(snap.trade.at)),
    latestQuote: quoteJson(snap.quote.at, snap.quote.bid, snap.quote.ask, snap.quote.size),
    minuteBar: snap.minuteBar ? barJson(snap.minuteBar) : null,
    dailyBar: snap.dailyBar ? barJson(snap.dailyBar) : null,
    prevDailyBar: snap.prevDailyBar ? barJson(snap.prevDailyBar) : null,
  };
}

/** A trade id that only depends on the instant, so repeated reads agree. */
function tradeId(at: number): number {
  return Math.floor(at / 1000) % 2_147_483_647;
}

/** Every calendar day in the range, in New York (news also arrives on weekends). */
function tradingAndClosedDays(start: number, end: number): string[] {
  const days: string[] = [];
  for (let day = etDate(start); day <= etDate(end); day = addDays(day, 1)) days.push(day);
  return days;
}
