/**
 * A deterministic synthetic US equity market: the same seed gives the same universe, bars and
 * news, byte for byte, whatever is asked first. Generated data is cached in bounded LRUs; daily
 * closes are computed on demand (see daily.ts), so memory does not grow with history.
 */
import {
  etDate,
  etInstant,
  type IsoDate,
  previousTradingDay,
  session,
  tradingDaysBetween,
  type TradingSession,
} from "../../../domain/exchange-calendar.ts";
import { catalystOn, PREMARKET_MINUTES } from "./catalysts.ts";
import { logClose, marketFactor, planDay } from "./daily.ts";
import { dayIndex } from "./day-axis.ts";
import { simulateSession } from "./intraday.ts";
import { LruCache } from "./lru.ts";
import { type CatalystStory, dayNews } from "./news.ts";
import type { PackedBars } from "./packed-bars.ts";
import { roundToTick, tickAt } from "./price.ts";
import { hashString, mix, Purpose, Rng } from "./rng.ts";
import type { SimAsset, SimBar, SimNews } from "./types.ts";
import { type AssetModel, buildUniverse } from "./universe.ts";

export type { CatalystKind, ListingExchange, SimAsset, SimBar, SimNews } from "./types.ts";

export interface SyntheticMarketOptions {
  /** Listings, tradable or not (about 2.4% are not). Default 8,200. */
  universeSize?: number;
  /** Symbol-days of minute bars kept, packed (about 25 KB each). Default 2,000. */
  minuteCacheSymbolDays?: number;
}

const MINUTE_MS = 60_000;
const DEFAULT_UNIVERSE_SIZE = 8_200;
const DEFAULT_MINUTE_CACHE = 2_000;
const DAILY_CACHE = 50_000;
const NEWS_CACHE_DAYS = 64;
/** Spread for a symbol the market does not list. */
const UNKNOWN_SPREAD_BPS = 10;
const NO_BARS: readonly SimBar[] = Object.freeze([]);
const NO_NEWS: readonly SimNews[] = Object.freeze([]);

interface SymbolDay {
  model: AssetModel;
  index: number;
  session: TradingSession;
}

export class SyntheticMarket {
  readonly seed: number;
  private readonly seedKey: number;
  private readonly assetList: readonly SimAsset[];
  private readonly bySymbol: ReadonlyMap<string, AssetModel>;
  private readonly storyCandidates: readonly AssetModel[];
  private readonly marketLevels: Float64Array;
  private readonly minuteCache: LruCache<string, PackedBars>;
  private readonly dailyCache = new LruCache<string, SimBar>(DAILY_CACHE);
  private readonly newsCache = new LruCache<number, readonly SimNews[]>(NEWS_CACHE_DAYS);

  constructor(seed: number, options: SyntheticMarketOptions = {}) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    this.seed = seed;
    this.seedKey = hashString(String(seed));
    const models = buildUniverse(seed, this.seedKey, options.universeSize ?? DEFAULT_UNIVERSE_SIZE);
    for (const model of models) Object.freeze(model.asset);
    this.assetList = Object.freeze(models.map((m) => m.asset));
    this.bySymbol = new Map(models.map((m) => [m.asset.symbol, m]));
    this.storyCandidates = models.filter((m) => m.asset.tradable && !m.isEtf);
    this.marketLevels = marketFactor(this.seedKey);
    this.minuteCache = new LruCache(options.minuteCacheSymbolDays ?? DEFAULT_MINUTE_CACHE);
  }

  /** Every listing, sorted by symbol. */
  assets(): readonly SimAsset[] {
    return this.assetList;
  }

  asset(symbol: string): SimAsset | undefined {
    return this.bySymbol.get(symbol)?.asset;
  }

  /**
   * Minute bars from 04:00 ET to the regular close (minutes without trades have none); [] for
   * closed days, days outside the simulated range, unknown or non-tradable symbols. A new array
   * each call (the cache keeps the packed form); for one bar or one price use minuteBar / priceAt.
   */
  minuteBars(symbol: string, day: IsoDate): readonly SimBar[] {
    return this.packedDay(symbol, day)?.bars() ?? NO_BARS;
  }

  /** The bar of the minute starting at `minuteStartMs`, or null when nothing traded in it. */
  minuteBar(symbol: string, minuteStartMs: number): SimBar | null {
    const packed = this.packedDay(symbol, etDate(minuteStartMs));
    if (!packed) return null;
    const i = packed.lastIndexAtOrBefore(minuteStartMs);
    return i >= 0 && packed.time(i) === minuteStartMs ? packed.bar(i) : null;
  }

  /**
   * The regular-session aggregate of the minute bars (09:30 to the close), stamped at midnight
   * ET of the day as Alpaca stamps daily bars; null when there is no session.
   */
  dailyBar(symbol: string, day: IsoDate): SimBar | null {
    const key = `${symbol}|${day}`;
    const cached = this.dailyCache.get(key);
    if (cached) return cached;
    const symbolDay = this.symbolDay(symbol, day);
    if (!symbolDay) return null;
    // Reuse cached minute bars, but do not cache history that is only aggregated.
    const packed = this.minuteCache.get(key) ?? this.simulate(symbolDay);
    const bar = packed.aggregate(PREMARKET_MINUTES, etInstant(day, "00:00"));
    this.dailyCache.set(key, bar);
    return bar;
  }

  /** Daily bars of the trading days from `from` to `to`, both inclusive. */
  dailyBars(symbol: string, from: IsoDate, to: IsoDate): SimBar[] {
    const bars: SimBar[] = [];
    for (const day of tradingDaysBetween(from, to)) {
      const bar = this.dailyBar(symbol, day);
      if (bar) bars.push(bar);
    }
    return bars;
  }

  /** That ET day's news (pre-market included), sorted by createdAt then id. Shared: do not mutate. */
  news(day: IsoDate): readonly SimNews[] {
    const index = dayIndex(day);
    const daySession = session(day);
    if (index === undefined || !daySession) return NO_NEWS;
    const cached = this.newsCache.get(index);
    if (cached) return cached;
    const stories: CatalystStory[] = [];
    for (const model of this.storyCandidates) {
      const catalyst = catalystOn(model, index);
      if (catalyst) stories.push({ model, catalyst, previousClose: this.closeOf(model, index - 1) });
    }
    const items = dayNews(this.seedKey, index, day, daySession, stories, this.storyCandidates);
    this.newsCache.set(index, items);
    return items;
  }

  /**
   * The last trade price at an instant. Inside a minute it moves from the bar's open to its close
   * in proportion to the elapsed time; before 04:00 ET (or on a closed day) it is the previous
   * regular close, after the close the day's close. Null for unknown or non-tradable symbols and
   * outside the simulated range.
   */
  priceAt(symbol: string, atMs: number): number | null {
    const model = this.bySymbol.get(symbol);
    if (!model?.asset.tradable) return null;
    const date = etDate(atMs);
    const daySession = session(date);
    const index = dayIndex(date);
    if (daySession && index !== undefined) {
      if (atMs >= daySession.close) return this.closeOf(model, index);
      if (atMs >= daySession.preOpen) {
        const packed = this.packedDay(symbol, date);
        const i = packed ? packed.lastIndexAtOrBefore(atMs) : -1;
        if (!packed || i < 0) return this.closeOf(model, index - 1);
        const elapsed = atMs - packed.time(i);
        if (elapsed >= MINUTE_MS) return packed.close(i);
        return roundToTick(packed.open(i) + ((packed.close(i) - packed.open(i)) * elapsed) / MINUTE_MS);
      }
      if (index === 0) return this.closeOf(model, -1);
    }
    const previous = dayIndex(previousTradingDay(date));
    return previous === undefined ? null : this.closeOf(model, previous);
  }

  /** The full quoted spread in dollars at a price: a whole number of ticks, at least one. */
  spread(symbol: string, price: number): number {
    const bps = this.bySymbol.get(symbol)?.asset.spreadBps ?? UNKNOWN_SPREAD_BPS;
    const tick = tickAt(price);
    const ticks = Math.max(1, Math.round((price * bps) / 10_000 / tick));
    return Math.round(ticks * tick * 10_000) / 10_000;
  }

  /** The regular close of simulated day `index` (-1: the reference close), as the daily bar has it. */
  private closeOf(model: AssetModel, index: number): number {
    return roundToTick(Math.exp(logClose(model, this.marketLevels, index)));
  }

  /** A tradable symbol on a simulated trading day, or null. */
  private symbolDay(symbol: string, day: IsoDate): SymbolDay | null {
    const model = this.bySymbol.get(symbol);
    const index = dayIndex(day);
    const daySession = index === undefined ? null : session(day);
    if (!model?.asset.tradable || index === undefined || !daySession) return null;
    return { model, index, session: daySession };
  }

  private packedDay(symbol: string, day: IsoDate): PackedBars | null {
    const key = `${symbol}|${day}`;
    const cached = this.minuteCache.get(key);
    if (cached) return cached;
    const symbolDay = this.symbolDay(symbol, day);
    if (!symbolDay) return null;
    const packed = this.simulate(symbolDay);
    this.minuteCache.set(key, packed);
    return packed;
  }

  private simulate({ model, index, session: daySession }: SymbolDay): PackedBars {
    const plan = planDay(model, this.marketLevels, index);
    const regularMinutes = (daySession.close - daySession.open) / MINUTE_MS;
    const rng = new Rng(mix(mix(model.key, Purpose.intraday), index));
    return simulateSession(plan, daySession.preOpen, regularMinutes, model.asset.dailyVolatility, model.tradeSize, rng);
  }
}
