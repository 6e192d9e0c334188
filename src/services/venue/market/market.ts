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
import { type MinuteTape, simulateSession } from "./intraday.ts";
import { LruCache } from "./lru.ts";
import { type CatalystStory, dayNews } from "./news.ts";
import { roundToTick, tickAt } from "./price.ts";
import { hashString, mix, Purpose, Rng } from "./rng.ts";
import type { SimAsset, SimBar, SimNews } from "./types.ts";
import { type AssetModel, buildUniverse } from "./universe.ts";

export type { CatalystKind, ListingExchange, SimAsset, SimBar, SimNews } from "./types.ts";

export interface SyntheticMarketOptions {
  /** Listings, tradable or not (about 2.4% are not). Default 8,200. */
  universeSize?: number;
  /** Symbol-days of minute bars kept (about 40 KB each). Default 1,500. */
  minuteCacheSymbolDays?: number;
}

const MINUTE_MS = 60_000;
const DEFAULT_UNIVERSE_SIZE = 8_200;
const DEFAULT_MINUTE_CACHE = 1_500;
const DAILY_CACHE = 50_000;
const NEWS_CACHE_DAYS = 64;
/** Spread for a symbol the market does not list. */
const UNKNOWN_SPREAD_BPS = 10;
const NO_BARS: readonly SimBar[] = Object.freeze([]);
const NO_NEWS: readonly SimNews[] = Object.freeze([]);

/** The regular-session aggregate of a tape (from the 09:30 opening print to the closing print). */
function regularSessionBar(tape: MinuteTape, t: number): SimBar {
  let first = 0;
  while (first < tape.count && (tape.minute[first] ?? 0) < PREMARKET_MINUTES) first++;
  let h = -Infinity;
  let l = Infinity;
  let v = 0;
  let n = 0;
  let notional = 0;
  for (let i = first; i < tape.count; i++) {
    h = Math.max(h, tape.h[i] ?? 0);
    l = Math.min(l, tape.l[i] ?? 0);
    const volume = tape.v[i] ?? 0;
    v += volume;
    n += tape.n[i] ?? 0;
    notional += (tape.vw[i] ?? 0) * volume;
  }
  return {
    t,
    o: tape.o[first] ?? 0,
    h,
    l,
    c: tape.c[tape.count - 1] ?? 0,
    v,
    n,
    vw: Math.round((notional / v) * 10_000) / 10_000,
  };
}

function tapeBars(tape: MinuteTape, preOpen: number): SimBar[] {
  const bars: SimBar[] = new Array(tape.count);
  for (let i = 0; i < tape.count; i++) {
    bars[i] = {
      t: preOpen + (tape.minute[i] ?? 0) * MINUTE_MS,
      o: tape.o[i] ?? 0,
      h: tape.h[i] ?? 0,
      l: tape.l[i] ?? 0,
      c: tape.c[i] ?? 0,
      v: tape.v[i] ?? 0,
      n: tape.n[i] ?? 0,
      vw: tape.vw[i] ?? 0,
    };
  }
  return bars;
}

/** Index of the last bar starting at or before `atMs`, or -1. */
function lastBarAtOrBefore(bars: readonly SimBar[], atMs: number): number {
  let low = 0;
  let high = bars.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if ((bars[mid]?.t ?? Infinity) <= atMs) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}

export class SyntheticMarket {
  readonly seed: number;
  private readonly seedKey: number;
  private readonly assetList: readonly SimAsset[];
  private readonly bySymbol: ReadonlyMap<string, AssetModel>;
  private readonly storyCandidates: readonly AssetModel[];
  private readonly marketLevels: Float64Array;
  private readonly minuteCache: LruCache<string, readonly SimBar[]>;
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
   * closed days, days outside the simulated range, unknown or non-tradable symbols. Shared:
   * do not mutate.
   */
  minuteBars(symbol: string, day: IsoDate): readonly SimBar[] {
    const found = this.tradingDay(symbol, day);
    if (!found) return NO_BARS;
    const key = `${symbol}|${day}`;
    const cached = this.minuteCache.get(key);
    if (cached) return cached;
    const bars = tapeBars(this.simulate(found.model, found.index, found.session), found.session.preOpen);
    this.minuteCache.set(key, bars);
    return bars;
  }

  /** The bar of the minute starting at `minuteStartMs`, or null when nothing traded in it. */
  minuteBar(symbol: string, minuteStartMs: number): SimBar | null {
    const bars = this.minuteBars(symbol, etDate(minuteStartMs));
    const bar = bars[lastBarAtOrBefore(bars, minuteStartMs)];
    return bar && bar.t === minuteStartMs ? bar : null;
  }

  /**
   * The regular-session aggregate of the minute bars (09:30 to the close), stamped at midnight
   * ET of the day as Alpaca stamps daily bars; null when there is no session.
   */
  dailyBar(symbol: string, day: IsoDate): SimBar | null {
    const found = this.tradingDay(symbol, day);
    if (!found) return null;
    const key = `${symbol}|${day}`;
    const cached = this.dailyCache.get(key);
    if (cached) return cached;
    const bar = regularSessionBar(this.simulate(found.model, found.index, found.session), etInstant(day, "00:00"));
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
        const bars = this.minuteBars(symbol, date);
        const bar = bars[lastBarAtOrBefore(bars, atMs)];
        if (!bar) return this.closeOf(model, index - 1);
        if (atMs >= bar.t + MINUTE_MS) return bar.c;
        return roundToTick(bar.o + ((bar.c - bar.o) * (atMs - bar.t)) / MINUTE_MS);
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

  private tradingDay(symbol: string, day: IsoDate): { model: AssetModel; index: number; session: TradingSession } | null {
    const model = this.bySymbol.get(symbol);
    const index = dayIndex(day);
    const daySession = index === undefined ? null : session(day);
    if (!model?.asset.tradable || index === undefined || !daySession) return null;
    return { model, index, session: daySession };
  }

  private simulate(model: AssetModel, index: number, daySession: TradingSession): MinuteTape {
    const plan = planDay(model, this.marketLevels, index);
    const regularMinutes = (daySession.close - daySession.open) / MINUTE_MS;
    const rng = new Rng(mix(mix(model.key, Purpose.intraday), index));
    return simulateSession(plan, regularMinutes, model.asset.dailyVolatility, model.tradeSize, rng);
  }
}
